"""The schema's version and ownership: which version a file is at, whether callblock may touch
it, and bringing it to the version the code knows (the migrations are in migrations.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from callblock.store.db import StoreError, dialect_of, write_transaction
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


def schema_version(conn: Any) -> int:
    """The version the migrations reached; -1 when the table holds what they never write."""
    if dialect_of(conn) == "postgresql":
        has_table = conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = 'schema_version'"
        ).fetchone()
        kind_check = "version < 1"  # the column is an integer there
    else:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        kind_check = "typeof(version) != 'integer' OR version < 1"
    if not has_table:
        return 0
    row = conn.execute(
        f"SELECT max(version), count(*) FILTER (WHERE {kind_check}) FROM schema_version"
    ).fetchone()
    if row[1]:
        return -1
    return int(row[0] or 0)


def objects(conn: Any) -> list[tuple[str, str]]:
    """The tables, views and triggers in the database (its current schema, on a server)."""
    if dialect_of(conn) == "postgresql":
        rows = conn.execute(
            "SELECT 'table', c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
            "UNION ALL SELECT 'trigger', t.tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY 2"
        )
    else:
        rows = conn.execute(
            "SELECT type, name FROM sqlite_master "
            "WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    return [(row[0], row[1]) for row in rows]


def check_schema(conn: Any, path: Path | str) -> None:
    """Refuse a database newer than this code or holding anything callblock did not create.
    Reads only: it runs before the connection writes anything (even the switch to WAL)."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this callblock knows "
            f"({SCHEMA_VERSION}); upgrade callblock. The database was left untouched."
        )
    foreign = [name for kind, name in objects(conn) if (kind, name) not in OWN_OBJECTS]
    if foreign:
        raise StoreError(
            f"{path} holds tables that are not callblock's ({foreign[0]}, ...); "
            "refusing to touch it"
        )
    if version < 0:
        raise StoreError(f"{path} holds a schema_version callblock did not write; left untouched")


def migrate(conn: Any, path: Path | str) -> None:
    """Bring the database to SCHEMA_VERSION, one migration per transaction."""
    check_schema(conn, path)
    version = schema_version(conn)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with write_transaction(conn):
            if number == 1:
                conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            MIGRATIONS[number - 1](conn)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
