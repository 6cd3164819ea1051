"""One CSV row -> a validated lead, or every problem with it as `line N, column X: ...` (pure).

Cells arrive as read from the file: formula-neutralized cells (see csvcells) are restored and
text is cleaned here, at the edge. Phone numbers become E.164 (phonenumbers), dates are read
with dateutil, status and temperature words of common CRMs are mapped to ours.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.contacts import email_problem, json_string_list, parse_emails, parse_phones
from callblock.domain.csvcells import restore_cell
from callblock.domain.headers import EXTRA, SKIP, Column, header_key
from callblock.domain.models import FIT_CRITERIA, NO_PHONE, LeadStatus, Phone, Temperature
from callblock.domain.names import given_parts
from callblock.domain.phones import PhoneError, normalize_phone
from callblock.domain.ranges import WINDOW, moment_in_window
from callblock.domain.regions import RegionError, record_region
from callblock.domain.text import FIELD_MAX, NAME_MAX, NOTE_MAX, clean_block, clean_line

HEADER_SHOWN = 40  # a header in a problem line is cut to this many characters

STATUS_WORDS: dict[LeadStatus, tuple[str, ...]] = {
    LeadStatus.NEW: ("new", "open", "opennotcontacted", "notcontacted", "unworked"),
    LeadStatus.WORKING: (
        "working",
        "workingcontacted",
        "contacted",
        "inprogress",
        "attemptedtocontact",
        "attempting",
        "connected",
        "opendeal",
    ),
    LeadStatus.NURTURE: ("nurture", "nurturing", "badtiming", "recycled", "longterm"),
    LeadStatus.QUALIFIED: ("qualified", "closedconverted", "converted", "salesqualified", "sql"),
    LeadStatus.DISQUALIFIED: (
        "disqualified",
        "unqualified",
        "closednotconverted",
        "closedlost",
        "lost",
        "junk",
    ),
    LeadStatus.DNC: ("donotcall", "dnc"),
}
_STATUS = {word: status for status, words in STATUS_WORDS.items() for word in words}
_ZONE_WORDS = {
    "eastern": "America/New_York",
    "easterntime": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "central": "America/Chicago",
    "centraltime": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "mountain": "America/Denver",
    "mountaintime": "America/Denver",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "pacific": "America/Los_Angeles",
    "pacifictime": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "utc": "UTC",
    "gmt": "UTC",
}


@dataclass(frozen=True, slots=True)
class RowRules:
    default_region: str  # for phone numbers written without a country code
    default_zone: str  # dates written without an offset are read in the row's zone, else this
    now: datetime
    owner: str | None = None  # --owner: every imported lead gets this owner
    reps: frozenset[str] | None = None  # a team's current reps: an Owner cell must name one


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass(slots=True)
class LeadRow:
    """A valid row. `created_at` None: the file gave no date (the importer uses its clock)."""

    line: int
    name: str
    company: str = ""
    title: str = ""
    phone_line: Phone = NO_PHONE
    record_region: str | None = None  # the record's (State, Country): wins over the phone's
    email: str = ""
    other_phones: list[str] = field(default_factory=list)  # E.164, besides `phone`
    other_emails: list[str] = field(default_factory=list)  # besides `email`
    timezone: str | None = None
    temperature: Temperature | None = None  # None: the file gave none (stored as warm)
    status: LeadStatus | None = None  # None: the file gave none (see lead_status)
    owner: str | None = None
    notes: str = ""
    links: list[str] = field(default_factory=list)
    fit: dict[str, int] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    lead_id: int | None = None  # callblock's id, from one of its own exports
    first_name: str = ""  # as the file gives it, else parsed from the name
    last_name: str = ""
    pronunciation: str = ""
    interest: str = ""  # a CRM's "Lead Source", "Form", "Conversion", "Interest"

    @property
    def phone(self) -> str:
        return self.phone_line.e164

    @property
    def phone_timezone(self) -> str | None:
        return self.phone_line.timezone

    def lead_status(self) -> LeadStatus:
        """The status to store. A row with no status is new when it has a create date; with
        neither it is `working`: an old CRM lead of unknown age is not fresh inbound."""
        if self.status is not None:
            return self.status
        return LeadStatus.NEW if self.created_at is not None else LeadStatus.WORKING


class _Row:
    """Collects a row's cells by field and its problems."""

    def __init__(self, columns: Sequence[Column], cells: Sequence[str], line: int) -> None:
        self.line = line
        self.problems: list[Problem] = []
        self.cells: dict[str, tuple[str, str]] = {}  # field -> (header, restored text)
        self.extra: dict[str, str] = {}
        for column in columns:
            text = restore_cell(cells[column.index]) if column.index < len(cells) else ""
            if column.field == SKIP:
                continue
            if column.field == EXTRA:
                if text.strip():
                    self.extra[clean_line(column.header, NAME_MAX)] = self.block(
                        column.header, text
                    )
                continue
            self.cells[column.field] = (column.header, text)

    def problem(self, header: str, message: str) -> None:
        shown = clean_line(header, HEADER_SHOWN) or "(no header)"
        self.problems.append(Problem(self.line, shown, message))

    def block(self, header: str, text: str) -> str:
        if len(text) > NOTE_MAX:
            self.problem(header, f"{len(text)} characters (at most {NOTE_MAX})")
        return clean_block(text.strip())

    def header(self, name: str) -> str:
        return self.cells.get(name, (name, ""))[0]

    def text(self, name: str, max_len: int = FIELD_MAX) -> str:
        header, raw = self.cells.get(name, (name, ""))
        if not raw:
            return ""
        stripped = raw.strip()
        if len(stripped) > max_len:
            self.problem(header, f"{len(stripped)} characters (at most {max_len})")
            return ""
        # printable text holds no control, bidi or separator characters: nothing to clean
        return stripped if stripped.isprintable() else clean_line(raw, max_len)


