"""The rep's queue: the one function that decides lead order (`next_leads_for_rep`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from callblock.clock import iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, local_time
from callblock.domain.compliance import Refusal, check_hours, lead_window, may_call
from callblock.domain.models import Lead
from callblock.domain.priority import (
    NOTHING_SERVED,
    PROMISE_KINDS,
    MixServed,
    QueueItem,
    QueueRules,
    order_placed,
    place_lead,
    with_reasons,
)
from callblock.domain.weights import Weights
from callblock.services.learning import current_weights
from callblock.store import Store
from callblock.store.queue import DueGroup, QueueQuery

BREATHING = timedelta(minutes=1)  # an inbound lead's first minute (see fresh_weight)
LIMIT_MARGIN = 5  # extra candidates per tier, for leads a per-day call limit drops
FIRST_ASK = 3  # due leads read per group at first (see _asks_again)


def next_leads_for_rep(
    store: Store,
    settings: Settings,
    *,
    rep: str,
    now: datetime,
    limit: int = 20,
    exclude: Iterable[int] = (),
    weights: Weights | None = None,
    served: MixServed = NOTHING_SERVED,
    session_id: int | None = None,
) -> list[QueueItem]:
    """The leads `rep` should call at `now`, best first, each with its reasons.

    Each tier's query returns that tier's best `limit` (+ margin) in the order the domain
    scores them, so the first k of the result are the same for any limit >= k.
    """
    rules = settings.queue_rules(weights or current_weights(store, settings))
    with store.queue.reading():
        return _ranked(store, rules, rep, now, limit, exclude, served, session_id)


def _ranked(
    store: Store,
    rules: QueueRules,
    rep: str,
    now: datetime,
    limit: int,
    exclude: Iterable[int],
    served: MixServed,
    session_id: int | None,
) -> list[QueueItem]:
    query = QueueQuery(
        rep=rep,
        now=iso(now),
        places=callable_places(store.queue.lead_places(), now, rules),
        exclude=tuple(exclude),
        limit=limit + LIMIT_MARGIN,
        session_id=session_id,
    )
    promises = store.queue.due_promises(
        query,
        own_due_by=iso(now + rules.promise_lead),
        others_due_by=iso(now - rules.promise_grace),
    )
    candidates = store.queue.inbound_candidates(
        query, arrived_after=iso(now - rules.fresh_for), breathing_since=iso(now - BREATHING)
    )
    known = {lead.id for lead in candidates}
    candidates += store.queue.slim_leads(lead_id for lead_id in promises if lead_id not in known)
    groups = store.queue.due_groups(query)
    asks = dict.fromkeys(groups, first_ask(limit, len(groups), query.limit))
    asked = dict(asks)  # every group's ask so far
    due: dict[DueGroup, tuple[list[Lead], bool]] = {}
    calls: dict[int, int] = {}
    placed: dict[int, QueueItem | None] = {}  # each lead read, placed once (None: not callable)
    while True:
        due.update(
            store.queue.due_candidates(
                query,
                asks,
                fresh_since=iso(now - rules.fresh_for),
                spaced_before=iso(now - rules.spacing),
                max_attempts=rules.max_attempts,
            )
        )
        new = [
            lead
            for lead in candidates + [lead for leads, _full in due.values() for lead in leads]
            if lead.id not in placed
        ]
        limited = [
            lead.id
            for lead in new
            if lead_window(lead, rules.calling).max_calls_per_day is not None
        ]
        calls.update(dict.fromkeys(limited, 0))
        calls.update(store.queue.calls_since(limited, iso(now - timedelta(hours=24))))
        for lead in new:
            placed[lead.id] = place_lead(
                lead, promises.get(lead.id), now, rules, rep, calls.get(lead.id)
            )
        ranked = order_placed(
            [item for item in placed.values() if item is not None], rules, limit, served
        )
        asks = _asks_again(
            due, asked, ranked, query.limit, lambda lead: placed[lead.id] is not None
        )
        if not asks:
            break
        asked.update(asks)
    ranked = with_reasons(ranked, now, rules, rep)
    full = {lead.id: lead for lead in store.leads.leads_by_ids(item.lead.id for item in ranked)}
    return [replace(item, lead=full[item.lead.id]) for item in ranked]


def callable_places(
    places: Iterable[tuple[str, str]], now: datetime, rules: QueueRules
) -> dict[str, list[str]]:
    """Zones (as stored; '' means the team default) whose local time is inside the default or a
    regional window now, each with the regions in it whose window is closed now."""
    allowed: dict[str, list[str]] = {}
    closed: dict[str, list[str]] = {}
    for zone, region in places:
        try:
            local = local_time(now, zone or rules.default_zone)
        except UnknownZoneError:
            continue  # a lead with a zone nobody knows is never called at a guessed hour
        if rules.calling.window_for(region or None).allows(local):
            allowed.setdefault(zone, [])
        else:
            closed.setdefault(zone, []).append(region)
    return {zone: sorted(closed.get(zone, [])) for zone in allowed}


def recheck(
    store: Store, settings: Settings, item: QueueItem, *, rep: str, now: datetime
) -> QueueItem | None:
    """`item` with its lead as stored now, or None when it must not be called now after all
    (touched since, called by another rep, a promise moved, its calling hours closed)."""
    lead = store.leads.get_lead(item.lead.id)
    if lead is None:
        return None
    promises = [p for p in store.touches.open_promises(lead.id) if p.kind in PROMISE_KINDS]
    rules = settings.queue_rules(current_weights(store, settings))
    calls = calls_24h(store, settings, lead, now)
    promise = promises[0] if promises else None
    if place_lead(lead, promise, now, rules, rep, calls) is None:
        return None
    return replace(item, lead=lead)


def calls_24h(store: Store, settings: Settings, lead: Lead, now: datetime) -> int | None:
    """The lead's calls in the 24 hours before `now` where its region limits them (else None:
    not needed)."""
    if lead_window(lead, settings.calling).max_calls_per_day is None:
        return None
    return store.queue.calls_since([lead.id], iso(now - timedelta(hours=24))).get(lead.id, 0)


def call_refusal(store: Store, settings: Settings, lead: Lead, now: datetime) -> Refusal | None:
    """Why `lead` may not be called at `now` (None: it may), its calls of the day counted."""
    calls = calls_24h(store, settings, lead, now)
    return may_call(lead, now, settings.calling, settings.timezone, calls)


def hours_closed(lead: Lead, settings: Settings, now: datetime) -> Refusal | None:
    """The lead's calling hours are closed at `now` (or its zone is unknown): why; else None."""
    return check_hours(lead, now, settings.calling, settings.timezone)[0]


