"""The smart queue's promises, as properties over random leads, zones and times (pure domain)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callblock.domain.cadence import Cadence, best_day, next_due, parse_step
from callblock.domain.calling import CallingRules, local_time
from callblock.domain.models import Callback, Lead, LeadStatus, Temperature
from callblock.domain.planning import DueCall, plan_week, week_blocks
from callblock.domain.priority import QueueRules, fresh_weight, mix, rank_leads, score_lead
from callblock.domain.weights import PRIOR_WEEKDAY, Tally, Weights, blend

# East and west of UTC, with and without DST, half-hour offsets, the date line.
ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/St_Johns",
    "Pacific/Honolulu",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
]
RULES = QueueRules(default_zone="America/New_York")
# DST changes of 2026 (US: Mar 8, Nov 1; EU: Mar 29, Oct 25; AU/NZ: Apr 5, Sep 27) and plain days
DST_DAYS = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 9, 27, tzinfo=UTC),
    datetime(2026, 11, 26, tzinfo=UTC),
]
moments = st.builds(
    lambda day, minutes: day + timedelta(minutes=minutes),
    st.sampled_from(DST_DAYS),
    st.integers(-36 * 60, 36 * 60),
)


@st.composite
def leads(draw: st.DrawFn, now: datetime, lead_id: int) -> Lead:
    attempts = draw(st.integers(0, 8))
    touched = draw(st.one_of(st.none(), st.integers(0, 60 * 24 * 30)))
    due = draw(st.one_of(st.none(), st.integers(-60 * 24 * 20, 60 * 24 * 5)))
    return Lead(
        id=lead_id,
        name=f"L{lead_id}",
        company="C",
        phone=draw(st.sampled_from(["+12125550100", "", "+13055550100"])),
        phone_display="",
        created_at=now - timedelta(minutes=draw(st.integers(-600, 60 * 24 * 40))),
        timezone=draw(st.sampled_from([*ZONES, None])),
        phone_timezone=draw(st.sampled_from([*ZONES, None])),
        phone_region=draw(st.sampled_from([None, "US-NY", "US-FL", "DE"])),
        record_region=draw(st.sampled_from([None, None, "US-FL", "DE"])),
        temperature=draw(st.sampled_from(list(Temperature))),
        fit={"title": draw(st.integers(0, 3)), "growth": draw(st.integers(0, 1))},
        owner=draw(st.sampled_from([None, "alice", "bob"])),
        status=draw(st.sampled_from(list(LeadStatus))),
        attempts=attempts,
        last_touch_at=None if touched is None else now - timedelta(minutes=touched),
        bad_number=draw(st.booleans()),
        next_due_at=None if due is None else now - timedelta(minutes=due),
        zone_spread=draw(st.sampled_from([0, 0, 60, 180])),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[datetime, list[Lead], dict[int, Callback], dict]:
    now = draw(moments)
    pool = [draw(leads(now, lead_id)) for lead_id in range(1, draw(st.integers(1, 25)) + 1)]
    promises = {}
    for lead in pool:
        if draw(st.booleans()):
            due = now + timedelta(minutes=draw(st.integers(-300, 300)))
            rep = draw(st.sampled_from(["alice", "bob"]))
            promises[lead.id] = Callback(lead.id, lead.id, rep, due, "callback")
    calls = {lead.id: draw(st.integers(0, 4)) for lead in pool}
    return now, pool, promises, calls


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_nothing_unlawful_or_unwanted_is_ever_queued(scenario) -> None:
    now, pool, promises, calls = scenario
    for item in rank_leads(pool, promises, now, RULES, rep="alice", calls_24h=calls):
        lead = item.lead
        assert lead.status is not LeadStatus.DNC and not lead.bad_number and lead.phone
        window = RULES.calling.window_for(lead.region)
        local = local_time(now, lead.zone(RULES.default_zone))
        assert window.allows(local)
        if lead.zone_spread and not lead.timezone:  # the westernmost zone of its phone area
            assert window.allows(local - timedelta(minutes=lead.zone_spread))
        if window.max_calls_per_day is not None:
            assert calls[lead.id] < window.max_calls_per_day
        if item.tier == "promise":
            assert item.promise is not None
            continue
        assert lead.owner in (None, "alice")
        assert lead.last_touch_at is None or now - lead.last_touch_at >= RULES.spacing
        if item.tier != "nurture":
            assert lead.attempts < RULES.max_attempts
        assert lead.created_at <= now


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_a_due_promise_always_ranks_above_any_other_lead(scenario) -> None:
    now, pool, promises, _calls = scenario
    tiers = [item.tier for item in rank_leads(pool, promises, now, RULES, rep="alice")]
    assert tiers == sorted(tiers, key=lambda tier: tier != "promise")
    mine = [
        item
        for item in rank_leads(pool, promises, now, RULES, rep="alice")
        if item.tier == "promise"
    ]
    owners = [item.promise.rep == "alice" for item in mine if item.promise]
    assert owners == sorted(owners, reverse=True)  # the rep's own promises first


def test_another_reps_promise_is_theirs_until_missed_by_more_than_the_grace() -> None:
    now = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 10:00 in New York
    lead = Lead(1, "A", "C", "+12125550100", "", now - timedelta(days=3), timezone=ZONES[0])
    for late, shown in ((0, False), (14, False), (16, True)):
        promise = Callback(1, 1, "bob", now - timedelta(minutes=late), "callback")
        item = score_lead(lead, promise, now, RULES, "alice")
        assert (item is not None) is shown
        if item is not None:
            assert "open to anyone" in " ".join(item.reasons)


@settings(max_examples=200, deadline=None)
@given(
    now=moments,
    ages=st.lists(st.floats(1.01, 60 * 23), min_size=2, max_size=8, unique=True),
    zone=st.sampled_from(ZONES),
)
def test_among_fresh_leads_past_their_first_minute_the_younger_ranks_higher(
    now: datetime, ages: list[float], zone: str
) -> None:
    pool = [
        Lead(n, f"L{n}", "C", "+12125550100", "", now - timedelta(minutes=age), timezone=zone)
        for n, age in enumerate(ages, start=1)
    ]
    ranked = rank_leads(pool, {}, now, RULES, rep="alice")
    if not ranked:
        return  # outside the calling window at that zone: nothing to order
    assert [item.tier for item in ranked] == ["inbound"] * len(pool)
    got = [now - item.lead.created_at for item in ranked]
    assert got == sorted(got)


def test_speed_to_lead_curve_peaks_after_the_first_minute_and_falls_steeply() -> None:
    assert fresh_weight(0.1) < fresh_weight(1) > fresh_weight(5) > fresh_weight(30)
    assert fresh_weight(5) - fresh_weight(30) < fresh_weight(30) - fresh_weight(60)
    assert fresh_weight(60) > 2 * fresh_weight(24 * 60 - 1) > 0


@settings(max_examples=200, deadline=None)
@given(
    first=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    slack=st.integers(0, 6),
)
def test_a_flexible_attempt_moves_to_the_best_weighted_day_of_its_window(
    first: date, slack: int
) -> None:
    day = best_day(first, slack, PRIOR_WEEKDAY)
    window = [first + timedelta(days=n) for n in range(slack + 1)]
    assert day in window
    assert PRIOR_WEEKDAY[day.weekday()] == max(PRIOR_WEEKDAY[d.weekday()] for d in window)


@settings(max_examples=200, deadline=None)
@given(
    attempts=st.integers(0, 7),
    created=moments,
    gap=st.integers(0, 60 * 24 * 20),
    zone=st.sampled_from(ZONES),
)
def test_the_cadence_keeps_its_spacing_and_stops_after_its_attempts(
    attempts: int, created: datetime, gap: int, zone: str
) -> None:
    cadence = Cadence()
    last = created + timedelta(minutes=gap) if attempts else None
    due = next_due(
        cadence,
        attempts=attempts,
        created_at=created,
        first_call_at=created if attempts else None,
        last_touch_at=last,
        zone=zone,
        weekday_weights=PRIOR_WEEKDAY,
    )
    if attempts >= cadence.max_attempts:
        assert due is None
        return
    assert due is not None
    if last is not None:
        assert due >= last + cadence.spacing
    step = cadence.steps[attempts]
    if step.day is not None:  # a "day N" attempt starts its (best) day at local midnight
        local = local_time(due, zone)
        assert (local.hour, local.minute) == (0, 0) or due == last + cadence.spacing


def test_the_default_schedule_is_the_published_one() -> None:
    steps = [s.text for s in Cadence().steps]
    assert steps == ["now", "+30m", "+1h", "day 5", "day 14", "day 15"]
    assert parse_step("+2h").after_minutes == 120 and parse_step("day 3").day == 3


def _item(lead_id: int, temperature: Temperature, score: float):
    lead = Lead(lead_id, "L", "C", "+1", "", datetime(2026, 1, 1, tzinfo=UTC))
    lead = Lead(**{**{f: getattr(lead, f) for f in Lead.__slots__}, "temperature": temperature})
    return score_item(lead, score)


def score_item(lead: Lead, score: float):
    from callblock.domain.priority import QueueItem

    return QueueItem(lead, score, "follow-up", ("r",), datetime(2026, 1, 1, tzinfo=UTC))


@given(st.lists(st.sampled_from(list(Temperature)), min_size=1, max_size=40))
def test_the_mix_keeps_a_quarter_of_the_block_for_warm_leads(temperatures) -> None:
    items = [_item(n, t, 200 - n) for n, t in enumerate(temperatures)]
    mixed = mix(items, 0.25, 0.0)
    assert sorted(i.lead.id for i in mixed) == sorted(i.lead.id for i in items)
    available = sum(t is Temperature.WARM for t in temperatures)
    for k in range(1, len(mixed) + 1):
        warm = sum(i.lead.temperature is Temperature.WARM for i in mixed[:k])
        assert warm >= min(int(0.25 * k), available)


@settings(max_examples=100, deadline=None)
@given(
    windows=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=150),
    capacity=st.integers(1, 40),
)
def test_thursday_never_holds_fewer_follow_ups_than_monday_all_else_equal(
    windows: list[tuple[int, int]], capacity: int
) -> None:
    """Same block every weekday, same capacity; every follow-up that could go on Monday could
    also go on Thursday (its window holds both or neither)."""
    from callblock.domain.planning import BlockRule

    rule = BlockRule("Hour", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=10", 60, capacity)
    blocks = week_blocks([rule], date(2026, 11, 23), "America/New_York")
    monday = blocks[0].start.replace(hour=0)
    calls = []
    for start, length in windows:
        first, last = start, min(start + length, 6)
        if first <= 0 <= last and not first <= 3 <= last:
            last = 3  # holds Monday, so it holds Thursday too
        calls.append(
            DueCall(
                "follow-up",
                monday + timedelta(days=first),
                monday + timedelta(days=last, hours=23),
                "America/New_York",
            )
        )
    plan = plan_week(blocks, calls, Weights(), 0.2, monday - timedelta(days=1))
    by_day = {p.block.start.weekday(): p.follow_ups for p in plan.blocks}
    assert by_day[3] >= by_day[0]
    assert max(by_day.values()) <= capacity
    weekdays = sum(first <= 4 for first, _ in windows)
    # every call with a block left for it is placed, or counted over capacity
    assert sum(by_day.values()) + plan.over_capacity == weekdays


def test_promises_are_never_postponed_for_a_better_day() -> None:
    from callblock.domain.planning import BlockRule

    rule = BlockRule("Hour", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=10", 60, 3)
    blocks = week_blocks([rule], date(2026, 11, 23), "America/New_York")
    monday_10 = blocks[0].start.replace(minute=30)
    calls = [DueCall("promise", monday_10, monday_10, "America/New_York", 3)]
    plan = plan_week(blocks, calls, Weights(), 0.2, monday_10 - timedelta(days=1))
    assert [p.promises for p in plan.blocks] == [3, 0, 0, 0, 0]  # Monday, not a better day
    # (above a block's target, promises are counted over capacity: tests/test_plan_capacity.py)


@given(
    dials=st.integers(0, 100_000),
    contacts_share=st.floats(0.0, 1.0),
)
def test_blended_weights_lean_on_the_prior_until_there_are_enough_dials(
    dials: int, contacts_share: float
) -> None:
    contacts = int(dials * contacts_share)
    tallies = {0: Tally(dials, contacts), 3: Tally(1000, 200)}
    blended = blend(PRIOR_WEEKDAY, tallies, prior_dials=200)
    monday = blended[0]
    if dials == 0:
        assert monday.observed is None and monday.blended == PRIOR_WEEKDAY[0]
        return
    assert monday.observed is not None
    low, high = sorted((monday.prior, monday.observed))
    assert low - 1e-9 <= monday.blended <= high + 1e-9
    weight_on_observed = dials / (dials + 200)
    expected = weight_on_observed * monday.observed + (1 - weight_on_observed) * monday.prior
    assert abs(monday.blended - expected) < 1e-9
    assert blended[2].blended == PRIOR_WEEKDAY[2]  # no dials on Wednesday: the prior


def test_florida_allows_three_calls_a_day_and_closes_at_eight() -> None:
    rules = CallingRules()
    evening = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)  # 20:30 in Miami and New York
    assert not rules.allows(evening, "America/New_York", "US-FL")
    assert rules.allows(evening, "America/New_York", "US-NY")
    assert rules.window_for("US-FL").max_calls_per_day == 3
    assert rules.window_for("US-TX") == rules.default
