"""The queue's statements keep their text as a block goes on: SQLite prepares each once and its
statement cache stays small. With one `?` per lead already served, every outcome made new
statements as long as the block (+3 MB of memory per 100 outcomes, prepared again each time)."""

from __future__ import annotations

from typing import Any

from callblock.config import Settings
from callblock.services.queue import next_leads_for_rep
from callblock.store import Store
from tests.conftest import NOW, LeadMaker


class Recording:
    """The queue's connection, noting each statement's text (as SQLite's cache keys it)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.texts: set[str] = set()

    def execute(self, sql: str, *args: Any) -> Any:
        self.texts.add(sql)
        return self.conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def statements(store: Store, settings: Settings, exclude: list[int]) -> set[str]:
    recording = Recording(store.conn)
    store.queue.conn = recording  # type: ignore[assignment]
    try:
        items = next_leads_for_rep(store, settings, rep="alice", now=NOW, exclude=exclude)
    finally:
        store.queue.conn = store.conn
    assert not {item.lead.id for item in items} & set(exclude)  # still left out
    return recording.texts


def test_the_queue_asks_the_same_statements_however_many_leads_were_served(
    store: Store, settings: Settings, make_lead: LeadMaker
) -> None:
    ids = [make_lead() for _ in range(60)]
    few = statements(store, settings, ids[:2])
    many = statements(store, settings, ids[:50])
    assert few == many
    assert len(statements(store, settings, ids[:59])) == len(few)
