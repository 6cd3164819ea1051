"""`callblock doctor` on a WAL database in a folder the user cannot write (a shared or archived
database): a fine file is reported fine, a file with unsaved changes in its -wal is one line
saying it cannot be checked read-only here; never "integrity check failed" for a fine file.

Run for real as user nobody (root ignores folder permissions), so these need root and setpriv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import callblock
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.services.demo import build_demo
from callblock.store import Store
from tests.conftest import NOW

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SRC = Path(callblock.__file__).resolve().parents[1]
SITE = sysconfig.get_paths()["purelib"]  # the venv's: textual, dateutil...


def _python_for_nobody() -> str | None:
    """An interpreter user nobody may run (the venv's may live under /root)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    for candidate in (sys.executable, "/usr/bin/python3.11", "/usr/local/bin/python3.11"):
        try:
            done = subprocess.run(
                [*NOBODY, candidate, "-c", "import sys; print(sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.strip() == str(sys.version_info[:2]):
            return candidate
    return None


PYTHON = _python_for_nobody()
pytestmark = pytest.mark.skipif(
    PYTHON is None, reason="needs root, setpriv and a Python 3.11 user nobody can run"
)


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder under /tmp nobody can read (pytest's tmp_path is root's only)."""
    path = Path(tempfile.mkdtemp(prefix="callblock-ro-", dir="/tmp"))
    path.chmod(0o755)
    home = path / "home"
    home.mkdir()
    os.chown(home, 65534, 65534)
    (path / "ro").mkdir()
    yield path / "ro"
    (path / "ro").chmod(0o755)
    shutil.rmtree(path)


def make_db(db: Path) -> None:
    store = Store.open(db)  # WAL mode
    try:
        build_demo(store, FixedClock(NOW), leads=30, settings=Settings())
    finally:
        store.close()  # checkpointed: no -wal left


def leave_pending_wal(db: Path) -> None:
    """A writer killed before its checkpoint: a non-empty -wal (and its -shm) stay behind."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"INSERT OR REPLACE INTO meta (key, value) VALUES ('x', 'y')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True, timeout=60)
    assert db.with_name(db.name + "-wal").stat().st_size > 0


def doctor_as_nobody(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert PYTHON is not None
    env = {
        "HOME": str(db.parent.parent / "home"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{SRC}{os.pathsep}{SITE}",
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [*NOBODY, PYTHON, "-m", "callblock", "--db", str(db), "doctor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_fine_wal_database_in_a_read_only_folder_is_reported_fine(folder: Path) -> None:
    db = folder / "cb.db"
    make_db(db)
    assert db.read_bytes()[18:20] == b"\x02\x02"  # WAL mode in the header
    folder.chmod(0o555)
    before = digest(folder)
    done = doctor_as_nobody(db)
    assert (done.returncode, done.stderr) == (0, ""), done
    assert done.stdout.splitlines() == [f"{db}: integrity ok", "no problems found"]
    done = doctor_as_nobody(db, "--json")
    assert done.returncode == 0 and '"healthy": true' in done.stdout, done
    assert digest(folder) == before  # no -shm made, nothing written


def test_an_empty_wal_file_is_nothing_pending(folder: Path) -> None:
    db = folder / "cb.db"
    make_db(db)
    db.with_name("cb.db-wal").write_bytes(b"")
    folder.chmod(0o555)
    done = doctor_as_nobody(db)
    assert done.returncode == 0 and "integrity ok" in done.stdout, done


def test_unsaved_changes_in_a_wal_without_a_shm_cannot_be_checked_here(folder: Path) -> None:
    db = folder / "cb.db"
    make_db(db)
    leave_pending_wal(db)
    db.with_name("cb.db-shm").unlink()  # copied without it, or cleaned away
    folder.chmod(0o555)
    before = digest(folder)
    for args in ((), ("--json",)):
        done = doctor_as_nobody(db, *args)
        assert done.returncode == 1, done
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith(f"callblock: error: {db}: cannot be checked read-only here")
        assert "cb.db-wal holds changes" in done.stderr
        assert "integrity" not in done.stderr and "damaged" not in done.stderr
    assert digest(folder) == before


def test_a_wal_with_a_readable_shm_is_read_through_it(folder: Path) -> None:
    """The writer's -shm is there (readable, not writable by us): SQLite reads the -wal through
    it, so the pending change is seen and the file is fine."""
    db = folder / "cb.db"
    make_db(db)
    leave_pending_wal(db)
    folder.chmod(0o555)
    before = digest(folder)
    done = doctor_as_nobody(db)
    assert (done.returncode, done.stderr) == (0, ""), done
    assert "integrity ok" in done.stdout
    assert digest(folder) == before
