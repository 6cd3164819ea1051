"""Issue 12, figures a lead can act on: readable first-dial speed, a pace only after 15 minutes,
a named best hour only over 20 dials, the team's reps whatever the filter, callbacks set once
per promise, `report --json` and an unknown rep refused."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.figures import (
    PromiseRecord,
    SessionSpan,
    format_figure,
    format_minutes,
    reschedules,
)
from callblock.domain.heatmap import HeatMap
from callblock.services import dialing, sessions
from callblock.services.review import period_for, rep_report
from callblock.services.sessions import SessionStats
from callblock.services.team import add_rep
from callblock.store import Store
from tests.review_helpers import DAY, at, build_team_log
from tests.test_review_cli import run
from tests.test_review_figures import T0, figures, touch

NOW = "2026-11-24T12:00:00Z"


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (0.4, "<1 min"),
        (30.0, "30 min"),
        (59.4, "59 min"),
        (59.6, "1.0 h"),
        (150.0, "2.5 h"),
        (47 * 60, "47.0 h"),
        (26784.7, "18.6 d"),
    ],
)
def test_first_dial_speed_in_minutes_hours_or_days(minutes: float, shown: str) -> None:
    assert format_minutes(minutes) == shown
    assert format_figure("first_dial_minutes_median", minutes) == shown
    assert format_figure("first_dial_minutes_median", None) == "–"


def test_dials_per_hour_only_after_15_minutes_of_session() -> None:
    log = [touch("alice", n, 540 + n, "no-answer", session_id=1) for n in range(1, 6)]

    def per_hour(session_minutes: float) -> object:
        span = SessionSpan(
            1,
            "alice",
            "b",
            T0 + timedelta(minutes=540),
            T0 + timedelta(minutes=540 + session_minutes),
        )
        return figures(log, sessions=[span])["alice"].dials_per_hour

    assert per_hour(14.9) is None
    assert per_hour(15) == 20.0


def test_session_pace_and_rate_undefined_until_they_mean_something() -> None:
    young = SessionStats(4, 0, 0, 0, timedelta(minutes=14, seconds=59), 60)
    assert young.pace_per_hour is None
    assert SessionStats(5, 1, 0, 0, timedelta(minutes=15), 60).pace_per_hour == 20.0
    assert SessionStats(0, 0, 0, 0, timedelta(minutes=30), 60).contact_rate is None


def test_heat_map_names_a_best_hour_only_over_20_dials() -> None:
    heat = HeatMap()
    heat.cells[0][9] = [19, 19]  # a perfect rate over 19 dials says little
    heat.cells[1][10] = [20, 5]
    heat.cells[2][11] = [40, 4]
    assert heat.extremes() == ((1, 10), (2, 11))
    heat.cells[1][10] = [19, 5]
    heat.cells[2][11] = [19, 4]
    assert heat.extremes() is None
    assert heat.level(0, 9) is not None  # the cell is still shaded


def test_a_rescheduled_callback_counts_once() -> None:
    first = touch("alice", 1, 540, "callback", session_id=1)
    again = touch("alice", 1, 600, "callback", session_id=1)  # moves it before it is due
    later = touch("alice", 1, 1380, "callback", session_id=1)  # a new one, the first kept
    set_at = T0 + timedelta(minutes=540)
    moved_promise = PromiseRecord(
        1, 1, "alice", "callback", T0 + timedelta(days=2), "open", None, set_at, first.id
    )
    # comply's store replaces the open promise: the old one closed by the rescheduling dial
    replaced = PromiseRecord(
        1, 1, "alice", "callback", T0 + timedelta(minutes=900), "closed", again.at, set_at, first.id
    )
    kept_one = PromiseRecord(
        1,
        1,
        "alice",
        "callback",
        T0 + timedelta(minutes=1380),
        "closed",
        later.at,
        set_at,
        first.id,
    )
    assert reschedules([first, again], [moved_promise]) == {again.id}
    assert reschedules([first, again], [replaced]) == {again.id}
    assert reschedules([first, later], [kept_one]) == set()
    rows = figures([first, again], callbacks=[moved_promise])
    assert rows["alice"].callbacks_set == 1


def test_rescheduling_in_the_store_counts_once(store: Store, clock: FixedClock, settings) -> None:
    leads = build_team_log(store, clock)
    clock.set(at(16))
    block = sessions.start_session(store, clock, rep="dora", block_name="b", target=60)
    for when in (at(20), at(21)):  # set, then moved before it came due
        dialing.record_outcome(
            store,
            clock,
            rep="dora",
            lead_id=leads["c"],
            code="callback",
            when=when,
            session_id=block.id,
            settings=Settings(),
        )
        clock.set(at(16, 5))
    [dora] = rep_report(store, period_for(settings, clock, day=DAY), rep="dora")
    assert dora.dials == 2 and dora.callbacks_set == 1
    assert sessions.session_stats(store, block, clock.now()).callbacks == 1  # the summary too


def test_reps_are_the_team_whatever_it_did(store: Store, clock: FixedClock, settings) -> None:
    build_team_log(store, clock)
    period = period_for(settings, clock, day=DAY)
    assert [r.rep for r in rep_report(store, period)] == ["alice", "bob"]
    add_rep(store, clock, "erin")
    assert [r.rep for r in rep_report(store, period)] == ["alice", "bob", "erin"]
    [erin] = rep_report(store, period, rep="erin")
    assert erin.dials == 0 and erin.dials_per_hour is None


def test_report_json_is_an_alias_of_format_json(capsys, team_db: Path) -> None:
    _, by_format, _ = run(capsys, team_db, "report", "--date", DAY, "--format", "json")
    code, by_flag, err = run(capsys, team_db, "report", "--date", DAY, "--json")
    assert code == 0, err
    assert json.loads(by_flag) == json.loads(by_format)
    with pytest.raises(SystemExit) as help_exit:
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert help_exit.value.code == 0 and "--json" in out and "same as --format json" in out


def test_report_for_a_rep_with_no_record_is_an_error(capsys, team_db: Path) -> None:
    code, out, err = run(capsys, team_db, "report", "--rep", "nobody", "--date", DAY)
    assert (code, out) == (1, "")
    assert err == "callblock: error: no rep named 'nobody'\n"
    # carmen dialed on another day: an idle day is a row of zeros, not an error
    code, out, _ = run(capsys, team_db, "report", "--rep", "carmen", "--date", DAY, "--json")
    assert code == 0 and json.loads(out)[0]["dials"] == 0


def test_report_table_shows_first_dial_speed_readably(capsys, team_db: Path) -> None:
    code, out, _ = run(capsys, team_db, "report", "--date", DAY)
    assert code == 0
    assert "1st dial" in out and "30 min" in out
    assert max(len(line) for line in out.splitlines()) <= 80
