"""Sessions (one running app working one block) and the leases they hold on leads.

"One lead, one screen" is decided here: a lead is claimed by a session inside a write
transaction, so the check that nobody else holds it and the claim cannot be split by another
process's write. SQLite's write transaction holds the whole database; on PostgreSQL (READ
COMMITTED) the claim locks the lead's row without waiting (SKIP LOCKED: a lead another
transaction is deciding on counts as taken) and one conditional upsert decides, and the
sessions' take-over, heartbeat and suspend are conditional UPDATEs whose rowcount decides.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from callblock.domain.models import Session
from callblock.store.convert import session_from_row
from callblock.store.db import Connection, dialect_of, insert_returning_id, write_transaction


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lead now: a rep's session."""

    rep: str
    session_id: int


# The holder of a lead another transaction is deciding on right now (PostgreSQL's SKIP LOCKED
# passed it over): some other session, not yet known.
BUSY = Holder("another rep", 0)


@dataclass(frozen=True, slots=True)
class OpenSession:
    """A session not ended: running (its owner's heartbeat is recent) or suspended."""

    session: Session
    owner: str | None  # the running process's token; None once suspended
    heartbeat_at: str | None
    state: dict[str, Any]


class SessionQueries:
    conn: Connection

    # sessions ------------------------------------------------------------------------------
    def insert_session(
        self,
        rep: str,
        block_name: str,
        started_at: str,
        target: int,
        owner: str | None = None,
    ) -> int:
        with write_transaction(self.conn):
            return insert_returning_id(
                self.conn,
                "INSERT INTO sessions (rep, block_name, started_at, target_per_hour, owner, "
                "heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)",
                (rep, block_name, started_at, target, owner, started_at if owner else None),
            )

    def end_session(self, session_id: int, ended_at: str) -> None:
        """End the session and let go of every lead it holds."""
        with write_transaction(self.conn):
            self.conn.execute(
                "UPDATE sessions SET ended_at = ?, owner = NULL WHERE id = ? AND ended_at IS NULL",
                (ended_at, session_id),
            )
            self.conn.execute("DELETE FROM leases WHERE session_id = ?", (session_id,))

    def get_session(self, session_id: int) -> Session | None:
        row = self.conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return session_from_row(row) if row else None

    def open_sessions(self, rep: str) -> list[OpenSession]:
        """The rep's sessions not ended, newest first."""
        rows = self.conn.execute(
            "SELECT * FROM sessions WHERE rep = ? AND ended_at IS NULL ORDER BY id DESC", (rep,)
        ).fetchall()
        return [_open_session(row) for row in rows]

    def live_sessions(self, since: str) -> list[OpenSession]:
        """Sessions whose process was alive at `since` or later (who is online)."""
        rows = self.conn.execute(
            "SELECT * FROM sessions WHERE ended_at IS NULL AND owner IS NOT NULL "
            "AND heartbeat_at >= ? ORDER BY id",
            (since,),
        ).fetchall()
        return [_open_session(row) for row in rows]

    def session_owner(self, session_id: int) -> str | None:
        row = self.conn.execute("SELECT owner FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return row[0] if row else None

    def adopt_session(self, session_id: int, owner: str, now: str) -> bool:
        """This process runs the (open) session from now on; the one that ran it, if any, sees
        it is no longer the owner at its next heartbeat. Its leases are let go."""
        with write_transaction(self.conn):
            cursor = self.conn.execute(
                "UPDATE sessions SET owner = ?, heartbeat_at = ? WHERE id = ? AND ended_at IS NULL",
                (owner, now, session_id),
            )
            self.conn.execute("DELETE FROM leases WHERE session_id = ?", (session_id,))
        return cursor.rowcount == 1

    def heartbeat(self, session_id: int, owner: str, now: str, until: str) -> bool:
        """Still alive: renew the session's leases. False when another process has taken the
        session over (or it was ended): this one must stop showing its lead."""
        with write_transaction(self.conn):
            cursor = self.conn.execute(
                "UPDATE sessions SET heartbeat_at = ? WHERE id = ? AND owner = ? "
                "AND ended_at IS NULL",
                (now, session_id, owner),
            )
            if cursor.rowcount != 1:
                return False
            self.conn.execute(
                "UPDATE leases SET expires_at = ? WHERE session_id = ?", (until, session_id)
            )
        return True

    def save_session_state(
        self, session_id: int, owner: str, state: dict[str, Any], *, suspend: bool = False
    ) -> bool:
        """Keep what a reconnect needs; `suspend` also lets go of the session and its leases
        (the terminal is gone). False when this process no longer owns the session."""
        with write_transaction(self.conn):
            cursor = self.conn.execute(
                "UPDATE sessions SET state = ? WHERE id = ? AND owner = ? AND ended_at IS NULL",
                (json.dumps(state), session_id, owner),
            )
            if cursor.rowcount != 1:
                return False
            if suspend:
                self.conn.execute("UPDATE sessions SET owner = NULL WHERE id = ?", (session_id,))
                self.conn.execute("DELETE FROM leases WHERE session_id = ?", (session_id,))
        return True

    # leases --------------------------------------------------------------------------------
    def lock_lead(self, lead_id: int, session_id: int, now: str) -> bool:
        """Inside the caller's write transaction: hold the lead so no other claim can decide on
        it until this transaction ends; False when it is taken. On SQLite the write transaction
        (BEGIN IMMEDIATE) already holds the whole database. On PostgreSQL the lead's row is
        locked without waiting (SKIP LOCKED: a lead another transaction is deciding on counts
        as taken), and a lead another session visibly holds is not even locked: its holder's
        own writes (an outcome, a release) never wait on a claimer passing by."""
        if dialect_of(self.conn) != "postgresql":
            return True
        holder = self.lease_holder(lead_id, now)
        if holder is not None and holder.session_id != session_id:
            return False
        row = self.conn.execute(
            "SELECT id FROM leads WHERE id = ? FOR NO KEY UPDATE SKIP LOCKED", (lead_id,)
        ).fetchone()
        return row is not None

    def first_free(
        self, candidates: Sequence[tuple[int, str | None]], session_id: int, now: str
    ) -> int | None:
        """Inside the caller's write transaction: the position of the first of `candidates`
        (lead id, and the time it must not have been touched after: its spacing; None for a
        promised call) that no other session holds; None when none is. On PostgreSQL in one
        statement that locks that lead's row and passes over rows other claims hold (SKIP
        LOCKED): a busy floor takes a list apart between two keys, and a claim per lead
        tried was a transaction per lead already gone."""
        if not candidates:
            return None
        if dialect_of(self.conn) == "postgresql":
            row = self.conn.execute(
                "SELECT c.position FROM unnest(?::int[], ?::text[]) WITH ORDINALITY "
                "AS c(lead_id, spaced_before, position) JOIN leads l ON l.id = c.lead_id "
                "WHERE (c.spaced_before IS NULL OR l.last_touch_at IS NULL "
                "OR l.last_touch_at <= c.spaced_before) AND NOT EXISTS ("
                "SELECT 1 FROM leases s WHERE s.lead_id = l.id AND s.expires_at > ? "
                "AND s.session_id != ?) ORDER BY c.position LIMIT 1 "
                "FOR NO KEY UPDATE OF l SKIP LOCKED",
                ([lead for lead, _ in candidates], [at for _, at in candidates], now, session_id),
            ).fetchone()
            return None if row is None else int(row[0]) - 1
        ids = [lead for lead, _ in candidates]
        touched: dict[int, str | None] = {}
        held: set[int] = set()
        for start in range(0, len(ids), 500):  # SQLite: the write transaction holds everything
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT id, last_touch_at FROM leads WHERE id IN ({marks})", chunk
            )
            touched.update((row[0], row[1]) for row in rows)
            rows = self.conn.execute(
                f"SELECT lead_id FROM leases WHERE expires_at > ? AND session_id != ? "
                f"AND lead_id IN ({marks})",
                (now, session_id, *chunk),
            )
            held.update(row[0] for row in rows)
        for position, (lead, spaced_before) in enumerate(candidates):
            if lead not in touched or lead in held:
                continue
            last = touched[lead]
            if spaced_before is None or last is None or last <= spaced_before:
                return position
        return None

    def claim(self, lead_id: int, session_id: int, rep: str, now: str, until: str) -> Holder | None:
        """Lease the lead to the session (inside the caller's write transaction, or one of its
        own); the holder instead when another session holds an unexpired lease on it.

        The lease is one upsert that only takes an expired lease or this session's own, and
        says (RETURNING) whether it did: two sessions can never both win. On PostgreSQL the
        lead's row and its lease row are locked first without waiting (SKIP LOCKED): a lead
        another transaction is deciding on counts as taken, so no claim waits on another."""
        with write_transaction(self.conn):
            if not self.lock_lead(lead_id, session_id, now) or not self._lock_lease(lead_id):
                holder = self.lease_holder(lead_id, now)
                if holder is not None and holder.session_id == session_id:
                    return None  # its unexpired lease: nobody else can take the lead before
                return holder or BUSY
            won = self.conn.execute(
                "INSERT INTO leases (lead_id, session_id, rep, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (lead_id) DO UPDATE SET session_id = excluded.session_id, "
                "rep = excluded.rep, expires_at = excluded.expires_at "
                "WHERE leases.expires_at <= ? OR leases.session_id = excluded.session_id "
                "RETURNING session_id",
                (lead_id, session_id, rep, until, now),
            ).fetchall()
            if not won:
                return self.lease_holder(lead_id, now) or BUSY
        return None

    def _lock_lease(self, lead_id: int) -> bool:
        """PostgreSQL, the lead's row held: lock its lease row, if it has one (expired, or this
        session's), without waiting; False when another transaction holds it (a release, a
        heartbeat: the lead counts as taken)."""
        if dialect_of(self.conn) != "postgresql":
            return True
        if self.conn.execute(
            "SELECT lead_id FROM leases WHERE lead_id = ? FOR UPDATE SKIP LOCKED", (lead_id,)
        ).fetchone():
            return True
        # no row we could lock: none at all (no other insert can meet ours: the lead's row is
        # held), or one another transaction holds
        exists = self.conn.execute("SELECT 1 FROM leases WHERE lead_id = ?", (lead_id,))
        return exists.fetchone() is None

    def release(self, lead_id: int, session_id: int) -> None:
        with write_transaction(self.conn):
            self.conn.execute(
                "DELETE FROM leases WHERE lead_id = ? AND session_id = ?", (lead_id, session_id)
            )

    def lease_holder(self, lead_id: int, now: str, *, hold: bool = False) -> Holder | None:
        """Who holds the lead now. `hold` (inside the caller's write transaction, before it
        writes for the lead: an outcome, a merge): no claim can take the lead until that
        transaction ends. SQLite's write transaction holds the whole database already; on
        PostgreSQL the lead's row is locked (waiting for a claim deciding on it right now)."""
        if hold and dialect_of(self.conn) == "postgresql":
            self.conn.execute("SELECT id FROM leads WHERE id = ? FOR NO KEY UPDATE", (lead_id,))
        row = self.conn.execute(
            "SELECT rep, session_id FROM leases WHERE lead_id = ? AND expires_at > ?",
            (lead_id, now),
        ).fetchone()
        return Holder(row[0], row[1]) if row else None

    def lease_holders(self, lead_ids: list[int], now: str) -> dict[int, str]:
        """The rep holding each of these leads now (leads nobody holds are left out)."""
        if not lead_ids:
            return {}
        held: dict[int, str] = {}
        for start in range(0, len(lead_ids), 500):
            chunk = lead_ids[start : start + 500]
            rows = self.conn.execute(
                f"SELECT lead_id, rep FROM leases WHERE expires_at > ? "
                f"AND lead_id IN ({', '.join('?' * len(chunk))})",
                (now, *chunk),
            )
            held.update((row[0], row[1]) for row in rows)
        return held


def _open_session(row: sqlite3.Row) -> OpenSession:
    try:
        state = json.loads(row["state"] or "{}")
    except ValueError:
        state = {}
    return OpenSession(
        session_from_row(row),
        row["owner"],
        row["heartbeat_at"],
        state if isinstance(state, dict) else {},
    )
