"""`migrate-db`: copy a SQLite database to an empty PostgreSQL one, all or nothing.

The target is migrated and filled in ONE transaction: the rows go in with COPY (one statement
per table, so a lead merged into a later one passes its foreign key check), the tables the
triggers keep (dial slots, call numbers, lead places) are copied as they are with the
triggers off for the copy, the identity counters continue after the highest id, and every
table is counted on both sides before COMMIT: any difference rolls all of it back.

The source is only read (opened `mode=ro`, never switched to WAL): a damaged one is refused
before anything is sent, and one at an older schema is brought up to date in a private copy.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from callblock.domain.text import clean_line
from callblock.store.db import (
    BUSY_TIMEOUT_MS,
    StoreError,
    StoreFault,
    _refuse_unusable_file,
    fault,
    write_transaction,
)
from callblock.store.location import ServerUrl
from callblock.store.migrations import SCHEMA_VERSION
from callblock.store.pg import PgConnection, connect_pg, pg_fault

# Parents before children (foreign keys); schema_version is the migrations' own.
TABLES = (
    "leads",
    "sessions",
    "touches",
    "callbacks",
    "audit",
    "meta",
    "leases",
    "lead_places",
    "reps",
    "rep_keys",
    "team_settings",
    "dial_slots",
    "templates",
    "template_variants",
)
# Tables whose rows the triggers on these tables would write again while copying.
TRIGGERED = ("leads", "touches")
IDENTITY = ("leads", "sessions", "touches", "callbacks", "audit", "rep_keys")


@dataclass(frozen=True)
class Copied:
    table: str
    source_rows: int
    target_rows: int


def copy_database(
    source: Path,
    target: ServerUrl,
    *,
    progress: Callable[[str, int], None] | None = None,
    fill: Callable[[Any], None] | None = None,
) -> list[Copied]:
    """Copy `source` (a callblock SQLite database, only read) into `target`;
    `fill` runs last inside the transaction (the floor admin's name)."""
    from callblock.store import schema
    from callblock.store.server import refuse_non_empty
    from callblock.store.store import Store

    with _source_reader(source) as reader:
        conn = connect_pg(target)
        try:
            refuse_non_empty(conn, "`migrate-db`")
            reader.execute("BEGIN")  # one snapshot of the source for every table
            with write_transaction(conn):
                schema.migrate(conn, str(target))
                counts = _copy_tables(reader, conn, progress, source)
                if fill is not None:
                    fill(Store(conn, target))
                differ = [c for c in counts if c.source_rows != c.target_rows]
                if differ:
                    first = differ[0]
                    raise StoreFault(
                        f"{first.table}: {first.source_rows} rows in {source} but "
                        f"{first.target_rows} on the server; nothing was copied"
                    )
            reader.execute("ROLLBACK")
            return counts
        finally:
            conn.close()


@contextmanager
def _source_reader(source: Path, named: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A read-only connection to `source` at the current schema, or (an older file) to a
    migrated private copy of it: the file itself is never written. Messages name `named`."""
    from callblock.store import health, schema
    from callblock.store.store import Store

    named = named or source
    reader = _open_source(source)
    try:
        try:
            schema.check_schema(reader, named)  # a foreign or newer file: refused
            problems = health.quick_check(reader)
            if problems != ["ok"]:
                raise StoreFault(
                    f"{named} is damaged ({problems[0][:80]}); run `callblock doctor` and "
                    "restore it from a backup; nothing was copied"
                )
            if schema.schema_version(reader) == SCHEMA_VERSION:
                yield reader
                return
            with tempfile.TemporaryDirectory(prefix="callblock-migrate-") as folder:
                copy = Path(folder) / "source.db"
                with sqlite3.connect(copy) as private:
                    reader.backup(private)
                private.close()
                Store.open(copy).close()  # brings the copy (not the file) up to date
                with _source_reader(copy, named) as migrated:
                    yield migrated
        except sqlite3.Error as error:
            raise fault(error, named) from None
    finally:
        reader.close()


def _open_source(source: Path) -> sqlite3.Connection:
    """`source` opened without writing it: not switched to WAL, `query_only`; a WAL file's
    `-shm` and empty `-wal` go as they came when we close (the last reader removes them); a
    file or folder we cannot write is read as `doctor` reads it."""
    from callblock.store import health

    _refuse_unusable_file(source, create=False)  # missing, empty, not SQLite: refused
    conn = None
    try:
        conn = sqlite3.connect(
            f"file:{quote(str(source.resolve()))}?mode=rw", uri=True, isolation_level=None
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error:
        if conn is not None:
            conn.close()
        return health.open_read_only(source)
    return conn


def _copy_tables(
    reader: sqlite3.Connection,
    conn: PgConnection,
    progress: Callable[[str, int], None] | None,
    source: Path,
) -> list[Copied]:
    for table in TRIGGERED:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    counts = []
    for table in TABLES:
        columns = _shared_columns(reader, conn, table)
        names = ", ".join(columns)
        target = _Target(table, columns, source)
        _refuse_unfit(reader, target)
        rows = reader.execute(f"SELECT {names} FROM {table}")
        _copy_rows(conn, target, rows, progress)
        source_rows = reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        target_rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        counts.append(Copied(table, int(source_rows), int(target_rows)))
    for table in TRIGGERED:
        conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    for table in IDENTITY:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
    return counts


@dataclass(frozen=True)
class _Target:
    """One table being copied, for messages that name the file, table, row and column."""

    table: str
    columns: list[str]
    source: Path

    def refused(self, row_id: object, column: str, why: str) -> StoreFault:
        where = f"id {row_id}" if "id" in self.columns else f"row {row_id}"
        return StoreFault(
            f"{self.source}: {self.table} {where}, column {column}: {clean_line(why, 160)}; "
            "correct it in the file, then copy again; nothing was copied"
        )


def _refuse_unfit(reader: sqlite3.Connection, target: _Target) -> None:
    """Refuse the first value PostgreSQL's text cannot hold, before any row is sent: bytes
    (SQLite keeps them in any column) or a NUL character. One scan in SQLite per table (a check
    of each value in Python added ~8 s to a copy of 1M touches)."""
    # a table without ids (some have no rowid either): the row's place, counted from 1
    key = "id" if "id" in target.columns else "place"
    source = (
        target.table
        if key == "id"
        else (f"(SELECT row_number() OVER () AS place, * FROM {target.table})")
    )
    tests = [
        (
            f"typeof({column}) = 'blob' OR (typeof({column}) = 'text' "
            f"AND instr(CAST({column} AS BLOB), x'00') > 0)",
            column,
        )
        for column in target.columns
    ]
    which = " ".join(f"WHEN {test} THEN '{column}'" for test, column in tests)
    blobs = " ".join(f"WHEN {test} THEN typeof({column}) = 'blob'" for test, column in tests)
    row = reader.execute(
        f"SELECT {key}, CASE {which} END, CASE {blobs} END FROM {source} "
        f"WHERE {' OR '.join(f'({test})' for test, _ in tests)} LIMIT 1"
    ).fetchone()
    if row is None:
        return
    row_id, column, blob = row
    why = "bytes, not text" if blob else "a NUL character, which PostgreSQL text cannot hold"
    raise target.refused(row_id, column, why)


def _copy_rows(
    conn: PgConnection,
    target: _Target,
    rows: Any,
    progress: Callable[[str, int], None] | None,
) -> None:
    """COPY the rows in (_refuse_unfit has checked them); a value the server refuses (words in a
    number column) is named from the server's COPY context (its line is the row's place)."""
    import psycopg

    columns = target.columns
    key = columns.index("id") if "id" in columns else None
    ids: list[object] = []  # the id of each row sent, for the server's line numbers
    done = 0
    try:
        with conn.raw.cursor().copy(
            f"COPY {target.table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                done += 1
                ids.append(row[key] if key is not None else done)
                copy.write_row(tuple(row))
                if progress is not None and done % 50_000 == 0:
                    progress(target.table, done)
    except psycopg.Error as error:
        context = re.search(r"line (\d+), column (\w+)", error.diag.context or "")
        if context is not None and error.diag.message_primary:
            line, column = int(context.group(1)), context.group(2)
            row_id = ids[line - 1] if 0 < line <= len(ids) else line
            raise target.refused(row_id, column, error.diag.message_primary) from None
        raise pg_fault(error, conn.server) from None


def _shared_columns(reader: sqlite3.Connection, conn: PgConnection, table: str) -> list[str]:
    source = [row[1] for row in reader.execute(f"PRAGMA table_info({table})")]
    target = {
        row[0]
        for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
    }
    missing = [column for column in source if column not in target]
    if missing:
        raise StoreError(f"{table}.{missing[0]} has no column on the server; nothing was copied")
    return source