def validate_row(
    columns: Sequence[Column], cells: Sequence[str], line: int, rules: RowRules
) -> LeadRow | list[Problem]:
    """A valid lead, or the list of everything wrong with the row (never both)."""
    row = _Row(columns, cells, line)
    name = row.text("name", NAME_MAX)
    if not name:
        name = clean_line(f"{row.text('first_name', NAME_MAX)} {row.text('last_name', NAME_MAX)}")
        if len(name) > NAME_MAX:  # two parts within the limit, together over it: never cut
            message = f"the full name has {len(name)} characters (at most {NAME_MAX})"
            row.problem(row.header("last_name"), message)
            name = ""
    if not name and not row.problems:
        where = "name" in row.cells and row.header("name")
        where = where or row.header("first_name" if "first_name" in row.cells else "name")
        row.problem(where, "no name (a Name, or First Name and Last Name, is required)")
    lead = LeadRow(line=line, name=name)
    if name and not row.problems:  # a First/Last Name pair is kept as given
        first, last = (row.text(part, NAME_MAX) for part in ("first_name", "last_name"))
        lead.first_name, lead.last_name = given_parts(name, first, last).values()
    lead.pronunciation, lead.interest = row.text("pronunciation"), row.text("interest")
    lead.company = row.text("company")
    lead.title = row.text("title")
    lead.owner = rules.owner or row.text("owner", NAME_MAX) or None
    if lead.owner and rules.reps is not None and lead.owner not in rules.reps:
        # a lead owned by nobody on the team would leave every rep's queue for good
        row.problem(row.header("owner"), f"{lead.owner!r} is not a current rep of this team")
    lead.extra = _extra_json(row) | row.extra
    lead.timezone = _zone(row)
    lead.record_region = _record_region(row)
    # Read as the record's region, and kept as written; not from callblock's own export (its
    # `extra` column already holds what was kept, its `region` is the record's: FL, DEU).
    exported = "extra_json" in row.cells
    for place in ("region", "country"):
        if (text := row.text(place)) and not exported:
            lead.extra[clean_line(row.header(place), NAME_MAX)] = text
    region = _region(lead.record_region, rules.default_region)
    _phone(row, lead, region)
    lead.email = row.text("email")
    if problem := email_problem(lead.email):
        row.problem(row.header("email"), problem)
    _others(row, lead, region)
    lead.temperature = _choice(row, "temperature")
    status = row.text("status")
    if status:
        lead.status = _STATUS.get(header_key(status))
        if lead.status is None:
            known = ", ".join(s.value for s in LeadStatus)
            row.problem(row.header("status"), f"unknown status {status!r} (known: {known})")
    lead.notes = row.block(row.header("notes"), row.cells.get("notes", ("", ""))[1])
    lead.links = _links(row)
    lead.fit = _fit(row)
    lead.created_at = _created(row, lead.timezone or rules.default_zone, rules.now)
    lead.lead_id = _lead_id(row, lead)
    return row.problems or lead


def _record_region(row: _Row) -> str | None:
    try:
        return record_region(row.text("region"), row.text("country"))
    except RegionError as error:
        row.problem(row.header("region" if error.field == "state" else "country"), str(error))
        return None


def _region(record: str | None, default: str) -> str:
    """The country a number written without a country code is read in."""
    return record.split("-")[0] if record else default


def _phone(row: _Row, lead: LeadRow, region: str) -> None:
    phone, mobile = row.text("phone"), row.text("mobile")
    chosen, source = (phone, "phone") if phone else (mobile, "mobile")
    if phone and mobile:
        lead.extra.setdefault(clean_line(row.header("mobile"), NAME_MAX), mobile)
    if not chosen:
        return
    try:
        parsed = normalize_phone(chosen, region)
    except PhoneError as error:
        row.problem(row.header(source), str(error))
        return
    lead.phone_line = parsed


