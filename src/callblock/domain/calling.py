"""Local time and the legal calling window at the called party's end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class UnknownZoneError(ValueError):
    pass


@lru_cache(maxsize=512)
def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZoneError(f"unknown time zone {name!r}") from None


def local_time(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zone_info(zone))


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """Calls are allowed from `start` (inclusive) to `end` (exclusive), local time."""

    start: time = time(8, 0)
    end: time = time(21, 0)

    def allows(self, local: datetime) -> bool:
        return self.start <= local.time().replace(tzinfo=None) < self.end


US_FEDERAL_WINDOW = CallingWindow()  # 47 CFR 64.1200(c)(1): 08:00-21:00 local
