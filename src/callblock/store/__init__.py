"""The storage layer: every SQL statement of callblock lives in this package."""

from callblock.store.db import DatabaseBusy, StoreError, StoreFault, database_fault, fault
from callblock.store.store import Store

__all__ = [
    "DatabaseBusy",
    "Store",
    "StoreError",
    "StoreFault",
    "database_fault",
    "fault",
]
