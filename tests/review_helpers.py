"""A small known team log for the review tests (store, CLI, screen, snapshot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.services import dialing, sessions
from callblock.services.leads import add_lead
from callblock.store import Store

DAY = "2026-11-23"  # a Monday; New York is the team's zone in the tests
HOSTILE_NAME = "[bold red]X[/] Wipe\x1b[2Jout"
HOSTILE_COMPANY = "Acme [UK] Ltd [@click=app.quit]y[/]"
HOSTILE_NOTE = '=HYPERLINK("http://x") [link=file:///etc/passwd]z[/] \x1b]52;c;aGVsbG8=\x07'


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def build_team_log(store: Store, clock: FixedClock) -> dict[str, int]:
    """Three leads, three reps, a session, an undo, a kept callback, a late-night dial."""
    clock.set(at(13, 30))
    leads = {
        "a": add_lead(
            store,
            clock,
            name="Ann Lee",
            company="Lee Labs",
            phone="+1 212 555 0101",
            tz="America/New_York",
            settings=Settings(),
        ),
        "b": add_lead(
            store,
            clock,
            name=HOSTILE_NAME,
            company=HOSTILE_COMPANY,
            phone="+1 212 555 0102",
            tz="Asia/Kolkata",
            settings=Settings(),
        ),
        "c": add_lead(
            store,
            clock,
            name="Cy Young",
            company="=cmd|' /C calc'!A0",
            phone="+1 312 555 0103",
            settings=Settings(),
        ),
    }
    clock.set(at(14))
    block = sessions.start_session(store, clock, rep="alice", block_name="Power hour", target=60)
    dial = partial(dialing.record_outcome, settings=Settings())
    dial(store, clock, rep="alice", lead_id=leads["a"], code="no-answer", session_id=block.id)
    dial(store, clock, rep="alice", lead_id=leads["b"], code="connected", session_id=block.id)
    dialing.undo_last(store, clock, rep="alice", session_id=block.id, settings=Settings())
    dial(
        store,
        clock,
        rep="alice",
        lead_id=leads["b"],
        code="voicemail",
        session_id=block.id,
        note=HOSTILE_NOTE,
    )
    clock.set(at(14, 40))
    dial(
        store,
        clock,
        rep="alice",
        lead_id=leads["a"],
        code="callback",
        session_id=block.id,
        when=at(15, 40),
    )
    clock.set(at(15))
    sessions.end_session(store, clock, block)
    clock.set(at(15, 50))
    dial(store, clock, rep="bob", lead_id=leads["a"], code="connected")  # keeps alice's promise
    clock.set(at(4, 30, day=24))  # 23:30 on the 23rd in New York
    dial(store, clock, rep="bob", lead_id=leads["b"], code="no-answer")
    clock.set(at(5, 10, day=24))  # 00:10 on the 24th in New York
    dial(store, clock, rep="carmen", lead_id=leads["c"], code="no-answer")
    clock.set(at(12, 0, day=24))
    return leads


EXPECTED_23 = [
    {
        "rep": "alice",
        "dials": 3,
        "contacts": 1,
        "contact_rate": 0.3333,
        "conversations": 1,
        "meetings": 0,
        "callbacks_set": 1,
        "callbacks_kept": 1,
        "avg_attempts": 1.5,
        "first_dial_minutes_median": 30.0,
        "dials_per_hour": 3.0,
    },
    {
        "rep": "bob",
        "dials": 2,
        "contacts": 1,
        "contact_rate": 0.5,
        "conversations": 1,
        "meetings": 0,
        "callbacks_set": 0,
        "callbacks_kept": 0,
        "avg_attempts": 2.5,
        "first_dial_minutes_median": None,
        "dials_per_hour": None,
    },
]


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60
