"""A session's commits never checkpoint the WAL: a thread does, off the key's path
(store/checkpoints.py). Once every ~75 outcomes a key used to wait 15-60 ms for it."""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from callblock.store import Store
from callblock.store.db import _OPEN_FILES, _file_key
from tests.pty_terminal import PtyApp, demo_database

PAGE = 4096
PAGES_PER_WRITE = 100  # each scratch transaction: 100 rows of ~one page each


def wal_index(db: Path) -> tuple[int, int]:
    """(frames in the WAL, frames copied into the database) from the wal-index header, read
    without taking any lock (https://sqlite.org/walformat.html: mxFrame at byte 16 of the
    header, nBackfill at byte 96 after its two copies; native byte order)."""
    data = Path(f"{db}-shm").read_bytes()[:100]
    (max_frame,) = struct.unpack_from("=I", data, 16)
    (backfilled,) = struct.unpack_from("=I", data, 96)
    return max_frame, backfilled


def write_pages(store: Store, transactions: int) -> None:
    store.conn.execute("CREATE TABLE IF NOT EXISTS scratch (b BLOB)")
    for _ in range(transactions):
        with store.transaction():
            store.conn.executemany(
                "INSERT INTO scratch VALUES (?)", [(b"x" * (PAGE - 200),)] * PAGES_PER_WRITE
            )


def wal_pages(db: Path) -> int:
    return Path(f"{db}-wal").stat().st_size // PAGE


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "s.db", create=True)
    try:
        yield opened
    finally:
        opened.close()


def test_without_it_a_commit_checkpoints_past_a_thousand_pages(store: Store) -> None:
    """The behaviour being replaced, so the next test means something: SQLite's default."""
    write_pages(store, 30)  # ~3,000 pages
    assert wal_pages(store.path) < 1_300


def test_a_sessions_commits_leave_the_wal_to_the_thread(store: Store) -> None:
    store.checkpoint_in_background(every=3600)  # the thread never gets to run here
    write_pages(store, 30)
    assert wal_pages(store.path) > 2_900  # no commit checkpointed
    frames, backfilled = wal_index(store.path)
    assert frames > 2_900 and backfilled == 0


def test_the_thread_checkpoints_what_the_session_wrote(store: Store) -> None:
    store.checkpoint_in_background(every=0.05)
    write_pages(store, 5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        frames, backfilled = wal_index(store.path)
        if frames >= 500 and backfilled == frames:
            break
        time.sleep(0.05)
    assert frames >= 500 and backfilled == frames
    assert store._checkpoints is not None and not store._checkpoints.failed


def test_closing_the_store_ends_the_thread_and_its_connection(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db", create=True)
    store.checkpoint_in_background(every=0.05)
    checkpoints = store._checkpoints
    assert checkpoints is not None and checkpoints.running
    key = _file_key(store.path)
    deadline = time.monotonic() + 10
    while checkpoints.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _OPEN_FILES[key] == 2  # the session's connection and the thread's
    store.close()
    assert not checkpoints.running
    assert key not in _OPEN_FILES


def test_stopping_the_thread_gives_the_commits_their_checkpoints_back(store: Store) -> None:
    store.checkpoint_in_background(every=3600)
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    store.stop_checkpoints()
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_the_app_checkpoints_in_the_background(tmp_path: Path) -> None:
    """The installed command on a terminal: three outcomes (a few dozen pages, far under the
    1,000 that would make a commit checkpoint) are in the database file within seconds."""
    db = demo_database(tmp_path / "team.db")
    app = PtyApp(db)
    try:
        app.settle()
        for _ in range(3):
            app.write(b"n")
            app.settle(quiet=0.3)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            frames, backfilled = wal_index(db)
            if frames and backfilled == frames:
                break
            time.sleep(0.1)
        assert frames > 0 and backfilled == frames, (frames, backfilled)
    finally:
        app.close()


def test_a_thread_that_cannot_checkpoint_ends_quietly(
    store: Store, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """No traceback from a thread over the rep's screen: the session's own connection is
    what reports a database fault."""
    import callblock.store.checkpoints as checkpoints_module
    from callblock.store.db import StoreFault

    def refused(path: Path) -> None:
        raise StoreFault(f"cannot open {path}")

    monkeypatch.setattr(checkpoints_module, "connect", refused)
    store.checkpoint_in_background(every=0.01)
    checkpoints = store._checkpoints
    assert checkpoints is not None
    deadline = time.monotonic() + 10
    while checkpoints.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert checkpoints.failed and not checkpoints.running
    assert capfd.readouterr().err == ""
    write_pages(store, 1)  # the session goes on writing
