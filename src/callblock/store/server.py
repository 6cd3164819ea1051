"""Opening a PostgreSQL database: connect, refuse a newer or foreign schema untouched, migrate."""

from __future__ import annotations

from callblock.store import schema
from callblock.store.location import ServerUrl
from callblock.store.pg import PgConnection, connect_pg


def open_server(url: str) -> PgConnection:
    """A migrated connection to the database `url` names (one plain line when it cannot be)."""
    server = ServerUrl.parse(url)
    conn = connect_pg(server)
    try:
        schema.migrate(conn, str(server))
    except BaseException:
        conn.close()
        raise
    return conn
