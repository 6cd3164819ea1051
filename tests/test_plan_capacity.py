"""The week plan keeps every block at or under its target: a backlog spreads over the week's
blocks, best-weighted first within what each lead's promise and schedule allow, and what does
not fit is counted over capacity (pure domain, with hypothesis properties)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callblock.domain.calling import zone_info
from callblock.domain.planning import (
    DEFAULT_BLOCKS,
    BlockRule,
    DueCall,
    due_call,
    plan_week,
    week_blocks,
)
from callblock.domain.weights import Weights

ZONE = "America/New_York"
TZ = zone_info(ZONE)
MONDAY = date(2026, 11, 23)
BLOCKS = week_blocks(DEFAULT_BLOCKS, MONDAY, ZONE)  # Mon..Fri 09:00, Wed and Thu 16:00
# Monday 14:30 New York: Monday's block is over; Tuesday 09:00 is the next one
MONDAY_AFTERNOON = datetime(2026, 11, 23, 14, 30, tzinfo=TZ)
LABELS = ["Mon 9", "Tue 9", "Wed 9", "Wed 16", "Thu 9", "Thu 16", "Fri 9"]


def backlog(count: int, now: datetime, slack_days: int = 2) -> DueCall:
    """`count` follow-ups overdue since last week."""
    return due_call("follow-up", now - timedelta(days=6), now, ZONE, TZ, slack_days, count)


def dials(calls: list[DueCall], now: datetime = MONDAY_AFTERNOON) -> dict[str, int]:
    plan = plan_week(BLOCKS, calls, Weights(), 0.2, now)
    return {label: p.planned_dials for label, p in zip(LABELS, plan.blocks, strict=True)}


def test_a_backlog_never_overfills_the_next_block() -> None:
    """The demo's week: 142 backlog dials went into Tuesday 09:00 (target 60), 0 to Wed 09:00."""
    plan = plan_week(BLOCKS, [backlog(142, MONDAY_AFTERNOON)], Weights(), 0.2, MONDAY_AFTERNOON)
    assert all(p.planned_dials <= p.block.target_dials for p in plan.blocks)
    assert sum(p.planned_dials for p in plan.blocks) == 142
    assert plan.over_capacity == 0


def test_a_backlog_waits_up_to_slack_days_for_the_best_weighted_blocks() -> None:
    # Monday 14:30 with slack 2: Tue and Wed are in reach; Wed 16:00 (0.97 x 1.00) then
    # Wed 09:00 (0.97 x 0.90) weigh more than Tue 09:00 (0.68 x 0.90)
    assert dials([backlog(100, MONDAY_AFTERNOON)]) == {
        "Mon 9": 0,
        "Tue 9": 0,
        "Wed 9": 40,
        "Wed 16": 60,
        "Thu 9": 0,
        "Thu 16": 0,
        "Fri 9": 0,
    }
    # more than the window holds: Tuesday takes its share, the rest goes to the next blocks
    assert dials([backlog(200, MONDAY_AFTERNOON)]) == {
        "Mon 9": 0,
        "Tue 9": 60,
        "Wed 9": 60,
        "Wed 16": 60,
        "Thu 9": 20,
        "Thu 16": 0,
        "Fri 9": 0,
    }


def test_no_slack_means_the_backlog_is_called_today_or_at_the_next_block() -> None:
    got = dials([backlog(70, MONDAY_AFTERNOON, slack_days=0)])
    assert got["Tue 9"] == 60 and got["Wed 9"] == 10  # past its window: the next with room


def test_what_does_not_fit_the_week_is_over_capacity() -> None:
    plan = plan_week(BLOCKS, [backlog(1000, MONDAY_AFTERNOON)], Weights(), 0.2, MONDAY_AFTERNOON)
    assert [p.planned_dials for p in plan.blocks] == [0, 60, 60, 60, 60, 60, 60]
    assert plan.over_capacity == 1000 - 360


def test_promises_keep_their_block_and_fill_it_first() -> None:
    thu_930 = datetime(2026, 11, 26, 9, 30, tzinfo=TZ)
    promises = due_call("promise", thu_930, MONDAY_AFTERNOON, ZONE, TZ, 2, 20)
    follow_ups = due_call("follow-up", thu_930, MONDAY_AFTERNOON, ZONE, TZ, 2, 100)
    plan = plan_week(BLOCKS, [follow_ups, promises], Weights(), 0.2, MONDAY_AFTERNOON)
    thu_9, thu_16, fri_9 = plan.blocks[4:]
    assert (thu_16.promises, thu_16.follow_ups) == (0, 60)  # the best block of their day
    assert (thu_9.promises, thu_9.follow_ups) == (20, 40)  # the promises first, then the room
    assert fri_9.planned_dials == 0 and plan.over_capacity == 0


