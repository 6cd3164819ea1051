"""The review's aggregates (dial_slots, each call's attempt number and next dial) equal the
figures counted from the raw touches, whatever writes happened: appends, out-of-order inserts,
undo, deletes, merges, a lead's zone changing, promises set, moved and kept; on SQLite and on
PostgreSQL (where the triggers are PL/pgSQL functions)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.periods import Period
from callblock.services.leads import add_lead
from callblock.services.review import rep_report, rep_report_from_touches
from callblock.store import Store, call_numbers, dial_slots
from callblock.store.db import insert_returning_id

NY = "America/New_York"
T0 = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # Monday 00:00 in New York
ZONES = ("America/New_York", "Asia/Kolkata", "Australia/Eucla", None)
REPS = ("alice", "bob", "carmen")
OUTCOMES = ("no-answer", "connected", "callback", "meeting", "gatekeeper", "dnc", "busy")

touch_op = st.tuples(
    st.just("touch"),
    st.integers(0, 3),  # lead
    st.sampled_from(REPS),
    st.integers(0, 3 * 24 * 60 - 1),  # minute
    st.sampled_from(OUTCOMES),
    st.sampled_from(("call", "call", "call", "email")),
    st.booleans(),  # in a session
    st.integers(-300, 3000),  # a callback's due time, minutes after the dial
)
other_op = st.one_of(
    st.tuples(st.just("undo"), st.integers(0, 1000)),
    st.tuples(st.just("delete"), st.integers(0, 1000)),
    st.tuples(st.just("zone"), st.integers(0, 3), st.sampled_from(ZONES)),
    st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("close"), st.integers(0, 1000), st.integers(0, 1000)),
)
ops = st.lists(st.one_of(touch_op, other_op), min_size=1, max_size=40)


def apply(store: Store, clock: FixedClock, steps: list[tuple]) -> None:
    conn = store.conn
    leads = [
        add_lead(
            store,
            clock,
            name=f"L{n}",
            company="c",
            phone=f"+1 212 555 01{n:02d}",
            tz=zone,
            settings=Settings(),
        )
        for n, zone in enumerate(ZONES)
    ]
    sessions = {
        rep: insert_returning_id(
            conn,
            "INSERT INTO sessions (rep, block_name, started_at, ended_at, target_per_hour) "
            "VALUES (?, 'b', ?, ?, 60)",
            (rep, iso(T0 + timedelta(hours=9)), iso(T0 + timedelta(days=2, hours=9))),
        )
        for rep in REPS
    }
    for step in steps:
        kind = step[0]
        ids = [row[0] for row in conn.execute("SELECT id FROM touches ORDER BY id")]
        if kind == "touch":
            _, lead, rep, minute, outcome, channel, in_session, due = step
            at = T0 + timedelta(minutes=minute)
            touch_id = insert_returning_id(
                conn,
                "INSERT INTO touches (lead_id, rep, at, channel, outcome, note, session_id, "
                "undone) VALUES (?, ?, ?, ?, ?, '', ?, 0)",
                (
                    leads[lead],
                    rep,
                    iso(at),
                    channel,
                    outcome,
                    sessions[rep] if in_session else None,
                ),
            )
            if outcome == "callback" and channel == "call":
                conn.execute(
                    "INSERT INTO callbacks (lead_id, rep, due_at, kind, state, created_by_touch) "
                    "VALUES (?, ?, ?, 'callback', 'open', ?)",
                    (leads[lead], rep, iso(at + timedelta(minutes=due)), touch_id),
                )
        elif kind in ("undo", "delete") and ids:
            touch_id = ids[step[1] % len(ids)]
            if kind == "undo":
                conn.execute("UPDATE touches SET undone = 1 WHERE id = ?", (touch_id,))
                conn.execute(
                    "UPDATE callbacks SET state = 'undone' WHERE created_by_touch = ?", (touch_id,)
                )
            else:
                conn.execute("DELETE FROM callbacks WHERE created_by_touch = ?", (touch_id,))
                conn.execute(
                    "UPDATE callbacks SET closed_by_touch = NULL, state = 'open' "
                    "WHERE closed_by_touch = ?",
                    (touch_id,),
                )
                conn.execute("DELETE FROM touches WHERE id = ?", (touch_id,))
        elif kind == "zone":
            conn.execute("UPDATE leads SET timezone = ? WHERE id = ?", (step[2], leads[step[1]]))
        elif kind == "merge" and step[1] != step[2]:
            store.leads.move_lead_records(leads[step[1]], leads[step[2]])
        elif kind == "close" and ids:
            promises = [r[0] for r in conn.execute("SELECT id FROM callbacks ORDER BY id")]
            if promises:
                conn.execute(
                    "UPDATE callbacks SET state = 'closed', closed_by_touch = ? WHERE id = ?",
                    (ids[step[1] % len(ids)], promises[step[2] % len(promises)]),
                )


def periods() -> list[Period]:
    first = date(2026, 11, 23)
    found = [Period(first + timedelta(days=n), first + timedelta(days=n), NY) for n in range(3)]
    return [*found, Period(first, first + timedelta(days=2), NY)]


def slots(found: list) -> list[tuple]:
    return sorted((s.zone, s.slot, s.dials, s.contacts) for s in found)


def check(store: Store) -> None:
    for period in periods():
        start, end = iso(period.start), iso(period.end)
        assert rep_report(store, period, team_row=True) == rep_report_from_touches(
            store, period, team_row=True
        )
        for rep in (None, "bob"):
            assert slots(store.reports.slot_counts(start, end, rep)) == slots(
                store.reports.slot_counts_from_touches(start, end, rep)
            )
        assert store.reports.dial_counts_by_rep(
            start, end
        ) == store.reports.dial_counts_from_touches(start, end)
    days = [(iso(p.start), iso(p.end)) for p in periods()]
    for rep in (None, "bob"):
        expected = [
            {k: v["dials"] for k, v in store.reports.dial_counts_from_touches(*day).items()}
            for day in days
        ]
        if rep is not None:
            expected = [{k: v for k, v in day.items() if k == rep} for day in expected]
        assert store.reports.dials_by_rep_per_range(days, rep) == expected
    # the kept aggregates equal the ones built afresh from the touches
    kept_slots = store.conn.execute(
        "SELECT * FROM dial_slots WHERE dials != 0 ORDER BY 1, 2, 3"
    ).fetchall()
    numbers = store.conn.execute(
        "SELECT id, attempt, rep_next_at, lead_next_at FROM touches ORDER BY id"
    ).fetchall()
    with store.transaction():
        store.conn.execute("DELETE FROM dial_slots")
        store.conn.execute(dial_slots.backfill_sql(store.dialect))
        store.conn.execute(
            "UPDATE touches SET attempt = NULL, rep_next_at = NULL, lead_next_at = NULL"
        )
        store.conn.execute(call_numbers.backfill_sql(store.dialect))
    fresh_slots = store.conn.execute("SELECT * FROM dial_slots ORDER BY 1, 2, 3").fetchall()
    assert [tuple(r) for r in kept_slots] == [tuple(r) for r in fresh_slots]
    fresh = store.conn.execute(
        "SELECT id, attempt, rep_next_at, lead_next_at FROM touches ORDER BY id"
    ).fetchall()
    assert [tuple(r) for r in numbers] == [tuple(r) for r in fresh]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=ops)
def test_aggregates_equal_the_raw_touches(
    steps: list[tuple], backend: str, request: pytest.FixtureRequest
) -> None:
    with fresh_store(backend, request) as store:
        clock = FixedClock(T0 - timedelta(days=1))
        with store.transaction():
            apply(store, clock, steps)
        check(store)


# What an example writes on the server, emptied before the next one (a database per example
# would be a CREATE DATABASE each, ~8 MB of files each).
WRITTEN = "leads, sessions, touches, callbacks, dial_slots, lead_places, audit, leases"


@contextmanager
def fresh_store(backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty database for one example: a new file, or the test's server database emptied."""
    if backend == "postgresql":
        store = Store.open(request.getfixturevalue("db_path"))
        try:
            with store.transaction():
                store.conn.execute(f"TRUNCATE {WRITTEN} RESTART IDENTITY CASCADE")
            yield store
        finally:
            store.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "agg.db")
        try:
            yield store
        finally:
            store.close()


