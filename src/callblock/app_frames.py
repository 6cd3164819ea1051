"""How the app's frames reach the terminal: only the cells that changed
(callblock/terminal_frames.py), the whole screen after a frame Textual dropped, and start-up
declared over once the first frame is out (callblock/startup.py).

Textual paints the first screen inside its start-up batch and drops that frame; the frame after
it held only the regions changed since, so the header and the lead's card stayed blank until
they changed (and the differ, told of the dropped frame, never sent them). The frame after a
dropped one is painted whole now. (Keeping the dropped frames and sending them before the next
one instead measured the same launch: 0.288 against 0.284 s, median of 15 each.)

A key's work and the frame it makes run without the cyclic garbage collector: what an outcome
allocates set it off 3 to 5 times between the key and the next lead's frame, and about one key
in 37 met a full collection of 2.9-7.0 ms (596 outcomes traced in tmux). It runs as soon as the
frame is handed to the terminal's writer, or after HOLD_SECONDS if no frame comes: collections
wait, none is skipped.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App

from callblock import startup
from callblock.terminal import changed_cells

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.screen import Screen
    from textual.timer import Timer

HOLD_SECONDS = 0.25  # the longest a key holds the collector back without a frame


class FrameOutput(App[None]):
    """The frame-output half of CallblockApp."""

    def __init__(self) -> None:
        super().__init__()
        self._frame_out = False  # the first frame is on the terminal
        self._frame_dropped = False  # Textual dropped the last frame painted
        self._after_first_frame: list[Callable[[], object]] = []
        self._held: Timer | None = None  # a key holds the collector back until its frame

    def hold_collections_for_frame(self) -> None:
        """A key came: no collection until its frame is out (see the module's docstring)."""
        if self._held is None and gc.isenabled() and self._frame_out:
            gc.disable()
            self._held = self.set_timer(HOLD_SECONDS, self._release_collections)

    def _release_collections(self) -> None:
        if self._held is not None:
            self._held.stop()
            self._held = None
            gc.enable()

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first frame is on the terminal (work the first screen can
        show without, such as the notes' Markdown: its parser takes ~45 ms to import)."""
        if self._frame_out:
            self.call_later(callback)
        else:
            self._after_first_frame.append(callback)

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        if renderable is None:
            return
        if self._batch_count or not self._running:  # Textual drops it: the next goes out whole
            self._frame_dropped = True
            return
        if self._frame_dropped:
            self._frame_dropped = False
            renderable = screen._compositor.render_update(
                full=True, screen_stack=self._background_screens
            )
        renderable = changed_cells(self._driver, renderable, self.console)
        super()._display(screen, renderable)
        self._release_collections()
        if not self._frame_out:
            self._frame_out = True
            startup.finished()
            for callback in self._after_first_frame:
                self.call_later(callback)
            self._after_first_frame.clear()
