"""Keeping each lead's next due time in step with the cadence (the queue's index reads it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from callblock.clock import iso, parse_iso
from callblock.config import Settings
from callblock.domain.cadence import next_due
from callblock.domain.compliance import CLOSED_STATUSES
from callblock.domain.weights import Weights
from callblock.store import Store
from callblock.store.schedule import ScheduleRow

FINGERPRINT_KEY = "cadence"


def due_time(row: ScheduleRow, settings: Settings, weights: Weights) -> str | None:
    """The lead's next due time as stored (UTC ISO), or None when nothing is due any more."""
    if row.status in CLOSED_STATUSES:
        return None
    due = next_due(
        settings.cadence,
        attempts=row.attempts,
        created_at=parse_iso(row.created_at),
        first_call_at=parse_iso(row.first_call_at) if row.first_call_at else None,
        last_touch_at=parse_iso(row.last_touch_at) if row.last_touch_at else None,
        zone=row.zone or settings.team_zone,
        weekday_weights=weights.weekday,
        nurture=row.status == "nurture",
    )
    return iso(due) if due else None


def first_due(settings: Settings, created_at: datetime, zone: str) -> str | None:
    """When a new lead's first call is due (for bulk inserts, without a round trip)."""
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
    rows = store.schedule_rows(lead_ids)
    store.set_due_times([(due_time(row, settings, weights), row.lead_id) for row in rows])
    return len(rows)


def cadence_fingerprint(settings: Settings) -> str:
    """What the stored due times depend on: the cadence and the zone of leads without one (the
    team's: a rep's own zone never enters it)."""
    return settings.cadence.fingerprint() + f"|{settings.team_zone}"


def ensure_due_times(store: Store, settings: Settings, weights: Weights) -> bool:
    """After the cadence in the config changed (or on a new database), recompute every lead's
    due time once. True when it did."""
    fingerprint = cadence_fingerprint(settings)
    if store.meta(FINGERPRINT_KEY) == fingerprint:
        return False
    refresh_due(store, settings, weights)
    store.set_meta(FINGERPRINT_KEY, fingerprint)
    return True
