"""`callblock doctor`: what is wrong in a database, read without writing a byte."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from callblock.store import health
from callblock.store.health import Finding


@dataclass(frozen=True, slots=True)
class DoctorReport:
    db: Path
    integrity: list[str]  # ['ok'] when PRAGMA quick_check found nothing
    findings: list[Finding]

    @property
    def healthy(self) -> bool:
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
        findings = [*health.bad_times(conn, present), *health.orphans(conn, present)]
        if "leads" not in present:
            findings.insert(0, Finding("leads", None, "", "", "no leads table: not callblock's"))
    finally:
        conn.close()
    return DoctorReport(path, integrity, findings)
