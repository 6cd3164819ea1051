"""Small modal prompts: a time in plain words, a yes/no confirmation, a one-line note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from callblock.domain.calling import local_time
from callblock.domain.text import clean_line
from callblock.domain.whenparse import WhenParseError, parse_when
from callblock.widgets.plain import plain
from callblock.widgets.safe_input import SafeInput


class WhenScreen(ModalScreen[datetime | None]):
    """Asks when (callback, meeting); shows the parsed time live; Enter saves, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        now: datetime,
        rep_zone: str,
        lead_zone: str,
        initial: str = "",
        refuse: Callable[[datetime], str | None] | None = None,
    ) -> None:
        """`refuse`: why a time may not be taken (outside the lead's calling hours, with the
        nearest allowed time), or None; such a time is shown as an error and Enter keeps the
        prompt open."""
        super().__init__()
        self._title = title
        self._initial = initial
        self._now = local_time(now, rep_zone)
        self._lead_zone = lead_zone
        self._refuse = refuse
        self._parsed: datetime | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(plain(self._title, "bold"))
            yield SafeInput(
                value=self._initial,
                placeholder="thu 3pm · tomorrow 10:30 · in 2 days · 2026-12-01 09:00",
            )
            yield Static(Content.styled("Type a time.", "dim"), id="when-preview")
            yield Static(Content.styled("Enter save · Esc cancel", "dim"))

    @on(Input.Changed)
    def _preview(self, event: Input.Changed) -> None:
        preview = self.query_one("#when-preview", Static)
        try:
            self._parsed = parse_when(event.value, self._now)
        except WhenParseError as error:
            self._parsed = None
            preview.update(plain(str(error), "$error") if event.value.strip() else "Type a time.")
            return
        problem = self._refuse(self._parsed) if self._refuse else None
        if problem is not None:
            self._parsed = None
            preview.update(plain(problem, "$error"))
            return
        lead_local = local_time(self._parsed, self._lead_zone)
        preview.update(
            Content.assemble(
                ("→ ", "bold"),
                (f"{self._parsed:%a %d %b %Y %H:%M %Z}", "bold $success"),
                "  ",  # apart from plain(): it strips the text it cleans
                plain(f"(lead's time {lead_local:%a %H:%M %Z})", "dim"),
            )
        )

    @on(Input.Submitted)
    def _submit(self) -> None:
        if self._parsed is not None:
            self.dismiss(self._parsed)
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def typed(self) -> str:
        """What the rep has typed so far (kept when the terminal goes away)."""
        return self.query_one(SafeInput).value


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "yes", id="prompt.yes"),
        Binding("n,escape", "answer(False)", "no", id="prompt.no"),
    ]

    def __init__(self, question: Content) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(self._question)
            yield Static(Content.styled("y yes · n / Esc no", "dim"))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NoteScreen(ModalScreen[str | None]):
    """A one-line note on the outcome just recorded. Text over `max_length` is not accepted
    (never cut): Enter then says so and keeps what was typed."""

    BINDINGS = [Binding("escape", "cancel", "skip", id="prompt.cancel")]

    def __init__(self, title: str, initial: str = "", max_length: int | None = None) -> None:
        super().__init__()
        self._title = title
        self._initial = initial
        self._max = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(plain(self._title, "bold"))
            yield SafeInput(value=self._initial, placeholder="one line, e.g. asked for pricing")
            yield Static(Content.styled("Enter save · Esc skip", "dim"), id="note-help")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        length = len(clean_line(event.value, len(event.value) + 1))
        if self._max is not None and length > self._max:
            message = f"{length} characters (at most {self._max}): shorten it · Esc skip"
            self.query_one("#note-help", Static).update(plain(message, "$error"))
            self.app.bell()
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def typed(self) -> str:
        """What the rep has typed so far (kept when the terminal goes away)."""
        return self.query_one(SafeInput).value


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few options (↑/↓, Enter, or a click); Esc cancels. Each option is
    (value returned, what shows): what shows is Content, so outside text stays plain."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="prompt.cancel")]

    def __init__(self, title: str, options: list[tuple[str, Content]]) -> None:
        super().__init__()
        self._title = title
        self._options = options

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(classes="prompt"):
            yield Static(plain(self._title, "bold"))
            yield OptionList(*(Option(shown, id=value) for value, shown in self._options))
            yield Static(Content.styled("↑/↓ choose · Enter pick · Esc cancel", "dim"))

    def on_option_list_option_selected(self, event: object) -> None:
        option_id = getattr(getattr(event, "option", None), "id", None)
        self.dismiss(option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
