"""SQL for imports, duplicates, merges, lead lists and lead edits (a mixin of LeadStore)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from callblock.domain.entries import SearchEntry
from callblock.domain.models import Lead
from callblock.store.bulk import batches, copy_rows, new_ids
from callblock.store.convert import LEAD_COLUMNS, WRITTEN_COLUMNS, lead_from_row, lead_row
from callblock.store.db import Connection, dialect_of
from callblock.store.migrations import LEAD_REGION, LEAD_ZONE, PLACE_TRIGGER

# Columns an import writes (the rest take their defaults), and those an edit or a merge may
# change: from the converter's one list of the lead's fields.
IMPORT_COLUMNS = tuple(c for c in WRITTEN_COLUMNS if c != "bad_number")
INSERT_COLUMNS = (*IMPORT_COLUMNS, "fit_score")  # a row insert_leads takes already encoded
EDITABLE = frozenset(WRITTEN_COLUMNS) - {"created_at"}
NOT_MERGED = "merged_into IS NULL"


class LeadAdmin:
    conn: Connection

    def search_entries(self) -> Iterator[SearchEntry]:
        """Every lead that was not merged away: what search and dedupe match on."""
        rows = self.conn.execute(
            f"SELECT id, name, company, email, phone FROM leads WHERE {NOT_MERGED} ORDER BY id"
        )
        for row in rows:
            if not all(isinstance(value, str | None) for value in row[1:]):
                continue  # a value another tool wrote as a number or bytes: doctor lists it
            yield SearchEntry(row[0], row[1], row[2] or "", row[3] or "", row[4] or "")

    def insert_leads(
        self, records: Iterable[dict[str, Any] | tuple[Any, ...]], *, bulk: bool = False
    ) -> list[int]:
        """Insert imported leads inside the caller's transaction; returns their ids, in the
        records' order. A record is a dict of domain values, or a tuple of INSERT_COLUMNS
        already encoded (`lead_row`). On SQLite (BEGIN IMMEDIATE) no other writer can run
        meanwhile, so the new rows take the ids after the largest one, in order, and one
        executemany does them all; `bulk` (thousands of rows) records their places once at
        the end instead of row by row. A server has other writers: each batch draws its ids
        from the sequence first and is COPYed with them (store/bulk.py)."""
        assert self.conn.in_transaction, "insert_leads runs inside the caller's transaction"
        columns = INSERT_COLUMNS
        if dialect_of(self.conn) == "postgresql":
            return self._copy_leads(records, columns)
        marks = ", ".join("?" for _ in columns)
        before = self.conn.execute("SELECT coalesce(max(id), 0) FROM leads").fetchone()[0]
        rows = (_encoded(record) for record in records)
        with self._places_at_the_end(before) if bulk else nullcontext():
            self.conn.executemany(
                f"INSERT INTO leads ({', '.join(columns)}) VALUES ({marks})", rows
            )
        ids = [
            row[0]
            for row in self.conn.execute("SELECT id FROM leads WHERE id > ? ORDER BY id", (before,))
        ]
        return ids

    @contextmanager
    def _places_at_the_end(self, before: int) -> Iterator[None]:
        """The insert trigger of lead_places set aside while leads after id `before` are
        inserted, and their places recorded in one statement after (the trigger cost over a
        quarter of a 100,000-lead insert). Inside the caller's transaction: a rollback restores
        it."""
        trigger = self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (PLACE_TRIGGER,)
        ).fetchone()
        if trigger is None:
            yield
            return
        self.conn.execute(f"DROP TRIGGER {PLACE_TRIGGER}")
        yield
        self.conn.execute(
            "INSERT OR IGNORE INTO lead_places (zone, region) "
            f"SELECT DISTINCT {LEAD_ZONE}, {LEAD_REGION} FROM leads WHERE id > ?",
            (before,),
        )
        self.conn.execute(trigger[0])

    def _copy_leads(
        self, records: Iterable[dict[str, Any] | tuple[Any, ...]], columns: Sequence[str]
    ) -> list[int]:
        ids: list[int] = []
        for batch in batches(records):
            batch_ids = new_ids(self.conn, "leads", len(batch))
            rows = (
                (lead_id, *_encoded(record))
                for lead_id, record in zip(batch_ids, batch, strict=True)
            )
            copy_rows(self.conn, "leads", ("id", *columns), rows)
            ids += batch_ids
        return ids

    def update_lead_fields(self, lead_id: int, values: dict[str, Any]) -> None:
        unknown = set(values) - EDITABLE
        if unknown:
            raise ValueError(f"not an editable lead column: {sorted(unknown)}")
        if not values:
            return
        columns, row = lead_row(values)
        assignments = ", ".join(f"{column} = ?" for column in columns)
        self.conn.execute(f"UPDATE leads SET {assignments} WHERE id = ?", (*row, lead_id))

    def lead_extra(self, lead_id: int) -> dict[str, str]:
        row = self.conn.execute("SELECT extra FROM leads WHERE id = ?", (lead_id,)).fetchone()
        return json.loads(row[0] or "{}") if row else {}

    def merged_into(self, lead_id: int) -> int | None:
        row = self.conn.execute("SELECT merged_into FROM leads WHERE id = ?", (lead_id,)).fetchone()
        return row[0] if row else None

    def list_leads(self, limit: int, lead_ids: Sequence[int] | None = None) -> list[Lead]:
        """Leads not merged away: by id, or those of `lead_ids` in that order."""
        if lead_ids is None:
            rows = self.conn.execute(
                f"SELECT {LEAD_COLUMNS} FROM leads WHERE {NOT_MERGED} ORDER BY id LIMIT ?",
                (limit,),
            )
            return [lead_from_row(row) for row in rows]
        ids = list(lead_ids)[:limit]
        if not ids:  # no hits (PostgreSQL refuses `IN ()`)
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self.conn.execute(
            f"SELECT {LEAD_COLUMNS} FROM leads WHERE id IN ({marks}) AND {NOT_MERGED}", ids
        )
        by_id = {row["id"]: lead_from_row(row) for row in rows}
        return [by_id[lead_id] for lead_id in ids if lead_id in by_id]

    def move_lead_records(self, from_lead: int, to_lead: int) -> dict[str, int]:
        """Move touches and callbacks of one lead to another (a merge); returns the counts."""
        touches = self.conn.execute(
            "UPDATE touches SET lead_id = ? WHERE lead_id = ?", (to_lead, from_lead)
        ).rowcount
        callbacks = self.conn.execute(
            "UPDATE callbacks SET lead_id = ? WHERE lead_id = ?", (to_lead, from_lead)
        ).rowcount
        return {"touches": touches, "callbacks": callbacks}

    def mark_merged(self, lead_id: int, into: int) -> None:
        """The merged lead stays (for the record) but closed: never queued, never searched."""
        self.conn.execute(
            "UPDATE leads SET merged_into = ?, status = 'disqualified' WHERE id = ?",
            (into, lead_id),
        )


def _encoded(record: dict[str, Any] | tuple[Any, ...]) -> tuple[Any, ...]:
    return record if isinstance(record, tuple) else lead_row(record, INSERT_COLUMNS)[1]