def test_conversation_codes_match_the_domain() -> None:
    from callblock.domain.figures import CONVERSATION_OUTCOMES

    assert dict(dial_slots.KINDS)["conversations"] == tuple(sorted(CONVERSATION_OUTCOMES))


def test_the_migration_fills_the_aggregates_from_existing_touches(tmp_path: Path) -> None:
    """A database from before migration 10 gets its aggregates from its touches. (SQLite only:
    it builds a schema-9 file; `check` runs PostgreSQL's backfill on every example above.)"""
    from callblock.store import migrations, schema

    store = Store.open(tmp_path / "old.db")
    clock = FixedClock(T0 - timedelta(days=1))
    with store.transaction():
        apply(
            store,
            clock,
            [
                ("touch", n % 4, REPS[n % 3], n * 97, OUTCOMES[n % 7], "call", True, 60)
                for n in range(30)
            ],
        )
    before = rep_report_from_touches(store, periods()[-1], team_row=True)
    store.close()
    # The same rows in a database at schema 9, as an older callblock left it.
    old = sqlite3.connect(tmp_path / "old9.db")
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number, migration in enumerate(migrations.MIGRATIONS[:9], 1):
        migration(old)
        old.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
    old.execute("ATTACH DATABASE ? AS new", (str(tmp_path / "old.db"),))
    for table in ("leads", "sessions", "touches", "callbacks"):
        columns = ", ".join(row[1] for row in old.execute(f"PRAGMA main.table_info({table})"))
        old.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM new.{table}")
    old.commit()
    old.close()
    store = Store.open(tmp_path / "old9.db")
    try:
        assert schema.schema_version(store.conn) == len(migrations.MIGRATIONS)
        assert rep_report(store, periods()[-1], team_row=True) == before
        check(store)
    finally:
        store.close()
