"""PostgreSQL through psycopg 3, behind the small connection API the store uses for SQLite.

The store writes its statements once, with `?` placeholders, in the SQL both backends share;
this connection turns the placeholders into psycopg's, returns rows that read by index and by
name (as sqlite3.Row does), and turns the server's errors into one plain line that names the
server by host and port, never the password. Where the dialects differ the store asks
`conn.dialect` and sends each backend its own statement.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from callblock.store.db import DatabaseBusy, StoreError, StoreFault
from callblock.store.location import ServerUrl

CONNECT_TIMEOUT_S = 5
RECONNECT_TIMEOUT_S = 2
# How long a write waits for a row another transaction holds before giving up (as SQLite's
# busy timeout); the claim never waits at all (SKIP LOCKED).
LOCK_TIMEOUT_MS = 10_000

_SAFE_AGAIN = ("SELECT", "BEGIN", "SET LO", "SET TI")
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$\$.*?\$\$|\?|%", re.S)


@functools.lru_cache(maxsize=2048)
def placeholders(sql: str) -> str:
    """`?` -> `%s` and `%` -> `%%` outside quoted strings, names and $$ bodies."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return token

    return _TOKENS.sub(swap, sql)


@functools.lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    index = {name: position for position, name in enumerate(names)}

    class Row(tuple[Any, ...]):
        """A result row read by position or by column name, like sqlite3.Row."""

        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                key = index[key]
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def _row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    row_class = _row_class(tuple(column.name for column in description))
    return row_class


