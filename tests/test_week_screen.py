"""The week screen (home) at 80x24: the week's blocks with planned dials and expected contacts,
what is due today, the weights behind the plan, and starting blocks from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import OptionList, Static

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.planning import BlockRule
from callblock.domain.text import plural
from callblock.screens.help import HelpScreen
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.summary import SummaryScreen
from callblock.screens.week import WeekScreen
from callblock.services import dialing
from callblock.services.learning import learn
from callblock.services.planning import week_plan
from callblock.store import Store
from callblock.widgets.app_header import AppHeader
from tests.conftest import NOW, ZONE
from tests.screen_text import assert_screen_safe, shows, squeeze, widget_text
from tests.test_hostile_text import HOSTILE, assert_shows

SIZE = (80, 24)
# This week's blocks by default, as the list shows them (Mon 23 Nov 2026 is today).
DEFAULT_WEEK = [
    ("Mon 23 09:00–10:00", "Power hour"),
    ("Tue 24 09:00–10:00", "Power hour"),
    ("Wed 25 09:00–10:00", "Power hour"),
    ("Wed 25 16:00–17:00", "Late power hour"),
    ("Thu 26 09:00–10:00", "Power hour"),
    ("Thu 26 16:00–17:00", "Late power hour"),
    ("Fri 27 09:00–10:00", "Power hour"),
]


def home(store: Store, clock: FixedClock, settings: Settings, rep: str = "alice") -> CallblockApp:
    return create_app(settings=settings, store=store, clock=clock, rep=rep, start="home")


async def loaded(app: CallblockApp, pilot) -> WeekScreen:
    """Wait for the plan (loaded in a thread worker) to be on screen."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, WeekScreen), f"on {screen!r}"
    assert screen.plan is not None
    return screen


def block_lines(app: CallblockApp) -> list[str]:
    text = widget_text(app, app.screen.query_one("#blocks"))
    return [line.strip() for line in text.splitlines() if line.strip()[:3] in WEEKDAYS]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def text_of(app: CallblockApp, selector: str) -> str:
    return widget_text(app, app.screen.query_one(selector))


def sessions(store: Store) -> list[tuple[str, int, str]]:
    rows = store.conn.execute("SELECT block_name, target_per_hour, rep FROM sessions ORDER BY id")
    return [tuple(row) for row in rows]


def at(clock: FixedClock, moment, action):
    clock.set(moment)
    try:
        return action()
    finally:
        clock.set(NOW)


def dial(store, clock, settings, lead_id, code="no-answer", *, ago=timedelta(hours=2), **kw):
    rep = kw.pop("rep", "bob")
    return at(
        clock,
        NOW - ago,
        lambda: dialing.record_outcome(
            store, clock, rep=rep, lead_id=lead_id, code=code, settings=settings, **kw
        ),
    )


def due_at(store: Store, lead_id: int, moment) -> None:
    store.queue.set_due_times([(iso(moment), lead_id)])


@pytest.fixture
def week_calls(store: Store, clock: FixedClock, settings: Settings, make_lead) -> dict[str, int]:
    """Due calls spread over the week: overdue follow-ups, follow-ups due Wednesday morning,
    alice's promise on Thursday morning, bob's promise (not alice's)."""
    ids: dict[str, int] = {}
    for n in range(3):  # due since 12:30 today: backlog, may wait 2 days for a better block
        ids[f"overdue{n}"] = make_lead(created=NOW - timedelta(days=3))
        dial(store, clock, settings, ids[f"overdue{n}"])
    for n in range(2):  # due Wed 10:00 New York: the Wed 16:00 block is the one left that day
        ids[f"wed{n}"] = make_lead(created=NOW - timedelta(days=3))
        dial(store, clock, settings, ids[f"wed{n}"], ago=timedelta(days=2))
        due_at(store, ids[f"wed{n}"], NOW.replace(day=25, hour=15))
    ids["promise"] = make_lead(created=NOW - timedelta(days=3))
    dial(
        store,
        clock,
        settings,
        ids["promise"],
        "callback",
        rep="alice",
        when=NOW.replace(day=26, hour=14, minute=30),
    )  # Thu 09:30 New York
    ids["bobs"] = make_lead(created=NOW - timedelta(days=3))
    dial(
        store,
        clock,
        settings,
        ids["bobs"],
        "callback",
        rep="bob",
        when=NOW.replace(day=26, hour=14, minute=30),
    )
    return ids


