"""Local time and the legal calling window at the called party's end.

US sales calls only 08:00-21:00 at the called party's local time (47 CFR 64.1200(c)(1)); some
states are stricter (Florida: 08:00-20:00 and at most 3 calls in 24 h). Windows are set per
region ("US-FL", or a country such as "DE"); the most specific one that matches a lead applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callblock.domain.ranges import ZONE_NAME_MAX


class UnknownZoneError(ValueError):
    pass


@lru_cache(maxsize=512)
def zone_info(name: str) -> ZoneInfo:
    if not name or len(name) > ZONE_NAME_MAX or not name.isprintable():
        raise UnknownZoneError(f"unknown time zone {name[:ZONE_NAME_MAX]!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name the OS refuses
        raise UnknownZoneError(f"unknown time zone {name!r}") from None


def local_time(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zone_info(zone))


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """Calls are allowed from `start` (inclusive) to `end` (exclusive), local time; at most
    `max_calls_per_day` calls in any 24 hours when set."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    max_calls_per_day: int | None = None

    def allows(self, local: datetime, lag_minutes: int = 0) -> bool:
        """Inside the window at `local`, and at `local` minus `lag_minutes` (a lead whose phone
        area spans zones: the clock of its westernmost zone)."""
        if not self.start <= local.time().replace(tzinfo=None) < self.end:
            return False
        if lag_minutes:
            west = (local - timedelta(minutes=lag_minutes)).time().replace(tzinfo=None)
            return self.start <= west < self.end
        return True


US_FEDERAL_WINDOW = CallingWindow()  # 47 CFR 64.1200(c)(1): 08:00-21:00 local
DEFAULT_REGION_WINDOWS: dict[str, CallingWindow] = {
    "US-FL": CallingWindow(time(8, 0), time(20, 0), max_calls_per_day=3),  # Fla. Stat. 501.616
}


@dataclass(frozen=True, slots=True)
class CallingRules:
    default: CallingWindow = US_FEDERAL_WINDOW
    regions: Mapping[str, CallingWindow] = field(
        default_factory=lambda: dict(DEFAULT_REGION_WINDOWS)
    )

    def window_for(self, region: str | None) -> CallingWindow:
        """The window of the most specific matching region: "US-FL", then "US", then default."""
        if region:
            if region in self.regions:
                return self.regions[region]
            country = region.split("-")[0]
            if country in self.regions:
                return self.regions[country]
        return self.default

    def allows(self, moment: datetime, zone: str, region: str | None, lag_minutes: int = 0) -> bool:
        return self.window_for(region).allows(local_time(moment, zone), lag_minutes)
