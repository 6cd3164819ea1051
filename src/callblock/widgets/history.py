"""The lead's touch history, newest first: one plain-text line per touch.

Drawn as lines of Content in one Static (not a DataTable, which lays its rows out a frame
later): the next lead's history appears in the same frame as its card. Long histories scroll
with the mouse wheel; the scrollbar is hidden for the same reason as the notes'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from callblock.domain.calling import local_time
from callblock.domain.models import Touch
from callblock.domain.text import clean_line

# (when, rep, what, note) of something done to the lead that is not a touch.
HistoryEvent = tuple[datetime, str, str, str]
REP_WIDTH = 12  # characters of a rep's name shown at most
HEADER = ("when", "rep", "via", "outcome", "note")


class HistoryTable(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="history-lines")

    def show(self, touches: list[Touch], zone: str, events: Sequence[HistoryEvent] = ()) -> None:
        """`events`: what happened to the lead besides touches (taken off do-not-call), shown
        among them by time."""
        dated = [
            (touch.at, touch.rep, touch.channel.value, touch.outcome, touch.note)
            for touch in touches
        ]
        dated += [(at, rep, "", what, note) for at, rep, what, note in events]
        dated.sort(key=lambda row: row[0], reverse=True)  # stable: touches keep their order
        rows = [
            (
                f"{local_time(at, zone):%a %d %b %H:%M}",
                clean_line(rep, REP_WIDTH),
                via,
                outcome,
                clean_line(note, 200),
            )
            for at, rep, via, outcome, note in dated
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
