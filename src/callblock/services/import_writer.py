"""A large import's new leads written while the rest of the file is still being planned.

The importer decides row by row, in file order, whether a row is a new lead; planning and
inserting used to take turns (100,000 rows: ~7 s of planning, then ~3 s of inserting on one
core while the other idled). Here a thread inserts each new lead as soon as it is decided,
over its own connection in one write transaction (SQLite releases the GIL while it writes),
and at the end applies what later rows merged into those leads, then commits; or rolls it
all back when the import is refused or fails. Nothing is visible to anyone before the commit:
the import stays all-or-nothing. The write lock is held from the first new lead to the end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from callblock.config import Settings
from callblock.services.cadence import refresh_due
from callblock.services.import_workers import row_values
from callblock.store import Store

_END = object()  # no more rows
_ABORT = object()  # roll back


class StreamedInsert:
    """Rows in, in order; `finish` applies the updates and commits, `abort` rolls back."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self._path = path
        self._settings = settings
        self._rows: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._end: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._ids: list[int] = []
        self._closed = False
        self._rows_taken = False  # the writer took every row (and _END)
        self._end_taken = False
        # Started with the first row, not here: the import's workers fork only from a process
        # without other threads (import_workers._start_method), and they start after this.
        self._thread = threading.Thread(target=self._run, name="callblock-import-writer")

    def add(self, values: bytes) -> None:
        """A new lead's row (marshalled: import_workers.row_values)."""
        if self._thread.ident is None:
            self._thread.start()
        self._rows.put(values)

    def finish(
        self, updates: dict[int, dict[str, Any]], stored: dict[int, dict[str, Any]]
    ) -> list[int]:
        """Commit, after applying `updates` ({position of a row added -> its changes}) and
        `stored` ({lead id -> changes}, merges into leads stored before); the new leads' ids,
        in the rows' order. Raises what the writer met."""
        self._close((updates, stored))
        if self._error is not None:
            raise self._error
        return self._ids

    def abort(self) -> None:
        """Roll everything back (an error the writer met is dropped: nothing was kept)."""
        self._close(_ABORT)

    def _close(self, end: object) -> None:
        if self._closed:
            return
        self._closed = True
        if self._thread.ident is None:  # no row came
            if end is _ABORT:
                return
            self._thread.start()  # the merges into stored leads are still to be written
        self._rows.put(_END)
        self._end.put(end)
        self._thread.join()

    def _rows_in(self) -> Iterator[tuple[Any, ...]]:
        while (values := self._rows.get()) is not _END:
            yield row_values(values)
        self._rows_taken = True

    def _run(self) -> None:
        try:
            writer = Store.open(self._path)
        except BaseException as error:
            self._error = error
            self._drain()
            return
        try:
            with writer.bulk_writes(), writer.transaction():
                ids = writer.leads.insert_leads(self._rows_in(), bulk=True)
                end = self._end.get()
                self._end_taken = True
                if end is _ABORT:
                    raise _RolledBack
                updates, stored = end
                for position, changes in updates.items():  # as if merged before the insert
                    writer.leads.update_lead_fields(ids[position], changes)
                if not self._settings.cadence.steps[0].is_call:  # a first task: first_due
                    refresh_due(writer, self._settings, self._settings.weights, ids)
                for lead_id, changes in stored.items():
                    writer.leads.update_lead_fields(lead_id, changes)
            self._ids = ids
        except _RolledBack:
            pass
        except BaseException as error:
            self._error = error
            self._drain()
        finally:
            writer.close()

    def _drain(self) -> None:
        """After a failure: take the rest of the rows, and the end, so the caller never waits."""
        while not self._rows_taken:
            self._rows_taken = self._rows.get() is _END
        if not self._end_taken:
            self._end.get()


class _RolledBack(Exception):
    pass
