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
from callblock.domain.calling import CallingRules, local_time
from callblock.domain.compliance import CLOSED_STATUSES, check_call
from callblock.domain.models import Callback, Lead, LeadStatus, PromiseKind, Temperature, Tier
from callblock.domain.weights import WEEKDAY_NAMES, Weights

PROMISE_KINDS = (PromiseKind.CALLBACK, PromiseKind.MEETING)
TEMPERATURE_POINTS = {Temperature.HOT: 30.0, Temperature.WARM: 20.0, Temperature.COLD: 10.0}
TIERS = (Tier.PROMISE, Tier.INBOUND, Tier.FOLLOW_UP, Tier.NURTURE)
PROMISE_LEAD = timedelta(minutes=5)  # a promise comes up this long before its time
BEST_HOUR = 0.9  # an hour weight at least this high is called a best hour in the reasons


@dataclass(frozen=True, slots=True)
class QueueRules:
    default_zone: str
    calling: CallingRules = field(default_factory=CallingRules)
    cadence: Cadence = field(default_factory=Cadence)
    weights: Weights = field(default_factory=Weights)
    promise_lead: timedelta = PROMISE_LEAD
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
class MixServed:
    """Follow-up slots a block has already filled: the mix goes on from there instead of
    starting over, so a block presents leads in the order `callblock queue` listed them."""

    slots: int = 0
    warm: int = 0
    nurture: int = 0

    def after(self, item: QueueItem) -> MixServed:
        if item.tier not in (Tier.FOLLOW_UP, Tier.NURTURE):
            return self
        return MixServed(
            self.slots + 1, self.warm + _is_warm(item), self.nurture + (item.tier == Tier.NURTURE)
        )


NOTHING_SERVED = MixServed()


@dataclass(frozen=True, slots=True)
class QueueItem:
    lead: Lead
    score: float
    tier: Tier
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
    limit: int | None = None,
    served: MixServed = NOTHING_SERVED,
) -> list[QueueItem]:
    """Order callable leads, best first (the first `limit`), each with its reasons; leads
    that must not be called are left out. `served`: the block's follow-up slots so far."""
    counts = calls_24h or {}
    items = []
    for lead in leads:
        calls = counts.get(lead.id)
        if item := place_lead(lead, promises.get(lead.id), now, rules, rep, calls):
            items.append(item)
    return with_reasons(order_placed(items, rules, limit, served), now, rules, rep)


def order_placed(
    items: Iterable[QueueItem],
    rules: QueueRules,
    limit: int | None = None,
    served: MixServed = NOTHING_SERVED,
) -> list[QueueItem]:
    """Placed leads (place_lead) in queue order, the first `limit`, without their reasons yet
    (rank_leads in two steps: the queue places each lead it reads once, then orders)."""
    rank = {Tier.PROMISE: 0, Tier.INBOUND: 1}
    ordered = sorted(items, key=lambda item: (rank.get(item.tier, 2), -item.score, item.lead.id))
    head = [item for item in ordered if item.tier in rank][:limit]
    rest = None if limit is None else limit - len(head)
    tail = [item for item in ordered if item.tier not in rank]
    return head + mix(tail, rules.warm_share, rules.nurture_share, rest, served)


def with_reasons(
    items: Iterable[QueueItem], now: datetime, rules: QueueRules, rep: str
) -> list[QueueItem]:
    return [
        replace(item, reasons=(*explain(item, now, rules, rep), *item.reasons)) for item in items
    ]


def score_lead(
    lead: Lead,
    promise: Callback | None,
    now: datetime,
    rules: QueueRules,
    rep: str,
    calls_24h: int | None = None,
) -> QueueItem | None:
    """The lead's place in the queue with its reasons, or None when it must not be called."""
    item = place_lead(lead, promise, now, rules, rep, calls_24h)
    return replace(item, reasons=explain(item, now, rules, rep)) if item else None


