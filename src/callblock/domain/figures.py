"""The team lead's per-rep figures, computed from the touches of a period. Pure.

Definitions (README "Reviewing the team" and the in-app help say the same):
- dial: a call touch that was not undone; undone touches never count anywhere.
- contact: a dial that reached the lead itself (connected, callback, meeting, not interested,
  do not call; a gatekeeper is not a contact). contact rate = contacts / dials.
- conversation: a contact that went somewhere (connected, callback, meeting); a refusal
  (not interested, do not call) is a contact but not a conversation.
- callbacks set: dials with the callback outcome. callbacks kept: callback promises owned by the
  rep and due in the period that a dial by anyone closed within the grace window (from
  PROMISE_LEAD before the promised time to CALLBACK_GRACE after it).
- average attempts: over the distinct leads the rep dialed, the lead's attempt number (its call
  attempts by anyone, all time) at the rep's last dial on it in the period.
- first-dial minutes: for each lead whose first call ever falls in the period, minutes from its
  arrival to that call, credited to the rep who made it; the median per rep.
- dials per hour: dials made in sessions / hours of those sessions, each session clipped to the
  period; a session never ended (the app was killed) ends at its last dial. Shown only once the
  sessions add up to PACE_AFTER (15 minutes): a pace over a few minutes means nothing.
- callbacks set: once per promise; a callback dial that moves a callback the lead still had
  open (see `reschedules`) sets no new one.
- reps: the team's reps when the database has a team, plus anyone with a dial, a session or a
  promise due in the period (the same set whatever the review's filters).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from callblock.domain.models import Channel, PromiseKind, PromiseState, Touch
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.priority import PROMISE_LEAD

CALLBACK_GRACE = timedelta(minutes=30)
PACE_AFTER = timedelta(minutes=15)  # dials per hour (and the session's pace) only after this
CONVERSATION_OUTCOMES = frozenset({"connected", "callback", "meeting"})
TEAM = "(team)"  # the label of the row that sums every rep

# The public JSON/CSV fields of `callblock report`, in order.
REPORT_FIELDS = (
    "rep",
    "dials",
    "contacts",
    "contact_rate",
    "conversations",
    "meetings",
    "callbacks_set",
    "callbacks_kept",
    "avg_attempts",
    "first_dial_minutes_median",
    "dials_per_hour",
)


class Call(NamedTuple):
    """A call that counts, as the figures need it (the store's fast path for a day's report;
    a Touch has the same attributes and works as well)."""

    id: int
    lead_id: int
    rep: str
    at: datetime
    outcome: str
    session_id: int | None
    undone: bool = False
    channel: Channel = Channel.CALL


AnyTouch = Touch | Call
DIAL_CODES = frozenset(o.code for o in OUTCOMES if o.is_dial)
CONTACT_CODES = frozenset(o.code for o in OUTCOMES if o.is_contact)


@dataclass(frozen=True, slots=True)
class LeadBaseline:
    """What the period's touches cannot tell about a lead: its arrival and earlier attempts."""

    lead_id: int
    created_at: datetime | None  # needed (and known) when the lead had no attempt before
    prior_attempts: int  # call attempts that count, before the period


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """A callback or meeting promise and the time of the dial that closed it (if any)."""

    id: int
    lead_id: int
    rep: str
    kind: str  # callback | meeting
    due_at: datetime
    state: str  # a PromiseState
    closed_at: datetime | None = None
    created_at: datetime | None = None  # the time of the dial that set it (when known)
    created_by: int | None = None  # that dial's touch id


@dataclass(frozen=True, slots=True)
class SessionSpan:
    id: int
    rep: str
    block_name: str
    started_at: datetime
    ended_at: datetime  # effective end: ended_at, else the last dial, else the start


@dataclass(frozen=True, slots=True)
class RepFigures:
    rep: str
    dials: int
    contacts: int
    contact_rate: float | None
    conversations: int
    meetings: int
    callbacks_set: int
    callbacks_kept: int
    avg_attempts: float | None
    first_dial_minutes_median: float | None
    dials_per_hour: float | None
    sessions: int = 0

    def as_dict(self) -> dict[str, object]:
        """The public report fields (REPORT_FIELDS), in order."""
        return {name: getattr(self, name) for name in REPORT_FIELDS}


def is_dial(touch: AnyTouch) -> bool:
    """A call that was not undone, with a dial outcome."""
    return not touch.undone and touch.channel is Channel.CALL and touch.outcome in DIAL_CODES


def kept(promise: PromiseRecord) -> bool:
    """Closed by a dial from PROMISE_LEAD before its time to CALLBACK_GRACE after it."""
    if promise.state != PromiseState.CLOSED or promise.closed_at is None:
        return False
    return promise.due_at - PROMISE_LEAD <= promise.closed_at <= promise.due_at + CALLBACK_GRACE


