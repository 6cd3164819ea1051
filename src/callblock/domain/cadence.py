"""The attempt schedule: when each call attempt on a lead is due.

Default (Velocify, 3.5 M leads; DESIGN.md): attempt 1 at once, 2 after 30-60 min, 3 after 1-2 h,
4 on day 5, 5 on day 14, 6 on day 15; then the lead moves to long-term nurture.

Steps are written as "now", "+30m" / "+2h" / "+3d" (after the previous step) or "day 5"
(counting the day of the first step as day 1, in the lead's zone). A "day N" step is flexible:
it may move up to `slack_days` later, to the day with the best contact weight, so follow-ups
gather on Wednesdays and Thursdays. Promises and fresh leads are never moved.

A step may name its channel first: "email +1h", "linkedin day 3", "sms +2d",
"goodbye-email day 15" (the goodbye message: once it is done the lead moves to long-term
nurture). A bare step, or "call ...", is a call: call steps feed the power hour's queue, the
others become tasks due (services/tasks.py). A call-only schedule reads as it always did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from callblock.domain.calling import zone_info

_STEP = re.compile(r"^(?:(now)|\+(\d+)\s*([mhd])|day\s+(\d+))$")
_CHANNEL = re.compile(r"^(goodbye-)?([a-z]+)\s+(.*)$")
CALL = "call"
TASK_CHANNELS = ("email", "linkedin", "sms")  # steps that are tasks, not dials
STEP_CHANNELS = (CALL, *TASK_CHANNELS)
# What a touch on a task's channel may record (`callblock log --channel email --outcome ...`):
# sent, done and skipped complete the step; a reply ends the sequence; a bounce is noted.
ADVANCING = ("sent", "done", "skipped")
REPLIED = "replied"
TASK_OUTCOMES = (*ADVANCING, REPLIED, "bounced")
TASKS_MAX = 1000  # `callblock tasks --limit`
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}
DEFAULT_STEPS = ("now", "+30m", "+1h", "day 5", "day 14", "day 15")
MAX_STEPS = 100  # [queue] schedule
MAX_STEP_DAYS = 3650  # "day N" and "+Nd": ten years is far enough for any follow-up


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    after_minutes: int | None = None  # "+30m": after the previous step
    day: int | None = None  # "day 5": on the 5th day counting the first step's day
    channel: str = CALL  # "call", "email", "linkedin" or "sms"
    goodbye: bool = False  # the goodbye message: the last touch before long-term nurture

    @property
    def is_call(self) -> bool:
        return self.channel == CALL


def parse_step(text: str) -> Step:
    """A step, its channel first or a call; "day N" and "+N" at most MAX_STEP_DAYS away (a
    date must stay a date)."""
    shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
    words = text.strip().lower()
    channel, goodbye = CALL, False
    named = _CHANNEL.match(words)
    if named and named.group(2) != "day":
        goodbye, channel, words = bool(named.group(1)), named.group(2), named.group(3).strip()
    match = _STEP.match(words)
    if not match:
        raise ScheduleError(
            f"{shown} is not a step like 'now', '+30m', '+1h', '+2d', 'day 5', 'email +1h' or "
            "'goodbye-email day 15'"
        )
    if channel not in STEP_CHANNELS:
        known = ", ".join(STEP_CHANNELS)
        raise ScheduleError(f"{shown}: unknown channel {channel!r} (known: {known})")
    if goodbye and channel == CALL:
        raise ScheduleError(f"{shown}: a goodbye is a message (goodbye-email, -linkedin, -sms)")
    step = _timing(text, match.groups(), shown)
    return replace(step, channel=channel, goodbye=goodbye)


def _timing(text: str, groups: Sequence[str | None], shown: str) -> Step:
    now, amount, unit, day = groups
    if now:
        return Step(text, after_minutes=0)
    number = day or amount or ""
    too_far = f"{shown}: at most {MAX_STEP_DAYS} days ahead"
    if len(number) > 9:  # int() of thousands of digits is refused; this is too far anyway
        raise ScheduleError(too_far)
    if day:
        if int(day) < 1:
            raise ScheduleError(f"{shown}: days count from 1")
        if int(day) > MAX_STEP_DAYS:
            raise ScheduleError(too_far)
        return Step(text, day=int(day))
    minutes = int(number) * _UNIT_MINUTES[unit or "m"]
    if minutes > MAX_STEP_DAYS * _UNIT_MINUTES["d"]:
        raise ScheduleError(too_far)
    return Step(text, after_minutes=minutes)


@dataclass(frozen=True, slots=True)
class Cadence:
    steps: tuple[Step, ...] = tuple(parse_step(s) for s in DEFAULT_STEPS)
    spacing: timedelta = timedelta(minutes=30)  # never two touches closer than this
    slack_days: int = 2  # how far a "day N" step may move to a better-weighted day
    nurture_every: timedelta = timedelta(days=30)  # one call per period in long-term nurture

    @property
    def max_attempts(self) -> int:
        """The steps of the schedule, over every channel (a call-only one: its calls)."""
        return len(self.steps)

    @property
    def calls(self) -> int:
        """The schedule's call steps (the power hour's attempts)."""
        return sum(step.is_call for step in self.steps)

    @property
    def has_tasks(self) -> bool:
        return any(not step.is_call for step in self.steps)

    def fingerprint(self) -> str:
        """Changes whenever a stored due time would change."""
        parts = [s.text for s in self.steps]
        parts += [str(self.spacing), str(self.slack_days), str(self.nurture_every)]
        return "|".join(parts)


def best_day(first: date, slack_days: int, weekday_weights: Sequence[float]) -> date:
    """The day in [first, first + slack] with the highest weekday weight (earliest on a tie)."""
    days = [first + timedelta(days=offset) for offset in range(slack_days + 1)]
    return max(days, key=lambda day: (weekday_weights[day.weekday()], -day.toordinal()))


def next_due(
    cadence: Cadence,
    *,
    attempts: int,
    created_at: datetime,
    first_call_at: datetime | None,
    last_touch_at: datetime | None,
    zone: str,
    weekday_weights: Sequence[float],
    nurture: bool = False,
) -> datetime | None:
    """When the lead's next call attempt is due (UTC), or None when its attempts are used up.

    In nurture the schedule is done and one call is due every `nurture_every`.
    """
    if nurture:
        return (last_touch_at or created_at) + cadence.nurture_every
    if attempts >= cadence.max_attempts:
        return None
    step = cadence.steps[attempts]
    previous = last_touch_at or created_at
    if step.after_minutes is not None:
        due = previous + timedelta(minutes=step.after_minutes) if attempts else created_at
    else:
        assert step.day is not None
        tz = zone_info(zone)
        first_day = (first_call_at or previous).astimezone(tz).date()
        nominal = first_day + timedelta(days=step.day - 1)
        day = best_day(nominal, cadence.slack_days, weekday_weights)
        due = datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(created_at.tzinfo)
    if last_touch_at is not None:
        due = max(due, last_touch_at + cadence.spacing)
    return due


@dataclass(frozen=True, slots=True)
class DueStep:
    """The lead's next step: its index in the schedule, the step, and when it is due (UTC)."""

    index: int
    step: Step
    due: datetime


def next_step(
    cadence: Cadence,
    *,
    steps_done: int,
    created_at: datetime,
    first_step_at: datetime | None,
    last_touch_at: datetime | None,
    zone: str,
    weekday_weights: Sequence[float],
) -> DueStep | None:
    """The lead's next step on any channel and when it is due, or None when the schedule is
    done (the lead's nurture is not this function's: see `next_due`)."""
    due = next_due(
        cadence,
        attempts=steps_done,
        created_at=created_at,
        first_call_at=first_step_at,
        last_touch_at=last_touch_at,
        zone=zone,
        weekday_weights=weekday_weights,
    )
    if due is None:
        return None
    return DueStep(steps_done, cadence.steps[steps_done], due)
