"""The rep's queue: the one function that decides lead order (`next_leads_for_rep`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from callblock.clock import iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, local_time
from callblock.domain.priority import PROMISE_LEAD, QueueItem, rank_leads
from callblock.store import Store


def next_leads_for_rep(
    store: Store,
    settings: Settings,
    *,
    rep: str,
    now: datetime,
    limit: int = 20,
    exclude: Iterable[int] = (),
) -> list[QueueItem]:
    """The leads `rep` should call at `now`, best first, each with its reasons."""
    rules = settings.queue_rules()
    skip = set(exclude)
    zones = callable_zones(store.lead_zones(), now, settings)
    promises = store.due_promises(
        due_before=iso(now + PROMISE_LEAD), zones=zones, limit=limit, exclude=skip
    )
    candidates = store.queue_candidates(
        zones=zones,
        arrived_by=iso(now),
        spaced_before=iso(now - rules.spacing),
        max_attempts=rules.max_attempts,
        limit=limit,
        exclude=skip,
    )
    known = {lead.id for lead in candidates}
    candidates += store.leads_by_ids(lead_id for lead_id in promises if lead_id not in known)
    return rank_leads(candidates, promises, now, rules)[:limit]


def callable_zones(zones: Iterable[str], now: datetime, settings: Settings) -> list[str]:
    """The zones (as stored; '' means the team default) whose local time is inside the window."""
    allowed = []
    for zone in zones:
        try:
            if settings.window.allows(local_time(now, zone or settings.timezone)):
                allowed.append(zone)
        except UnknownZoneError:
            continue  # a lead with a zone nobody knows is never called at a guessed hour
    return allowed
