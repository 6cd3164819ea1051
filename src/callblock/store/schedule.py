"""Cadence due times, the meta table, and the log's tallies."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from callblock.domain.models import Tier
from callblock.domain.ranges import WINDOW_END, WINDOW_START
from callblock.store.db import Connection, dialect_of, write_transaction
from callblock.store.filters import dialable_where
from callblock.store.migrations import OPEN
from callblock.store.queue import NO_OPEN_PROMISE


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """What the cadence needs to know of a lead to say when it is due."""

    lead_id: int
    status: str
    attempts: int
    created_at: str
    first_call_at: str | None  # the cadence's first step on any channel (a call or a task)
    last_touch_at: str | None
    zone: str  # '' when unknown: the team default applies
    steps_done: int = 0
    replied: bool = False  # a live reply: the sequence is over
    task_step: int | None = None  # the task stored now (a postponed one keeps its later time)
    task_due_at: str | None = None


@dataclass(frozen=True, slots=True)
class Scheduled:
    """What the cadence sets on a lead: the next call due (the queue reads it) or the next
    task due (the Tasks screen reads it); at most one of the two."""

    next_due_at: str | None
    task_due_at: str | None = None
    task_step: int | None = None
    task_channel: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedCalls:
    """`count` due calls alike: of one kind, due at one time, in one lead zone."""

    due_at: str
    kind: Tier  # promise or follow-up
    zone: str  # '' when unknown: the team default applies
    count: int


class MetaQueries:
    """The meta table (a mixin of AdminStore)."""

    conn: Connection

    # meta -----------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


class ScheduleQueries:
    conn: Connection

    # due times ------------------------------------------------------------------------------
    def schedule_rows(self, lead_ids: Iterable[int] | None = None) -> list[ScheduleRow]:
        first_task = (
            "(SELECT min(t.at) FROM touches t WHERE t.lead_id = leads.id AND t.step IS NOT NULL "
            "AND t.undone = 0 AND t.channel != 'call')"
        )
        replied = (
            "EXISTS (SELECT 1 FROM touches r WHERE r.lead_id = leads.id "
            "AND r.outcome = 'replied' AND r.undone = 0)"
        )
        least = "least" if dialect_of(self.conn) == "postgresql" else "min"
        sql = (
            "SELECT id, status, attempts, created_at, "
            f"coalesce({least}(first_call_at, {first_task}), first_call_at, {first_task}), "
            "last_touch_at, coalesce(timezone, phone_timezone, ''), steps_done, "
            f"{replied}, task_step, task_due_at FROM leads"
        )
        rows: list[sqlite3.Row] = []
        if lead_ids is None:
            rows = self.conn.execute(sql).fetchall()
        else:
            ids = list(lead_ids)
            for start in range(0, len(ids), 10_000):  # under SQLite's limit of bound values
                chunk = ids[start : start + 10_000]
                marks = ", ".join("?" * len(chunk))
                rows += self.conn.execute(f"{sql} WHERE id IN ({marks})", chunk).fetchall()
        return [
            ScheduleRow(
                lead_id=row[0],
                status=row[1],
                attempts=row[2],
                created_at=row[3],
                first_call_at=row[4],
                last_touch_at=row[5],
                zone=row[6],
                steps_done=row[7],
                replied=bool(row[8]),
                task_step=row[9],
                task_due_at=row[10],
            )
            for row in rows
        ]

    def set_due_times(self, due: Sequence[tuple[str | None, int]]) -> None:
        """(next_due_at, lead_id) pairs, inside the caller's transaction or one of their own."""
        with write_transaction(self.conn):
            self.conn.executemany("UPDATE leads SET next_due_at = ? WHERE id = ?", due)

    def set_schedules(self, due: Sequence[tuple[Scheduled, int]]) -> None:
        """What the cadence set on each lead, inside the caller's transaction or their own."""
        with write_transaction(self.conn):
            self.conn.executemany(
                "UPDATE leads SET next_due_at = ?, task_due_at = ?, task_step = ?, "
                "task_channel = ? WHERE id = ?",
                [
                    (s.next_due_at, s.task_due_at, s.task_step, s.task_channel, lead_id)
                    for s, lead_id in due
                ],
            )

    # planning and learning ------------------------------------------------------------------
    def planned_promises(self, rep: str, start: str, end: str) -> list[PlannedCalls]:
        """The rep's open callbacks and meetings due in [start, end), counted by time and zone."""
        rows = self.conn.execute(
            "SELECT c.due_at, coalesce(l.timezone, l.phone_timezone, ''), count(*) "
            "FROM callbacks c JOIN leads l ON l.id = c.lead_id WHERE c.state = 'open' "
            "AND c.kind IN ('callback', 'meeting') AND c.rep = ? AND c.due_at >= ? "
            "AND c.due_at < ? GROUP BY 1, 2 ORDER BY 1, 2",
            (rep, start, end),
        )
        return [PlannedCalls(r[0], Tier.PROMISE, r[1], r[2]) for r in rows]

    def planned_follow_ups(self, rep: str, backlog_until: str, end: str) -> list[PlannedCalls]:
        """The follow-ups due before `end` the rep may make, counted by due time and zone; the
        backlog (due by `backlog_until`) counted as due at `backlog_until`."""
        rows = self.conn.execute(
            "SELECT CASE WHEN next_due_at <= ? THEN ? ELSE next_due_at END, "
            "coalesce(timezone, phone_timezone, ''), count(*) FROM leads "
            f"WHERE next_due_at < ? AND {OPEN} AND attempts > 0 "
            f"AND (owner IS NULL OR owner = ?) AND {NO_OPEN_PROMISE} GROUP BY 1, 2 ORDER BY 1, 2",
            (backlog_until, backlog_until, end, rep),
        )
        return [PlannedCalls(r[0], Tier.FOLLOW_UP, r[1], r[2]) for r in rows]

    def rep_dials(
        self,
        rep: str,
        start: str,
        end: str,
        contact_codes: Sequence[str],
        dial_codes: Sequence[str],
    ) -> tuple[int, int]:
        """The rep's dials and contacts in [start, end), undone left out."""
        contacts = ", ".join("?" * len(contact_codes))
        dials = ", ".join("?" * len(dial_codes))
        row = self.conn.execute(
            # a comparison is a boolean on PostgreSQL, which sum() does not take: count a CASE
            f"SELECT count(*), count(CASE WHEN outcome IN ({contacts}) THEN 1 END) FROM touches "
            "WHERE undone = 0 AND channel = 'call' AND at >= ? AND at < ? AND rep = ? "
            f"AND outcome IN ({dials})",
            (*contact_codes, start, end, rep, *dial_codes),
        ).fetchone()
        return row[0], row[1]

    def dial_tallies(self) -> list[tuple[str, str, int, int]]:
        """Dials and contacts per (lead zone, UTC hour) over the whole log, undone and times
        outside the window excluded: (zone, 'YYYY-MM-DDTHH', dials, contacts). Read from the
        per-slot aggregate the triggers keep (store/dial_slots.py), not the touches."""
        rows = self.conn.execute(
            "SELECT zone, substr(slot, 1, 13), sum(dials), sum(contacts) FROM dial_slots "
            "WHERE slot >= ? AND slot < ? GROUP BY 1, 2 HAVING sum(dials) > 0 ORDER BY 1, 2",
            (WINDOW_START[:16], WINDOW_END[:16]),
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def waiting_counts(self, rep: str, fresh_since: str, now: str) -> dict[str, int]:
        """What waits for the rep now: fresh inbound leads, open goodbye promises and the
        cadence's tasks due (its emails, LinkedIn notes and texts)."""
        inbound = self.conn.execute(
            "SELECT count(*) FROM leads WHERE attempts = 0 AND status = 'new' "
            f"AND {dialable_where()} AND created_at > ? AND created_at <= ? "
            "AND (owner IS NULL OR owner = ?)",
            (fresh_since, now, rep),
        ).fetchone()[0]
        goodbyes = self.conn.execute(
            "SELECT count(*) FROM callbacks WHERE state = 'open' AND kind = 'goodbye' "
            "AND rep = ? AND due_at <= ?",
            (rep, now),
        ).fetchone()[0]
        tasks = self.conn.execute(
            "SELECT count(*) FROM leads WHERE task_due_at IS NOT NULL AND task_due_at <= ? "
            f"AND {OPEN} AND merged_into IS NULL AND (owner IS NULL OR owner = ?)",
            (now, rep),
        ).fetchone()[0]
        return {"inbound": inbound, "goodbye": goodbyes, "tasks": tasks}
