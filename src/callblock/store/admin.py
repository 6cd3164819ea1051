"""The admin aggregate: the team's reps and keys, the team settings, the meta table, row
counts and the database's health."""

from __future__ import annotations

import sqlite3

from callblock.store import health
from callblock.store.aggregate import Aggregate
from callblock.store.db import StoreFault
from callblock.store.schedule import MetaQueries
from callblock.store.team import TeamQueries
from callblock.store.team_settings import TeamSettingsQueries


class AdminStore(Aggregate, TeamQueries, TeamSettingsQueries, MetaQueries):
    def count(self, table: str) -> int:
        if table not in {"leads", "touches", "callbacks", "sessions", "audit", "leases"}:
            raise ValueError(f"unknown table {table}")
        row = self._one(f"SELECT count(*) FROM {table}")
        return int(row[0]) if row else 0

    def damage(self) -> list[str]:
        """SQLite's quick check: what is damaged, or nothing (~0.14 s on 100k leads).

        Nothing on PostgreSQL: there is no file of ours to check and no quick_check to run.
        The server owns its storage (WAL replay after a crash, page checksums when the
        cluster has them, its own tools such as amcheck for the rest); a page it finds
        damaged fails the statement with its own error, which reaches the user as one line
        (pg.pg_fault) and rolls the write back."""
        if not isinstance(self.conn, sqlite3.Connection):
            return []
        lines = (line.strip() for row in health.quick_check(self.conn) for line in row.splitlines())
        return [line for line in lines if line not in ("ok", "", "*** in database main ***")]

    def refuse_if_damaged(self) -> None:
        """Before a write from a command: a damaged database is reported, not written to."""
        if problems := self.damage():
            raise StoreFault(
                f"{self.store.path} is damaged ({problems[0][:80]}); nothing was written. Run "
                "`callblock doctor` and restore it from a backup"
            )
