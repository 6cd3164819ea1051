"""The leads aggregate: a lead's row, its state and counters, and (lead_admin.py) imports,
edits, merges and lead lists."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from callblock.domain.models import Lead
from callblock.store.aggregate import Aggregate
from callblock.store.bulk import SQLITE_UTILS_BATCH, batches, insert_records
from callblock.store.convert import LEAD_COLUMNS, lead_from_row, lead_row, lead_row_sane
from callblock.store.db import dialect_of, insert_returning_id
from callblock.store.lead_admin import LeadAdmin


class LeadStore(Aggregate, LeadAdmin):
    def insert_lead(self, record: dict[str, Any]) -> int:
        names, row = lead_row(record)
        columns = ", ".join(names)
        marks = ", ".join("?" for _ in names)
        with self.transaction():
            return insert_returning_id(
                self.conn, f"INSERT INTO leads ({columns}) VALUES ({marks})", row
            )

    def insert_many(self, table: str, records: Iterable[dict[str, Any]]) -> None:
        """Bulk insert (demo data, imports) inside the caller's transaction."""
        if table == "leads":
            records = (dict(zip(*lead_row(record), strict=True)) for record in records)
        if dialect_of(self.conn) == "postgresql":
            insert_records(self.conn, table, records)  # COPY in batches (store/bulk.py)
            return
        import sqlite_utils  # lazy: only bulk writers pay for the import

        assert isinstance(self.conn, sqlite3.Connection)
        sqlite_utils.Database(self.conn).table(table).insert_all(
            records, batch_size=SQLITE_UTILS_BATCH
        )

    def get_lead(self, lead_id: int) -> Lead | None:
        row = self._one(f"SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?", (lead_id,))
        return lead_from_row(row) if row else None

    def leads_by_ids(self, lead_ids: Iterable[int]) -> list[Lead]:
        """The leads with these ids, less those with a time outside the window. In chunks:
        a review may ask for 100,000 (SQLite binds at most 32,766 values, PostgreSQL 65,535)."""
        ids = list(dict.fromkeys(lead_ids))
        leads: list[Lead] = []
        for batch in batches(ids, 10_000):
            marks = ", ".join("?" for _ in batch)
            rows = self.conn.execute(
                f"SELECT {LEAD_COLUMNS} FROM leads WHERE id IN ({marks})", batch
            )
            leads += [lead_from_row(row) for row in rows if lead_row_sane(row)]
        return leads

    def set_lead_state(self, lead_id: int, status: str, bad_number: bool) -> None:
        self.conn.execute(
            "UPDATE leads SET status = ?, bad_number = ? WHERE id = ?",
            (status, int(bad_number), lead_id),
        )

    def refresh_lead_counters(self, lead_id: int) -> None:
        """Recount attempts, cadence steps done (every dial, and each task completed) and the
        last touch from the touches that still count."""
        self.conn.execute(
            "UPDATE leads SET "
            "attempts = (SELECT count(*) FROM touches "
            "  WHERE lead_id = leads.id AND undone = 0 AND channel = 'call'), "
            "steps_done = (SELECT count(*) FROM touches WHERE lead_id = leads.id AND undone = 0 "
            "  AND (channel = 'call' OR step IS NOT NULL)), "
            "first_call_at = (SELECT min(at) FROM touches "
            "  WHERE lead_id = leads.id AND undone = 0 AND channel = 'call'), "
            "last_touch_at = (SELECT max(at) FROM touches WHERE lead_id = leads.id AND undone = 0) "
            "WHERE id = ?",
            (lead_id,),
        )

    def set_notes(self, lead_id: int, notes: str) -> None:
        with self.transaction():
            self.conn.execute("UPDATE leads SET notes = ? WHERE id = ?", (notes, lead_id))
