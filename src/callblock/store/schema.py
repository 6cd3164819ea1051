"""The schema's version and ownership: which version a file is at, whether callblock may touch
it, and bringing it to the version the code knows (the migrations are in migrations.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from callblock.store.db import StoreError, write_transaction
from callblock.store.migrations import MIGRATIONS, SCHEMA_VERSION

# Every table and trigger the migrations above create (a test keeps this list in step). A file
# holding anything else is someone else's database and is refused untouched.
OWN_OBJECTS = frozenset(
    {
        ("table", "audit"),
        ("table", "callbacks"),
        ("table", "dial_slots"),
        ("table", "lead_places"),
        ("table", "leads"),
        ("table", "leases"),
        ("table", "meta"),
        ("table", "rep_keys"),
        ("table", "reps"),
        ("table", "schema_version"),
        ("table", "sessions"),
        ("table", "team_settings"),
        ("table", "template_variants"),
        ("table", "templates"),
        ("table", "touches"),
        ("trigger", "leads_place_insert"),
        ("trigger", "leads_place_update"),
        ("trigger", "call_numbers_append"),
        ("trigger", "call_numbers_delete"),
        ("trigger", "call_numbers_insert"),
        ("trigger", "call_numbers_update"),
        ("trigger", "dial_slots_lead_zone"),
        ("trigger", "dial_slots_touch_delete"),
        ("trigger", "dial_slots_touch_insert"),
        ("trigger", "dial_slots_touch_update"),
    }
)


def schema_version(conn: sqlite3.Connection) -> int:
    """The version the migrations reached; -1 when the table holds what they never write."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has_table:
        return 0
    row = conn.execute(
        "SELECT max(version), count(*) FILTER (WHERE typeof(version) != 'integer' OR version < 1) "
        "FROM schema_version"
    ).fetchone()
    if row[1]:
        return -1
    return int(row[0] or 0)


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a database newer than this code or holding anything callblock did not create.
    Reads only: it runs before the connection writes anything (even the switch to WAL)."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this callblock knows "
            f"({SCHEMA_VERSION}); upgrade callblock. The database was left untouched."
        )
    foreign = [
        name
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master "
            "WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        if (kind, name) not in OWN_OBJECTS
    ]
    if foreign:
        raise StoreError(
            f"{path} holds tables that are not callblock's ({foreign[0]}, ...); "
            "refusing to touch it"
        )
    if version < 0:
        raise StoreError(f"{path} holds a schema_version callblock did not write; left untouched")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the database to SCHEMA_VERSION, one migration per transaction."""
    check_schema(conn, path)
    version = schema_version(conn)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with write_transaction(conn):
            if number == 1:
                conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            MIGRATIONS[number - 1](conn)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
