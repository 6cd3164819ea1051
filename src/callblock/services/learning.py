"""Weights that learn: the team's contact rates by weekday and local hour, blended with the
published priors (see domain/weights.py for the formula). Learning reads the whole log, so it
runs at most once an hour and the result is kept in the database for the queue to read."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, local_time
from callblock.domain.weights import BlendedWeight, Tally, Weights, blend, learned_weights
from callblock.store import Store

WEIGHTS_KEY = "learned_weights"
RELEARN_AFTER = timedelta(hours=1)
MAX_COUNT = 2**63 - 1  # a tally is a sum SQLite made: never more


@dataclass(frozen=True, slots=True)
class Learned:
    weights: Weights  # what the queue and the planner use
    weekday: list[BlendedWeight]  # prior, observed and blended, Mon..Sun
    hour: list[BlendedWeight]
    dials: int
    contacts: int
    at: datetime | None


def current_weights(store: Store, settings: Settings) -> Weights:
    """The last learned weights (cheap: one row), else the priors."""
    data = read_saved(store.admin.meta(WEIGHTS_KEY))
    if data is None or not _same_priors(data, settings):
        return settings.weights  # none, unreadable, or the config's priors changed: relearn
    return Weights(tuple(data["weekday"]), tuple(data["hour"]))


def learn(store: Store, settings: Settings, clock: Clock, *, force: bool = False) -> Learned:
    """Tally the log, blend with the priors, save; reuses a result younger than an hour."""
    now = clock.now()
    data = None if force else read_saved(store.admin.meta(WEIGHTS_KEY))
    if data is not None and _same_priors(data, settings):
        at = parse_iso(data["at"])
        if timedelta(0) <= now - at < RELEARN_AFTER:  # a time ahead of now is not fresh
            return _from_tallies(settings, data["tallies"], at)
    tallies = tally_log(store, settings)
    learned = _from_tallies(settings, tallies, now)
    store.admin.set_meta(
        WEIGHTS_KEY,
        json.dumps(
            {
                "at": iso(now),
                "weekday": list(learned.weights.weekday),
                "hour": list(learned.weights.hour),
                "priors": [list(settings.weights.weekday), list(settings.weights.hour)],
                "tallies": tallies,
            }
        ),
    )
    return learned


def read_saved(saved: object) -> dict[str, Any] | None:
    """The saved row as written by `learn`, or None when it is absent or not readable as one
    (another tool, a bug: any type, any JSON, NaN): a cache, so treated as never written."""
    if not saved or not isinstance(saved, str | bytes):  # SQLite may hold any type
        return None
    try:
        data = json.loads(saved)
        if not isinstance(data, dict) or not isinstance(data.get("at"), str):
            return None
        parse_iso(data["at"])
    except (TypeError, ValueError, OverflowError):  # not JSON, not UTF-8, not a time
        return None
    tallies = data.get("tallies")
    priors = data.get("priors")
    good = (
        _weights(data.get("weekday"), 7)
        and _weights(data.get("hour"), 24)
        and isinstance(priors, list)
        and len(priors) == 2
        and _weights(priors[0], 7)
        and _weights(priors[1], 24)
        and isinstance(tallies, dict)
        and _tallies(tallies.get("weekday"), 7)
        and _tallies(tallies.get("hour"), 24)
    )
    return data if good else None


def _weights(value: object, length: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) == length
        and all(_number(w) and math.isfinite(w) and w >= 0 for w in value)
    )


def _tallies(value: object, length: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) == length
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(type(n) is int and 0 <= n <= MAX_COUNT for n in pair)
            for pair in value
        )
    )


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_priors(data: dict[str, Any], settings: Settings) -> bool:
    return data["priors"] == [list(settings.weights.weekday), list(settings.weights.hour)]


def tally_log(store: Store, settings: Settings) -> dict[str, list[list[int]]]:
    """Dials and contacts by the lead's local weekday and hour: {"weekday": [[d, c] x 7],
    "hour": [[d, c] x 24]}."""
    weekday = [[0, 0] for _ in range(7)]
    hour = [[0, 0] for _ in range(24)]
    for zone, utc_hour, dials, contacts in store.queue.dial_tallies():
        try:
            moment = datetime.fromisoformat(utc_hour + ":00:00").replace(tzinfo=UTC)
            local = local_time(moment, zone or settings.timezone)
        except (UnknownZoneError, ValueError):  # ValueError: a stored time that is not one
            continue
        for slot in (weekday[local.weekday()], hour[local.hour]):
            slot[0] += dials
            slot[1] += contacts
    return {"weekday": weekday, "hour": hour}


def _from_tallies(
    settings: Settings, tallies: dict[str, list[list[int]]], at: datetime | None
) -> Learned:
    by_weekday = {i: Tally(d, c) for i, (d, c) in enumerate(tallies["weekday"]) if d}
    by_hour = {i: Tally(d, c) for i, (d, c) in enumerate(tallies["hour"]) if d}
    priors, strength = settings.weights, settings.prior_dials
    totals: defaultdict[str, int] = defaultdict(int)
    for d, c in tallies["weekday"]:
        totals["dials"] += d
        totals["contacts"] += c
    return Learned(
        weights=learned_weights(priors, by_weekday, by_hour, strength),
        weekday=blend(priors.weekday, by_weekday, strength),
        hour=blend(priors.hour, by_hour, strength),
        dials=totals["dials"],
        contacts=totals["contacts"],
        at=at,
    )
