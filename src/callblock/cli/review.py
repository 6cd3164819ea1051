"""Bodies of the team lead's commands: `report` and `export` (`review` opens the app)."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from typing import TYPE_CHECKING

from callblock.clock import Clock
from callblock.config import Settings
from callblock.domain.csvcells import csv_text
from callblock.domain.figures import REPORT_FIELDS, TEAM, RepFigures, format_figure
from callblock.domain.text import cell
from callblock.output import print_json, print_text
from callblock.services.files import check_output, database_files, write_file
from callblock.store import Store

if TYPE_CHECKING:
    from callblock.domain.template_figures import TemplateFigures

# (header, width, field) of the terminal table; fits 80 columns.
COLUMNS = (
    ("rep", 12, "rep"),
    ("dials", 6, "dials"),
    ("cont", 5, "contacts"),
    ("rate", 5, "contact_rate"),
    ("conv", 5, "conversations"),
    ("meet", 5, "meetings"),
    ("cb set", 6, "callbacks_set"),
    ("kept", 5, "callbacks_kept"),
    ("att", 5, "avg_attempts"),
    ("1st dial", 9, "first_dial_minutes_median"),
    ("dials/h", 8, "dials_per_hour"),
    ("sess", 5, "sessions"),
)


def _report(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.review import period_for, rep_report

    if getattr(args, "by", "rep") == "template":
        return _template_report(args, store, settings, clock)
    period = period_for(settings, clock, day=args.date, first=args.first, last=args.last)
    rep = args.rep if getattr(args, "rep_given", False) else None
    rows = rep_report(store, period, rep=rep, team_row=args.format == "table")
    if args.format == "json":
        print_json([row.as_dict() for row in rows])
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(REPORT_FIELDS)
        for row in rows:
            writer.writerow(["" if v is None else csv_text(v) for v in row.as_dict().values()])
    else:
        print_text(report_table(rows, f"{period.label()} ({period.zone})"))
    return 0


def report_table(rows: list[RepFigures], title: str) -> str:
    """The per-rep figures as a plain terminal table (outside text cleaned)."""
    head = "".join(
        f"{name:<{width}}" if n == 0 else f" {name:>{width - 1}}"
        for n, (name, width, _) in enumerate(COLUMNS)
    )
    lines = [f"report {title}", head, "-" * len(head)]
    for row in rows:
        if row.rep == TEAM:
            lines.append("-" * len(head))
        cells = []
        for n, (_, width, name) in enumerate(COLUMNS):
            value = getattr(row, name)
            if n == 0:
                cells.append(cell(value, width - 1) + " ")
            else:
                cells.append(f" {format_figure(name, value):>{width - 1}}")
        lines.append("".join(cells))
    if not rows:
        lines.append("no dials, sessions or promises in this period")
    return "\n".join(lines)


def _template_report(
    args: argparse.Namespace, store: Store, settings: Settings, clock: Clock
) -> int:
    from callblock.domain.template_figures import TEMPLATE_FIELDS
    from callblock.services.review import period_for, template_report

    period = None
    if args.date is not None or args.first is not None or args.last is not None:
        period = period_for(settings, clock, day=args.date, first=args.first, last=args.last)
    rep = args.rep if getattr(args, "rep_given", False) else None
    rows, notes = template_report(store, period, rep=rep)
    if args.format == "table":
        title = f"{period.label()} ({period.zone})" if period else "all time"
        print_text(template_table(rows, f"by template, {title}", notes))
        return 0
    if args.format == "json":
        print_json([row.as_dict() for row in rows])
    else:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(TEMPLATE_FIELDS)
        for row in rows:
            writer.writerow(["" if v is None else csv_text(v) for v in row.as_dict().values()])
    for note in notes:  # stdout keeps exactly the fields; the notes go beside it
        print_text(note, file=sys.stderr)
    return 0


# (header, width, field) of the template table; fits 80 columns.
TEMPLATE_COLUMNS = (
    ("template", 22, "template"),
    ("var", 4, "variant"),
    ("channel", 12, "channel"),
    ("seg", 5, "segment"),
    ("sent", 6, "sent"),
    ("repl", 5, "replies"),
    ("cont", 5, "contacts"),
    ("meet", 5, "meetings"),
    ("repl%", 6, "reply_rate"),
    ("meet%", 6, "meeting_rate"),
)


def template_table(rows: list[TemplateFigures], title: str, notes: list[str]) -> str:
    """The template figures as a plain terminal table, then the notes (outside text cleaned)."""
    from callblock.domain.template_figures import format_rate

    text_columns = 4  # left-aligned text, then right-aligned figures
    head = "".join(
        f"{name:<{width}}" if n < text_columns else f"{name:>{width}}"
        for n, (name, width, _) in enumerate(TEMPLATE_COLUMNS)
    )
    lines = [f"report {title}", head, "-" * len(head)]
    for row in rows:
        cells = []
        for n, (_, width, name) in enumerate(TEMPLATE_COLUMNS):
            value = getattr(row, name)
            if n < text_columns:
                cells.append(cell(value, width - 1) + " ")
            elif name.endswith("_rate"):
                cells.append(f"{format_rate(value):>{width}}")
            else:
                cells.append(f"{value:>{width}}")
        lines.append("".join(cells))
    if not rows:
        lines.append("no touches recorded a template in this period")
    return "\n".join([*lines, *notes])


def _export(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services import exports

    if args.output is not None:
        check_output(args.output, option="-o", protected=database_files(store.path))
    start, end = exports.export_bounds(settings, clock, args.first, args.last)
    if args.what == "touches":
        records, fields = exports.touch_records(store, start, end), exports.TOUCH_FIELDS
    else:
        records, fields = exports.lead_records(store, start, end), exports.LEAD_FIELDS
    if args.output is None:
        try:
            exports.write_records(records, fields, args.format, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    count = write_file(
        args.output,
        lambda out: exports.write_records(records, fields, args.format, out),
        option="-o",
    )
    print_text(f"wrote {count} {args.what} to {args.output}", file=sys.stderr)
    return 0


HANDLERS = {"report": _report, "export": _export}
