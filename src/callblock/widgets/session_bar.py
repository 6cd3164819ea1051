"""Session header: block name, elapsed time, dials, contacts and pace against the target."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from callblock.domain.figures import format_figure
from callblock.domain.text import plural
from callblock.services.sessions import SessionStats
from callblock.widgets.plain import plain


class SessionBar(Static):
    block_name: reactive[str] = reactive("")
    stats: reactive[SessionStats | None] = reactive(None)

    def render(self) -> Content:
        stats = self.stats
        if stats is None:
            return plain(self.block_name)
        minutes = int(stats.elapsed.total_seconds() // 60)
        pace = stats.pace_per_hour
        pace_text = f"{pace:.0f}/h" if pace is not None else "–"
        behind = pace is not None and pace < stats.target_per_hour
        return Content.assemble(
            plain(self.block_name, "bold"),
            f" · {minutes} min · ",
            (plural(stats.dials, "dial"), "bold"),
            f" · {plural(stats.contacts, 'contact')} "
            f"({format_figure('contact_rate', stats.contact_rate)})",
            " · pace ",
            (pace_text, "$warning" if behind else "$success"),
            f" of {stats.target_per_hour}/h",
        )
