"""Finding leads: the fuzzy search index (loaded once, lazily) and `callblock leads`."""

from __future__ import annotations

import threading

from callblock.domain.models import Lead
from callblock.domain.search import Hit, SearchIndex
from callblock.services import ServiceError
from callblock.store import Store


class LeadSearch:
    """The in-memory index over every lead, built on first use (call it from a worker: ~1 s
    for 100,000 leads) and rebuilt after `invalidate` (a lead added, edited or merged)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._index is not None

    def index(self) -> SearchIndex:
        with self._lock:
            if self._index is None:
                self._index = SearchIndex(list(self._store.leads.search_entries()))
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        return self.index().search(query, limit)

    def leads(self, hits: list[Hit], limit: int) -> list[Lead]:
        """The leads of `hits`, best first, read through the search's own connection."""
        return self._store.leads.list_leads(limit, [hit.lead_id for hit in hits])

    def close(self) -> None:
        self._store.close()


def list_leads(store: Store, *, search: str | None, limit: int) -> list[Lead]:
    """Leads by id, or with `search` the best matches first."""
    if limit < 1:
        raise ServiceError("limit: must be at least 1")
    if search is None:
        return store.leads.list_leads(limit)
    if not search.strip():
        raise ServiceError("search: must not be empty")
    hits = LeadSearch(store).search(search, limit)
    return store.leads.list_leads(limit, [hit.lead_id for hit in hits])
