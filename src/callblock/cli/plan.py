"""The week plan command."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from callblock.clock import Clock
from callblock.config import Settings
from callblock.domain.planning import PlannedBlock
from callblock.domain.ranges import RangeError, check_day
from callblock.domain.text import cell, plural
from callblock.output import emit, print_text
from callblock.services import ServiceError
from callblock.store import Store


def _plan(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.planning import week_plan

    try:
        day = date.fromisoformat(args.week) if args.week is not None else None
        if day is not None:
            check_day(day, f"week: {args.week!r}")
    except RangeError as error:
        raise ServiceError(str(error)) from None
    except ValueError:
        raise ServiceError(f"week: {args.week[:60]!r} is not a date like 2026-11-23") from None
    plan = week_plan(store, settings, clock, rep=args.rep, day=day)
    rows = [
        {
            "day": planned.block.start.date().isoformat(),
            "start": planned.block.start.isoformat(timespec="seconds"),
            "end": planned.block.end.isoformat(timespec="seconds"),
            "name": planned.block.name,
            "planned_dials": planned.planned_dials,
            "expected_contacts": planned.expected_contacts,
            "promises": planned.promises,
            "follow_ups": planned.follow_ups,
            "target_dials": planned.block.target_dials,
            "weight": round(planned.weight, 3),
            "inbound": planned.inbound,
            "done_dials": planned.done_dials,  # null until the block has started
            "done_contacts": planned.done_contacts,
            "week_over_capacity": plan.over_capacity,  # the week's figure, on every row
        }
        for planned in plan.blocks
    ]
    lines = [
        f"{r['start'][:10]} {planned.block.start:%a} {r['start'][11:16]}-{r['end'][11:16]}  "
        f"{cell(r['name'], 20)} {r['planned_dials']:>4} {_dials(r['planned_dials']):<5}  "
        f"~{r['expected_contacts']:.1f} contacts  weight {r['weight']:.2f}"
        + (f"  {done_text(planned)}" if planned.done_dials is not None else "")
        for r, planned in zip(rows, plan.blocks, strict=True)
    ]
    head = f"{'day':<14} {'time':<11}  {'block':<20} {'dials':>10}  {'contacts':<14} weight"
    lines = [head, *lines] if lines else ["no blocks this week (see [[blocks]] in the config)"]
    if plan.over_capacity:
        lines.append(over_capacity_text(plan.over_capacity))
        if args.json and not rows:  # no row to carry it: say it where a script still sees it
            print_text(lines[-1], sys.stderr)
    return emit(args, rows, "\n".join(lines))


def _dials(count: int) -> str:
    """The noun alone, agreeing with its count (printed aligned before it)."""
    return "dial" if count == 1 else "dials"


def done_text(planned: PlannedBlock) -> str:
    dials, contacts = planned.done_dials or 0, planned.done_contacts or 0
    return f"done {plural(dials, 'dial')}, {plural(contacts, 'contact')}"


def over_capacity_text(count: int) -> str:
    return (
        f"over capacity: {plural(count, 'dial')} no block this week has room for; "
        "add a block or raise a target ([[blocks]] in the config)"
    )


HANDLERS = {"plan": _plan}
