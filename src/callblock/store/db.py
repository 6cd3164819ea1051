"""Connections, transactions and the plain words for database faults.

Opening never writes before it has checked: the file's header, the schema version and foreign
tables are read first; only then is the database switched to WAL (which rewrites its header).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

BUSY_TIMEOUT_MS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"


class Cursor(Protocol):
    """What the store reads from a statement's result on either backend."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """sqlite3.Connection or store/pg.py's PgConnection: the part the aggregates use."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Any, /) -> Cursor: ...

    def close(self) -> None: ...


class StoreError(Exception):
    """A database that cannot be used; the message says why and what to do."""


class StoreFault(StoreError):
    """SQLite failed under a command (busy, full, read-only, damaged); the message is one line."""


class DatabaseBusy(StoreFault):
    """Another connection held the write lock longer than the busy timeout."""


def connect(
    path: Path,
    *,
    create: bool = False,
    check: Callable[[sqlite3.Connection, Path], None] | None = None,
) -> sqlite3.Connection:
    """Open `path` in WAL mode; refuse (untouched) anything that is not a usable database.

    `create` allows an existing empty file to become a database (demo); `check` runs on the
    open connection before anything is written (the schema version and foreign tables).
    """
    if _file_key(path) not in _OPEN_FILES:  # see _OPEN_FILES: never read an open file raw
        _refuse_unusable_file(path, create=create)
    # Autocommit mode: every write transaction is opened explicitly with BEGIN IMMEDIATE.
    try:
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as error:
        raise fault(error, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if check is not None:
            check(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise fault(error, path) from None
    except BaseException:
        conn.close()
        raise
    if mode.lower() != "wal":
        conn.close()
        raise StoreFault(f"{path} is read-only here (cannot switch it to WAL mode); left untouched")
    key = _file_key(path)
    with _OPEN_LOCK:
        _OPEN_FILES[key] = _OPEN_FILES.get(key, 0) + 1
    _KEYS[id(conn)] = key
    return conn


def disconnect(conn: sqlite3.Connection) -> None:
    """Close a connection `connect` opened."""
    key = _KEYS.pop(id(conn), None)
    conn.close()
    with _OPEN_LOCK:
        if key in _OPEN_FILES:
            _OPEN_FILES[key] -= 1
            if _OPEN_FILES[key] <= 0:
                del _OPEN_FILES[key]


# Database files this process has a connection to. SQLite's locks are POSIX record locks, which
# the kernel drops for the whole process as soon as ANY descriptor of the file is closed: reading
# the header of a file another connection of this process has open (a worker opening its own
# connection) would silently drop that connection's locks, and another process closing its last
# connection would then delete the WAL under it. Such a file was checked when first opened.
_OPEN_FILES: dict[tuple[int, int] | None, int] = {}
_KEYS: dict[int, tuple[int, int] | None] = {}
_OPEN_LOCK = threading.Lock()


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _refuse_unusable_file(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if not path.parent.is_dir():
        raise StoreError(f"{path}: the folder {path.parent} does not exist")
    if not path.exists():
        return
    if not path.is_file():
        raise StoreError(f"{path} is not a regular file; refusing to use it as a database")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise StoreError(f"{path}: cannot read it ({error.strerror})") from None
    if not header:
        if create:
            return
        raise StoreError(
            f"{path} is an empty file, not a callblock database; left untouched "
            "(`callblock demo --db PATH` makes one)"
        )
    if header != SQLITE_MAGIC:
        raise StoreError(f"{path} is not a SQLite database; left untouched")


def fault(error: sqlite3.Error, path: Path | str) -> StoreFault:
    """SQLite's error as one plain line naming the file and what to do."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return DatabaseBusy(
            f"the database {path} is busy: another process has held its write lock for more "
            f"than {BUSY_TIMEOUT_MS / 1000:g} s (an import or a merge?); nothing was written, "
            "try again"
        )
    if name.startswith("SQLITE_FULL") or "is full" in text:
        return StoreFault(f"the disk holding {path} is full; nothing was written")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StoreFault(f"{path} is read-only here (the file or its folder); nothing was written")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return StoreFault(
            f"{path} is damaged ({text}); run `callblock doctor` and restore it from a backup"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StoreFault(f"cannot open {path} (its folder is missing or not writable)")
    if name.startswith("SQLITE_IOERR") or "disk I/O" in text:
        return StoreFault(f"the disk failed reading or writing {path} ({text})")
    return StoreFault(f"database error on {path}: {text}")


def database_fault(error: BaseException, path: Path | str) -> str | None:
    """The plain line for a database fault, or None when `error` is something else."""
    if isinstance(error, StoreFault):
        return str(error)
    if isinstance(error, sqlite3.Error):
        return str(fault(error, path))
    return None


def insert_returning_id(conn: Any, sql: str, params: Any = ()) -> int:
    """Run an INSERT and return the new row's id (RETURNING: both backends take it; the
    server has no lastrowid). All rows are read so SQLite finishes the statement."""
    rows = conn.execute(f"{sql} RETURNING id", tuple(params)).fetchall()
    return int(rows[0][0]) if rows else 0


def dialect_of(conn: Any) -> str:
    """'sqlite' or 'postgresql': which statement a connection needs where the two differ."""
    return str(getattr(conn, "dialect", "sqlite"))


@contextmanager
def write_transaction(conn: Any) -> Iterator[Any]:
    """One short write transaction, begun IMMEDIATE so concurrent writers queue, never fail.
    SQLite's errors leave as a StoreFault (DatabaseBusy when the lock was not had in time).
    On PostgreSQL a plain BEGIN: rows are locked as they are written, a claim skips a lead
    another transaction holds (sessions.py)."""
    if conn.in_transaction:  # nested: part of the enclosing transaction
        yield conn
        return
    if dialect_of(conn) == "postgresql":
        with conn.transaction_block():
            yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise fault(error, database_path(conn)) from None
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as error:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        if isinstance(error, sqlite3.Error):
            raise fault(error, database_path(conn)) from None
        raise


def database_path(conn: sqlite3.Connection) -> str:
    """The file behind a connection (for messages; only read on the error path)."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return "the database"
    return str(row[2]) if row and row[2] else "the database"


@contextmanager
def busy_timeout(conn: sqlite3.Connection, milliseconds: int) -> Iterator[None]:
    """A different busy timeout for the duration (a screen retrying without freezing)."""
    conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
