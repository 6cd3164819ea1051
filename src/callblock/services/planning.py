"""The week plan for a rep: blocks from the config's rules, due calls placed in them, and what
the rep did in the blocks that have started."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import local_time, zone_info
from callblock.domain.models import Tier
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.planning import (
    DueCall,
    PlannedBlock,
    due_call,
    plan_week,
    week_blocks,
    week_start,
)
from callblock.services.learning import Learned, learn
from callblock.store import Store
from callblock.store.schedule import PlannedCalls

DEFAULT_CONTACT_RATE = 0.15  # before the log has contacts to learn from
CONTACT_CODES = tuple(o.code for o in OUTCOMES if o.is_contact)
DIAL_CODES = tuple(o.code for o in OUTCOMES if o.is_dial)


@dataclass(frozen=True, slots=True)
class DueToday:
    promises: int  # the rep's callbacks and meetings due today
    overdue_promises: int
    follow_ups: int  # due by the end of today, backlog included
    inbound: int  # fresh inbound leads waiting for their first call
    goodbyes: int  # goodbye touches owed to leads moving to nurture
    tasks: int = 0  # the cadence's emails, LinkedIn notes and texts due now (the Tasks screen)


@dataclass(frozen=True, slots=True)
class WeekPlan:
    monday: date
    zone: str
    blocks: list[PlannedBlock]
    learned: Learned
    contact_rate: float
    today: DueToday
    over_capacity: int = 0  # due calls this week's blocks have no room for


def week_plan(
    store: Store, settings: Settings, clock: Clock, *, rep: str, day: date | None = None
) -> WeekPlan:
    now = clock.now()
    zone = settings.timezone
    tz = zone_info(zone)
    monday = week_start(day or local_time(now, zone).date())
    start = datetime.combine(monday, time(0, 0), tzinfo=tz)
    end = start + timedelta(days=7)
    tomorrow = datetime.combine(local_time(now, zone).date(), time(0, 0), tzinfo=tz)
    tomorrow += timedelta(days=1)
    learned = learn(store, settings, clock)
    rate = learned.contacts / learned.dials if learned.contacts else DEFAULT_CONTACT_RATE
    # a later week is planned as from its Monday: what is due by then is its backlog
    moment = max(now, start)
    slack = settings.cadence.slack_days
    follow_ups = store.queue.planned_follow_ups(rep, iso(now), iso(max(end, tomorrow)))
    waiting = store.queue.waiting_counts(
        rep, iso(now - timedelta(hours=settings.fresh_hours)), iso(now)
    )
    calls = [
        due_call(c.kind, parse_iso(c.due_at), moment, c.zone or zone, tz, slack, c.count)
        for c in [*store.queue.planned_promises(rep, iso(start), iso(end)), *follow_ups]
        if c.due_at < iso(end)
    ]
    if start <= now < end and waiting["inbound"]:
        calls.append(DueCall(Tier.INBOUND, now, now, zone, waiting["inbound"]))
    blocks = week_blocks(settings.blocks, monday, zone)
    planned = plan_week(blocks, calls, learned.weights, rate, moment)
    done = [_with_done(store, rep, p, now) for p in planned.blocks]
    today = _due_today(store, rep, now, tomorrow, follow_ups, waiting)
    return WeekPlan(monday, zone, done, learned, rate, today, planned.over_capacity)


def _with_done(store: Store, rep: str, planned: PlannedBlock, now: datetime) -> PlannedBlock:
    block = planned.block
    if block.start > now:
        return planned
    dials, contacts = store.queue.rep_dials(
        rep, iso(block.start), iso(min(block.end, now)), CONTACT_CODES, DIAL_CODES
    )
    return replace(planned, done_dials=dials, done_contacts=contacts)


def _due_today(
    store: Store,
    rep: str,
    now: datetime,
    tomorrow: datetime,
    follow_ups: list[PlannedCalls],
    waiting: dict[str, int],
) -> DueToday:
    promises = store.queue.planned_promises(rep, iso(tomorrow - timedelta(days=366)), iso(tomorrow))
    return DueToday(
        promises=sum(c.count for c in promises),
        overdue_promises=sum(c.count for c in promises if c.due_at < iso(now)),
        follow_ups=sum(c.count for c in follow_ups if c.due_at < iso(tomorrow)),
        inbound=waiting["inbound"],
        goodbyes=waiting["goodbye"],
        tasks=waiting["tasks"],
    )