def place_lead(
    lead: Lead,
    promise: Callback | None,
    now: datetime,
    rules: QueueRules,
    rep: str,
    calls_24h: int | None = None,
) -> QueueItem | None:
    """The lead's tier and score (no reasons yet: ranking many leads needs only scores), or
    None when it must not be called now."""
    refusal, local = check_call(lead, now, rules.calling, rules.default_zone, calls_24h)
    if refusal is not None or local is None:
        return None
    if promise is not None:
        own = promise.rep == rep
        if own and now < promise.due_at - rules.promise_lead:
            return None
        if not own and now <= promise.due_at + rules.promise_grace:
            return None  # another rep's promise: theirs until missed by more than the grace
        late = min(max((now - promise.due_at).total_seconds() / 60, 0.0), 999.0)
        return QueueItem(lead, (3000.0 if own else 2000.0) + late, Tier.PROMISE, (), local, promise)
    if lead.status in CLOSED_STATUSES or lead.owner not in (None, rep):
        return None
    if lead.last_touch_at is not None and now - lead.last_touch_at < rules.spacing:
        return None
    nurture = lead.status is LeadStatus.NURTURE
    if lead.created_at > now or (not nurture and lead.attempts >= rules.max_attempts):
        return None
    fresh = lead.status is LeadStatus.NEW and now - lead.created_at < rules.fresh_for
    if lead.attempts == 0 and fresh:
        age = (now - lead.created_at).total_seconds() / 60
        return QueueItem(lead, 500.0 + 100.0 * fresh_weight(age), Tier.INBOUND, (), local)
    if lead.next_due_at is None or lead.next_due_at > now:
        return None
    weight = rules.weights.at(local.weekday(), local.hour)
    if nurture:
        return QueueItem(lead, 10.0 + 5.0 * lead.fit_score + 3.0 * weight, Tier.NURTURE, (), local)
    score = 100.0 + TEMPERATURE_POINTS[lead.temperature] + 10.0 * lead.fit_score + 6.0 * weight
    return QueueItem(lead, score, Tier.FOLLOW_UP, (), local)


def explain(item: QueueItem, now: datetime, rules: QueueRules, rep: str) -> tuple[str, ...]:
    """Why the lead is where it is, in plain words."""
    lead, local = item.lead, item.local_time
    where = _local_reason(local, rules.weights)
    day = local.weekday()
    day_reason = f"{WEEKDAY_NAMES[day].title()} weight {rules.weights.weekday[day]:.2f}"
    promise = item.promise
    if item.tier == Tier.PROMISE and promise is not None:
        late = max((now - promise.due_at).total_seconds() / 60, 0.0)
        due = f"{promise.kind} due {local_time(promise.due_at, rules.default_zone):%a %H:%M}"
        if promise.rep == rep:
            return (f"{due} (promised)", f"{int(late)} min late" if late >= 1 else "on time", where)
        return (
            f"{due} (promised by {promise.rep})",
            f"overdue {_age(late)}: open to anyone",
            where,
        )
    if item.tier == Tier.INBOUND:
        return (f"inbound {_age((now - lead.created_at).total_seconds() / 60)} ago", where)
    if item.tier == Tier.NURTURE:
        waited = _age((now - (lead.last_touch_at or lead.created_at)).total_seconds() / 60)
        return (f"nurture: last touch {waited} ago", where, day_reason)
    due = _since(lead.next_due_at or now, now, lead.zone(rules.default_zone))
    calls = max(rules.cadence.calls, lead.attempts + 1)  # the call steps (not emails)
    attempt = f"attempt {lead.attempts + 1} of {calls}, due {due}"
    return (attempt, f"{lead.temperature.value}, fit {lead.fit_score:.0%}", where, day_reason)


def mix(
    items: list[QueueItem],
    warm_share: float,
    nurture_share: float,
    limit: int | None = None,
    served: MixServed = NOTHING_SERVED,
) -> list[QueueItem]:
    """Follow-ups best first, but every block keeps `warm_share` of its slots for warm leads
    (so hot ones do not starve them) and `nurture_share` for nurture. The first `limit`."""
    pending = sorted(items, key=lambda item: (-item.score, item.lead.id))
    taken = [False] * len(pending)
    cursors = {"any": 0, "warm": 0, "nurture": 0}
    wanted = {"any": lambda i: True, "warm": _is_warm, "nurture": lambda i: i.tier == Tier.NURTURE}

    def peek(kind: str) -> int | None:
        index = cursors[kind]
        while index < len(pending) and (taken[index] or not wanted[kind](pending[index])):
            index += 1
        cursors[kind] = index
        return index if index < len(pending) else None

    out: list[QueueItem] = []
    warm, nurture = served.warm, served.nurture
    while len(out) < (len(pending) if limit is None else min(limit, len(pending))):
        slot = served.slots + len(out) + 1
        index, share = peek("any"), None
        assert index is not None
        if (
            nurture < math.floor(nurture_share * slot + 1e-9)
            and pending[index].tier != Tier.NURTURE
        ):
            found = peek("nurture")
            if found is not None:
                index, share = found, f"nurture share {nurture_share:.0%}"
        warm_due = warm < math.floor(warm_share * slot + 1e-9) and not _is_warm(pending[index])
        if share is None and warm_due and (found := peek("warm")) is not None:
            index, share = found, f"warm share {warm_share:.0%}"
        taken[index] = True
        pick = pending[index]
        warm += _is_warm(pick)
        nurture += pick.tier == Tier.NURTURE
        out.append(replace(pick, reasons=(*pick.reasons, share)) if share else pick)
    return out


def _is_warm(item: QueueItem) -> bool:
    return item.tier == Tier.FOLLOW_UP and item.lead.temperature is Temperature.WARM


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
