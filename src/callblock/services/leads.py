"""Adding leads, reading them, their history, and their research notes."""

from __future__ import annotations

from datetime import datetime

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.models import Lead, LeadStatus, Temperature, Touch
from callblock.domain.phones import PhoneError, normalize_phone
from callblock.domain.text import NAME_MAX, clean_block, clean_line
from callblock.services import ServiceError
from callblock.services.cadence import refresh_due
from callblock.services.learning import current_weights
from callblock.store import Store


def add_lead(
    store: Store,
    clock: Clock,
    *,
    name: str,
    company: str,
    phone: str,
    default_region: str = "US",
    title: str = "",
    email: str = "",
    tz: str | None = None,
    temperature: str = "warm",
    owner: str | None = None,
    notes: str = "",
    created: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Validate and add one lead; returns its id. Nothing is written when a field is bad."""
    clean_name = clean_line(name, NAME_MAX)
    if not clean_name:
        raise ServiceError("name: must not be empty")
    try:
        parsed = normalize_phone(phone, default_region)
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
    settings = settings or Settings()
    with store.transaction():
        lead_id = store.insert_lead(
            {
                "name": clean_name,
                "company": clean_line(company),
                "title": clean_line(title),
                "email": clean_line(email),
                "phone": parsed.e164,
                "phone_display": parsed.display,
                "phone_timezone": parsed.timezone,
                "region": parsed.region,
                "zone_spread": parsed.zone_spread,
                "timezone": tz or None,
                "temperature": heat.value,
                "owner": clean_line(owner) or None,
                "status": LeadStatus.NEW.value,
                "notes": clean_block(notes),
                "created_at": iso(created or clock.now()),
            }
        )
        refresh_due(store, settings, current_weights(store, settings), [lead_id])
    return lead_id


def get_lead(store: Store, lead_id: int) -> Lead:
    lead = store.get_lead(lead_id)
    if lead is None:
        raise ServiceError(f"lead: no lead with id {lead_id}")
    return lead


def history(store: Store, lead_id: int) -> list[Touch]:
    """The lead's touches that count, newest first."""
    get_lead(store, lead_id)
    return store.touches_for_lead(lead_id)


def save_notes(store: Store, lead_id: int, notes: str) -> str:
    """Save research notes (cleaned); returns the text as stored."""
    cleaned = clean_block(notes)
    store.set_notes(lead_id, cleaned)
    return cleaned
