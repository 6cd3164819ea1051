"""Each live call's place in its lead's history, kept on the touch row for the review.

- attempt: the call's number among the lead's calls that count (live calls, by time then id);
- rep_next_at: when the same rep next dialed the same lead (NULL: never since);
- lead_next_at: when anyone next dialed the lead (NULL: never since).
A report over [start, end) then reads, without sorting a week of touches: a rep's last dial on
a lead in the period is the one whose rep_next_at is NULL or >= end, its attempt number is
`attempt`, and a lead's first call ever is the one with attempt 1.

Triggers keep the three exact on every write that changes them (insert, undo, delete, a merge
moving touches, a changed time or outcome). A call appended after the lead's others (the
normal case) costs a few index probes; anything else renumbers that lead's calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from callblock.domain.ranges import stored_in_window
from callblock.store.db import Connection
from callblock.store.dial_slots import DIALS, _codes
from callblock.store.reports import _promise, _promise_sane

if TYPE_CHECKING:
    from callblock.domain.figures import Call, PromiseRecord

LIVE = "undone = 0 AND channel = 'call'"


def _live(alias: str) -> str:
    return f"{alias}.undone = 0 AND {alias}.channel = 'call'"


def _dial(alias: str) -> str:
    return f"{_live(alias)} AND {alias}.outcome IN ({_codes(DIALS)})"


def renumber(lead: str, when: str = "1") -> str:
    """SQL: number all calls of one lead (`lead`: an SQL expression) afresh, if `when`."""
    return (
        "UPDATE touches SET attempt = n.attempt, rep_next_at = n.rep_next, "
        "lead_next_at = n.lead_next FROM ("
        "SELECT c.id, c.attempt, d.rep_next, d.lead_next FROM ("
        "  SELECT id, row_number() OVER (ORDER BY at, id) AS attempt FROM touches "
        f"  WHERE lead_id = {lead} AND {LIVE}) AS c LEFT JOIN ("
        "  SELECT id, lead(at) OVER (PARTITION BY rep ORDER BY at, id) AS rep_next, "
        "  lead(at) OVER (ORDER BY at, id) AS lead_next FROM touches "
        f"  WHERE lead_id = {lead} AND {_dial('touches')}) AS d ON d.id = c.id"
        f") AS n WHERE {when} AND touches.id = n.id;"
    )


def _clear(row: str) -> str:
    """SQL: a touch that no longer counts carries no numbers."""
    return (
        "UPDATE touches SET attempt = NULL, rep_next_at = NULL, lead_next_at = NULL "
        f"WHERE id = {row}.id AND NOT ({_live(row)}) AND attempt IS NOT NULL;"
    )


def _later(row: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM touches t WHERE t.lead_id = {row}.lead_id AND {_live('t')} "
        f"AND (t.at > {row}.at OR (t.at = {row}.at AND t.id > {row}.id)))"
    )


def _append() -> str:
    """SQL: NEW is the lead's latest call: number it and point the earlier dials at it."""
    numbered = (
        "UPDATE touches SET attempt = 1 + coalesce((SELECT max(t.attempt) FROM touches t "
        f"WHERE t.lead_id = NEW.lead_id AND {_live('t')} AND t.id != NEW.id), 0) "
        "WHERE id = NEW.id;"
    )
    pointers = (
        "UPDATE touches SET lead_next_at = NEW.at WHERE lead_id = NEW.lead_id "
        f"AND {_dial('touches')} AND lead_next_at IS NULL AND id != NEW.id "
        f"AND NEW.outcome IN ({_codes(DIALS)}); "
        "UPDATE touches SET rep_next_at = NEW.at WHERE lead_id = NEW.lead_id AND rep = NEW.rep "
        f"AND {_dial('touches')} AND rep_next_at IS NULL AND id != NEW.id "
        f"AND NEW.outcome IN ({_codes(DIALS)});"
    )
    return numbered + " " + pointers


