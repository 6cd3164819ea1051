"""May this lead be called now, and if not, why: the one answer the queue, the block's re-check,
the lead screen's "call now" and `callblock log` all ask. The store's SQL filters (the queue's
partial indexes, the plan, the review) are built from the same definitions (`sql_words`).

The calling window is the one `CallingRules.window_for(lead.region)` gives (domain/calling.py):
however the lead's region is worked out, this module takes it as it comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from callblock.domain.calling import (
    CallingRules,
    CallingWindow,
    UnknownZoneError,
    local_time,
)
from callblock.domain.models import Lead, LeadStatus

# Leads no longer worked under the cadence (a promise with a qualified lead is still kept). The
# order is the one the SQL indexes were created with: `sql_words` must write them unchanged.
CLOSED_STATUSES: tuple[LeadStatus, ...] = (
    LeadStatus.DNC,
    LeadStatus.QUALIFIED,
    LeadStatus.DISQUALIFIED,
)
NEVER_CALLED = LeadStatus.DNC  # the lead asked never to be called: nothing overrides it


class Why(StrEnum):
    """Why a lead may not be called now."""

    DNC = "do-not-call"
    NO_NUMBER = "no-number"
    UNKNOWN_ZONE = "unknown-zone"
    OUTSIDE_HOURS = "outside-hours"
    DAILY_LIMIT = "daily-limit"


# The reasons a call the lead asked for (`callblock log --outside-window`) may override.
HOURS = frozenset({Why.OUTSIDE_HOURS, Why.UNKNOWN_ZONE})


@dataclass(frozen=True, slots=True)
class Refusal:
    """A lead that may not be called now, and why (the words are built only when shown)."""

    why: Why
    zone: str = ""
    local: datetime | None = None  # the lead's local time now
    window: CallingWindow | None = None
    calls: int = 0  # calls in the last 24 hours (DAILY_LIMIT)
    region: str | None = None

    @property
    def message(self) -> str:
        if self.why is Why.DNC:
            return "do not call: this lead asked never to be called"
        if self.why is Why.NO_NUMBER:
            return "no good phone number for this lead"
        if self.why is Why.UNKNOWN_ZONE:
            return "the lead's time zone is unknown: never called at a guessed hour"
        if self.why is Why.DAILY_LIMIT:
            return f"already called {self.calls} times in 24 hours (the limit in {self.region})"
        assert self.local is not None and self.window is not None
        return (
            f"it is {self.local:%H:%M} for the lead ({self.zone}), outside calling hours "
            f"{hours_text(self.window)}"
        )


def hours_text(window: CallingWindow) -> str:
    return f"{window.start:%H:%M}–{window.end:%H:%M}"


def lead_window(lead: Lead, rules: CallingRules) -> CallingWindow:
    """The calling window of the lead's region."""
    return rules.window_for(lead.region)


def zone_lag(lead: Lead) -> int:
    """Minutes the lead's clock may lag its zone: a number whose area spans zones, and no zone
    on the record."""
    return lead.zone_spread if not lead.timezone else 0


def may_call(
    lead: Lead,
    now: datetime,
    rules: CallingRules,
    default_zone: str,
    calls_24h: int | None = None,
) -> Refusal | None:
    """None when `lead` may be called at `now`; else why not. `calls_24h`: the lead's calls in
    the 24 hours before `now`, needed only where its region limits calls per day."""
    return check_call(lead, now, rules, default_zone, calls_24h)[0]


def check_call(
    lead: Lead,
    now: datetime,
    rules: CallingRules,
    default_zone: str,
    calls_24h: int | None = None,
) -> tuple[Refusal | None, datetime | None]:
    """`may_call`'s answer, with the lead's local time when it is known (the queue, ranking many
    leads, reads it once)."""
    if lead.status is NEVER_CALLED:
        return Refusal(Why.DNC), None
    if lead.bad_number or not lead.phone:
        return Refusal(Why.NO_NUMBER), None
    refusal, local = check_hours(lead, now, rules, default_zone)
    if refusal is not None or local is None:
        return refusal, local
    window = lead_window(lead, rules)
    limit = window.max_calls_per_day
    if limit is not None and (calls_24h or 0) >= limit:
        zone = lead.zone(default_zone)
        return Refusal(Why.DAILY_LIMIT, zone, local, window, calls_24h or 0, lead.region), local
    return None, local


def check_hours(
    lead: Lead, now: datetime, rules: CallingRules, default_zone: str
) -> tuple[Refusal | None, datetime | None]:
    """The calling-hours part alone: OUTSIDE_HOURS or UNKNOWN_ZONE, or None; with the lead's
    local time when its zone is known."""
    zone = lead.zone(default_zone)
    try:
        local = local_time(now, zone)
    except UnknownZoneError:
        return Refusal(Why.UNKNOWN_ZONE, zone), None
    window = lead_window(lead, rules)
    if not window.allows(local, zone_lag(lead)):
        return Refusal(Why.OUTSIDE_HOURS, zone, local, window), local
    return None, local


@dataclass(frozen=True, slots=True)
class PromiseRefusal:
    """A callback or meeting time outside the lead's calling hours, and the nearest allowed."""

    when: datetime
    zone: str
    window: CallingWindow
    nearest: datetime | None  # None: the lead's window never opens (start >= end)

    def message(self, rep_zone: str | None = None) -> str:
        """In the lead's time; the nearest allowed time also in `rep_zone` (the rep types it)."""
        lead_local = local_time(self.when, self.zone)
        text = (
            f"{lead_local:%a %H:%M} for the lead ({self.zone}) is outside calling hours "
            f"{hours_text(self.window)}"
        )
        if self.nearest is None:
            return text
        near = local_time(self.nearest, self.zone)
        text += f"; nearest allowed: {near:%a %d %b %H:%M} for the lead"
        if rep_zone and rep_zone != self.zone:
            mine = local_time(self.nearest, rep_zone)
            text += f" ({mine:%a %d %b %H:%M} for you)"
        return text


def promise_time_problem(
    lead: Lead, when: datetime, rules: CallingRules, default_zone: str, now: datetime
) -> PromiseRefusal | None:
    """None when a callback or meeting at `when` falls inside the lead's calling hours (or the
    lead's zone is unknown: the queue then never calls it anyway); else the nearest allowed
    time after `now`."""
    zone = lead.zone(default_zone)
    try:
        local = local_time(when, zone)
    except UnknownZoneError:
        return None
    window, lag = lead_window(lead, rules), zone_lag(lead)
    if window.allows(local, lag):
        return None
    return PromiseRefusal(when, zone, window, nearest_allowed(local, window, lag, now))


def nearest_allowed(
    local: datetime, window: CallingWindow, lag_minutes: int, after: datetime
) -> datetime | None:
    """The allowed minute nearest to `local` (the window's last minute before it, or its next
    opening), later than `after`; None when the window never opens."""
    opens = _plus(window.start, lag_minutes)
    last = _plus(window.end, -1)
    if opens is None or last is None or opens > last:
        return None
    candidates = []
    for offset in (-1, 0, 1, 2):
        day: date = local.date() + timedelta(days=offset)
        for clock in (opens, last):
            moment = datetime.combine(day, clock, tzinfo=local.tzinfo)
            if moment > after and window.allows(moment, lag_minutes):
                candidates.append(moment)
    if not candidates:
        return None
    return min(candidates, key=lambda moment: (abs(moment - local), moment))


def _plus(clock: time, minutes: int) -> time | None:
    total = clock.hour * 60 + clock.minute + minutes
    if not 0 <= total < 24 * 60:
        return None
    return time(total // 60, total % 60)
