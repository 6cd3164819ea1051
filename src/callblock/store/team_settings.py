"""A team database's settings (table `team_settings`) and the audit of their changes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from callblock.store.db import Connection, write_transaction

AUDIT_ACTION = "team-setting"


class TeamSettingsQueries:
    conn: Connection

    def team_settings(self) -> dict[str, Any]:
        """Dotted key -> value; empty on a single-user database."""
        rows = self.conn.execute("SELECT key, value FROM team_settings ORDER BY key")
        return {key: json.loads(value) for key, value in rows}

    def is_team_database(self) -> bool:
        return self.conn.execute("SELECT 1 FROM team_settings LIMIT 1").fetchone() is not None

    def write_team_settings(
        self, changes: Sequence[tuple[str, Any, Any]], *, at: str, rep: str
    ) -> None:
        """Apply (key, old, new) changes (new None: the key goes) and keep each in the audit
        table, in the caller's transaction or one of its own."""
        with write_transaction(self.conn):
            for key, old, new in changes:
                if new is None:
                    self.conn.execute("DELETE FROM team_settings WHERE key = ?", (key,))
                else:
                    self.conn.execute(
                        "INSERT INTO team_settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, json.dumps(new)),
                    )
                detail = json.dumps({"key": key, "old": old, "new": new})
                self.conn.execute(
                    "INSERT INTO audit (at, rep, action, touch_id, detail) "
                    "VALUES (?, ?, ?, NULL, ?)",
                    (at, rep, AUDIT_ACTION, detail),
                )
