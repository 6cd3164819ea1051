"""The screens of issue 11 at 80x24, pressing the real keys: the Templates screen (T on the week
screen), the power hour's script pane (k), and the Tasks screen (t)."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input, TextArea

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import Template, TemplateChannel
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.templates import TemplatesScreen
from callblock.screens.week import WeekScreen
from callblock.services.templates import save_template
from callblock.store import Store
from callblock.widgets.notes import NotesPane
from callblock.widgets.script import ScriptPane
from tests.conftest import NOW, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text, widget_text

CALL_SCRIPT = Template(
    name="opener",
    channel=TemplateChannel.CALL_SCRIPT,
    step=1,
    body="Hi {{ first_name }}, this is {{ rep.name }}. You asked about {{ interest }}.",
)
VOICEMAIL = Template(
    name="vm-1",
    channel=TemplateChannel.VOICEMAIL,
    step=1,
    body=(
        "Hi {{ first_name | default('there') }}, {{ rep.name }} here about {{ company }}. "
        "Call me back on {{ rep.phone | default('the number on your caller ID') }}."
    ),
)


async def settle(app: CallblockApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def home_app(store: Store, clock: FixedClock, settings: Settings) -> CallblockApp:
    return create_app(settings=settings, store=store, clock=clock, rep="alice", start="home")


async def test_a_team_lead_writes_a_template_and_a_broken_one_is_refused_naming_the_line(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert "0 templates" in screen_text(app)
        await pilot.press("ctrl+n")
        await pilot.press(*"follow-up-1", "tab", "tab", "2", "tab", "a")  # channel: email
        app.screen.query_one("#template-subject", Input).value = "About {{ interest }}"
        body = app.screen.query_one(TextArea)
        body.load_text("Hi {{ first_name }},\nthanks for {{ intrest }}.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        shown = screen_text(app)
        assert "not saved" in shown and "intrest" in shown and "line 2" in shown
        assert store.templates() == []  # nothing saved
        body.load_text("Hi {{ first_name }},\nthanks for {{ interest }}.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [saved] = store.templates()
        assert (saved.name, saved.channel, saved.step, saved.variant) == (
            "follow-up-1",
            TemplateChannel.EMAIL,
            2,
            "A",
        )
        assert saved.subject == "About {{ interest }}"
        assert "✓ saved follow-up-1" in screen_text(app)
        assert "follow-up-1" in screen_text(app)  # listed
        await pilot.press("escape")  # from the body editor: Esc leaves the screen
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)


async def test_a_rep_on_a_team_database_reads_templates_but_cannot_save(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    app = CallblockApp(replace(app.context, role="rep"), start="home")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        shown = screen_text(app)
        assert "read only" in shown and "opener" in shown
        assert "ctrl+s" not in widget_text(app, app.screen.query_one("#key-bar"))
        app.screen.query_one(TextArea).load_text("changed {{ nope }}")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        kept = store.template("opener")
        assert kept is not None and kept.body == CALL_SCRIPT.body


async def test_k_shows_the_call_and_voicemail_scripts_for_the_lead_and_k_again_the_notes(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    save_template(store, VOICEMAIL, rep="lead", now=NOW)
    make_lead(name="Jim Brodo", company="Brodo Inc", interest="the pricing guide", notes="N1")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen)
        notes, pane = app.screen.query_one(NotesPane), app.screen.query_one(ScriptPane)
        assert notes.display and not pane.display
        await pilot.press("k")
        await settle(app, pilot)
        assert pane.display and not notes.display
        shown = " ".join(widget_text(app, pane).split())  # as one line, however it wraps
        assert "Call script · opener" in shown
        assert "Hi Jim, this is alice." in shown
        assert "You asked about the pricing guide." in shown
        assert "Voicemail · vm-1" in shown
        await pilot.press("k")
        await settle(app, pilot)
        assert notes.display and not pane.display
        assert "N1" in widget_text(app, notes)


async def test_a_script_the_lead_cannot_fill_names_the_missing_field_never_a_half_message(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    lead_id = make_lead(name="Jim Brodo", company="Brodo Inc")  # no interest
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        shown = widget_text(app, app.screen.query_one(ScriptPane))
        assert f"lead {lead_id} has no interest" in shown
        assert "{{" not in shown and "You asked about" not in shown
        assert "Voicemail: none for this step" in shown


async def test_the_script_stays_shown_for_the_next_lead_and_the_touch_records_its_template(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    save_template(store, VOICEMAIL, rep="lead", now=NOW)
    make_lead(name="Jim Brodo", company="Brodo Inc", interest="pricing")
    make_lead(name="Ann Lee", company="Lee Co", interest="the demo")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        shown_first = widget_text(app, app.screen.query_one(ScriptPane))
        first = app.screen.current.lead.id
        await pilot.press("v")  # left a voicemail, reading the voicemail script
        await settle(app, pilot)
        shown_next = widget_text(app, app.screen.query_one(ScriptPane))
        assert shown_next != shown_first and app.screen.query_one(ScriptPane).display
        [touch] = store.touches_for_lead(first)
        assert (touch.template, touch.variant) == ("vm-1", None)
