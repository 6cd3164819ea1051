"""The `?` help screen, generated from the live bindings (so remapped keys show as remapped)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from callblock.domain.outcomes import OUTCOME_BY_CODE

ABOUT = """\
Each outcome is saved to the database the moment you press its key; the next lead follows.
Callback and meeting ask when, in plain words ("thu 3pm", "tomorrow 10:30", "in 2 days",
"2026-12-01 09:00"), and show the parsed time before you press Enter.
Do-not-call asks you to confirm. Esc only closes prompts; it never ends a block.

Leads are called only inside their legal calling hours at their local time (default 08:00-21:00,
47 CFR 64.1200(c)(1)); do-not-call and bad numbers are never queued. A lead gets up to 6 call
attempts: 93% of leads that convert are reached by the 6th attempt (Velocify, 3.5 M leads).
From any screen: / finds a lead, a adds one, i imports a CSV file (with a preview).
Keys can be remapped in the [keys] section of the config file."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, Binding]]) -> None:
        super().__init__()
        self._entries = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static(Content.styled("callblock keys", "bold"))
            yield Static(self._table())
            yield Static(Content(ABOUT))
            yield Static(Content.styled("Esc, q or ? closes this help", "dim"))

    def _table(self) -> Content:
        lines: list[Content | str | tuple[str, str]] = []
        for key_display, binding in self._entries:
            outcome = OUTCOME_BY_CODE.get(binding.id or "")
            detail = ""
            if outcome:
                flags = [
                    f
                    for f, on in (
                        ("dial", outcome.is_dial),
                        ("contact", outcome.is_contact),
                        ("asks when", outcome.asks_when),
                        ("confirms", outcome.confirm),
                    )
                    if on
                ]
                detail = f"  ({outcome.code}: {', '.join(flags)})"
            lines += [
                (f"{key_display:>3}", "bold $accent"),
                f"  {binding.tooltip}",
                (f"{detail}\n", "dim"),
            ]
        return Content.assemble(*lines)

    def action_close(self) -> None:
        self.dismiss(None)