def create_sql(dialect: str = "sqlite") -> list[str]:
    if dialect == "postgresql":
        from callblock.store.pg_migrations import trigger

        changed = "UPDATE OF lead_id, rep, at, channel, outcome, undone"
        update = (
            f"{_clear('NEW')} {renumber('OLD.lead_id', 'TRUE')} "
            f"{renumber('NEW.lead_id', 'NEW.lead_id != OLD.lead_id')}"
        )
        return [
            "ALTER TABLE touches ADD COLUMN attempt INTEGER",
            "ALTER TABLE touches ADD COLUMN rep_next_at TEXT",
            "ALTER TABLE touches ADD COLUMN lead_next_at TEXT",
            *trigger(
                "call_numbers_append",
                "INSERT",
                "touches",
                _append(),
                when=f"{_live('NEW')} AND NOT {_later('NEW')}",
            ),
            *trigger(
                "call_numbers_insert",
                "INSERT",
                "touches",
                renumber("NEW.lead_id", "TRUE"),
                when=f"{_live('NEW')} AND {_later('NEW')}",
            ),
            *trigger(
                "call_numbers_delete",
                "DELETE",
                "touches",
                renumber("OLD.lead_id", "TRUE"),
                when=_live("OLD"),
            ),
            *trigger("call_numbers_update", changed, "touches", update),
            "DROP INDEX idx_touches_calls_at",
            f"CREATE INDEX idx_touches_calls_at ON touches(at, rep, outcome, attempt, rep_next_at, "
            f"lead_next_at, lead_id, session_id) WHERE {LIVE}",
            "CREATE INDEX idx_callbacks_lead ON callbacks(lead_id, kind)",
        ]
    return [
        "ALTER TABLE touches ADD COLUMN attempt INTEGER",
        "ALTER TABLE touches ADD COLUMN rep_next_at TEXT",
        "ALTER TABLE touches ADD COLUMN lead_next_at TEXT",
        "CREATE TRIGGER call_numbers_append AFTER INSERT ON touches "
        f"WHEN {_live('NEW')} AND NOT {_later('NEW')} BEGIN {_append()} END",
        "CREATE TRIGGER call_numbers_insert AFTER INSERT ON touches "
        f"WHEN {_live('NEW')} AND {_later('NEW')} BEGIN {renumber('NEW.lead_id')} END",
        "CREATE TRIGGER call_numbers_delete AFTER DELETE ON touches "
        f"WHEN {_live('OLD')} BEGIN {renumber('OLD.lead_id')} END",
        "CREATE TRIGGER call_numbers_update "
        "AFTER UPDATE OF lead_id, rep, at, channel, outcome, undone ON touches "
        f"BEGIN {_clear('NEW')} {renumber('OLD.lead_id')} "
        f"{renumber('NEW.lead_id', 'NEW.lead_id != OLD.lead_id')} END",
        # the report's scan of a period reads only this index (period_dials)
        "DROP INDEX idx_touches_calls_at",
        f"CREATE INDEX idx_touches_calls_at ON touches(at, rep, outcome, attempt, rep_next_at, "
        f"lead_next_at, lead_id, session_id) WHERE {LIVE}",
        # a callback dial's other promises on its lead (reschedule_candidates)
        "CREATE INDEX idx_callbacks_lead ON callbacks(lead_id, kind)",
    ]


def backfill_sql(dialect: str = "sqlite") -> str:
    """SQL: number every lead's calls (the migration)."""
    return (
        "UPDATE touches SET attempt = n.attempt, rep_next_at = n.rep_next, "
        "lead_next_at = n.lead_next FROM ("
        "SELECT c.id, c.attempt, d.rep_next, d.lead_next FROM ("
        "  SELECT id, row_number() OVER (PARTITION BY lead_id ORDER BY at, id) AS attempt "
        f"  FROM touches WHERE {LIVE}) AS c LEFT JOIN ("
        "  SELECT id, lead(at) OVER (PARTITION BY lead_id, rep ORDER BY at, id) AS rep_next, "
        "  lead(at) OVER (PARTITION BY lead_id ORDER BY at, id) AS lead_next FROM touches "
        f"  WHERE {_dial('touches')}) AS d ON d.id = c.id"
        ") AS n WHERE touches.id = n.id"
    )


