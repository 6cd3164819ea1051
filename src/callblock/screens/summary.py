"""The end-of-block summary."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from callblock.domain.figures import format_figure
from callblock.services.sessions import SessionStats
from callblock.widgets.plain import plain


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "week", "week", id="summary.week"),
        Binding("n", "new_block", "new block", id="summary.new"),
        Binding("q", "app.quit", "quit", id="summary.quit"),
    ]

    def __init__(self, block_name: str, stats: SessionStats) -> None:
        super().__init__()
        self._block_name = block_name
        self._stats = stats

    def compose(self) -> ComposeResult:
        stats = self._stats
        minutes = int(stats.elapsed.total_seconds() // 60)
        rows = (
            ("dials", str(stats.dials)),
            ("contacts", str(stats.contacts)),
            ("contact rate", format_figure("contact_rate", stats.contact_rate)),
            ("meetings booked", str(stats.meetings)),
            ("callbacks set", str(stats.callbacks)),
            ("pace", "–" if stats.pace_per_hour is None else f"{stats.pace_per_hour:.0f}/h"),
            ("time", f"{minutes} min"),
        )
        with Vertical(id="summary"):
            yield Static(Content.assemble(plain(self._block_name, "bold"), (" ended", "bold")))
            yield Static(
                Content.assemble(
                    *[
                        part
                        for label, value in rows
                        for part in (f"{label:>16}  ", (f"{value}\n", "bold"))
                    ]
                )
            )
            yield Static(Content.styled("Enter week plan · n new block · q quit", "dim"))

    def action_week(self) -> None:
        from callblock.screens.week import WeekScreen

        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, WeekScreen):
            self.app.pop_screen()
        else:
            self.app.switch_screen(WeekScreen())

    def action_new_block(self) -> None:
        from callblock.screens.power_hour import PowerHourScreen

        self.app.switch_screen(PowerHourScreen())
