"""Who to call next: a score with its reasons, pure.

Tiers, in order: promises (callbacks and meetings due; the rep's own first, then promises other
reps missed by more than the grace), fresh inbound leads (speed to lead), then follow-ups due
under the cadence mixed with a share of warm and nurture leads. Never queued: do-not-call, bad
or missing numbers, leads outside their legal calling window, inside their spacing, past their
attempts, owned by another rep, or with a promise not yet due.

Within a tier the score is monotone in the column the store fetches that tier by (see
`store.queue`), so the best k leads are the same whatever k: `queue --limit 20` and the
power-hour screen agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from callblock.domain.cadence import Cadence
from callblock.domain.calling import CallingRules, UnknownZoneError, local_time
from callblock.domain.models import Callback, Lead, LeadStatus, Temperature
from callblock.domain.weights import WEEKDAY_NAMES, Weights

PROMISE_KINDS = ("callback", "meeting")
CLOSED_STATUSES = frozenset({LeadStatus.DNC, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED})
TEMPERATURE_POINTS = {Temperature.HOT: 30.0, Temperature.WARM: 20.0, Temperature.COLD: 10.0}
TIERS = ("promise", "inbound", "follow-up", "nurture")
BEST_HOUR = 0.9  # an hour weight at least this high is called a best hour in the reasons


@dataclass(frozen=True, slots=True)
class QueueRules:
    default_zone: str
    calling: CallingRules = field(default_factory=CallingRules)
    cadence: Cadence = field(default_factory=Cadence)
    weights: Weights = field(default_factory=Weights)
    promise_lead: timedelta = timedelta(minutes=5)  # a promise comes up this early
    promise_grace: timedelta = timedelta(minutes=15)  # then any rep may take it
    fresh_for: timedelta = timedelta(hours=24)  # an uncalled lead is inbound this long
    warm_share: float = 0.25
    nurture_share: float = 0.05

    @property
    def max_attempts(self) -> int:
        return self.cadence.max_attempts

    @property
    def spacing(self) -> timedelta:
        return self.cadence.spacing


@dataclass(frozen=True, slots=True)
class QueueItem:
    lead: Lead
    score: float
    tier: str  # promise | inbound | follow-up | nurture
    reasons: tuple[str, ...]
    local_time: datetime
    promise: Callback | None = None


def fresh_weight(age_minutes: float) -> float:
    """Speed to lead: 1.0 at one minute old, then falling, steeply after 30 min and after an
    hour. The first minute ramps up (do not pounce within seconds). Strictly decreasing from
    one minute on, so among fresh leads the younger always ranks higher."""
    age = max(age_minutes, 0.0)
    if age < 1:
        return 0.80 + 0.18 * age
    if age <= 5:
        return 1.0 - 0.0025 * (age - 1)
    if age <= 30:
        return 0.99 - 0.19 * (age - 5) / 25
    if age <= 60:
        return 0.80 - 0.40 * (age - 30) / 30
    return 0.40 * 60 / age  # 0.40 at an hour, 0.017 at a day


def rank_leads(
    leads: Iterable[Lead],
    promises: Mapping[int, Callback],
    now: datetime,
    rules: QueueRules,
    *,
    rep: str,
    calls_24h: Mapping[int, int] | None = None,
) -> list[QueueItem]:
    """Order callable leads, best first; leads that must not be called are left out."""
    counts = calls_24h or {}
    items = [
        item
        for lead in leads
        if (item := score_lead(lead, promises.get(lead.id), now, rules, rep, counts.get(lead.id)))
    ]
    rank = {"promise": 0, "inbound": 1}
    items.sort(key=lambda item: (rank.get(item.tier, 2), -item.score, item.lead.id))
    head = [item for item in items if item.tier in rank]
    tail = [item for item in items if item.tier not in rank]
    return head + mix(tail, rules.warm_share, rules.nurture_share)


def score_lead(
    lead: Lead,
    promise: Callback | None,
    now: datetime,
    rules: QueueRules,
    rep: str,
    calls_24h: int | None = None,
) -> QueueItem | None:
    """The lead's place in the queue, or None when it must not be called now."""
    if lead.status is LeadStatus.DNC or lead.bad_number or not lead.phone:
        return None
    zone = lead.zone(rules.default_zone)
    try:
        local = local_time(now, zone)
    except UnknownZoneError:
        return None  # never call at a guessed hour
    window = rules.calling.window_for(lead.region)
    if not window.allows(local):
        return None
    if window.max_calls_per_day is not None and (calls_24h or 0) >= window.max_calls_per_day:
        return None
    local_reason = _local_reason(local, rules.weights)
    if promise is not None:
        return _promise_item(lead, promise, now, rules, rep, local, local_reason)
    if lead.status in CLOSED_STATUSES or lead.owner not in (None, rep):
        return None
    if lead.last_touch_at is not None and now - lead.last_touch_at < rules.spacing:
        return None
    nurture = lead.status is LeadStatus.NURTURE
    if lead.created_at > now or (not nurture and lead.attempts >= rules.max_attempts):
        return None
    if lead.attempts == 0 and not nurture and now - lead.created_at < rules.fresh_for:
        age = (now - lead.created_at).total_seconds() / 60
        score = 500.0 + 100.0 * fresh_weight(age)
        return QueueItem(lead, score, "inbound", (f"inbound {_age(age)} ago", local_reason), local)
    if lead.next_due_at is None or lead.next_due_at > now:
        return None
    weight = rules.weights.at(local.weekday(), local.hour)
    day = local.weekday()
    day_reason = f"{WEEKDAY_NAMES[day].title()} weight {rules.weights.weekday[day]:.2f}"
    fit = lead.fit_score
    due = _since(lead.next_due_at, now, zone)
    if nurture:
        score = 10.0 + 5.0 * fit + 3.0 * weight
        waited = _age((now - (lead.last_touch_at or lead.created_at)).total_seconds() / 60)
        reasons = (f"nurture: last touch {waited} ago", local_reason, day_reason)
        return QueueItem(lead, score, "nurture", reasons, local)
    score = 100.0 + TEMPERATURE_POINTS[lead.temperature] + 10.0 * fit + 6.0 * weight
    attempt = f"attempt {lead.attempts + 1} of {rules.max_attempts}, due {due}"
    reasons = (attempt, f"{lead.temperature.value}, fit {fit:.0%}", local_reason, day_reason)
    return QueueItem(lead, score, "follow-up", reasons, local)


