"""Adding leads, reading them, their history, and their research notes."""

from __future__ import annotations

from datetime import datetime

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.models import Lead, LeadStatus, Temperature, Touch
from callblock.domain.names import given_parts
from callblock.domain.phones import PhoneError, normalize_phone
from callblock.domain.regions import RegionError, parse_region
from callblock.domain.text import NAME_MAX
from callblock.services import ServiceError, checked_block, checked_email, checked_line
from callblock.services.cadence import refresh_due
from callblock.services.learning import current_weights
from callblock.store import Store


def checked_owner(store: Store, owner: str | None) -> str | None:
    """An owner is a rep: on a team database a current registered one, spelled exactly (a lead
    owned by nobody on the team would leave every rep's queue for good)."""
    name = checked_line(owner, "owner", NAME_MAX) or None
    if name is None or not store.admin.has_reps():
        return name
    registered = store.admin.get_rep(name)
    if registered is None or not registered.current:
        raise ServiceError(f"owner: {name!r} is not a current rep of this team (see `team list`)")
    return name


def checked_region(text: str) -> str | None:
    """The lead's own calling region as a person writes it (FL, Florida, Germany, DEU, CA-ON),
    or None for none (the phone number's applies)."""
    try:
        return parse_region(checked_line(text, "region"))
    except RegionError as error:
        raise ServiceError(f"region: {error}") from None


def add_lead(
    store: Store,
    clock: Clock,
    *,
    name: str,
    company: str,
    phone: str,
    title: str = "",
    email: str = "",
    tz: str | None = None,
    region: str = "",
    temperature: str = "warm",
    owner: str | None = None,
    notes: str = "",
    created: datetime | None = None,
    first_name: str = "",
    last_name: str = "",
    pronunciation: str = "",
    interest: str = "",
    settings: Settings,
) -> int:
    """Validate and add one lead; returns its id. Nothing is written when a field is bad (too
    long included: refused naming the field, never cut). The first and last name not given
    are parsed from the name."""
    clean_name = checked_line(name, "name", NAME_MAX)
    if not clean_name:
        raise ServiceError("name: must not be empty")
    fields = {
        **given_parts(
            clean_name,
            checked_line(first_name, "first_name", NAME_MAX),
            checked_line(last_name, "last_name", NAME_MAX),
        ),
        "pronunciation": checked_line(pronunciation, "pronunciation"),
        "interest": checked_line(interest, "interest"),
        "company": checked_line(company, "company"),
        "title": checked_line(title, "title"),
        "email": checked_email(email),
        "owner": checked_owner(store, owner),
        "notes": checked_block(notes, "notes"),
    }
    checked_line(phone, "phone")
    tz = checked_line(tz, "tz") or None
    try:
        parsed = normalize_phone(phone, settings.default_region)
    except PhoneError as error:
        raise ServiceError(f"phone: {error}") from None
    if tz:
        try:
            zone_info(tz)
        except UnknownZoneError as error:
            raise ServiceError(f"tz: {error}") from None
    try:
        heat = Temperature(temperature.strip().lower())
    except ValueError:
        raise ServiceError(f"temperature: {temperature!r} is not one of hot, warm, cold") from None
    with store.transaction():
        lead_id = store.leads.insert_lead(
            {
                "name": clean_name,
                **fields,
                **parsed.record(),
                "record_region": checked_region(region),
                "timezone": tz or None,
                "temperature": heat.value,
                "status": LeadStatus.NEW.value,
                "created_at": iso(created or clock.now()),
            }
        )
        refresh_due(store, settings, current_weights(store, settings), [lead_id])
    return lead_id


def get_lead(store: Store, lead_id: int) -> Lead:
    lead = store.leads.get_lead(lead_id)
    if lead is None:
        raise ServiceError(f"lead: no lead with id {lead_id}")
    return lead


def history(store: Store, lead_id: int) -> list[Touch]:
    """The lead's touches that count, newest first."""
    get_lead(store, lead_id)
    return store.touches.touches_for_lead(lead_id)


def save_notes(store: Store, lead_id: int, notes: str) -> str:
    """Save research notes (cleaned); returns the text as stored. Notes over NOTE_MAX are
    refused (ServiceError), never cut: the caller keeps what was typed."""
    cleaned = checked_block(notes, "notes")
    store.leads.set_notes(lead_id, cleaned)
    return cleaned
