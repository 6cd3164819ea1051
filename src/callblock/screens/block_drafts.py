"""What a rep had typed when the terminal went away, kept with the block and given back when it
resumes: the research notes being edited, an outcome's time or note prompt half filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from callblock.domain.outcomes import OUTCOME_BY_CODE
from callblock.services import ServiceError, leads
from callblock.store import Store, StoreFault
from callblock.widgets.notes import NotesPane

if TYPE_CHECKING:
    from callblock.screens.power_hour import PowerHourScreen

SAVE_WAIT_MS = 300  # a hang-up has under 2 s in all


def typed_draft(
    screen: PowerHourScreen, store: Store, prompt: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Save the notes being edited now (best effort: the terminal is gone) and return what
    else the block must keep: which lead's notes were open, the prompt and its text."""
    draft: dict[str, Any] = {}
    notes = screen.query_one(NotesPane).draft()
    if notes is not None:
        draft["notes"] = notes[0]
        try:
            with store.patience(SAVE_WAIT_MS):
                leads.save_notes(store, notes[0], notes[1])
        except (ServiceError, StoreFault):  # kept with the block instead, given back on resume
            draft["notes_text"] = notes[1]
    if prompt is not None:
        from callblock.screens.prompts import NoteScreen, WhenScreen

        stack = screen.app.screen_stack
        open_prompt = next((s for s in stack if isinstance(s, WhenScreen | NoteScreen)), None)
        if open_prompt is not None and open_prompt.is_mounted:
            draft["prompt"] = {**prompt, "text": open_prompt.typed}
    return draft or None


def restore_draft(screen: PowerHourScreen, draft: dict[str, Any]) -> None:
    """Open again what was open, if it was about the lead back on screen."""
    item = screen.current
    if item is None:
        return
    prompt = draft.get("prompt")
    if draft.get("notes") == item.lead.id:
        text = draft.get("notes_text")
        screen.action_edit_notes(text if isinstance(text, str) else None)
    elif isinstance(prompt, dict) and prompt.get("lead") == item.lead.id:
        text = str(prompt.get("text", ""))
        code = prompt.get("code")
        if prompt.get("kind") == "note":
            screen.action_note(initial=text)
        elif isinstance(code, str) and code in OUTCOME_BY_CODE:
            screen.action_outcome(code, initial=text)
