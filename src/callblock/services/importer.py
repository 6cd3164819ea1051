"""`callblock import`: a CRM export in, validated, deduplicated, all-or-nothing.

Plan first (read, validate every row, match every valid row against the database and the rows
before it), then apply the plan in ONE transaction. Any invalid row refuses the whole import
unless `skip_invalid`, which imports the good rows and writes the bad ones, with their reasons,
to a rejects CSV (default: `<name>.rejects.csv` next to the input).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO, cast

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.csvcells import csv_text
from callblock.domain.dedupe import (
    DuplicateIndex,
    Match,
    MatchKeys,
    Verdict,
    match_keys,
    same_person,
)
from callblock.domain.headers import (
    EXTRA,
    Column,
    HeaderError,
    map_columns,
    parse_mapping,
    recognised,
)
from callblock.domain.import_rows import LeadRow, Problem, RowRules, validate_row
from callblock.domain.merging import kept_where, merge_records
from callblock.domain.models import Temperature
from callblock.domain.text import NAME_MAX, clean_line
from callblock.services import ServiceError
from callblock.services.cadence import first_due, refresh_due
from callblock.services.csvfile import DELIMITERS, CsvRow, read_csv
from callblock.services.dupes import mergeable_fields
from callblock.services.files import StagedFile, check_output, database_files
from callblock.services.leads import checked_owner, get_lead
from callblock.store import Store

Progress = Callable[[str, int, int], None]  # (phase, done, total)
PROGRESS_EVERY = 1000
PARALLEL_FROM = 5000  # rows: smaller files are validated in-process


@dataclass(frozen=True)
class ImportOptions:
    mapping: tuple[str, ...] = ()  # --map "Source Header=field"
    dry_run: bool = False
    skip_invalid: bool = False
    default_region: str = "US"
    default_zone: str = "UTC"  # dates without an offset are read in this zone
    owner: str | None = None
    rejects: Path | None = None  # where --skip-invalid writes bad rows
    settings: Settings = field(default_factory=Settings)  # the cadence, for first due times


@dataclass(frozen=True, slots=True)
class Review:
    """A row that may duplicate a lead (or an earlier row): imported, reported for review."""

    line: int
    other: str  # "lead 12" or "line 7"
    score: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line} may duplicate {self.other}: {self.reason} (score {self.score})"


@dataclass(frozen=True, slots=True)
class Kept:
    """A value a merged row brought that differs from the lead's (never dropped): a phone or
    email kept besides the lead's main one, any other (title, company, ...) in its notes."""

    line: int
    into: str  # "lead 12" or "line 7"
    field: str  # "phone" | "email" | "title" | ... | "extra HEADER" (see domain/merging.py)
    value: str

    def __str__(self) -> str:
        what = f"{self.field} {self.value}"
        return f"line {self.line} -> {self.into}: {what} kept {kept_where(self.field)}"


@dataclass
class ImportReport:
    path: Path
    encoding: str = ""
    delimiter: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, field)
    rows: int = 0
    imported: int = 0  # new leads
    merged: int = 0  # rows merged into an existing lead or an earlier row
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # "line 9 -> lead 4: same email"
    kept: list[Kept] = field(default_factory=list)  # values a merge kept besides the main ones
    dry_run: bool = False
    committed: bool = False
    rejects_path: Path | None = None
    lead_ids: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    new: dict[int, dict[str, Any]] = field(default_factory=dict)  # line -> record
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # lead id -> changes
    bad_rows: list[CsvRow] = field(default_factory=list)


