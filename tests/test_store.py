"""The store: schema versions, refusal of foreign or newer databases, WAL, transactions.

The tests of the SQLite file itself (WAL, PRAGMAs, its bytes) open a file of their own; the
rest run on both backends (conftest.BOTH_BACKENDS)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from callblock.store import Store, StoreError
from callblock.store.migrations import SCHEMA_VERSION


def test_a_new_database_is_migrated_to_the_current_version(db_path: Path) -> None:
    store = Store.open(db_path)
    try:
        version = store.conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        assert version == SCHEMA_VERSION
        versions = store.conn.execute("SELECT count(*) FROM schema_version").fetchone()[0]
    finally:
        store.close()
    again = Store.open(db_path)  # opening again is a no-op
    try:
        assert again.conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == versions
    finally:
        again.close()


@pytest.mark.sqlite_only("the file's journal mode and SQLite's foreign-key PRAGMA")
def test_a_new_database_file_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "callblock.db")
    try:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()


def test_a_newer_schema_is_refused_and_its_versions_left_as_they_were(db_path: Path) -> None:
    store = Store.open(db_path)
    try:
        with store.transaction():
            store.conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
        before = store.conn.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    finally:
        store.close()
    with pytest.raises(StoreError, match="newer than this callblock knows"):
        Store.open(db_path)
    if str(db_path).startswith("postgresql"):
        import psycopg

        with psycopg.connect(str(db_path)) as raw:
            after = raw.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    else:
        with sqlite3.connect(db_path) as raw:
            after = raw.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    assert [tuple(row) for row in after] == [tuple(row) for row in before]


@pytest.mark.sqlite_only("the file's bytes")
def test_a_newer_schema_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db_path = tmp_path / "callblock.db"
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer than this callblock knows"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


@pytest.mark.sqlite_only("a file that is not a SQLite database")
def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


@pytest.mark.sqlite_only("another program's SQLite file")
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


@contextmanager
def statements_sent(store: Store) -> Iterator[list[str]]:
    """The statements the store's connection runs meanwhile."""
    sent: list[str] = []
    if isinstance(store.conn, sqlite3.Connection):
        store.conn.set_trace_callback(sent.append)
        try:
            yield sent
        finally:
            store.conn.set_trace_callback(None)
        return
    raw = store.conn.raw  # what reaches psycopg: BEGIN and COMMIT included

    class Traced:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(raw, name)

        def execute(self, sql, *args, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(sql.split(";")[0])  # BEGIN goes with the transaction's id query
            return raw.execute(sql, *args, **kwargs)

    store.conn.raw = Traced()
    try:
        yield sent
    finally:
        store.conn.raw = raw


def test_a_write_is_one_transaction_begun_so_writers_queue(store: Store) -> None:
    """SQLite: BEGIN IMMEDIATE (the write lock first, so concurrent writers wait, never fail);
    PostgreSQL: BEGIN ... COMMIT (rows are locked as they are written)."""
    with statements_sent(store) as sent:
        store.sessions.insert_session("alice", "Power hour", "2026-11-23T19:00:00+00:00", 60)
    begin = "BEGIN IMMEDIATE" if store.dialect == "sqlite" else "BEGIN"
    assert sent[0] == begin
    assert sent[-1] == "COMMIT"
    assert len(sent) == 3  # the insert in between


def test_a_leads_dnc_lifts_come_from_the_audit_oldest_first(store: Store, make_lead) -> None:
    """The audit's lead is read from its JSON (SQLite's json_extract; the server's jsonb, the
    expression its index is built on): the same entries, in the same order, on both."""
    first, second = make_lead(), make_lead()
    at = "2026-11-23T19:0{}:00+00:00"
    with store.transaction():
        store.touches.add_audit(at.format(1), "lee", "dnc-lifted", None, {"lead_id": first})
        store.touches.add_audit(at.format(2), "lee", "dnc-lifted", None, {"lead_id": second})
        store.touches.add_audit(at.format(3), "lee", "undo", None, {"lead_id": first})
        store.touches.add_audit(at.format(4), "kim", "dnc-lifted", None, {"lead_id": first})
    lifts = store.touches.dnc_lifts(first)
    assert [(lift["at"], lift["rep"], lift["detail"]) for lift in lifts] == [
        (at.format(1), "lee", {"lead_id": first}),
        (at.format(4), "kim", {"lead_id": first}),
    ]
    assert [entry["at"] for entry in store.touches.audit_entries("dnc-lifted")] == [
        at.format(1),
        at.format(2),
        at.format(4),
    ]
    assert [entry["action"] for entry in store.touches.audit_entries()] == [
        "dnc-lifted",
        "dnc-lifted",
        "undo",
        "dnc-lifted",
    ]
