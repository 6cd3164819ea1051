"""Saving research notes from the editor (power hour and lead screen) without ever cutting them.

Notes longer than NOTE_MAX are refused by the service. On Esc the editor then stays open with
everything typed and the rep is told why; when the screen must move on regardless, the last
saved draft is kept and the rep is told. Drafts saved while typing are skipped (and said) while
the text is too long.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.content import Content

from callblock.screens.busy import FIRST_WAIT_MS
from callblock.services import ServiceError, leads
from callblock.store import DatabaseBusy, Store
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain

Say = Callable[[Content], None]
DRAFT_WAIT_MS = 200  # a draft autosave never freezes typing for long: the next one retries


def finish_notes(
    pane: NotesPane, store: Store, app: App[object], say: Say, *, moving_on: bool
) -> tuple[int, str] | None:
    """Save the notes being edited and close the editor: (lead id, text as saved), or None
    when nothing was open or the save was refused (the editor stays open unless `moving_on`)."""
    draft = pane.draft()
    if draft is None:
        return None
    lead_id, text = draft
    try:
        with store.patience(FIRST_WAIT_MS):
            saved = leads.save_notes(store, lead_id, text)
    except DatabaseBusy:  # held by another process: closed now, saved by the busy screen
        from callblock.screens.busy import BusyScreen

        def settled(problem: str | None) -> None:
            if problem is not None:
                say(plain(f"research notes: {problem}", "$error"))

        pane.finish()
        app.push_screen(
            BusyScreen("research notes", lambda: leads.save_notes(store, lead_id, text)), settled
        )
        return lead_id, text
    except ServiceError as error:
        if not moving_on:
            say(plain(f"{error}: not saved; shorten them, then Esc", "$error"))
            app.notify(f"Research notes not saved: {error}", severity="error", markup=False)
            return None
        app.notify(
            f"Research notes not saved ({error}); the last saved draft is kept",
            severity="error",
            markup=False,
        )
        pane.finish()
        pane.show(lead_id, leads.get_lead(store, lead_id).notes)
        return None
    pane.finish()
    return lead_id, saved


def save_draft(event: NotesPane.Save, store: Store, say: Say) -> None:
    """A draft announced while typing (a late one, after the editor closed, is ignored)."""
    if not (event.lead_id and event.pane.editing):
        return
    try:
        with store.patience(DRAFT_WAIT_MS):
            leads.save_notes(store, event.lead_id, event.text)
    except DatabaseBusy:
        pass  # held by another process: the next draft (or the final save) retries
    except ServiceError as error:
        say(plain(f"{error}: draft not saved; shorten them", "$error"))
