"""Hostile text in every outside-text field, through every screen at 80x24.

The database is poisoned raw (tests/hostile.py); the rep name and the block names are hostile
too. Each screen is read back as the terminal would get it (tests/screen_text.py): no control
character, C1 or bidi override, no link or click action, and the markup shown as typed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock, parse_iso
from callblock.config import load_settings
from callblock.domain.text import clean_line
from callblock.screens.import_leads import ImportScreen
from callblock.screens.lead import LeadScreen
from callblock.screens.lead_detail import LeadDetailScreen
from callblock.screens.lead_form import NewLeadScreen
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.prompts import ConfirmScreen, NoteScreen, WhenScreen
from callblock.screens.review import ReviewScreen
from callblock.screens.search import SearchScreen
from callblock.screens.summary import SummaryScreen
from callblock.screens.week import WeekScreen
from callblock.store import Store
from callblock.widgets.review_tables import CracksTable, LogTable
from tests.hostile import HOSTILE, NOW, hostile_csv, poisoned_db, unsafe_in
from tests.screen_text import assert_screen_safe, screen_text, shows

SIZE = (80, 24)
MARKUP = ("[UK]", "[/]", "[@click=app.quit]x[/]", "[link=http://x]y[/]")


@asynccontextmanager
async def hostile_app(
    tmp_path: Path, value: str, start: str
) -> AsyncIterator[tuple[CallblockApp, Pilot[None], dict[str, int]]]:
    db, config, ids = poisoned_db(tmp_path, value)
    settings = load_settings(config, required=True, machine_zone="UTC")
    store = Store.open(db)
    try:
        app = create_app(
            settings=settings,
            store=store,
            clock=FixedClock(parse_iso(NOW)),
            rep=f"R{value}",
            start=start,
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            yield app, pilot, ids
    finally:
        store.close()


async def settle(app: CallblockApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def check(app: CallblockApp, value: str, *shown: str) -> None:
    """The screen holds no terminal control, link or action, and shows `shown` literally (the
    markup in `value` as typed, when `value` has some)."""
    assert_screen_safe(app)
    text = screen_text(app)
    assert not unsafe_in(text), f"{unsafe_in(text)} on {app.screen!r}:\n{text}"
    for needle in shown:  # as cleaned: each control, C1 or bidi override shown as U+FFFD
        needle = clean_line(needle)
        assert shows(text, needle), f"{needle!r} not shown on {app.screen!r}:\n{text}"
    for marker in MARKUP:
        if marker in value and shown:
            assert marker in text, f"{marker} lost on {app.screen!r}:\n{text}"


async def paste(app: CallblockApp, pilot: Pilot[None], text: str) -> None:
    app.post_message(events.Paste(text))
    await pilot.pause()


@pytest.mark.parametrize("value", HOSTILE)
async def test_week_power_hour_prompts_and_summary(tmp_path: Path, value: str) -> None:
    async with hostile_app(tmp_path, value, "home") as (app, pilot, ids):
        assert isinstance(app.screen, WeekScreen)
        check(app, value, f"R{value}")  # the rep in the header; block names are cut
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen) and app.screen.current is not None
        assert app.screen.current.lead.id == ids["c"]  # fresh inbound first; b is up next
        check(app, value, f"C{value}", f"B{value} ·")  # card, notes, up next, session bar
        await pilot.press("l")
        assert isinstance(app.screen, WhenScreen)
        check(app, value, f"Callback requested: C{value}")
        await pilot.press("escape", "d")
        assert isinstance(app.screen, ConfirmScreen)
        check(app, value)
        await pilot.press("n", "b")  # busy: lead b next, its history written raw
        await settle(app, pilot)
        assert app.screen.current is not None and app.screen.current.lead.id == ids["b"]
        check(app, value, f"B{value}", f"N{value}")
        await pilot.press("t")
        assert isinstance(app.screen, NoteScreen)
        await paste(app, pilot, value)
        check(app, value)
        await pilot.press("enter")
        await settle(app, pilot)
        check(app, value, f"note saved: {value}")
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        check(app, value, f"B{value} ended")


@pytest.mark.parametrize("value", HOSTILE)
async def test_review_tabs_and_lead_detail(tmp_path: Path, value: str) -> None:
    async with hostile_app(tmp_path, value, "review") as (app, pilot, _):
        assert isinstance(app.screen, ReviewScreen)
        check(app, value)
        rows = app.screen.query_one(LogTable).row_count
        assert rows == 2
        for tab in "234":
            await pilot.press(tab)
            await settle(app, pilot)
            check(app, value)
        await pilot.press("1")
        for row in range(rows):
            await pilot.press(*["down"] * row, "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, LeadDetailScreen)
            check(app, value, f"N{value}")  # the touch note, in full
            await pilot.press("escape")
            app.screen.query_one(LogTable).move_cursor(row=0)
        await pilot.press("4")
        if app.screen.query_one(CracksTable).row_count:
            await pilot.press("enter")
            await settle(app, pilot)
            check(app, value)


async def test_the_lead_detail_shows_a_promises_rep_cleaned(tmp_path: Path) -> None:
    value = "eve\x1b]52;c;aGVsbG8=\x07 [UK]"
    async with hostile_app(tmp_path, value, "review") as (app, pilot, _):
        table = app.screen.query_one(LogTable)
        callback = next(
            n for n in range(table.row_count) if str(table.get_row_at(n)[4]) == "callback"
        )
        await pilot.press(*["down"] * callback, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LeadDetailScreen)
        check(app, value, "open callback", f"(P{value})")


@pytest.mark.parametrize("value", HOSTILE)
async def test_lead_screen_search_new_lead_and_import_preview(tmp_path: Path, value: str) -> None:
    csv_path = hostile_csv(tmp_path, value)
    async with hostile_app(tmp_path, value, "home") as (app, pilot, ids):
        for key, lead_id in ids.items():
            await app.push_screen(LeadScreen(lead_id))
            await settle(app, pilot)
            check(app, value, f"{key.upper()}{value}", f"E{value}")
            await pilot.press("escape")
        await pilot.press("slash")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("a")
        await settle(app, pilot)
        check(app, value, f"A{value}")
        await paste(app, pilot, value)
        await settle(app, pilot)
        check(app, value)
        await pilot.press("escape", "escape")
        await pilot.press("a")
        assert isinstance(app.screen, NewLeadScreen)
        await paste(app, pilot, f"N{value}")
        await pilot.press("tab")
        await paste(app, pilot, value)
        await pilot.press("tab", *"2125550199")
        check(app, value)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, NewLeadScreen)
        check(app, value)  # the "Added lead" toast
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one(Input).value = str(csv_path)
        await pilot.press("enter")
        await settle(app, pilot)
        check(app, value, "would import 1 new lead;", f"H{value} → extra")
        await pilot.press("ctrl+s")  # the good row in, the bad one to the rejects file
        await settle(app, pilot)
        check(app, value, "imported 1 new lead;", "rejected 1 row:")
        assert not unsafe_in(csv_path.with_name("in.rejects.csv").read_text(encoding="utf-8"))
