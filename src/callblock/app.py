"""The app factory: wires settings, store and clock to the screens. Nothing else lives here."""

from __future__ import annotations

from textual.app import App

from callblock.clock import Clock
from callblock.config import DEFAULT_KEYS, Settings
from callblock.context import AppContext
from callblock.store import Store

# Config may name keys by the character; Textual binds some of them by name.
KEY_NAMES = {"?": "question_mark", "/": "slash", " ": "space", "!": "exclamation_mark"}


class CallblockApp(App[None]):
    CSS_PATH = "callblock.tcss"
    TITLE = "callblock"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, context: AppContext, start: str = "home") -> None:
        super().__init__()
        self.context = context
        self.start = start  # "home": the week screen; "dial": a power hour now; "review"

    def on_mount(self) -> None:
        from callblock.screens.power_hour import PowerHourScreen
        from callblock.screens.week import WeekScreen

        keymap = {
            ident: KEY_NAMES.get(key, key)
            for ident, key in self.context.settings.keys.items()
            if key != DEFAULT_KEYS[ident]
        }
        if keymap:
            self.set_keymap(keymap)
        if self.start == "review":
            from callblock.screens.review import ReviewScreen

            self.push_screen(ReviewScreen())
        elif self.start == "dial":
            self.push_screen(PowerHourScreen())
        else:
            self.push_screen(WeekScreen())


def create_app(
    *, settings: Settings, store: Store, clock: Clock, rep: str, start: str = "dial"
) -> CallblockApp:
    """The one way to build the app: the CLI and the tests both call this."""
    context = AppContext(store=store, clock=clock, settings=settings, rep=rep)
    return CallblockApp(context, start=start)