# the week's blocks -----------------------------------------------------------------------------
async def test_the_weeks_blocks_with_planned_dials_and_expected_contacts(
    store, clock, settings, week_calls
) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        lines = block_lines(app)
        title = text_of(app, "#week-title")
        plan = week_plan(store, settings, clock, rep="alice")
    assert "contact rate 29%" in title  # 2 contacts (the callbacks) in 7 dials
    assert len(lines) == len(DEFAULT_WEEK) == len(plan.blocks)
    for line, (when, name), planned in zip(lines, DEFAULT_WEEK, plan.blocks, strict=True):
        assert line.startswith(when), line
        assert name in line
        if planned.block.end <= NOW:  # Monday 09:00 is over: what alice did in it
            assert squeeze("0 dials done, 0 contacts target 60") in squeeze(line), line
            continue
        dials = plural(planned.planned_dials, "dial")
        numbers = f"{dials} ~{planned.expected_contacts:.1f} contacts"
        assert squeeze(numbers) in squeeze(line), (numbers, line)
        assert f"w {planned.weight:.2f}" in line
    dials = [p.planned_dials for p in plan.blocks]
    # independent of the planner's code: where each due call belongs
    # (the 3 overdue wait, slack_days 2, for Wed 16:00, the best block to Wednesday; the 2 due
    # Wednesday 10:00 have that block left that day; the promise keeps Thursday 09:00)
    assert dials == [0, 0, 0, 5, 1, 0, 0], dials
    # the log holds 7 dials, 2 of them contacts (the callbacks): rate 2/7; Wed 16:00 weighs
    # 0.97 x 1.00; expected = 5 x 2/7 x 0.97 / 0.62 = 2.24
    assert squeeze("5 dials ~ 2.2 contacts") in squeeze(lines[3])


async def test_the_dials_column_lines_up(store, clock, settings, week_calls) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        lines = block_lines(app)
    columns = {line.index(" dial") for line in lines}
    assert len(columns) == 1, "\n".join(lines)


async def test_title_and_highlight_start_at_this_week_and_the_next_block(
    store, clock, settings
) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        title = text_of(app, "#week-title")
        assert "Week of Mon 23 Nov–Sun 29 Nov 2026" in title
        assert "America/New_York" in title and "contact rate 15%" in title
        # Monday's 09:00 block is over at 14:00: the highlight is on Tuesday's
        assert app.screen.query_one(OptionList).highlighted == 1


def overdue(store: Store, make_lead, count: int) -> None:
    """`count` follow-ups overdue since two days ago (an attempt behind each)."""
    ids = [make_lead(created=NOW - timedelta(days=9)) for _ in range(count)]
    store.conn.executemany(
        "UPDATE leads SET attempts = 1, status = 'working', last_touch_at = ?, "
        "first_call_at = ?, next_due_at = ? WHERE id = ?",
        [
            (iso(NOW - timedelta(days=8)),) * 2 + (iso(NOW - timedelta(days=2)), lead)
            for lead in ids
        ],
    )
    store.conn.commit()


async def test_no_block_above_its_target_and_the_rest_is_over_capacity(
    store, clock, settings, make_lead
) -> None:
    overdue(store, make_lead, 400)  # the week's open blocks hold 6 x 60
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        lines = block_lines(app)
        over = text_of(app, "#over-capacity")
        assert_screen_safe(app)
    assert all(squeeze("60 dials") in squeeze(line) for line in lines[1:]), lines
    assert squeeze("over capacity: 40 dials") in squeeze(over).lower(), over
    assert squeeze("add a block or raise a target") in squeeze(over), over


async def test_no_over_capacity_line_when_the_week_has_room(store, clock, settings) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        assert not app.screen.query_one("#over-capacity").display


async def test_past_blocks_show_what_was_done_beside_the_plan(
    store, clock, settings, make_lead
) -> None:
    leads = [make_lead(created=NOW - timedelta(days=1)) for _ in range(3)]
    for lead, code in zip(leads, ("no-answer", "connected", "busy"), strict=True):
        dial(store, clock, settings, lead, code, rep="alice", ago=timedelta(hours=4, minutes=30))
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        lines = block_lines(app)
    # Monday 09:00 (over at 14:00): 3 dials at 09:30, 1 of them a contact, of a target of 60
    assert squeeze("3 dials done, 1 contact target 60") in squeeze(lines[0]), lines[0]
    assert "done" not in " ".join(lines[1:])


async def test_the_home_screen_comes_back_on_the_next_block_not_a_past_one(
    store, clock, settings
) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        week = await loaded(app, pilot)
        blocks = week.query_one(OptionList)
        assert blocks.highlighted == 1  # Tuesday 09:00
        clock.set(NOW + timedelta(days=1, hours=1))  # Tuesday 15:00: its block is over
        await pilot.press("question_mark", "escape")  # back on the week screen
        await loaded(app, pilot)
        assert blocks.highlighted == 2, blocks.highlighted  # Wednesday 09:00


