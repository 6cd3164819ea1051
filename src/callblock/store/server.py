"""Opening a PostgreSQL database: connect, refuse a newer or foreign schema untouched, migrate;
and setting one up from nothing in one transaction (`team init`, `migrate-db`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from callblock.store import schema
from callblock.store.db import StoreError, write_transaction
from callblock.store.location import ServerUrl
from callblock.store.pg import PgConnection, connect_pg

if TYPE_CHECKING:
    from callblock.store.store import Store


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


def refuse_non_empty(conn: PgConnection, what: str) -> None:
    """`team init` and `migrate-db` start from an empty database (one the DBA just created)."""
    objects = schema.objects(conn)
    if objects:
        raise StoreError(
            f"{conn.server} is not empty (it holds {objects[0][0]} {objects[0][1]}, ...); "
            f"{what} needs an empty database (createdb NAME makes one) and left it untouched"
        )


def set_up(server: ServerUrl, what: str, fill: Callable[[Store], None]) -> None:
    """Migrate an empty server database and `fill` it, all in ONE transaction: whatever fails,
    the database is left as empty as it was (PostgreSQL's DDL is transactional)."""
    from callblock.store.store import Store

    conn = connect_pg(server)
    try:
        refuse_non_empty(conn, what)
        with write_transaction(conn):
            schema.migrate(conn, str(server))
            fill(Store(conn, server))
    finally:
        conn.close()
