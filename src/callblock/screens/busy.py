"""While another process holds the database: say so, retry the write, never drop it silently."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from callblock.services import ServiceError
from callblock.store import DatabaseBusy, Store
from callblock.store.pg import SavedBeforeTheLinkDropped, ServerUnreachable
from callblock.widgets.plain import plain

T = TypeVar("T")
FIRST_WAIT_MS = 1000  # another rep's write takes milliseconds; longer means an import
RETRY_EVERY = 0.5  # s between attempts
ATTEMPT_WAIT_MS = 100  # each attempt waits this long for the lock: the screen stays live


class BusyScreen(ModalScreen[str | None]):
    """Retries `attempt` until it goes through (dismisses None) or the rep gives up with Esc
    (dismisses a reason). Keys pressed meanwhile are not recorded, and the screen says so."""

    BINDINGS = [Binding("escape", "give_up", "give up", id="busy.give_up")]

    def __init__(
        self, what: str, attempt: Callable[[], None], reason: DatabaseBusy | None = None
    ) -> None:
        super().__init__()
        self._unreachable = reason if isinstance(reason, ServerUnreachable) else None
        self._what = what
        self._attempt = attempt
        self._since = time.monotonic()
        self._shown_seconds = -1

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            if self._unreachable is not None:
                yield Static(Content.styled("The database cannot be reached", "bold $warning"))
                yield Static(plain(f"{self._unreachable}; reconnecting…"), id="busy-why")
            else:
                yield Static(Content.styled("The database is busy", "bold $warning"))
                yield Static(
                    "Another callblock is writing to it (an import or a merge?); retrying…",
                    id="busy-why",
                )
            yield Static(Content.assemble("Waiting to save: ", plain(self._what, "bold")))
            yield Static("", id="busy-waited")
            yield Static("", id="busy-keys")
            yield Static(Content.styled("Esc give up (it will not be saved)", "dim"))

    def on_mount(self) -> None:
        self.set_interval(RETRY_EVERY, self._retry)

    def _retry(self) -> None:
        store = self.app.context.store  # type: ignore[attr-defined]
        try:
            with store.patience(ATTEMPT_WAIT_MS):
                self._attempt()
        except SavedBeforeTheLinkDropped as error:  # the earlier try had in fact gone through
            self.dismiss(str(error))
            return
        except ServerUnreachable as error:
            self._unreachable = error
            self.query_one("#busy-why", Static).update(plain(f"{error}; reconnecting…"))
            self._show_waited()
            return
        except DatabaseBusy:
            self._show_waited()
            return
        except ServiceError as error:
            self.dismiss(str(error))
            return
        self.dismiss(None)

    def _show_waited(self) -> None:
        seconds = int(time.monotonic() - self._since)
        if seconds != self._shown_seconds:
            self._shown_seconds = seconds
            self.query_one("#busy-waited", Static).update(
                Content.styled(f"waited {seconds} s", "dim")
            )

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            return
        event.stop()
        event.prevent_default()
        self.query_one("#busy-keys", Static).update(
            plain(f"“{event.key}” was not recorded: keys wait until this is saved", "$error")
        )

    def action_give_up(self) -> None:
        self.dismiss("not saved: you gave up waiting for the database")


def write_or_wait(
    app: App[object],
    store: Store,
    what: str,
    write: Callable[[], T],
    then: Callable[[T], None],
    say_error: Callable[[str], None],
) -> None:
    """Run a write the rep asked for. Another writer briefly ahead is waited for; one that holds
    the database longer gets the busy screen, which retries until the write goes through (then
    `then` runs) or the rep gives up (then `say_error` tells them it was not saved)."""
    try:
        with store.patience(FIRST_WAIT_MS):
            result = write()
    except ServiceError as error:
        say_error(str(error))
        return
    except DatabaseBusy as busy:
        results: list[T] = []

        def settled(problem: str | None) -> None:
            if problem is None:
                then(results[0])
            else:
                say_error(f"{what}: {problem}")

        app.push_screen(BusyScreen(what, lambda: results.append(write()), busy), settled)
        return
    then(result)
