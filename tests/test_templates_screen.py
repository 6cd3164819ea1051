"""The Templates screen at 80x24 (issue 11 review): a stray Esc never loses unsaved edits, and
the list shows one template a line, its name apart from its subject."""

from __future__ import annotations

from textual.widgets import OptionList, TextArea

from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import Template, TemplateChannel
from callblock.screens.templates import TemplatesScreen
from callblock.screens.week import WeekScreen
from callblock.services.templates import save_template
from callblock.store import Store
from tests.channel_helpers import EMAIL_A, EMAIL_B, home_app, settle
from tests.conftest import NOW
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text, widget_text

# The Templates screen ------------------------------------------------------------------------


async def test_esc_in_the_body_editor_with_unsaved_changes_asks_first_and_keeps_them(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    save_template(store, EMAIL_A, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("enter")  # into the body editor
        await settle(app, pilot)
        body = app.screen.query_one(TextArea)
        assert body.has_focus
        await pilot.press(*"XYZ")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)  # a stray Esc loses nothing
        assert "XYZ" in body.text
        shown = " ".join(screen_text(app).split())
        assert "Unsaved changes: ctrl+s saves them; esc again discards them." in shown
        await pilot.press("escape")  # a second Esc leaves without saving, as it said
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)
        kept = store.templates.template("email-2a")
        assert kept is not None and kept.body == EMAIL_A.body


async def test_esc_without_changes_leaves_at_once(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    save_template(store, EMAIL_A, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("down", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)


async def test_the_template_list_shows_one_template_a_line_name_apart_from_subject(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    save_template(store, EMAIL_A, rep="lead", now=NOW)
    save_template(store, EMAIL_B, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        rows = widget_text(app, app.screen.query_one(OptionList)).splitlines()
        assert "email-2a  Following up on" in rows[0]  # never "email-2aFollowing"
        assert "email-2b  Quick question" in rows[1]  # the long subject did not wrap


async def test_moving_in_the_list_with_unsaved_changes_asks_first_then_shows_the_other(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    save_template(store, EMAIL_A, rep="lead", now=NOW)
    save_template(store, EMAIL_B, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("enter", *"XYZ")  # edit email-2a's body
        body = app.screen.query_one(TextArea)
        app.screen.query_one(OptionList).focus()  # back to the list (shift+tab, six times)
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        assert "XYZ" in body.text  # kept, and said
        assert "moving in the list again discards them" in " ".join(screen_text(app).split())
        await pilot.press("up", "down")
        await settle(app, pilot)
        assert body.text == EMAIL_B.body
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert body.text == ""  # nothing unsaved: a new template at once


async def test_the_form_shows_the_longest_channel_whole_at_80_columns(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    script = Template("opener", TemplateChannel.CALL_SCRIPT, "Hi {{ first_name }}.", step=12)
    save_template(store, script, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        fields = widget_text(app, app.screen.query_one("#template-fields"))
        assert "Channel call-script" in " ".join(fields.split()), fields
        assert "Step 12" in " ".join(fields.split()), fields


async def test_question_mark_opens_the_help_from_the_list_and_is_typed_in_the_body(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    from callblock.screens.help import HelpScreen

    save_template(store, EMAIL_A, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T", "question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "F1" in screen_text(app) and "Unsaved" not in screen_text(app)
        await pilot.press("escape", "enter", "question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert app.screen.query_one(TextArea).text.startswith("?")
