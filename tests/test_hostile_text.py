"""Hostile text is data: shown literally, never markup, an action, a link or terminal control.

DESIGN.md, "Bad input". Each string goes into every field the power-hour screen shows; each
widget is read back from the composed screen (tests/screen_text.py), as the rep would see it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import LeadStatus
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.prompts import ConfirmScreen, NoteScreen, WhenScreen
from callblock.screens.summary import SummaryScreen
from callblock.services import dialing
from callblock.services.leads import history
from callblock.store import Store
from callblock.widgets.app_header import AppHeader
from callblock.widgets.history import HistoryTable
from callblock.widgets.lead_card import LeadCard
from callblock.widgets.notes import NotesPane
from callblock.widgets.session_bar import SessionBar
from tests.conftest import ZONE
from tests.screen_text import (
    assert_screen_safe,
    links_and_actions,
    shows,
    widget_text,
)

SIZE = (80, 24)
HOSTILE = [
    pytest.param("[bold red]X[/]", id="style-markup"),
    pytest.param("Acme [UK] Ltd", id="brackets"),
    pytest.param("Smith [/] Jr", id="stray-close-tag"),
    pytest.param("[@click=app.quit]y[/]", id="click-action"),
    pytest.param("[link=file:///etc/passwd]z[/]", id="link"),
    pytest.param("Wipe\x1b[2Jout", id="csi-clear-screen"),
    pytest.param("Clip\x1b]52;c;SGVsbG8=\x07board", id="osc52-clipboard"),
]
REP_COLUMN = 12  # the history table's rep column shows this many characters at most


Where = Widget | str | type[Widget]


def visible(app: App[object], where: Where) -> str:
    """What a widget (or the widget a selector or class names on this screen) shows."""
    widget = where if isinstance(where, Widget) else app.screen.query_one(where)
    return widget_text(app, widget)


def capped(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def assert_shows(app: App[object], where: Where, needle: str) -> None:
    text = visible(app, where)
    assert shows(text, needle), f"{needle!r} not shown literally in {where!r}:\n{text}"


def prompt_title(app: App[object]) -> Static:
    return app.screen.query(Static).first()


def hostile_settings(value: str) -> Settings:
    return Settings(timezone=ZONE, block_name=f"B{value}")


async def paste(app: App[object], pilot: Pilot[object], text: str) -> None:
    """A terminal paste: the driver posts it to the app, which forwards it to the focus."""
    app.post_message(events.Paste(text))
    await pilot.pause()


# the helper must be able to fail ---------------------------------------------------------------
class MarkupApp(App[None]):
    """Widgets used the unsafe way: markup parsed, raw text passed through."""

    def compose(self) -> ComposeResult:
        yield Static("Acme [UK] Ltd", id="lossy")
        yield Static("[@click=app.quit]y[/] [link='https://example.com']z[/]", id="active")
        yield Static("Wipe\x1b[2Jout", markup=False, id="raw")
        yield Static("[b]bold[/b] plain", id="plain")


async def test_screen_text_detects_lost_brackets_actions_links_and_raw_escapes() -> None:
    app = MarkupApp()
    async with app.run_test(size=SIZE):
        assert not shows(visible(app, "#lossy"), "Acme [UK] Ltd")  # markup ate "[UK]"
        assert shows(visible(app, "#lossy"), "Acme Ltd")
        assert shows(visible(app, "#plain"), "bold plain")
        assert not shows(visible(app, "#plain"), "[b]bold")
        assert "\x1b" in visible(app, "#raw")
        assert sorted(links_and_actions(app)) == ["@click app.quit", "link https://example.com"]
        with pytest.raises(AssertionError, match="raw control characters"):
            assert_screen_safe(app)


def test_shows_allows_a_replaced_control_character_but_nothing_else() -> None:
    assert shows("Wipe\ufffd[2Jout", "Wipe\x1b[2Jout")
    assert shows("Wipe[2Jout", "Wipe\x1b[2Jout")
    assert not shows("Wipeout", "Wipe\x1b[2Jout")
    assert shows("Acme [UK]\n  Ltd", "Acme [UK] Ltd")  # wrapped
    assert not shows("Acme Ltd", "Acme [UK] Ltd")


# lead fields, notes, history, header, session bar ----------------------------------------------
@pytest.mark.parametrize("value", HOSTILE)
async def test_lead_fields_notes_and_history_show_literally(
    value, make_app, make_lead, store: Store, clock: FixedClock
):
    lead_id = make_lead(name=f"N{value}", title=f"T{value}", company=f"C{value}", notes=value)
    now = clock.now()
    clock.set(now - timedelta(hours=2))
    dialing.record_outcome(
        store, clock, rep=value, lead_id=lead_id, code="busy", note=value, settings=Settings()
    )
    clock.set(now)
    app = make_app(rep=value, settings_override=hostile_settings(value))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # Markdown renders in the background
        screen = app.screen
        assert isinstance(screen, PowerHourScreen) and screen.current is not None
        assert screen.current.lead.id == lead_id

        assert_shows(app, LeadCard, f"N{value}")
        assert_shows(app, LeadCard, f"T{value}")
        assert_shows(app, LeadCard, f"C{value}")
        assert_shows(app, app.screen.query_one(NotesPane).query_one("#notes-view"), value)
        assert_shows(app, AppHeader, value)
        assert_shows(app, SessionBar, f"B{value}")
        table = app.screen.query_one(HistoryTable)
        assert_shows(app, table, capped(value, REP_COLUMN))  # rep
        assert_shows(app, table, value)  # touch note
        assert_screen_safe(app)

        await pilot.click(LeadCard, offset=(3, 0))  # on the name
        await pilot.click(NotesPane, offset=(3, 0))  # on the notes
        assert app.is_running and app.screen is screen


# status line and prompt titles -----------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE)
async def test_status_line_prompts_and_summary_show_literally(
    value, make_app, make_lead, store: Store
):
    name = f"N{value}"
    lead_id = make_lead(name=name)
    app = make_app(rep=value, settings_override=hostile_settings(value))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, PowerHourScreen)

        await pilot.press("l")
        assert isinstance(app.screen, WhenScreen)
        assert_shows(app, prompt_title(app), f"Callback requested: {name} — when?")
        assert_screen_safe(app)
        await pilot.press("escape", "d")
        assert isinstance(app.screen, ConfirmScreen)
        assert_shows(app, prompt_title(app), f"Mark {name} as do not call?")
        assert_screen_safe(app)
        await pilot.press("n")

        await pilot.press("v")  # voicemail
        assert app.screen is screen and screen.current is None
        assert_shows(app, "#status", f"✓ Left voicemail · {name}")
        assert_screen_safe(app)

        await pilot.press("t")
        assert isinstance(app.screen, NoteScreen)
        assert_shows(app, prompt_title(app), f"Note on left voicemail · {name}")
        assert_screen_safe(app)
        await pilot.press("escape", "u")
        assert screen.current is not None and screen.current.lead.id == lead_id
        assert_shows(app, "#status", f"undone voicemail · {name}")
        assert_shows(app, LeadCard, name)
        assert_screen_safe(app)

        await pilot.press("s")
        assert_shows(app, "#status", f"skipped {name}")
        assert_screen_safe(app)

        await pilot.press("q")
        assert isinstance(app.screen, SummaryScreen)
        assert_shows(app, app.screen.query(Static).first(), f"B{value} ended")
        assert_screen_safe(app)
        assert app.is_running
    assert store.admin.count("touches") == 1  # the voicemail, undone


# text the rep pastes: note prompt, when prompt, notes editor -----------------------------------
@pytest.mark.parametrize("value", HOSTILE)
async def test_pasted_touch_note_shows_literally_and_is_saved_clean(
    value, make_app, make_lead, store: Store
):
    lead_id = make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "t")
        assert isinstance(app.screen, NoteScreen)
        await paste(app, pilot, value)
        assert_shows(app, Input, value)
        assert_screen_safe(app)
        await pilot.press("enter")
        assert isinstance(app.screen, PowerHourScreen)
        assert_shows(app, "#status", f"note saved: {value}")
        assert_screen_safe(app)
    note = history(store, lead_id)[0].note
    assert shows(note, value) and "\x1b" not in note and "\x07" not in note


@pytest.mark.parametrize("value", HOSTILE)
async def test_pasted_time_shows_literally_and_records_nothing(
    value, make_app, make_lead, store: Store
):
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await paste(app, pilot, value)
        assert_shows(app, Input, value)
        assert "cannot read" in visible(app, "#when-preview")
        assert_screen_safe(app)
        await pilot.press("enter")  # not a time: the prompt stays
        assert isinstance(app.screen, WhenScreen)
        assert app.is_running
    assert store.admin.count("touches") == 0


@pytest.mark.parametrize("value", HOSTILE)
async def test_pasted_research_notes_show_literally_and_are_saved_clean(
    value, make_app, make_lead, store: Store
):
    lead_id = make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await paste(app, pilot, value)
        assert_shows(app, TextArea, value)
        assert_screen_safe(app)
        await pilot.press("escape")
        await pilot.pause()
        assert_shows(app, app.screen.query_one(NotesPane).query_one("#notes-view"), value)
        assert_screen_safe(app)
        assert app.is_running
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.status is LeadStatus.NEW
    assert shows(lead.notes, value) and "\x1b" not in lead.notes and "\x07" not in lead.notes


async def test_markdown_links_in_notes_are_shown_but_never_linked(make_app, make_lead) -> None:
    make_lead(notes="See [their site](https://evil.example/x) and <https://evil.example/y>")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert_shows(app, app.screen.query_one(NotesPane).query_one("#notes-view"), "their site")
        assert links_and_actions(app) == []
