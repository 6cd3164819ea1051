"""The week plan for a rep: blocks from the config's rules, due calls placed in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import local_time, zone_info
from callblock.domain.planning import DueCall, PlannedBlock, plan_week, week_blocks, week_start
from callblock.services.learning import Learned, learn
from callblock.store import Store

DEFAULT_CONTACT_RATE = 0.15  # before the log has contacts to learn from


@dataclass(frozen=True, slots=True)
class DueToday:
    promises: int  # the rep's callbacks and meetings due today
    overdue_promises: int
    follow_ups: int  # due by the end of today, backlog included
    inbound: int  # fresh inbound leads waiting for their first call
    goodbyes: int  # goodbye touches owed to leads moving to nurture


@dataclass(frozen=True, slots=True)
class WeekPlan:
    monday: date
    zone: str
    blocks: list[PlannedBlock]
    learned: Learned
    contact_rate: float
    today: DueToday


def week_plan(
    store: Store, settings: Settings, clock: Clock, *, rep: str, day: date | None = None
) -> WeekPlan:
    now = clock.now()
    zone = settings.timezone
    tz = zone_info(zone)
    monday = week_start(day or local_time(now, zone).date())
    start = datetime.combine(monday, time(0, 0), tzinfo=tz)
    end = start + timedelta(days=7)
    learned = learn(store, settings, clock)
    rate = learned.contacts / learned.dials if learned.contacts else DEFAULT_CONTACT_RATE
    calls = []
    for call in store.planned_calls(rep, iso(start), iso(end)):
        due = parse_iso(call.due_at)
        if call.kind == "promise":
            latest = due
        else:
            day_end = datetime.combine(local_time(due, zone).date(), time(23, 59), tzinfo=tz)
            latest = day_end
        calls.append(DueCall(call.lead_id, call.kind, due, latest, call.zone or zone))
    blocks = week_blocks(settings.blocks, monday, zone)
    planned = plan_week(blocks, calls, learned.weights, rate, now)
    return WeekPlan(monday, zone, planned, learned, rate, _due_today(store, settings, rep, now))


def _due_today(store: Store, settings: Settings, rep: str, now: datetime) -> DueToday:
    zone = settings.timezone
    tz = zone_info(zone)
    today = datetime.combine(local_time(now, zone).date(), time(0, 0), tzinfo=tz)
    tomorrow = today + timedelta(days=1)
    calls = store.planned_calls(rep, iso(today - timedelta(days=365)), iso(tomorrow))
    promises = [c for c in calls if c.kind == "promise"]
    waiting = store.waiting_counts(rep, iso(now - timedelta(hours=settings.fresh_hours)), iso(now))
    return DueToday(
        promises=len(promises),
        overdue_promises=sum(c.due_at < iso(now) for c in promises),
        follow_ups=sum(c.kind == "follow-up" for c in calls),
        inbound=waiting["inbound"],
        goodbyes=waiting["goodbye"],
    )
