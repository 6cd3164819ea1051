"""Issue 13 stranger review: what a user, an attacker or a remote rep found on the PostgreSQL
path (each test was seen failing before its fix)."""

from __future__ import annotations

import base64
import json
import sqlite3
import struct
import sys
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.store.location import ServerUrl
from callblock.store.migrations import MIGRATIONS, SCHEMA_VERSION
from tests.pg_server import PASSWORD, PgServer

NOW = "2026-11-23T19:00:00Z"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _server_tables(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    assert row is not None
    return int(row[0])


# migrate-db only reads its source -----------------------------------------------------------
def _older_file(path: Path, version: int) -> None:
    """A callblock file as an older release left it: the first `version` migrations, a lead,
    and SQLite's default rollback journal (never opened by a newer callblock)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number in range(1, version + 1):
        conn.execute("BEGIN")
        MIGRATIONS[number - 1](conn)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        conn.execute("COMMIT")
    conn.execute(
        "INSERT INTO leads (name, company, phone, status, temperature, created_at) "
        "VALUES ('Ann Lee', 'Acme', '+12125550143', 'new', 'warm', '2026-11-20T15:00:00Z')"
    )
    conn.close()


def test_migrate_db_leaves_a_source_at_an_older_schema_byte_identical(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "old.db"
    _older_file(source, 5)
    before = source.read_bytes()
    url = pg_server.new_database()
    code, out, err = cli(capsys, "migrate-db", "--from", str(source), "--to", url, "--json")
    assert code == 0, err
    counts = {row["table"]: row for row in json.loads(out)["tables"]}
    assert counts["leads"]["source_rows"] == counts["leads"]["target_rows"] == 1
    # the help promises "the file is left as it is": not migrated, not switched to WAL
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]
    with sqlite3.connect(source) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 5
    import psycopg

    with psycopg.connect(url) as conn:
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        name = conn.execute("SELECT name FROM leads").fetchone()
    assert version is not None and version[0] == SCHEMA_VERSION
    assert name is not None and name[0] == "Ann Lee"


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_migrate_db_leaves_a_current_file_and_its_folder_as_they_were(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, journal: str
) -> None:
    source = tmp_path / "team.db"
    code, _, err = cli(capsys, "--db", str(source), "demo", "--leads", "50")
    assert code == 0, err
    conn = sqlite3.connect(source)
    assert conn.execute(f"PRAGMA journal_mode = {journal}").fetchone()[0] == journal
    conn.close()
    before = source.read_bytes()
    code, _, err = cli(
        capsys, "migrate-db", "--from", str(source), "--to", pg_server.new_database()
    )
    assert code == 0, err
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.db"]


def test_migrate_db_refuses_a_damaged_source_and_leaves_the_target_empty(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "team.db"
    code, _, err = cli(capsys, "--db", str(source), "demo", "--leads", "50")
    assert code == 0, err
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(source.read_bytes())
    data[4096 * 3 : 4096 * 3 + 200] = b"\xff" * 200  # a page of the leads table overwritten
    source.write_bytes(bytes(data))
    url = pg_server.new_database()
    code, out, err = cli(capsys, "migrate-db", "--from", str(source), "--to", url)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert source.read_bytes() == bytes(data)
    assert _server_tables(url) == 0


# credentials ------------------------------------------------------------------------------------
def test_a_password_in_the_url_query_counts_as_a_password() -> None:
    url = ServerUrl.parse(f"postgresql://floor@db.example.com/sales?password={PASSWORD}")
    assert url.has_password
    assert PASSWORD not in url.without_password()
    assert url.without_password() == "postgresql://floor@db.example.com/sales"
    kept = ServerUrl.parse(
        "postgresql://floor@db/sales?sslmode=require&password=x&connect_timeout=3"
    )
    assert (
        kept.without_password() == "postgresql://floor@db/sales?sslmode=require&connect_timeout=3"
    )
    assert not ServerUrl.parse("postgresql://floor@db/sales?sslmode=require").has_password


def _fake_key(seed: int) -> str:
    name = b"ssh-ed25519"
    blob = struct.pack(">I", len(name)) + name + struct.pack(">I", 32) + bytes([seed]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} someone@laptop\n"


def test_add_rep_never_writes_a_query_password_into_authorized_keys(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = pg_server.new_database()
    code, _, err = cli(capsys, "--db", url, "team", "init", "--timezone", "UTC")
    assert code == 0, err
    in_query = pg_server.url(url.rsplit("/", 1)[1], password=False) + f"?password={PASSWORD}"
    key, authorized = tmp_path / "bob.pub", tmp_path / "authorized_keys"
    key.write_text(_fake_key(3))
    code, out, err = cli(
        capsys,
        "--db",
        in_query,
        "team",
        "add-rep",
        "bob",
        "--key-file",
        str(key),
        "--authorized-keys",
        str(authorized),
    )
    assert code == 1 and out == ""
    assert "the database URL holds a password" in err and PASSWORD not in err
    assert not authorized.exists()


def test_the_crash_log_never_keeps_the_urls_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from callblock.crash import report_crash

    log = tmp_path / "crash.log"
    monkeypatch.setattr("callblock.crash.crash_log_path", lambda: log)
    argv = [
        "callblock",
        "--db",
        f"postgresql://floor:{PASSWORD}@db.example.com:5432/sales",
        "--db",
        f"postgres://floor@db/sales?sslmode=require&password={PASSWORD}",
        "queue",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    try:
        raise RuntimeError(f"boom near postgresql://floor:{PASSWORD}@db/sales")
    except RuntimeError as error:
        line = report_crash(error)
    text = log.read_text()
    assert "RuntimeError" in text and "db.example.com:5432/sales" in text
    assert PASSWORD not in text and PASSWORD not in line


# the URL's own settings ---------------------------------------------------------------------
def test_the_urls_options_are_kept_a_floor_in_its_own_schema(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DBA who gives callblock its own schema (`?options=-c search_path=floor`, or
    PGOPTIONS) gets the tables there, not silently in public; callblock's own settings
    (UTC, lock timeout) still hold."""
    import psycopg

    url = pg_server.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA floor")
    in_schema = f"{url}?options=-c%20search_path%3Dfloor"
    code, _, err = cli(capsys, "--db", in_schema, "team", "init", "--timezone", "UTC")
    assert code == 0, err
    with psycopg.connect(url) as conn:
        where = conn.execute(
            "SELECT DISTINCT schemaname FROM pg_tables WHERE tablename = 'leads'"
        ).fetchall()
    assert where == [("floor",)]
    from callblock.store.pg import LOCK_TIMEOUT_MS, connect_pg

    monkeypatch.setenv("PGOPTIONS", "-c search_path=floor")
    conn = connect_pg(ServerUrl.parse(url))
    try:
        assert conn.execute("SHOW search_path").fetchone()[0] == "floor"
        assert conn.execute("SHOW TimeZone").fetchone()[0] == "UTC"
        assert conn.execute("SHOW lock_timeout").fetchone()[0] == f"{LOCK_TIMEOUT_MS // 1000}s"
    finally:
        conn.close()
