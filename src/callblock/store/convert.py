"""Rows become domain objects here, at the store's edge, and nowhere else."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from callblock.clock import iso, parse_iso
from callblock.domain.calling import zone_info
from callblock.domain.models import (
    Callback,
    Channel,
    Lead,
    LeadStatus,
    PromiseKind,
    Session,
    Temperature,
    Touch,
    fit_score,
)
from callblock.domain.ranges import stored_in_window
from callblock.domain.text import clean_line
from callblock.store.db import StoreFault

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


LEAD_TIMES = ("created_at", "last_touch_at", "first_call_at", "next_due_at", "task_due_at")


def lead_row_sane(row: sqlite3.Row) -> bool:
    """Every time of the lead parses and lies in the window (else lists that rank, plan or
    review leads leave it out; `callblock doctor` lists it)."""
    return all(row[name] is None or stored_in_window(row[name]) for name in LEAD_TIMES)


def _region(value: object) -> str | None:
    """A region code ("US-FL", "DE") or None: another tool's number or bytes is a fault."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} where a region belongs")
    return value or None


def _flag(value: object) -> bool:
    return bool(value)


def _or_empty(value: str | None) -> str:
    return value or ""


def _as_is(value: Any) -> Any:
    return value


def _or_zero(value: int | None) -> int:
    return value or 0


@dataclass(frozen=True, slots=True)
class LeadField:
    column: str  # as the leads table names it
    attr: str  # as `Lead` names it
    read: Callable[[Any], Any]  # the stored value -> the domain's (raising ValueError if bad)
    slim: bool = False  # the queue ranks on it (see SLIM_COLUMNS)
    written: bool = True  # an import, an edit or a merge may write it (else the store does)


# The lead's fields: the one place they are spelled out. LEAD_COLUMNS, SLIM_COLUMNS, reading a
# row (`lead_from_row`), a lead as a record (`lead_record`), the columns an import or an edit
# may write and how values are stored (`encode_lead`) all follow from it, so a new field is one
# line here, one in `Lead` and a migration. Column `region` is the phone's region.
LEAD_FIELDS = (
    LeadField("id", "id", _as_is, slim=True, written=False),
    LeadField("name", "name", _text, slim=True),
    LeadField("title", "title", _or_empty),
    LeadField("company", "company", _or_empty, slim=True),
    LeadField("phone", "phone", _or_empty, slim=True),
    LeadField("phone_display", "phone_display", _or_empty),
    LeadField("email", "email", _or_empty),
    LeadField("links", "links", _texts),
    LeadField("timezone", "timezone", _zone, slim=True),
    LeadField("phone_timezone", "phone_timezone", _zone, slim=True),
    LeadField("temperature", "temperature", Temperature, slim=True),
    LeadField("fit", "fit", _mapping),
    LeadField("owner", "owner", _as_is, slim=True),
    LeadField("status", "status", LeadStatus, slim=True),
    LeadField("created_at", "created_at", parse_iso, slim=True),
    LeadField("notes", "notes", _or_empty),
    LeadField("attempts", "attempts", _count, slim=True, written=False),
    LeadField("last_touch_at", "last_touch_at", _time, slim=True, written=False),
    LeadField("bad_number", "bad_number", _flag, slim=True),
    LeadField("region", "phone_region", _region, slim=True),
    LeadField("record_region", "record_region", _region, slim=True),
    LeadField("first_call_at", "first_call_at", _time, slim=True, written=False),
    LeadField("next_due_at", "next_due_at", _time, slim=True),
    LeadField("fit_score", "stored_fit_score", _as_is, slim=True, written=False),
    LeadField("zone_spread", "zone_spread", _or_zero, slim=True),
    LeadField("other_phones", "other_phones", _texts),
    LeadField("other_emails", "other_emails", _texts),
    LeadField("first_name", "first_name", _or_empty),
    LeadField("last_name", "last_name", _or_empty),
    LeadField("pronunciation", "pronunciation", _or_empty),
    LeadField("interest", "interest", _or_empty),
    LeadField("steps_done", "steps_done", _count, written=False),
    LeadField("task_due_at", "task_due_at", _time, written=False),
    LeadField("task_step", "task_step", _as_is, written=False),
    LeadField("task_channel", "task_channel", _as_is, written=False),
)
_SLIM = tuple(f for f in LEAD_FIELDS if f.slim)
LEAD_COLUMNS = ", ".join(f.column for f in LEAD_FIELDS)
# What the queue needs to rank a lead (no notes, links or fit details): fetched for hundreds of
# candidates; the few shown are read again in full.
SLIM_COLUMNS = ", ".join(f.column for f in _SLIM)
# Columns an import, an edit or a merge may write (`extra`: the lead's unknown CSV columns,
# read on its own by `lead_extra`).
WRITTEN_COLUMNS = (*(f.column for f in LEAD_FIELDS if f.written), "extra")
JSON_COLUMNS = ("links", "fit", "other_phones", "other_emails", "extra")


