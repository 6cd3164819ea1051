"""The review's queries (report, log, heat map, cracks, exports), mixed into ReportStore.

Conditions on touches repeat LIVE_CALL word for word so SQLite can use the partial indexes of
the review migration; times are compared as stored UTC ISO-8601 text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from callblock.clock import parse_iso
from callblock.domain.models import Lead, Touch
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.ranges import stored_in_window
from callblock.store.convert import LEAD_COLUMNS, lead_from_row, lead_row_sane, touch_from_row
from callblock.store.db import Connection
from callblock.store.migrations import OPEN

if TYPE_CHECKING:
    from callblock.domain.figures import Call, LeadBaseline, PromiseRecord, SessionSpan
    from callblock.domain.logs import LogEntry, LogFilter

# The review's domain types are imported where they are built, not at start-up: every
# process opens the store, few of them review.
LIVE_CALL = "undone = 0 AND channel = 'call'"


def live_call(alias: str) -> str:
    """LIVE_CALL for a table alias."""
    return f"{alias}.undone = 0 AND {alias}.channel = 'call'"


DIAL_CODES = tuple(o.code for o in OUTCOMES if o.is_dial)
CONTACT_CODES = tuple(o.code for o in OUTCOMES if o.is_contact)
TOUCH_COLUMNS = (
    "id, lead_id, rep, at, channel, outcome, note, session_id, undone, outside_window, "
    "template, variant, message_id"
)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


class ReportQueries:
    conn: Connection

    # the per-rep report --------------------------------------------------------------------
    def touches_between(self, start: str, end: str) -> list[Touch]:
        """Every touch in [start, end), undone ones included (flagged), oldest first."""
        rows = self.conn.execute(
            f"SELECT {TOUCH_COLUMNS} FROM touches WHERE at >= ? AND at < ? ORDER BY at, id",
            (start, end),
        )
        return [touch_from_row(row) for row in rows]

    def live_calls_between(self, start: str, end: str) -> list[Call]:
        """The calls that count in [start, end), oldest first, read from a covering index."""
        from callblock.domain.figures import Call

        rows = self.conn.execute(
            f"SELECT id, lead_id, rep, at, outcome, session_id FROM touches WHERE {LIVE_CALL} "
            "AND at >= ? AND at < ? ORDER BY at, id",
            (start, end),
        )
        parse = datetime.fromisoformat  # stored times are UTC ISO-8601 with their offset
        return [Call(r[0], r[1], r[2], parse(r[3]), r[4], r[5]) for r in rows]

    def lead_baselines(self, lead_ids: Iterable[int], before: str) -> dict[int, LeadBaseline]:
        """Each lead's calls that count before `before`, and its arrival when it has none."""
        from callblock.domain.figures import LeadBaseline

        ids = sorted(set(lead_ids))
        prior: dict[int, int] = {}
        for chunk in _chunks(ids):
            prior.update(
                self.conn.execute(
                    f"SELECT lead_id, count(*) FROM touches WHERE lead_id IN ({_marks(chunk)}) "
                    f"AND {LIVE_CALL} AND at < ? GROUP BY lead_id",
                    (*chunk, before),
                ).fetchall()
            )
        arrived: dict[int, datetime] = {}
        for chunk in _chunks([lead_id for lead_id in ids if lead_id not in prior]):
            rows = self.conn.execute(
                f"SELECT id, created_at FROM leads WHERE id IN ({_marks(chunk)})", chunk
            )
            arrived.update((row[0], parse_iso(row[1])) for row in rows)
        return {
            lead_id: LeadBaseline(lead_id, arrived.get(lead_id), prior.get(lead_id, 0))
            for lead_id in ids
        }

    def promises_due_between(self, start: str, end: str) -> list[PromiseRecord]:
        """Promises due in [start, end) (withdrawn-by-undo ones left out), by due time."""
        rows = self.conn.execute(
            "SELECT c.id, c.lead_id, c.rep, c.kind, c.due_at, c.state, t.at FROM callbacks c "
            "LEFT JOIN touches t ON t.id = c.closed_by_touch "
            "WHERE c.due_at >= ? AND c.due_at < ? AND c.state != 'undone' ORDER BY c.due_at, c.id",
            (start, end),
        )
        return [_promise(row) for row in rows if _promise_sane(row)]

    def callbacks_before_reschedules(self, start: str, end: str) -> list[PromiseRecord]:
        """The callback promises (not undone) of the leads with a callback dial in [start, end),
        set before `end` and due from `start` on, with the time of the dial that set them."""
        rows = self.conn.execute(
            "SELECT c.id, c.lead_id, c.rep, c.kind, c.due_at, c.state, t.at, s.at, s.id "
            "FROM callbacks c JOIN touches s ON s.id = c.created_by_touch "
            "LEFT JOIN touches t ON t.id = c.closed_by_touch "
            "WHERE c.kind = 'callback' AND c.state != 'undone' AND c.due_at >= ? AND s.at < ? "
            f"AND c.lead_id IN (SELECT lead_id FROM touches WHERE {LIVE_CALL} "
            "  AND at >= ? AND at < ? AND outcome = 'callback') ORDER BY c.id",
            (start, end, start, end),
        )
        return [
            _promise(row, created=row[7], created_by=row[8])
            for row in rows
            if _promise_sane(row) and stored_in_window(row[7])
        ]

    def rep_has_record(self, rep: str) -> bool:
        """Whether `rep` is on the team or ever touched, held a session or owned a promise."""
        return any(
            self.conn.execute(f"SELECT 1 FROM {table} WHERE rep = ? LIMIT 1", (rep,)).fetchone()
            for table in ("sessions", "callbacks", "touches")
        ) or bool(self.conn.execute("SELECT 1 FROM reps WHERE name = ?", (rep,)).fetchone())

    def team_roster(self, start: str) -> list[str]:
        """The team's reps not removed before `start` (none on a single-user database)."""
        rows = self.conn.execute(
            "SELECT name FROM reps WHERE removed_at IS NULL OR removed_at >= ? ORDER BY name",
            (start,),
        )
        return [row[0] for row in rows]

    def open_promises_due_before(self, before: str, limit: int) -> tuple[list[PromiseRecord], int]:
        """Open promises due before `before`, oldest first (at most `limit`), and how many."""
        where = "FROM callbacks c WHERE c.state = 'open' AND c.due_at < ?"
        total = self.conn.execute(f"SELECT count(*) {where}", (before,)).fetchone()[0]
        rows = self.conn.execute(
            "SELECT c.id, c.lead_id, c.rep, c.kind, c.due_at, c.state, NULL "
            f"{where} ORDER BY c.due_at, c.id LIMIT ?",
            (before, limit),
        )
        return [_promise(row) for row in rows if _promise_sane(row)], total

    def sessions_overlapping(self, start: str, end: str) -> list[SessionSpan]:
        """Sessions that ran during [start, end); an unended session ends at its last dial."""
        from callblock.domain.figures import SessionSpan

        rows = self.conn.execute(
            "SELECT id, rep, block_name, started_at, ended FROM (SELECT s.*, coalesce(s.ended_at, "
            "  (SELECT max(t.at) FROM touches t WHERE t.session_id = s.id AND t.undone = 0), "
            "  s.started_at) AS ended FROM sessions s WHERE s.started_at < ?) AS spans "
            "WHERE ended >= ? ORDER BY started_at, id",
            (end, start),
        )
        return [
            SessionSpan(row[0], row[1], row[2], parse_iso(row[3]), parse_iso(row[4]))
            for row in rows
        ]

    # the log ------------------------------------------------------------------------------
    def log_entries(
        self, start: str, end: str, where: LogFilter, *, limit: int, offset: int
    ) -> tuple[list[LogEntry], int]:
        """A page of touches in [start, end) matching `where`, newest first, and how many."""
        from callblock.domain.logs import NO_BLOCK, LogEntry

        sql = "WHERE t.at >= ? AND t.at < ?"
        params: list[Any] = [start, end]
        if where.rep is not None:
            sql, params = sql + " AND t.rep = ?", [*params, where.rep]
        if where.outcome is not None:
            sql, params = sql + " AND t.outcome = ?", [*params, where.outcome]
        if where.block == NO_BLOCK:
            sql += " AND t.session_id IS NULL"
        elif where.block is not None:
            sql, params = sql + " AND s.block_name = ?", [*params, where.block]
        joins = "FROM touches t JOIN leads l ON l.id = t.lead_id "
        joins += "LEFT JOIN sessions s ON s.id = t.session_id "
        total = self.conn.execute(f"SELECT count(*) {joins} {sql}", params).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT t.*, l.name AS lead_name, l.company, s.block_name {joins} {sql} "
            "ORDER BY t.at DESC, t.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        entries = [
            LogEntry(touch_from_row(row), row["lead_name"], row["company"] or "", row[-1] or "")
            for row in rows
        ]
        return entries, total

    def log_choices(self, start: str, end: str) -> tuple[list[str], list[str]]:
        """The reps and block names that occur in [start, end), sorted."""
        reps = self.conn.execute(
            "SELECT DISTINCT rep FROM touches WHERE at >= ? AND at < ? ORDER BY rep", (start, end)
        )
        blocks = self.conn.execute(
            "SELECT DISTINCT s.block_name FROM touches t JOIN sessions s ON s.id = t.session_id "
            "WHERE t.at >= ? AND t.at < ? ORDER BY s.block_name",
            (start, end),
        )
        return [row[0] for row in reps], [row[0] for row in blocks]

    # cracks -------------------------------------------------------------------------------
    def arrivals_between(self, start: str, end: str) -> list[tuple[int, datetime, datetime | None]]:
        """(lead id, arrival, first call that counts or None) for leads arriving in the range."""
        rows = self.conn.execute(
            "SELECT l.id, l.created_at, (SELECT min(t.at) FROM touches t "
            f"  WHERE t.lead_id = l.id AND {live_call('t')}) "
            "FROM leads l WHERE l.created_at >= ? AND l.created_at < ? ORDER BY l.created_at, l.id",
            (start, end),
        )
        return [
            (r[0], parse_iso(r[1]), parse_iso(r[2]) if r[2] else None)
            for r in rows
            if stored_in_window(r[1]) and (r[2] is None or stored_in_window(r[2]))
        ]

    def warm_untouched_leads(self, cutoff: str, limit: int) -> tuple[list[Lead], int]:
        """Open warm leads (not nurture) untouched since `cutoff` (never-called: arrived before
        it), longest-waiting first (at most `limit`), and how many there are."""
        called = (
            f"FROM leads WHERE attempts >= 1 AND {OPEN} AND status != 'nurture' "
            "AND temperature = 'warm' AND last_touch_at < ?"
        )
        fresh = (
            f"FROM leads WHERE attempts = 0 AND {OPEN} AND temperature = 'warm' "
            "AND status != 'nurture' AND created_at < ? "
            "AND (last_touch_at IS NULL OR last_touch_at < ?)"
        )
        params = (cutoff, cutoff, cutoff)
        total = self.conn.execute(
            f"SELECT (SELECT count(*) {called}) + (SELECT count(*) {fresh})", params
        ).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT * FROM (SELECT {LEAD_COLUMNS} {called} UNION ALL "
            f"SELECT {LEAD_COLUMNS} {fresh}) AS waiting "
            "ORDER BY coalesce(last_touch_at, created_at), id LIMIT ?",
            (*params, limit),
        )
        return [lead_from_row(row) for row in rows if lead_row_sane(row)], total

    def stopped_leads(self, cutoff: str, max_attempts: int, limit: int) -> tuple[list[Lead], int]:
        """Open leads being worked with 1..max_attempts-1 attempts, no touch since `cutoff` and
        no open promise, longest-waiting first (at most `limit`), and how many there are."""
        where = (
            f"FROM leads WHERE attempts >= 1 AND {OPEN} AND status != 'nurture' "
            "AND temperature IN ('hot', 'warm', 'cold') AND attempts < ? AND last_touch_at < ? "
            "AND NOT EXISTS (SELECT 1 FROM callbacks c "
            "  WHERE c.lead_id = leads.id AND c.state = 'open')"
        )
        params = (max_attempts, cutoff)
        total = self.conn.execute(f"SELECT count(*) {where}", params).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT {LEAD_COLUMNS} {where} ORDER BY last_touch_at, id LIMIT ?", (*params, limit)
        )
        return [lead_from_row(row) for row in rows if lead_row_sane(row)], total

    def calls_outside_window(self, start: str, end: str) -> list[tuple[int, str, datetime]]:
        """(lead id, rep, at) of the calls that count in the range, logged outside the lead's
        calling hours (flagged when recorded)."""
        rows = self.conn.execute(
            "SELECT lead_id, rep, at FROM touches WHERE outside_window = 1 AND undone = 0 "
            "AND at >= ? AND at < ? ORDER BY at, id",
            (start, end),
        )
        return [(r[0], r[1], parse_iso(r[2])) for r in rows if stored_in_window(r[2])]

    # drill-down and exports ----------------------------------------------------------------
    def all_touches_for_lead(self, lead_id: int) -> list[Touch]:
        """Every touch of a lead, undone ones included, newest first."""
        rows = self.conn.execute(
            f"SELECT {TOUCH_COLUMNS} FROM touches WHERE lead_id = ? ORDER BY at DESC, id DESC",
            (lead_id,),
        )
        return [touch_from_row(row) for row in rows]

    def iter_touches(self, start: str | None, end: str | None) -> Iterator[Touch]:
        """Every touch (undone included) in the range, by id; streamed."""
        sql, params = _range("at", start, end)
        for row in self.conn.execute(
            f"SELECT {TOUCH_COLUMNS} FROM touches {sql} ORDER BY id", params
        ):
            yield touch_from_row(row)

    def iter_leads(self, start: str | None, end: str | None) -> Iterator[Lead]:
        """Every lead that arrived in the range, by id; streamed."""
        sql, params = _range("created_at", start, end)
        for row in self.conn.execute(f"SELECT {LEAD_COLUMNS} FROM leads {sql} ORDER BY id", params):
            yield lead_from_row(row)


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for offset in range(0, len(values), size):
        yield values[offset : offset + size]


def _range(column: str, start: str | None, end: str | None) -> tuple[str, tuple[str, ...]]:
    terms = [f"{column} >= ?" if start else "", f"{column} < ?" if end else ""]
    where = " AND ".join(term for term in terms if term)
    return (f"WHERE {where}" if where else ""), tuple(v for v in (start, end) if v)


def _promise_sane(row: sqlite3.Row) -> bool:
    """Due (and closed) at times in the window; else left out (`callblock doctor` lists it)."""
    return stored_in_window(row[4]) and (row[6] is None or stored_in_window(row[6]))


def _promise(
    row: sqlite3.Row, created: str | None = None, created_by: int | None = None
) -> PromiseRecord:
    from callblock.domain.figures import PromiseRecord

    return PromiseRecord(
        id=row[0],
        lead_id=row[1],
        rep=row[2],
        kind=row[3],
        due_at=parse_iso(row[4]),
        state=row[5],
        closed_at=parse_iso(row[6]) if row[6] else None,
        created_at=parse_iso(created) if created else None,
        created_by=created_by,
    )
