"""The ranges every value from outside must fall in, defined once (pure).

Dates of lead data (created, touches, callbacks, sessions), `--now`, `--week` and report or
export days lie in one window, 1970-01-01 .. 2100-12-31: the week plan, the zones and the cadence
add days and hours to them and must never run off the calendar. Ids fit SQLite's integer;
counts have sane caps (a typo must not run for hours).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2100, 12, 31)
WINDOW = f"{FIRST_DAY.year}-{LAST_DAY.year}"  # how messages name the window
# The window in the storage form (UTC ISO-8601): stored times t with START <= t < END are in it.
WINDOW_START = "1970-01-01T00:00:00+00:00"
WINDOW_END = "2101-01-01T00:00:00+00:00"

SQLITE_INT_MAX = 2**63 - 1  # ids (lead, touch) are SQLite integers
LIMIT_MAX = 10_000  # `queue --limit`, `leads --limit`
DEMO_LEADS_MAX = 1_000_000  # `demo --leads`
ZONE_NAME_MAX = 64  # the longest IANA zone name is 32 characters


class RangeError(ValueError):
    """A value outside its range; the message names the value and the range."""


def day_in_window(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def moment_in_window(moment: datetime) -> bool:
    """An aware time whose UTC day lies in the window (a naive one is read as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return day_in_window(moment.astimezone(UTC).date())
    except OverflowError:  # year 1 at a negative offset, year 9999 at a positive one
        return False


def check_day(day: date, text: str) -> date:
    """`day`, or RangeError naming `text` (what the user typed) and the window."""
    if not day_in_window(day):
        raise RangeError(f"{text} is outside {WINDOW}")
    return day


def check_moment(moment: datetime, text: str) -> datetime:
    """`moment`, or RangeError naming `text` and the window."""
    if not moment_in_window(moment):
        raise RangeError(f"{text} is outside {WINDOW}")
    return moment


def stored_in_window(value: object) -> bool:
    """A stored time (UTC ISO-8601 text) that parses and lies in the window."""
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment_in_window(moment)


def check_int(value: int, low: int, high: int, name: str) -> int:
    """`value`, or RangeError naming `name` and the range low..high."""
    if not low <= value <= high:
        raise RangeError(f"{name}: {value} is outside {low}..{high}")
    return value
