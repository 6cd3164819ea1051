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

from callblock.store.db import connect, disconnect

CHECKPOINT_SECONDS = 2.0  # how often the thread looks; a checkpoint with nothing new is free


class BackgroundCheckpoints:
    """A thread checkpointing `path`'s WAL every `every` seconds until `stop`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, every: float = CHECKPOINT_SECONDS):
        self._every = every
        self._stopping = threading.Event()
        # Opened here, not in the thread: a file that cannot be opened fails the caller now.
        self._own = connect(path)
        # (busy, pages in the WAL, pages checkpointed) of the last checkpoint; -1 before one
        self.last: tuple[int, int, int] = (0, -1, -1)
        self.runs = 0
        self.failed = False
        conn.execute("PRAGMA wal_autocheckpoint = 0")  # a commit no longer checkpoints
        self._conn = conn
        self._thread = threading.Thread(target=self._run, name="callblock-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self._every):
                self.checkpoint()
        except sqlite3.Error:
            # The session's own connection reports a fault where a rep acts; a thread's
            # traceback would only scramble the screen. The WAL is checkpointed at close.
            self.failed = True
        finally:
            disconnect(self._own)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint now (the thread's; tests call it to skip the wait)."""
        row = self._own.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.last = (int(row[0]), int(row[1]), int(row[2]))
        self.runs += 1
        return self.last

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
