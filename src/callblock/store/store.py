"""The Store: every SQL statement callblock runs. Returns domain objects, never rows."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from callblock.domain.models import Callback, Lead, Touch
from callblock.domain.ranges import stored_in_window
from callblock.store import health, schema
from callblock.store.call_numbers import CallNumberQueries
from callblock.store.convert import (
    LEAD_COLUMNS,
    callback_from_row,
    encode_lead,
    lead_from_row,
    lead_row_sane,
    touch_from_row,
)
from callblock.store.db import (
    DatabaseBusy,
    StoreFault,
    busy_timeout,
    connect,
    disconnect,
    fault,
    write_transaction,
)
from callblock.store.dial_slots import SlotQueries
from callblock.store.filters import DNC_LIFTED
from callblock.store.lead_admin import LeadAdmin
from callblock.store.location import is_server_url
from callblock.store.queue import QueueQueries
from callblock.store.reports import ReportQueries
from callblock.store.schedule import ScheduleQueries
from callblock.store.sessions import SessionQueries
from callblock.store.tasks import TaskQueries
from callblock.store.team import TeamQueries
from callblock.store.team_settings import TeamSettingsQueries
from callblock.store.template_reports import TemplateReportQueries
from callblock.store.templates import TemplateQueries


class Store(
    QueueQueries,
    ScheduleQueries,
    SessionQueries,
    ReportQueries,
    TemplateReportQueries,
    SlotQueries,
    CallNumberQueries,
    LeadAdmin,
    TeamQueries,
    TeamSettingsQueries,
    TemplateQueries,
    TaskQueries,
):
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        if isinstance(conn, sqlite3.Connection):
            conn.row_factory = sqlite3.Row

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> Store:
        """Open (or create) the database; `create` lets an existing empty file become one.
        A `postgresql://` URL opens that server's database instead (store/server.py)."""
        if is_server_url(path):
            from callblock.store.server import open_server

            server_conn = open_server(str(path))
            return cls(server_conn, server_conn.server)  # type: ignore[arg-type]
        path = Path(path)
        conn = connect(path, create=create, check=schema.check_schema)
        try:
            schema.migrate(conn, path)
        except sqlite3.Error as error:
            disconnect(conn)
            raise fault(error, path) from None
        except BaseException:
            disconnect(conn)
            raise
        return cls(conn, path)

    def close(self) -> None:
        disconnect(self.conn)

    def damage(self) -> list[str]:
        """SQLite's quick check: what is damaged, or nothing (~0.14 s on 100k leads)."""
        lines = (line.strip() for row in health.quick_check(self.conn) for line in row.splitlines())
        return [line for line in lines if line not in ("ok", "", "*** in database main ***")]

    def refuse_if_damaged(self) -> None:
        """Before a write from a command: a damaged database is reported, not written to."""
        if problems := self.damage():
            raise StoreFault(
                f"{self.path} is damaged ({problems[0][:80]}); nothing was written. Run "
                "`callblock doctor` and restore it from a backup"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with write_transaction(self.conn):
            yield

    def writable_now(self, wait_ms: int = 500) -> bool:
        """Whether a write could start now (another process may hold the lock for long)."""
        try:
            with self.patience(wait_ms), self.transaction():
                pass
        except DatabaseBusy:
            return False
        return True

    @contextmanager
    def patience(self, milliseconds: int) -> Iterator[None]:
        """Wait at most this long for another writer (a screen retrying must not freeze)."""
        with busy_timeout(self.conn, milliseconds):
            yield

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """A large page cache for the duration (a 100,000-row import inserts into several
        indexes at random places: 40% faster with the pages kept in memory)."""
        previous = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size = -100000")  # KiB: 100 MB
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(previous)}")

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, tuple(params)).fetchone()

    # leads ---------------------------------------------------------------------------------
    def insert_lead(self, record: dict[str, Any]) -> int:
        record = encode_lead(record)
        columns = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        with self.transaction():
            cursor = self.conn.execute(
                f"INSERT INTO leads ({columns}) VALUES ({marks})", tuple(record.values())
            )
        return int(cursor.lastrowid or 0)

    def insert_many(self, table: str, records: Iterable[dict[str, Any]]) -> None:
        """Bulk insert (demo data, imports) inside the caller's transaction."""
        import sqlite_utils  # lazy: only bulk writers pay for the import

        if table == "leads":
            records = (encode_lead(record) for record in records)
        sqlite_utils.Database(self.conn).table(table).insert_all(records, batch_size=2000)

    def get_lead(self, lead_id: int) -> Lead | None:
        row = self._one(f"SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?", (lead_id,))
        return lead_from_row(row) if row else None

    def leads_by_ids(self, lead_ids: Iterable[int]) -> list[Lead]:
        """The leads with these ids, less those with a time outside the window."""
        ids = list(dict.fromkeys(lead_ids))
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self.conn.execute(f"SELECT {LEAD_COLUMNS} FROM leads WHERE id IN ({marks})", ids)
        return [lead_from_row(row) for row in rows if lead_row_sane(row)]

    def count(self, table: str) -> int:
        if table not in {"leads", "touches", "callbacks", "sessions", "audit", "leases"}:
            raise ValueError(f"unknown table {table}")
        row = self._one(f"SELECT count(*) FROM {table}")
        return int(row[0]) if row else 0

    def set_lead_state(self, lead_id: int, status: str, bad_number: bool) -> None:
        self.conn.execute(
            "UPDATE leads SET status = ?, bad_number = ? WHERE id = ?",
            (status, int(bad_number), lead_id),
        )

    def refresh_lead_counters(self, lead_id: int) -> None:
        """Recount attempts, cadence steps done (every dial, and each task completed) and the
        last touch from the touches that still count."""
        self.conn.execute(
            "UPDATE leads SET "
            "attempts = (SELECT count(*) FROM touches "
            "  WHERE lead_id = leads.id AND undone = 0 AND channel = 'call'), "
            "steps_done = (SELECT count(*) FROM touches WHERE lead_id = leads.id AND undone = 0 "
            "  AND (channel = 'call' OR step IS NOT NULL)), "
            "first_call_at = (SELECT min(at) FROM touches "
            "  WHERE lead_id = leads.id AND undone = 0 AND channel = 'call'), "
            "last_touch_at = (SELECT max(at) FROM touches WHERE lead_id = leads.id AND undone = 0) "
            "WHERE id = ?",
            (lead_id,),
        )

    def set_notes(self, lead_id: int, notes: str) -> None:
        with self.transaction():
            self.conn.execute("UPDATE leads SET notes = ? WHERE id = ?", (notes, lead_id))

    # touches -------------------------------------------------------------------------------
    def insert_touch(
        self,
        *,
        lead_id: int,
        rep: str,
        at: str,
        channel: str,
        outcome: str,
        note: str,
        session_id: int | None,
        lead_before: dict[str, Any],
        outside_window: bool = False,
        template: str | None = None,
        variant: str | None = None,
        message_id: str | None = None,
        step: int | None = None,
    ) -> int:
        """`step`: the cadence step (1-based) a task touch completes; None for a dial (every
        dial advances the cadence) and for a touch that completes nothing."""
        cursor = self.conn.execute(
            "INSERT INTO touches (lead_id, rep, at, channel, outcome, note, session_id, undone, "
            "lead_before, outside_window, template, variant, message_id, step) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
            (
                lead_id,
                rep,
                at,
                channel,
                outcome,
                note,
                session_id,
                json.dumps(lead_before),
                int(outside_window),
                template,
                variant,
                message_id,
                step,
            ),
        )
        return int(cursor.lastrowid or 0)

    def get_touch(self, touch_id: int) -> Touch | None:
        row = self._one("SELECT * FROM touches WHERE id = ?", (touch_id,))
        return touch_from_row(row) if row else None

    def touch_lead_before(self, touch_id: int) -> dict[str, Any]:
        row = self._one("SELECT lead_before FROM touches WHERE id = ?", (touch_id,))
        return json.loads(row[0]) if row and row[0] else {}

    def touches_for_lead(self, lead_id: int) -> list[Touch]:
        rows = self.conn.execute(
            "SELECT * FROM touches WHERE lead_id = ? AND undone = 0 ORDER BY at DESC, id DESC",
            (lead_id,),
        )
        return [touch_from_row(row) for row in rows]

    def last_live_touch(self, session_id: int) -> Touch | None:
        row = self._one(
            "SELECT * FROM touches WHERE session_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1",
            (session_id,),
        )
        return touch_from_row(row) if row else None

    def mark_touch_undone(self, touch_id: int) -> None:
        self.conn.execute("UPDATE touches SET undone = 1 WHERE id = ?", (touch_id,))

    def set_touch_note(self, touch_id: int, note: str) -> None:
        with self.transaction():
            self.conn.execute("UPDATE touches SET note = ? WHERE id = ?", (note, touch_id))

    def session_outcomes(self, session_id: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT outcome FROM touches WHERE session_id = ? AND undone = 0", (session_id,)
        )
        return [row[0] for row in rows]

    # callbacks and appointments ------------------------------------------------------------
    def insert_callback(
        self, *, lead_id: int, rep: str, due_at: str, kind: str, created_by_touch: int | None
    ) -> int:
        cursor = self.conn.execute(
            "INSERT INTO callbacks (lead_id, rep, due_at, kind, state, created_by_touch) "
            "VALUES (?, ?, ?, ?, 'open', ?)",
            (lead_id, rep, due_at, kind, created_by_touch),
        )
        return int(cursor.lastrowid or 0)

    def close_promises(self, lead_id: int, touch_id: int, *, due_before: str | None) -> None:
        """Close the lead's open promises (all, or those due before a time) by a touch."""
        due = "AND due_at <= ?" if due_before else ""
        params = (touch_id, lead_id, due_before) if due_before else (touch_id, lead_id)
        self.conn.execute(
            "UPDATE callbacks SET state = 'closed', closed_by_touch = ? "
            f"WHERE lead_id = ? AND state = 'open' {due}",
            params,
        )

    def replace_promises(self, lead_id: int, touch_id: int, kinds: Sequence[str]) -> None:
        """The lead's open promises of `kinds` are replaced by the one `touch_id` sets (state
        'replaced'; undoing the touch opens them again)."""
        marks = ", ".join("?" for _ in kinds)
        self.conn.execute(
            "UPDATE callbacks SET state = 'replaced', closed_by_touch = ? "
            f"WHERE lead_id = ? AND state = 'open' AND kind IN ({marks})",
            (touch_id, lead_id, *kinds),
        )

    def revert_promises_of_touch(self, touch_id: int) -> None:
        """Undo a touch's effect on promises: drop those it created, reopen those it closed."""
        self.conn.execute(
            "UPDATE callbacks SET state = 'undone' WHERE created_by_touch = ?", (touch_id,)
        )
        self.conn.execute(
            "UPDATE callbacks SET state = 'open', closed_by_touch = NULL WHERE closed_by_touch = ?",
            (touch_id,),
        )

    def open_promises(self, lead_id: int) -> list[Callback]:
        rows = self.conn.execute(
            "SELECT * FROM callbacks WHERE lead_id = ? AND state = 'open' ORDER BY due_at",
            (lead_id,),
        )
        return [callback_from_row(row) for row in rows]

    # audit ------------------------------------------------------------------------------
    def add_audit(
        self, at: str, rep: str, action: str, touch_id: int | None, detail: dict[str, Any]
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, rep, action, touch_id, detail) VALUES (?, ?, ?, ?, ?)",
            (at, rep, action, touch_id, json.dumps(detail)),
        )

    def dnc_lifts(self, lead_id: int) -> list[dict[str, Any]]:
        """The audit entries taking the lead off do-not-call, oldest first (an index read: the
        power hour shows them with each lead)."""
        rows = self.conn.execute(
            f"SELECT at, rep, action, touch_id, detail FROM audit WHERE {DNC_LIFTED} "
            "AND json_extract(detail, '$.lead_id') = ? ORDER BY id",
            (lead_id,),
        )
        # a time another tool wrote unreadable is left out (as the lead lists do), not a crash
        return [
            dict(row) | {"detail": json.loads(row["detail"] or "{}")}
            for row in rows
            if stored_in_window(row["at"])
        ]

    def audit_entries(self, action: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT at, rep, action, touch_id, detail FROM audit"
        rows = (
            self.conn.execute(sql + " WHERE action = ?", (action,))
            if action
            else (self.conn.execute(sql))
        )
        return [dict(row) | {"detail": json.loads(row["detail"] or "{}")} for row in rows]
