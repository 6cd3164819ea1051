"""The review's tables: the log, the per-rep figures and the cracks. Cells are plain Text."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from callblock.domain.calling import local_time
from callblock.domain.cracks import KINDS
from callblock.domain.figures import RepFigures, format_figure
from callblock.domain.logs import LogPage
from callblock.domain.template_figures import TemplateFigures, format_rate
from callblock.domain.text import clean_line
from callblock.services.review import Cracks


class LeadRows(DataTable[Text]):
    """A table whose rows each point at a lead (for the drill-down)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.leads: dict[str, int] = {}

    def lead_at(self, row_key: str | None) -> int | None:
        return self.leads.get(row_key or "")


class LogTable(LeadRows):
    def on_mount(self) -> None:
        super().on_mount()
        self.add_columns("time", "rep", "lead", "company", "outcome", "note")

    def show(self, page: LogPage, zone: str) -> None:
        """Show a page: the first page replaces the rows, the next ones are appended."""
        if page.offset == 0:
            self.clear()
            self.leads = {}
        for entry in page.entries:
            touch = entry.touch
            outcome = Text(touch.outcome)
            if touch.undone:
                outcome = Text(f"{touch.outcome} (undone)", style="dim strike")
            key = str(touch.id)
            self.leads[key] = touch.lead_id
            self.add_row(
                Text(f"{local_time(touch.at, zone):%a %d %H:%M}"),
                Text(clean_line(touch.rep, 10)),
                Text(clean_line(entry.lead_name, 18)),
                Text(clean_line(entry.company, 16)),
                outcome,
                Text(clean_line(touch.note, 60)),
                key=key,
            )


REP_COLUMNS = (
    ("rep", "rep"),
    ("dials", "dials"),
    ("cont", "contacts"),
    ("rate", "contact_rate"),
    ("conv", "conversations"),
    ("meet", "meetings"),
    ("cb", "callbacks_set"),
    ("kept", "callbacks_kept"),
    ("att", "avg_attempts"),
    ("1st m", "first_dial_minutes_median"),
    ("/h", "dials_per_hour"),
    ("sess", "sessions"),
)


class RepTable(DataTable[Text]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns(*(label for label, _ in REP_COLUMNS))

    def show(self, rows: list[RepFigures], select: str | None = None) -> None:
        """Show every row; the cursor on `select`'s row when it has one."""
        self.clear()
        for n, row in enumerate(rows):
            cells = [Text(clean_line(row.rep, 10))]
            cells += [
                Text(format_figure(name, getattr(row, name)), justify="right")
                for _, name in REP_COLUMNS[1:]
            ]
            self.add_row(*cells)
            if row.rep == select:
                self.move_cursor(row=n)


class CracksTable(LeadRows):
    def on_mount(self) -> None:
        super().on_mount()
        self.add_columns("what", "when", "lead", "company", "rep", "detail")

    def show(self, cracks: Cracks, zone: str) -> None:
        self.clear()
        self.leads = {}
        for n, row in enumerate(cracks.rows):
            crack = row.crack
            key = str(n)
            self.leads[key] = crack.lead_id
            self.add_row(
                Text(KINDS[crack.kind]),
                Text(f"{local_time(crack.at, zone):%d %b %H:%M}"),
                Text(clean_line(row.lead_name, 18)),
                Text(clean_line(row.company, 16)),
                Text(clean_line(crack.rep, 14)),
                Text(clean_line(crack.detail, 60)),
                key=key,
            )


TEMPLATE_COLUMNS = (
    ("template", "template"),
    ("var", "variant"),
    ("channel", "channel"),
    ("seg", "segment"),
    ("sent", "sent"),
    ("repl", "replies"),
    ("cont", "contacts"),
    ("meet", "meetings"),
    ("repl%", "reply_rate"),
    ("meet%", "meeting_rate"),
)


class TemplateTable(DataTable[Text]):
    """Figures per template, variant and segment (`report --by template`)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*(label for label, _ in TEMPLATE_COLUMNS))

    def show(self, rows: list[TemplateFigures]) -> None:
        self.clear()
        for row in rows:
            cells = [Text(clean_line(row.template, 18)), Text(clean_line(row.variant, 3))]
            cells += [Text(row.channel), Text(row.segment)]
            cells += [
                Text(format_rate(value) if name.endswith("_rate") else str(value), justify="right")
                for name, value in ((n, getattr(row, n)) for _, n in TEMPLATE_COLUMNS[4:])
            ]
            self.add_row(*cells)
