"""The touches aggregate: each touch on a lead, the promises (callbacks, meetings, goodbyes)
touches make and close, and the audit trail."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from callblock.domain.models import Callback, Touch
from callblock.domain.ranges import stored_in_window
from callblock.store.aggregate import Aggregate
from callblock.store.convert import callback_from_row, touch_from_row
from callblock.store.db import dialect_of, insert_returning_id
from callblock.store.filters import DNC_LIFTED
from callblock.store.pg_migrations import AUDIT_LEAD_ID


class TouchStore(Aggregate):
    # touches -------------------------------------------------------------------------------
    def insert_touch(
        self,
        *,
        lead_id: int,
        rep: str,
        at: str,
        channel: str,
        outcome: str,
        note: str,
        session_id: int | None,
        lead_before: dict[str, Any],
        outside_window: bool = False,
        template: str | None = None,
        variant: str | None = None,
        message_id: str | None = None,
        step: int | None = None,
    ) -> int:
        """`step`: the cadence step (1-based) a task touch completes; None for a dial (every
        dial advances the cadence) and for a touch that completes nothing."""
        return insert_returning_id(
            self.conn,
            "INSERT INTO touches (lead_id, rep, at, channel, outcome, note, session_id, undone, "
            "lead_before, outside_window, template, variant, message_id, step) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
            (
                lead_id,
                rep,
                at,
                channel,
                outcome,
                note,
                session_id,
                json.dumps(lead_before),
                int(outside_window),
                template,
                variant,
                message_id,
                step,
            ),
        )

    def get_touch(self, touch_id: int) -> Touch | None:
        row = self._one("SELECT * FROM touches WHERE id = ?", (touch_id,))
        return touch_from_row(row) if row else None

    def touch_lead_before(self, touch_id: int) -> dict[str, Any]:
        row = self._one("SELECT lead_before FROM touches WHERE id = ?", (touch_id,))
        return json.loads(row[0]) if row and row[0] else {}

    def touches_for_lead(self, lead_id: int) -> list[Touch]:
        rows = self.conn.execute(
            "SELECT * FROM touches WHERE lead_id = ? AND undone = 0 ORDER BY at DESC, id DESC",
            (lead_id,),
        )
        return [touch_from_row(row) for row in rows]

    def last_live_touch(self, session_id: int) -> Touch | None:
        row = self._one(
            "SELECT * FROM touches WHERE session_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1",
            (session_id,),
        )
        return touch_from_row(row) if row else None

    def mark_touch_undone(self, touch_id: int) -> None:
        self.conn.execute("UPDATE touches SET undone = 1 WHERE id = ?", (touch_id,))

    def set_touch_note(self, touch_id: int, note: str) -> None:
        with self.transaction():
            self.conn.execute("UPDATE touches SET note = ? WHERE id = ?", (note, touch_id))

    def session_outcomes(self, session_id: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT outcome FROM touches WHERE session_id = ? AND undone = 0", (session_id,)
        )
        return [row[0] for row in rows]

    # callbacks and appointments ------------------------------------------------------------
    def insert_callback(
        self, *, lead_id: int, rep: str, due_at: str, kind: str, created_by_touch: int | None
    ) -> int:
        return insert_returning_id(
            self.conn,
            "INSERT INTO callbacks (lead_id, rep, due_at, kind, state, created_by_touch) "
            "VALUES (?, ?, ?, ?, 'open', ?)",
            (lead_id, rep, due_at, kind, created_by_touch),
        )

    def close_promises(self, lead_id: int, touch_id: int, *, due_before: str | None) -> None:
        """Close the lead's open promises (all, or those due before a time) by a touch."""
        due = "AND due_at <= ?" if due_before else ""
        params = (touch_id, lead_id, due_before) if due_before else (touch_id, lead_id)
        self.conn.execute(
            "UPDATE callbacks SET state = 'closed', closed_by_touch = ? "
            f"WHERE lead_id = ? AND state = 'open' {due}",
            params,
        )

    def replace_promises(self, lead_id: int, touch_id: int, kinds: Sequence[str]) -> None:
        """The lead's open promises of `kinds` are replaced by the one `touch_id` sets (state
        'replaced'; undoing the touch opens them again)."""
        marks = ", ".join("?" for _ in kinds)
        self.conn.execute(
            "UPDATE callbacks SET state = 'replaced', closed_by_touch = ? "
            f"WHERE lead_id = ? AND state = 'open' AND kind IN ({marks})",
            (touch_id, lead_id, *kinds),
        )

    def revert_promises_of_touch(self, touch_id: int) -> None:
        """Undo a touch's effect on promises: drop those it created, reopen those it closed."""
        self.conn.execute(
            "UPDATE callbacks SET state = 'undone' WHERE created_by_touch = ?", (touch_id,)
        )
        self.conn.execute(
            "UPDATE callbacks SET state = 'open', closed_by_touch = NULL WHERE closed_by_touch = ?",
            (touch_id,),
        )

    def open_promises(self, lead_id: int) -> list[Callback]:
        rows = self.conn.execute(
            "SELECT * FROM callbacks WHERE lead_id = ? AND state = 'open' ORDER BY due_at",
            (lead_id,),
        )
        return [callback_from_row(row) for row in rows]

    # audit ------------------------------------------------------------------------------
    def add_audit(
        self, at: str, rep: str, action: str, touch_id: int | None, detail: dict[str, Any]
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, rep, action, touch_id, detail) VALUES (?, ?, ?, ?, ?)",
            (at, rep, action, touch_id, json.dumps(detail)),
        )

    def dnc_lifts(self, lead_id: int) -> list[dict[str, Any]]:
        """The audit entries taking the lead off do-not-call, oldest first (an index read: the
        power hour shows them with each lead)."""
        param: int | str
        if dialect_of(self.conn) == "postgresql":  # the index's expression: the id as text
            lead, param = AUDIT_LEAD_ID, str(lead_id)
        else:
            lead, param = "json_extract(detail, '$.lead_id')", lead_id
        rows = self.conn.execute(
            f"SELECT at, rep, action, touch_id, detail FROM audit WHERE {DNC_LIFTED} "
            f"AND {lead} = ? ORDER BY id",
            (param,),
        )
        # a time another tool wrote unreadable is left out (as the lead lists do), not a crash
        return [
            dict(row) | {"detail": json.loads(row["detail"] or "{}")}
            for row in rows
            if stored_in_window(row["at"])
        ]

    def audit_entries(self, action: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT at, rep, action, touch_id, detail FROM audit"
        rows = (
            self.conn.execute(sql + " WHERE action = ? ORDER BY id", (action,))
            if action
            else (self.conn.execute(sql + " ORDER BY id"))
        )
        return [dict(row) | {"detail": json.loads(row["detail"] or "{}")} for row in rows]
