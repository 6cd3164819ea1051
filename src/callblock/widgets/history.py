"""The lead's touch history, newest first: one plain-text line per touch.

Drawn as lines of Content in one Static (not a DataTable, which lays its rows out a frame
later): the next lead's history appears in the same frame as its card. Long histories scroll
with the mouse wheel; the scrollbar is hidden for the same reason as the notes'.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from callblock.domain.calling import local_time
from callblock.domain.models import Touch
from callblock.domain.text import clean_line

REP_WIDTH = 12  # characters of a rep's name shown at most
HEADER = ("when", "rep", "via", "outcome", "note")


class HistoryTable(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="history-lines")

    def show(self, touches: list[Touch], zone: str) -> None:
        rows = [
            (
                f"{local_time(touch.at, zone):%a %d %b %H:%M}",
                clean_line(touch.rep, REP_WIDTH),
                touch.channel.value,
                touch.outcome,
                clean_line(touch.note, 200),
            )
            for touch in touches
        ]
        widths = [max(len(cell) for cell in column) for column in zip(HEADER, *rows, strict=False)]
        lines = [_line(HEADER, widths, "bold")]
        lines += [_line(row, widths, "on $boost" if n % 2 else "") for n, row in enumerate(rows)]
        if not rows:
            lines.append(Content.styled("no touches yet", "dim"))
        self.query_one("#history-lines", Static).update(Content("\n").join(lines))
        self.scroll_home(animate=False)


def _line(cells: tuple[str, ...], widths: list[int], style: str) -> Content:
    """One row: cells padded to their column (the last one as long as it is)."""
    parts = [cell.ljust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
    text = Content("  ".join([*parts, cells[-1]]))
    return text.stylize(style) if style else text
