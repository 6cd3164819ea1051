"""`callblock import`: a CRM export in, validated, deduplicated, all-or-nothing.

Plan first (read, validate every row, match every valid row against the database and the rows
before it), then apply the plan in ONE transaction. Any invalid row refuses the whole import
unless `skip_invalid`, which imports the good rows and writes the bad ones, with their reasons,
to a rejects CSV (default: `<name>.rejects.csv` next to the input).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO, cast

from callblock.clock import Clock
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
from callblock.domain.import_rows import Problem, RowRules
from callblock.domain.merging import kept_where, merge_records
from callblock.domain.text import NAME_MAX, clean_line
from callblock.services import ServiceError
from callblock.services.cadence import refresh_due
from callblock.services.csvfile import DELIMITERS, CsvRow, read_csv
from callblock.services.dupes import mergeable_fields
from callblock.services.files import StagedFile, check_output, database_files
from callblock.services.import_workers import (
    PARALLEL_FROM,
    CheckedRow,
    RowPool,
    collector_paused,
    decoded_record,
    row_values,
)
from callblock.services.import_writer import StreamedInsert
from callblock.services.leads import checked_owner, get_lead
from callblock.store import Store

Progress = Callable[[str, int, int], None]  # (phase, done, total)
PROGRESS_EVERY = 1000
PLANNED = CsvRow(0, [])  # in place of a good row once planned (a bad one is kept: rejects)


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
    # line -> the row as inserted (a dict once a later row merged into it)
    new: dict[int, bytes | dict[str, Any]] = field(default_factory=dict)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # lead id -> changes
    bad_rows: list[CsvRow] = field(default_factory=list)
    # A large import on SQLite inserts each new lead as it is decided (import_writer.py);
    # what later rows merge into one of them is applied at the end: line -> changes.
    writer: StreamedInsert | None = None
    line_updates: dict[int, dict[str, Any]] = field(default_factory=dict)


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
    with collector_paused():
        return _import(store, clock, path, options, progress)


def _import(
    store: Store, clock: Clock, path: Path, options: ImportOptions, progress: Progress | None
) -> ImportReport:
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
    plan = _Plan()
    if len(table.rows) >= PARALLEL_FROM and not options.dry_run and store.dialect == "sqlite":
        plan.writer = StreamedInsert(Path(store.path), options.settings)  # type: ignore[arg-type]
    try:
        _plan(store, clock, table.rows, columns, options, report, progress, plan)
    except BaseException:
        if plan.writer:
            plan.writer.abort()
        raise
    if (report.problems and not options.skip_invalid) or options.dry_run:
        if plan.writer:
            plan.writer.abort()
        return report  # all-or-nothing: nothing written
    rejects = None
    if plan.bad_rows:  # staged beside its target; moved into place only once the rows are in
        report.rejects_path = rejects_target
        rejects = StagedFile(report.rejects_path, option="--rejects")
    total = len(plan.new) + len(plan.updates)
    try:
        if rejects:
            _write_rejects(rejects.stream, table.header, plan.bad_rows, report.problems)
        if plan.writer:
            report.lead_ids = _finish_streamed(store, plan)
        else:
            _write(store, plan, options, report, total, progress)
    except BaseException:
        if plan.writer:
            plan.writer.abort()
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


def _write(
    store: Store,
    plan: _Plan,
    options: ImportOptions,
    report: ImportReport,
    total: int,
    progress: Progress | None,
) -> None:
    with store.bulk_writes(), store.transaction():
        rows = (v if isinstance(v, dict) else row_values(v) for v in plan.new.values())
        bulk = len(plan.new) >= PARALLEL_FROM
        report.lead_ids = store.leads.insert_leads(_counted(rows, total, progress), bulk=bulk)
        if not options.settings.cadence.steps[0].is_call:  # a first task: see first_due
            refresh_due(store, options.settings, options.settings.weights, report.lead_ids)
        for lead_id, changes in plan.updates.items():
            store.leads.update_lead_fields(lead_id, changes)


def _finish_streamed(store: Store, plan: _Plan) -> list[int]:
    """The streamed import's end: the merges into its new leads and into stored leads
    applied in its transaction, then the commit."""
    assert plan.writer is not None
    position = {line: index for index, line in enumerate(plan.new)}
    updates = {position[line]: changes for line, changes in plan.line_updates.items()}
    ids = plan.writer.finish(updates, plan.updates)
    return ids


def _plan(
    store: Store,
    clock: Clock,
    rows: list[CsvRow],
    columns: list[Column],
    options: ImportOptions,
    report: ImportReport,
    progress: Progress | None,
    plan: _Plan,
) -> None:
    now = clock.now()
    reps = (
        frozenset(rep.name for rep in store.admin.current_reps())
        if store.admin.has_reps()
        else None
    )
    owner = checked_owner(store, options.owner)
    rules = RowRules(options.default_region, options.default_zone, now, owner, reps)
    existing: dict[int, dict[str, Any]] = {}
    if progress:
        progress("checking", 0, len(rows))  # the phase's clock starts
    with RowPool(len(rows)) as pool:
        checked = pool.check(columns, rows, rules, options.settings)  # the workers start
        index = DuplicateIndex()
        # The leads already stored are keyed here while the workers check the file (shipping
        # 100,000 keys back from workers costs more than computing them).
        for entry in store.leads.search_entries():
            keys = match_keys(entry.name, entry.company, entry.phone, entry.email)
            index.add(("lead", entry.lead_id), keys)
        for done, (row, result) in enumerate(zip(rows, checked, strict=True), start=1):
            if progress and done % PROGRESS_EVERY == 0:
                progress("checking", done, len(rows))
            if isinstance(result, list):
                report.problems += result
                report.rejected += 1
                plan.bad_rows.append(row)
                if plan.writer and not options.skip_invalid:  # refused: stop writing now
                    plan.writer.abort()
                    plan.writer = None
                continue
            _plan_row(store, index, plan, existing, row.line, result, report)
            rows[done - 1] = PLANNED  # its cells are not needed again: let them go
    report.imported = len(plan.new)
    if progress:
        progress("checking", len(rows), len(rows))


def _plan_row(
    store: Store,
    index: DuplicateIndex,
    plan: _Plan,
    existing: dict[int, dict[str, Any]],
    line: int,
    row: CheckedRow,
    report: ImportReport,
) -> None:
    """A new lead, or a merge into a stored lead or an earlier row of the file."""
    target, match, other = _match(store, index, row.keys, row.lead_id)
    if target is not None:
        kind, ref = target
        current: dict[str, Any]
        if kind == "line":
            earlier = plan.new[ref]  # a dict once merged into; a row as inserted until then
            current = earlier if isinstance(earlier, dict) else decoded_record(earlier)
            plan.new[ref] = current
        else:
            current = existing.setdefault(ref, mergeable_fields(store, get_lead(store, ref)))
        record = row.record() | {"temperature": row.temperature}
        merge = merge_records(current, record, f"import line {line}")
        if merge.too_long:  # kept as its own lead, for a person to decide: nothing lost
            assert match is not None
            reason = f"{match.reason}; not merged: {merge.refusal()}"
            target, match, other = None, replace(match, reason=reason), f"{kind} {ref}"
    if target is None:
        plan.new[line] = row.values
        if plan.writer:
            plan.writer.add(row.values)
        index.add(("line", line), row.keys)
        if match is not None:
            report.reviews.append(Review(line, other, match.score, match.reason))
        return
    report.merged += 1
    report.kept += [Kept(line, f"{kind} {ref}", f, v) for f, v in merge.kept]
    current.update(merge.changes)
    changed = plan.updates if kind == "lead" else plan.line_updates
    changed.setdefault(ref, {}).update(merge.changes)
    reason = match.reason if match else ""
    report.merges.append(f"line {line} -> {kind} {ref}: {reason}")


def _match(
    store: Store, index: DuplicateIndex, keys: MatchKeys, lead_id: int | None
) -> tuple[tuple[str, int] | None, Match | None, str]:
    """(merge target, best review match, its ref text): what this row duplicates, if anything."""
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


def _counted(records: Any, total: int, progress: Progress | None) -> Any:
    if progress:
        progress("writing", 0, total)
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