def still_callable(item: QueueItem, settings: Settings, now: datetime) -> bool:
    """The calling-window check repeated at the moment a lead is shown."""
    return hours_closed(item.lead, settings, now) is None


def first_ask(limit: int, groups: int, most: int) -> int:
    """Due leads read per group at first: twice each group's share of the list, at least
    FIRST_ASK (most groups are then read once; see _asks_again)."""
    return min(most, max(FIRST_ASK, math.ceil(2 * limit / max(groups, 1))))


def _asks_again(
    due: Mapping[DueGroup, tuple[list[Lead], bool]],
    asks: Mapping[DueGroup, int],
    ranked: list[QueueItem],
    most: int,
    placed: Callable[[Lead], bool],
) -> dict[DueGroup, int]:
    """The groups to read again, each with twice as many leads (at most `most`): those that may
    hold more (they had as many as asked, fewer than `most`) and whose last lead read made the
    list, or was dropped (its calling limit reached). Inside a group the score falls with the
    fit score, so once its last lead read is out of the list, none after it could be in: the
    list is the same as if every group had been read to `most` leads at once. (Doubling reads
    fewer rows than asking for `most` at once: on a busy floor a dozen groups read again.)"""
    chosen = {item.lead.id for item in ranked}
    again: dict[DueGroup, int] = {}
    for group, (leads, full) in due.items():
        ask = asks[group]
        if not full or ask >= most:
            continue
        last = leads[-1] if leads else None
        if last is None or last.id in chosen or not placed(last):
            again[group] = min(most, 2 * ask)
    return again