def _others(row: _Row, lead: LeadRow, region: str) -> None:
    """The lead's other phones and emails (callblock's export, a CRM's "Other Phone")."""
    phones, problems = parse_phones(row.cells.get("other_phones", ("", ""))[1], region, lead.phone)
    for problem in problems:
        row.problem(row.header("other_phones"), problem)
    emails, problems = parse_emails(row.cells.get("other_emails", ("", ""))[1], lead.email)
    for problem in problems:
        row.problem(row.header("other_emails"), problem)
    lead.other_phones, lead.other_emails = phones, emails


def _zone(row: _Row) -> str | None:
    text = row.text("timezone")
    if not text:
        return None
    zone = _ZONE_WORDS.get(header_key(text), text.strip())
    try:
        zone_info(zone)
    except UnknownZoneError:
        row.problem(
            row.header("timezone"), f"unknown time zone {text!r} (use e.g. America/Chicago)"
        )
        return None
    return zone


def _choice(row: _Row, name: str) -> Temperature | None:
    text = row.text(name)
    if not text:
        return None
    try:
        return Temperature(text.strip().lower())
    except ValueError:
        row.problem(row.header(name), f"{text!r} is not one of hot, warm, cold")
        return None


def _created(row: _Row, zone: str, now: datetime) -> datetime | None:
    text = row.text("created_at")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)  # ISO dates (most exports): 50x faster
    except ValueError:
        from dateutil import parser  # lazy: only imports pay for it

        try:
            moment = parser.parse(text, default=datetime(now.year, 1, 1))
        except (ValueError, OverflowError):
            row.problem(row.header("created_at"), f"cannot read the date {text!r}")
            return None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=zone_info(zone))
        except UnknownZoneError:
            moment = moment.replace(tzinfo=zone_info("UTC"))
    if not moment_in_window(moment):  # 0001-01-01: a CRM's placeholder for "no date"
        row.problem(row.header("created_at"), f"{text} is outside {WINDOW}")
        return None
    if moment > now + timedelta(days=1):
        row.problem(row.header("created_at"), f"{text!r} is in the future")
        return None
    return moment


def _links(row: _Row) -> list[str]:
    text = row.cells.get("links", ("", ""))[1].strip()
    if not text:
        return []
    if text.startswith("["):
        values = json_string_list(text)
        if values is None:
            row.problem(row.header("links"), "not a JSON list of strings")
            return []
    else:
        values = text.split()
    links = [clean_line(value, len(value) + 1) for value in values if value.strip()]
    for link in links:
        if len(link) > FIELD_MAX:
            message = f"a link of {len(link)} characters (at most {FIELD_MAX})"
            row.problem(row.header("links"), message)
    return links


def _json_object(row: _Row, field: str, example: str) -> dict[str, Any]:
    """The JSON object in the row's `field` cell ({} when empty); a problem when it is not."""
    text = row.cells.get(field, ("", ""))[1].strip()
    if not text:
        return {}
    try:
        values = json.loads(text)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        row.problem(row.header(field), f"not a JSON object{example}")
        return {}
    return values


def _fit(row: _Row) -> dict[str, int]:
    values = _json_object(row, "fit", ' like {"title": 2}')
    fit: dict[str, int] = {}
    for name, value in values.items():
        limit = FIT_CRITERIA.get(name, (None,))[0]
        if limit is None or isinstance(value, bool) or not isinstance(value, int):
            row.problem(row.header("fit"), f"unknown criterion or non-integer value {name!r}")
        elif not 0 <= value <= limit:
            row.problem(row.header("fit"), f"{name} must be 0..{limit}, got {value}")
        else:
            fit[name] = value
    return fit


def _extra_json(row: _Row) -> dict[str, str]:
    values = _json_object(row, "extra_json", "")
    extra: dict[str, str] = {}
    for key, value in values.items():
        name = clean_line(key, len(key) + 1)
        text = value if isinstance(value, str) else json.dumps(value)
        for what, length, limit in (("key", len(name), NAME_MAX), ("value", len(text), NOTE_MAX)):
            if length > limit:
                message = (
                    f"{name[:HEADER_SHOWN]!r}: a {what} of {length} characters (at most {limit})"
                )
                row.problem(row.header("extra_json"), message)
        extra[name] = clean_block(text, len(text) + 1)
    return extra


def _lead_id(row: _Row, lead: LeadRow) -> int | None:
    """callblock's own id (an integer) names the lead it came from; a CRM's id is kept as an
    extra field."""
    text = row.text("lead_id").strip()
    if not text:
        return None
    if text.isdigit() and len(text) < 16:
        return int(text)
    lead.extra.setdefault(clean_line(row.header("lead_id"), NAME_MAX), text)
    return None
