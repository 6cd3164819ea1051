"""Textual conventions (issue 12), at 80x24 with real keys: the command palette, the theme kept
across runs, a clickable key bar built from the bindings, `?` help with every key, remapped keys
in every hint, and no key-bar item or status line cut mid-word."""

from __future__ import annotations

import re
from dataclasses import replace

from textual.command import CommandPalette

from callblock.app import CallblockApp
from callblock.context import AppContext
from callblock.screens.help import HelpScreen
from callblock.screens.lead import LeadScreen
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.review import ReviewScreen
from callblock.screens.search import SearchScreen
from callblock.screens.week import WeekScreen
from callblock.store import Store
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.notes import NotesPane
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text, widget_text


async def settle(app: CallblockApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _as_rep(app: CallblockApp) -> CallblockApp:
    """The same app for a registered rep (no Review, no import)."""
    return CallblockApp(replace(app.context, role="rep"), start=app.start)


def _titles(app: CallblockApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def test_ctrl_p_opens_the_palette_with_callblocks_commands(make_app: AppMaker) -> None:
    app = make_app()
    app.start = "home"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = " | ".join(_titles(app)).lower()  # on the week screen
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert CommandPalette.is_open(app)
        for wanted in ("start", "power hour", "search", "new lead", "import", "review", "theme"):
            assert wanted in titles, titles
        assert "screenshot" not in titles  # it would write a file on the server
        await pilot.press(*"review")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_palette_search_command_opens_search(make_app: AppMaker) -> None:
    app = make_app()
    app.start = "home"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"search", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)


async def test_a_reps_palette_has_no_review_or_import(make_app: AppMaker) -> None:
    app = _as_rep(make_app())
    app.start = "home"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = " | ".join(_titles(app)).lower()
        assert "review" not in titles and "import" not in titles
        assert "search" in titles and "theme" in titles


async def test_the_theme_is_kept_across_runs_per_rep(make_app: AppMaker) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme != "nord"
        app.theme = "nord"
        await settle(app, pilot)
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.theme == "nord"
    other = make_app(rep="bob")
    async with other.run_test(size=SIZE) as pilot:
        await settle(other, pilot)
        assert other.theme != "nord"  # another rep's choice is theirs


async def test_a_bad_stored_theme_is_ignored(store: Store, make_app: AppMaker) -> None:
    from callblock.services.preferences import THEME_KEY

    for bad in ("no-such-theme", "", "x" * 5000, "\x1b[2J"):
        store.admin.set_meta(THEME_KEY.format(rep="alice"), bad)
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.theme in app.available_themes and app.theme != bad


def help_text(app: CallblockApp) -> str:
    """All of the `?` help (it scrolls at 80x24), whitespace squeezed."""
    from textual.widgets import Static

    assert isinstance(app.screen, HelpScreen)
    return " ".join(" ".join(str(s.render()) for s in app.screen.query(Static)).split())


def _bar_lines(app: CallblockApp) -> list[str]:
    return widget_text(app, app.screen.query_one(KeyBar)).splitlines()


async def _click_item(app: CallblockApp, pilot, label: str) -> None:  # type: ignore[no-untyped-def]
    bar = app.screen.query_one(KeyBar)
    for y, line in enumerate(widget_text(app, bar).splitlines()):
        if (x := line.find(label)) >= 0:
            await pilot.click(KeyBar, offset=(x + 1, y))
            return
    raise AssertionError(f"{label!r} not in the key bar")


async def test_key_bar_items_are_clickable(make_app: AppMaker, make_lead: LeadMaker) -> None:
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen)
        await _click_item(app, pilot, "? help")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await _click_item(app, pilot, "/ search")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)


async def test_week_and_power_hour_show_import_in_the_bar_and_help(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead()
    for start, screen in (("home", WeekScreen), ("dial", PowerHourScreen)):
        app = make_app()
        app.start = start
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, screen)
            bar = " ".join(_bar_lines(app))
            assert "i import" in bar, bar
            await pilot.press("question_mark")
            await settle(app, pilot)
            text = help_text(app)
            assert re.search(r"\bi\s+Import leads", text), text[:3000]
            assert "Draw the whole screen again" in text  # a key not in the bar (ctrl+l)


async def test_a_reps_bar_has_no_import(make_app: AppMaker, make_lead: LeadMaker) -> None:
    make_lead()
    app = _as_rep(make_app())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "import" not in " ".join(_bar_lines(app))