async def test_when_the_weeks_blocks_are_all_over_home_opens_on_next_week(
    store, clock, settings
) -> None:
    """Saturday or Sunday: the next block to come is next Monday's, so that is what opens."""
    clock.set(NOW + timedelta(days=6))  # Sunday 29 Nov, 14:00 in New York
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        week = await loaded(app, pilot)
        await loaded(app, pilot)  # the second load: next week's plan
        assert "Week of Mon 30 Nov" in text_of(app, "#week-title")
        assert week.query_one(OptionList).highlighted == 0  # Monday 30 Nov, 09:00
        await pilot.press("left_square_bracket")
        await loaded(app, pilot)
        assert "Week of Mon 23 Nov" in text_of(app, "#week-title")  # the week just over


async def test_the_due_today_line_never_wraps_inside_an_item(store, clock, settings) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        text = text_of(app, "#due-today").replace("\u00a0", " ")
    lines = [line for line in text.splitlines() if any(c.isalnum() for c in line)]
    assert len(lines) == 2, lines  # the items do not fit one line at 80 columns
    assert lines[1].lstrip().startswith(("· ", "0 ", "1 ", "2 ")), lines
    assert not lines[0].rstrip().endswith((" 0", " 1", " 2")), lines  # no count left behind


async def test_the_clock_ticks_and_a_block_that_ends_moves_the_highlight_on(
    store, clock, settings
) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        week = await loaded(app, pilot)
        assert "Mon 23 Nov 14:00" in text_of(app, "#app-header")
        clock.set(NOW + timedelta(minutes=7))
        await pilot.pause(1.3)
        assert "Mon 23 Nov 14:07" in text_of(app, "#app-header")
        clock.set(NOW + timedelta(days=1, hours=1))  # Tuesday 15:00, the app left open
        await pilot.pause(1.3)
        await loaded(app, pilot)
        assert "Tue 24 Nov 15:00" in text_of(app, "#app-header")
        assert week.query_one(OptionList).highlighted == 2  # Tuesday's block is over
        assert "done" in block_lines(app)[1]


async def test_due_today_counts(store, clock, settings, make_lead) -> None:
    later = make_lead(created=NOW - timedelta(days=3))
    dial(store, clock, settings, later, "callback", rep="alice", when=NOW + timedelta(hours=1))
    missed = make_lead(created=NOW - timedelta(days=3))
    dial(
        store,
        clock,
        settings,
        missed,
        "meeting",
        rep="alice",
        ago=timedelta(hours=5),
        when=NOW - timedelta(hours=1),
    )
    bobs = make_lead(created=NOW - timedelta(days=3))
    dial(store, clock, settings, bobs, "callback", rep="bob", when=NOW + timedelta(hours=1))
    follow_up = make_lead(created=NOW - timedelta(days=3))
    dial(store, clock, settings, follow_up)  # due since 12:30
    tomorrow = make_lead(created=NOW - timedelta(days=3))
    dial(store, clock, settings, tomorrow)
    due_at(store, tomorrow, NOW + timedelta(days=1))
    make_lead(created=NOW - timedelta(minutes=3))  # inbound, waiting
    make_lead(created=NOW - timedelta(hours=5))  # inbound, waiting
    make_lead(created=NOW - timedelta(hours=30))  # no longer fresh
    make_lead(created=NOW - timedelta(minutes=3), owner="bob")  # bob's
    goodbye = make_lead(created=NOW - timedelta(days=40))
    store.touches.insert_callback(
        lead_id=goodbye,
        rep="alice",
        due_at=iso(NOW - timedelta(minutes=5)),
        kind="goodbye",
        created_by_touch=None,
    )
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        text = text_of(app, "#due-today")
        today = week_plan(store, settings, clock, rep="alice").today
    expected = (
        "Due today: 2 callbacks/meetings (1 overdue) · 1 follow-up · 2 inbound waiting · "
        "0 tasks (t) · 1 goodbye touch"
    )
    assert shows(text, expected), text
    assert (today.promises, today.overdue_promises, today.follow_ups) == (2, 1, 1)
    assert (today.inbound, today.goodbyes) == (2, 1)


