"""Use cases: recording outcomes, undo, promises, sessions, the queue and the demo database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.models import LeadStatus
from callblock.services import ServiceError, dialing, leads, queue, sessions
from callblock.services.demo import build_demo
from callblock.store import Store
from tests.conftest import NOW


def test_recording_an_outcome_counts_the_attempt_and_keeps_the_previous_state(
    store: Store, clock: FixedClock, make_lead
) -> None:
    lead_id = make_lead()
    recorded = dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="busy", settings=Settings()
    )
    lead = store.leads.get_lead(lead_id)
    assert lead is not None
    assert (lead.attempts, lead.status, lead.last_touch_at) == (1, LeadStatus.WORKING, NOW)
    assert store.touches.touch_lead_before(recorded.touch_id) == {
        "status": "new",
        "bad_number": False,
        "after": {"status": "working", "bad_number": False},  # what undo may take back
    }
    [touch] = leads.history(store, lead_id)
    assert (touch.rep, touch.outcome, touch.at) == ("alice", "busy", NOW)


def test_callback_needs_a_future_time(store: Store, clock: FixedClock, make_lead) -> None:
    lead_id = make_lead()
    with pytest.raises(ServiceError, match="needs a time"):
        dialing.record_outcome(
            store, clock, rep="a", lead_id=lead_id, code="callback", settings=Settings()
        )
    with pytest.raises(ServiceError, match="not in the future"):
        dialing.record_outcome(
            store,
            clock,
            rep="a",
            lead_id=lead_id,
            code="callback",
            when=NOW - timedelta(hours=1),
            settings=Settings(),
        )
    assert leads.history(store, lead_id) == []


def test_unknown_lead_and_outcome_change_nothing(store: Store, clock: FixedClock) -> None:
    with pytest.raises(ServiceError, match="no lead with id 42"):
        dialing.record_outcome(store, clock, rep="a", lead_id=42, code="busy", settings=Settings())
    with pytest.raises(ServiceError, match="unknown outcome"):
        dialing.record_outcome(store, clock, rep="a", lead_id=42, code="nope", settings=Settings())
    assert store.admin.count("touches") == 0


def test_dialing_a_due_callback_keeps_it_and_undo_reopens_it(
    store: Store, clock: FixedClock, make_lead
) -> None:
    lead_id = make_lead()
    due = NOW + timedelta(hours=2)
    dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="callback", when=due, settings=Settings()
    )
    [promise] = store.touches.open_promises(lead_id)
    assert (promise.due_at, promise.kind, promise.rep) == (due, "callback", "alice")

    clock.set(due)
    session = sessions.start_session(store, clock, rep="alice", block_name="PH", target=60)
    dialing.record_outcome(
        store,
        clock,
        rep="alice",
        lead_id=lead_id,
        code="connected",
        session_id=session.id,
        settings=Settings(),
    )
    assert store.touches.open_promises(lead_id) == []
    dialing.undo_last(store, clock, rep="alice", session_id=session.id, settings=Settings())
    assert [p.id for p in store.touches.open_promises(lead_id)] == [promise.id]


def test_undo_restores_the_lead_and_removes_the_promise_it_made(
    store: Store, clock: FixedClock, make_lead
) -> None:
    lead_id = make_lead()
    session = sessions.start_session(store, clock, rep="alice", block_name="PH", target=60)
    dialing.record_outcome(
        store,
        clock,
        rep="alice",
        lead_id=lead_id,
        code="no-answer",
        session_id=session.id,
        settings=Settings(),
    )
    clock.advance(minutes=5)
    dialing.record_outcome(
        store,
        clock,
        rep="alice",
        lead_id=lead_id,
        code="meeting",
        when=NOW + timedelta(days=2),
        session_id=session.id,
        settings=Settings(),
    )
    undone = dialing.undo_last(
        store, clock, rep="alice", session_id=session.id, settings=Settings()
    )
    assert undone is not None and undone.outcome == "meeting"
    lead = store.leads.get_lead(lead_id)
    assert lead is not None
    assert (lead.status, lead.attempts, lead.last_touch_at) == (LeadStatus.WORKING, 1, NOW)
    assert store.touches.open_promises(lead_id) == []
    assert [t.outcome for t in leads.history(store, lead_id)] == ["no-answer"]
    [entry] = store.touches.audit_entries("undo")
    assert entry["touch_id"] == undone.id and entry["detail"]["outcome"] == "meeting"
    stats = sessions.session_stats(store, session, clock.now())
    assert (stats.dials, stats.meetings) == (1, 0)


def test_undo_with_nothing_to_undo(store: Store, clock: FixedClock) -> None:
    session = sessions.start_session(store, clock, rep="alice", block_name="PH", target=60)
    assert (
        dialing.undo_last(store, clock, rep="alice", session_id=session.id, settings=Settings())
        is None
    )


def test_dnc_withdraws_every_open_promise(store: Store, clock: FixedClock, make_lead) -> None:
    lead_id = make_lead()
    dialing.record_outcome(
        store,
        clock,
        rep="a",
        lead_id=lead_id,
        code="callback",
        when=NOW + timedelta(days=3),
        settings=Settings(),
    )
    dialing.record_outcome(store, clock, rep="a", lead_id=lead_id, code="dnc", settings=Settings())
    assert store.touches.open_promises(lead_id) == []
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.status is LeadStatus.DNC


def test_session_stats(store: Store, clock: FixedClock, make_lead) -> None:
    session = sessions.start_session(store, clock, rep="alice", block_name="PH", target=60)
    for code in ("no-answer", "connected", "gatekeeper", "not-interested"):
        dialing.record_outcome(
            store,
            clock,
            rep="alice",
            lead_id=make_lead(),
            code=code,
            session_id=session.id,
            settings=Settings(),
        )
    clock.advance(minutes=10)
    stats = sessions.session_stats(store, session, clock.now())
    assert (stats.dials, stats.contacts, stats.contact_rate) == (4, 2, 0.5)
    assert stats.pace_per_hour is None  # a pace only after 15 minutes (issue 12)
    clock.advance(minutes=10)
    assert sessions.session_stats(store, session, clock.now()).pace_per_hour == pytest.approx(12)


def test_queue_leaves_out_what_must_not_be_called(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    fresh = make_lead(created=NOW - timedelta(minutes=3))
    older = make_lead(created=NOW - timedelta(days=2))
    dnc = make_lead()
    dialing.record_outcome(store, clock, rep="a", lead_id=dnc, code="dnc", settings=Settings())
    tokyo = make_lead(tz="Asia/Tokyo")  # 04:00 there
    items = queue.next_leads_for_rep(store, settings, rep="alice", now=NOW)
    ids = [item.lead.id for item in items]
    assert ids[:2] == [fresh, older]
    assert dnc not in ids and tokyo not in ids
    skipped = queue.next_leads_for_rep(store, settings, rep="alice", now=NOW, exclude={fresh})
    assert fresh not in [item.lead.id for item in skipped]


def test_demo_is_deterministic_and_refuses_a_full_database(tmp_path, clock: FixedClock) -> None:
    def fingerprint(name: str) -> list[tuple]:
        store = Store.open(tmp_path / name)
        try:
            build_demo(store, clock, leads=120, seed=3, settings=Settings())
            return store.conn.execute(
                "SELECT l.name, l.phone, t.outcome, t.at FROM leads l "
                "LEFT JOIN touches t ON t.lead_id = l.id ORDER BY l.id, t.id"
            ).fetchall()
        finally:
            store.close()

    first, second = fingerprint("a.db"), fingerprint("b.db")
    assert [tuple(r) for r in first] == [tuple(r) for r in second]
    store = Store.open(tmp_path / "a.db")
    try:
        assert store.admin.count("callbacks") >= 1
        zones = {row[0] for row in store.conn.execute("SELECT phone_timezone FROM leads")}
        assert {"America/New_York", "Europe/London", "America/Los_Angeles"} <= zones
        with pytest.raises(ServiceError, match="already holds leads"):
            build_demo(store, clock, leads=5, settings=Settings())
        fresh = store.conn.execute(
            "SELECT count(*) FROM leads WHERE attempts = 0 AND created_at >= ?",
            (iso(NOW - timedelta(hours=1)),),
        ).fetchone()[0]
        assert fresh >= 3
    finally:
        store.close()
