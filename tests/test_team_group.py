"""A team database shared by a Unix group (`team init --group`): two other users in the group
use it while a third, outside it, cannot. Run for real with setpriv (root only)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from callblock.store import Store
from tests.test_doctor_read_only import PYTHON, SITE, SRC
from tests.test_team_settings import ZONE, run


# a database shared by a Unix group ---------------------------------------------------------
def _a_group() -> tuple[str, int] | None:
    """An existing group other than root's and nobody's (members do not matter: setpriv sets
    the supplementary groups of each process)."""
    import grp

    for entry in sorted(grp.getgrall(), key=lambda g: g.gr_gid):
        if 0 < entry.gr_gid < 65534:
            return entry.gr_name, entry.gr_gid
    return None


GROUP = _a_group()
NEEDS_ROOT = pytest.mark.skipif(
    PYTHON is None or GROUP is None,
    reason="needs root, setpriv, a Python 3.11 other users can run and a spare group",
)


def _as_user(uid: int, groups: list[int], *args: str) -> list[str]:
    """setpriv for user `uid` with primary group nobody's and these supplementary groups."""
    extra = ["--groups", ",".join(map(str, groups))] if groups else ["--clear-groups"]
    assert PYTHON is not None
    return ["setpriv", f"--reuid={uid}", "--regid=65534", *extra, PYTHON, *args]


def _env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{SRC}{os.pathsep}{SITE}",
        "LANG": "C.UTF-8",
        "CALLBLOCK_CONFIG": str(home / "none.toml"),
    }


# User A holds the database open with a write in its -wal (umask 077: SQLite must still give
# -wal and -shm the database's 0660, in the folder's group) until told to stop.
HOLD = (
    "import os, sqlite3, sys\n"
    "os.umask(0o077)\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
    "c.execute(\"INSERT OR REPLACE INTO meta (key, value) VALUES ('held-by', 'a')\")\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
)


@NEEDS_ROOT
def test_every_member_of_the_group_can_use_the_team_database(capsys) -> None:
    assert GROUP is not None
    group, gid = GROUP
    top = Path(tempfile.mkdtemp(prefix="callblock-team-", dir="/tmp"))
    try:
        top.chmod(0o755)
        home = top / "home"
        home.mkdir(mode=0o777)
        home.chmod(0o777)
        db = top / "floor" / "team.db"
        code, _, err = run(
            capsys, "team", "init", "--db", str(db), "--timezone", ZONE, "--group", group
        )
        assert code == 0, err
        folder = db.parent.stat()
        assert (folder.st_gid, stat.S_IMODE(folder.st_mode)) == (gid, 0o2770)
        assert (db.stat().st_gid, stat.S_IMODE(db.stat().st_mode)) == (gid, 0o660)
        holder = subprocess.Popen(
            _as_user(65534, [gid], "-c", HOLD, str(db)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(home),
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            for end in ("-wal", "-shm"):
                info = db.with_name(db.name + end).stat()
                assert info.st_uid == 65534  # made by user A, not by init
                assert (info.st_gid, stat.S_IMODE(info.st_mode)) == (gid, 0o660), end
            add = ["-m", "callblock", "--db", str(db), "--rep", "bob", "add", "--json"]
            add += ["--name", "Ann Lee", "--company", "Acme", "--phone", "+1 212 555 0101"]
            done = subprocess.run(
                _as_user(65533, [gid], *add), capture_output=True, text=True, env=_env(home)
            )
            assert done.returncode == 0, done.stderr
            queue = ["-m", "callblock", "--db", str(db), "--rep", "bob", "queue", "--json"]
            outsider = subprocess.run(
                _as_user(65532, [], *queue), capture_output=True, text=True, env=_env(home)
            )
            assert outsider.returncode != 0 and outsider.stderr.count("\n") == 1
        finally:
            holder.communicate("\n", timeout=60)
        store = Store.open(db)
        try:
            assert store.admin.count("leads") == 1 and store.admin.meta("held-by") == "a"
        finally:
            store.close()
    finally:
        shutil.rmtree(top)


def test_init_in_an_existing_folder_says_what_to_run_for_the_group(capsys, tmp_path) -> None:
    if GROUP is None or os.geteuid() != 0:
        pytest.skip("needs root and a spare group")
    group, gid = GROUP
    db = tmp_path / "team.db"
    code, out, err = run(
        capsys, "team", "init", "--db", str(db), "--timezone", ZONE, "--group", group
    )
    assert code == 0, err
    assert (db.stat().st_gid, stat.S_IMODE(db.stat().st_mode)) == (gid, 0o660)
    [first, note] = out.splitlines()
    assert first == f"{db}: team database in {ZONE}, shared with group {group}"
    assert note == (
        f"note: {tmp_path} must let group {group} create files (SQLite's -wal and -shm): run "
        f"`chgrp {group} {tmp_path} && chmod g+rwxs {tmp_path}`"
    )
    os.chown(tmp_path, -1, gid)
    tmp_path.chmod(0o2770)
    db2 = tmp_path / "second.db"
    code, out, err = run(
        capsys, "team", "init", "--db", str(db2), "--timezone", ZONE, "--group", group
    )
    assert code == 0 and "note:" not in out


@NEEDS_ROOT
def test_a_rep_with_an_account_of_their_own_is_that_account(capsys) -> None:
    """Per-Unix-account floor: `--rep` (or LOGNAME) cannot make an account someone else, and
    changing the team takes a team lead; the account owning the database may do anything."""
    assert GROUP is not None
    group, gid = GROUP
    top = Path(tempfile.mkdtemp(prefix="callblock-team-", dir="/tmp"))
    try:
        top.chmod(0o755)
        home = top / "home"
        home.mkdir(mode=0o777)
        home.chmod(0o777)
        db = top / "floor" / "team.db"
        assert run(capsys, "team", "init", "--db", str(db), "--timezone", ZONE,
                   "--group", group)[0] == 0  # fmt: skip
        for name, role in (("nobody", "rep"), ("lena", "lead")):  # nobody: uid 65534's login
            assert run(capsys, "--db", str(db), "team", "add-rep", name, "--role", role)[0] == 0

        def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
            argv = _as_user(65534, [gid], "-m", "callblock", "--db", str(db), *args)
            env = {**_env(home), "LOGNAME": "lena", "USER": "lena"}  # forged: not believed
            return subprocess.run(argv, capture_output=True, text=True, env=env)

        for args in (
            ("--rep", "lena", "queue"),
            ("--rep", "lena", "team", "settings", "--set", "queue.spacing_minutes=45"),
            ("queue",),  # LOGNAME says lena; the account is nobody
        ):
            done = as_nobody(*args)
            assert done.returncode == 1, (args, done.stderr)
            assert "you are nobody" in done.stderr and done.stderr.count("\n") == 1
        done = as_nobody("--rep", "nobody", "team", "settings", "--set", "queue.spacing_minutes=45")
        assert done.returncode == 1 and "for a team lead; nobody is not one" in done.stderr
        done = as_nobody("--rep", "nobody", "team", "add-rep", "mallory", "--role", "lead")
        assert done.returncode == 1 and "for a team lead" in done.stderr
        assert as_nobody("--rep", "nobody", "queue").returncode == 0
        assert run(capsys, "--db", str(db), "team", "remove-rep", "nobody")[0] == 0
        assert run(capsys, "--db", str(db), "team", "add-rep", "nobody", "--role", "lead")[0] == 0
        done = as_nobody("--rep", "nobody", "team", "settings", "--set", "queue.spacing_minutes=45")
        assert done.returncode == 0, done.stderr
    finally:
        shutil.rmtree(top)
