"""What fell through the cracks: the rules, pure. The store fetches candidates; these decide.

- overdue callback: an open promise more than CALLBACK_GRACE past its time (as of now).
- missed callback: a promise due in the period, closed by a dial after its grace window.
- late inbound: a lead that arrived in the period and was first called more than
  INBOUND_WITHIN after arriving (or not yet, and that long has passed).
- warm untouched: an open warm lead (not in nurture) with no touch for more than N days
  (config `[review] warm_untouched_days`); a never-called one counts from its arrival.
- two reps: a lead touched by more than one rep on the same day (team zone), in the period.
- stopped early: an open lead being worked with fewer attempts than the schedule
  (`[queue] max_attempts`), no open promise and no touch for more than STOPPED_AFTER.
- called outside calling hours: a call in the period logged outside the lead's calling hours
  (`callblock log --outside-window`: the lead asked for it), as flagged when it was recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from callblock.domain.calling import UnknownZoneError, local_time
from callblock.domain.compliance import CLOSED_STATUSES
from callblock.domain.figures import CALLBACK_GRACE, PromiseRecord, kept
from callblock.domain.models import Lead, LeadStatus, PromiseState, Temperature, Touch
from callblock.domain.periods import local_day
from callblock.domain.priority import PROMISE_LEAD

INBOUND_WITHIN = timedelta(hours=1)
# The longest gap in the attempt schedule is 9 days (attempt 4 on day 5, attempt 5 on day 14).
STOPPED_AFTER = timedelta(days=10)

KINDS = {
    "overdue": "callback overdue",
    "missed": "callback missed",
    "inbound": "inbound > 1 h",
    "warm": "warm untouched",
    "two-reps": "two reps, one day",
    "stopped": "stopped early",
    "outside": "called outside calling hours",
}


@dataclass(frozen=True, slots=True)
class Crack:
    kind: str  # a KINDS key
    lead_id: int
    at: datetime  # the moment that matters: due time, arrival, last touch, the day's first touch
    rep: str  # who owns it (promise owner, lead owner, or the reps involved)
    detail: str


def promise_overdue(promise: PromiseRecord, now: datetime) -> bool:
    return promise.state == PromiseState.OPEN and now > promise.due_at + CALLBACK_GRACE


def promise_missed(promise: PromiseRecord) -> bool:
    """Closed, but by a dial after the grace window (a promise withdrawn early is not missed)."""
    return (
        promise.state == PromiseState.CLOSED
        and promise.closed_at is not None
        and promise.closed_at > promise.due_at - PROMISE_LEAD
        and not kept(promise)
    )


def late_inbound(created_at: datetime, first_dial: datetime | None, now: datetime) -> bool:
    if created_at > now:
        return False
    reached = first_dial if first_dial is not None else now
    return reached - created_at > INBOUND_WITHIN


def is_open(lead: Lead) -> bool:
    return lead.status not in CLOSED_STATUSES and not lead.bad_number and bool(lead.phone)


def warm_untouched(lead: Lead, now: datetime, days: int) -> bool:
    last = lead.last_touch_at or lead.created_at
    return (
        lead.temperature is Temperature.WARM
        and is_open(lead)
        and lead.status is not LeadStatus.NURTURE
        and now - last > timedelta(days=days)
    )


def stopped_early(lead: Lead, now: datetime, max_attempts: int, has_open_promise: bool) -> bool:
    return (
        is_open(lead)
        and lead.status is not LeadStatus.NURTURE
        and 1 <= lead.attempts < max_attempts
        and lead.last_touch_at is not None
        and now - lead.last_touch_at > STOPPED_AFTER
        and not has_open_promise
    )


def two_reps_same_day(touches: Iterable[Touch], zone: str) -> list[Crack]:
    """Leads with live touches by more than one rep on one day (team zone), by day then lead."""
    reps: dict[tuple[date, int], dict[str, datetime]] = defaultdict(dict)
    for touch in touches:
        if touch.undone:
            continue
        seen = reps[(local_day(touch.at, zone), touch.lead_id)]
        if touch.rep not in seen or touch.at < seen[touch.rep]:
            seen[touch.rep] = touch.at
    cracks = []
    for (day, lead_id), who in sorted(reps.items()):
        if len(who) > 1:
            names = sorted(who)
            cracks.append(Crack("two-reps", lead_id, min(who.values()), ", ".join(names), f"{day}"))
    return cracks


def called_outside_hours(
    calls: Iterable[tuple[int, str, datetime]], zones: dict[int, str], default_zone: str
) -> list[Crack]:
    """(lead id, rep, at) of calls flagged outside the lead's calling hours, as cracks with the
    lead's local time then; `zones`: each lead's zone (the team's where missing)."""
    cracks = []
    for lead_id, rep, at in calls:
        zone = zones.get(lead_id) or default_zone
        try:
            detail = f"{local_time(at, zone):%a %H:%M} for the lead ({zone})"
        except UnknownZoneError:
            detail = f"time zone {zone} unknown"
        cracks.append(Crack("outside", lead_id, at, rep, detail))
    return cracks
