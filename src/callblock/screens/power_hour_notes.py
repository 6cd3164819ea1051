"""The power hour's notes: a note on the outcome just recorded, and the lead's research notes
edited beside the card (saved on Esc, on moving on, and as drafts while typing)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.content import Content

from callblock.domain.text import TOUCH_NOTE_MAX
from callblock.screens.notes_saving import finish_notes
from callblock.services import dialing
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain
from callblock.widgets.script import ScriptPane
from callblock.widgets.up_next import UpNext

if TYPE_CHECKING:
    from callblock.domain.priority import QueueItem
    from callblock.screens.power_hour import PowerHourScreen
    from callblock.services.scripts import Script

    _Base = PowerHourScreen
else:
    _Base = object

SCRIPT_WAIT_MS = 500  # for another process's write lock (a lead's first A/B variant)


class NotesActions(_Base):
    """Mixed into PowerHourScreen: the keys that write notes, and the script in their place."""

    showing_script = False
    scripts: list[Script] = []  # rendered for the lead on screen, while shown

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

        from callblock.screens.prompts import NoteScreen  # not needed for the first frame

        self.app.push_screen(NoteScreen(title, initial, max_length=TOUCH_NOTE_MAX), save)

    def action_scroll_side(self, step: int) -> None:
        """Page the side pane shown (the scripts or the research notes) down or up; in a text
        box (the notes editor, a prompt) the key is the box's."""
        from textual.widgets import Input, TextArea  # in the app by the time a key is read

        if isinstance(self.app.focused, (Input, TextArea)):
            raise SkipAction()
        pane = self.query_one(ScriptPane) if self.showing_script else self.query_one(NotesPane)
        if step > 0:
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

    def action_script(self) -> None:
        """Show the call and voicemail scripts in place of the research notes, or back."""
        if self.current is None:
            return
        self.showing_script = not self.showing_script
        self._show_script()

    def _show_script(self) -> None:
        """The side pane as chosen: the scripts rendered for the lead on screen, or its notes
        (the scripts are rendered only while shown: the next lead's frame never waits on them)."""
        pane = self.query_one(ScriptPane)
        notes = self.query_one(NotesPane)
        shown = self.showing_script and self.current is not None
        pane.display = shown
        notes.display = not shown
        self.scripts = []
        if shown and self.current is not None:
            # Imported only once the pane is shown: ~17 ms kept off the first lead's frame.
            from callblock.services.scripts import lead_scripts

            ctx = self.ctx
            lead = self.current.lead
            with ctx.store.patience(SCRIPT_WAIT_MS):  # never the busy timeout's 10 s freeze
                self.scripts = lead_scripts(ctx.store, ctx.settings, lead, ctx.rep, ctx.clock.now())
            pane.show(self.scripts, self.callblock.key_display("script"))

    def _script_used(self, item: QueueItem, code: str) -> tuple[str | None, str | None]:
        """The template (and variant) the rep had on screen for this outcome: the voicemail
        script for a voicemail, else the call script; none while the notes were shown."""
        if not self.showing_script or self.current is None or self.current.lead.id != item.lead.id:
            return None, None
        wanted = "voicemail" if code == "voicemail" else "call-script"
        for script in self.scripts:
            if script.channel.value == wanted and script.template is not None:
                return script.template.name, script.template.variant or None
        return None, None

    def action_edit_notes(self, text: str | None = None) -> None:
        if self.showing_script:
            self.showing_script = False
            self._show_script()
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