def reschedules(dials: Iterable[AnyTouch], callbacks: Iterable[PromiseRecord]) -> set[int]:
    """The callback dials that moved a callback their lead still had open: one set earlier
    (not undone), not closed before the dial, and not yet due at it (a dial from PROMISE_LEAD
    before its time keeps it instead). Such a dial sets no new promise."""
    by_lead: dict[int, list[PromiseRecord]] = {}
    for promise in callbacks:
        if (
            promise.kind == PromiseKind.CALLBACK
            and promise.state != PromiseState.UNDONE
            and promise.created_at
        ):
            by_lead.setdefault(promise.lead_id, []).append(promise)
    moved = set()
    for touch in dials:
        if not is_dial(touch) or touch.outcome != "callback":
            continue
        for promise in by_lead.get(touch.lead_id, ()):
            set_at = (promise.created_at, promise.created_by or 0)
            if (
                set_at < (touch.at, touch.id)
                and (promise.closed_at is None or promise.closed_at >= touch.at)
                and promise.due_at >= touch.at + PROMISE_LEAD
            ):
                moved.add(touch.id)
                break
    return moved


@dataclass(frozen=True, slots=True)
class RepCounts:
    """What a rep's (or the team's) row is made of, however it was counted: from the touches
    (`rep_figures`) or from the store's aggregates (`figures_from_counts`)."""

    dials: int = 0
    contacts: int = 0
    conversations: int = 0
    meetings: int = 0
    callbacks_set: int = 0  # callback dials that did not move an open callback
    attempts: int = 0  # the sum, over the leads dialed, of the attempt number at the last dial
    leads: int = 0  # the leads dialed
    session_dials: int = 0  # dials in the rep's own sessions (the team: in any session)


def rep_figures(
    touches: Iterable[AnyTouch],
    *,
    start: datetime,
    end: datetime,
    baselines: Mapping[int, LeadBaseline],
    promises: Iterable[PromiseRecord] = (),
    sessions: Iterable[SessionSpan] = (),
    team_row: bool = False,
    roster: Iterable[str] = (),
    callbacks: Iterable[PromiseRecord] = (),
) -> list[RepFigures]:
    """One row per rep of the `roster` (the team) and per rep active in [start, end) (dials,
    sessions or promises due), by name; with `team_row`, a last row labelled TEAM over everyone.
    `callbacks`: the callback promises of the leads called back in the period, set before its
    end (see `reschedules`). Counted from the touches (the reference the store's aggregates are
    tested against)."""
    in_period = [t for t in touches if start <= t.at < end]
    in_period.sort(key=attrgetter("at", "id"))
    spans = [s for s in sessions if s.started_at < end and s.ended_at >= start]
    attempt_at, first_dials = _attempts(in_period, baselines)
    dials = [t for t in in_period if is_dial(t)]
    moved = reschedules(dials, callbacks)
    by_rep: dict[str, list[AnyTouch]] = {}
    for touch in dials:
        by_rep.setdefault(touch.rep, []).append(touch)
    counts: dict[str | None, RepCounts] = {
        rep: _counts(mine, attempt_at, moved, {s.id for s in spans if s.rep == rep})
        for rep, mine in by_rep.items()
    }
    counts[None] = _counts(dials, attempt_at, moved, {s.id for s in spans})
    return figures_from_counts(
        counts,
        first_dials=[(touch.rep, minutes) for touch, minutes in first_dials],
        start=start,
        end=end,
        promises=promises,
        sessions=spans,
        team_row=team_row,
        roster=set(roster) | {t.rep for t in in_period if not t.undone},
    )


def figures_from_counts(
    counts: Mapping[str | None, RepCounts],
    *,
    first_dials: Iterable[tuple[str, float]],
    start: datetime,
    end: datetime,
    promises: Iterable[PromiseRecord] = (),
    sessions: Iterable[SessionSpan] = (),
    team_row: bool = False,
    roster: Iterable[str] = (),
) -> list[RepFigures]:
    """The rows from counts per rep (key None: the whole team), the first dials' (rep, minutes
    since arrival), the promises due and the sessions: reps are the roster, those with dials,
    those with a session started in the period and those owning a promise due in it."""
    live = (PromiseState.OPEN, PromiseState.CLOSED)  # undone never was; replaced was moved
    promises = [p for p in promises if start <= p.due_at < end and p.state in live]
    spans = [s for s in sessions if s.started_at < end and s.ended_at >= start]
    first = list(first_dials)
    reps = sorted(
        set(roster)
        | {rep for rep, c in counts.items() if rep is not None and c.dials}
        | {s.rep for s in spans if start <= s.started_at}
        | {p.rep for p in promises}
    )
    rows = [
        _figures(
            rep,
            counts.get(rep, RepCounts()),
            [minutes for owner, minutes in first if owner == rep],
            [p for p in promises if p.rep == rep],
            [s for s in spans if s.rep == rep],
            start,
            end,
        )
        for rep in reps
    ]
    if team_row and rows:
        team = counts.get(None, RepCounts())
        speeds = [minutes for _, minutes in first]
        rows.append(_figures(None, team, speeds, promises, spans, start, end))
    return rows