async def test_the_weights_table_shows_prior_observed_and_blended(
    store, clock, settings, make_lead
) -> None:
    """10 dials on a Monday with 5 contacts, 10 on a Tuesday with 1: observed Mon 1.15, Tue 0.23
    (contact rate over the overall 30%, times the dial-weighted mean prior 0.69); blended with
    m = 200 prior dials: Mon (10 x 1.15 + 200 x 0.70) / 210 = 0.72, Tue 0.66."""
    lead = make_lead(created=NOW - timedelta(days=30))
    monday, tuesday = NOW - timedelta(days=7), NOW - timedelta(days=6)  # 14:00 New York
    for n in range(10):
        dial(
            store,
            clock,
            settings,
            lead,
            "connected" if n < 5 else "busy",
            ago=NOW - monday - timedelta(minutes=n),
        )
        dial(
            store,
            clock,
            settings,
            lead,
            "connected" if n < 1 else "voicemail",
            ago=NOW - tuesday - timedelta(minutes=n),
        )
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        rows = [line.strip() for line in text_of(app, "#weights").splitlines()]
        title = text_of(app, "#week-title")
        learned = learn(store, settings, clock)
    table = "\n".join(rows)
    head = next(r for r in rows if r.startswith("weekday weight"))
    assert head.split()[2:] == ["Mon", "Tue", "Wed", "Thu", "Fri"], table
    prior = next(r for r in rows if r.startswith("prior"))
    observed = next(r for r in rows if r.startswith("observed"))
    blended = next(r for r in rows if r.startswith("blended"))
    assert prior.split()[2:] == ["0.70", "0.68", "0.97", "1.00", "0.85"], table
    assert observed.split()[2:] == ["1.15", "0.23", "–", "–", "–"], table
    assert blended.split()[1:6] == ["0.72", "0.66", "0.97", "1.00", "0.85"], table
    assert "from 20 dials" in blended
    assert [f"{w.blended:.2f}" for w in learned.weekday[:5]] == blended.split()[1:6]
    assert "contact rate 30%" in title  # the team's: 6 contacts in 20 dials


# starting blocks -------------------------------------------------------------------------------
async def test_enter_starts_the_highlighted_block(store, clock, settings, make_lead) -> None:
    make_lead(created=NOW - timedelta(minutes=3))
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        week = await loaded(app, pilot)
        await pilot.press("down", "down")  # Tue 09:00 -> Wed 09:00 -> Wed 16:00
        assert week.query_one(OptionList).highlighted == 3
        await pilot.press("enter")
        assert isinstance(app.screen, PowerHourScreen)
        assert app.screen.session.block_name == "Late power hour"
        assert [type(s).__name__ for s in app.screen_stack].count("PowerHourScreen") == 1
    assert sessions(store) == [("Late power hour", 60, "alice")]


async def test_a_configured_block_sets_the_sessions_name_and_pace(store, clock, make_lead) -> None:
    settings = Settings(
        timezone=ZONE,
        blocks=(
            BlockRule("Sprint", "FREQ=WEEKLY;BYDAY=MO,TU;BYHOUR=15;BYMINUTE=30", 30, 40),
            BlockRule("Wrap-up", "FREQ=WEEKLY;BYDAY=FR;BYHOUR=17", 90, 45),
        ),
    )
    make_lead(created=NOW - timedelta(minutes=3))
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        lines = block_lines(app)
        assert [line[:18] for line in lines] == [
            "Mon 23 15:30–16:00",
            "Tue 24 15:30–16:00",
            "Fri 27 17:00–18:30",
        ]
        assert app.screen.query_one(OptionList).highlighted == 0  # today's, still ahead
        await pilot.press("end", "enter")
        assert isinstance(app.screen, PowerHourScreen)
    assert sessions(store) == [("Wrap-up", 30, "alice")]  # 45 dials in 90 min


async def test_p_starts_an_ad_hoc_power_hour(store, clock, make_lead) -> None:
    settings = Settings(timezone=ZONE, block_name="Quick dials", target_per_hour=45)
    lead_id = make_lead(created=NOW - timedelta(minutes=3))
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, PowerHourScreen)
        assert screen.current is not None and screen.current.lead.id == lead_id
    assert sessions(store) == [("Quick dials", 45, "alice")]


