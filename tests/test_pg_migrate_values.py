"""`migrate-db` and a value the server's columns cannot hold (issue 13): SQLite keeps a NUL
character in text, bytes in a text column, words in a number column; PostgreSQL refuses each.
The copy names the file, table, row and column, copies nothing, and leaves the file as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from callblock.cli import main
from tests.pg_server import PASSWORD, PgServer


def _team_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    db = tmp_path / "team.db"
    assert main(["--db", str(db), "demo", "--leads", "60"]) == 0
    capsys.readouterr()
    return db


def _tables_on(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    return int(row[0]) if row else -1


@pytest.mark.parametrize(
    ("table", "column", "value", "what"),
    [
        ("touches", "note", "'a' || char(0) || 'b'", "a NUL character"),
        ("leads", "notes", "X'00ff10'", "bytes, not text"),
        ("leads", "name", "X'416e6e'", "bytes, not text"),
        ("leads", "attempts", "'many'", "invalid input syntax for type integer"),
    ],
)
def test_a_value_the_server_cannot_hold_is_named_and_nothing_is_copied(
    pg_server: PgServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    table: str,
    column: str,
    value: str,
    what: str,
) -> None:
    db = _team_file(capsys, tmp_path)
    with sqlite3.connect(db) as conn:
        row_id = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
        conn.execute(f"UPDATE {table} SET {column} = {value} WHERE id = ?", (row_id,))
    before = db.read_bytes()
    url = pg_server.new_database()
    code = main(["migrate-db", "--from", str(db), "--to", url])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert f"{table} id {row_id}, column {column}" in err, err
    assert what in err and str(db) in err and "nothing was copied" in err
    assert PASSWORD not in err
    assert _tables_on(url) == 0
    assert db.read_bytes() == before
