"""The store: schema versions, refusal of foreign or newer databases, WAL, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from callblock.store import Store, StoreError
from callblock.store.migrations import SCHEMA_VERSION


def test_a_new_database_is_migrated_to_the_current_version_in_wal_mode(db_path: Path) -> None:
    store = Store.open(db_path)
    try:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        version = store.conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        assert version == SCHEMA_VERSION
    finally:
        store.close()
    Store.open(db_path).close()  # opening again is a no-op


def test_a_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer than this callblock knows"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not callblock's"):
        Store.open(path)


def test_a_failed_transaction_writes_nothing(store: Store, make_lead) -> None:
    lead_id = make_lead()
    with pytest.raises(RuntimeError), store.transaction():
        store.leads.set_lead_state(lead_id, "do-not-call", True)
        raise RuntimeError("boom")
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.status.value == "new" and not lead.bad_number


def test_writes_begin_immediate(store: Store) -> None:
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.sessions.insert_session("alice", "Power hour", "2026-11-23T19:00:00+00:00", 60)
    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements[-1] == "COMMIT"
