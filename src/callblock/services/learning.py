"""Weights that learn: the team's contact rates by weekday and local hour, blended with the
published priors (see domain/weights.py for the formula). Learning reads the whole log, so it
runs at most once an hour and the result is kept in the database for the queue to read."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import UnknownZoneError, local_time
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.weights import BlendedWeight, Tally, Weights, blend, learned_weights
from callblock.store import Store

WEIGHTS_KEY = "learned_weights"
RELEARN_AFTER = timedelta(hours=1)


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
    saved = store.meta(WEIGHTS_KEY)
    if not saved:
        return settings.weights
    data = json.loads(saved)
    if data.get("priors") != [list(settings.weights.weekday), list(settings.weights.hour)]:
        return settings.weights  # the config's priors changed since: relearn first
    return Weights(tuple(data["weekday"]), tuple(data["hour"]))


def learn(store: Store, settings: Settings, clock: Clock, *, force: bool = False) -> Learned:
    """Tally the log, blend with the priors, save; reuses a result younger than an hour."""
    now = clock.now()
    saved = store.meta(WEIGHTS_KEY)
    if saved and not force:
        data = json.loads(saved)
        fresh = now - parse_iso(data["at"]) < RELEARN_AFTER
        same_priors = data.get("priors") == [
            list(settings.weights.weekday),
            list(settings.weights.hour),
        ]
        if fresh and same_priors:
            return _from_tallies(settings, data["tallies"], parse_iso(data["at"]))
    tallies = tally_log(store, settings)
    learned = _from_tallies(settings, tallies, now)
    store.set_meta(
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


def tally_log(store: Store, settings: Settings) -> dict[str, list[list[int]]]:
    """Dials and contacts by the lead's local weekday and hour: {"weekday": [[d, c] x 7],
    "hour": [[d, c] x 24]}."""
    contact = [o.code for o in OUTCOMES if o.is_contact]
    dial = [o.code for o in OUTCOMES if o.is_dial]
    weekday = [[0, 0] for _ in range(7)]
    hour = [[0, 0] for _ in range(24)]
    for zone, utc_hour, dials, contacts in store.dial_tallies(contact, dial):
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
    totals = defaultdict(int)
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
