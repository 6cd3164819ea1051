"""The queue and cadence services over a real database: due times, nurture, leases, limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from callblock.clock import FixedClock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import LeadStatus
from callblock.services import dialing, queue
from callblock.services.cadence import ensure_due_times
from callblock.services.learning import current_weights, learn
from callblock.store import Store
from tests.conftest import NOW
from tests.lease_helpers import claim_as


def queued(store: Store, settings: Settings, clock: FixedClock, rep: str = "alice") -> list[int]:
    items = queue.next_leads_for_rep(store, settings, rep=rep, now=clock.now(), limit=50)
    return [item.lead.id for item in items]


def dial(store, clock, settings, lead_id, code="no-answer", **kw):
    return dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code=code, settings=settings, **kw
    )


def test_each_attempt_is_due_on_the_schedule_then_the_lead_moves_to_nurture(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = make_lead(name="Ann")  # arrives Mon 23 Nov 14:00 New York
    assert queued(store, settings, clock) == [lead_id]
    dial(store, clock, settings, lead_id)  # attempt 1
    assert queued(store, settings, clock) == []  # attempt 2 after 30 min
    clock.advance(minutes=30)
    assert queued(store, settings, clock) == [lead_id]
    dial(store, clock, settings, lead_id)  # attempt 2
    clock.advance(minutes=59)
    assert queued(store, settings, clock) == []  # attempt 3 after an hour
    clock.advance(minutes=1)
    dial(store, clock, settings, lead_id)  # attempt 3, Mon 15:30
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.next_due_at is not None
    # "day 5" is Fri 27 Nov; with 2 days' slack the best-weighted day of Fri, Sat, Sun is Fri
    assert lead.next_due_at == NOW.replace(day=27, hour=5)  # Fri 00:00 in New York
    for _ in range(3):  # attempts 4, 5, 6 whenever due
        clock.set(store.leads.get_lead(lead_id).next_due_at + timedelta(hours=15))
        assert queued(store, settings, clock) == [lead_id]
        dial(store, clock, settings, lead_id)
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.attempts == 6 and lead.status is LeadStatus.NURTURE
    tasks = store.touches.open_promises(lead_id)
    assert [task.kind for task in tasks] == ["goodbye"]
    # nurture: not again for 30 days, then in the nurture tier
    clock.advance(days=29)
    assert lead_id not in queued(store, settings, clock)
    clock.advance(days=1, hours=1)
    items = queue.next_leads_for_rep(store, settings, rep="alice", now=clock.now())
    assert [(i.lead.id, i.tier) for i in items] == [(lead_id, "nurture")]


def test_undoing_the_last_attempt_brings_the_lead_back_from_nurture(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = make_lead()
    short = replace(settings, cadence=Cadence(steps=(parse_step("now"), parse_step("+1h"))))
    session = store.sessions.insert_session("alice", "B", iso(clock.now()), 60)
    dial(store, clock, short, lead_id, session_id=session)
    clock.advance(hours=1)
    dial(store, clock, short, lead_id, session_id=session)
    assert store.leads.get_lead(lead_id).status is LeadStatus.NURTURE
    due_before_undo = store.leads.get_lead(lead_id).next_due_at
    dialing.undo_last(store, clock, rep="alice", session_id=session, settings=short)
    lead = store.leads.get_lead(lead_id)
    assert lead.status is LeadStatus.WORKING and lead.attempts == 1
    assert lead.next_due_at == NOW + timedelta(hours=1) != due_before_undo
    assert store.touches.open_promises(lead_id) == []  # the goodbye task went with the touch


def test_a_changed_cadence_recomputes_every_due_time_once(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = make_lead()
    dial(store, clock, settings, lead_id)
    assert ensure_due_times(store, settings, settings.weights)  # first time: fingerprint set
    assert not ensure_due_times(store, settings, settings.weights)
    slow = replace(
        settings, cadence=replace(settings.cadence, steps=(parse_step("now"), parse_step("+3h")))
    )
    assert ensure_due_times(store, slow, slow.weights)
    assert store.leads.get_lead(lead_id).next_due_at == NOW + timedelta(hours=3)


def test_a_lead_on_one_reps_screen_is_never_handed_to_another(
    db_path, store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    first, second = make_lead(), make_lead()
    other = Store.open(db_path)  # bob's process: its own connection
    try:
        assert claim_as(store, clock, "alice", first)
        assert not claim_as(other, clock, "bob", first)
        assert queued(other, settings, clock, rep="bob") == [second]
        assert queued(store, settings, clock) == [first, second]  # alice's own lease is hers
        clock.advance(minutes=11)  # an abandoned lease expires
        assert queued(other, settings, clock, rep="bob") == [first, second]
    finally:
        other.close()


def test_florida_leads_get_at_most_three_calls_in_24_hours_even_when_promised(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = make_lead(phone="+1 305 555 0100")  # Miami
    assert store.leads.get_lead(lead_id).region == "US-FL"
    for _ in range(3):
        dial(store, clock, settings, lead_id)
        clock.advance(minutes=45)
    dial(store, clock, settings, lead_id, code="callback", when=clock.now() + timedelta(hours=1))
    clock.advance(hours=1)
    assert lead_id not in queued(store, settings, clock)  # the 5th call in 24 h would be unlawful
    clock.advance(hours=23)  # the first calls have left the 24 hours
    assert queued(store, settings, clock) == [lead_id]


def test_another_reps_owned_lead_is_not_in_my_queue(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    mine, pool, theirs = make_lead(owner="alice"), make_lead(), make_lead(owner="bob")
    assert sorted(queued(store, settings, clock)) == sorted([mine, pool])
    assert sorted(queued(store, settings, clock, rep="bob")) == sorted([pool, theirs])


def test_learned_weights_follow_the_log_and_are_kept_for_an_hour(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    assert current_weights(store, settings) == settings.weights  # nothing learned yet
    lead_id = make_lead()
    for code in ("connected", "no-answer", "no-answer", "connected"):
        dial(store, clock, replace(settings, cadence=Cadence(spacing=timedelta(0))), lead_id, code)
    learned = learn(store, settings, clock)
    monday = learned.weekday[0]
    assert monday.dials == 4 and monday.observed is not None
    assert current_weights(store, settings) == learned.weights
    dial(store, clock, settings, lead_id, "no-answer")
    assert learn(store, settings, clock).weekday[0].dials == 4  # cached for an hour
    clock.advance(hours=1, minutes=1)
    assert learn(store, settings, clock).weekday[0].dials == 5


def test_a_merge_that_fills_the_phone_brings_its_calling_region() -> None:
    from callblock.domain.dedupe import merge_fields

    into = {"phone": "", "phone_display": "", "phone_timezone": None, "region": None}
    other = {
        "phone": "+13055550100",
        "phone_display": "+1 305-555-0100",
        "phone_timezone": "America/New_York",
        "region": "US-FL",
    }
    assert merge_fields(into, other)["region"] == "US-FL"  # Florida's 3-calls rule follows


def test_editing_a_leads_status_to_nurture_moves_its_next_due_time(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    from callblock.services.lead_edit import update_lead

    lead_id = make_lead()
    dial(store, clock, settings, lead_id)
    assert store.leads.get_lead(lead_id).next_due_at == NOW + timedelta(minutes=30)
    update_lead(store, lead_id, {"status": "nurture"}, settings=settings)
    assert store.leads.get_lead(lead_id).next_due_at == NOW + timedelta(days=30)


def test_undo_never_takes_back_a_do_not_call_another_rep_set_since(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = make_lead()
    session = store.sessions.insert_session("alice", "B", iso(clock.now()), 60)
    dial(store, clock, settings, lead_id, session_id=session)  # alice: no answer
    clock.advance(minutes=5)
    dialing.record_outcome(store, clock, rep="bob", lead_id=lead_id, code="dnc", settings=settings)
    dialing.undo_last(store, clock, rep="alice", session_id=session, settings=settings)
    lead = store.leads.get_lead(lead_id)
    assert lead.status is LeadStatus.DNC  # bob's do-not-call stands
    clock.advance(days=1)
    assert lead_id not in queued(store, settings, clock)


def test_undo_after_a_merge_into_a_do_not_call_lead_keeps_it_do_not_call(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    from callblock.services.dupes import merge_leads

    keep, other = make_lead(), make_lead()
    dialing.record_outcome(store, clock, rep="bob", lead_id=keep, code="dnc", settings=settings)
    session = store.sessions.insert_session("dan", "B", iso(clock.now()), 60)
    dialing.record_outcome(
        store, clock, rep="dan", lead_id=other, code="no-answer", session_id=session,
        settings=settings,
    )  # fmt: skip
    merge_leads(store, clock, rep="dan", keep=keep, other=other, settings=settings)
    dialing.undo_last(store, clock, rep="dan", session_id=session, settings=settings)
    assert store.leads.get_lead(keep).status is LeadStatus.DNC


def test_call_now_is_refused_for_a_lead_on_another_reps_screen_or_at_its_daily_limit(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    from callblock.services.lead_edit import call_now_problem

    taken = make_lead()
    assert claim_as(store, clock, "bob", taken)
    lead = store.leads.get_lead(taken)
    bobs = store.sessions.lease_holder(taken, iso(clock.now())).session_id
    assert "bob's screen" in call_now_problem(store, lead, clock.now(), settings, session_id=99)
    assert "bob's screen" in call_now_problem(store, lead, clock.now(), settings)
    assert call_now_problem(store, lead, clock.now(), settings, session_id=bobs) is None
    miami = make_lead(phone="+1 305 555 0100")
    for _ in range(3):
        dial(store, clock, settings, miami)
        clock.advance(minutes=31)
    problem = call_now_problem(store, store.leads.get_lead(miami), clock.now(), settings)
    assert problem is not None and "3 times in 24 hours" in problem


def test_a_number_whose_area_spans_zones_is_called_only_when_the_window_holds_in_all(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    """+1 605 (South Dakota) is Central or Mountain time: never before 08:00 Mountain, never
    after 21:00 Central; the team's zone (New York here) plays no part."""
    lead_id = make_lead(phone="+1 605 555 0123", tz=None)
    lead = store.leads.get_lead(lead_id)
    assert lead.phone_timezone is not None and lead.zone_spread == 60
    for utc, callable_now in (
        ("2026-11-24T13:05:00+00:00", False),  # 08:05 New York, 07:05 Central, 06:05 Mountain
        ("2026-11-24T14:59:00+00:00", False),  # 07:59 Mountain
        ("2026-11-24T15:00:00+00:00", True),  # 08:00 Mountain
        ("2026-11-25T02:59:00+00:00", True),  # 20:59 Central
        ("2026-11-25T03:00:00+00:00", False),  # 21:00 Central
    ):
        clock.set(parse_iso(utc))
        assert (lead_id in queued(store, settings, clock)) is callable_now, utc


