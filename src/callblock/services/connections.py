"""Connections for background workers.

Every worker thread reads and writes through a connection of its own, never the screens' one: a
write from another thread could otherwise join a transaction it did not open (a lease claimed on
the screen while an import's transaction is open would vanish with the import's rollback), and
WAL lets a worker's reads run beside the screen's writes.
"""

from __future__ import annotations

from callblock.store import Store
from callblock.store.location import ServerUrl


def worker_store(store: Store) -> Store:
    """A new connection to the same database (the same file, or the same server's URL as
    given, credentials included); the worker closes it when done."""
    where = store.path
    return Store.open(where.url if isinstance(where, ServerUrl) else where)
