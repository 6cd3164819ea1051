"""The terminal layer for remote reps: Esc and the next key arriving together are two keys,
real escape sequences still parse, motion without a button is dropped, the app asks the
terminal for clicks and drags only, and no text box blinks (see test_terminal_pty.py for the
same on a real pseudo-terminal)."""

from __future__ import annotations

import time

import pytest
from textual import events
from textual.constants import ESCAPE_DELAY
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message
from textual.widgets import Input, TextArea

from callblock.screens.import_leads import ImportScreen
from callblock.screens.lead import LeadScreen
from callblock.screens.lead_form import EditLeadScreen, NewLeadScreen
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.prompts import NoteScreen, WhenScreen
from callblock.screens.review import ReviewScreen
from callblock.screens.search import SearchScreen
from callblock.store import Store
from callblock.terminal import CallblockDriver, CallblockParser
from callblock.widgets.notes import NotesPane
from tests.conftest import NOW, ZONE
from tests.power_hour_helpers import SIZE, shown


def parse(data: str, *, wait: bool = False) -> list[Message]:
    parser = CallblockParser()
    messages = list(parser.feed(data))
    if wait:  # let the parser's Esc timeout pass, as the input thread's tick would
        time.sleep(ESCAPE_DELAY + 0.05)
        messages += list(parser.tick())
    return messages


def keys(data: str, *, wait: bool = False) -> list[str]:
    return [m.key for m in parse(data, wait=wait) if isinstance(m, events.Key)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x1bv", ["escape", "v"]),
        ("\x1bb", ["escape", "b"]),  # Textual reads this one as ctrl+left (iTerm word-jump)
        ("\x1bV", ["escape", "V"]),
        ("\x1b1", ["escape", "1"]),  # Textual reads this one as "¡" (macOS Option+1)
        ("\x1b?", ["escape", "question_mark"]),
        ("\x1b ", ["escape", "space"]),
        ("\x1b\r", ["escape", "enter"]),
        ("\x1b\x7f", ["escape", "backspace"]),
        ("\x1b\x1bv", ["escape", "escape", "v"]),
        ("l\x1bvn", ["l", "escape", "v", "n"]),
        ("\x1bé", ["escape", "é"]),
    ],
)
def test_esc_then_a_key_together_are_two_keys(data: str, expected: list[str]) -> None:
    assert keys(data) == expected  # at once: no wait for the Esc timeout


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x1b[", ["escape", "left_square_bracket"]),  # might have begun an arrow: waits
        ("\x1bO", ["escape", "O"]),
        ("\x1b", ["escape"]),
    ],
)
def test_esc_then_a_sequence_introducer_is_two_keys_after_the_timeout(
    data: str, expected: list[str]
) -> None:
    assert keys(data, wait=True) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x1b[A", ["up"]),
        ("\x1bOA", ["up"]),  # application cursor mode
        ("\x1bOP", ["f1"]),
        ("\x1b[15~", ["f5"]),
        ("\x1b[Z", ["shift+tab"]),
        ("\x1b[1;5C", ["ctrl+right"]),
        ("\x1b[27u", ["escape"]),  # Kitty keyboard protocol
        ("\x1b[118;3u", ["alt+v"]),  # a real Alt+v, where the terminal can say so
    ],
)
def test_real_escape_sequences_still_parse(data: str, expected: list[str]) -> None:
    assert keys(data) == expected


def test_bracketed_paste_still_parses() -> None:
    messages = parse("\x1b[200~Acme [UK] Ltd, Olga\x1b[201~v")
    assert len(messages) == 2
    paste, key = messages
    assert isinstance(paste, events.Paste) and paste.text == "Acme [UK] Ltd, Olga"
    assert isinstance(key, events.Key) and key.key == "v"


def test_clicks_drags_and_wheel_still_parse() -> None:
    down, up = parse("\x1b[<0;10;5M\x1b[<0;10;5m")
    assert isinstance(down, events.MouseDown) and (down.x, down.y, down.button) == (9, 4, 1)
    assert isinstance(up, events.MouseUp)
    (drag,) = parse("\x1b[<32;12;5M")  # moved with the left button held
    assert isinstance(drag, events.MouseMove) and drag.button == 1
    (wheel,) = parse("\x1b[<65;10;5M")
    assert isinstance(wheel, events.MouseScrollDown)


