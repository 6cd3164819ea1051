"""The Review screen at 80x24: tabs, filters by real keys, drill-down, hostile text, snapshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.screens.lead_detail import LeadDetailScreen
from callblock.screens.review import ReviewScreen
from callblock.store import Store
from callblock.widgets.review_tables import CracksTable, LogTable, RepTable
from tests.review_helpers import HOSTILE_COMPANY, HOSTILE_NAME, at, build_team_log
from tests.screen_text import assert_screen_safe, screen_text, shows, widget_text

SIZE = (80, 24)
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("CALLBLOCK_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture
def review_app(store: Store, clock: FixedClock, settings: Settings) -> CallblockApp:
    build_team_log(store, clock)
    clock.set(at(23, 30))  # 18:30 on Monday 23 Nov in New York: "today" is the 23rd
    return create_app(settings=settings, store=store, clock=clock, rep="lead", start="review")


async def settle(app: CallblockApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def log_rows(app: CallblockApp) -> list[list[str]]:
    table = app.screen.query_one(LogTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_review_opens_on_today_with_every_tab(review_app: CallblockApp) -> None:
    async with review_app.run_test(size=SIZE) as pilot:
        await settle(review_app, pilot)
        assert isinstance(review_app.screen, ReviewScreen)
        rows = log_rows(review_app)
        assert len(rows) == 6  # the 23rd in New York, the undone touch included
        assert rows[0][:2] == ["Mon 23 23:30", "bob"]
        assert "connected (undone)" in [row[4] for row in rows]
        assert shows(screen_text(review_app), "6 of 6 touches")
        await pilot.press("2")
        reps = review_app.screen.query_one(RepTable)
        assert [str(reps.get_row_at(n)[0]) for n in range(reps.row_count)] == [
            "alice",
            "bob",
            "(team)",
        ]
        assert shows(widget_text(review_app, reps), "alice 3 1 33% 1 0 1 1 1.5 30 min 3.0 1")
        await pilot.press("3")
        assert shows(screen_text(review_app), "Contact rate by the lead's local weekday")
        await pilot.press("4")
        cracks = review_app.screen.query_one(CracksTable)
        kinds = {str(cracks.get_row_at(n)[0]) for n in range(cracks.row_count)}
        assert "two reps, one day" in kinds  # lead a: alice and bob on the 23rd
        assert_screen_safe(review_app)


async def test_filters_by_keys_date_range_and_outcome(review_app: CallblockApp) -> None:
    async with review_app.run_test(size=SIZE) as pilot:
        await settle(review_app, pilot)
        await pilot.press("f", *"-1", "tab", *"+", "enter")  # a focused date is selected
        await settle(review_app, pilot)
        assert shows(screen_text(review_app), "to: '+' is not a day")  # nothing reloaded
        assert len(log_rows(review_app)) == 6
        await pilot.press("shift+tab", *"2026-11-23", "enter")
        await pilot.press("tab", *"2026-11-24", "enter")
        await settle(review_app, pilot)
        assert len(log_rows(review_app)) == 7  # the 24th adds carmen's dial
        outcome = review_app.screen.query_one("#filter-outcome", Select)
        outcome.focus()
        await pilot.press("enter", "down", "enter")  # the first outcome: connected
        await settle(review_app, pilot)
        assert outcome.value == "connected"
        assert [row[4] for row in log_rows(review_app)] == ["connected", "connected (undone)"]


async def test_drill_down_from_a_log_row_and_a_crack(review_app: CallblockApp) -> None:
    async with review_app.run_test(size=SIZE) as pilot:
        await settle(review_app, pilot)
        await pilot.press("down", "enter")  # the second row: bob's dial on lead a
        assert isinstance(review_app.screen, LeadDetailScreen)
        text = screen_text(review_app)
        assert shows(text, "Ann Lee") and shows(text, "open callback") is False
        assert shows(text, "bob connected") and shows(text, "alice callback")
        await pilot.press("escape")
        assert isinstance(review_app.screen, ReviewScreen)
        await pilot.press("down", "down", "enter")  # alice's voicemail on the hostile lead
        text = screen_text(review_app)
        assert shows(text, HOSTILE_NAME) and shows(text, HOSTILE_COMPANY)
        assert shows(text, "connected (undone)")
        assert_screen_safe(review_app)
        await pilot.press("escape", "4")
        await pilot.press("enter")
        assert isinstance(review_app.screen, LeadDetailScreen)
        await pilot.press("q", "q")
        assert review_app.return_code == 0 or not review_app.is_running


async def test_hostile_text_in_the_log_is_shown_literally(review_app: CallblockApp) -> None:
    async with review_app.run_test(size=SIZE) as pilot:
        await settle(review_app, pilot)
        table = review_app.screen.query_one(LogTable)
        cells = [row[2:4] for row in log_rows(review_app)]
        assert [
            HOSTILE_NAME.replace("\x1b", "\ufffd")[:17] + "…",
            HOSTILE_COMPANY[:15] + "…",
        ] in cells
        assert_screen_safe(review_app)
        assert widget_text(review_app, table)


@pytest.mark.parametrize("tab", ["1", "2", "3"])
async def test_snapshot_at_80x24(review_app: CallblockApp, tab: str) -> None:
    """The screen as text. After a deliberate change, regenerate the files:
    CALLBLOCK_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_review_screen.py -k snapshot"""
    async with review_app.run_test(size=SIZE) as pilot:
        await settle(review_app, pilot)
        await pilot.press(tab)
        await pilot.pause()
        text = "\n".join(line.rstrip() for line in screen_text(review_app).splitlines()) + "\n"
    expected = SNAPSHOTS / f"review_tab{tab}_80x24.txt"
    if UPDATE or not expected.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


async def test_reps_tab_lists_the_team_whatever_the_filter_and_says_so(
    review_app: CallblockApp,
) -> None:
    async with review_app.run_test(size=SIZE) as pilot:
        await settle(review_app, pilot)
        screen = review_app.screen
        notes = [screen.query_one(f"#{name}-note") for name in ("reps", "heat", "cracks")]
        assert not any(note.display for note in notes)  # no filter, nothing to say
        outcome = screen.query_one("#filter-outcome", Select)
        outcome.focus()
        await pilot.press("enter", "down", "enter")  # connected
        await settle(review_app, pilot)
        await pilot.press("escape", "2")
        reps = screen.query_one(RepTable)
        names = [str(reps.get_row_at(n)[0]) for n in range(reps.row_count)]
        assert names == ["alice", "bob", "(team)"]
        assert shows(screen_text(review_app), "every rep of the team is listed whatever")
        await pilot.press("3")
        assert shows(screen_text(review_app), "the outcome filter applies to the log only")
        await pilot.press("4")
        assert shows(screen_text(review_app), "the outcome filter applies to the log only")
        rep = screen.query_one("#filter-rep", Select)
        rep.focus()
        await pilot.press("enter", "down", "down", "enter")  # bob
        await settle(review_app, pilot)
        assert rep.value == "bob"
        await pilot.press("escape", "2")
        assert [str(reps.get_row_at(n)[0]) for n in range(reps.row_count)] == names
        assert reps.cursor_row == 1
        assert shows(screen_text(review_app), "(row of bob selected)")
