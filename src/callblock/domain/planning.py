"""The week plan: call blocks from recurring rules, and the week's due calls placed in them.

Promises go to the block they fall in (or the next one that day) and are never postponed.
Flexible follow-ups go to the best-weighted block of their due window that still has room, so
Wednesday and Thursday blocks carry more of them; when every block in the window is full, the
best-weighted one takes the overflow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from callblock.domain.calling import local_time, zone_info
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
    """A call the week must hold: a promise (fixed) or a follow-up with a due window."""

    lead_id: int
    kind: str  # "promise" | "follow-up"
    earliest: datetime
    latest: datetime  # end of the window it may be planned in (= earliest for a fixed time)
    zone: str


@dataclass(frozen=True, slots=True)
class PlannedBlock:
    block: Block
    weight: float  # weekday x hour weight at the block's start
    promises: int
    follow_ups: int
    expected_contacts: float

    @property
    def planned_dials(self) -> int:
        return self.promises + self.follow_ups


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


def plan_week(
    blocks: Sequence[Block],
    calls: Iterable[DueCall],
    weights: Weights,
    contact_rate: float,
    now: datetime,
) -> list[PlannedBlock]:
    """Place each due call in a block (see the module docstring). Calls before `now` are due
    now; calls with no block left in their window are not placed."""
    open_blocks = [block for block in blocks if block.end > now]
    load: dict[int, list[DueCall]] = {index: [] for index in range(len(blocks))}
    index_of = {id(block): index for index, block in enumerate(blocks)}
    ordered = sorted(calls, key=lambda call: (call.kind != "promise", call.latest, call.lead_id))
    for call in ordered:
        earliest, latest = max(call.earliest, now), max(call.latest, now)
        if call.kind == "promise":
            chosen = _promise_block(open_blocks, earliest)
        else:
            chosen = _best_block(open_blocks, earliest, latest, weights, load, index_of)
        if chosen is not None:
            load[index_of[id(chosen)]].append(call)
    planned = []
    for index, block in enumerate(blocks):
        placed = load[index]
        expected = sum(
            contact_rate * _call_weight(call, block, weights) / REFERENCE_WEIGHT for call in placed
        )
        planned.append(
            PlannedBlock(
                block=block,
                weight=block_weight(block, weights),
                promises=sum(call.kind == "promise" for call in placed),
                follow_ups=sum(call.kind != "promise" for call in placed),
                expected_contacts=round(float(expected), 2),
            )
        )
    return planned


def _promise_block(blocks: Sequence[Block], due: datetime) -> Block | None:
    """The block holding the promise's time, else the next one the same day."""
    same_day = [
        b for b in blocks if b.end > due and b.start.date() == due.astimezone(b.start.tzinfo).date()
    ]
    holding = [b for b in same_day if b.contains(due)]
    return (holding or same_day or [None])[0]


def _best_block(
    blocks: Sequence[Block],
    earliest: datetime,
    latest: datetime,
    weights: Weights,
    load: dict[int, list[DueCall]],
    index_of: dict[int, int],
) -> Block | None:
    """The best-weighted block in the window with room; if all are full, the best-weighted.
    A window shorter than a block still reaches the next block starting after it opens."""
    window = [b for b in blocks if b.end > earliest and b.start <= max(latest, earliest)]
    if not window:
        window = [b for b in blocks if b.end > earliest][:1]
    if not window:
        return None
    ranked = sorted(window, key=lambda b: (-block_weight(b, weights), b.start))
    with_room = [b for b in ranked if len(load[index_of[id(b)]]) < b.target_dials]
    return (with_room or ranked)[0]


def _call_weight(call: DueCall, block: Block, weights: Weights) -> float:
    local = local_time(block.start, call.zone)
    return weights.at(local.weekday(), local.hour)