def _counts(
    dials: list[AnyTouch], attempt_at: dict[int, int], moved: set[int], session_ids: set[int]
) -> RepCounts:
    outcomes = Counter(t.outcome for t in dials)
    last_attempt: dict[int, int] = {}
    for touch in dials:  # in time order: the last dial on each lead wins
        last_attempt[touch.lead_id] = attempt_at.get(touch.id, 0)
    return RepCounts(
        dials=len(dials),
        contacts=sum(outcomes[code] for code in CONTACT_CODES),
        conversations=sum(outcomes[code] for code in CONVERSATION_OUTCOMES),
        meetings=outcomes["meeting"],
        callbacks_set=sum(t.outcome == "callback" and t.id not in moved for t in dials),
        attempts=sum(last_attempt.values()),
        leads=len(last_attempt),
        session_dials=sum(t.session_id in session_ids for t in dials),
    )


def _attempts(
    touches: list[AnyTouch], baselines: Mapping[int, LeadBaseline]
) -> tuple[dict[int, int], list[tuple[AnyTouch, float]]]:
    """Each live call's attempt number on its lead, and each lead's first call ever (with the
    minutes since the lead arrived) when it falls in the period."""
    counted: dict[int, int] = {}
    attempt_at: dict[int, int] = {}
    first_dials: list[tuple[AnyTouch, float]] = []
    for touch in touches:
        if touch.undone or touch.channel is not Channel.CALL:
            continue
        base = baselines.get(touch.lead_id)
        prior = base.prior_attempts if base else 0
        number = counted.get(touch.lead_id, prior) + 1
        counted[touch.lead_id] = number
        attempt_at[touch.id] = number
        if number == 1 and base is not None and base.created_at and is_dial(touch):
            first_dials.append((touch, first_dial_minutes(touch.at, base.created_at)))
    return attempt_at, first_dials


def first_dial_minutes(called: datetime, arrived: datetime) -> float:
    return max((called - arrived).total_seconds() / 60, 0.0)


def _figures(
    rep: str | None,
    counts: RepCounts,
    speeds: list[float],
    my_promises: list[PromiseRecord],
    my_spans: list[SessionSpan],
    start: datetime,
    end: datetime,
) -> RepFigures:
    """One row from a rep's (None: the team's) counts, first-dial speeds, promises and
    sessions."""
    hours = (
        sum(
            max((min(s.ended_at, end) - max(s.started_at, start)).total_seconds(), 0.0)
            for s in my_spans
        )
        / 3600
    )
    dials = counts.dials
    return RepFigures(
        rep=TEAM if rep is None else rep,
        dials=dials,
        contacts=counts.contacts,
        contact_rate=round(counts.contacts / dials, 4) if dials else None,
        conversations=counts.conversations,
        meetings=counts.meetings,
        callbacks_set=counts.callbacks_set,
        callbacks_kept=sum(p.kind == PromiseKind.CALLBACK and kept(p) for p in my_promises),
        avg_attempts=round(counts.attempts / counts.leads, 2) if counts.leads else None,
        first_dial_minutes_median=round(statistics.median(speeds), 1) if speeds else None,
        dials_per_hour=(
            round(counts.session_dials / hours, 1)
            if hours * 3600 >= PACE_AFTER.total_seconds()
            else None
        ),
        sessions=sum(start <= s.started_at < end for s in my_spans),
    )


def format_figure(name: str, value: object) -> str:
    """A figure for a table: "–" when undefined, the contact rate as a percentage, the
    first-dial speed in minutes, hours or days."""
    if value is None:
        return "–"
    if name == "contact_rate" and isinstance(value, float):
        return f"{value:.0%}"
    if name == "first_dial_minutes_median" and isinstance(value, int | float):
        return format_minutes(value)
    return str(value)


def format_minutes(minutes: float) -> str:
    """A wait as a person says it: "<1 min", "42 min", "5.2 h", "18.6 d"."""
    if minutes < 1:
        return "<1 min"
    if minutes < 59.5:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"
