"""The review's per-slot aggregate: dials and their kinds per (15-minute UTC slot, rep, lead
zone), so the heat map, the sparklines and a week's counts read thousands of rows, not a
million touches.

A touch counts here exactly when the review counts it as a dial (not undone, a call, a dial
outcome); a slot is the touch's stored UTC time cut to the quarter hour ("2026-11-23T19:15"),
the zone is the lead's as the heat map takes it (its own zone, else its phone's, else "").
Triggers keep the table exact whatever writes the touches (the app, the CLI, an import, a
merge, undo, raw SQL): each write takes the old row's counts out and puts the new row's in.
Queries over a range whose ends fall on slot boundaries (every day boundary of a real zone)
read this table; tests compare it with the touches it comes from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from callblock.domain.outcomes import OUTCOMES
from callblock.store.db import Connection, dialect_of

if TYPE_CHECKING:
    from callblock.domain.heatmap import SlotCount

# The kinds counted, as (column, outcome codes). The review's definitions (domain/figures.py).
KINDS = (
    ("contacts", tuple(o.code for o in OUTCOMES if o.is_contact)),
    ("conversations", ("callback", "connected", "meeting")),  # figures.CONVERSATION_OUTCOMES
    ("meetings", ("meeting",)),
    ("callbacks", ("callback",)),
)
DIALS = tuple(o.code for o in OUTCOMES if o.is_dial)
COLUMNS = ("dials", *(name for name, _ in KINDS))


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{code}'" for code in codes)  # fixed codes of ours, never outside text


def slot_of(at: str, dialect: str = "sqlite") -> str:
    """SQL for the slot of a stored time expression."""
    quarter = f"CAST(substr({at}, 15, 2) AS INTEGER) / 15 * 15"
    if dialect == "postgresql":
        return f"substr({at}, 1, 14) || lpad(({quarter})::text, 2, '0')"
    return f"substr({at}, 1, 14) || printf('%02d', {quarter})"


def _count(codes: tuple[str, ...]) -> str:
    """SQL: how many of a group's touches `t` have one of these outcomes (both backends take
    FILTER; PostgreSQL cannot sum a comparison)."""
    return f"count(*) FILTER (WHERE t.outcome IN ({_codes(codes)}))"


def as_int(condition: str, dialect: str) -> str:
    """SQL: a condition as 1 or 0 (SQLite's comparisons are integers already)."""
    return f"({condition})::int" if dialect == "postgresql" else f"({condition})"


def counts_dial(alias: str) -> str:
    """SQL: whether a touch row counts as a dial."""
    return (
        f"{alias}.undone = 0 AND {alias}.channel = 'call' AND {alias}.outcome IN ({_codes(DIALS)})"
    )


def zone_of(lead_id: str) -> str:
    return (
        f"coalesce((SELECT coalesce(timezone, phone_timezone, '') FROM leads WHERE id = {lead_id}),"
        " '')"
    )


_UPSERT = "ON CONFLICT (slot, zone, rep) DO UPDATE SET " + ", ".join(
    f"{c} = {c} + excluded.{c}" for c in COLUMNS
)
# PostgreSQL asks for the table's name on the old value (`dials` alone is ambiguous there).
_PG_UPSERT = "ON CONFLICT (slot, zone, rep) DO UPDATE SET " + ", ".join(
    f"{c} = dial_slots.{c} + excluded.{c}" for c in COLUMNS
)


def _add(alias: str, sign: str, dialect: str = "sqlite") -> str:
    """SQL (a trigger's statement): add (sign '+') or take out ('-') one touch row's counts."""
    values = ", ".join(
        [
            f"{sign}1",
            *(
                f"{sign}{as_int(f'{alias}.outcome IN ({_codes(codes)})', dialect)}"
                for _, codes in KINDS
            ),
        ]
    )
    slot = slot_of(alias + ".at", dialect)
    return (
        f"INSERT INTO dial_slots (slot, rep, zone, {', '.join(COLUMNS)}) "
        f"SELECT {slot}, {alias}.rep, {zone_of(alias + '.lead_id')}, {values} "
        f"WHERE {counts_dial(alias)} {_PG_UPSERT if dialect == 'postgresql' else _UPSERT};"
    )


def _move(zone: str, sign: str, dialect: str = "sqlite") -> str:
    """SQL: add or take out all of a lead's dials under `zone` (its zone changed)."""
    sums = ", ".join(
        [
            f"{sign}count(*)",
            *(f"{sign}sum({as_int(f't.outcome IN ({_codes(c)})', dialect)})" for _, c in KINDS),
        ]
    )
    return (
        f"INSERT INTO dial_slots (slot, rep, zone, {', '.join(COLUMNS)}) "
        f"SELECT {slot_of('t.at', dialect)}, t.rep, {zone}, {sums} FROM touches t "
        f"WHERE t.lead_id = NEW.id AND {counts_dial('t')} GROUP BY 1, 2 "
        f"{_PG_UPSERT if dialect == 'postgresql' else _UPSERT};"
    )


def create_sql(dialect: str = "sqlite") -> list[str]:
    old_zone = "coalesce(OLD.timezone, OLD.phone_timezone, '')"
    new_zone = "coalesce(NEW.timezone, NEW.phone_timezone, '')"
    if dialect == "postgresql":
        from callblock.store.pg_migrations import trigger

        changed = "UPDATE OF lead_id, rep, at, channel, outcome, undone"
        return [
            "CREATE TABLE dial_slots (slot TEXT NOT NULL, rep TEXT NOT NULL, zone TEXT NOT NULL, "
            + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COLUMNS)
            + ", PRIMARY KEY (slot, zone, rep))",
            *trigger("dial_slots_touch_insert", "INSERT", "touches", _add("NEW", "+", dialect)),
            *trigger("dial_slots_touch_delete", "DELETE", "touches", _add("OLD", "-", dialect)),
            *trigger(
                "dial_slots_touch_update",
                changed,
                "touches",
                _add("OLD", "-", dialect) + " " + _add("NEW", "+", dialect),
            ),
            *trigger(
                "dial_slots_lead_zone",
                "UPDATE OF timezone, phone_timezone",
                "leads",
                _move(old_zone, "-", dialect) + " " + _move(new_zone, "+", dialect),
                when=f"{old_zone} != {new_zone}",
            ),
        ]
    return [
        "CREATE TABLE dial_slots (slot TEXT NOT NULL, rep TEXT NOT NULL, zone TEXT NOT NULL, "
        + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COLUMNS)
        + ", PRIMARY KEY (slot, zone, rep)) WITHOUT ROWID",
        f"CREATE TRIGGER dial_slots_touch_insert AFTER INSERT ON touches BEGIN {_add('NEW', '+')} "
        "END",
        f"CREATE TRIGGER dial_slots_touch_delete AFTER DELETE ON touches BEGIN {_add('OLD', '-')} "
        "END",
        "CREATE TRIGGER dial_slots_touch_update "
        "AFTER UPDATE OF lead_id, rep, at, channel, outcome, undone ON touches "
        f"BEGIN {_add('OLD', '-')} {_add('NEW', '+')} END",
        "CREATE TRIGGER dial_slots_lead_zone AFTER UPDATE OF timezone, phone_timezone ON leads "
        f"WHEN {old_zone} != {new_zone} "
        f"BEGIN {_move(old_zone, '-')} {_move(new_zone, '+')} END",
    ]


