"""A large import on SQLite writes its new leads while it plans (services/import_writer.py):
the database it leaves is the one the plan-then-write path leaves, byte for byte in every
lead; a refused or failed import leaves nothing, and no writer thread behind."""

from __future__ import annotations

import csv
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

import callblock.services.importer as importer
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.config.loader import load_settings
from callblock.services.import_workers import PARALLEL_FROM
from callblock.services.importer import ImportOptions, import_csv
from callblock.store import Store

NOW = FixedClock(datetime(2026, 11, 23, 19, tzinfo=UTC))
ROWS = PARALLEL_FROM + 400
TASK_FIRST = '[queue]\nschedule = ["email now", "call day 2", "call day 5"]\n'


def export(path: Path, rows: int = ROWS, bad_line: int | None = None) -> Path:
    """Rows with duplicates of earlier rows (same email, more notes) and of stored leads."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Name", "Company", "Phone", "Email", "Title", "Notes"])
        for n in range(rows):
            line = n + 2
            phone = f"+1 312 55{n % 100_000:05d}"
            if line == bad_line:
                phone = "not a number"
            if n % 20 == 19:  # an earlier row again, with something new to merge
                m = n - 7
                writer.writerow(
                    [f"Lead {m}", f"Co {m % 50}", "", f"lead{m}@x.example", "VP", "again"]
                )
            elif n % 50 == 7:  # a lead stored before the import
                writer.writerow(["Stored 1", "Stored Co", "", "stored1@x.example", "CFO", "new"])
            else:
                writer.writerow([f"Lead {n}", f"Co {n % 50}", phone, f"lead{n}@x.example", "", ""])
    return path


def fetched(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def dump(db: Path) -> list[tuple[object, ...]]:
    return fetched(db, "SELECT * FROM leads ORDER BY id")


def schema(db: Path) -> set[tuple[object, ...]]:
    """The tables, indexes and triggers (a bulk insert sets one trigger aside meanwhile)."""
    return set(fetched(db, "SELECT type, name, sql FROM sqlite_master"))


def seeded(db: Path) -> Path:
    """A database with one lead, "Stored 1" (lead 1), that rows of the export merge into."""
    first = db.with_suffix(".seed.csv")
    first.write_text("Name,Company,Email\nStored 1,Stored Co,stored1@x.example\n")
    Store.open(db, create=True).close()
    run_import(db, first, Settings())
    return db


def run_import(db: Path, source: Path, settings: Settings, **options: object) -> object:
    store = Store.open(db)
    try:
        return import_csv(store, NOW, source, ImportOptions(settings=settings, **options))
    finally:
        store.close()


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "callblock-import-writer"]


@pytest.mark.parametrize("cadence", ["", TASK_FIRST], ids=["call first", "task first"])
def test_a_streamed_import_leaves_what_plan_then_write_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cadence: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(cadence or "")
    settings = load_settings(config, required=True, machine_zone="America/New_York")
    assert settings.cadence.steps[0].is_call == (not cadence)
    source = export(tmp_path / "big.csv")
    streamed, planned = seeded(tmp_path / "streamed.db"), seeded(tmp_path / "planned.db")
    report = run_import(streamed, source, settings)
    monkeypatch.setattr(importer, "PARALLEL_FROM", 10**9)  # this one plans, then writes
    again = run_import(planned, source, settings)
    assert report.merged == again.merged > ROWS // 20  # rows merged into rows and into lead 1
    assert report.lead_ids == again.lead_ids and len(report.lead_ids) == report.imported
    assert dump(streamed) == dump(planned)
    assert not writer_threads()


def test_a_refused_streamed_import_writes_nothing(tmp_path: Path) -> None:
    db = seeded(tmp_path / "cb.db")
    before, objects = dump(db), schema(db)
    source = export(tmp_path / "big.csv", bad_line=ROWS - 3)  # found near the end
    report = run_import(db, source, Settings())
    assert report.problems and not report.committed
    assert dump(db) == before and schema(db) == objects
    assert not writer_threads()


def test_a_streamed_import_that_fails_midway_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = seeded(tmp_path / "cb.db")
    before, objects = dump(db), schema(db)
    planned = importer._plan_row
    seen = []

    def failing(*args: object) -> None:
        seen.append(1)
        if len(seen) == ROWS - 100:  # thousands of leads already sent to the writer
            raise RuntimeError("the disk went away")
        planned(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_plan_row", failing)
    with pytest.raises(RuntimeError, match="disk went away"):
        run_import(db, export(tmp_path / "big.csv"), Settings())
    assert dump(db) == before and schema(db) == objects
    assert not writer_threads()


def test_a_streamed_dry_run_starts_no_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = seeded(tmp_path / "cb.db")
    started = []
    monkeypatch.setattr(importer, "StreamedInsert", lambda *a: started.append(a))
    report = run_import(db, export(tmp_path / "big.csv"), Settings(), dry_run=True)
    assert report.imported > 0 and not report.committed and not started


def test_a_streamed_import_forks_its_workers_before_its_writer_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked worker starts with the modules loaded (a spawned one imports them again,
    ~0.6 s of CPU each): the writer thread must not be running yet when the workers start."""
    from callblock.services import import_workers

    chosen: list[str] = []
    choose = import_workers._start_method

    def recorded() -> str:
        chosen.append(choose())
        return chosen[-1]

    monkeypatch.setattr(import_workers, "_start_method", recorded)
    assert threading.active_count() == 1
    report = run_import(seeded(tmp_path / "cb.db"), export(tmp_path / "big.csv"), Settings())
    assert report.committed and chosen == ["fork"]
    assert not writer_threads()


def test_a_streamed_import_of_only_merges_writes_them(tmp_path: Path) -> None:
    """No new lead, so the writer never got a row: the merges into stored leads are written."""
    db = seeded(tmp_path / "cb.db")
    source = tmp_path / "again.csv"
    rows = ["Name,Company,Email,Title"] + ["Stored 1,Stored Co,stored1@x.example,CFO"] * ROWS
    source.write_text("\n".join(rows) + "\n")
    report = run_import(db, source, Settings())
    assert report.committed and report.merged == ROWS and report.imported == 0
    assert [(row[0], row[1]) for row in dump(db)] == [(1, "Stored 1")]
    assert fetched(db, "SELECT title FROM leads") == [("CFO",)]
    assert not writer_threads()


def test_a_streamed_import_keeps_the_callable_places_exact(tmp_path: Path) -> None:
    """lead_places (the zones and regions the queue's calling hours are checked for) holds
    every new lead's place, and the schema is the one the import found."""
    db = seeded(tmp_path / "cb.db")
    areas = ("212", "312", "415", "808", "907", "305")
    states = ("", "NY", "Florida", "Texas")
    source = tmp_path / "places.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Name", "Phone", "State", "Time Zone"])
        for n in range(ROWS):
            zone = "Europe/Paris" if n % 997 == 0 else ""
            phone = f"+1 {areas[n % len(areas)]} 55{n % 100_000:05d}"
            writer.writerow([f"Person {n}", phone, states[n % len(states)], zone])
    objects = schema(db)
    assert run_import(db, source, Settings()).committed
    places = set(fetched(db, "SELECT zone, region FROM lead_places"))
    expected = set(
        fetched(
            db,
            "SELECT DISTINCT coalesce(timezone, phone_timezone, ''), "
            "coalesce(record_region, region, '') FROM leads",
        )
    )
    assert places == expected and len(places) > 12
    assert schema(db) == objects