def _promise_item(
    lead: Lead,
    promise: Callback,
    now: datetime,
    rules: QueueRules,
    rep: str,
    local: datetime,
    local_reason: str,
) -> QueueItem | None:
    own = promise.rep == rep
    if own and now < promise.due_at - rules.promise_lead:
        return None
    if not own and now <= promise.due_at + rules.promise_grace:
        return None  # another rep's promise: theirs until it is missed by more than the grace
    late = max((now - promise.due_at).total_seconds() / 60, 0.0)
    due = f"{promise.kind} due {local_time(promise.due_at, rules.default_zone):%a %H:%M}"
    if own:
        reasons = (f"{due} (promised)", f"{int(late)} min late" if late >= 1 else "on time")
        score = 3000.0 + min(late, 999.0)
    else:
        reasons = (f"{due} (promised by {promise.rep})", f"overdue {_age(late)}: open to anyone")
        score = 2000.0 + min(late, 999.0)
    return QueueItem(lead, score, "promise", (*reasons, local_reason), local, promise)


def mix(items: list[QueueItem], warm_share: float, nurture_share: float) -> list[QueueItem]:
    """Follow-ups best first, but every block keeps `warm_share` of its slots for warm leads
    (so hot ones do not starve them) and `nurture_share` for nurture."""
    pending = sorted(items, key=lambda item: (-item.score, item.lead.id))
    out: list[QueueItem] = []
    warm = nurture = 0
    while pending:
        slot = len(out) + 1
        pick, share = pending[0], None
        if nurture < math.floor(nurture_share * slot + 1e-9) and pick.tier != "nurture":
            found = next((i for i in pending if i.tier == "nurture"), None)
            pick, share = (found, f"nurture share {nurture_share:.0%}") if found else (pick, None)
        if share is None and warm < math.floor(warm_share * slot + 1e-9) and not _is_warm(pick):
            found = next((i for i in pending if _is_warm(i)), None)
            pick, share = (found, f"warm share {warm_share:.0%}") if found else (pick, None)
        pending.remove(pick)
        warm += _is_warm(pick)
        nurture += pick.tier == "nurture"
        out.append(replace(pick, reasons=(*pick.reasons, share)) if share else pick)
    return out


def _is_warm(item: QueueItem) -> bool:
    return item.tier == "follow-up" and item.lead.temperature is Temperature.WARM


def _local_reason(local: datetime, weights: Weights) -> str:
    best = weights.hour[local.hour] >= BEST_HOUR
    return f"{local:%H:%M} local" + (": best hour" if best else "")


def _since(due: datetime, now: datetime, zone: str) -> str:
    local_due, local_now = local_time(due, zone), local_time(now, zone)
    if local_due.date() == local_now.date():
        return f"since {local_due:%H:%M}"
    if now - due < timedelta(days=6):
        return f"since {local_due:%a}"
    return f"since {local_due:%d %b}"


def _age(minutes: float) -> str:
    if minutes < 120:
        return f"{int(minutes)} min"
    if minutes < 48 * 60:
        return f"{int(minutes // 60)} h"
    return f"{int(minutes // 1440)} days"
