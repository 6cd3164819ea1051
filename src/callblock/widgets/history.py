"""The lead's touch history, newest first, as a table of plain-text cells."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from callblock.domain.calling import local_time
from callblock.domain.models import Touch
from callblock.domain.text import clean_line


class HistoryTable(DataTable[Text]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns("when", "rep", "via", "outcome", "note")

    def show(self, touches: list[Touch], zone: str) -> None:
        self.clear()
        for touch in touches:
            when = local_time(touch.at, zone)
            self.add_row(
                Text(f"{when:%a %d %b %H:%M}"),
                Text(clean_line(touch.rep, 12)),
                Text(touch.channel.value),
                Text(touch.outcome),
                Text(clean_line(touch.note, 200)),
                key=str(touch.id),
            )
        if not touches:
            self.add_row(Text("no touches yet", style="dim"), *(Text("") for _ in range(4)))
