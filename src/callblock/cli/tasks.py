"""`callblock tasks`: the cadence's email, LinkedIn and SMS steps due now for the rep."""

from __future__ import annotations

import argparse

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.calling import local_time
from callblock.domain.text import cell
from callblock.output import emit
from callblock.store import Store


def _tasks(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.tasks import due_tasks

    tasks = due_tasks(store, settings, args.rep, clock.now(), limit=args.limit)
    rows = [
        {
            "lead_id": task.lead.id,
            "name": task.lead.name,
            "channel": task.channel,
            "step": task.step,
            "due": iso(task.due),
            "template": task.template.name if task.template else None,
            "goodbye": task.goodbye,
        }
        for task in tasks
    ]
    if not rows:
        return emit(args, rows, "no tasks due")
    lines = [
        (
            f"{r['lead_id']:>6}  {cell(r['name'], 22)} {r['channel']:<9}{r['step']:>4}  "
            f"{local_time(task.due, settings.timezone):%Y-%m-%d %H:%M}  "
            f"{cell(r['template'] or '(no template)', 24)}{'  goodbye' if r['goodbye'] else ''}"
        ).rstrip()
        for r, task in zip(rows, tasks, strict=True)
    ]
    head = f"{'lead':>6}  {'name':<22} {'channel':<9}{'step':>4}  {'due':<16}  template"
    return emit(args, rows, "\n".join([head, *lines]))


HANDLERS = {"tasks": _tasks}
