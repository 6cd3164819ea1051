"""`callblock plan` and the tiers of `callblock queue`: the JSON contract, weeks, any `--now`,
and the queue order being the order the power-hour screen presents (extends
tests/test_queue_contract.py, which covers inbound leads only)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callblock.app import create_app
from callblock.cli import main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.screens.power_hour import PowerHourScreen
from callblock.services import dialing
from callblock.services.planning import week_plan
from callblock.store import Store
from tests.conftest import NOW, ZONE

NOW_ARG = "2026-11-23T19:00:00Z"  # Mon 23 Nov 2026 14:00 New York
TIERS = {"promise", "inbound", "follow-up", "nurture"}
PLAN_FIELDS = {"day", "start", "end", "name", "planned_dials", "expected_contacts"}
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def cli(
    capsys: pytest.CaptureFixture[str], db: Path, *args: str, now: str = NOW_ARG
) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", now, *args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], db: Path, *args: str, now: str = NOW_ARG):
    code, out, err = cli(capsys, db, *args, "--json", now=now)
    assert code == 0, err
    return json.loads(out)


def earlier(clock: FixedClock, delta: timedelta):
    """A context that moves the clock back by `delta` and restores it."""

    class _Back:
        def __enter__(self) -> None:
            clock.set(NOW - delta)

        def __exit__(self, *exc: object) -> None:
            clock.set(NOW)

    return _Back()


def every_tier(store: Store, clock: FixedClock, settings: Settings, make_lead) -> dict[str, int]:
    """One lead per tier for alice at NOW, plus a follow-up; returns {role: lead id}."""
    leads = {
        "promise": make_lead(name="Pat Promise", created=NOW - timedelta(days=3)),
        "inbound": make_lead(name="Ines Inbound", created=NOW - timedelta(minutes=3)),
        "hot": make_lead(name="Hal Hot", temperature="hot", created=NOW - timedelta(days=3)),
        "warm": make_lead(name="Wes Warm", created=NOW - timedelta(days=3)),
        "nurture": make_lead(name="Nia Nurture", created=NOW - timedelta(days=60)),
    }
    with earlier(clock, timedelta(hours=3)):
        dialing.record_outcome(
            store,
            clock,
            rep="alice",
            lead_id=leads["promise"],
            code="callback",
            when=NOW - timedelta(minutes=10),
            settings=settings,
        )
    with earlier(clock, timedelta(hours=2)):
        for role in ("hot", "warm"):
            dialing.record_outcome(
                store, clock, rep="bob", lead_id=leads[role], code="no-answer", settings=settings
            )
    with earlier(clock, timedelta(days=31)):
        dialing.record_outcome(
            store,
            clock,
            rep="bob",
            lead_id=leads["nurture"],
            code="not-interested",
            settings=settings,
        )
    return leads


# plan ------------------------------------------------------------------------------------------
def test_plan_json_contract_for_this_week(capsys, db_path: Path, store, clock, settings, make_lead):
    every_tier(store, clock, settings, make_lead)
    rows = cli_json(capsys, db_path, "plan")
    assert [(r["day"], r["start"][11:16], r["name"]) for r in rows] == [
        ("2026-11-23", "09:00", "Power hour"),
        ("2026-11-24", "09:00", "Power hour"),
        ("2026-11-25", "09:00", "Power hour"),
        ("2026-11-25", "16:00", "Late power hour"),
        ("2026-11-26", "09:00", "Power hour"),
        ("2026-11-26", "16:00", "Late power hour"),
        ("2026-11-27", "09:00", "Power hour"),
    ]
    for row in rows:
        assert set(row) >= PLAN_FIELDS
        assert date.fromisoformat(row["day"]).isoformat() == row["day"]
        for key in ("start", "end"):
            assert OFFSET_TIME.match(row[key]), row[key]
        start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        assert start.utcoffset() == end.utcoffset() == timedelta(hours=-5)  # EST in November
        assert end - start == timedelta(hours=1)
        assert start.date().isoformat() == row["day"]
        assert isinstance(row["planned_dials"], int) and not isinstance(row["planned_dials"], bool)
        assert isinstance(row["expected_contacts"], int | float)
        assert row["planned_dials"] >= 0 and row["expected_contacts"] >= 0
    # the numbers are the planner's: the promise (due today, after the morning block) has no
    # block left today; the fresh inbound lead goes to the next block; the follow-ups due by
    # now (hot, warm, the nurture call) are backlog and wait (slack_days 2) for Wednesday 16:00
    plan = week_plan(store, settings, clock, rep="alice")
    assert [r["planned_dials"] for r in rows] == [p.planned_dials for p in plan.blocks]
    assert [r["expected_contacts"] for r in rows] == [p.expected_contacts for p in plan.blocks]
    assert sum(r["planned_dials"] for r in rows) >= 2
    assert (rows[1]["planned_dials"], rows[1]["inbound"]) == (1, 1)
    assert (rows[3]["planned_dials"], rows[3]["follow_ups"]) == (3, 3)


def test_plan_text_output_lists_the_same_blocks(capsys, db_path: Path) -> None:
    code, out, err = cli(capsys, db_path, "plan")
    assert code == 0, err
    head, *lines = out.strip().splitlines()
    assert head.split()[:3] == ["day", "time", "block"]  # a header row over the table
    assert len(lines) == 7
    assert lines[3].startswith("2026-11-25 Wed 16:00-17:00  Late power hour")


def overdue_follow_ups(store: Store, make_lead, count: int) -> None:
    """`count` leads with an attempt behind them and their next one due two days ago."""
    ids = [make_lead(created=NOW - timedelta(days=9)) for _ in range(count)]
    with store.transaction():
        store.conn.executemany(
            "UPDATE leads SET attempts = 1, status = 'working', last_touch_at = ?, "
            "first_call_at = ?, next_due_at = ? WHERE id = ?",
            [
                (
                    (NOW - timedelta(days=8)).isoformat(),
                    (NOW - timedelta(days=8)).isoformat(),
                    (NOW - timedelta(days=2)).isoformat(),
                    lead,
                )
                for lead in ids
            ],
        )


def test_a_backlog_is_spread_best_days_first_and_never_above_a_target(
    capsys, db_path: Path, store, make_lead
) -> None:
    """The demo's defect: 142 planned dials in Tuesday 09:00 (target 60), 0 in Wednesday's."""
    overdue_follow_ups(store, make_lead, 142)
    rows = cli_json(capsys, db_path, "plan")
    planned = {f"{r['day']} {r['start'][11:16]}": r["planned_dials"] for r in rows}
    assert all(r["planned_dials"] <= r["target_dials"] for r in rows), planned
    assert sum(planned.values()) == 142
    # Monday 14:00 with slack_days 2: Wednesday's two blocks first, then Tuesday's
    assert planned["2026-11-25 16:00"] == planned["2026-11-25 09:00"] == 60, planned
    assert planned["2026-11-24 09:00"] == 22, planned
    assert all(r["week_over_capacity"] == 0 for r in rows)


def test_what_does_not_fit_the_week_is_shown_over_capacity(
    capsys, db_path: Path, store, make_lead
) -> None:
    overdue_follow_ups(store, make_lead, 400)
    rows = cli_json(capsys, db_path, "plan")
    assert [r["planned_dials"] for r in rows] == [0, 60, 60, 60, 60, 60, 60]
    assert {r["week_over_capacity"] for r in rows} == {40}
    code, out, err = cli(capsys, db_path, "plan")
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert last.startswith("over capacity: 40 dials"), out
    assert "add a block" in last and "raise a target" in last


def test_past_blocks_show_what_was_done_beside_the_plan(
    capsys, db_path: Path, store, clock, settings, make_lead
) -> None:
    """Monday 09:00-10:00 is over at 14:00: alice's dials and contacts in it are shown."""
    leads = [make_lead(created=NOW - timedelta(days=1)) for _ in range(3)]
    monday_930 = NOW.replace(hour=14, minute=30)  # 09:30 New York
    for lead, code in zip(leads, ("no-answer", "connected", "voicemail"), strict=True):
        clock.set(monday_930)
        dialing.record_outcome(
            store, clock, rep="alice", lead_id=lead, code=code, settings=settings
        )
    clock.set(NOW)
    rows = cli_json(capsys, db_path, "plan")
    assert (rows[0]["done_dials"], rows[0]["done_contacts"]) == (3, 1)
    assert all(r["done_dials"] is None and r["done_contacts"] is None for r in rows[1:])
    code, out, err = cli(capsys, db_path, "plan")
    assert code == 0, err
    first = out.strip().splitlines()[1]  # under the header row
    assert "done 3 dials, 1 contact" in first, first


