"""The Store: the facade over every SQL statement callblock runs. It owns the connection and
its transactions and gives one object per aggregate; each returns domain objects, never rows.

    store.leads      LeadStore      a lead's row, counters, imports, edits, merges, lead lists
    store.queue      QueueStore     the queue's candidates, due times, plans, tasks due
    store.touches    TouchStore     touches, promises (callbacks, meetings, goodbyes), audit
    store.sessions   SessionStore   power-hour sessions and leases
    store.reports    ReportStore    reports, logs, exports, dial slots, call numbers
    store.admin      AdminStore     reps and keys, team settings, meta, counts, health
    store.templates  TemplateStore  templates and each lead's variant
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callblock.store import schema
from callblock.store.admin import AdminStore
from callblock.store.aggregates import QueueStore, ReportStore, SessionStore, TemplateStore
from callblock.store.checkpoints import CHECKPOINT_SECONDS, BackgroundCheckpoints
from callblock.store.db import (
    Connection,
    DatabaseBusy,
    busy_timeout,
    connect,
    dialect_of,
    disconnect,
    fault,
    write_transaction,
)
from callblock.store.leads import LeadStore
from callblock.store.location import ServerUrl, is_server_url
from callblock.store.pg import PgConnection
from callblock.store.touches import TouchStore


class Store:
    def __init__(self, conn: Connection, path: Path | ServerUrl) -> None:
        self.conn = conn
        self.path = path
        if isinstance(conn, sqlite3.Connection):
            conn.row_factory = sqlite3.Row
        self.leads = LeadStore(self)
        self.queue = QueueStore(self)
        self.touches = TouchStore(self)
        self.sessions = SessionStore(self)
        self.reports = ReportStore(self)
        self.admin = AdminStore(self)
        self.templates = TemplateStore(self)
        self._checkpoints: BackgroundCheckpoints | None = None

    @classmethod
    def open(cls, path: Path | str | ServerUrl, *, create: bool = False) -> Store:
        """Open (or create) the database; `create` lets an existing empty file become one.
        A `postgresql://` URL opens that server's database instead (store/server.py)."""
        if isinstance(path, ServerUrl) or is_server_url(path):
            from callblock.store.server import open_server

            server_conn = open_server(path.url if isinstance(path, ServerUrl) else str(path))
            return cls(server_conn, server_conn.server)
        path = Path(path)
        conn = connect(path, create=create, check=schema.check_schema)
        try:
            schema.migrate(conn, path)
        except sqlite3.Error as error:
            disconnect(conn)
            raise fault(error, path) from None
        except BaseException:
            disconnect(conn)
            raise
        return cls(conn, path)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return dialect_of(self.conn)

    def checkpoint_in_background(self, every: float = CHECKPOINT_SECONDS) -> None:
        """For a session (the app): checkpoint the WAL from a thread, not inside the commit a
        key waits for (store/checkpoints.py). The server checkpoints on its own."""
        if isinstance(self.conn, sqlite3.Connection) and self._checkpoints is None:
            assert isinstance(self.path, Path)
            self._checkpoints = BackgroundCheckpoints(self.conn, self.path, every=every)

    def stop_checkpoints(self) -> None:
        """Back to SQLite's own: a commit past 1,000 pages checkpoints."""
        if self._checkpoints is not None:
            self._checkpoints.stop()
            self._checkpoints = None

    def close(self) -> None:
        self.stop_checkpoints()
        if isinstance(self.conn, sqlite3.Connection):
            disconnect(self.conn)
        else:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with write_transaction(self.conn):
            yield

    def writable_now(self, wait_ms: int = 500) -> bool:
        """Whether a write could start now (another process may hold the lock for long)."""
        try:
            with self.patience(wait_ms), self.transaction():
                pass
        except DatabaseBusy:
            return False
        return True

    @contextmanager
    def patience(self, milliseconds: int) -> Iterator[None]:
        """Wait at most this long for another writer (a screen retrying must not freeze)."""
        if isinstance(self.conn, sqlite3.Connection):
            with busy_timeout(self.conn, milliseconds):
                yield
            return
        assert isinstance(self.conn, PgConnection)
        with self.conn.lock_timeout(milliseconds):
            yield

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """A large page cache for the duration (a 100,000-row import inserts into several
        indexes at random places: 40% faster with the pages kept in memory). The server
        keeps its own cache."""
        if not isinstance(self.conn, sqlite3.Connection):
            yield
            return
        previous = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size = -100000")  # KiB: 100 MB
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(previous)}")
