"""The queue's queries: each tier's candidates in the order the domain scores them.

Every query here is shaped like a partial index in migrations.py (same words, same expression
for the zone), so building a block's queue reads a few hundred index entries, not every lead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from callblock.domain.models import Callback, Lead
from callblock.domain.ranges import WINDOW_END, WINDOW_START, stored_in_window
from callblock.store.convert import SLIM_COLUMNS, callback_from_row, slim_lead_from_row
from callblock.store.filters import callable_where
from callblock.store.migrations import FOLLOW_UP, LEAD_REGION, LEAD_ZONE, NURTURE, OPEN

PROMISES = "('callback', 'meeting')"
NO_OPEN_PROMISE = (
    "NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.lead_id = leads.id "
    f"AND c.state = 'open' AND c.kind IN {PROMISES})"
)
# A lead with a touch or an open promise outside the window, or unreadable (written by an older
# version or another tool), is left out of the queue (`callblock doctor` lists it): its times
# would not survive the arithmetic. (Text that is not a time sorts after the window's end.)
SANE_ROWS = (
    "NOT EXISTS (SELECT 1 FROM touches bad WHERE bad.lead_id = {lead} "
    f"AND (bad.at < '{WINDOW_START}' OR bad.at >= '{WINDOW_END}')) "
    "AND NOT EXISTS (SELECT 1 FROM callbacks bad WHERE bad.lead_id = {lead} "
    f"AND bad.state = 'open' AND (bad.due_at < '{WINDOW_START}' OR bad.due_at >= '{WINDOW_END}'))"
)
# The time columns of SLIM_COLUMNS, by position: each must be a time in the window.
_SLIM_TIMES = tuple(
    n
    for n, name in enumerate(SLIM_COLUMNS.split(", "))
    if name in ("created_at", "last_touch_at", "first_call_at", "next_due_at")
)


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """What every tier's query shares: who asks, when, and which leads are out."""

    rep: str
    now: str
    places: Mapping[str, Sequence[str]]  # callable zone -> regions in it that are closed now
    exclude: Sequence[int] = ()
    limit: int = 20
    session_id: int | None = None  # the asking session's own leases do not hide its leads

    def in_zone(self, zone: str) -> tuple[str, tuple[object, ...]]:
        """Leads in one callable zone (the index's expression), minus its closed regions."""
        closed = list(self.places[zone])
        sql = f"AND {LEAD_ZONE} = ? "
        if closed:
            sql += f"AND {LEAD_REGION} NOT IN ({_marks(closed)}) "
        more, params = self.not_excluded("")
        return sql + more, (zone, *closed, *params)

    def in_places(self, alias: str = "") -> tuple[str, tuple[object, ...]]:
        """Leads in any callable place (zone and region), for the small tiers."""
        zone = f"coalesce({alias}timezone, {alias}phone_timezone, '')"
        clauses, params = [], []
        for name, closed in self.places.items():
            region = f"coalesce({alias}record_region, {alias}region, '')"  # LEAD_REGION
            shut = f" AND {region} NOT IN ({_marks(closed)})" if closed else ""
            clauses.append(f"({zone} = ?{shut})")
            params += [name, *closed]
        more, extra = self.not_excluded(alias)
        return f"AND ({' OR '.join(clauses)}) " + more, (*params, *extra)

    def not_excluded(self, alias: str) -> tuple[str, tuple[object, ...]]:
        """Not skipped by the caller, not leased by another session (by another rep when the
        caller has no session: `callblock queue` lists the rep's own screens' leads too)."""
        sql = ""
        if self.exclude:
            sql += f"AND {alias}id NOT IN ({_marks(self.exclude)}) "
        holder = "session_id" if self.session_id is not None else "rep"
        sql += (
            f"AND {alias}id NOT IN (SELECT lead_id FROM leases WHERE {holder} != ? "
            "AND expires_at > ?) "
        )
        mine = self.session_id if self.session_id is not None else self.rep
        return sql, (*self.exclude, mine, self.now)


