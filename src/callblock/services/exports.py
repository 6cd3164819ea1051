"""Complete, round-trippable exports of touches and leads: CSV, JSON Lines or JSON.

CSV cells are cleaned like any text shown to a person (`clean_block`, uncapped: a notes cell keeps
its newlines, a tab becomes four spaces, every other control, C1 and bidi override becomes
U+FFFD) and cells that would start a spreadsheet formula are neutralized (domain/csvcells.py);
JSON and JSON Lines keep the exact text, controls escaped (`to_json`). Touches include undone
ones, flagged `undone`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, TextIO

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.csvcells import csv_text
from callblock.domain.periods import PeriodError, day_start, local_day, parse_day
from callblock.domain.regions import region_text
from callblock.domain.text import ascii_only_for, to_json
from callblock.services import ServiceError
from callblock.store import Store

TOUCH_FIELDS = (
    "touch_id",
    "lead_id",
    "rep",
    "at",
    "channel",
    "outcome",
    "note",
    "session_id",
    "undone",
    "outside_window",
)
# Agreed with the import: these columns, in this order.
LEAD_FIELDS = (
    "lead_id",
    "name",
    "company",
    "title",
    "phone",
    "email",
    "timezone",
    "region",
    "temperature",
    "status",
    "owner",
    "created_at",
    "notes",
    "links",
    "fit",
    "extra",
    "other_phones",
    "other_emails",
    "first_name",
    "last_name",
    "pronunciation",
    "interest",
)
FORMATS = ("csv", "jsonl", "json")


def export_bounds(
    settings: Settings, clock: Clock, first: str | None, last: str | None
) -> tuple[str | None, str | None]:
    """UTC bounds of the days `first`..`last` in the team's zone; a missing end is open."""
    today = local_day(clock.now(), settings.timezone)
    zone = settings.timezone
    try:
        start = parse_day(first, today, field="--from") if first is not None else None
        stop = parse_day(last, today, field="--to") if last is not None else None
    except PeriodError as error:
        raise ServiceError(str(error)) from None
    if start and stop and stop < start:
        raise ServiceError(f"--to: {stop} is before --from {start}")
    return (
        iso(day_start(start, zone)) if start else None,
        iso(day_start(stop + timedelta(days=1), zone)) if stop else None,
    )


def touch_records(store: Store, start: str | None, end: str | None) -> Iterator[dict[str, Any]]:
    """Every touch (by id) in [start, end) (open ends: no bound), undone ones included."""
    for t in store.reports.iter_touches(start, end):
        yield {
            "touch_id": t.id,
            "lead_id": t.lead_id,
            "rep": t.rep,
            "at": iso(t.at),
            "channel": t.channel.value,
            "outcome": t.outcome,
            "note": t.note,
            "session_id": t.session_id,
            "undone": t.undone,
            "outside_window": t.outside_window,
        }


def lead_records(store: Store, start: str | None, end: str | None) -> Iterator[dict[str, Any]]:
    """Every lead (by id) that arrived in [start, end) (open ends: no bound)."""
    for lead in store.reports.iter_leads(start, end):
        yield {
            "lead_id": lead.id,
            "name": lead.name,
            "company": lead.company,
            "title": lead.title,
            "phone": lead.phone,
            "email": lead.email,
            "timezone": lead.timezone or "",
            "region": region_text(lead.record_region),  # the record's; "" when from the phone
            "temperature": lead.temperature.value,
            "status": lead.status.value,
            "owner": lead.owner or "",
            "created_at": iso(lead.created_at),
            "notes": lead.notes,
            "links": list(lead.links),
            "fit": lead.fit,
            "extra": store.leads.lead_extra(lead.id),  # unknown columns kept by an import
            "other_phones": list(lead.other_phones),  # kept besides `phone` (E.164)
            "other_emails": list(lead.other_emails),
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "pronunciation": lead.pronunciation,
            "interest": lead.interest,
        }


def write_records(
    records: Iterable[dict[str, Any]], fields: tuple[str, ...], fmt: str, out: TextIO
) -> int:
    """Stream `records` to `out` in `fmt`; returns how many were written."""
    count = 0
    ascii_only = ascii_only_for(out)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(fields)
        for record in records:
            writer.writerow([_csv_cell(record[name]) for name in fields])
            count += 1
    elif fmt == "jsonl":
        for record in records:
            out.write(to_json(record, ascii_only=ascii_only) + "\n")
            count += 1
    else:
        out.write("[")
        for record in records:
            out.write(("," if count else "") + "\n  " + to_json(record, ascii_only=ascii_only))
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | dict):
        return csv_text(to_json(value))
    return csv_text(str(value))
