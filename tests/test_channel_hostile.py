"""Hostile lead text on the screens of issue 11 (reviewer A): markup, actions, links and raw
escapes stored in a lead's fields (written past the cleaning at the edge, as an old database
or another tool might) reach the Tasks screen, the clipboard (OSC 52) and the script pane
only as plain, clean text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import Template, TemplateChannel
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.prompts import ConfirmScreen
from callblock.services.templates import save_template
from callblock.store import Store
from callblock.widgets.script import ScriptPane
from tests.conftest import NOW, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import assert_screen_safe, screen_text, shows, widget_text
from tests.test_hostile_text import HOSTILE

NOTE = Template(
    "note-1",
    TemplateChannel.LINKEDIN,
    "Hi {{ first_name }} at {{ company }}, {{ title }}: re {{ interest }}.",
    step=1,
)
SCRIPT = Template(
    "opener",
    TemplateChannel.CALL_SCRIPT,
    "Hi {{ first_name }} ({{ pronunciation }}) at {{ company }}, about {{ interest }}.",
    step=1,
)


def raw_fields(store: Store, lead_id: int, value: str) -> None:
    """Write `value` into the lead's text fields as stored, past every cleaning."""
    with store.transaction():
        store.conn.execute(
            "UPDATE leads SET name = ?, first_name = ?, company = ?, title = ?, interest = ?, "
            "pronunciation = ? WHERE id = ?",
            (f"Jim {value}", f"Jim{value}", f"Co {value}", value, value, value, lead_id),
        )


async def settle(app: CallblockApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("value", HOSTILE)
async def test_the_tasks_screen_and_the_clipboard_get_plain_clean_text(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker, value: str
) -> None:
    steps = tuple(map(parse_step, ("linkedin now", "call +2d")))
    settings = replace(settings, cadence=Cadence(steps=steps))
    save_template(store, NOTE, rep="lead", now=NOW)
    lead_id = make_lead(name="Jim Brodo", settings=settings)
    raw_fields(store, lead_id, value)
    app = create_app(settings=settings, store=store, clock=clock, rep="alice", start="home")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert_screen_safe(app)
        shown = screen_text(app)
        assert shows(shown, f"Co {value}"), shown
        await pilot.press("y")
        await settle(app, pilot)
        if isinstance(app.screen, ConfirmScreen):  # a first name with digits or @: confirmed
            assert_screen_safe(app)
            await pilot.press("y")
            await settle(app, pilot)
        copied = app.clipboard
        assert copied and "\x1b" not in copied and "\x07" not in copied, repr(copied)
        assert shows(copied, f"at Co {value}, {value}: re {value}."), repr(copied)


@pytest.mark.parametrize("value", HOSTILE)
async def test_the_script_pane_gets_plain_clean_text(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker, value: str
) -> None:
    save_template(store, SCRIPT, rep="lead", now=NOW)
    lead_id = make_lead(name="Jim Brodo", company="Brodo Inc")
    raw_fields(store, lead_id, value)
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen)
        await pilot.press("k")
        await settle(app, pilot)
        assert_screen_safe(app)
        pane = widget_text(app, app.screen.query_one(ScriptPane))
        assert shows(pane, f"Hi Jim{value}"), pane