def test_plan_help_says_where_over_capacity_and_done_figures_go(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "No block is planned above its target" in text
    assert "'over capacity: N dials' (--json: week_over_capacity on every row)" in text
    assert "(--json: done_dials, done_contacts; null before the start)" in text


@pytest.mark.parametrize(
    ("week", "monday", "offset"),
    [
        ("2026-12-02", "2026-11-30", -5),  # a Wednesday: its Monday-to-Sunday week
        ("2026-11-29", "2026-11-23", -5),  # a Sunday belongs to the week before it
        ("2026-10-28", "2026-10-26", -4),  # before the clocks go back: EDT
        ("2027-03-15", "2027-03-15", -4),  # the Monday after the clocks go forward
        ("1999-12-31", "1999-12-27", -5),  # far past
    ],
)
def test_plan_week_picks_that_week(
    capsys, db_path: Path, week: str, monday: str, offset: int
) -> None:
    rows = cli_json(capsys, db_path, "plan", "--week", week)
    first = date.fromisoformat(monday)
    weekdays = [(first + timedelta(days=n)).isoformat() for n in range(5)]
    assert sorted({r["day"] for r in rows}) == weekdays  # Mon..Fri of that week
    assert [r["day"] for r in rows] == sorted(r["day"] for r in rows)
    for row in rows:
        start = datetime.fromisoformat(row["start"])
        assert start.utcoffset() == timedelta(hours=offset), row["start"]
        assert start.strftime("%H:%M") in ("09:00", "16:00")
    assert [date.fromisoformat(r["day"]).strftime("%a") for r in rows if "16:00" in r["start"]] == [
        "Wed",
        "Thu",
    ]


@pytest.mark.parametrize("week", ["2026-13-01", "2026-11-31", "next week", "23/11/2026", ""])
def test_a_bad_week_exits_non_zero_with_one_line_naming_week(
    capsys, db_path: Path, week: str
) -> None:
    code, out, err = cli(capsys, db_path, "plan", "--week", week, "--json")
    assert code != 0, out
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "week" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_the_first_and_last_weeks_of_the_calendar_work_or_are_refused_in_one_line(
    capsys, db_path: Path, week: str
) -> None:
    try:
        code, out, err = cli(capsys, db_path, "plan", "--week", week, "--json")
    except Exception as error:  # a traceback for the user
        pytest.fail(f"plan --week {week} raised {error!r}")
    if code == 0:
        assert all(r["day"][:4] == week[:4] for r in json.loads(out))
    else:
        assert len(err.strip().splitlines()) == 1 and "week" in err


# queue: tiers and any --now --------------------------------------------------------------------
def test_queue_json_items_carry_their_tier(
    capsys, db_path: Path, store, clock, settings, make_lead
) -> None:
    leads = every_tier(store, clock, settings, make_lead)
    items = cli_json(capsys, db_path, "queue", "--limit", "20")
    tier = {item["lead_id"]: item["tier"] for item in items}
    assert tier == {
        leads["promise"]: "promise",
        leads["inbound"]: "inbound",
        leads["hot"]: "follow-up",
        leads["warm"]: "follow-up",
        leads["nurture"]: "nurture",
    }
    assert [item["lead_id"] for item in items][:2] == [leads["promise"], leads["inbound"]]
    assert items[-1]["lead_id"] == leads["nurture"]
    assert items[0]["reasons"][:2] == ["callback due Mon 13:50 (promised)", "10 min late"]
    assert items[1]["reasons"][0] == "inbound 3 min ago"


@pytest.mark.parametrize(
    "now", ["1970-01-05T15:00:00Z", "1970-06-04T15:00:00+00:00", "1970-01-01T15:00:00Z"]
)
def test_queue_at_a_far_past_time_is_empty(
    capsys, db_path: Path, store, clock, settings, make_lead, now: str
) -> None:
    every_tier(store, clock, settings, make_lead)
    assert cli_json(capsys, db_path, "queue", now=now) == []


@pytest.mark.parametrize("now", ["2100-06-02T15:00:00Z", "2100-12-30T15:00:00Z"])
def test_queue_at_a_far_future_time_lists_every_callable_lead_with_a_tier(
    capsys, db_path: Path, store, clock, settings, make_lead, now: str
) -> None:
    leads = every_tier(store, clock, settings, make_lead)
    items = cli_json(capsys, db_path, "queue", "--limit", "20", now=now)
    assert {item["tier"] for item in items} <= TIERS
    assert items[0]["lead_id"] == leads["promise"] and items[0]["tier"] == "promise"
    by_id = {item["lead_id"]: item for item in items}
    assert by_id[leads["inbound"]]["tier"] == "follow-up"  # no longer fresh: attempt 1 is due
    for item in items:
        assert item["local_time"][:10] == now[:10], item  # 10:00-11:00 in New York
    assert set(by_id) == set(leads.values())


@pytest.mark.parametrize(
    "now",
    [
        "0001-01-01T15:00:00Z",
        "1969-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "9999-12-31T23:58:00Z",
        "9999-12-31T23:58:00-05:00",  # past the end of datetime in UTC
        "0001-01-01T00:00:00+05:00",  # before its start
    ],
)
@pytest.mark.parametrize("command", ["queue", "plan"])
def test_the_ends_of_time_work_or_are_refused_in_one_line(
    capsys, db_path: Path, make_lead, command: str, now: str
) -> None:
    make_lead(created=NOW - timedelta(days=3))
    try:
        code, out, err = cli(capsys, db_path, command, "--json", now=now)
    except Exception as error:  # a traceback for the user
        pytest.fail(f"{command} --now {now} raised {error!r}")
    # callblock works for 1970-2100 (domain.ranges) and refuses times beyond, in one line naming
    # --now
    assert code != 0 and not out
    assert len(err.strip().splitlines()) == 1 and "--now" in err and "Traceback" not in err


# queue order == the order the power-hour screen presents ---------------------------------------
async def presented(store: Store, clock: FixedClock, settings: Settings) -> list[int]:
    """Work a block, pressing a different outcome key for each lead; the ids shown, in order."""
    keys = ["c", "v", "b", "g", "n", "x", "n", "v"]
    app = create_app(settings=settings, store=store, clock=clock, rep="alice", start="dial")
    shown: list[int] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PowerHourScreen)
        while screen.current is not None and len(shown) < 20:
            shown.append(screen.current.lead.id)
            await pilot.press(keys[len(shown) % len(keys)])
    assert store.admin.count("touches") >= len(shown)
    return shown


