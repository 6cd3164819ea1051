"""`callblock report` and `callblock export`: the public contract, exact figures, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.domain.csvcells import restore_cell
from callblock.domain.figures import REPORT_FIELDS
from callblock.domain.heatmap import heat_map, slots_from_touches
from callblock.services.exports import LEAD_FIELDS, TOUCH_FIELDS
from callblock.services.review import period_for, rep_report
from callblock.store import Store
from tests.conftest import ZONE
from tests.review_helpers import DAY, EXPECTED_23, HOSTILE_NAME, HOSTILE_NOTE, build_team_log

NOW = "2026-11-24T12:00:00Z"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json_fields_and_exact_figures(capsys, team_db: Path) -> None:
    code, out, err = run(capsys, team_db, "report", "--date", DAY, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [list(row) for row in rows] == [list(REPORT_FIELDS)] * 2
    assert rows == EXPECTED_23
    code, out, _ = run(capsys, team_db, "report", "--date", "2026-11-24", "--format", "json")
    assert [(r["rep"], r["dials"]) for r in json.loads(out)] == [("carmen", 1)]


def test_report_for_one_rep_a_range_and_an_idle_rep(capsys, team_db: Path) -> None:
    code, out, _ = run(
        capsys,
        team_db,
        "--rep",
        "bob",
        "report",
        "--from",
        DAY,
        "--to",
        "2026-11-24",
        "--format",
        "json",
    )
    assert code == 0
    [bob] = json.loads(out)
    assert bob["dials"] == 2 and bob["avg_attempts"] == 2.5
    _, out, _ = run(capsys, team_db, "report", "--rep", "carmen", "--date", DAY, "--format", "json")
    assert json.loads(out) == [
        dict.fromkeys(REPORT_FIELDS, 0)
        | {
            "rep": "carmen",
            "contact_rate": None,
            "avg_attempts": None,
            "first_dial_minutes_median": None,
            "dials_per_hour": None,
        }
    ]


def test_report_table_and_csv(capsys, team_db: Path) -> None:
    code, out, _ = run(capsys, team_db, "report", "--date", DAY)
    assert code == 0
    assert "alice" in out and "(team)" in out and "33%" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    _, out, _ = run(capsys, team_db, "report", "--date", DAY, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(REPORT_FIELDS)
    assert rows[1][:4] == ["alice", "3", "1", "0.3333"]
    assert rows[2][-2:] == ["", ""]  # undefined figures are empty cells


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-02-30"], "--date: '2026-02-30' is not a day"),
        (["--from", "2026-11-05", "--to", "2026-11-01"], "--to: 2026-11-01 is before --from"),
        (["--date", "today", "--from", "today"], "either --date or --from/--to"),
    ],
)
def test_report_bad_input_is_one_line(capsys, team_db: Path, args, message) -> None:
    code, out, err = run(capsys, team_db, "report", *args)
    assert code != 0 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_report_uses_the_store_the_same_way(store: Store, clock: FixedClock, settings) -> None:
    build_team_log(store, clock)
    period = period_for(settings, clock, day=DAY)
    assert [r.as_dict() for r in rep_report(store, period)] == EXPECTED_23
    # the SQL heat-map aggregation equals the pure one over the same touches
    start, end = iso(period.start), iso(period.end)
    zones = {
        lead.id: lead.timezone or lead.phone_timezone or ""
        for lead in store.reports.iter_leads(None, None)
    }
    by_sql = heat_map(store.reports.slot_counts(start, end), ZONE)
    by_python = heat_map(
        slots_from_touches(store.reports.touches_between(start, end), zones.get), ZONE
    )
    assert by_sql.cells == by_python.cells and by_sql.dials == 5


def test_export_touches_json_round_trip_keeps_exact_text(capsys, team_db: Path, store) -> None:
    code, out, _ = run(capsys, team_db, "export", "touches", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == list(TOUCH_FIELDS)
    assert len(rows) == store.admin.count("touches") == 7
    assert [r["undone"] for r in rows].count(True) == 1  # the undone touch is there, flagged
    stored = {t.id: t.note for t in store.reports.iter_touches(None, None)}
    assert {r["touch_id"]: r["note"] for r in rows} == stored  # the exact text, as stored
    assert HOSTILE_NOTE.replace("\x1b", "\ufffd").replace("\x07", "\ufffd") in stored.values()
    jsonl = run(capsys, team_db, "export", "touches", "--format", "jsonl")[1]
    assert [json.loads(line) for line in jsonl.splitlines()] == rows
    code, out, _ = run(
        capsys, team_db, "export", "touches", "--from", "2026-11-24", "--format", "json"
    )
    assert [r["rep"] for r in json.loads(out)] == ["carmen"]


def test_export_leads_csv_neutralizes_and_restores(capsys, team_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "leads.csv"
    code, _, err = run(capsys, team_db, "export", "leads", "-o", str(target))
    assert code == 0 and "wrote 3 leads" in err
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(LEAD_FIELDS)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'=cmd|' /C calc'!A0" in cells and "'+12125550101" in cells
    restored = [dict(zip(rows[0], map(restore_cell, row), strict=True)) for row in rows[1:]]
    _, out, _ = run(capsys, team_db, "export", "leads", "--format", "json")
    exact = json.loads(out)
    assert [r["name"] for r in restored] == [r["name"] for r in exact]
    assert exact[1]["name"] == HOSTILE_NAME.replace("\x1b", "\ufffd")  # cleaned once, at input
    assert restored[2]["company"] == "=cmd|' /C calc'!A0"
    assert json.loads(restored[0]["links"]) == exact[0]["links"] and restored[0]["extra"] == "{}"


def test_export_bad_input_leaves_nothing(capsys, team_db: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, team_db, "export", "leads", "-o", str(tmp_path / "no" / "x.csv"))
    assert code != 0 and "does not exist" in err
    code, _, err = run(capsys, team_db, "export", "touches", "--from", "soon")
    assert code != 0 and "--from: 'soon' is not a day" in err
    assert not list(tmp_path.glob("**/.callblock-export-*"))


def test_review_config_section(tmp_path: Path) -> None:
    from callblock.config import ConfigError, load_settings

    path = tmp_path / "c.toml"
    path.write_text("[review]\nwarm_untouched_days = 3\n")
    assert load_settings(path, required=True, machine_zone="UTC").warm_untouched_days == 3
    for text, problem in (
        ("[review]\nwarm_untouched_days = 0\n", "must be at least 1"),
        ("[review]\nwarm_days = 3\n", "unknown key"),
    ):
        path.write_text(text)
        with pytest.raises(ConfigError, match=f"line 2: key 'review.*{problem}"):
            load_settings(path, required=True, machine_zone="UTC")
