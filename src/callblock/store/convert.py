"""Rows become domain objects here, at the store's edge, and nowhere else."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from callblock.clock import parse_iso
from callblock.domain.calling import zone_info
from callblock.domain.models import (
    Callback,
    Channel,
    Lead,
    LeadStatus,
    Session,
    Temperature,
    Touch,
)
from callblock.domain.ranges import stored_in_window
from callblock.domain.text import clean_line
from callblock.store.db import StoreFault

LEAD_COLUMNS = (
    "id, name, title, company, phone, phone_display, email, links, timezone, phone_timezone, "
    "temperature, fit, owner, status, created_at, notes, attempts, last_touch_at, bad_number, "
    "region, first_call_at, next_due_at, fit_score, zone_spread, other_phones, other_emails"
)


# What the queue needs to rank a lead (no notes, links or fit details): fetched for hundreds of
# candidates; the few shown are read again in full.
SLIM_COLUMNS = (
    "id, name, company, phone, timezone, phone_timezone, temperature, owner, status, "
    "created_at, attempts, last_touch_at, bad_number, region, first_call_at, next_due_at, "
    "fit_score, zone_spread"
)


Row = TypeVar("Row")


def _readable(table: str) -> Callable[[Callable[[Any], Row]], Callable[[Any], Row]]:
    """A row whose value cannot be read (a time, a status, JSON written by another tool or an
    older version) becomes one plain fault naming the row, not a traceback."""

    def wrap(convert: Callable[[Any], Row]) -> Callable[[Any], Row]:
        @functools.wraps(convert)
        def converted(row: Any) -> Row:
            try:
                return convert(row)
            except (ValueError, TypeError, OverflowError) as error:
                raise StoreFault(
                    f"{table} {_row_id(row)} holds a value callblock cannot read "
                    f"({clean_line(error, 80)}); run `callblock doctor`"
                ) from None

        return converted

    return wrap


def _row_id(row: Any) -> object:
    try:
        return row["id"]
    except (IndexError, KeyError, TypeError):
        return row[0]


@_readable("lead")
def slim_lead_from_row(row: sqlite3.Row | tuple) -> Lead:
    (lead_id, name, company, phone, zone, phone_zone, temperature, owner, status, created,
     attempts, last_touch, bad, region, first_call, due, fit, spread) = row  # fmt: skip
    return Lead(
        id=lead_id,
        name=_text(name),
        company=company or "",
        phone=phone or "",
        phone_display="",
        created_at=parse_iso(created),
        timezone=_zone(zone),
        phone_timezone=_zone(phone_zone),
        temperature=Temperature(temperature),
        owner=owner,
        status=LeadStatus(status),
        attempts=_count(attempts),
        last_touch_at=_time(last_touch),
        bad_number=bool(bad),
        region=region,
        first_call_at=_time(first_call),
        next_due_at=_time(due),
        stored_fit_score=fit,
        zone_spread=spread or 0,
    )


# Values another tool (or an older version) may have written wrong: checked as they are read,
# so a bad one is a plain fault naming the row (see `_readable`), never a crash further on.
def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} where text belongs")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _zone(value: str | None) -> str | None:
    if value:
        zone_info(value)  # cached; raises ValueError for a zone that does not exist
    return value


def _texts(value: str | None) -> tuple[str, ...]:
    values = json.loads(value or "[]")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{value!r} is not a list of texts")
    return tuple(values)


def _mapping(value: str | None) -> dict[str, Any]:
    values = json.loads(value or "{}")
    if not isinstance(values, dict):
        raise ValueError(f"{value!r} is not a JSON object")
    return values


def _time(value: str | None) -> datetime | None:
    return parse_iso(value) if value else None


LEAD_TIMES = ("created_at", "last_touch_at", "first_call_at", "next_due_at")


def lead_row_sane(row: sqlite3.Row) -> bool:
    """Every time of the lead parses and lies in the window (else lists that rank, plan or
    review leads leave it out; `callblock doctor` lists it)."""
    return all(row[name] is None or stored_in_window(row[name]) for name in LEAD_TIMES)


@_readable("lead")
def lead_from_row(row: sqlite3.Row) -> Lead:
    return Lead(
        id=row["id"],
        name=_text(row["name"]),
        title=row["title"] or "",
        company=row["company"] or "",
        phone=row["phone"] or "",
        phone_display=row["phone_display"] or "",
        email=row["email"] or "",
        links=_texts(row["links"]),
        timezone=_zone(row["timezone"]),
        phone_timezone=_zone(row["phone_timezone"]),
        temperature=Temperature(row["temperature"]),
        fit=_mapping(row["fit"]),
        owner=row["owner"],
        status=LeadStatus(row["status"]),
        created_at=parse_iso(row["created_at"]),
        notes=row["notes"] or "",
        attempts=_count(row["attempts"]),
        last_touch_at=_time(row["last_touch_at"]),
        bad_number=bool(row["bad_number"]),
        region=row["region"],
        first_call_at=_time(row["first_call_at"]),
        next_due_at=_time(row["next_due_at"]),
        stored_fit_score=row["fit_score"],
        zone_spread=row["zone_spread"] or 0,
        other_phones=_texts(row["other_phones"]),
        other_emails=_texts(row["other_emails"]),
    )


@_readable("touch")
def touch_from_row(row: sqlite3.Row) -> Touch:
    return Touch(
        id=row["id"],
        lead_id=row["lead_id"],
        rep=row["rep"],
        at=parse_iso(row["at"]),
        channel=Channel(row["channel"]),
        outcome=row["outcome"],
        note=row["note"] or "",
        session_id=row["session_id"],
        undone=bool(row["undone"]),
    )


@_readable("callback")
def callback_from_row(row: sqlite3.Row) -> Callback:
    return Callback(
        id=row["id"],
        lead_id=row["lead_id"],
        rep=row["rep"],
        due_at=parse_iso(row["due_at"]),
        kind=row["kind"],
        done=row["state"] != "open",
        touch_id=row["created_by_touch"],
    )


@_readable("session")
def session_from_row(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        rep=row["rep"],
        block_name=row["block_name"],
        started_at=parse_iso(row["started_at"]),
        ended_at=_time(row["ended_at"]),
        target_per_hour=row["target_per_hour"] or 60,
    )
