"""The review's filters on one line: date range, rep, outcome, block. Announces changes."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Select

from callblock.domain.logs import NO_BLOCK
from callblock.domain.outcomes import OUTCOMES
from callblock.widgets.plain import plain
from callblock.widgets.safe_input import SafeInput


@dataclass(frozen=True)
class Filters:
    first: str
    last: str
    rep: str | None
    outcome: str | None
    block: str | None


class FilterBar(Horizontal):
    class Changed(Message):
        def __init__(self, filters: Filters, everything: bool) -> None:
            super().__init__()
            self.filters = filters
            self.everything = everything

    def __init__(self, first: str, last: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._dates = (first, last)

    def compose(self) -> ComposeResult:
        yield Label("from", classes="filter-label")
        yield SafeInput(self._dates[0], id="filter-from", compact=True, max_length=10)
        yield Label("to", classes="filter-label")
        yield SafeInput(self._dates[1], id="filter-to", compact=True, max_length=10)
        yield Select[str]([], prompt="any rep", id="filter-rep", compact=True)
        outcomes = [(o.code, o.code) for o in OUTCOMES]
        yield Select[str](outcomes, prompt="any outcome", id="filter-outcome", compact=True)
        yield Select[str]([], prompt="any block", id="filter-block", compact=True)

    def set_choices(self, reps: list[str], blocks: list[str]) -> None:
        """Offer these reps and blocks (outside text: shown plain); keeps a current choice."""
        for selector, names, extra in (
            ("#filter-rep", reps, []),
            ("#filter-block", blocks, [(plain("(outside blocks)"), NO_BLOCK)]),
        ):
            select = self.query_one(selector, Select)
            current = select.value
            with self.prevent(Select.Changed):
                select.set_options([*((plain(name), name) for name in names), *extra])
                if isinstance(current, str) and current in [*names, *(v for _, v in extra)]:
                    select.value = current

    def filters(self) -> Filters:
        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) else None

        return Filters(
            first=self.query_one("#filter-from", Input).value,
            last=self.query_one("#filter-to", Input).value,
            rep=chosen("#filter-rep"),
            outcome=chosen("#filter-outcome"),
            block=chosen("#filter-block"),
        )

    @on(Input.Submitted)
    def _dates_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters(), everything=True))

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        everything = event.select.id == "filter-rep"  # the rep filters every tab
        self.post_message(self.Changed(self.filters(), everything=everything))
