"""`/`: fuzzy lead search from any screen. Results follow every keystroke; Enter opens the lead.

The index (every lead's name, company, email and phone digits) is built once, in a worker, the
first time the screen opens; each query runs in a worker too, the newest one winning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from callblock.domain.models import Lead
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.plain import plain
from callblock.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from callblock.app import CallblockApp

RESULTS = 30


class SearchScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "back", id="search.close"),
        Binding("down", "move(1)", "next", show=False, id="search.down"),
        Binding("up", "move(-1)", "previous", show=False, id="search.up"),
        Binding("enter", "open", "open lead", id="search.open"),
    ]

    @property
    def app_(self) -> CallblockApp:
        return cast("CallblockApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Find a lead: name, company, email or phone", "bold"))
        yield SafeInput(placeholder="type to search", id="search-input")
        yield LoadingIndicator(id="search-loading")
        yield OptionList(id="search-results", markup=False)
        yield Static(id="search-status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.query_one("#search-input").focus()
        results = self.query_one(OptionList)
        results.can_focus = False  # typing stays in the input; up/down move the highlight
        if self.app_.lead_search.loaded:
            self.query_one(LoadingIndicator).display = False
        else:
            results.display = False
            self._load()

    @work(thread=True, exclusive=True, group="search-load")
    def _load(self) -> None:
        index = self.app_.lead_search.index()
        self.app.call_from_thread(self._loaded, len(index))

    def _loaded(self, count: int) -> None:
        self.query_one(LoadingIndicator).display = False
        self.query_one(OptionList).display = True
        self._say(Content.styled(f"{count:,} lead{'' if count == 1 else 's'}", "dim"))
        self._query(self.query_one(Input).value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self.app_.lead_search.loaded:
            self._query(event.value)

    @work(thread=True, exclusive=True, group="search-query")
    def _query(self, text: str) -> None:
        search = self.app_.lead_search
        hits = search.search(text, RESULTS) if text.strip() else []
        found = search.leads(hits, RESULTS)
        self.app.call_from_thread(self._show, text, found)

    def _show(self, text: str, found: list[Lead]) -> None:
        if self.query_one(Input).value != text:
            return  # a newer keystroke's results are on their way
        results = self.query_one(OptionList)
        results.set_options(Option(_line(lead), id=str(lead.id)) for lead in found)
        if found:
            results.highlighted = 0
        shown = f"{len(found)} found · Enter opens · ↑↓ move" if text.strip() else "type to search"
        self._say(Content.styled(shown if found or not text.strip() else "no match", "dim"))

    def _say(self, message: Content) -> None:
        self.query_one("#search-status", Static).update(message)

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    def action_open(self) -> None:
        from callblock.screens.lead import LeadScreen

        results = self.query_one(OptionList)
        if results.highlighted is None or not results.option_count:
            self.app.bell()
            return
        option = results.get_option_at_index(results.highlighted)
        self.app.push_screen(LeadScreen(int(option.id or 0)))

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)


def _line(lead: Lead) -> Content:
    details = " · ".join(
        x for x in (lead.company, lead.phone_display or lead.phone, lead.email) if x
    )
    return Content.assemble(plain(lead.name, "bold"), "  ", plain(details, "dim"))
