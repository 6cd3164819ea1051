"""Terminal input and modes for reps on a slow or jittery link (SSH at 80x24).

Two small subclasses of Textual 8's own classes, used by CallblockApp through
`get_driver_class` (not monkeypatching: only callblock's app is affected, and a Textual upgrade
that changes these hooks fails tests/test_terminal.py instead of failing silently):

- CallblockParser: an Esc and the next key arriving together are two keys. Textual's
  XTermParser waits ESCDELAY (100 ms) after ESC to tell the Esc key from an escape sequence;
  a key that arrives sooner (in the same read, as over SSH) is glued to the ESC and read as
  Alt+key (`\\x1bv` -> alt+v, whose character "v" an open text box then types), or as another
  key altogether (`\\x1bb` -> ctrl+left, `\\x1b1` -> "¡"). A prompt then stays open and the key
  is lost. A rep never means Alt here, so ESC + one character is Esc, then that character,
  except "[" and "O", which begin real sequences (CSI: arrows, F-keys, mouse reports, bracketed
  paste, terminal replies; SS3: arrows in application mode, F1-F4): those still wait out the
  delay, and if nothing follows are Esc then the character too (Textual would drop the Esc).
  A terminal speaking the Kitty keyboard protocol (which Textual asks for) reports Esc and
  Alt+key unambiguously and is unaffected.
- CallblockDriver: asks the terminal for clicks and drags only (modes 1000 and 1002, in SGR
  form 1006), never any-motion tracking (1003): with it every cell the pointer crossed was a
  report in and a hover repaint out (~1.3 KB per cell over SSH). Motion without a button that
  a terminal reports anyway is dropped by the parser, so it never repaints anything.
- escape_first: the app runs an Esc key's binding before it routes the next key. Textual hands
  a key to the focused widget and runs a (non-priority) binding only once the key has bubbled
  back up to the app, after the next key was already handed to the same widget: with Esc and
  "v" together, the prompt's input typed the "v", then Esc closed the prompt.
"""

from __future__ import annotations

import os
import re
import selectors
from codecs import getincrementaldecoder
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import events
from textual._compositor import CompositorUpdate
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from callblock.terminal_frames import FrameDiff

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from textual.app import App

ESC = "\x1b"
# After ESC, these characters begin an escape sequence worth waiting for (CSI and SS3).
SEQUENCE_STARTS = frozenset("[O")
# Erasing the display or switching screens: what the terminal shows is not known any more.
CLEARS = re.compile(r"\x1b\[[0-3]?J|\x1b\[\?(1049|1047|47)[hl]|\x1bc")


def escape_key() -> events.Key:
    return events.Key("escape", ESC)


class CallblockParser(XTermParser):
    """Textual's xterm parser, reading ESC + a character as two keys (see the module doc)."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        # The parser asks this for each candidate sequence as characters arrive, and (with
        # alt=True, one character at a time) for what it re-sends after the Esc timeout.
        if len(sequence) == 2 and sequence[0] == ESC and sequence[1] not in {*SEQUENCE_STARTS, ESC}:
            yield escape_key()
            yield from super()._sequence_to_key_events(sequence[1])
            return
        if alt and len(sequence) == 1:
            yield escape_key()
            yield from super()._sequence_to_key_events(sequence)
            return
        yield from super()._sequence_to_key_events(sequence, alt)

    def parse_mouse_code(self, code: str) -> Message | None:
        event = super().parse_mouse_code(code)
        if isinstance(event, events.MouseMove) and event.button == 0:
            return None  # motion with no button held: nothing a rep does, nothing to redraw
        return event


class CallblockDriver(LinuxDriver):
    """Textual's Linux driver with callblock's parser and click/drag-only mouse tracking, and
    what the terminal shows (callblock/terminal_frames.py: only changed cells are sent)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames = FrameDiff()

    def write(self, data: str) -> None:
        if CLEARS.search(data):  # not a frame of the app's (those are cells): forget the screen
            self.frames.forget()
        super().write(data)

    def start_application_mode(self) -> None:
        self.frames.forget()
        super().start_application_mode()

    def stop_application_mode(self) -> None:
        self.frames.forget()
        super().stop_application_mode()

    def _enable_mouse_support(self) -> None:
        if not self._mouse:
            return
        self.write("\x1b[?1000h")  # report button presses and releases
        self.write("\x1b[?1002h")  # and motion while a button is held (drags), no other motion
        self.write("\x1b[?1006h")  # in SGR form, the only one the parser reads
        self.flush()

    def _disable_mouse_support(self) -> None:
        if not self._mouse:
            return
        self.write("\x1b[?1000l")
        self.write("\x1b[?1002l")
        self.write("\x1b[?1006l")
        self.flush()

    def run_input_thread(self) -> None:
        """LinuxDriver.run_input_thread of Textual 8.2, with CallblockParser: Textual builds
        its parser inside this loop and offers no hook for the parser's class."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = CallblockParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process(ready: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for last, (_key, mask) in loop_last(ready):
                if mask & selectors.EVENT_READ:
                    text = decode(os.read(self.fileno, 4096), final=final and last)
                    if not text:  # stdin is a pipe that ended
                        break
                    for message in parser.feed(text):
                        self.process_message(message)
            for message in parser.tick():  # the Esc timeout
                self.process_message(message)

        try:
            while not self.exit_event.is_set():
                process(selector.select(0.1))
            selector.unregister(self.fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _message in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def driver_for(chosen: type[Driver]) -> type[Driver]:
    """Callblock's driver where Textual would use its Linux driver (a real terminal on Linux or
    macOS); Textual's own choice elsewhere (Windows, TEXTUAL_DRIVER, tests' headless driver)."""
    return CallblockDriver if chosen is LinuxDriver else chosen


async def escape_first(app: App[object], event: events.Event) -> bool:
    """Run the binding a fresh Esc key would reach (the focused widget's, its screen's, the
    app's: the screen's active bindings) now, so a key behind it goes where Esc left focus.
    True if it ran; else the app handles the key as usual."""
    if not isinstance(event, events.Key) or event.key != "escape" or event.is_forwarded:
        return False
    screen = app.screen
    if screen.maximized is not None:  # Textual's own Esc: minimize
        return False
    active = screen.active_bindings.get("escape")
    if active is None or not active.enabled:
        return False
    return await app.run_action(active.binding.action, active.node)


def forget_frames(driver: Driver | None) -> None:
    if isinstance(driver, CallblockDriver):
        driver.frames.forget()


def changed_cells(
    driver: Driver | None, renderable: RenderableType | None, console: Console
) -> RenderableType | None:
    """A compositor update cut to the cells the terminal does not show yet, on callblock's
    driver (not inline, not headless); anything else as it is."""
    if not isinstance(driver, CallblockDriver) or driver.is_inline or renderable is None:
        return renderable
    if not isinstance(renderable, CompositorUpdate):
        driver.frames.forget()  # drawn by Textual as it is: it may cover anything
        return renderable
    return driver.frames.update(renderable, console)
