"""`callblock doctor`'s queries: integrity, stored times outside the window, orphaned rows.

Opened read-only (`mode=ro`): the checks never migrate, repair or checkpoint anything. A damaged
file answers what it can; a table that cannot be read is one finding of its own. A WAL file in a
folder we cannot write (no `-shm` can be made there) is opened `immutable=1` when no `-wal` holds
changes, since then nobody is writing it; with changes in a `-wal` it cannot be read faithfully
without writing, and doctor says so instead of calling the file damaged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from callblock.domain.ranges import WINDOW, WINDOW_END, WINDOW_START, stored_in_window
from callblock.store.db import BUSY_TIMEOUT_MS, StoreError

# (table, time columns) the app reads as times
TIME_COLUMNS = {
    "leads": ("created_at", "last_touch_at", "first_call_at", "next_due_at"),
    "touches": ("at",),
    "callbacks": ("due_at",),
    "sessions": ("started_at", "ended_at"),
    "leases": ("expires_at",),
}
KEY = {"leases": "lead_id"}  # the row's id column where it is not `id`
# The storage form exactly (2026-11-23T19:05:00+00:00); anything else is looked at in Python.
STORED_FORM = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]+00:00"
QUICK_CHECK_LINES = 20
SQLITE_READONLY, SQLITE_CANTOPEN = 8, 14  # primary result codes (the low byte)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one row: `table` row `id`, its `column` holding `value`."""

    table: str
    id: int | None
    column: str
    value: str
    problem: str


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write `path` (refused when it does not exist)."""
    if not path.is_file():
        raise StoreError(f"{path}: no such database file")
    conn = _connect(path, "mode=ro")
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # the first read opens the file
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorcode & 0xFF not in (SQLITE_READONLY, SQLITE_CANTOPEN):
            return conn  # damaged, not a database...: quick_check tells
        conn.close()
        # A WAL reader needs a -shm it can write; a folder that cannot hold one is fine only
        # when there is nothing in a -wal (no writer, nothing unsaved): read the file as is.
        pending = [sidecar for sidecar in _sidecars(path) if _size(sidecar)]
        if pending:
            raise StoreError(
                f"{path}: cannot be checked read-only here: {pending[0].name} holds changes "
                "not yet in the file and this folder cannot hold the -shm a reader needs; "
                "run doctor as a user who can write the folder"
            ) from None
        conn = _connect(path, "mode=ro&immutable=1")
    return conn


def _connect(path: Path, options: str) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?{options}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as error:
        raise StoreError(f"{path}: cannot open it read-only ({error})") from None
    return conn


def _sidecars(path: Path) -> list[Path]:
    resolved = path.resolve()
    return [resolved.with_name(resolved.name + suffix) for suffix in ("-wal", "-journal")]


def _size(path: Path) -> int:
    """The file's size; 0 when there is none, -1 when it cannot be told (taken as non-empty)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
    except OSError:
        return -1


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """`PRAGMA quick_check`: ['ok'], or what is wrong (the first lines)."""
    try:
        rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_LINES})").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [str(row[0]) for row in rows]


