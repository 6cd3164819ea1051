"""A second connection in one process must not drop the first one's locks.

SQLite locks with POSIX record locks, which the kernel releases for the whole process when any
descriptor of the file is closed. Reading a database's header before opening it (to refuse a
file that is not SQLite, untouched) did that to the app's own connection whenever a worker
opened its connection: another process closing its last connection then deleted the WAL under
the app, whose writes (its leases, its sessions) no other process saw again.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from callblock.store import Store


def wal_files_deleted_under(pid: int, db: Path) -> list[str]:
    names = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    return [name for name in names if name.startswith(str(db)) and "(deleted)" in name]


def test_a_second_connection_keeps_the_first_ones_wal_safe(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    Store.open(db, create=True).close()
    script = textwrap.dedent(
        f"""
        import sys, time
        from callblock.store import Store
        first = Store.open({str(db)!r})
        worker = Store.open({str(db)!r})  # a worker's own connection
        worker.close()
        with first.transaction():
            first.conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        print("ready", flush=True)
        sys.stdin.readline()  # another process reads and closes meanwhile
        with first.transaction():
            first.conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
        print("written", flush=True)
        sys.stdin.readline()
        """
    )
    app = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert app.stdout.readline().strip() == "ready"
        other = sqlite3.connect(db)
        assert other.execute("SELECT count(*) FROM meta WHERE key = 'a'").fetchone() == (1,)
        other.close()  # the last connection it knows of: it must not delete the WAL
        assert wal_files_deleted_under(app.pid, db) == []
        app.stdin.write("\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == "written"
        other = sqlite3.connect(db)
        try:  # what the app wrote after is seen by every other process
            assert other.execute("SELECT value FROM meta WHERE key = 'b'").fetchone() == ("2",)
        finally:
            other.close()
    finally:
        app.stdin.write("\n")
        app.stdin.close()
        app.wait(timeout=10)
