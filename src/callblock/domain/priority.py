"""Lead order for a rep at a moment: a score with its reasons, pure.

This is the simple order of the foundation; the smart queue replaces `rank_leads` behind the same
service function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from callblock.domain.calling import CallingWindow, UnknownZoneError, local_time
from callblock.domain.models import Callback, Lead, LeadStatus, Temperature

PROMISE_LEAD = timedelta(minutes=5)  # a promise comes up this long before its time
CLOSED_STATUSES = frozenset({LeadStatus.DNC, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED})
_TEMPERATURE_POINTS = {Temperature.HOT: 30, Temperature.WARM: 20, Temperature.COLD: 10}


@dataclass(frozen=True, slots=True)
class QueueRules:
    default_zone: str
    window: CallingWindow
    max_attempts: int = 6
    spacing: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class QueueItem:
    lead: Lead
    score: float
    tier: str  # promise | inbound | follow-up | nurture
    reasons: tuple[str, ...]
    local_time: datetime
    promise: Callback | None = None


def rank_leads(
    leads: Iterable[Lead],
    promises: Mapping[int, Callback],
    now: datetime,
    rules: QueueRules,
) -> list[QueueItem]:
    """Order callable leads, best first; leads that must not be called are left out."""
    items = [
        item for lead in leads if (item := score_lead(lead, promises.get(lead.id), now, rules))
    ]
    items.sort(key=lambda item: (-item.score, item.lead.id))
    return items


def score_lead(
    lead: Lead, promise: Callback | None, now: datetime, rules: QueueRules
) -> QueueItem | None:
    """The lead's place in the queue, or None when it must not be called now.

    Within each tier the score is strictly monotone in one stored column (promise due time,
    arrival time, last touch), the column the store orders that tier's candidates by. So the best
    k leads are the same whatever number of candidates was fetched: `queue --limit 20` and the
    power-hour screen agree.
    """
    if lead.status is LeadStatus.DNC or lead.bad_number or not lead.phone:
        return None
    zone = lead.zone(rules.default_zone)
    try:
        local = local_time(now, zone)
    except UnknownZoneError:
        return None  # never call at a guessed hour
    if not rules.window.allows(local):
        return None
    local_reason = f"{local:%H:%M} local"
    if promise is not None and promise.due_at - PROMISE_LEAD <= now:
        late = (now - promise.due_at).total_seconds() / 60
        due = f"{promise.kind} due {local_time(promise.due_at, zone):%a %H:%M} (promised)"
        reasons = (due, f"{int(late)} min overdue" if late >= 1 else "on time", local_reason)
        return QueueItem(lead, 1000.0 + late, "promise", reasons, local, promise)
    if lead.status in CLOSED_STATUSES or lead.attempts >= rules.max_attempts:
        return None
    if lead.last_touch_at is not None and now - lead.last_touch_at < rules.spacing:
        return None
    if lead.attempts == 0:
        if lead.created_at > now:
            return None  # not arrived yet at this (pinned) time
        age = (now - lead.created_at).total_seconds() / 60
        score = 500.0 + 100.0 / (1.0 + age / 30.0)
        return QueueItem(
            lead, score, "inbound", (f"new lead, {_age(age)} old", local_reason), local
        )
    waited = (now - (lead.last_touch_at or now)).total_seconds() / 3600
    wait_points = 10.0 - 10.0 / (1.0 + max(waited, 0.0) / 24.0)  # 0..10, longer wait ranks higher
    attempt = f"attempt {lead.attempts + 1} of {rules.max_attempts}"
    waiting = f"waiting {_age(waited * 60)}"
    if lead.status is LeadStatus.NURTURE:
        return QueueItem(lead, 10.0 + wait_points, "nurture", ("nurture", attempt, waiting), local)
    score = 100.0 + _TEMPERATURE_POINTS[lead.temperature] + wait_points
    reasons = (attempt, lead.temperature.value, waiting, local_reason)
    return QueueItem(lead, score, "follow-up", reasons, local)


def _age(minutes: float) -> str:
    if minutes < 120:
        return f"{int(minutes)} min"
    if minutes < 48 * 60:
        return f"{int(minutes // 60)} h"
    return f"{int(minutes // 1440)} days"
