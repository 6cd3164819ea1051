"""The power hour's notes: a note on the outcome just recorded, and the lead's research notes
edited beside the card (saved on Esc, on moving on, and as drafts while typing)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content

from callblock.domain.text import TOUCH_NOTE_MAX
from callblock.screens.notes_saving import finish_notes
from callblock.screens.prompts import NoteScreen
from callblock.services import dialing
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain
from callblock.widgets.up_next import UpNext

if TYPE_CHECKING:
    from callblock.screens.power_hour import PowerHourScreen

    _Base = PowerHourScreen
else:
    _Base = object


class NotesActions(_Base):
    """Mixed into PowerHourScreen: the keys that write notes."""

    def action_note(self, initial: str = "") -> None:
        recorded = self.block.last if self.block else None
        if recorded is None:
            return
        title = f"Note on {recorded.outcome.label.lower()} · {recorded.lead.name}"
        self._prompt = {"kind": "note", "lead": self.current.lead.id if self.current else None}

        def saved(note: str) -> None:
            self._say(Content.assemble(("✓ note saved: ", "$success"), plain(note)))
            if self.current and self.current.lead.id == recorded.lead.id:
                self._show(self.current)

        def save(text: str | None) -> None:
            self._prompt = None
            if text is not None and text.strip():
                self._write(
                    f"note on {recorded.lead.name}",
                    lambda: dialing.add_touch_note(self.ctx.store, recorded.touch_id, text),
                    saved,
                )

        self.app.push_screen(NoteScreen(title, initial, max_length=TOUCH_NOTE_MAX), save)

    def action_edit_notes(self, text: str | None = None) -> None:
        if self.current is not None:
            self.query_one(UpNext).display = False  # the editor takes the whole side
            self.query_one(NotesPane).edit(text)
            self.refresh_bindings()

    def action_escape(self) -> None:
        """Esc closes the notes editor; with nothing open it does nothing (never ends a block)."""
        if self._finish_notes(moving_on=False):
            self._say(Content.styled("✓ research notes saved", "$success"))

    def _finish_notes(self, *, moving_on: bool = True) -> bool:
        """Close the notes editor if open, saving synchronously; True if it was saved. Too-long
        notes are never cut (see screens/notes_saving.py)."""
        pane = self.query_one(NotesPane)
        if not pane.editing:
            return False
        saved = finish_notes(pane, self.ctx.store, self.app, self._say, moving_on=moving_on)
        self.query_one(UpNext).display = not pane.editing
        if saved is not None:
            lead_id, text = saved
            block = self.block
            if block and block.current and block.current.lead.id == lead_id:
                block.current = replace(block.current, lead=replace(block.current.lead, notes=text))
        self.refresh_bindings()
        return saved is not None
