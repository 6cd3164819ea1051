"""`callblock doctor`: what is wrong in a database, read without writing a byte."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from callblock.services.learning import WEIGHTS_KEY, read_saved
from callblock.store import health
from callblock.store.health import Finding

CACHE_UNREADABLE = "unreadable: relearned on next use"


@dataclass(frozen=True, slots=True)
class DoctorReport:
    db: Path
    integrity: list[str]  # ['ok'] when PRAGMA quick_check found nothing
    findings: list[Finding]
    # Worth knowing, not a problem of the database: a cache callblock rebuilds by itself.
    notes: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Integrity and findings only: notes do not make a database unhealthy (exit 0)."""
        return self.integrity == ["ok"] and not self.findings


def check_database(path: Path) -> DoctorReport:
    """Integrity, stored times outside the window or unreadable, orphaned rows."""
    conn = health.open_read_only(path)
    try:
        integrity = health.quick_check(conn)
        try:
            present = health.tables(conn)
        except sqlite3.DatabaseError as error:
            return DoctorReport(path, integrity, [Finding("schema", None, "", "", str(error))])
        findings = [
            *health.bad_times(conn, present),
            *health.bad_values(conn, present),
            *health.bad_json(conn, present),
            *health.orphans(conn, present),
        ]
        if "leads" not in present:
            findings.insert(0, Finding("leads", None, "", "", "no leads table: not callblock's"))
        notes = _cache_notes(conn)
    finally:
        conn.close()
    return DoctorReport(path, integrity, findings, notes)


def _cache_notes(conn: sqlite3.Connection) -> list[Finding]:
    """The learned weights' row when it is there but unreadable (learning ignores it)."""
    value = health.meta_value(conn, WEIGHTS_KEY)
    if value is None or read_saved(value) is not None:
        return []
    shown = value if isinstance(value, str) else repr(value)
    return [Finding("meta", None, WEIGHTS_KEY, shown, CACHE_UNREADABLE)]