class PgCursor:
    """The part of sqlite3.Cursor the store reads: rows, `rowcount`."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def fetchmany(self, size: int = 1000) -> list[Any]:
        return self._cursor.fetchmany(size) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """One psycopg connection in autocommit mode: every write transaction is opened
    explicitly (`write_transaction`), as on SQLite."""

    dialect = "postgresql"

    def __init__(self, raw: Any, server: ServerUrl) -> None:
        self.raw = raw
        self.server = server
        self.unresolved_xid: int | None = None  # a COMMIT whose answer the link lost

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        status = self.raw.info.transaction_status
        return bool(status in (TransactionStatus.INTRANS, TransactionStatus.INERROR))

    def _reconnect_if_lost(self) -> None:
        """A connection the server or the link dropped is opened again before the next
        statement outside a transaction (inside one, the transaction is lost: its error
        stands and the caller's retry starts a new one)."""
        if self.raw.closed or self.raw.broken:
            # a short wait: the screen retrying must stay live (libpq's least is 2 s)
            self.raw = _open_raw(self.server, timeout=RECONNECT_TIMEOUT_S)

    def execute(self, sql: str, params: Sequence[Any] | None = ()) -> PgCursor:
        import psycopg

        outside = sql == "BEGIN" or not self.in_transaction
        if outside:
            self._reconnect_if_lost()
        try:
            return self._run(sql, params)
        except psycopg.OperationalError as error:
            # A link that died while idle shows only now. Outside a transaction, a statement
            # that changes nothing (the reads, BEGIN, SET) is sent once more on a new one.
            if not (outside and self.raw.broken and sql.lstrip()[:6].upper() in _SAFE_AGAIN):
                raise pg_fault(error, self.server) from None
        self._reconnect_if_lost()
        try:
            return self._run(sql, params)
        except psycopg.Error as error:
            raise pg_fault(error, self.server) from None

    def _run(self, sql: str, params: Sequence[Any] | None) -> PgCursor:
        import psycopg

        try:
            if params:
                return PgCursor(self.raw.execute(placeholders(sql), tuple(params)))
            # without parameters psycopg sends the text as it is (`%` included)
            return PgCursor(self.raw.execute(sql))
        except psycopg.OperationalError:
            raise
        except psycopg.Error as error:
            raise pg_fault(error, self.server) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        import psycopg

        cursor = self.raw.cursor()
        try:
            cursor.executemany(placeholders(sql), [tuple(row) for row in rows])
        except psycopg.Error as error:
            raise pg_fault(error, self.server) from None
        return PgCursor(cursor)

    def close(self) -> None:
        self.raw.close()

    @contextmanager
    def transaction_block(self) -> Iterator[None]:
        """BEGIN ... COMMIT, rolled back on any error; the server's errors as StoreFaults.

        A link that drops during COMMIT leaves it unknown whether the server committed: the
        transaction's id is asked about on a new connection (txid_status), at once or, if the
        server is still away, before the next transaction, so a retried write is never
        recorded twice (see SavedBeforeTheLinkDropped)."""
        import psycopg

        if self.unresolved_xid is not None:
            xid, self.unresolved_xid = self.unresolved_xid, None
            if self._committed(xid):
                raise SavedBeforeTheLinkDropped(
                    "it was saved just before the link to the server dropped (not recorded twice)"
                )
        self._reconnect_if_lost()
        try:
            cursor = self.raw.execute("BEGIN; SELECT txid_current()")
            cursor.nextset()
            xid = int(cursor.fetchone()[0])
        except psycopg.Error as error:
            raise pg_fault(error, self.server) from None
        try:
            yield
        except BaseException:
            if not self.raw.closed:
                with suppress(psycopg.Error):
                    self.raw.execute("ROLLBACK")
            raise
        try:
            self.raw.execute("COMMIT")
        except psycopg.Error as error:
            if not (self.raw.closed or self.raw.broken):
                raise pg_fault(error, self.server) from None
            self.unresolved_xid = xid  # asked about now, or before the next transaction
            unreachable = pg_fault(error, self.server)
            try:
                committed = self._committed(xid)
            except ServerUnreachable:
                raise unreachable from None
            self.unresolved_xid = None
            if not committed:
                raise unreachable from None

    def _committed(self, xid: int) -> bool:
        """Whether the server committed transaction `xid` (on a new connection if need be);
        ServerUnreachable while it cannot tell (the id is then kept, asked about next time)."""
        try:
            self._reconnect_if_lost()
            row = self.execute("SELECT txid_status(?)", (xid,)).fetchone()
        except ServerUnreachable:
            self.unresolved_xid = xid
            raise
        return bool(row and row[0] == "committed")

    @contextmanager
    def lock_timeout(self, milliseconds: int) -> Iterator[None]:
        self.execute(f"SET lock_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")


def connect_pg(server: ServerUrl) -> PgConnection:
    """Open a connection; a server that is down or refuses is one line naming host:port."""
    try:
        import psycopg  # noqa: F401
    except ImportError:  # pragma: no cover - psycopg is a dependency
        raise StoreError(
            "PostgreSQL support needs psycopg: pip install 'psycopg[binary]'"
        ) from None
    return PgConnection(_open_raw(server), server)


def _open_raw(server: ServerUrl, timeout: int | None = None) -> Any:
    import psycopg

    if timeout is None:
        timeout = int(os.environ.get("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_S))
    try:
        return psycopg.connect(
            server.url,
            autocommit=True,
            connect_timeout=timeout,
            row_factory=_row_factory,
            application_name="callblock",
            options=_options(server),
        )
    except psycopg.Error as error:
        raise pg_fault(error, server) from None


def _options(server: ServerUrl) -> str:
    """The server settings callblock's statements rely on, after the URL's own `options` (or
    PGOPTIONS'; a schema of its own: `-c search_path=floor`), which ours would replace."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        given = str(conninfo_to_dict(server.url).get("options") or "")
    except psycopg.Error:  # an unparsable URL: connecting says so in its own words
        given = ""
    given = given or os.environ.get("PGOPTIONS", "")
    # JIT compiles for ~13 ms before a report query; the queries here are short
    ours = f"-c lock_timeout={LOCK_TIMEOUT_MS} -c TimeZone=UTC -c jit=off"
    return f"{given} {ours}".strip()


class SavedBeforeTheLinkDropped(StoreFault):
    """A write retried after the link dropped during its COMMIT had in fact been committed:
    the retry must not write it again (the busy screen says so instead)."""


class ServerUnreachable(DatabaseBusy):
    """The server could not be reached (down, refusing, a broken link). Like a busy database
    it is worth retrying: a write waits on the busy screen, which says it is reconnecting."""


def pg_fault(error: BaseException, server: ServerUrl) -> StoreFault:
    """The server's error as one plain line naming host:port (never the URL's password)."""
    import psycopg
    from psycopg import errors

    where = f"the database at {server.address}"
    text = _first_line(str(error))
    if isinstance(error, errors.LockNotAvailable | errors.DeadlockDetected):
        return DatabaseBusy(
            f"{where} is busy: another session held the rows this needs for more than "
            f"{LOCK_TIMEOUT_MS / 1000:g} s; nothing was written, try again"
        )
    if isinstance(error, errors.InvalidPassword | errors.InvalidAuthorizationSpecification):
        return StoreFault(f"{where} refused the login ({_without_secrets(text, server)})")
    if isinstance(error, errors.InvalidCatalogName):
        return StoreFault(f"{where} has no database {server.database!r}")
    if isinstance(error, errors.DiskFull):
        return StoreFault(f"{where} is out of disk space; nothing was written")
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return StoreFault(f"{where} is read-only (a standby?); nothing was written")
    if isinstance(error, errors.InsufficientPrivilege):
        return StoreFault(f"{where} refused: {_without_secrets(text, server)}")
    lowered = str(error).lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return StoreFault(
            f"{where} refused the login: wrong or missing password for the URL's user "
            "(give it in the URL, PGPASSWORD or ~/.pgpass)"
        )
    if "does not exist" in lowered and "database" in lowered:
        return StoreFault(f"{where} has no database {server.database!r}")
    if "no pg_hba.conf entry" in lowered:
        return StoreFault(f"{where} refused the login (pg_hba.conf does not let this host in)")
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return ServerUnreachable(f"cannot reach {where}: {_reason(str(error))}")
    return StoreFault(f"database error on {where}: {_without_secrets(text, server)}")


def _reason(message: str) -> str:
    lowered = message.lower()
    for needle, reason in (
        ("connection refused", "connection refused"),
        ("timeout expired", "timed out"),
        ("timed out", "timed out"),
        ("could not translate host name", "unknown host"),
        ("name or service not known", "unknown host"),
        ("no route to host", "no route to host"),
        ("network is unreachable", "network is unreachable"),
        ("no such file or directory", "no server at that socket"),
        ("server closed the connection", "the server closed the connection"),
        ("terminating connection", "the server closed the connection"),
        ("connection is closed", "the connection was lost"),
        ("consuming input failed", "the connection was lost"),
        ("the database system is starting up", "the server is starting up"),
        ("the database system is shutting down", "the server is shutting down"),
    ):
        if needle in lowered:
            return reason
    return "the connection failed"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _without_secrets(text: str, server: ServerUrl) -> str:
    """The server's words, with the URL (which may hold a password) taken out."""
    return text.replace(server.url, str(server))[:200]
