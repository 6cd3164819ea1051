"""SQL for the cadence's tasks: the email, LinkedIn and SMS steps due (a mixin of QueueStore)."""

from __future__ import annotations

from callblock.domain.models import Lead, Touch
from callblock.domain.ranges import stored_in_window
from callblock.store.convert import LEAD_COLUMNS, lead_from_row, touch_from_row
from callblock.store.db import Connection, write_transaction
from callblock.store.migrations import OPEN


class TaskQueries:
    conn: Connection

    def due_task_leads(self, rep: str, now: str, limit: int) -> list[Lead]:
        """Open leads with a task due by `now` that `rep` may do (theirs or the team's pool),
        the longest waiting first (read through the partial index on task_due_at)."""
        rows = self.conn.execute(
            f"SELECT {LEAD_COLUMNS} FROM leads WHERE task_due_at IS NOT NULL "
            f"AND task_due_at <= ? AND {OPEN} AND merged_into IS NULL "
            "AND (owner IS NULL OR owner = ?) ORDER BY task_due_at, id LIMIT ?",
            (now, rep, limit),
        ).fetchall()
        # a time another tool wrote unreadable is left out, as the queue does
        return [lead_from_row(row) for row in rows if stored_in_window(row["task_due_at"])]

    def set_task_due(self, lead_id: int, due_at: str) -> bool:
        """Move the lead's task to `due_at` (postponed); False when it has no task."""
        with write_transaction(self.conn):
            cursor = self.conn.execute(
                "UPDATE leads SET task_due_at = ? WHERE id = ? AND task_step IS NOT NULL",
                (due_at, lead_id),
            )
        return cursor.rowcount > 0

    def last_sent_touch(self, lead_id: int, channel: str | None = None) -> Touch | None:
        """The lead's latest live touch that sent a message (on `channel`, when given)."""
        sql = "SELECT * FROM touches WHERE lead_id = ? AND undone = 0 AND outcome = 'sent'"
        params: tuple[object, ...] = (lead_id,)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        row = self.conn.execute(sql + " ORDER BY at DESC, id DESC LIMIT 1", params).fetchone()
        return touch_from_row(row) if row else None
