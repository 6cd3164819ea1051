"""Report periods: whole days in the team's zone, as UTC bounds (DST-exact)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from callblock.domain.calling import zone_info
from callblock.domain.ranges import WINDOW, day_in_window

MAX_DAYS = 3660  # ten years: a longer range is a typo


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Period:
    """The days `first`..`last` (inclusive) in `zone`; `start`/`end` are their UTC bounds."""

    first: date
    last: date
    zone: str

    @property
    def start(self) -> datetime:
        return day_start(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1), self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def label(self) -> str:
        return self.first.isoformat() if self.first == self.last else f"{self.first} – {self.last}"


def day_start(day: date, zone: str) -> datetime:
    """Local midnight of `day` in `zone`, in UTC (a midnight skipped by DST maps forward)."""
    local = datetime.combine(day, time(0), tzinfo=zone_info(zone))
    # Round-trip through UTC so a non-existent local midnight lands on the real instant after it.
    return local.astimezone(UTC)


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(zone_info(zone)).date()


def parse_day(text: str, today: date, *, field: str) -> date:
    """A day from the command line or a filter: YYYY-MM-DD, `today`, `yesterday` or `-N`, in
    the window of domain.ranges."""
    value = text.strip().lower()
    try:
        if value == "today":
            day = today
        elif value == "yesterday":
            day = today - timedelta(days=1)
        elif value.startswith("-") and value[1:].isdigit():
            days = int(value[1:]) if len(value) <= 8 else None  # 7 digits: 27,000 years
            day = today - timedelta(days=days) if days is not None else date.min
        else:
            day = date.fromisoformat(value)
    except OverflowError:  # -N before year 1
        day = date.min
    except ValueError:
        raise PeriodError(
            f"{field}: {text[:60]!r} is not a day (YYYY-MM-DD, today, yesterday or -N)"
        ) from None
    if not day_in_window(day):
        raise PeriodError(f"{field}: {text[:60]!r} is outside {WINDOW}")
    return day


def make_period(
    *,
    today: date,
    zone: str,
    day: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> Period:
    """`day`, or `first`..`last` (either may be missing: a one-day range), default today."""
    if day is not None and (first is not None or last is not None):
        raise PeriodError("--date: give either --date or --from/--to, not both")
    if day is not None:
        one = parse_day(day, today, field="--date")
        return Period(one, one, zone)
    start = parse_day(first, today, field="--from") if first is not None else None
    stop = parse_day(last, today, field="--to") if last is not None else None
    start = start or stop or today
    stop = stop or start
    if stop < start:
        raise PeriodError(f"--to: {stop} is before --from {start}")
    if (stop - start).days >= MAX_DAYS:
        raise PeriodError(f"--from/--to: {start} to {stop} is longer than {MAX_DAYS} days")
    return Period(start, stop, zone)
