"""The week plan: call blocks from recurring rules, and the week's due calls placed in them.

No block is planned above its target. Promises go to the block they fall in (or the next one
that day with room) and fresh inbound leads to the next block with room: neither waits for a
better day. A follow-up goes to the best-weighted block of its window that has room, so
Wednesday and Thursday blocks fill first; its window is its day, and for the backlog (due by
now) today and up to `slack_days` more. When its window is full it goes to the next block with
room after it. What finds no room in the week's blocks is counted as over capacity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from callblock.domain.calling import local_time, zone_info
from callblock.domain.models import Tier
from callblock.domain.weights import Weights

# Mean of the default weights over weekday business hours: expected contacts are the team's
# contact rate scaled by how a block's weight compares with an average calling hour.
REFERENCE_WEIGHT = 0.62


class BlockRuleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class BlockRule:
    name: str
    rule: str  # an RFC 5545 RRULE without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=WE,TH;BYHOUR=16"
    minutes: int = 60
    target_dials: int = 60


DEFAULT_BLOCKS = (
    BlockRule("Power hour", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0"),
    BlockRule("Late power hour", "FREQ=WEEKLY;BYDAY=WE,TH;BYHOUR=16;BYMINUTE=0"),
)


@dataclass(frozen=True, slots=True)
class Block:
    name: str
    start: datetime  # aware, in the rep's zone
    end: datetime
    target_dials: int

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class DueCall:
    """Calls the week must hold (`count` alike): a promise (fixed time), a fresh inbound lead
    (due now, never waits) or a follow-up that may be planned anywhere in its window."""

    kind: Tier  # promise, inbound or follow-up
    earliest: datetime
    latest: datetime  # end of the window it may be planned in (= earliest for a fixed time)
    zone: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class PlannedBlock:
    block: Block
    weight: float  # weekday x hour weight at the block's start
    promises: int
    follow_ups: int
    expected_contacts: float
    inbound: int = 0
    done_dials: int | None = None  # what the rep did in it, once it has started
    done_contacts: int | None = None

    @property
    def planned_dials(self) -> int:
        return self.promises + self.follow_ups + self.inbound


@dataclass(frozen=True, slots=True)
class PlannedWeek:
    blocks: list[PlannedBlock]
    over_capacity: int  # due calls with a block left for them this week, but no room in any


def check_rule(rule: BlockRule) -> None:
    """Raise BlockRuleError when the rule cannot be read."""
    from dateutil.rrule import rrulestr

    if "DTSTART" in rule.rule.upper():
        raise BlockRuleError("leave DTSTART out: blocks repeat from each week's start")
    try:
        rrulestr(rule.rule, dtstart=datetime(2026, 1, 5))
    except (ValueError, TypeError) as error:
        raise BlockRuleError(f"{rule.rule!r} is not a recurrence rule ({error})") from None
    if rule.minutes < 1 or rule.target_dials < 0:
        raise BlockRuleError("minutes must be at least 1 and target_dials not negative")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_blocks(rules: Iterable[BlockRule], day: date, zone: str) -> list[Block]:
    """The blocks of the Monday-to-Sunday week holding `day`, in `zone`, in time order."""
    from dateutil.rrule import rrulestr

    tz = zone_info(zone)
    monday = datetime.combine(week_start(day), time(0, 0))
    blocks = []
    for rule in rules:
        starts = rrulestr(rule.rule, dtstart=monday).between(
            monday, monday + timedelta(days=7), inc=True
        )
        for naive in starts:
            start = naive.replace(tzinfo=tz)
            end = start + timedelta(minutes=rule.minutes)
            blocks.append(Block(rule.name, start, end, rule.target_dials))
    return sorted(blocks, key=lambda block: (block.start, block.name))


def block_weight(block: Block, weights: Weights) -> float:
    return weights.at(block.start.weekday(), block.start.hour)


def due_call(
    kind: Tier, due: datetime, now: datetime, zone: str, tz: tzinfo, slack_days: int, count: int = 1
) -> DueCall:
    """The window a due call may be planned in (`tz`: the rep's zone, whose days count).

    A promise keeps its time and fresh inbound is due now. A follow-up keeps its day; one in
    the backlog (due by now) is due now and may wait up to `slack_days` for a better day."""
    if kind != Tier.FOLLOW_UP:
        return DueCall(kind, due, due, zone, count)
    start, slack = (now, slack_days) if due <= now else (due, 0)
    last_day = start.astimezone(tz).date() + timedelta(days=slack)
    latest = datetime.combine(last_day, time(23, 59, 59), tzinfo=tz)
    return DueCall(kind, start, latest, zone, count)


def plan_week(
    blocks: Sequence[Block],
    calls: Iterable[DueCall],
    weights: Weights,
    contact_rate: float,
    now: datetime,
) -> PlannedWeek:
    """Place the due calls in the blocks, none above its target (see the module docstring).
    Calls before `now` are due now; a call with no block left for it this week (a promise
    with none later that day, a time after the last block) is left out; one that has a block
    left but no room in any is counted over capacity."""
    open_at = [index for index, block in enumerate(blocks) if block.end > now]
    room = {index: blocks[index].target_dials for index in open_at}
    weight = [block_weight(block, weights) for block in blocks]
    placed: dict[tuple[int, str], int] = {}  # (block index, kind) -> calls
    by_zone: dict[tuple[int, str], int] = {}  # (block index, lead zone) -> calls
    over = 0
    for call in sorted(calls, key=_order):
        earliest, latest = max(call.earliest, now), max(call.latest, now)
        reachable = [i for i in open_at if blocks[i].end > earliest]
        if not reachable:
            continue  # nothing left this week it could go in: not this week's call
        if call.kind == Tier.PROMISE:
            day = earliest.astimezone(blocks[0].start.tzinfo).date()
            choices = [i for i in reachable if blocks[i].start.date() == day]
        elif call.kind == Tier.INBOUND:
            choices = reachable
        else:
            window = [i for i in reachable if blocks[i].start <= latest]
            best = sorted(window, key=lambda i: (-weight[i], blocks[i].start))
            choices = best + [i for i in reachable if i not in window]
        left = call.count
        for index in choices:
            take = min(left, room[index])
            if take:
                room[index] -= take
                left -= take
                placed[index, call.kind] = placed.get((index, call.kind), 0) + take
                by_zone[index, call.zone] = by_zone.get((index, call.zone), 0) + take
            if not left:
                break
        if choices:
            over += left  # else a promise with no block left that day: called outside blocks
    expected = dict.fromkeys(range(len(blocks)), 0.0)
    for (index, zone), count in by_zone.items():
        local = local_time(blocks[index].start, zone)
        share = weights.at(local.weekday(), local.hour) / REFERENCE_WEIGHT
        expected[index] += contact_rate * count * share
    planned = [
        PlannedBlock(
            block=block,
            weight=weight[index],
            promises=placed.get((index, Tier.PROMISE), 0),
            follow_ups=placed.get((index, Tier.FOLLOW_UP), 0),
            expected_contacts=round(float(expected[index]), 2),
            inbound=placed.get((index, Tier.INBOUND), 0),
        )
        for index, block in enumerate(blocks)
    ]
    return PlannedWeek(planned, over)


def _order(call: DueCall) -> tuple[int, datetime, float]:
    """Promises first, then fresh inbound, then follow-ups by the end of their window, the
    narrower window first: each takes its best block while the later ones still have theirs."""
    rank = {Tier.PROMISE: 0, Tier.INBOUND: 1}.get(call.kind, 2)
    return rank, call.latest, -call.earliest.timestamp()