def test_promises_above_a_blocks_target_are_over_capacity_not_moved_to_another_day() -> None:
    rule = BlockRule("Hour", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=10", 60, 1)
    blocks = week_blocks([rule], MONDAY, ZONE)
    monday_1030 = blocks[0].start.replace(minute=30)
    calls = [due_call("promise", monday_1030, monday_1030, ZONE, TZ, 2, 3)]
    plan = plan_week(blocks, calls, Weights(), 0.2, monday_1030 - timedelta(days=1))
    assert [p.promises for p in plan.blocks] == [1, 0, 0, 0, 0]
    assert plan.over_capacity == 2


def test_a_promise_with_no_block_left_that_day_is_not_over_capacity() -> None:
    evening = datetime(2026, 11, 24, 18, 0, tzinfo=TZ)  # Tuesday 18:00, after its only block
    plan = plan_week(
        BLOCKS,
        [due_call("promise", evening, MONDAY_AFTERNOON, ZONE, TZ, 2)],
        Weights(),
        0.2,
        MONDAY_AFTERNOON,
    )
    assert sum(p.planned_dials for p in plan.blocks) == 0 and plan.over_capacity == 0


def test_fresh_inbound_goes_to_the_next_block_with_room_never_a_better_day() -> None:
    calls = [DueCall("inbound", MONDAY_AFTERNOON, MONDAY_AFTERNOON, ZONE, 70)]
    plan = plan_week(BLOCKS, calls, Weights(), 0.2, MONDAY_AFTERNOON)
    assert [p.inbound for p in plan.blocks] == [0, 60, 10, 0, 0, 0, 0]


# properties ------------------------------------------------------------------------------------
HOURS = st.lists(st.integers(8, 19), min_size=1, max_size=3, unique=True)


@st.composite
def week_rules(draw: st.DrawFn) -> list[BlockRule]:
    """Rules that repeat every weekday at the same hour with one target each: so each block of
    Wednesday and Thursday has a Monday, Tuesday and Friday twin of equal capacity."""
    return [
        BlockRule(f"B{hour}", f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR={hour}", 60, target)
        for hour, target in zip(
            draw(HOURS), draw(st.lists(st.integers(0, 50), min_size=3, max_size=3)), strict=False
        )
    ]


calls_strategy = st.lists(
    st.tuples(
        st.sampled_from(["promise", "inbound", "follow-up"]),
        st.integers(-3 * 24 * 60, 7 * 24 * 60),  # minutes from Monday 00:00 (before: backlog)
        st.integers(1, 80),
        st.sampled_from([ZONE, "America/Los_Angeles", "Europe/London"]),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    rules=week_rules(),
    raw=calls_strategy,
    now_minutes=st.integers(-24 * 60, 5 * 24 * 60),
    slack=st.integers(0, 6),
)
def test_no_block_is_ever_planned_above_its_target(rules, raw, now_minutes, slack) -> None:
    blocks = week_blocks(rules, MONDAY, ZONE)
    start = datetime.combine(MONDAY, datetime.min.time(), tzinfo=TZ)
    now = start + timedelta(minutes=now_minutes)
    calls = [
        due_call(kind, start + timedelta(minutes=at), now, zone, TZ, slack, count)
        for kind, at, count, zone in raw
    ]
    plan = plan_week(blocks, calls, Weights(), 0.2, now)
    for planned in plan.blocks:
        assert planned.planned_dials <= planned.block.target_dials
        if planned.block.end <= now:
            assert planned.planned_dials == 0  # nothing is planned into the past
    placed = sum(p.planned_dials for p in plan.blocks)
    assert placed + plan.over_capacity <= sum(count for _k, _a, count, _z in raw)
    room = sum(p.block.target_dials - p.planned_dials for p in plan.blocks if p.block.end > now)
    assert plan.over_capacity == 0 or room == 0 or _over_is_forced(plan, calls, now)


def _over_is_forced(plan, calls, now) -> bool:
    """Some call has every block it could still go in full (a promise: the blocks of its day):
    calls are left over only then."""
    full = {p.block for p in plan.blocks if p.planned_dials == p.block.target_dials}
    for call in calls:
        earliest = max(call.earliest, now)
        open_ = [p.block for p in plan.blocks if p.block.end > max(earliest, now)]
        if call.kind == "promise":
            open_ = [b for b in open_ if b.start.date() == earliest.astimezone(TZ).date()]
        if open_ and set(open_) <= full:
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(
    rules=week_rules(),
    counts=st.lists(st.integers(1, 90), min_size=1, max_size=8),
    slack=st.integers(0, 6),
    now_minutes=st.integers(-3 * 24 * 60, 0),
)
def test_wednesday_and_thursday_are_never_planned_below_monday_tuesday_or_friday(
    rules, counts, slack, now_minutes
) -> None:
    """Random backlogs and follow-ups planned from before the week: a Wednesday or Thursday
    block never holds fewer dials than a Monday, Tuesday or Friday block of equal capacity at
    the same hour, for every call that could go in the one could go in the other."""
    blocks = week_blocks(rules, MONDAY, ZONE)
    start = datetime.combine(MONDAY, datetime.min.time(), tzinfo=TZ)
    now = start + timedelta(minutes=now_minutes)
    # the backlog (due before now) may wait the whole week; follow-ups due in the week may go
    # on any day from their due day to Friday and, if due Mon/Tue, through Thursday at least
    calls = [backlog_for_the_week(count, now) for count in counts[:2]]
    for offset, count in enumerate(counts[2:]):
        due = start + timedelta(days=offset % 2)  # Monday or Tuesday
        calls.append(DueCall("follow-up", due, start + timedelta(days=4, hours=23), ZONE, count))
    plan = plan_week(blocks, calls, Weights(), 0.2, now)
    for good in plan.blocks:
        for other in plan.blocks:
            same_slot = (good.block.start.hour, good.block.target_dials) == (
                other.block.start.hour,
                other.block.target_dials,
            )
            better_day = good.block.start.weekday() in (2, 3)
            if same_slot and better_day and other.block.start.weekday() in (0, 1, 4):
                assert good.planned_dials >= other.planned_dials, (good, other)


def backlog_for_the_week(count: int, now: datetime) -> DueCall:
    friday_night = datetime.combine(MONDAY + timedelta(days=4), datetime.max.time(), tzinfo=TZ)
    return DueCall("follow-up", now - timedelta(days=1), friday_night, ZONE, count)
