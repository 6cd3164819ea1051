"""The app factory: wires settings, store and clock to the screens. Nothing else lives here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.content import Content

from callblock import hangups
from callblock.app_frames import FrameOutput
from callblock.clock import Clock
from callblock.config import COMMAND_KEYS, DEFAULT_KEYS, Settings
from callblock.context import AppContext, LastOutcome
from callblock.domain.text import NAME_MAX, clean_line
from callblock.store import Store, database_fault
from callblock.terminal import driver_for, escape_first, forget_frames

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.screen import Screen
    from textual.theme import Theme

    from callblock.services.lead_search import LeadSearch

# Config may name keys by the character; Textual binds some of them by name.
KEY_NAMES = {"?": "question_mark", "/": "slash", " ": "space", "!": "exclamation_mark"}


class CallblockApp(FrameOutput):
    CSS_PATH = "callblock.tcss"
    TITLE = "callblock"
    ENABLE_COMMAND_PALETTE = True  # ctrl+p: callblock's commands (screens/palette.py)
    # Reachable from every screen (an Input or the notes editor takes typed keys first).
    BINDINGS = [
        Binding(COMMAND_KEYS["search"], "search", "search", id="search", tooltip="Find a lead"),
        Binding(
            COMMAND_KEYS["new_lead"], "new_lead", "new lead", id="new_lead", tooltip="Add a lead"
        ),
        Binding(
            COMMAND_KEYS["import_leads"],
            "import_leads",
            "import",
            id="import_leads",
            tooltip="Import leads from a CSV file, with a preview",
        ),
        # Tab is taken as it arrives (priority), not after the keys typed before it: the field
        # changes at Tab's place in the input, so a fast typist's or a paste's text before Tab
        # stays in its field and the text after goes to the next. (Without priority, Tab waits
        # behind them in the field's queue while the keys after it already went to the field.)
        Binding("tab", "focus_next", "next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "previous field", show=False, priority=True),
        Binding(
            "ctrl+l",
            "redraw",
            "redraw",
            id="redraw",
            show=False,
            tooltip="Draw the whole screen again (after anything else wrote to the terminal)",
        ),
    ]

    def __init__(self, context: AppContext, start: str = "home") -> None:
        super().__init__()
        self.context = context
        self.start = start  # "home": the week screen; "dial": a power hour now; "review"
        self._lead_search: LeadSearch | None = None
        self.last_outcome: LastOutcome | None = None
        self.fault: str | None = None  # why the app stopped, one line for the terminal

    def get_driver_class(self) -> type[Driver]:
        # Esc + key over a slow link, click/drag-only mouse tracking: see callblock/terminal.py.
        return driver_for(super().get_driver_class())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Resize):  # the terminal may have rewrapped what it shows
            forget_frames(self._driver)
        elif isinstance(event, events.Key):
            self.hold_collections_for_frame()
        if not await escape_first(self, event):
            await super().on_event(event)

    def action_redraw(self) -> None:
        """Ctrl+L: the whole screen again, as after a resize (only changed cells are sent
        otherwise, so text another program wrote would stay until those cells change)."""
        forget_frames(self._driver)
        screen = self.screen
        self._display(
            screen,
            screen._compositor.render_update(full=True, screen_stack=self._background_screens),
        )

    def _handle_exception(self, error: Exception) -> None:
        # Textual's hook for an exception no handler caught (it prints a traceback and exits 1).
        # A database fault instead ends the app with one plain line saying whether the rep's last
        # outcome is saved; a bug too, its traceback in the crash log (tests still see it raised).
        fault = database_fault(error, self.context.store.path)
        if fault is None and self.is_headless:
            super()._handle_exception(error)
            return
        if fault is None:
            from callblock.crash import report_crash

            self.fault = report_crash(error)
        else:
            self.fault = fault
        if self.last_outcome is not None:
            state = "was saved" if self.last_outcome.saved else "was NOT saved"
            self.fault += f". Your last outcome ({self.last_outcome.what}) {state}"
        self.exit(return_code=1)

    @property
    def lead_search(self) -> LeadSearch:
        """The fuzzy search index, shared by every screen; built lazily by the first search."""
        if self._lead_search is None:
            from callblock.services.connections import worker_store
            from callblock.services.lead_search import LeadSearch

            # Its workers read through a connection of their own (never the screens' one).
            self._lead_search = LeadSearch(worker_store(self.context.store))
        return self._lead_search

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from callblock.screens.palette import callblock_commands

        return callblock_commands(self, screen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Import is a team lead's and never over SSH: not in such a rep's key bar, help or
        # palette, and its key does nothing there (`ssh HOST import - < leads.csv` is the way).
        return action != "import_leads" or self.context.may_import

    def key_display(self, ident: str) -> str:
        """How the key of the action `ident` (a config [keys] name) shows, as remapped."""
        key = self.context.settings.keys.get(ident) or DEFAULT_KEYS[ident]
        return self.get_key_display(Binding(KEY_NAMES.get(key, key), ident))

    def _restore_theme(self) -> None:
        from callblock.services.preferences import saved_theme

        ctx = self.context
        name = saved_theme(ctx.store, ctx.rep)
        if name is not None and name in self.available_themes:
            self.theme = name
        self.theme_changed_signal.subscribe(self, self._keep_theme)

    def _keep_theme(self, theme: Theme) -> None:
        from callblock.services.preferences import save_theme

        if not save_theme(self.context.store, self.context.rep, theme.name):
            self.notify("The theme is changed for now but could not be kept.", markup=False)

    def action_search(self) -> None:
        from callblock.screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())

    def action_new_lead(self) -> None:
        from callblock.screens.lead_form import NewLeadScreen

        if not isinstance(self.screen, NewLeadScreen):
            self.push_screen(NewLeadScreen())

    def action_import_leads(self) -> None:
        from callblock.screens.import_leads import ImportScreen

        if not self.context.may_import:
            why = "over SSH: use `ssh HOST import - < leads.csv`" if self.context.remote else ""
            self.notify(
                f"Importing is for a team lead{', ' + why if why else ''}.",
                severity="warning",
                markup=False,
            )
            return
        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen())

    def on_mount(self) -> None:
        keymap = {
            ident: KEY_NAMES.get(key, key)
            for ident, key in self.context.settings.keys.items()
            if key != DEFAULT_KEYS[ident]
        }
        if keymap:
            self.set_keymap(keymap)
        self._restore_theme()
        if not self.is_headless:
            hangups.watch(self)
        if self.start != "review" and self._resume_block():
            return
        self._open_start_screen()

    def _open_start_screen(self) -> None:
        if self.start == "review" and self.context.may_review:
            from callblock.screens.review import ReviewScreen

            self.push_screen(ReviewScreen())
        elif self.start == "dial":
            from callblock.screens.power_hour import PowerHourScreen

            self.push_screen(PowerHourScreen())
        else:
            from callblock.screens.week import WeekScreen

            self.push_screen(WeekScreen())

    def _resume_block(self) -> bool:
        """The rep's block of today that was not ended comes back: at once when its app is gone
        (a dropped link), after a question when it still runs in another window."""
        from callblock.screens.power_hour import PowerHourScreen
        from callblock.services import sessions

        ctx = self.context
        found = sessions.resumable(ctx.store, ctx.clock, ctx.rep, ctx.rep_zone)
        if found is None:
            return False
        if not found.live:
            self.push_screen(PowerHourScreen(resume=found))
            return True
        from callblock.screens.prompts import ConfirmScreen
        from callblock.widgets.plain import plain

        started = found.session.started_at.astimezone(ZoneInfo(ctx.rep_zone))
        question = Content.assemble(
            "Your block ",
            plain(found.session.block_name, "bold"),
            f" (started {started:%H:%M}) is still open in another window (or was until a "
            "moment ago). Take it over here? That window stops showing its lead.",
        )

        def answered(take_over: bool | None) -> None:
            if take_over:
                self.push_screen(PowerHourScreen(resume=found))
            else:
                self._open_start_screen()

        self.push_screen(ConfirmScreen(question), answered)
        return True

    def on_unmount(self) -> None:
        self._release_collections()  # a key's hold ends with the app, frame or not
        if self._lead_search is not None:
            self._lead_search.close()

    async def action_quit(self) -> None:
        hangups.suspend_blocks(self)  # a block not ended is kept for the rep's next start
        self.exit()


def create_app(
    *,
    settings: Settings,
    store: Store,
    clock: Clock,
    rep: str,
    start: str = "dial",
    remote: bool = False,
) -> CallblockApp:
    """The one way to build the app: the CLI and the tests both call this."""
    from callblock.services.team import rep_profile

    rep = clean_line(rep, NAME_MAX) or "rep"  # outside text: it is shown and stored
    zone, role = rep_profile(store, rep, settings.timezone)
    context = AppContext(
        store=store, clock=clock, settings=settings, rep=rep, rep_zone=zone, role=role,
        remote=remote,
    )  # fmt: skip
    return CallblockApp(context, start=start)
