"""Research notes: Markdown to read, a TextArea to edit in place (made on the first edit:
TextArea and its document modules take ~10 ms to import and mount, off the first frame).

The view is one Static holding a Rich Markdown renderable: it draws in the same frame as the rest
of the next lead (Textual's Markdown widget mounts a widget per block, a frame or two later), and
with hyperlinks off no link is ever emitted or opened (a click would open a browser on the server,
not on the rep's machine).
While editing, changes are announced after a short pause so the screen can save them: nothing
typed is lost if the connection drops.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from callblock.domain.text import clean_block

if TYPE_CHECKING:
    from rich.markdown import Markdown
    from textual.widgets import TextArea

AUTOSAVE_SECONDS = 1.0


def notes_markdown(text: str) -> Markdown:
    """Notes as the rep reads them everywhere (power hour, Review's drill-down): Markdown with
    links never emitted, and every line break the rep typed kept (a Markdown soft break would
    join the lines)."""
    from rich.markdown import Markdown

    rendered = Markdown(clean_block(text), hyperlinks=False)
    for token in rendered.parsed:
        for child in token.children or ():
            if child.type == "softbreak":
                child.type = "hardbreak"
    return rendered


class NotesPane(VerticalScroll):
    @dataclass
    class Save(Message):
        """A draft to save: sent after a pause in typing, so a dropped connection loses nothing."""

        pane: NotesPane
        lead_id: int
        text: str

        @property
        def control(self) -> NotesPane:
            return self.pane

    def __init__(self, *, id: str | None = None, edit_key: str = "e") -> None:
        super().__init__(id=id)
        self.edit_key = edit_key  # the key that edits the notes, as remapped
        self._text = ""
        self._lead_id = 0
        self._autosave: Timer | None = None
        self._editor: TextArea | None = None  # made and mounted on the first edit

    def compose(self) -> ComposeResult:
        yield Static(id="notes-view")

    @property
    def editing(self) -> bool:
        return self._editor is not None and self._editor.display

    def show(self, lead_id: int, text: str) -> None:
        """Show a lead's notes. The caller finishes any edit first (see `finish`)."""
        self._cancel_autosave()
        self._lead_id = lead_id
        self._text = clean_block(text)  # stored text is clean; this guards older data too
        self._render_view()
        self.scroll_home(animate=False)

    def edit(self, text: str | None = None) -> None:
        """Open the editor on the notes (or on `text`, a draft kept when a link dropped)."""
        editor = self._editor
        if editor is None:
            from callblock.widgets.safe_input import SafeTextArea

            editor = SafeTextArea(id="notes-editor", soft_wrap=True, show_line_numbers=False)
            self._editor = editor
            self.mount(editor)  # attached now: it has the focus before the next key is read
        editor.load_text(self._text if text is None else text)
        self.query_one("#notes-view").display = False
        editor.display = True
        editor.move_cursor(editor.document.end)  # reps add to the end of their notes
        editor.focus()

    def draft(self) -> tuple[int, str] | None:
        """(lead id, text) being edited, the editor left open; None when not editing. A screen
        saves this first and closes the editor only once saved (see `finish`), so text a save
        refuses (too long) stays in the editor for the rep to shorten."""
        if self._editor is None or not self._editor.display:
            return None
        return self._lead_id, self._editor.text

    def finish(self) -> tuple[int, str] | None:
        """Leave the editor; returns (lead id, text) for the caller to save at once."""
        editor = self._editor
        if editor is None or not editor.display:
            return None
        self._cancel_autosave()
        self._text = editor.text
        editor.display = False
        # Blur now, not at the next refresh: a key arriving with the Esc (one read over SSH)
        # must reach the screen, not the hidden editor (see callblock/terminal.py).
        editor.blur()
        self.query_one("#notes-view").display = True
        self._render_view()
        return self._lead_id, self._text

    def _render_view(self) -> None:
        view = self.query_one("#notes-view", Static)
        if "rich.markdown" not in sys.modules:
            # The Markdown parser costs ~40 ms to import: the first lead's card and keys go up
            # first, with the notes as plain text, and the notes are rendered once that first
            # frame is on the terminal (callblock's app; elsewhere, after the next refresh).
            view.update(Content(self._text))
            later = getattr(self.app, "after_first_frame", self.call_after_refresh)
            later(partial(self._render_markdown, self._lead_id))
            return
        self._render_markdown(self._lead_id)

    def _render_markdown(self, lead_id: int) -> None:
        if lead_id != self._lead_id:
            return  # a later lead is on screen already
        text = self._text or f"*No research notes yet. Press {self.edit_key} to add some.*"
        self.query_one("#notes-view", Static).update(notes_markdown(text))

    def on_text_area_changed(self, event: Message) -> None:  # the editor's TextArea.Changed
        event.stop()
        self._cancel_autosave()
        self._autosave = self.set_timer(AUTOSAVE_SECONDS, self._save_draft)

    def _save_draft(self) -> None:
        if self._editor is not None and self._editor.display:
            text = self._editor.text
            self.post_message(self.Save(self, self._lead_id, text))

    def _cancel_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None
