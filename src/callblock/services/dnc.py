"""Taking a lead off do-not-call: a team lead's act, with a reason, kept in the audit table.

On a team database only a current registered team lead may do it; on a single-user database
(no team set up) the rep is asked to confirm. Nothing else takes a lead off do-not-call: no
outcome (domain/outcomes.py), no import or merge (a do-not-call request always survives), not
the lead form. An undo of the rep's own do-not-call outcome is the one exception: it corrects
a key pressed by mistake, and is kept in the audit table as an undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.compliance import NEVER_CALLED
from callblock.domain.models import Lead, LeadStatus
from callblock.domain.text import NAME_MAX, TOUCH_NOTE_MAX, clean_line
from callblock.services import ServiceError, checked_line
from callblock.services.cadence import refresh_due
from callblock.services.leads import get_lead
from callblock.services.learning import current_weights
from callblock.store import Store

ACTION = "dnc-lifted"  # the audit table's action
NOT_YOURS = (
    "taking a lead off do-not-call is a team lead's act, with a reason "
    "(`callblock lift-dnc --lead {id} --reason TEXT`)"
)


@dataclass(frozen=True, slots=True)
class DncLifted:
    """One lift, as the lead's history shows it."""

    at: datetime
    rep: str
    reason: str
    status: str


def lifts_dnc(lead: Lead, status: str | None) -> bool:
    """Setting `status` (as typed) takes `lead` off do-not-call."""
    return (
        lead.status is NEVER_CALLED
        and status is not None
        and status.strip().lower() != NEVER_CALLED.value
    )


def may_lift(store: Store, rep: str) -> bool:
    """Whether `rep` may take a lead off do-not-call: a current team lead on a team database;
    anyone (after a confirmation) on a single-user one."""
    if not store.admin.has_reps():
        return True
    registered = store.admin.get_rep(rep)
    return registered is not None and registered.current and registered.role == "lead"


def lift_dnc(
    store: Store,
    clock: Clock,
    settings: Settings,
    *,
    rep: str,
    lead_id: int,
    reason: str,
    status: str = LeadStatus.WORKING.value,
    confirmed: bool = False,
) -> Lead:
    """Take the lead off do-not-call (to `status`), keeping who, when and why in the audit
    table. Refused for a rep who is not a team lead, without a reason, and on a single-user
    database without `confirmed`."""
    lead = get_lead(store, lead_id)
    if lead.status is not NEVER_CALLED:
        raise ServiceError(f"lead {lead_id} is not on do-not-call (it is {lead.status.value})")
    why = checked_line(reason, "reason", TOUCH_NOTE_MAX)
    if not why:
        raise ServiceError("reason: say why the lead may be called again")
    try:
        new = LeadStatus(status.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in LeadStatus if s is not NEVER_CALLED)
        raise ServiceError(f"status: {status!r} is not one of {known}") from None
    if new is NEVER_CALLED:
        raise ServiceError("status: give the status the lead returns to")
    if store.admin.has_reps() and not may_lift(store, rep):
        raise ServiceError(f"{NOT_YOURS.format(id=lead_id)}; {rep} is not a team lead")
    if not store.admin.has_reps() and not confirmed:
        raise ServiceError(
            f"taking lead {lead_id} off do-not-call: they asked never to be called; "
            "confirm with --yes"
        )
    with store.transaction():
        store.leads.update_lead_fields(lead_id, {"status": new.value})
        refresh_due(store, settings, current_weights(store, settings), [lead_id])
        store.touches.add_audit(
            iso(clock.now()),
            clean_line(rep, NAME_MAX),
            ACTION,
            None,
            {"lead_id": lead_id, "reason": why, "status": new.value},
        )
    return get_lead(store, lead_id)


def dnc_lifts(store: Store, lead_id: int) -> list[DncLifted]:
    """The lead's lifts off do-not-call, newest first."""
    found = [
        DncLifted(
            parse_iso(entry["at"]),
            entry["rep"],
            str(entry["detail"].get("reason", "")),
            str(entry["detail"].get("status", "")),
        )
        for entry in store.touches.dnc_lifts(lead_id)
    ]
    return sorted(found, key=lambda lift: lift.at, reverse=True)


def dnc_events(store: Store, lead_id: int) -> list[tuple[datetime, str, str, str]]:
    """The lead's lifts off do-not-call as history lines: (when, who, what, why)."""
    return [
        (lift.at, lift.rep, f"off DNC → {lift.status}", lift.reason)
        for lift in dnc_lifts(store, lead_id)
    ]
