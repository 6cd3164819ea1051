"""An import's row work, spread over the machine's cores: validate, key and encode each row.

Everything a row needs that does not depend on other rows or on the database is done here,
in worker processes for a large file: validation (phone parsing dominates it), the duplicate
keys and the row as the leads table stores it. What comes back is small and cheap to pickle
(the encoded row and the keys as plain tuples): unpickling 100,000 dataclasses cost the main
process more than the workers saved. Results come back in the file's order, chunk by chunk,
so the importer matches the first rows while the workers check the rest.
"""

from __future__ import annotations

import collections
import gc
import json
import marshal
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from callblock.clock import iso
from callblock.config import Settings
from callblock.domain.dedupe import MatchKeys, match_keys
from callblock.domain.headers import Column
from callblock.domain.import_rows import LeadRow, Problem, RowRules, validate_row
from callblock.domain.models import Temperature
from callblock.services.cadence import first_due
from callblock.services.csvfile import CsvRow
from callblock.store.convert import JSON_COLUMNS, lead_row
from callblock.store.lead_admin import INSERT_COLUMNS

if TYPE_CHECKING:
    from concurrent.futures import Future

PARALLEL_FROM = 5000  # rows: smaller files are checked in-process
CHUNKS_PER_WORKER = 8  # small enough that the first rows come back early
# The workers' priority below the importer's own: they finish ahead of it (it matches each
# row against the leads and the rows before it, one at a time, and is the import's critical
# path), and reps dialing on the same host come first. 100,000 rows: ~0.3 s sooner.
WORKER_NICENESS = 5


@dataclass(frozen=True, slots=True)
class CheckedRow:
    """A valid row as the importer plans with it."""

    values: bytes  # the leads table's INSERT_COLUMNS, encoded, marshalled (see row_values)
    keys: MatchKeys
    lead_id: int | None  # callblock's own id, from one of its exports
    temperature: str | None  # the row's own temperature (None: it gave none)

    def record(self) -> dict[str, Any]:
        return decoded_record(self.values)


def row_values(values: bytes) -> tuple[Any, ...]:
    """A checked row's column values. They travel and wait marshalled: half the memory of
    the tuple (100,000 rows: ~60 MB less), and cheaper to pickle."""
    return cast("tuple[Any, ...]", marshal.loads(values))


def decoded_record(values: bytes) -> dict[str, Any]:
    """An encoded row as a record again (domain values, for a merge): what `row_record`
    built."""
    record = dict(zip(INSERT_COLUMNS, row_values(values), strict=True))
    del record["fit_score"]
    for name in JSON_COLUMNS:
        if isinstance(record.get(name), str):
            record[name] = json.loads(record[name])
    return record


Checked = CheckedRow | list[Problem]
_Packed = tuple[bytes, tuple[Any, ...], int | None, str | None] | list[Problem]
_KEY_FIELDS = MatchKeys.__slots__


def row_record(row: LeadRow, now: datetime, settings: Settings) -> dict[str, Any]:
    """A valid row as the record the leads table gets (first due time from the cadence)."""
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection for the duration: an import allocates millions of small
    containers and makes no cycles, and each collection walks all of them again (keying
    100,000 leads: 1.3 s with it, 0.55 s without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RowPool:
    """Row checks in worker processes for a large file, in-process for a small one."""

    def __init__(self, size: int) -> None:
        workers = min(os.cpu_count() or 1, 4)
        self.workers = workers if size >= PARALLEL_FROM and workers > 1 else 1
        self.pool: Any = None

    def __enter__(self) -> RowPool:
        if self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # The workers exit when this process dies, even by SIGKILL (never left running).
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(_start_method()),
                initializer=_worker_started,
                initargs=(os.getpid(),),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def check(
        self,
        columns: list[Column],
        rows: Sequence[CsvRow],
        rules: RowRules,
        settings: Settings,
    ) -> Iterator[Checked]:
        """Each row's check, in order. With workers, the first chunks are sent at once and the
        rest as results are read (a few in flight): the caller's work, from here on, overlaps
        the workers'."""
        if self.pool is None:
            chunk = [(row.cells, row.line) for row in rows]
            return (_unpacked(item) for item in _check_chunk((columns, rules, settings, chunk)))
        size = -(-len(rows) // (self.workers * CHUNKS_PER_WORKER)) or 1
        starts = collections.deque(range(0, len(rows), size))
        shared = (columns, rules, settings)

        def submit() -> Future[list[_Packed]]:
            start = starts.popleft()
            chunk = [(row.cells, row.line) for row in rows[start : start + size]]
            return self.pool.submit(_check_chunk, (*shared, chunk))

        futures = collections.deque(submit() for _ in range(min(self.workers * 2, len(starts))))
        return _in_order(futures, starts, submit)


def _in_order(
    futures: collections.deque[Future[list[_Packed]]],
    starts: collections.deque[int],
    submit: Callable[[], Future[list[_Packed]]],
) -> Iterator[Checked]:
    """Each chunk's rows as it comes, the next chunk sent as one is taken: the workers keep
    ahead of the caller, and no chunk's cells or results are held longer than needed (100,000
    rows held at once cost ~250 MB)."""
    while futures:
        done = futures.popleft().result()
        if starts:
            futures.append(submit())
        for item in done:
            yield _unpacked(item)


def _worker_started(parent: int) -> None:
    """A worker's first step: it dies with `parent`, and yields the CPU to it and to the
    reps' sessions on the host (see WORKER_NICENESS); a spawned one ran the command's entry
    again on import, so its start-up is declared over (callblock/startup.py)."""
    from callblock import startup
    from callblock.services.lifeline import die_with_parent

    startup.finished()
    die_with_parent(parent)
    os.nice(WORKER_NICENESS)


def _start_method() -> str:
    """fork where it is safe, else spawn. A forked worker starts in ~0 s with the modules it
    needs already loaded (a spawned one imports them again: ~0.6 s of CPU each); forking a
    process with other threads (the app imports from a worker thread) can leave a lock held
    in the child, so that one spawns."""
    import multiprocessing
    import threading

    single = threading.active_count() == 1
    return "fork" if single and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _unpacked(item: _Packed) -> Checked:
    if isinstance(item, list):
        return item
    values, keys, lead_id, temperature = item
    return CheckedRow(values, MatchKeys(*keys), lead_id, temperature)


def _check_chunk(
    job: tuple[list[Column], RowRules, Settings, list[tuple[list[str], int]]],
) -> list[_Packed]:
    columns, rules, settings, chunk = job
    with collector_paused():
        return _checked(columns, rules, settings, chunk)


def _checked(
    columns: list[Column], rules: RowRules, settings: Settings, chunk: list[tuple[list[str], int]]
) -> list[_Packed]:
    width = len(columns)
    out: list[_Packed] = []
    for cells, line in chunk:
        result = validate_row(columns, cells, line, rules)
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            extra = Problem(line, "(row)", f"{len(cells)} cells; the header has {width}")
            result = [*result, extra] if isinstance(result, list) else [extra]
        if isinstance(result, list):
            out.append(result)
            continue
        keys = match_keys(result.name, result.company, result.phone, result.email)
        values = marshal.dumps(lead_row(row_record(result, rules.now, settings), INSERT_COLUMNS)[1])
        temperature = result.temperature and result.temperature.value
        packed = tuple(getattr(keys, name) for name in _KEY_FIELDS)
        out.append((values, packed, result.lead_id, temperature))
    return out