class QueueQueries:
    """Candidates come back slim (see SLIM_COLUMNS): enough to rank, not to show."""

    conn: sqlite3.Connection

    def lead_places(self) -> list[tuple[str, str]]:
        """Every (zone, region) some lead is in ('' where none is known), in key order (SQLite
        reads its primary key in that order anyway; the server's heap has no order)."""
        rows = self.conn.execute("SELECT zone, region FROM lead_places ORDER BY zone, region")
        return [(row[0], row[1]) for row in rows]

    def inbound_candidates(
        self, query: QueueQuery, *, arrived_after: str, breathing_since: str
    ) -> list[Lead]:
        """Uncalled leads that arrived after `arrived_after`: those still in their first
        minute, and the youngest `limit` past it."""
        if not query.places:
            return []
        where, params = query.in_places()
        rows: list[sqlite3.Row] = []
        for low, high in ((breathing_since, query.now), (arrived_after, breathing_since)):
            rows += self.conn.execute(
                f"SELECT {SLIM_COLUMNS} FROM leads WHERE attempts = 0 AND {OPEN} "
                f"AND status = 'new' AND (owner IS NULL OR owner = ?) AND {NO_OPEN_PROMISE} "
                f"AND {SANE_ROWS.format(lead='leads.id')} "
                f"AND created_at > ? AND created_at <= ? {where} "
                "ORDER BY created_at DESC, id LIMIT ?",
                (query.rep, low, high, *params, query.limit),
            ).fetchall()
        return _sane_leads(rows)

    def due_candidates(
        self, query: QueueQuery, *, fresh_since: str, spaced_before: str, max_attempts: int
    ) -> list[Lead]:
        """Follow-ups (per temperature) and nurture leads due now, per zone, best fit first."""
        rows: list[sqlite3.Row] = []
        common = (
            "AND next_due_at <= ? AND (owner IS NULL OR owner = ?) "
            "AND (last_touch_at IS NULL OR last_touch_at <= ?) "
            f"AND {NO_OPEN_PROMISE} AND {SANE_ROWS.format(lead='leads.id')} "
        )
        for zone in query.places:
            where, params = query.in_zone(zone)
            shared = (query.now, query.rep, spaced_before)
            for temperature in ("hot", "warm", "cold"):
                rows += self.conn.execute(
                    f"SELECT {SLIM_COLUMNS} FROM leads WHERE {FOLLOW_UP} AND temperature = ? "
                    f"{common} AND attempts < ? "
                    f"AND (attempts > 0 OR status != 'new' OR created_at <= ?) {where} "
                    "ORDER BY fit_score DESC, id LIMIT ?",
                    (temperature, *shared, max_attempts, fresh_since, *params, query.limit),
                ).fetchall()
            rows += self.conn.execute(
                f"SELECT {SLIM_COLUMNS} FROM leads WHERE {NURTURE} {common} {where} "
                "ORDER BY fit_score DESC, id LIMIT ?",
                (*shared, *params, query.limit),
            ).fetchall()
        return _sane_leads(rows)

    def due_promises(
        self, query: QueueQuery, *, own_due_by: str, others_due_by: str
    ) -> dict[int, Callback]:
        """Each callable lead's earliest open promise: the rep's own due by `own_due_by`, and
        other reps' missed ones (due by `others_due_by`); longest waiting first."""
        if not query.places:
            return {}
        where, params = query.in_places("l.")
        found: dict[int, Callback] = {}
        for mine, due_by in (("=", own_due_by), ("!=", others_due_by)):
            rows = self.conn.execute(
                "SELECT c.* FROM callbacks c JOIN leads l ON l.id = c.lead_id "
                f"WHERE c.state = 'open' AND c.kind IN {PROMISES} AND c.rep {mine} ? "
                f"AND c.due_at <= ? AND {callable_where('l.')} "
                f"AND {SANE_ROWS.format(lead='l.id')} {where} "
                "AND c.id = (SELECT first.id FROM callbacks first "
                "  WHERE first.lead_id = c.lead_id AND first.state = 'open' "
                f"  AND first.kind IN {PROMISES} ORDER BY first.due_at, first.id LIMIT 1) "
                "ORDER BY c.due_at, c.lead_id LIMIT ?",
                (query.rep, due_by, *params, query.limit),
            ).fetchall()
            for row in rows:
                if row["lead_id"] not in found and stored_in_window(row["due_at"]):
                    found[row["lead_id"]] = callback_from_row(row)
        return found

    def slim_leads(self, lead_ids: Iterable[int]) -> list[Lead]:
        ids = list(dict.fromkeys(lead_ids))
        if not ids:
            return []
        rows = self.conn.execute(
            f"SELECT {SLIM_COLUMNS} FROM leads WHERE id IN ({_marks(ids)})", ids
        ).fetchall()
        return _sane_leads(rows)

    def calls_since(self, lead_ids: Iterable[int], since: str) -> dict[int, int]:
        """Call touches (that count) per lead since a time: for per-day call limits."""
        ids = list(lead_ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            "SELECT lead_id, count(*) FROM touches WHERE undone = 0 AND channel = 'call' "
            f"AND at > ? AND lead_id IN ({_marks(ids)}) GROUP BY lead_id",
            (since, *ids),
        )
        return {row[0]: row[1] for row in rows}


def _sane_leads(rows: Iterable[sqlite3.Row]) -> list[Lead]:
    """The rows as leads, less those with a time that does not parse or lies outside the
    window (`callblock doctor` lists them)."""
    return [
        slim_lead_from_row(row)
        for row in rows
        if all(row[n] is None or stored_in_window(row[n]) for n in _SLIM_TIMES)
    ]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)
