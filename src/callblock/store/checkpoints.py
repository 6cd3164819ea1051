"""Checkpointing the WAL in a background thread, off the commit that a key waits for.

SQLite checkpoints by default inside the commit that takes the WAL past 1,000 pages: once every
~75 outcomes the rep's key then waited 15-60 ms for pages copied and synced to the database
file. A session (the app) turns that off on its own connection and checkpoints from a thread
with a connection of its own, PASSIVE (never waiting on a reader or a writer). Commands that
end soon keep SQLite's default, and the last connection to close checkpoints the rest.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from pathlib import Path

from callblock.store.db import StoreError, connect, disconnect

CHECKPOINT_SECONDS = 2.0  # how often the thread looks; one with nothing new to copy: ~6 µs


class BackgroundCheckpoints:
    """A thread checkpointing `path`'s WAL every `every` seconds until `stop`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, every: float = CHECKPOINT_SECONDS):
        self._every = every
        self._path = path
        self._stopping = threading.Event()
        self._own: sqlite3.Connection | None = None  # opened by the thread: not at launch
        self.runs = 0  # checkpoints made
        self.failed = False
        conn.execute("PRAGMA wal_autocheckpoint = 0")  # a commit no longer checkpoints
        self._conn = conn
        self._thread = threading.Thread(target=self._run, name="callblock-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self._every):
                self._checkpoint()
        except (sqlite3.Error, StoreError):
            # The session's own connection reports a fault where a rep acts; a thread's
            # traceback would only scramble the screen. The WAL is checkpointed at close.
            self.failed = True
        finally:
            if self._own is not None:
                disconnect(self._own)

    def _checkpoint(self) -> None:
        if self._own is None:
            self._own = connect(self._path)
        self._own.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.runs += 1

    def stop(self) -> None:
        """End the thread and close its connection; the session's commits checkpoint again."""
        self._stopping.set()
        self._thread.join()
        self._restore_default()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _restore_default(self) -> None:
        with suppress(sqlite3.Error):  # closed, or failing: nothing of ours to put back
            self._conn.execute("PRAGMA wal_autocheckpoint = 1000")