async def test_brackets_move_between_weeks(store, clock, settings) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        week = await loaded(app, pilot)
        await pilot.press("right_square_bracket")
        await loaded(app, pilot)
        assert "Week of Mon 30 Nov–Sun 06 Dec 2026" in text_of(app, "#week-title")
        assert block_lines(app)[0].startswith("Mon 30 09:00–10:00")
        assert week.plan.monday.isoformat() == "2026-11-30"
        assert week.query_one(OptionList).highlighted == 0
        await pilot.press("left_square_bracket")
        await loaded(app, pilot)
        await pilot.press("left_square_bracket")
        await loaded(app, pilot)
        assert "Week of Mon 16 Nov–Sun 22 Nov 2026" in text_of(app, "#week-title")
        assert block_lines(app)[-1].startswith("Fri 20 09:00–10:00")
        await pilot.press("right_square_bracket")
        await loaded(app, pilot)
        assert "Week of Mon 23 Nov–Sun 29 Nov 2026" in text_of(app, "#week-title")


async def test_enter_on_the_summary_returns_to_the_week_and_q_quits(
    store, clock, settings, make_lead
) -> None:
    lead_id = make_lead(created=NOW - timedelta(minutes=3))
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        week = await loaded(app, pilot)
        assert squeeze("1 inbound waiting") in squeeze(text_of(app, "#due-today"))
        await pilot.press("p", "n", "q")  # one no-answer, end the block
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        await loaded(app, pilot)
        assert app.screen is week  # the same week screen, not a new one
        assert squeeze("0 inbound waiting") in squeeze(text_of(app, "#due-today"))  # reloaded
        await pilot.press("p", "q")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    rows = store.conn.execute("SELECT ended_at FROM sessions ORDER BY id").fetchall()
    assert len(rows) == 2 and all(row[0] for row in rows)
    assert [t.outcome for t in store.touches.touches_for_lead(lead_id)] == ["no-answer"]


async def test_q_on_the_week_screen_quits(store, clock, settings) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert sessions(store) == []


# help ------------------------------------------------------------------------------------------
async def help_text(app: CallblockApp, pilot) -> str:
    """The help's text as it is wrapped on screen, scrolled through at 80x24."""
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    seen = []
    for _ in range(12):  # the help scrolls at 80x24 (a page at a time, overlapping)
        seen += [widget_text(app, static) for static in app.screen.query(Static)]
        await pilot.press("down", "down", "down", "down", "down", "down", "down", "down")
    return "\n".join(seen)


async def test_help_shows_the_shrinkage_formula(store, clock, settings) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        text = squeeze(await help_text(app, pilot))
        assert squeeze("blended_d = (n_d x observed_d + m x prior_d) / (n_d + m)") in text
        assert squeeze("observed_d = (contacts_d / dials_d) / (all contacts / all dials)") in text
        assert squeeze("Mon 0.70, Tue 0.68, Wed 0.97, Thu 1.00, Fri 0.85") in text
        await pilot.press("escape")
        assert isinstance(app.screen, WeekScreen)


async def test_help_says_how_the_plan_keeps_targets_and_what_over_capacity_means(
    store, clock, settings
) -> None:
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = squeeze(str(app.screen.query(Static)[2].render()))  # the about text, scrolled
    assert squeeze("No block is planned above its target") in text
    assert squeeze("of today and the next 2 days") in text  # slack_days from the settings
    assert squeeze('"Over capacity: N dials": add a block or raise a target') in text
    assert squeeze("shows the dials and contacts done in it") in text


async def test_help_gives_the_configured_prior_strength(store, clock) -> None:
    settings = Settings(timezone=ZONE, prior_dials=50)
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        text = squeeze(await help_text(app, pilot))
        assert squeeze("m = 50 dials") in text


async def test_help_says_what_each_week_key_does(store, clock, settings) -> None:
    """The help's key table (not the key bar behind the modal) names every key and its use."""
    app = home(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = widget_text(app, app.screen.query(Static)[1])
    wanted = [
        ("⏎", "Start the highlighted block"),
        ("p", "Start an ad-hoc power hour now"),
        ("r", "The team lead's review"),
        ("[", "The week before"),
        ("]", "The week after"),
        ("?", "Show this help"),
        ("q", "Quit callblock"),
    ]
    missing = [
        (key, does) for key, does in wanted if squeeze(f"{key} {does}") not in squeeze(table)
    ]
    assert missing == [], table


# hostile text ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_rep_and_block_names_show_literally(value, store, clock) -> None:
    settings = Settings(
        timezone=ZONE, blocks=(BlockRule(f"B{value}", "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9"),)
    )
    app = home(store, clock, settings, rep=value)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        assert_shows(app, AppHeader, value)
        assert_shows(app, "#blocks", f"B{value}"[:18])  # the list keeps 18 characters of a name
        assert_screen_safe(app)
        await pilot.click(AppHeader, offset=(14, 0))  # on the rep's name
        assert app.is_running and isinstance(app.screen, WeekScreen)
    assert sessions(store) == []