async def test_a_reps_week_has_no_review_or_import(make_app: AppMaker) -> None:
    app = _as_rep(make_app())
    app.start = "home"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)
        bar = " ".join(_bar_lines(app))
        assert "review" not in bar and "import" not in bar and "search" in bar, bar
        await pilot.press("r", "i")
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)


async def test_remapped_keys_show_in_bar_help_and_hints(
    make_app: AppMaker, make_lead: LeadMaker, settings
) -> None:
    make_lead()
    keys = dict(settings.keys) | {
        "undo": "z",
        "end_block": "j",
        "search": "f",
        "note": "o",
        "edit_notes": "r",
    }
    app = make_app(settings_override=replace(settings, keys=keys))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        bar = " ".join(_bar_lines(app))
        assert "z undo" in bar and "j end" in bar and "f search" in bar, bar
        assert "u undo" not in bar and "q end" not in bar
        notes = widget_text(app, app.screen.query_one(NotesPane))
        assert "Press r to add some" in " ".join(notes.split())  # the empty notes' hint
        await pilot.press("question_mark")
        await settle(app, pilot)
        text = help_text(app)
        assert "z takes a lead back" in text, text
        assert "j ends it" in text and "f finds a lead" in text
        assert "u takes" not in text and "q ends it" not in text and "/ finds" not in text


async def test_status_line_and_key_bar_never_cut_a_word(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead = make_lead(name="Bartholomew Featherstonehaugh-Cholmondeley", company="X" * 40)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeadScreen(lead))
        await settle(app, pilot)
        lines = _bar_lines(app)
        words = {w for b in app.screen.active_bindings.values() for w in b[1].description.split()}
        for line in lines:
            items = [item for item in re.split(r"\s{2,}", line.strip()) if item]
            for item in items:
                _key, _, description = item.partition(" ")
                assert description, f"{item!r}: a key without its description in {lines}"
                for word in description.split():
                    assert word in words, f"{word!r} cut in {lines}"
        # a long status line is cut with an ellipsis on its one line, not wrapped
        screen = app.screen
        screen._say(screen_status_of(screen, "word " * 30))
        await pilot.pause()
        status = widget_text(app, screen.query_one("#status"))
        assert status.count("\n") == 0 and status.rstrip().endswith("…"), status


def screen_status_of(screen: object, text: str):  # type: ignore[no-untyped-def]
    from textual.content import Content

    return Content(text.strip())


async def test_help_context_for_a_registered_rep(store: Store, settings, clock) -> None:
    context = AppContext(store=store, clock=clock, settings=settings, rep="rob", role="rep")
    app = CallblockApp(context, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert "Import leads" not in help_text(app)


async def test_the_empty_card_names_the_remapped_end_key(make_app: AppMaker, settings) -> None:
    keys = dict(settings.keys) | {"end_block": "j"}
    app = make_app(settings_override=replace(settings, keys=keys))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = " ".join(screen_text(app).split())
        assert "j ends the block" in text and "q ends the block" not in text


async def test_the_lead_screen_has_help_with_its_keys(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead = make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeadScreen(lead))
        await settle(app, pilot)
        assert "? help" in " ".join(_bar_lines(app))
        assert all(len(line) <= 80 for line in _bar_lines(app) if line)
        await pilot.press("question_mark")
        await settle(app, pilot)
        text = help_text(app)
        for words in ("merge dup", "call now", "1-6 step a fit criterion", "Import leads"):
            assert words in text, text


async def test_the_key_bar_is_redrawn_only_when_a_key_changes(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    """Each lead refreshes the bindings; the bar's ~2 ms render is paid only for a change
    (editing the notes takes the outcome keys away, leaving the editor brings them back)."""
    for _ in range(4):
        make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")  # the first outcome enables the key that notes it
        await settle(app, pilot)
        bar = app.screen.query_one(KeyBar)
        updates: list[dict[str, bool]] = []
        original = bar.update

        def counted(content) -> None:  # type: ignore[no-untyped-def]
            updates.append({words: enabled for _key, _shown, words, enabled in bar._shown})
            original(content)

        bar.update = counted  # type: ignore[method-assign]
        await pilot.press("n")
        await settle(app, pilot)
        assert updates == []  # the next lead: the same keys
        await pilot.press("e")
        await settle(app, pilot)
        assert app.screen.query_one(NotesPane).editing
        assert updates and not updates[-1].get("no ans")  # no outcome key while editing
        editing = len(updates)
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(updates) == editing + 1 and updates[-1]["no ans"]
        assert "n no ans" in " ".join(_bar_lines(app))
