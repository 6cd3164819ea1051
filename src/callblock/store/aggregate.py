"""What every aggregate of the store shares: the facade it belongs to, its connection and its
transactions (one write transaction for the whole store, whichever aggregate opens it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from callblock.store.db import Connection

if TYPE_CHECKING:
    from callblock.store.store import Store


class Aggregate:
    """One aggregate's queries over the facade's connection. A method that needs another
    aggregate calls it through `self.store.<aggregate>`; none inherits another's methods."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn: Connection = store.conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The facade's write transaction (nested ones join the caller's)."""
        with self.store.transaction():
            yield

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, tuple(params)).fetchone()
