"""Bodies of `import`, `dupes`, `merge` and `leads`: thin layers over the services."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.text import NAME_MAX, cell, plural
from callblock.output import print_json, print_text
from callblock.services import checked_line
from callblock.store import Store

SHOWN = 50  # review and merge lines printed as text; --json has them all


def _print(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        print_json(data)
    else:
        print_text(text)


def _import(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.domain.phones import default_region_problem
    from callblock.services import ServiceError
    from callblock.services.importer import ImportOptions, import_csv

    if args.default_region and (problem := default_region_problem(args.default_region)):
        raise ServiceError(f"default-region: {problem}")
    options = ImportOptions(
        mapping=tuple(args.map or ()),
        dry_run=args.dry_run,
        skip_invalid=args.skip_invalid,
        default_region=(args.default_region or settings.default_region).upper(),
        default_zone=settings.timezone,
        owner=checked_line(args.owner, "--owner", NAME_MAX) or None if args.owner else None,
        rejects=args.rejects,
        settings=settings,
    )
    progress = ProgressLine() if sys.stderr.isatty() and not args.json else None
    report = import_csv(store, clock, args.file, options, progress)
    if progress:
        print(file=sys.stderr)
    data = {
        "file": str(report.path),
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "columns": [{"header": h, "field": f} for h, f in report.columns],
        "rows": report.rows,
        "imported": report.imported if report.committed or report.dry_run else 0,
        "merged": report.merged if report.committed or report.dry_run else 0,
        "rejected": report.rejected,
        "problems": [str(p) for p in report.problems],
        "reviews": [  # by hand, as kept_aside
            {"line": r.line, "other": r.other, "score": r.score, "reason": r.reason}
            for r in report.reviews
        ],
        "merges": report.merges,
        "kept_aside": [  # built by hand: asdict() of 100,000 items takes seconds
            {"line": k.line, "into": k.into, "field": k.field, "value": k.value}
            for k in report.kept
        ],
        "dry_run": report.dry_run,
        "committed": report.committed,
        "rejects_file": str(report.rejects_path) if report.rejects_path else None,
    }
    refused = bool(report.problems) and not args.skip_invalid
    if args.json:
        print_json(data)
    else:
        for problem in report.problems if refused else ():
            print_text(str(problem), file=sys.stderr)
        lines = "\n".join(_report_lines(report, refused))
        print_text(lines, file=sys.stderr if refused else sys.stdout)
    return 1 if refused else 0


def _report_lines(report: Any, refused: bool) -> list[str]:
    columns = ", ".join(f"{h} -> {f}" for h, f in report.columns)
    lines = [f"{report.path}: {plural(report.rows, 'row')} ({report.encoding}, {report.delimiter})"]
    lines.append(f"columns: {columns}")
    if refused:
        rows = len({p.line for p in report.problems})
        lines.append(
            f"callblock: error: nothing imported: {plural(len(report.problems), 'problem')} in "
            f"{plural(rows, 'row')} (fix them, or --skip-invalid imports the good rows)"
        )
        return lines
    verb = "would import" if report.dry_run else "imported"
    lines.append(
        f"{verb} {plural(report.imported, 'new lead')}; merged {plural(report.merged, 'row')} "
        "into an existing lead or an earlier row"
    )
    lines += [f"  merged: {m}" for m in report.merges[:SHOWN]]
    lines += [f"  kept: {k}" for k in report.kept[:SHOWN]]
    lines += [f"  review: {r}" for r in report.reviews[:SHOWN]]
    hidden = sum(max(len(x) - SHOWN, 0) for x in (report.merges, report.kept, report.reviews))
    if hidden:
        lines.append(f"  ... and {hidden} more (see --json)")
    if report.rejected:
        where = f": written to {report.rejects_path}" if report.rejects_path else ""
        lines.append(f"rejected {plural(report.rejected, 'row')}{where}")
        lines += [f"  {p}" for p in report.problems[:SHOWN]]
    if report.dry_run:
        lines.append("dry run: nothing was written")
    return lines


class ProgressLine:
    """An import's progress on the terminal, one line rewritten in place:
    `checking [######----------] 40,000/100,000  9,800 rows/s  6 s left` (the rate since
    the phase began, the time left at that rate; under 80 columns, for an 80x24 terminal)."""

    WIDTH = 16
    LINE = 79

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._phase = ""
        self._started = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        print(f"\r{self.line(phase, done, total)}", end="", file=sys.stderr, flush=True)

    def line(self, phase: str, done: int, total: int) -> str:
        now = self._clock()
        if phase != self._phase:
            self._phase, self._started = phase, now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"{phase:<8} [{bar}] {done:,}/{total:,}"
        elapsed = now - self._started
        if done and elapsed > 0:
            rate = done / elapsed
            text += f"  {rate:,.0f} rows/s"
            if done < total:
                text += f"  {_duration((total - done) / rate)} left"
        return f"{text:<{self.LINE}}"  # as wide as any earlier line: nothing of it stays


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _dupes(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.dupes import find_duplicates

    pairs = find_duplicates(store)
    rows = [
        {
            "lead_id": p.lead_id,
            "other_lead_id": p.other_lead_id,
            "score": p.score,
            "reason": p.reason,
            "name": p.name,
            "company": p.company,
            "other_name": p.other_name,
            "other_company": p.other_company,
        }
        for p in pairs
    ]
    lines = [
        f"{p.lead_id:>6} {cell(p.name, 16)} {cell(p.company, 14)} "
        f"{p.other_lead_id:>6} {cell(p.other_name, 16)} {cell(p.other_company, 14)} "
        f"{p.score:>3}  {p.reason}"
        for p in pairs
    ]
    head = (
        f"{'lead':>6} {'name':<16} {'company':<14} {'other':>6} {'name':<16} {'company':<14} "
        "score reason"
    )
    _print(args, rows, "\n".join([head, *lines]) if pairs else "no likely duplicates")
    return 0


def _merge(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.domain.merging import kept_where
    from callblock.services.dupes import merge_leads

    merged = merge_leads(
        store, clock, rep=args.rep, keep=args.keep, other=args.other, settings=settings
    )
    data = {
        "lead_id": merged.lead_id,
        "other_lead_id": merged.other_lead_id,
        "moved": merged.moved,
        "kept_aside": [{"field": f, "value": v} for f, v in merged.kept],
    }
    text = (
        f"merged lead {merged.other_lead_id} into lead {merged.lead_id} "
        f"({plural(merged.moved['touches'], 'touch', 'touches')}, "
        f"{plural(merged.moved['callbacks'], 'callback')} moved)"
    )
    text += "".join(f"\nkept {f} {v} {kept_where(f)}" for f, v in merged.kept)
    _print(args, data, text)
    return 0


def _leads(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.lead_search import list_leads

    leads = list_leads(store, search=args.search, limit=args.limit)
    held = store.sessions.lease_holders([lead.id for lead in leads], iso(clock.now()))
    rows = [
        {
            "lead_id": lead.id,
            "name": lead.name,
            "company": lead.company,
            "title": lead.title,
            "phone": lead.phone,
            "email": lead.email,
            "timezone": lead.zone(settings.timezone),
            "temperature": lead.temperature.value,
            "status": lead.status.value,
            "owner": lead.owner,
            "held_by": held.get(lead.id),  # the rep whose screen shows the lead now
        }
        for lead in leads
    ]
    lines = [
        f"{lead.id:>7}  {cell(lead.name, 24)} {cell(lead.company, 20)} "
        f"{lead.phone:<16} {lead.status.value}"
        + (f"  held by {cell(held[lead.id], 32)}" if lead.id in held else "")
        for lead in leads
    ]
    head = f"{'id':>7}  {'name':<24} {'company':<20} {'phone':<16} status"
    _print(args, rows, "\n".join([head, *lines]) if lines else "no leads")
    return 0


HANDLERS = {"import": _import, "dupes": _dupes, "merge": _merge, "leads": _leads}
