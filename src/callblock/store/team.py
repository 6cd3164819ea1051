"""The team's reps and their SSH keys (`team add-rep`, `team list`, `team remove-rep`)."""

from __future__ import annotations

import sqlite3

from callblock.clock import parse_iso
from callblock.domain.reps import Rep, RepKey
from callblock.store.db import Connection, write_transaction


class TeamQueries:
    conn: Connection

    def get_rep(self, name: str) -> Rep | None:
        """The rep of that exact name, current or removed."""
        row = self.conn.execute("SELECT * FROM reps WHERE name = ?", (name,)).fetchone()
        return _rep(row) if row else None

    def rep_spelled_like(self, name: str) -> Rep | None:
        """Another current rep whose name differs from `name` only in letter case."""
        row = self.conn.execute(
            "SELECT * FROM reps WHERE lower(name) = lower(?) AND name != ? AND removed_at IS NULL",
            (name, name),
        ).fetchone()
        return _rep(row) if row else None

    def current_reps(self) -> list[Rep]:
        rows = self.conn.execute(
            "SELECT * FROM reps WHERE removed_at IS NULL ORDER BY name"
        ).fetchall()
        return [_rep(row) for row in rows]

    def has_reps(self) -> bool:
        """Whether a team was ever registered (a single-user database has no reps)."""
        return self.conn.execute("SELECT 1 FROM reps LIMIT 1").fetchone() is not None

    def save_rep(self, rep: Rep, added_at: str) -> None:
        """Register the rep, or bring a removed one back with these details."""
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT INTO reps (name, role, timezone, email, phone, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
                "timezone = excluded.timezone, email = excluded.email, phone = excluded.phone, "
                "added_at = excluded.added_at, removed_at = NULL",
                (rep.name, rep.role, rep.timezone, rep.email, rep.phone, added_at),
            )

    def key_owner(self, fingerprint: str) -> str | None:
        """The rep a key is registered for now, if any."""
        row = self.conn.execute(
            "SELECT rep FROM rep_keys WHERE fingerprint = ? AND removed_at IS NULL",
            (fingerprint,),
        ).fetchone()
        return row[0] if row else None

    def add_rep_key(self, key: RepKey, added_at: str) -> None:
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT INTO rep_keys (rep, fingerprint, key, authorized_keys, line, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key.rep, key.fingerprint, key.key, key.authorized_keys, key.line, added_at),
            )

    def rep_keys(self, name: str) -> list[RepKey]:
        """The rep's current keys, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM rep_keys WHERE rep = ? AND removed_at IS NULL ORDER BY id", (name,)
        ).fetchall()
        return [
            RepKey(row["rep"], row["fingerprint"], row["key"], row["authorized_keys"], row["line"])
            for row in rows
        ]

    def release_owned_leads(self, name: str) -> int:
        """The rep's own leads go back to the team (owner none); how many."""
        with write_transaction(self.conn):
            cursor = self.conn.execute("UPDATE leads SET owner = NULL WHERE owner = ?", (name,))
        return cursor.rowcount

    def remove_rep(self, name: str, removed_at: str) -> None:
        """The rep and its keys stop being current (rows and history stay)."""
        with write_transaction(self.conn):
            self.conn.execute(
                "UPDATE rep_keys SET removed_at = ? WHERE rep = ? AND removed_at IS NULL",
                (removed_at, name),
            )
            self.conn.execute(
                "UPDATE reps SET removed_at = ? WHERE name = ? AND removed_at IS NULL",
                (removed_at, name),
            )


def _rep(row: sqlite3.Row) -> Rep:
    return Rep(
        name=row["name"],
        role=row["role"],
        timezone=row["timezone"],
        email=row["email"],
        phone=row["phone"],
        added_at=parse_iso(row["added_at"]) if row["added_at"] else None,
        removed_at=parse_iso(row["removed_at"]) if row["removed_at"] else None,
    )
