"""Database faults under the commands: one plain line, a non-zero exit, nothing lost or touched.

A refused file is byte-identical afterwards (sha256), and no -wal/-shm appears beside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.store import db as store_db
from callblock.store import store as store_module
from callblock.store.schema import OWN_OBJECTS
from tests.conftest import ZONE

NOW = "2026-11-23T19:00:00Z"

# Every command that opens the database, with arguments that would succeed on a healthy one.
COMMANDS: list[list[str]] = [
    ["queue"],
    ["log", "--lead", "1", "--outcome", "busy"],
    ["add", "--name", "Ann Lee", "--company", "Acme", "--phone", "+1 212 555 0199"],
    ["plan"],
    ["history", "--lead", "1"],
    ["leads"],
    ["dupes"],
    ["merge", "1", "2"],
    ["report"],
    ["export", "touches"],
    ["export", "leads"],
    ["templates", "list"],
    ["templates", "check"],
    ["render", "email-6", "--lead", "3"],
]
WRITES = [c for c in COMMANDS if c[0] in ("log", "add", "merge")]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_failure(code: int, err: str, *words: str) -> None:
    assert code not in (0, None), err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("callblock: error: ")
    assert "Traceback" not in err
    assert code != 70 and "internal error" not in err, err  # the catch-all for a bug
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def healthy_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("healthy") / "team.db"
    with pytest.MonkeyPatch.context() as patch:  # the zone every test runs in (conftest)
        patch.setenv("TZ", ZONE)
        patch.setenv("CALLBLOCK_CONFIG", str(path.parent / "no-config.toml"))
        assert main(["--db", str(path), "--now", NOW, "demo", "--leads", "60"]) == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def db(healthy_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "team.db"
    shutil.copy(healthy_db, copy)
    return copy


def touch_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM touches").fetchone()[0]
    finally:
        conn.close()


# refusing means untouched ----------------------------------------------------------------------
def sql_database(*statements: str):  # type: ignore[no-untyped-def]
    def make(path: Path) -> None:
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()

    return make


# rollback-journal files, as most SQLite files are
foreign_database = sql_database(
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)",
    "INSERT INTO invoices (total) VALUES (12.5)",
)
newer_database = sql_database(
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version VALUES (999)",
)
versioned_foreign_database = sql_database(  # someone else's, with a schema_version table
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version VALUES (1)",
    "CREATE TABLE users (id INTEGER PRIMARY KEY)",
)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (foreign_database, "not callblock's"),
        (versioned_foreign_database, "not callblock's"),
        (sql_database("CREATE VIEW answers AS SELECT 42 AS answer"), "not callblock's"),
        (
            sql_database(
                "CREATE TABLE schema_version (version)",
                "INSERT INTO schema_version VALUES ('1.2.3')",
            ),
            "did not write",
        ),
        (
            sql_database(
                "CREATE TABLE schema_version (version)", "INSERT INTO schema_version VALUES (-5)"
            ),
            "did not write",
        ),
        (newer_database, "newer than this callblock"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b"name,company\nAnn,Acme\n" * 50), "not a SQLite database"),
    ],
    ids=[
        "foreign",
        "foreign-with-version",
        "view-only",
        "text-version",
        "negative-version",
        "newer-schema",
        "empty",
        "not-sqlite",
    ],
)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_refused_file_is_left_byte_identical(
    capsys, tmp_path: Path, make, words: str, command: list[str]
) -> None:
    path = tmp_path / "other.db"
    make(path)
    before = digest(path)
    code, _, err = run(capsys, path, *command)
    assert_one_line_failure(code, err, words)
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


def test_own_objects_are_exactly_what_the_migrations_create(healthy_db: Path) -> None:
    conn = sqlite3.connect(healthy_db)
    made = set(
        conn.execute(
            "SELECT type, name FROM sqlite_master "
            "WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%'"
        )
    )
    conn.close()
    assert made == OWN_OBJECTS


def test_demo_may_fill_an_empty_file_but_not_a_missing_folder(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "new.db"
    empty.write_bytes(b"")
    code, _, err = run(capsys, empty, "demo", "--leads", "5")
    assert code == 0, err
    code, _, err = run(capsys, tmp_path / "no" / "such" / "x.db", "queue")
    assert_one_line_failure(code, err, "does not exist")
    assert not (tmp_path / "no").exists()


# a lock held past the busy timeout --------------------------------------------------------------
@pytest.fixture
def held_lock(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield db
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.parametrize("command", WRITES, ids=lambda c: c[0])
def test_a_held_lock_is_one_line_and_nothing_is_written(capsys, held_lock: Path, command) -> None:
    before = touch_count(held_lock)
    code, _, err = run(capsys, held_lock, *command)
    assert_one_line_failure(code, err, "busy", "nothing was written")
    assert touch_count(held_lock) == before


def test_reading_commands_work_while_another_process_writes(capsys, held_lock: Path) -> None:
    code, out, err = run(capsys, held_lock, "queue", "--json")
    assert code == 0, err
    assert out.startswith("[")


# a full disk ------------------------------------------------------------------------------------
@pytest.fixture
def full_disk(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SQLITE_FULL on the next page the database needs (SQLite's own page limit)."""
    real_connect = store_module.connect

    def connect_full(path: Path, **kwargs) -> sqlite3.Connection:
        conn = real_connect(path, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(store_module, "connect", connect_full)
    return db


def test_a_full_disk_is_one_line_and_loses_nothing_committed(capsys, full_disk: Path) -> None:
    before = touch_count(full_disk)
    saved = 0
    for _ in range(400):  # until the file needs a new page
        code, _, err = run(capsys, full_disk, "log", "--lead", "3", "--outcome", "busy")
        if code != 0:
            assert_one_line_failure(code, err, "full", "nothing was written")
            break
        saved += 1
    else:
        pytest.fail("the database never filled")
    assert saved >= 1  # the page limit left room for some: those are kept
    assert touch_count(full_disk) == before + saved
    code, out, err = run(capsys, full_disk, "history", "--lead", "3", "--json")
    assert code == 0, err
    assert out.count('"busy"') >= saved


def test_a_full_disk_refuses_an_import_whole(capsys, full_disk: Path, tmp_path: Path) -> None:
    rows = "".join(f"Lead {n},Co {n},+1 212 555 {n:04d}\n" for n in range(1000, 1400))
    csv_path = tmp_path / "leads.csv"
    csv_path.write_text("Name,Company,Phone\n" + rows)
    leads_before = sqlite3.connect(full_disk).execute("SELECT count(*) FROM leads").fetchone()[0]
    code, _, err = run(capsys, full_disk, "import", str(csv_path))
    assert_one_line_failure(code, err, "full")
    after = sqlite3.connect(full_disk).execute("SELECT count(*) FROM leads").fetchone()[0]
    assert after == leads_before


# a damaged file ---------------------------------------------------------------------------------
def damage(path: Path) -> None:
    """Garbage over the root pages of the touches table and one of its indexes (what a bad
    sector or a half-copied file does): the schema still reads, the data does not."""
    conn = sqlite3.connect(path)
    pages = [
        row[0]
        for row in conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'touches' AND rootpage > 0 "
            "ORDER BY type DESC LIMIT 2"
        )
    ]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert pages
    with path.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size + 8)
            handle.write(os.urandom(page_size // 2))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_damaged_file_never_ends_in_a_traceback(capsys, db: Path, command) -> None:
    damage(db)
    code, _, err = run(capsys, db, *command)
    assert "Traceback" not in err
    if code != 0:  # exit 0 means the command read only healthy pages (no error to report)
        assert_one_line_failure(code, err)
    else:
        assert err == ""


@pytest.mark.parametrize("command", WRITES, ids=lambda c: c[0])
def test_a_damaged_file_is_not_written_to(capsys, db: Path, command) -> None:
    damage(db)
    before = digest(db)
    code, _, err = run(capsys, db, *command)
    assert_one_line_failure(code, err, "damaged", "nothing was written")
    assert digest(db) == before


# read-only file and folder ----------------------------------------------------------------------
def as_other_user(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command where permissions apply (root ignores them: drop to nobody)."""
    command = [sys.executable, "-m", "callblock", "--db", str(db), "--now", NOW, *args]
    env = {**os.environ, "HOME": str(db.parent / "home"), "CALLBLOCK_CONFIG": "/nonexistent"}
    env.pop("CALLBLOCK_DB", None)
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def unprivileged() -> None:
    """Root ignores file modes; the read-only tests need a user they apply to."""
    if os.geteuid() != 0:
        return
    probe = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    result = subprocess.run(
        [*probe, sys.executable, "-c", "import callblock"], capture_output=True, timeout=60
    )
    if result.returncode != 0:
        pytest.skip("running as root and user nobody cannot run this Python: modes do not apply")


@pytest.mark.parametrize("where", ["file", "folder"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_read_only_database_is_one_line_and_untouched(
    unprivileged: None, healthy_db: Path, where: str, command: list[str]
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="callblock-ro-"))  # /tmp: reachable by nobody
    try:
        (folder / "home").mkdir()
        (folder / "home").chmod(0o777)
        path = folder / "team.db"
        shutil.copy(healthy_db, path)
        path.chmod(0o444 if where == "file" else 0o644)
        folder.chmod(0o755 if where == "file" else 0o555)
        before = digest(path)
        result = as_other_user(path, *command)
        folder.chmod(0o755)
        assert_one_line_failure(result.returncode, result.stderr, "read-only")
        assert digest(path) == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


# outputs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("option", ["-o", "--rejects"])
def test_a_device_as_output_is_written_to_never_replaced(
    capsys, db: Path, tmp_path: Path, option: str
) -> None:
    if option == "-o":
        args = ["export", "leads", "-o", "/dev/null"]
    else:
        source = tmp_path / "in.csv"
        source.write_text("Name,Company,Phone\nJo Ray,Acme,+12125550100\nBad,X,notaphone\n")
        args = ["import", str(source), "--skip-invalid", "--rejects", "/dev/null"]
    code, _, err = run(capsys, db, *args)
    assert code == 0, err
    assert Path("/dev/null").is_char_device()
    assert not list(Path("/dev").glob(".null.*.part"))


@pytest.mark.parametrize("target", ["db", "wal", "shm", "input", "folder", "missing-folder"])
def test_an_output_over_the_database_or_an_input_is_refused_first(
    capsys, db: Path, tmp_path: Path, target: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Name,Company,Phone\nJo Ray,Acme,+12125550100\nBad,X,notaphone\n")
    paths = {
        "db": db,
        "wal": Path(f"{db}-wal"),
        "shm": Path(f"{db}-shm"),
        "input": source,
        "folder": tmp_path,
        "missing-folder": tmp_path / "no" / "x.csv",
    }
    before = {path: digest(path) for path in (db, source)}
    commands = [["import", str(source), "--skip-invalid", "--rejects", str(paths[target])]]
    if target != "input":  # the import's input; an export reads only the database
        commands.append(["export", "leads", "-o", str(paths[target])])
    for args in commands:
        code, _, err = run(capsys, db, *args)
        assert_one_line_failure(code, err)
        assert {path: digest(path) for path in before} == before


# values another tool or an older version wrote ---------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [["leads"], ["history", "--lead", "1"], ["export", "leads"], ["merge", "2", "1"]],
    ids=lambda c: c[0],
)
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_at", "garbage"),
        ("status", "on-holiday"),
        ("links", "{not json"),
        ("fit", "[1, 2]"),
        ("other_emails", "[1]"),
        ("timezone", "Mars/Base"),
        ("attempts", "x"),
        ("name", b"\xff"),
    ],
)
def test_an_unreadable_stored_value_is_one_line_naming_the_row(
    capsys, db: Path, command: list[str], column: str, value: str
) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"UPDATE leads SET {column} = ? WHERE id = 1", (value,))
    conn.commit()
    conn.close()
    code, _, err = run(capsys, db, *command)
    assert_one_line_failure(code, err, "lead 1", "callblock doctor")
    code, out, err = run(capsys, db, "doctor")
    assert code == 1, out + err
    assert f"lead 1: {column}" in out