def tables(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """callblock's tables present in the file, with their columns."""
    found: dict[str, set[str]] = {}
    for table in TIME_COLUMNS:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if columns:
            found[table] = columns
    return found


def meta_value(conn: sqlite3.Connection, key: str) -> object:
    """The `meta` row's value as stored (any type), None when absent or unreadable."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.DatabaseError:  # no meta table (not callblock's), or a damaged page
        return None
    return row[0] if row else None


def bad_times(conn: sqlite3.Connection, present: dict[str, set[str]]) -> Iterator[Finding]:
    """Stored times that do not parse or lie outside the window, table by table."""
    for table, columns in TIME_COLUMNS.items():
        key = KEY.get(table, "id")
        for column in columns:
            if column not in present.get(table, ()):
                continue
            # SQL keeps the values in the storage form, in the window, on a real calendar day;
            # the rest (few) are judged by the same function the app's edge uses.
            sql = (
                f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL AND NOT "
                f"(typeof({column}) = 'text' AND {column} GLOB ? AND {column} >= ? "
                f"AND {column} < ? AND date(substr({column}, 1, 10)) IS substr({column}, 1, 10))"
                f" ORDER BY {key}"
            )
            try:
                rows = conn.execute(sql, (STORED_FORM, WINDOW_START, WINDOW_END)).fetchall()
            except sqlite3.DatabaseError as error:
                yield Finding(table, None, column, "", f"cannot be read ({error})")
                continue
            for row_id, value in rows:
                if stored_in_window(value):
                    continue
                problem = f"is outside {WINDOW}" if _parses(value) else "is not a time"
                yield Finding(table, row_id, column, str(value), problem)


# Lead columns whose SQLite type the app relies on (text columns may also be NULL).
LEAD_TYPES = {
    "name": "text",
    "company": "text",
    "title": "text",
    "email": "text",
    "phone": "text",
    "status": "text",
    "temperature": "text",
    "attempts": "integer",
    "region": "text",
    "record_region": "text",
}
KNOWN = {
    "status": ("new", "working", "nurture", "qualified", "disqualified", "do-not-call"),
    "temperature": ("hot", "warm", "cold"),
}


def bad_values(conn: sqlite3.Connection, present: dict[str, set[str]]) -> Iterator[Finding]:
    """Lead values of the wrong type (bytes or a number where text belongs) or unknown words."""
    columns = present.get("leads", set())
    for column, kind in LEAD_TYPES.items():
        if column not in columns:
            continue
        allowed = ", ".join(f"'{word}'" for word in KNOWN.get(column, ()))
        known = f" OR {column} NOT IN ({allowed})" if allowed else ""
        sql = (
            f"SELECT id, {column} FROM leads WHERE {column} IS NOT NULL "
            f"AND (typeof({column}) != '{kind}'{known}) ORDER BY id"
        )
        try:
            rows = conn.execute(sql).fetchall()
        except sqlite3.DatabaseError as error:
            yield Finding("leads", None, column, "", f"cannot be read ({error})")
            continue
        for row_id, value in rows:
            shown = value.hex() if isinstance(value, bytes) else str(value)
            yield Finding("leads", row_id, column, shown, f"is not {kind} callblock can read")


JSON_SHAPES = {
    "links": "array",
    "other_phones": "array",
    "other_emails": "array",
    "fit": "object",
    "extra": "object",
}


def bad_json(conn: sqlite3.Connection, present: dict[str, set[str]]) -> Iterator[Finding]:
    """Lead JSON cells that do not parse or have the wrong shape; zones that do not exist."""
    from callblock.domain.calling import zone_info

    columns = present.get("leads", set())
    for column, shape in JSON_SHAPES.items():
        if column not in columns:
            continue
        # CASE: json_each only runs on valid JSON; a list holds texts only
        texts_only = (
            f"WHEN EXISTS (SELECT 1 FROM json_each(leads.{column}) WHERE type != 'text') THEN 1"
            if shape == "array"
            else ""
        )
        sql = (
            f"SELECT id, {column} FROM leads WHERE {column} IS NOT NULL AND {column} != '' "
            f"AND CASE WHEN NOT json_valid({column}) THEN 1 "
            f"WHEN json_type({column}) != '{shape}' THEN 1 {texts_only} ELSE 0 END ORDER BY id"
        )
        for row_id, value in conn.execute(sql):
            shown = "a list of texts" if shape == "array" else "a JSON object"
            yield Finding("leads", row_id, column, str(value)[:60], f"is not {shown}")
    for column in ("timezone", "phone_timezone"):
        if column not in columns:
            continue
        zones = conn.execute(
            f"SELECT DISTINCT {column} FROM leads WHERE {column} IS NOT NULL AND {column} != ''"
        ).fetchall()
        for (zone,) in zones:
            try:
                zone_info(str(zone))
            except ValueError:
                sql = f"SELECT id FROM leads WHERE {column} = ? ORDER BY id"
                for (row_id,) in conn.execute(sql, (zone,)):
                    yield Finding("leads", row_id, column, str(zone)[:60], "is not a time zone")


def orphans(conn: sqlite3.Connection, present: dict[str, set[str]]) -> Iterator[Finding]:
    """Touches, callbacks and leases of a missing lead; merges into a missing lead."""
    if "leads" not in present:
        return
    checks: list[tuple[str, str, str]] = [
        (table, KEY.get(table, "id"), "lead_id")
        for table in ("touches", "callbacks", "leases")
        if table in present
    ]
    if "merged_into" in present["leads"]:
        checks.append(("leads", "id", "merged_into"))
    for table, key, column in checks:
        sql = (
            f"SELECT t.{key}, t.{column} FROM {table} t WHERE t.{column} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = t.{column}) ORDER BY t.{key}"
        )
        try:
            rows = conn.execute(sql).fetchall()
        except sqlite3.DatabaseError as error:
            yield Finding(table, None, column, "", f"cannot be read ({error})")
            continue
        for row_id, lead_id in rows:
            yield Finding(table, row_id, column, str(lead_id), "no such lead")


def _parses(value: object) -> bool:
    from datetime import datetime

    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
