"""The team lead's figures are exact: known touches in, every figure checked (domain, pure)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callblock.domain.cracks import (
    late_inbound,
    promise_missed,
    promise_overdue,
    two_reps_same_day,
)
from callblock.domain.csvcells import neutralize_cell, restore_cell
from callblock.domain.figures import (
    TEAM,
    LeadBaseline,
    PromiseRecord,
    SessionSpan,
    kept,
    rep_figures,
)
from callblock.domain.heatmap import SlotCount, heat_map, slot_of, slots_from_touches
from callblock.domain.models import Channel, Touch
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.periods import Period, PeriodError, day_start, make_period, parse_day

NY = "America/New_York"
T0 = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # Monday 23 Nov 00:00 in New York
DAY = Period(date(2026, 11, 23), date(2026, 11, 23), NY)
_ids = iter(range(1, 1_000_000))


def touch(rep: str, lead: int, minutes: float, outcome: str, **extra: object) -> Touch:
    at = T0 + timedelta(minutes=minutes)
    return Touch(next(_ids), lead, rep, at, Channel.CALL, outcome, **extra)  # type: ignore[arg-type]


def base(lead: int, prior: int = 0, arrived_min: float = -60) -> LeadBaseline:
    return LeadBaseline(lead, T0 + timedelta(minutes=arrived_min), prior)


def figures(touches: list[Touch], **kwargs: object) -> dict[str, object]:
    leads = {t.lead_id for t in touches}
    baselines = kwargs.pop("baselines", {lead: base(lead) for lead in leads})
    rows = rep_figures(
        touches,
        start=DAY.start,
        end=DAY.end,
        baselines=baselines,
        **kwargs,  # type: ignore[arg-type]
    )
    return {row.rep: row for row in rows}


def test_every_figure_of_a_known_day() -> None:
    # alice: 9:00 local = 14:00 UTC = minute 540 after local midnight
    log = [
        touch("alice", 1, 540, "no-answer", session_id=1),
        touch("alice", 1, 610, "connected", session_id=1),
        touch("alice", 2, 545, "callback", session_id=1),
        touch("alice", 3, 550, "meeting", session_id=1),
        touch("alice", 4, 555, "gatekeeper", session_id=1),
        touch("alice", 5, 560, "not-interested", session_id=1),
        touch("alice", 6, 565, "voicemail", undone=True, session_id=1),  # never counts
        touch("bob", 7, 900, "dnc"),
        touch("bob", 8, 905, "busy"),
        touch("bob", 1, 1000, "voicemail"),
    ]
    baselines = {lead: base(lead, arrived_min=530) for lead in range(1, 9)}
    baselines[8] = base(8, prior=3)  # called three times on earlier days
    baselines[1] = base(1, arrived_min=500)
    promises = [
        # alice's callback due 10:00 local; a dial by bob at 10:20 (within 30 min) keeps it
        PromiseRecord(
            1,
            9,
            "alice",
            "callback",
            T0 + timedelta(minutes=600),
            "closed",
            T0 + timedelta(minutes=620),
        ),
        # due 11:00, dialed at 11:40: missed, not kept
        PromiseRecord(
            2,
            9,
            "alice",
            "callback",
            T0 + timedelta(minutes=660),
            "closed",
            T0 + timedelta(minutes=700),
        ),
        # undone promise: ignored
        PromiseRecord(3, 9, "alice", "callback", T0 + timedelta(minutes=700), "undone"),
        # due tomorrow: not this day's
        PromiseRecord(
            4,
            9,
            "alice",
            "callback",
            T0 + timedelta(days=1, minutes=1),
            "closed",
            T0 + timedelta(days=1, minutes=2),
        ),
    ]
    sessions = [
        SessionSpan(
            1, "alice", "Power hour", T0 + timedelta(minutes=530), T0 + timedelta(minutes=620)
        )
    ]
    rows = figures(log, baselines=baselines, promises=promises, sessions=sessions, team_row=True)
    alice, bob, team = rows["alice"], rows["bob"], rows[TEAM]
    assert alice.as_dict() == {
        "rep": "alice",
        "dials": 6,
        "contacts": 4,  # connected, callback, meeting, not-interested
        "contact_rate": 0.6667,
        "conversations": 3,  # connected, callback, meeting
        "meetings": 1,
        "callbacks_set": 1,
        "callbacks_kept": 1,
        # leads 1..5: lead 1's 2nd attempt at alice's last dial on it; the rest 1st
        "avg_attempts": 1.2,
        # first calls: lead 1 at 540 (arrived 500: 40), 2: 15, 3: 20, 4: 25, 5: 30
        "first_dial_minutes_median": 25.0,
        # 6 dials in 1.5 h of session
        "dials_per_hour": 4.0,
    }
    assert alice.sessions == 1
    assert bob.as_dict() == {
        "rep": "bob",
        "dials": 3,
        "contacts": 1,
        "contact_rate": 0.3333,
        "conversations": 0,
        "meetings": 0,
        "callbacks_set": 0,
        "callbacks_kept": 0,
        "avg_attempts": 2.67,  # (lead 7: 1 + lead 8: 3 before + 1 + lead 1: 3rd) / 3
        "first_dial_minutes_median": 370.0,  # lead 7 arrived 530, called 900
        "dials_per_hour": None,  # no session
    }
    assert team.dials == 9 and team.contacts == 5 and team.callbacks_kept == 1
    assert team.first_dial_minutes_median == 27.5  # 15 20 25 30 | 40 370 -> (25 + 30) / 2
    assert team.sessions == 1


def test_day_boundaries_are_the_team_zone_midnights() -> None:
    log = [
        touch("alice", 1, -1, "connected"),  # 23:59 the day before (local)
        touch("alice", 2, 0, "no-answer"),  # 00:00 local: this day
        touch("alice", 3, 24 * 60 - 1, "no-answer"),  # 23:59 local: this day
        touch("alice", 4, 24 * 60, "connected"),  # 00:00 the next day
    ]
    assert figures(log)["alice"].dials == 2
    assert figures(log)["alice"].contacts == 0


def test_a_dst_change_day_has_25_hours_and_counts_them_all() -> None:
    # New York falls back on Sunday 1 Nov 2026: local midnight to midnight is 25 hours.
    fall = Period(date(2026, 11, 1), date(2026, 11, 1), NY)
    assert fall.start == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert fall.end == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # 00:00 EST
    spring = Period(date(2026, 3, 8), date(2026, 3, 8), NY)
    assert spring.end - spring.start == timedelta(hours=23)
    moments = [
        datetime(2026, 11, 1, 3, 59, tzinfo=UTC),  # 23:59 EDT 31 Oct: outside
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT (first 01:30)
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 01:30 EST (the repeated hour)
        datetime(2026, 11, 2, 4, 30, tzinfo=UTC),  # 23:30 EST 1 Nov: inside
        datetime(2026, 11, 2, 5, 0, tzinfo=UTC),  # 00:00 EST 2 Nov: outside
    ]
    log = [Touch(n, n, "dev", at, Channel.CALL, "no-answer") for n, at in enumerate(moments, 1)]
    rows = rep_figures(
        log,
        start=fall.start,
        end=fall.end,
        baselines={n: LeadBaseline(n, moments[0], 0) for n in range(1, 6)},
    )
    assert [(r.rep, r.dials) for r in rows] == [("dev", 3)]
    sessions = [SessionSpan(1, "dev", "b", fall.start, fall.end)]  # the whole 25-hour day
    [row] = rep_figures(log, start=fall.start, end=fall.end, baselines={}, sessions=sessions)
    assert row.dials_per_hour == round(0 / 25, 1)  # no session dials; the hours are 25


def test_sessions_are_clipped_to_the_period_and_an_idle_rep_still_shows() -> None:
    night = SessionSpan(
        1, "carmen", "Late block", T0 - timedelta(minutes=30), T0 + timedelta(minutes=30)
    )
    log = [
        touch("carmen", 1, -10, "no-answer", session_id=1),  # the day before: not counted
        touch("carmen", 2, 10, "no-answer", session_id=1),
        touch("carmen", 3, 20, "voicemail", session_id=1),
    ]
    rows = figures(log, sessions=[night, SessionSpan(2, "dev", "Power hour", T0, T0)])
    assert rows["carmen"].dials_per_hour == 4.0  # 2 dials in the 30 minutes inside the day
    assert rows["carmen"].sessions == 0  # started the day before
    assert rows["dev"].dials == 0 and rows["dev"].sessions == 1
    assert rows["dev"].contact_rate is None and rows["dev"].dials_per_hour is None


OUTCOME_CODES = [o.code for o in OUTCOMES]
touches_strategy = st.lists(
    st.tuples(
        st.sampled_from(["alice", "bob", "carmen"]),
        st.integers(1, 6),
        st.integers(-120, 26 * 60),
        st.sampled_from(OUTCOME_CODES),
        st.booleans(),
    ),
    max_size=40,
)


@given(touches_strategy, st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_undone_touches_never_count_and_order_does_not_matter(rows, rng: random.Random) -> None:
    log = [
        touch(rep, lead, minute, code, undone=undone) for rep, lead, minute, code, undone in rows
    ]
    live = [t for t in log if not t.undone]
    leads = {t.lead_id for t in log}
    baselines = {lead: base(lead, prior=lead % 3, arrived_min=-30) for lead in leads}
    shuffled = log[:]
    rng.shuffle(shuffled)

    def run(touches: list[Touch]) -> list[object]:
        return rep_figures(
            touches, start=DAY.start, end=DAY.end, baselines=baselines, team_row=True
        )

    everything = run(log)
    assert everything == run(live) == run(shuffled)
    per_rep = [r for r in everything if r.rep != TEAM]
    if per_rep:
        team = everything[-1]
        assert team.dials == sum(r.dials for r in per_rep)
        assert team.contacts == sum(r.contacts for r in per_rep)
        assert team.meetings == sum(r.meetings for r in per_rep)
    for row in everything:
        assert 0 <= row.conversations <= row.contacts <= row.dials
        assert row.meetings + row.callbacks_set <= row.conversations


def test_promises_kept_missed_and_overdue() -> None:
    due = T0 + timedelta(hours=15)

    def promise(state: str, closed_after: float | None) -> PromiseRecord:
        closed = due + timedelta(minutes=closed_after) if closed_after is not None else None
        return PromiseRecord(1, 1, "alice", "callback", due, state, closed)

    assert kept(promise("closed", -5)) and kept(promise("closed", 30))
    assert not kept(promise("closed", -6)) and not kept(promise("closed", 31))
    assert promise_missed(promise("closed", 31)) and not promise_missed(promise("closed", 30))
    assert not promise_missed(promise("closed", -60))  # withdrawn early (do not call)
    assert promise_overdue(promise("open", None), due + timedelta(minutes=31))
    assert not promise_overdue(promise("open", None), due + timedelta(minutes=30))
    assert late_inbound(T0, T0 + timedelta(minutes=61), T0 + timedelta(days=1))
    assert not late_inbound(T0, T0 + timedelta(minutes=60), T0 + timedelta(days=1))
    assert late_inbound(T0, None, T0 + timedelta(minutes=61))
    assert not late_inbound(T0, None, T0 + timedelta(minutes=59))


def test_two_reps_on_one_day_in_the_team_zone() -> None:
    log = [
        touch("alice", 1, 600, "no-answer"),
        touch("bob", 1, 700, "voicemail"),
        touch("bob", 2, 600, "no-answer"),
        touch("alice", 2, 24 * 60 + 5, "no-answer"),  # the next day: not the same day
        touch("carmen", 3, 600, "no-answer"),
        touch("dev", 3, 610, "no-answer", undone=True),  # undone: does not count
    ]
    found = two_reps_same_day(log, NY)
    assert [(c.lead_id, c.rep, c.detail) for c in found] == [(1, "alice, bob", "2026-11-23")]


def test_heat_map_uses_the_lead_local_hour_including_half_hour_zones() -> None:
    zones = {1: "America/New_York", 2: "Asia/Kolkata", 3: ""}
    log = [
        touch("a", 1, 16 * 60 + 5, "connected"),  # Mon 16:05 New York
        touch("a", 2, 16 * 60 + 5, "no-answer"),  # 21:05 UTC = Tue 02:35 Kolkata
        touch("a", 2, 16 * 60 + 20, "connected"),  # 21:20 UTC = Tue 02:50 Kolkata
        touch("a", 2, 16 * 60 + 30, "connected"),  # 21:30 UTC = Tue 03:00 Kolkata
        touch("a", 3, 60, "busy", undone=True),  # undone: not on the map
    ]
    grid = heat_map(slots_from_touches(log, zones.__getitem__), "Europe/Paris")
    assert grid.cells[0][16] == [1, 1]
    assert grid.cells[1][2] == [2, 1]
    assert grid.cells[1][3] == [1, 1]
    assert grid.dials == 4 and grid.contacts == 3
    assert slot_of(datetime(2026, 1, 1, 10, 44, 59, tzinfo=UTC)).minute == 30
    many = [SlotCount("UTC", datetime(2026, 11, 23, 16, 0, tzinfo=UTC), 20, 18)]
    many += [SlotCount("UTC", datetime(2026, 11, 24, 11, 0, tzinfo=UTC), 20, 2)]
    grid = heat_map(many, "UTC")
    assert grid.level(0, 16) == 3 and grid.level(1, 11) == 0
    assert grid.extremes() == ((0, 16), (1, 11))


def test_periods_and_days() -> None:
    today = date(2026, 11, 23)
    assert parse_day("yesterday", today, field="x") == date(2026, 11, 22)
    assert parse_day("-7", today, field="x") == date(2026, 11, 16)
    assert make_period(today=today, zone=NY).first == today
    assert make_period(today=today, zone=NY, first="2026-11-01").last == date(2026, 11, 1)
    for bad in (
        {"day": "2026-02-30"},
        {"first": "2026-11-05", "last": "2026-11-01"},
        {"day": "today", "first": "today"},
    ):
        try:
            make_period(today=today, zone=NY, **bad)
        except PeriodError:
            continue
        raise AssertionError(bad)
    assert day_start(date(2026, 3, 8), NY) == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)


@given(st.text())
def test_csv_cells_round_trip(text: str) -> None:
    neutral = neutralize_cell(text)
    assert not neutral.startswith(("=", "+", "-", "@", "\t", "\r"))
    if not (text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r")):
        assert restore_cell(neutral) == text
