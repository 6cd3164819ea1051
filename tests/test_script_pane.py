"""The power hour at 80x24 (issue 11 review): the script pane can be read to its end from the
keyboard, and the card counts call attempts of a multi-channel schedule as the queue does."""

from __future__ import annotations

from dataclasses import replace

from callblock.app import create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import Template, TemplateChannel
from callblock.screens.power_hour import PowerHourScreen
from callblock.services.templates import save_template
from callblock.store import Store
from callblock.widgets.lead_card import LeadCard
from callblock.widgets.script import ScriptPane
from tests.channel_helpers import settle
from tests.conftest import NOW, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text, widget_text

# The power hour ------------------------------------------------------------------------------

LONG_SCRIPT = Template(
    "opener",
    TemplateChannel.CALL_SCRIPT,
    "\n".join(f"Line {n} of the opener for {{{{ company }}}}." for n in range(1, 31)),
    step=1,
)
VOICEMAIL = Template(
    "vm-1",
    TemplateChannel.VOICEMAIL,
    "VOICEMAIL-END {{ rep.name }} for {{ company }}, {{ rep.phone | default('x') }}.",
    step=1,
)


async def test_the_whole_script_pane_can_be_read_from_the_keyboard_at_80x24(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, LONG_SCRIPT, rep="lead", now=NOW)
    save_template(store, VOICEMAIL, rep="lead", now=NOW)
    make_lead(name="Jim Brodo", company="Brodo Inc")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen)
        await pilot.press("k")
        await settle(app, pilot)
        pane = app.screen.query_one(ScriptPane)
        assert "VOICEMAIL-END" not in widget_text(app, pane)  # below the fold at first
        app.screen.query_one("#history").focus()  # wherever the focus is (a table pages too)
        for _ in range(12):
            await pilot.press("pagedown")
        await settle(app, pilot)
        assert "VOICEMAIL-END alice for Brodo Inc" in " ".join(widget_text(app, pane).split())
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert "pgdn  Page the research notes or the scripts down" in screen_text(app)


async def test_the_card_counts_call_attempts_of_a_multi_channel_schedule_as_the_queue_does(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    steps = ("call now", "email +1h", "call +1d", "linkedin day 3", "call day 5")
    settings = replace(settings, cadence=Cadence(steps=tuple(map(parse_step, steps))))
    make_lead(name="Jim Brodo", company="Brodo Inc", settings=settings)
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        card = widget_text(app, app.screen.query_one(LeadCard))
        assert "attempt 1 of 3" in card, card  # three call steps, not five steps


FRAME = str.maketrans(dict.fromkeys("│▁▂▃▄▅▆▇█▔", " "))


async def test_the_help_names_the_schedule_in_force_not_only_the_default(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    steps = ("call now", "email +1h", "call +1d", "linkedin day 3", "call day 5")
    settings = replace(settings, cadence=Cadence(steps=tuple(map(parse_step, steps))))
    make_lead(name="Jim Brodo", company="Brodo Inc", settings=settings)
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        wanted = "the team's schedule (call now, email +1h, call +1d, linkedin day 3"
        seen = []
        for _ in range(8):  # page by page, as a rep reads it
            await pilot.press("pagedown")
            await settle(app, pilot)
            text = screen_text(app).translate(FRAME)  # the border and the scrollbar's thumb
            seen.append(" ".join(text.split()))
            if wanted in seen[-1]:
                break
        assert wanted in seen[-1], seen
