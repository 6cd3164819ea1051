"""Bulk writes on PostgreSQL (demo data, imports): COPY in batches, inside the caller's
transaction, so 100,000 rows are all written or none. SQLite's bulk writes stay where they are
(sqlite-utils in leads.py, one executemany in lead_admin.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, time
from itertools import islice
from typing import Any

BATCH = 5000
SQLITE_UTILS_BATCH = 2000  # insert_many's batches on SQLite: the same rows get the same columns


def batches(records: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    items = iter(records)
    while batch := list(islice(items, size)):
        yield batch


def copy_rows(conn: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY the rows into `table` (the code's own table and column names, never outside text)."""
    import psycopg

    from callblock.store.pg import pg_fault

    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    try:
        with conn.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise pg_fault(error, conn.server) from None


def new_ids(conn: Any, table: str, count: int) -> list[int]:
    """`count` ids from the table's identity sequence, ascending: the ids the rows take, in
    order. Each is this transaction's alone (a concurrent writer draws others), so no id is
    guessed from max(id) as on SQLite, where the writer holds the only write lock."""
    rows = conn.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, ?)",
        (count,),
    ).fetchall()
    return sorted(int(row[0]) for row in rows)


def insert_records(conn: Any, table: str, records: Iterable[dict[str, Any]]) -> None:
    """Insert dict records as sqlite-utils' insert_all does on SQLite: per batch, the columns
    any record names (NULL where a record leaves one out), lists and dicts as JSON, flags as
    0/1. Rows given their own ids move the identity sequence past them (SQLite's next rowid
    follows the largest id by itself)."""
    explicit_ids = False
    for batch in batches(records, SQLITE_UTILS_BATCH):
        columns = list(dict.fromkeys(key for record in batch for key in record))
        explicit_ids = explicit_ids or "id" in columns
        copy_rows(conn, table, columns, ([_plain(r.get(c)) for c in columns] for r in batch))
    if explicit_ids:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def _plain(value: Any) -> Any:
    """A value as sqlite-utils would store it (the server's columns are typed)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=repr, ensure_ascii=False)
    if isinstance(value, date | time):  # datetime too: ISO text, as sqlite-utils writes it
        return value.isoformat()
    return value
