"""Migration: the first and last name of every lead stored before they were kept (issue 11).

Parsed from the name as an add or import does now, so templates with `first_name` render for
old leads too. Leads whose parts are already set are left alone.
"""

from __future__ import annotations

import sqlite3

from callblock.domain.names import name_parts

BATCH = 5000


def backfill_name_parts(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT id, name FROM leads WHERE first_name = '' AND last_name = ''"
    ).fetchall()
    for start in range(0, len(rows), BATCH):
        parts = [
            (*name_parts(name or ""), lead_id) for lead_id, name in rows[start : start + BATCH]
        ]
        conn.executemany(
            "UPDATE leads SET first_name = ?, last_name = ? WHERE id = ?",
            [part for part in parts if part[0] or part[1]],
        )
