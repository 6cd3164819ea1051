"""Connections, transactions and schema versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """A database that cannot be used; the message says why and what to do."""


def connect(path: Path) -> sqlite3.Connection:
    """Open `path` in WAL mode; refuse files that are not SQLite databases."""
    if path.exists() and path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: every write transaction is opened explicitly with BEGIN IMMEDIATE.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StoreError(
            f"{path} is not a usable SQLite database ({error}); left untouched"
        ) from None
    if mode.lower() != "wal":
        conn.close()
        raise StoreError(f"{path}: cannot switch the database to WAL mode (got {mode})")
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One short write transaction, begun IMMEDIATE so concurrent writers queue, never fail."""
    if conn.in_transaction:  # nested: part of the enclosing transaction
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