def test_a_region_closed_in_an_open_zone_leaves_the_list_to_the_zones_other_leads(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    """20:30 in New York: Florida's window (to 20:00) is closed, the federal one (to 21:00)
    open. Florida leads of the best fit fill the zone's group first, yet a short list still
    reaches the New York leads behind them: the queue reads a group past its closed region."""
    clock.set(NOW - timedelta(days=3))
    florida = [make_lead(phone=f"+1 305 555 {n:04d}") for n in range(8)]
    new_york = [make_lead(phone=f"+1 212 555 {n:04d}") for n in range(2)]
    with store.transaction():
        for lead_id in florida:
            store.conn.execute("UPDATE leads SET fit_score = 0.9 WHERE id = ?", (lead_id,))
        for lead_id in new_york:
            store.conn.execute("UPDATE leads SET fit_score = 0.1 WHERE id = ?", (lead_id,))
    clock.set(NOW + timedelta(hours=6, minutes=30))  # Mon 20:30 New York
    for limit in (1, 2, 50):
        items = queue.next_leads_for_rep(store, settings, rep="alice", now=clock.now(), limit=limit)
        assert [item.lead.id for item in items] == new_york[:limit]
    clock.set(NOW)  # 14:00: Florida's hours are open, its leads first (their fit is higher)
    assert queued(store, settings, clock)[:8] == florida