class CallNumberQueries:
    """The report's per-call figures over a period, read from the numbers above."""

    conn: Connection

    def period_dials(self, start: str, end: str) -> list[tuple[Any, ...]]:
        """One scan of the period's dials, per (rep, session id): (rep, session id, dials,
        attempts and count of the rep's last dials on a lead, attempts and count of the last
        dials by anyone on a lead). A last dial is the one with no later dial before `end`."""
        # `?` placeholders (the server's connection takes no named ones), in the text's order
        rep_last = "rep_next_at IS NULL OR rep_next_at >= ?"
        lead_last = "lead_next_at IS NULL OR lead_next_at >= ?"
        rows = self.conn.execute(
            f"SELECT rep, session_id, count(*), "
            f"coalesce(sum(attempt) FILTER (WHERE {rep_last}), 0), "
            f"count(*) FILTER (WHERE {rep_last}), "
            f"coalesce(sum(attempt) FILTER (WHERE {lead_last}), 0), "
            f"count(*) FILTER (WHERE {lead_last}) "
            f"FROM touches WHERE {_dial('touches')} AND at >= ? AND at < ? "
            "GROUP BY rep, session_id",
            (end, end, end, end, start, end),
        )
        return [tuple(row) for row in rows]

    def first_calls(self, start: str, end: str) -> list[tuple[str, str, str]]:
        """(rep, time, lead's arrival) of each lead's first call ever, when it falls in
        [start, end) and is a dial."""
        rows = self.conn.execute(
            "SELECT t.rep, t.at, l.created_at FROM touches t JOIN leads l ON l.id = t.lead_id "
            f"WHERE {_dial('t')} AND t.attempt = 1 AND t.at >= ? AND t.at < ?",
            (start, end),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def reschedule_candidates(
        self, start: str, end: str, session_id: int | None = None
    ) -> tuple[list[Call], list[PromiseRecord]]:
        """The callback dials in [start, end) (with `session_id`: of that session, whenever)
        made while their lead had another callback promise set before them and due after them,
        with those promises (the domain decides which dials moved one: figures.reschedules)."""
        from callblock.domain.figures import Call

        which = "b.at >= ? AND b.at < ?"
        params: tuple[object, ...] = (start, end)
        if session_id is not None:
            which, params = "b.session_id = ?", (session_id,)
        rows = self.conn.execute(
            "SELECT b.id, b.lead_id, b.rep, b.at, b.session_id, "
            "c.id, c.lead_id, c.rep, c.kind, c.due_at, c.state, t.at, s.at, s.id "
            "FROM touches b JOIN callbacks c ON c.lead_id = b.lead_id "
            "JOIN touches s ON s.id = c.created_by_touch "
            "LEFT JOIN touches t ON t.id = c.closed_by_touch "
            f"WHERE {_dial('b')} AND b.outcome = 'callback' AND {which} "
            "AND c.kind = 'callback' AND c.state != 'undone' AND c.created_by_touch != b.id "
            "AND s.at <= b.at AND c.due_at >= b.at",
            params,
        )
        calls: dict[int, Call] = {}
        promises: dict[int, PromiseRecord] = {}
        for row in rows:
            promise_row = row[5:]
            if not (_promise_sane(promise_row) and stored_in_window(promise_row[7])):
                continue
            calls[row[0]] = Call(
                row[0], row[1], row[2], datetime.fromisoformat(row[3]), "callback", row[4]
            )
            promises[row[5]] = _promise(promise_row, created=promise_row[7], created_by=row[13])
        return sorted(calls.values(), key=lambda c: (c.at, c.id)), list(promises.values())
