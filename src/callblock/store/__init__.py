"""The storage layer: every SQL statement of callblock lives in this package."""

from callblock.store.db import StoreError
from callblock.store.store import Store

__all__ = ["Store", "StoreError"]