def test_motion_without_a_button_is_dropped() -> None:
    assert parse("\x1b[<35;10;10M\x1b[<35;11;10M\x1b[<35;12;10M") == []
    assert keys("\x1b[<35;10;10Mv") == ["v"]  # and does not swallow what follows


class RecordingDriver(CallblockDriver):
    """The driver's writes, without a terminal."""

    def __init__(self) -> None:  # no app, no signal handlers: only the mode strings
        self._mouse = True
        self.written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)

    def flush(self) -> None:
        pass


def test_the_driver_asks_for_clicks_and_drags_never_any_motion() -> None:
    driver = RecordingDriver()
    driver._enable_mouse_support()
    on = "".join(driver.written)
    assert "\x1b[?1000h" in on and "\x1b[?1002h" in on and "\x1b[?1006h" in on
    assert "1003" not in on
    driver.written.clear()
    driver._disable_mouse_support()
    off = "".join(driver.written)
    assert "\x1b[?1000l" in off and "\x1b[?1002l" in off and "\x1b[?1006l" in off
    assert issubclass(CallblockDriver, LinuxDriver)


def test_the_app_uses_the_callblock_driver(make_app) -> None:
    assert make_app().driver_class is CallblockDriver


async def test_no_text_box_in_the_app_blinks(make_app, make_lead) -> None:
    lead = make_lead(name="Ann First", notes="Some research")
    app = make_app()
    screens = [
        lambda: PowerHourScreen(),  # the notes editor
        lambda: WhenScreen("Callback", NOW, ZONE, ZONE),
        lambda: NoteScreen("Note"),
        lambda: SearchScreen(),
        lambda: NewLeadScreen(),
        lambda: EditLeadScreen(lead),
        lambda: ImportScreen(),
        lambda: LeadScreen(lead),
        lambda: ReviewScreen(),
    ]
    async with app.run_test(size=SIZE) as pilot:
        for make_screen in screens:
            screen = make_screen()
            await app.push_screen(screen)
            await pilot.pause()
            for notes in screen.query(NotesPane):  # the notes editor is made on the first edit
                notes.edit()
                await pilot.pause()
            boxes = [*screen.query(Input), *screen.query(TextArea)]
            assert boxes, f"{type(screen).__name__} has no text box to check"
            blinking = [box for box in boxes if box.cursor_blink]
            assert not blinking, f"{type(screen).__name__}: {blinking}"
            app.pop_screen()
            await pilot.pause()


def touch_outcomes(store: Store, lead_id: int) -> list[str]:
    return [touch.outcome for touch in store.touches.touches_for_lead(lead_id)]


async def keys_together(pilot, *pressed: tuple[str, str]) -> None:
    """Keys posted back to back, as the driver posts the keys of one read: none waits for the
    app to handle the one before (a Pilot press would)."""
    for key, character in pressed:
        pilot.app.post_message(events.Key(key, character))
    await pilot.pause(0.3)


async def test_esc_then_a_key_together_close_the_prompt_and_reach_the_power_hour(
    make_app, make_lead, store: Store
) -> None:
    first = make_lead(name="Ann First")
    second = make_lead(name="Bob Second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == first
        await pilot.press("l")
        assert isinstance(app.screen, WhenScreen)
        await keys_together(pilot, ("escape", "\x1b"), ("v", "v"))
        assert isinstance(app.screen, PowerHourScreen)
        assert touch_outcomes(store, first) == ["voicemail"]
        assert shown(app) == second
        await pilot.press("t")  # the note prompt on that outcome: Esc + n skips it, n is dialed
        assert isinstance(app.screen, NoteScreen)
        await keys_together(pilot, ("escape", "\x1b"), ("n", "n"))
        assert isinstance(app.screen, PowerHourScreen)
        assert touch_outcomes(store, second) == ["no-answer"]
        assert touch_outcomes(store, first) == ["voicemail"]


async def test_esc_then_a_key_together_leave_the_notes_editor_saved(
    make_app, make_lead, store: Store
) -> None:
    first = make_lead(name="Ann First", notes="old")
    make_lead(name="Bob Second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        editor = app.screen.query_one(TextArea)
        assert editor.has_focus
        editor.load_text("called the office")
        await keys_together(pilot, ("escape", "\x1b"), ("n", "n"))
        assert not editor.has_focus and editor.text == "called the office"
        lead = store.leads.get_lead(first)
        assert lead is not None and lead.notes == "called the office"
        assert touch_outcomes(store, first) == ["no-answer"]
