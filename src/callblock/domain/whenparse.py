"""Plain-words times for callbacks and meetings: "thu 3pm", "tomorrow 10:30", "in 2 days"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from callblock.domain.ranges import WINDOW, moment_in_window


class WhenParseError(ValueError):
    pass


_RELATIVE = re.compile(
    r"^in\s+(?P<count>\d+|an?|one)\s*(?P<unit>m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)"
    r"(?:\s+(?:at\s+)?(?P<rest>.+))?$"
)
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DEFAULT_HOUR = 9  # a date without a time means 09:00 local
_TIME_ONLY = re.compile(r"^(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:am|pm|a|p)?$")


def parse_when(text: str, now: datetime) -> datetime:
    """A future moment from plain words, relative to `now` (aware, in the rep's zone).

    Returns an aware datetime in now's zone. Raises WhenParseError for anything unparseable, in
    the past, or outside the years of domain.ranges.
    """
    words = " ".join(text.lower().replace(",", " ").split()).removeprefix("next ")
    if not words:
        raise WhenParseError("type a time, e.g. 'thu 3pm', 'tomorrow 10:30', 'in 2 days'")
    try:
        moment = _parse(words, now)
        if moment <= now and _TIME_ONLY.match(words):
            moment += timedelta(days=1)  # "3pm" said at 4pm means tomorrow at 3pm
    except WhenParseError:
        raise
    except (OverflowError, ValueError):  # "in 99999999999 days", a 5,000-digit count
        raise WhenParseError(f"{words[:40]!r} is outside {WINDOW}") from None
    if not moment_in_window(moment):
        raise WhenParseError(f"{moment.date().isoformat()} is outside {WINDOW}")
    if moment <= now:
        raise WhenParseError(f"{moment:%a %d %b %H:%M} is in the past")
    return moment


def _parse(words: str, now: datetime) -> datetime:
    relative = _RELATIVE.match(words)
    if relative:
        raw = relative["count"]
        count = 1 if raw in ("a", "an", "one") else int(raw)
        unit = _UNIT[relative["unit"][0]]
        moment = now + timedelta(**{unit: count})
        if relative["rest"]:
            return _at_time_of_day(relative["rest"], moment)
        if unit in ("days", "weeks"):
            return moment
        return moment.replace(second=0, microsecond=0)
    first, _, rest = words.partition(" ")
    if first in _DAY_WORDS:
        day = now + timedelta(days=_DAY_WORDS[first])
        if not rest:
            return day.replace(hour=_DEFAULT_HOUR, minute=0, second=0, microsecond=0)
        return _at_time_of_day(rest.removeprefix("at "), day)
    return _dateutil(words, now)


def _at_time_of_day(words: str, day: datetime) -> datetime:
    base = day.replace(hour=0, minute=0, second=0, microsecond=0)
    parsed = _dateutil(words, base, weekday_roll=False)
    return base.replace(hour=parsed.hour, minute=parsed.minute)


def _dateutil(words: str, now: datetime, weekday_roll: bool = True) -> datetime:
    from dateutil import parser  # lazy: ~45 ms at import

    default = now.replace(hour=_DEFAULT_HOUR, minute=0, second=0, microsecond=0)
    try:
        moment = parser.parse(words, default=default.replace(tzinfo=None), fuzzy=False)
    except (ValueError, OverflowError):
        raise WhenParseError(f"cannot read {words!r} as a time") from None
    moment = moment.replace(tzinfo=now.tzinfo) if moment.tzinfo is None else moment
    moment = moment.astimezone(now.tzinfo)
    if weekday_roll and moment <= now and any(w in words for w in _WEEKDAYS):
        moment += timedelta(days=7)  # "thu 3pm" said on Thursday at 4pm means next Thursday
    return moment
