"""Out-of-range values already in a database (an older version, another tool): the queue, the
week plan, the review and the power hour leave those leads out instead of crashing, and
`callblock doctor` lists every one of them (and orphaned rows), reading only."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from callblock.app import create_app
from callblock.cli import main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.review import ReviewScreen
from callblock.services import queue
from callblock.services.demo import build_demo
from callblock.store import Store

NOW_ARG = "2026-11-23T19:00:00Z"
YEAR_ONE = "0001-01-01T00:00:00+00:00"
YEAR_9999 = "9999-12-31T23:59:59+00:00"


def corrupt(db: Path, statements: list[tuple[str, tuple[object, ...]]]) -> None:
    """Write as another tool would: plain sqlite3, no foreign keys, no checks."""
    conn = sqlite3.connect(db)
    with conn:
        for sql, params in statements:
            conn.execute(sql, params)
    conn.close()


def queued_ids(store: Store, settings: Settings, clock: FixedClock) -> list[int]:
    items = queue.next_leads_for_rep(store, settings, rep="alice", now=clock.now(), limit=200)
    return [item.lead.id for item in items]


@pytest.fixture
def bad_db(
    db_path: Path, store: Store, clock: FixedClock, settings: Settings
) -> tuple[Path, dict[str, int]]:
    """A demo database where queue candidates carry every kind of bad stored value."""
    build_demo(store, clock, leads=60, settings=settings)
    ids = queued_ids(store, settings, clock)
    assert len(ids) >= 9, ids
    promised = store.conn.execute(
        "SELECT lead_id, id FROM callbacks WHERE state = 'open' "
        "AND kind IN ('callback', 'meeting') "
        "ORDER BY id"
    ).fetchall()
    assert len(promised) >= 2
    marks = ",".join("?" * len(ids))
    touched = store.conn.execute(
        f"SELECT id, lead_id FROM touches WHERE lead_id IN ({marks}) ORDER BY id", ids
    ).fetchall()
    roles = {
        "created_year_one": ids[0],
        "created_9999": ids[1],
        "due_garbage": ids[2],
        "last_touch_9999": ids[3],
        "first_call_garbage": ids[4],
        "promise_year_one": promised[0][0],
        "promise_garbage": promised[1][0],
        "touch_9999": touched[-1][1],
        "merged_nowhere": ids[-1],
    }
    store.close()
    corrupt(
        db_path,
        [
            ("UPDATE leads SET created_at = ?, next_due_at = ? WHERE id = ?",
             (YEAR_ONE, YEAR_ONE, roles["created_year_one"])),
            ("UPDATE leads SET created_at = ? WHERE id = ?", (YEAR_9999, roles["created_9999"])),
            ("UPDATE leads SET next_due_at = 'soon' WHERE id = ?", (roles["due_garbage"],)),
            ("UPDATE leads SET last_touch_at = ? WHERE id = ?",
             (YEAR_9999, roles["last_touch_9999"])),
            ("UPDATE leads SET first_call_at = '2026-13-45T00:00:00+00:00' WHERE id = ?",
             (roles["first_call_garbage"],)),
            ("UPDATE callbacks SET due_at = ? WHERE id = ?", (YEAR_ONE, promised[0][1])),
            ("UPDATE callbacks SET due_at = 'tbd' WHERE id = ?", (promised[1][1],)),
            ("UPDATE touches SET at = ? WHERE id = ?", (YEAR_9999, touched[-1][0])),
            ("INSERT INTO sessions (rep, block_name, started_at) VALUES ('bob', 'Power hour', ?)",
             (YEAR_ONE,)),
            # orphans: rows for leads that do not exist
            ("INSERT INTO touches (lead_id, rep, at, channel, outcome) "
             "VALUES (990001, 'bob', '2026-11-20T15:00:00+00:00', 'call', 'busy')", ()),
            ("INSERT INTO callbacks (lead_id, rep, due_at, kind) "
             "VALUES (990002, 'bob', '2026-11-24T15:00:00+00:00', 'callback')", ()),
            ("INSERT INTO leases (lead_id, session_id, rep, expires_at) "
             "VALUES (990003, 1, 'bob', '2026-11-23T19:05:00+00:00')", ()),
            ("UPDATE leads SET merged_into = 990004, status = 'disqualified' WHERE id = ?",
             (roles["merged_nowhere"],)),
        ],
    )  # fmt: skip
    return db_path, roles


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW_ARG, *args])
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_queue_leaves_out_leads_with_bad_stored_values(
    capsys, bad_db: tuple[Path, dict[str, int]]
) -> None:
    db, roles = bad_db
    code, out, err = run(capsys, db, "queue", "--limit", "200", "--json")
    assert code == 0, err
    listed = {item["lead_id"] for item in json.loads(out)}
    assert listed, "the good leads are still queued"
    assert not listed & set(roles.values()), {r: i for r, i in roles.items() if i in listed}


@pytest.mark.parametrize(
    "command",
    [
        ["plan"],
        ["plan", "--week", "2026-11-30"],
        ["report"],
        ["report", "--from", "-30", "--to", "today"],
        ["report", "--format", "json", "--from", "2017-01-01", "--to", "2026-12-31"],
    ],
)
def test_plan_and_report_work_over_bad_stored_values(
    capsys, bad_db: tuple[Path, dict[str, int]], command: list[str]
) -> None:
    db, _ = bad_db
    code, out, err = run(capsys, db, *command)
    assert code == 0, err
    assert out.strip()


async def test_power_hour_and_review_open_over_bad_stored_values(
    bad_db: tuple[Path, dict[str, int]], clock: FixedClock, settings: Settings
) -> None:
    db, roles = bad_db
    store = Store.open(db)
    try:
        app = create_app(settings=settings, store=store, clock=clock, rep="alice", start="dial")
        shown: list[int] = []
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, PowerHourScreen)
            while screen.current is not None and len(shown) < 12:
                shown.append(screen.current.lead.id)
                await pilot.press("n")
        assert shown and not set(shown) & set(roles.values())
        app = create_app(settings=settings, store=store, clock=clock, rep="lead", start="review")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert isinstance(app.screen, ReviewScreen)
            for key in ("2", "3", "4", "1"):  # every tab
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
    finally:
        store.close()


def test_doctor_lists_every_problem_one_line_each_and_writes_nothing(
    capsys, bad_db: tuple[Path, dict[str, int]]
) -> None:
    db, roles = bad_db
    before = digest(db)
    code, out, err = run(capsys, db, "doctor")
    assert code == 1, err
    lines = out.strip().splitlines()
    lead = "lead {}: ".format
    expected = [  # (how the line starts, how it ends)
        (lead(roles["created_year_one"]), f"created_at '{YEAR_ONE}' is outside 1970-2100"),
        (lead(roles["created_year_one"]), f"next_due_at '{YEAR_ONE}' is outside 1970-2100"),
        (lead(roles["created_9999"]), f"created_at '{YEAR_9999}' is outside 1970-2100"),
        (lead(roles["due_garbage"]), "next_due_at 'soon' is not a time"),
        (lead(roles["last_touch_9999"]), f"last_touch_at '{YEAR_9999}' is outside 1970-2100"),
        (
            lead(roles["first_call_garbage"]),
            "first_call_at '2026-13-45T00:00:00+00:00' is not a time",
        ),
        ("touch ", f": at '{YEAR_9999}' is outside 1970-2100"),
        ("callback ", f": due_at '{YEAR_ONE}' is outside 1970-2100"),
        ("callback ", ": due_at 'tbd' is not a time"),
        ("session ", f": started_at '{YEAR_ONE}' is outside 1970-2100"),
        ("touch ", ": lead_id 990001: no such lead"),
        ("callback ", ": lead_id 990002: no such lead"),
        ("lease 990003: ", "lead_id 990003: no such lead"),
        (lead(roles["merged_nowhere"]), "merged_into 990004: no such lead"),
    ]
    for start, end in expected:
        assert sum(line.startswith(start) and line.endswith(end) for line in lines) == 1, (
            start,
            end,
            lines,
        )
    assert lines[0] == f"{db}: integrity ok"
    assert lines[-1] == f"{len(expected)} problems (see above); the database was not changed"
    assert len(lines) == len(expected) + 2
    code, out, _ = run(capsys, db, "doctor", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["integrity"] == ["ok"] and report["healthy"] is False
    assert len(report["problems"]) == len(expected)
    assert {"table", "id", "column", "value", "problem"} <= set(report["problems"][0])
    assert digest(db) == before


def test_doctor_on_a_healthy_database_says_so_and_exits_0(
    capsys, db_path: Path, store: Store, clock: FixedClock, settings: Settings
) -> None:
    build_demo(store, clock, leads=30, settings=settings)
    store.close()
    before = digest(db_path)
    code, out, err = run(capsys, db_path, "doctor")
    assert (code, err) == (0, "")
    assert out.strip().splitlines() == [f"{db_path}: integrity ok", "no problems found"]
    code, out, _ = run(capsys, db_path, "doctor", "--json")
    assert code == 0
    assert json.loads(out) == {
        "db": str(db_path),
        "integrity": ["ok"],
        "problems": [],
        "notes": [],
        "healthy": True,
    }
    assert digest(db_path) == before


def test_doctor_reports_a_damaged_file(capsys, db_path: Path, store: Store, clock, settings):
    build_demo(store, clock, leads=200, settings=settings)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    # scribble over a page in the middle (an index or table page), keep the header intact
    middle = (len(data) // page // 2) * page
    data[middle + 8 : middle + 400] = b"\x07" * 392
    db_path.write_bytes(bytes(data))
    code, out, err = run(capsys, db_path, "doctor")
    assert code == 1, (out, err)
    assert "integrity ok" not in out