async def test_queue_order_is_the_screen_order_across_every_tier(
    capsys, db_path: Path, store, clock, settings, make_lead
) -> None:
    leads = every_tier(store, clock, settings, make_lead)
    make_lead(name="Ivy Inbound", created=NOW - timedelta(minutes=40))
    make_lead(name="Out Of Hours", tz="Asia/Tokyo", created=NOW - timedelta(minutes=5))
    items = cli_json(capsys, db_path, "queue", "--limit", "20")
    assert {item["tier"] for item in items} == TIERS
    assert len(items) == 6
    assert await presented(store, clock, settings) == [item["lead_id"] for item in items]
    assert leads["nurture"] == items[-1]["lead_id"]


async def test_queue_order_is_the_screen_order_when_the_warm_share_applies(
    capsys, db_path: Path, store, clock, settings, make_lead
) -> None:
    """Four hot follow-ups and two warm ones: the queue gives the 4th slot to a warm lead (25%
    warm share). Working the block must present the leads in that same order."""
    ids = [
        make_lead(name=f"{temp.title()} {n}", temperature=temp, created=NOW - timedelta(days=3))
        for n, temp in enumerate(["hot"] * 4 + ["warm"] * 2)
    ]
    with earlier(clock, timedelta(hours=2)):
        for lead_id in ids:
            dialing.record_outcome(
                store, clock, rep="bob", lead_id=lead_id, code="no-answer", settings=settings
            )
    items = cli_json(capsys, db_path, "queue", "--limit", "20")
    assert [item["lead_id"] for item in items] == [ids[0], ids[1], ids[2], ids[4], ids[3], ids[5]]
    assert "warm share 25%" in items[3]["reasons"]
    assert await presented(store, clock, settings) == [item["lead_id"] for item in items]


def test_queue_now_with_an_offset_is_the_same_instant(
    capsys, db_path: Path, store, clock, settings, make_lead
) -> None:
    every_tier(store, clock, settings, make_lead)
    utc = cli_json(capsys, db_path, "queue")
    local = cli_json(capsys, db_path, "queue", now=NOW.astimezone(ZoneInfo(ZONE)).isoformat())
    assert [i["lead_id"] for i in local] == [i["lead_id"] for i in utc]
    assert local[0]["local_time"] == "2026-11-23T14:00:00-05:00"