@_readable("lead")
def lead_from_row(row: sqlite3.Row) -> Lead:
    return Lead(**{f.attr: f.read(row[f.column]) for f in LEAD_FIELDS})


@_readable("lead")
def slim_lead_from_row(row: sqlite3.Row | tuple) -> Lead:
    """A lead from SLIM_COLUMNS (by position): the fields it leaves out keep their defaults."""
    values = {f.attr: f.read(value) for f, value in zip(_SLIM, row, strict=True)}
    return Lead(phone_display="", **values)


def lead_record(lead: Lead) -> dict[str, Any]:
    """The fields an import, an edit or a merge may write, as a record keyed by column (domain
    values: `encode_lead` stores them)."""
    return {f.column: getattr(lead, f.attr) for f in LEAD_FIELDS if f.written}


def encode_lead(record: dict[str, Any]) -> dict[str, Any]:
    """A record's values as the columns keep them (lists and dicts as JSON, times as ISO text,
    flags as 0/1); the stored fit score follows `fit`. Per key, not per value: imports encode
    100,000 records."""
    encoded = dict(record)
    if "fit" in encoded:  # the stored score the queue's index orders by
        fit = encoded["fit"]
        encoded["fit_score"] = fit_score(json.loads(fit) if isinstance(fit, str) else fit)
    for key in JSON_COLUMNS:
        if key in encoded and not isinstance(encoded[key], str):
            value = encoded[key]
            if not value and (empty := _EMPTY_JSON.get(type(value))):
                encoded[key] = empty  # most imported leads: no links, fit or other numbers
                continue
            encoded[key] = json.dumps(
                list(value) if isinstance(value, tuple) else value, ensure_ascii=False
            )
    for key in LEAD_TIMES:
        if isinstance(encoded.get(key), datetime):
            encoded[key] = iso(encoded[key])
    if "bad_number" in encoded:
        encoded["bad_number"] = int(bool(encoded["bad_number"]))
    return encoded


_EMPTY_JSON: dict[type, str] = {list: "[]", tuple: "[]", dict: "{}"}


# Lead columns that are never NULL, for records that leave them out.
_EMPTY_TEXT = dict.fromkeys(("first_name", "last_name", "pronunciation", "interest"), "")


def lead_row(
    record: dict[str, Any], columns: Sequence[str] | None = None
) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """A record as a row of the leads table, (columns, values), stored as `encode_lead` says:
    the one way a lead becomes a row (an add, a bulk insert, an import, an edit or a merge).
    `columns`: those to write (a never-NULL text column the record leaves out is written ''),
    else the record's own (and `fit_score` with `fit`)."""
    encoded = encode_lead(record)
    if columns is None:
        return tuple(encoded), tuple(encoded.values())
    return tuple(columns), tuple(encoded.get(c, _EMPTY_TEXT.get(c)) for c in columns)


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
        outside_window=bool(row["outside_window"]),
        template=row["template"],
        variant=row["variant"],
        message_id=row["message_id"],
    )


@_readable("callback")
def callback_from_row(row: sqlite3.Row) -> Callback:
    return Callback(
        id=row["id"],
        lead_id=row["lead_id"],
        rep=row["rep"],
        due_at=parse_iso(row["due_at"]),
        kind=PromiseKind(row["kind"]),
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
