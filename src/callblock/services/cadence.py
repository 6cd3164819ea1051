"""Keeping each lead's next due time in step with the cadence: a call step due sets
`next_due_at` (the queue's index reads it), a task step due (email, LinkedIn, SMS) sets
`task_due_at`, `task_step` and `task_channel` instead and leaves the queue alone."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from callblock.clock import iso, parse_iso
from callblock.config import Settings
from callblock.domain.cadence import (
    MAX_STEPS,
    Cadence,
    ScheduleError,
    next_due,
    next_step,
    parse_step,
)
from callblock.domain.compliance import CLOSED_STATUSES
from callblock.domain.weights import Weights
from callblock.services import ServiceError
from callblock.store import Store
from callblock.store.schedule import Scheduled, ScheduleRow

FINGERPRINT_KEY = "cadence"
SCHEDULE_KEY = "schedule"  # a single-user database's own schedule (the demo's), JSON
# The demo's schedule (issue 11): a call at once, an email an hour later, a call the next day,
# a LinkedIn note on day 3, calls on days 5 and 14 around a second email, the goodbye on day 15.
DEMO_SCHEDULE = (
    "call now",
    "email +1h",
    "call +1d",
    "linkedin day 3",
    "call day 5",
    "email day 7",
    "call day 14",
    "goodbye-email day 15",
)


def with_schedule(settings: Settings, schedule: Sequence[str]) -> Settings:
    steps = tuple(parse_step(text) for text in schedule)
    return replace(settings, cadence=replace(settings.cadence, steps=steps))


def with_database_schedule(store: Store, settings: Settings) -> Settings:
    """The settings with the database's own schedule when it keeps one (the demo database
    does) and the config file sets none of its own (its `[queue] schedule` wins)."""
    saved = store.admin.meta(SCHEDULE_KEY)
    if saved is None or settings.cadence.steps != Cadence().steps:
        return settings
    try:
        schedule = json.loads(saved)
        if not isinstance(schedule, list) or not schedule or len(schedule) > MAX_STEPS:
            raise ValueError("not a list of 1..100 steps")
        return with_schedule(settings, [str(text) for text in schedule])
    except (ValueError, ScheduleError) as error:
        raise ServiceError(f"{store.path}: the database's own schedule: {error}") from None


def due_time(row: ScheduleRow, settings: Settings, weights: Weights) -> str | None:
    """The lead's next call due as stored (UTC ISO), or None when no call is due any more."""
    return schedule_of(row, settings, weights).next_due_at


def schedule_of(row: ScheduleRow, settings: Settings, weights: Weights) -> Scheduled:
    """The lead's next step as stored: a call due (`next_due_at`) or a task due. Nothing for a
    closed lead or one that replied (the sequence is over); in nurture one call per period. A
    postponed task keeps its later time while it is the same step."""
    if row.status in CLOSED_STATUSES:
        return Scheduled(None)
    last_touch = parse_iso(row.last_touch_at) if row.last_touch_at else None
    created = parse_iso(row.created_at)
    zone = row.zone or settings.team_zone
    if row.status == "nurture":
        due = next_due(
            settings.cadence,
            attempts=row.steps_done,
            created_at=created,
            first_call_at=None,
            last_touch_at=last_touch,
            zone=zone,
            weekday_weights=weights.weekday,
            nurture=True,
        )
        return Scheduled(iso(due) if due else None)
    if row.replied:
        return Scheduled(None)
    step = next_step(
        settings.cadence,
        steps_done=row.steps_done,
        created_at=created,
        first_step_at=parse_iso(row.first_call_at) if row.first_call_at else None,
        last_touch_at=last_touch,
        zone=zone,
        weekday_weights=weights.weekday,
    )
    if step is None:
        return Scheduled(None)
    if step.step.is_call:
        return Scheduled(iso(step.due))
    task_due = iso(step.due)
    if row.task_step == step.index and row.task_due_at and parse_iso(row.task_due_at) > step.due:
        task_due = row.task_due_at  # postponed by a rep
    return Scheduled(None, task_due, step.index, step.step.channel)


def first_due(settings: Settings, created_at: datetime, zone: str) -> str | None:
    """When a new lead's first call is due (for bulk inserts, without a round trip); None when
    the schedule starts with a task (a refresh after the insert sets it: `refresh_due`)."""
    if not settings.cadence.steps[0].is_call:
        return None
    due = next_due(
        settings.cadence,
        attempts=0,
        created_at=created_at,
        first_call_at=None,
        last_touch_at=None,
        zone=zone,
        weekday_weights=settings.weights.weekday,
    )
    return iso(due) if due else None


def refresh_due(
    store: Store, settings: Settings, weights: Weights, lead_ids: Iterable[int] | None = None
) -> int:
    """Recompute the due times of some leads (all when `lead_ids` is None); returns how many."""
    rows = store.queue.schedule_rows(lead_ids)
    store.queue.set_schedules([(schedule_of(row, settings, weights), row.lead_id) for row in rows])
    return len(rows)


def cadence_fingerprint(settings: Settings) -> str:
    """What the stored due times depend on: the cadence and the zone of leads without one (the
    team's: a rep's own zone never enters it)."""
    return settings.cadence.fingerprint() + f"|{settings.team_zone}"


def ensure_due_times(store: Store, settings: Settings, weights: Weights) -> bool:
    """After the cadence in the config changed (or on a new database), recompute every lead's
    due time once. True when it did."""
    fingerprint = cadence_fingerprint(settings)
    if store.admin.meta(FINGERPRINT_KEY) == fingerprint:
        return False
    refresh_due(store, settings, weights)
    store.admin.set_meta(FINGERPRINT_KEY, fingerprint)
    return True
