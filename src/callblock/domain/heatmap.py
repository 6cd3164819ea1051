"""Contact rate by weekday and hour of the lead's local time, and dials per day. Pure.

The store counts dials and contacts per (lead zone, 15-minute UTC slot); every zone's offset is
a multiple of 15 minutes, so a slot falls in exactly one local hour and the grid is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.figures import is_dial
from callblock.domain.models import Touch
from callblock.domain.outcomes import OUTCOME_BY_CODE

SLOT = timedelta(minutes=15)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MIN_DIALS = 5  # fewer dials in a cell than this says nothing about its rate
BEST_MIN_DIALS = 20  # a cell is named best (or worst) only with at least this many dials
# Shades from the lowest band to the highest: readable without colour (NO_COLOR, 16 colours).
SHADES = ("░", "▒", "▓", "█")
# Band edges as multiples of the map's overall contact rate.
BANDS = (0.75, 1.0, 1.25)


@dataclass(frozen=True, slots=True)
class SlotCount:
    zone: str  # the lead's zone as stored; "" means the team default
    slot: datetime  # UTC start of a 15-minute slot
    dials: int
    contacts: int


@dataclass(slots=True)
class HeatMap:
    """cells[weekday][hour] = [dials, contacts]; weekday 0 is Monday, hours are local."""

    cells: list[list[list[int]]] = field(
        default_factory=lambda: [[[0, 0] for _ in range(24)] for _ in range(7)]
    )

    @property
    def dials(self) -> int:
        return sum(cell[0] for row in self.cells for cell in row)

    @property
    def contacts(self) -> int:
        return sum(cell[1] for row in self.cells for cell in row)

    @property
    def overall_rate(self) -> float | None:
        return self.contacts / self.dials if self.dials else None

    def rate(self, weekday: int, hour: int) -> float | None:
        dials, contacts = self.cells[weekday][hour]
        return contacts / dials if dials >= MIN_DIALS else None

    def level(self, weekday: int, hour: int) -> int | None:
        """0..3 (SHADES) for a cell with enough dials, else None."""
        rate, overall = self.rate(weekday, hour), self.overall_rate
        if rate is None or not overall:
            return None
        return sum(rate >= overall * edge for edge in BANDS)

    def band_edges(self) -> tuple[float, ...]:
        """The contact rates where the shades change (for the legend)."""
        overall = self.overall_rate or 0.0
        return tuple(overall * edge for edge in BANDS)

    def extremes(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """(weekday, hour) of the best and worst cells of at least BEST_MIN_DIALS dials."""
        rated = [
            (contacts / dials, weekday, hour)
            for weekday in range(7)
            for hour in range(24)
            for dials, contacts in [self.cells[weekday][hour]]
            if dials >= BEST_MIN_DIALS
        ]
        if not rated:
            return None
        best = max(rated, key=lambda r: (r[0], -r[1], -r[2]))
        worst = min(rated, key=lambda r: (r[0], r[1], r[2]))
        return (best[1], best[2]), (worst[1], worst[2])


def slot_of(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def heat_map(slots: Iterable[SlotCount], default_zone: str) -> HeatMap:
    grid = HeatMap()
    for count in slots:
        try:
            local = count.slot.astimezone(zone_info(count.zone or default_zone))
        except UnknownZoneError:
            local = count.slot.astimezone(zone_info(default_zone))
        cell = grid.cells[local.weekday()][local.hour]
        cell[0] += count.dials
        cell[1] += count.contacts
    return grid


def slots_from_touches(touches: Iterable[Touch], zone_of: Callable[[int], str]) -> list[SlotCount]:
    """The store's aggregation done in Python (tests compare the two)."""
    counts: dict[tuple[str, datetime], list[int]] = {}
    for touch in touches:
        if not is_dial(touch):
            continue
        cell = counts.setdefault((zone_of(touch.lead_id), slot_of(touch.at)), [0, 0])
        cell[0] += 1
        cell[1] += OUTCOME_BY_CODE[touch.outcome].is_contact
    return [SlotCount(zone, slot, d, c) for (zone, slot), (d, c) in counts.items()]


def recent_days(last: date, weeks: int) -> list[date]:
    """The `weeks` * 7 days ending with `last` (the sparklines' x axis)."""
    return [last - timedelta(days=n) for n in range(weeks * 7 - 1, -1, -1)]
