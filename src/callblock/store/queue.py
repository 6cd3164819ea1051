"""The queue's queries: each tier's candidates in the order the domain scores them.

Every query here is shaped like a partial index in migrations.py (same words, same expression
for the zone), so building a block's queue reads a few hundred index entries, not every lead.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from callblock.domain.models import Callback, Lead
from callblock.domain.ranges import WINDOW_END, WINDOW_START, stored_in_window
from callblock.store.convert import SLIM_COLUMNS, callback_from_row, slim_lead_from_row
from callblock.store.db import Connection, dialect_of
from callblock.store.filters import callable_where
from callblock.store.migrations import FOLLOW_UP, LEAD_REGION, LEAD_ZONE, NURTURE, OPEN

PROMISES = "('callback', 'meeting')"
# The lead is nobody's or the asking rep's (one comparison, the rep given twice: an OR here makes
# PostgreSQL read every due lead of the zone through a bitmap and sort them, not walk the index
# in order and stop at the limit).
OWNED_BY_NONE_OR = "coalesce(owner, ?) = ?"
DueGroup = tuple[str, str | None]  # (zone, temperature; None: nurture)
NO_OPEN_PROMISE = (
    "NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.lead_id = leads.id "
    f"AND c.state = 'open' AND c.kind IN {PROMISES})"
)
# A lead with a touch or an open promise outside the window, or unreadable (written by an older
# version or another tool), is left out of the queue (`callblock doctor` lists it): its times
# would not survive the arithmetic. (Text that is not a time sorts after the window's end.)
# (One range, negated, not two comparisons joined by OR: each lead's rows are read through its
# lead_id index on both backends, without a bitmap of every out-of-window row.)
SANE_ROWS = (
    "NOT EXISTS (SELECT 1 FROM touches bad WHERE bad.lead_id = {lead} "
    f"AND NOT (bad.at >= '{WINDOW_START}' AND bad.at < '{WINDOW_END}')) "
    "AND NOT EXISTS (SELECT 1 FROM callbacks bad WHERE bad.lead_id = {lead} AND bad.state = 'open' "
    f"AND NOT (bad.due_at >= '{WINDOW_START}' AND bad.due_at < '{WINDOW_END}'))"
)
# A lead due now (params: now, the rep twice, the spacing's start), and a follow-up's own
# conditions (params: the most attempts, the time before which a new lead is no longer fresh).
DUE_NOW = (
    f"AND next_due_at <= ? AND {OWNED_BY_NONE_OR} "
    "AND (last_touch_at IS NULL OR last_touch_at <= ?) "
    f"AND {NO_OPEN_PROMISE} AND {SANE_ROWS.format(lead='leads.id')} "
)
FOLLOW_UP_DUE = "AND attempts < ? AND (attempts > 0 OR status != 'new' OR created_at <= ?)"
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
    arrays: bool = False  # PostgreSQL: the excluded ids as one array (see not_excluded)

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
        excluded: tuple[object, ...] = tuple(self.exclude)
        if self.exclude and self.arrays:
            # one array: the statement's text stays the same as the block's list of done leads
            # grows, so the server plans it once (psycopg prepares a statement run 5 times)
            sql += f"AND NOT ({alias}id = ANY(?)) "
            excluded = (list(self.exclude),)
        elif self.exclude:
            # One JSON array, for the same reason: with a `?` per lead, each outcome made new
            # statements, prepared again and kept in the connection's cache (128 of them, each
            # as long as the block): +3 MB per 100 outcomes.
            sql += f"AND {alias}id NOT IN (SELECT value FROM json_each(?)) "
            excluded = (json.dumps(list(self.exclude)),)
        holder = "session_id" if self.session_id is not None else "rep"
        sql += (
            f"AND {alias}id NOT IN (SELECT lead_id FROM leases WHERE {holder} != ? "
            "AND expires_at > ?) "
        )
        mine = self.session_id if self.session_id is not None else self.rep
        return sql, (*excluded, mine, self.now)


class QueueQueries:
    """Candidates come back slim (see SLIM_COLUMNS): enough to rank, not to show."""

    conn: Connection

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Where a queue is built: on PostgreSQL one read-only snapshot for all its queries, with
        bitmap scans off. Each query is shaped like its partial index, which is in the order the
        domain scores the leads: walking it and stopping at the limit reads a few dozen entries.
        The server's row estimate for a zone's due leads misses by 100x or more (12 estimated,
        2,881 found on the 100k demo), so it chose a bitmap scan that reads and sorts them all
        (13-42 ms a query instead of 1 ms). SQLite walks the index in order by itself."""
        if dialect_of(self.conn) != "postgresql" or self.conn.in_transaction:
            yield
            return
        self.conn.execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL enable_bitmapscan = off"
        )
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _shaped(self, query: QueueQuery) -> QueueQuery:
        return replace(query, arrays=dialect_of(self.conn) == "postgresql")

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
        query = self._shaped(query)
        if not query.places:
            return []
        where, params = query.in_places()
        rows: list[sqlite3.Row] = []
        for low, high in ((breathing_since, query.now), (arrived_after, breathing_since)):
            rows += self.conn.execute(
                f"SELECT {SLIM_COLUMNS} FROM leads WHERE attempts = 0 AND {OPEN} "
                f"AND status = 'new' AND {OWNED_BY_NONE_OR} AND {NO_OPEN_PROMISE} "
                f"AND {SANE_ROWS.format(lead='leads.id')} "
                f"AND created_at > ? AND created_at <= ? {where} "
                "ORDER BY created_at DESC, id LIMIT ?",
                (query.rep, query.rep, low, high, *params, query.limit),
            ).fetchall()
        return _sane_leads(rows)

    def due_groups(self, query: QueueQuery) -> list[DueGroup]:
        """The groups due follow-ups are read in: each callable zone's hot, warm and cold
        follow-ups and its nurture leads (None). Inside one group the domain's score rises with
        the fit score alone (one zone: one local hour), so its best leads come first."""
        return [
            (zone, temperature)
            for zone in query.places
            for temperature in ("hot", "warm", "cold", None)
        ]

    def due_candidates(
        self,
        query: QueueQuery,
        asks: Mapping[DueGroup, int],
        *,
        fresh_since: str,
        spaced_before: str,
        max_attempts: int,
    ) -> dict[DueGroup, tuple[list[Lead], bool]]:
        """Each group's best `asks[group]` leads due now, best fit first, and whether the group
        had as many as asked (it may hold more)."""
        query = self._shaped(query)
        if query.arrays:
            return self._due_on_server(query, asks, fresh_since, spaced_before, max_attempts)
        found: dict[DueGroup, tuple[list[Lead], bool]] = {}
        common = DUE_NOW
        shared = (query.now, query.rep, query.rep, spaced_before)
        for (zone, temperature), ask in asks.items():
            where, params = query.in_zone(zone)
            if temperature is None:
                rows = self.conn.execute(
                    f"SELECT {SLIM_COLUMNS} FROM leads WHERE {NURTURE} {common} {where} "
                    "ORDER BY fit_score DESC, id LIMIT ?",
                    (*shared, *params, ask),
                ).fetchall()
            else:
                rows = self.conn.execute(
                    f"SELECT {SLIM_COLUMNS} FROM leads WHERE {FOLLOW_UP} AND temperature = ? "
                    f"{common} {FOLLOW_UP_DUE} {where} "
                    "ORDER BY fit_score DESC, id LIMIT ?",
                    (temperature, *shared, max_attempts, fresh_since, *params, ask),
                ).fetchall()
            found[(zone, temperature)] = (_sane_leads(rows), len(rows) >= ask)
        return found

    def _due_on_server(
        self,
        query: QueueQuery,
        asks: Mapping[DueGroup, int],
        fresh_since: str,
        spaced_before: str,
        max_attempts: int,
    ) -> dict[DueGroup, tuple[list[Lead], bool]]:
        """PostgreSQL: the same reads as due_candidates, every group's in one statement (one
        for the follow-ups, one for nurture): a LATERAL read per group, each walking its index
        in order. Forty-eight statements a queue were a round trip and a plan each."""
        closed = [(zone, region) for zone, regions in query.places.items() for region in regions]
        shut = (
            "AND NOT EXISTS (SELECT 1 FROM unnest(?::text[], ?::text[]) "
            "AS shut(shut_zone, shut_region) "
            f"WHERE shut_zone = group_zone AND shut_region = {LEAD_REGION}) "
            if closed
            else ""
        )
        shut_params = (
            ([zone for zone, _ in closed], [region for _, region in closed]) if closed else ()
        )
        more, more_params = query.not_excluded("")
        common = f"{DUE_NOW}AND {LEAD_ZONE} = group_zone {shut}{more}"
        shared = (query.now, query.rep, query.rep, spaced_before)
        found: dict[DueGroup, tuple[list[Lead], bool]] = {}
        follow_ups = [(group, ask) for group, ask in asks.items() if group[1] is not None]
        nurture = [(group, ask) for group, ask in asks.items() if group[1] is None]
        if follow_ups:
            rows = self.conn.execute(
                "SELECT group_zone, group_temperature, l.* FROM unnest(?::text[], ?::text[], "
                "?::int[]) AS g(group_zone, group_temperature, group_ask) CROSS JOIN LATERAL ("
                f"SELECT {SLIM_COLUMNS} FROM leads WHERE {FOLLOW_UP} "
                f"AND temperature = group_temperature {common} {FOLLOW_UP_DUE} "
                "ORDER BY fit_score DESC, id LIMIT group_ask) AS l",
                (
                    [zone for (zone, _), _ask in follow_ups],
                    [temperature for (_, temperature), _ask in follow_ups],
                    [ask for _group, ask in follow_ups],
                    *shared,
                    *shut_params,
                    *more_params,
                    max_attempts,
                    fresh_since,
                ),
            ).fetchall()
            found.update(_by_group(rows, follow_ups))
        if nurture:
            rows = self.conn.execute(
                "SELECT group_zone, NULL, l.* FROM unnest(?::text[], ?::int[]) "
                "AS g(group_zone, group_ask) "
                f"CROSS JOIN LATERAL (SELECT {SLIM_COLUMNS} FROM leads WHERE {NURTURE} {common} "
                "ORDER BY fit_score DESC, id LIMIT group_ask) AS l",
                (
                    [zone for (zone, _), _ask in nurture],
                    [ask for _group, ask in nurture],
                    *shared,
                    *shut_params,
                    *more_params,
                ),
            ).fetchall()
            found.update(_by_group(rows, nurture))
        return found

    def due_promises(
        self, query: QueueQuery, *, own_due_by: str, others_due_by: str
    ) -> dict[int, Callback]:
        """Each callable lead's earliest open promise: the rep's own due by `own_due_by`, and
        other reps' missed ones (due by `others_due_by`); longest waiting first."""
        query = self._shaped(query)
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


def _by_group(
    rows: Iterable[Sequence[Any]], asks: list[tuple[DueGroup, int]]
) -> dict[DueGroup, tuple[list[Lead], bool]]:
    """Rows that start with their group's (zone, temperature), as due_candidates returns them."""
    read: dict[DueGroup, list[Any]] = {group: [] for group, _ask in asks}
    for row in rows:
        read[(row[0], row[1])].append(tuple(row)[2:])
    return {group: (_sane_leads(read[group]), len(read[group]) >= ask) for group, ask in asks}


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)