def rejects_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def import_csv(
    store: Store,
    clock: Clock,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and (unless a dry run, or refused) import `path`. Never half-imports."""
    report = ImportReport(path=path, dry_run=options.dry_run)
    table = read_csv(path)  # a regular file, read whole (nothing written yet)
    rejects_target = options.rejects or rejects_path_for(path)
    if options.skip_invalid and not options.dry_run:  # checked before the rows are
        protected = [path, *database_files(store.path)]
        check_output(rejects_target, option="--rejects", protected=protected)
    report.encoding, report.delimiter = table.encoding, DELIMITERS[table.delimiter]
    try:
        columns = map_columns(table.header, parse_mapping(options.mapping))
    except HeaderError as error:
        raise ServiceError(str(error)) from None
    report.columns = [(clean_line(c.header, 60), c.field) for c in columns]
    for column in columns:  # an extra field is kept under its header: never under a cut one
        if column.field == EXTRA and len(clean_line(column.header, NAME_MAX + 1)) > NAME_MAX:
            raise ServiceError(
                f"{path}: line 1: column {column.index + 1}'s header has {len(column.header)} "
                f"characters (at most {NAME_MAX}); shorten it or drop it with --map 'HEADER=skip'"
            )
    if not recognised(columns):
        shown = ", ".join(clean_line(h, 30) for h in table.header[:6])
        raise ServiceError(
            f"{path}: line 1: no column holds a lead's name (header: {shown}); "
            "name one with --map 'Header=name'"
        )
    report.rows = len(table.rows)
    plan = _plan(store, clock, table.rows, columns, options, report, progress)
    if report.problems and not options.skip_invalid:
        return report  # all-or-nothing: nothing written
    if options.dry_run:
        return report
    rejects = None
    if plan.bad_rows:  # staged beside its target; moved into place only once the rows are in
        report.rejects_path = rejects_target
        rejects = StagedFile(report.rejects_path, option="--rejects")
    total = len(plan.new) + len(plan.updates)
    try:
        if rejects:
            _write_rejects(rejects.stream, table.header, plan.bad_rows, report.problems)
        with store.bulk_writes(), store.transaction():
            report.lead_ids = store.leads.insert_leads(_counted(plan.new.values(), total, progress))
            if not options.settings.cadence.steps[0].is_call:  # a first task: see first_due
                refresh_due(store, options.settings, options.settings.weights, report.lead_ids)
            for lead_id, changes in plan.updates.items():
                store.leads.update_lead_fields(lead_id, changes)
    except BaseException:
        if rejects:  # nothing was imported: no rejects either (an older file stays as it was)
            rejects.discard()
        raise
    report.committed = True
    if rejects:
        try:
            rejects.commit()
        except OSError as error:
            rejects.discard()
            raise ServiceError(
                f"the import is saved ({len(report.lead_ids)} new leads), but the rejected rows "
                f"could not be written to {rejects_target} ({error.strerror}); "
                "run it again with --dry-run to list them"
            ) from None
    if progress:
        progress("writing", total, total)
    return report


class _Pool:
    """Validation and duplicate keys, row by row and pure: a large import spreads them over
    the machine's cores (phone parsing dominates an import); a small one stays in-process.
    Results come back in order."""

    def __init__(self, size: int) -> None:
        workers = min(os.cpu_count() or 1, 4)
        self.workers = workers if size >= PARALLEL_FROM and workers > 1 else 1
        self.pool: Any = None

    def __enter__(self) -> _Pool:
        if self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the app imports from a worker thread, and forking a threaded
            # process can leave a lock held in the child
            context = multiprocessing.get_context("spawn")
            from callblock.services.lifeline import die_with_parent

            # the workers exit when this process dies, even by SIGKILL (never left running)
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def _map(self, work: Callable[[Any], list[Any]], items: list[Any], *shared: Any) -> list[Any]:
        if self.pool is None:
            return work((*shared, items))
        size = -(-len(items) // (self.workers * 4)) or 1
        jobs = [(*shared, items[i : i + size]) for i in range(0, len(items), size)]
        return [result for chunk in self.pool.map(work, jobs) for result in chunk]

    def validate(
        self, columns: list[Column], rows: list[CsvRow], rules: RowRules
    ) -> list[tuple[LeadRow | list[Problem], MatchKeys | None]]:
        return self._map(_validate_chunk, [(r.cells, r.line) for r in rows], columns, rules)


def _validate_chunk(
    job: tuple[list[Column], RowRules, list[tuple[list[str], int]]],
) -> list[tuple[LeadRow | list[Problem], MatchKeys | None]]:
    columns, rules, chunk = job
    out: list[tuple[LeadRow | list[Problem], MatchKeys | None]] = []
    for cells, line in chunk:
        result = validate_row(columns, cells, line, rules)
        keys = (
            None
            if isinstance(result, list)
            else match_keys(result.name, result.company, result.phone, result.email)
        )
        out.append((result, keys))
    return out


def _plan(
    store: Store,
    clock: Clock,
    rows: list[CsvRow],
    columns: list[Column],
    options: ImportOptions,
    report: ImportReport,
    progress: Progress | None,
) -> _Plan:
    now = clock.now()
    reps = (
        frozenset(rep.name for rep in store.admin.current_reps())
        if store.admin.has_reps()
        else None
    )
    owner = checked_owner(store, options.owner)
    rules = RowRules(options.default_region, options.default_zone, now, owner, reps)
    index = DuplicateIndex()
    # The leads already stored are keyed in-process (shipping 100,000 keys back from workers
    # costs more than computing them); only the file's rows decide whether workers start.
    for entry in store.leads.search_entries():
        index.add(
            ("lead", entry.lead_id), match_keys(entry.name, entry.company, entry.phone, entry.email)
        )
    with _Pool(len(rows)) as pool:
        checked = pool.validate(columns, rows, rules)
    plan, width = _Plan(), len(columns)
    existing: dict[int, dict[str, Any]] = {}
    for done, (row, (result, keys)) in enumerate(zip(rows, checked, strict=True), start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress("checking", done, len(rows))
        if len(row.cells) > width and any(cell.strip() for cell in row.cells[width:]):
            extra = Problem(row.line, "(row)", f"{len(row.cells)} cells; the header has {width}")
            result = [*result, extra] if isinstance(result, list) else [extra]
        if isinstance(result, list):
            report.problems += result
            report.rejected += 1
            plan.bad_rows.append(row)
            continue
        assert keys is not None  # a valid row always has its keys
        record = _record(result, now, options.settings)
        target, match, other = _match(store, index, keys, result)
        if target is not None:
            kind, ref = target
            if kind == "line":
                current = plan.new[ref]
            else:
                current = existing.setdefault(ref, mergeable_fields(store, get_lead(store, ref)))
            given = {"temperature": result.temperature and result.temperature.value}
            merge = merge_records(current, record | given, f"import line {row.line}")
            if merge.too_long:  # kept as its own lead, for a person to decide: nothing lost
                assert match is not None
                reason = f"{match.reason}; not merged: {merge.refusal()}"
                target, match, other = None, replace(match, reason=reason), f"{kind} {ref}"
        if target is None:
            plan.new[row.line] = record
            index.add(("line", row.line), keys)
            if match is not None:
                report.reviews.append(Review(row.line, other, match.score, match.reason))
            continue
        report.merged += 1
        report.kept += [Kept(row.line, f"{kind} {ref}", f, v) for f, v in merge.kept]
        current.update(merge.changes)
        if kind == "lead":
            plan.updates.setdefault(ref, {}).update(merge.changes)
        reason = match.reason if match else ""
        report.merges.append(f"line {row.line} -> {kind} {ref}: {reason}")
    report.imported = len(plan.new)
    if progress:
        progress("checking", len(rows), len(rows))
    return plan


def _match(
    store: Store, index: DuplicateIndex, keys: MatchKeys, row: LeadRow
) -> tuple[tuple[str, int] | None, Match | None, str]:
    """(merge target, best review match, its ref text): what this row duplicates, if anything."""
    lead_id = row.lead_id
    # callblock's own id, from an export of (maybe) another database: the same lead only if
    # the names still say the same person (a shared email or phone alone does not).
    if (
        lead_id is not None
        and store.leads.merged_into(lead_id) is None
        and store.leads.get_lead(lead_id)
        and same_person(keys, index.keys(("lead", lead_id)))
    ):
        return ("lead", lead_id), Match(100, "same lead_id", Verdict.MERGE), ""
    review: tuple[Match | None, str] = (None, "")
    for ref, match in index.matches(keys):
        kind, number = cast("tuple[str, int]", ref)
        if match.verdict is Verdict.MERGE:
            return (kind, number), match, ""
        if review[0] is None:
            review = (match, f"{kind} {number}")
    return None, *review


def _record(row: LeadRow, now: Any, settings: Settings) -> dict[str, Any]:
    created = row.created_at or now
    zone = row.timezone or row.phone_timezone or settings.timezone
    return {
        "next_due_at": first_due(settings, created, zone),
        "name": row.name,
        "title": row.title,
        "company": row.company,
        **row.phone_line.record(),
        "email": row.email,
        "other_phones": row.other_phones,
        "other_emails": row.other_emails,
        "links": row.links,
        "timezone": row.timezone,
        "record_region": row.record_region,
        "temperature": (row.temperature or Temperature.WARM).value,
        "fit": row.fit,
        "owner": row.owner,
        "status": row.lead_status().value,
        "created_at": iso(created),
        "notes": row.notes,
        "extra": row.extra,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "pronunciation": row.pronunciation,
        "interest": row.interest,
    }


def _counted(records: Any, total: int, progress: Progress | None) -> Any:
    for done, record in enumerate(records, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress("writing", done, total)
        yield record


def _write_rejects(
    out: TextIO, header: list[str], rows: list[CsvRow], problems: list[Problem]
) -> None:
    """The rejected rows as they were, with their line and problems first (cells cleaned and
    neutralized by `csv_text`: this file is opened in spreadsheets)."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        reasons.setdefault(problem.line, []).append(f"column {problem.column}: {problem.message}")
    writer = csv.writer(out)
    writer.writerow(["line", "problems", *(csv_text(h) for h in header)])
    for row in rows:
        cells = [csv_text(cell) for cell in row.cells]
        writer.writerow([row.line, csv_text("; ".join(reasons[row.line])), *cells])
