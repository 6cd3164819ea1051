"""Editing a lead from its screen: any field, temperature, fit criteria."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callblock.clock import iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.models import FIT_CRITERIA, NO_PHONE, Lead, LeadStatus, Temperature
from callblock.domain.names import name_parts, parts_differ
from callblock.domain.phones import PhoneError, normalize_phone
from callblock.domain.regions import region_text
from callblock.domain.text import FIELD_MAX, NAME_MAX
from callblock.services import ServiceError, checked_email, checked_line
from callblock.services.cadence import refresh_due
from callblock.services.dnc import NOT_YOURS, lifts_dnc
from callblock.services.leads import checked_region, get_lead
from callblock.services.learning import current_weights
from callblock.services.queue import call_refusal
from callblock.store import Store

# The fields the lead screen's form edits, in its order: (field, label).
EDIT_FIELDS = (
    ("name", "Name"),
    ("first_name", "First name"),  # parsed from the name; a correction is kept
    ("last_name", "Last name"),
    ("pronunciation", "Say it"),  # "BROH-doh"
    ("interest", "Interest"),  # what they asked for or downloaded
    ("company", "Company"),
    ("title", "Title"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("timezone", "Time zone"),
    ("region", "Region"),  # the record's: a state or country (else the phone's applies)
    ("owner", "Owner"),
    ("status", "Status"),
)
_NAMES = ("name", "owner", "first_name", "last_name")


def edit_values(lead: Lead) -> dict[str, str]:
    """The lead's editable fields as the form shows them."""
    return {
        "name": lead.name,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "pronunciation": lead.pronunciation,
        "interest": lead.interest,
        "company": lead.company,
        "title": lead.title,
        "phone": lead.phone_display or lead.phone,
        "email": lead.email,
        "timezone": lead.timezone or "",
        "region": region_text(lead.record_region),
        "owner": lead.owner or "",
        "status": lead.status.value,
    }


def update_lead(
    store: Store,
    lead_id: int,
    values: dict[str, str],
    *,
    settings: Settings,
) -> Lead:
    """Validate and save edited fields (only those given); returns the lead as stored. A new
    status or zone moves the lead's next due time (nurture has its own rhythm). A new name
    re-parses the first and last name unless a rep corrected them (see `name_changes`)."""
    lead = get_lead(store, lead_id)
    changes: dict[str, Any] = {}
    for name, raw in values.items():
        text = checked_line(raw, name, NAME_MAX if name in _NAMES else FIELD_MAX)
        if name == "name":
            if not text:
                raise ServiceError("name: must not be empty")
            changes["name"] = text
        elif name in ("company", "title", "first_name", "last_name", "pronunciation", "interest"):
            changes[name] = text
        elif name == "owner":
            changes["owner"] = text or None
        elif name == "email":
            changes["email"] = checked_email(text)
        elif name == "phone":
            changes |= _phone(text, lead, settings.default_region)
        elif name == "timezone":
            if text:
                try:
                    zone_info(text)
                except UnknownZoneError as error:
                    raise ServiceError(f"timezone: {error}") from None
            changes["timezone"] = text or None
        elif name == "region":
            changes["record_region"] = checked_region(text)
        elif name == "status":
            if lifts_dnc(lead, text):  # never from the form: a team lead's act, with a reason
                raise ServiceError(f"status: {NOT_YOURS.format(id=lead.id)}")
            try:
                changes["status"] = LeadStatus(text.lower()).value
            except ValueError:
                known = ", ".join(s.value for s in LeadStatus)
                raise ServiceError(f"status: {text!r} is not one of {known}") from None
        else:
            raise ServiceError(f"{name}: not an editable field")
    changes |= name_changes(lead, changes)
    with store.transaction():
        store.leads.update_lead_fields(lead_id, changes)
        if {"status", "timezone", "phone"} & set(changes):
            refresh_due(store, settings, current_weights(store, settings), [lead_id])
    return get_lead(store, lead_id)


def name_changes(lead: Lead, changes: dict[str, Any]) -> dict[str, str]:
    """The first and last name after an edit: a part the edit gives a new value for is that
    value; on a new name, the parts nobody corrected (they are what the old name parses to, or
    empty) follow the new name."""
    given: dict[str, str] = {
        part: changes[part]
        for part in ("first_name", "last_name")
        if part in changes and changes[part] != getattr(lead, part)
    }
    if changes.get("name", lead.name) == lead.name:
        return given
    stored = (lead.first_name, lead.last_name)
    if any(stored) and parts_differ(*stored, lead.name):
        return given  # a rep's correction outlives a new spelling of the name
    first, last = name_parts(changes["name"])
    return {"first_name": first, "last_name": last} | given


def _phone(text: str, lead: Lead, region: str) -> dict[str, Any]:
    if not text:
        return NO_PHONE.record()
    try:
        parsed = normalize_phone(text, region)
    except PhoneError as error:
        raise ServiceError(f"phone: {error}") from None
    if parsed.e164 == lead.phone:
        return {}
    # A new number is a new chance: it is no longer known to be bad.
    return parsed.record() | {"bad_number": False}


def set_temperature(store: Store, lead_id: int, temperature: Temperature) -> Lead:
    get_lead(store, lead_id)
    with store.transaction():
        store.leads.update_lead_fields(lead_id, {"temperature": temperature.value})
    return get_lead(store, lead_id)


def step_fit(store: Store, lead_id: int, criterion: str) -> Lead:
    """Raise one fit criterion by one, wrapping to 0 after its maximum."""
    if criterion not in FIT_CRITERIA:
        raise ServiceError(f"fit: unknown criterion {criterion!r}")
    lead = get_lead(store, lead_id)
    maximum = FIT_CRITERIA[criterion][0]
    fit = dict(lead.fit)
    fit[criterion] = (int(fit.get(criterion, 0)) + 1) % (maximum + 1)
    with store.transaction():
        store.leads.update_lead_fields(lead_id, {"fit": fit})
    return get_lead(store, lead_id)


def call_now_problem(
    store: Store, lead: Lead, now: datetime, settings: Settings, session_id: int | None = None
) -> str | None:
    """Why `lead` must not be dialled now (None: it may be)."""
    if store.leads.merged_into(lead.id) is not None:
        return f"lead {lead.id} was merged into lead {store.leads.merged_into(lead.id)}"
    refusal = call_refusal(store, settings, lead, now)
    if refusal is not None:
        return refusal.message
    holder = store.sessions.lease_holder(lead.id, iso(now))
    if holder is not None and holder.session_id != session_id:
        return f"on {holder.rep}'s screen right now"
    return None