def backfill_sql(dialect: str = "sqlite") -> str:
    sums = ", ".join(
        ["count(*)", *(f"sum({as_int(f't.outcome IN ({_codes(c)})', dialect)})" for _, c in KINDS)]
    )
    return (
        f"INSERT INTO dial_slots (slot, rep, zone, {', '.join(COLUMNS)}) "
        f"SELECT {slot_of('t.at', dialect)}, t.rep, "
        f"coalesce(l.timezone, l.phone_timezone, ''), {sums} "
        f"FROM touches t JOIN leads l ON l.id = t.lead_id WHERE {counts_dial('t')} "
        "GROUP BY 1, 2, 3"
    )


def slot_bound(stored: str) -> str | None:
    """The slot key of a stored UTC time on a slot boundary; None when it is not on one (the
    range is then counted from the touches)."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return None
    if moment.utcoffset() != timedelta(0) or moment.minute % 15 or moment.second:
        return None
    return f"{moment:%Y-%m-%dT%H:%M}" if not moment.microsecond else None


class SlotQueries:
    """The heat map's, the sparklines' and the report's counts, from dial_slots when the range
    allows, else from the touches (the `*_from_touches` methods, which tests compare)."""

    conn: Connection

    def slot_counts(self, start: str, end: str, rep: str | None = None) -> list[SlotCount]:
        """Dials and contacts per (lead zone, 15-minute UTC slot) in [start, end)."""
        first, last = slot_bound(start), slot_bound(end)
        if first is None or last is None:
            return self.slot_counts_from_touches(start, end, rep)
        by_rep = "AND rep = ?" if rep is not None else ""
        rows = self.conn.execute(
            "SELECT zone, slot, sum(dials), sum(contacts) FROM dial_slots "
            f"WHERE slot >= ? AND slot < ? {by_rep} GROUP BY slot, zone HAVING sum(dials) > 0 "
            "ORDER BY slot, zone",
            (first, last, *((rep,) if rep is not None else ())),
        )
        return _slots(rows)

    def slot_counts_from_touches(
        self, start: str, end: str, rep: str | None = None
    ) -> list[SlotCount]:
        by_rep = "AND t.rep = ?" if rep is not None else ""
        slot = slot_of("t.at", dialect_of(self.conn))
        rows = self.conn.execute(
            f"SELECT coalesce(l.timezone, l.phone_timezone, '') AS zone, {slot} AS slot, count(*), "
            f"{_count(KINDS[0][1])} FROM touches t JOIN leads l ON l.id = t.lead_id "
            f"WHERE {counts_dial('t')} AND t.at >= ? AND t.at < ? {by_rep} GROUP BY zone, slot "
            "ORDER BY slot, zone",
            (start, end, *((rep,) if rep is not None else ())),
        )
        return _slots(rows)

    def dial_counts_by_rep(self, start: str, end: str) -> dict[str, dict[str, int]]:
        """Per rep with dials in [start, end): dials, contacts, conversations, meetings and
        callback dials (COLUMNS)."""
        first, last = slot_bound(start), slot_bound(end)
        if first is None or last is None:
            return self.dial_counts_from_touches(start, end)
        rows = self.conn.execute(
            f"SELECT rep, {', '.join(f'sum({c})' for c in COLUMNS)} FROM dial_slots "
            "WHERE slot >= ? AND slot < ? GROUP BY rep HAVING sum(dials) > 0 ORDER BY rep",
            (first, last),
        )
        return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}

    def dial_counts_from_touches(self, start: str, end: str) -> dict[str, dict[str, int]]:
        sums = ", ".join(["count(*)", *(_count(codes) for _, codes in KINDS)])
        rows = self.conn.execute(
            f"SELECT t.rep, {sums} FROM touches t "
            f"WHERE {counts_dial('t')} AND t.at >= ? AND t.at < ? GROUP BY t.rep ORDER BY t.rep",
            (start, end),
        )
        return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}

    def dials_by_rep_per_range(
        self, ranges: list[tuple[str, str]], rep: str | None = None
    ) -> list[dict[str, int]]:
        """Dials per rep in each [start, end) of `ranges` (the sparklines' days), in one read
        when every end falls on a slot boundary."""
        keys = [(slot_bound(start), slot_bound(end)) for start, end in ranges]
        if not ranges or any(first is None or last is None for first, last in keys):
            each = [self.dials_by_rep_between(start, end) for start, end in ranges]
            return [{k: v for k, v in day.items() if rep is None or k == rep} for day in each]
        days = ", ".join("(?, ?, ?)" for _ in keys)
        by_rep = "AND s.rep = ?" if rep is not None else ""
        rows = self.conn.execute(
            f"WITH days(n, first, last) AS (VALUES {days}) "
            "SELECT days.n, s.rep, sum(s.dials) FROM days JOIN dial_slots s "
            f"ON s.slot >= days.first AND s.slot < days.last {by_rep} "
            "GROUP BY days.n, s.rep HAVING sum(s.dials) > 0 ORDER BY days.n, s.rep",
            (
                *(value for n, (first, last) in enumerate(keys) for value in (n, first, last)),
                *((rep,) if rep is not None else ()),
            ),
        )
        found: list[dict[str, int]] = [{} for _ in ranges]
        for n, name, dials in rows:
            found[n][name] = dials
        return found

    def dials_by_rep_between(self, start: str, end: str) -> dict[str, int]:
        return {rep: c["dials"] for rep, c in self.dial_counts_by_rep(start, end).items()}


def _slots(rows: Iterable[sqlite3.Row]) -> list[SlotCount]:
    from callblock.domain.heatmap import SlotCount

    return [
        SlotCount(row[0], datetime.fromisoformat(row[1]).replace(tzinfo=UTC), row[2], row[3])
        for row in rows
    ]
