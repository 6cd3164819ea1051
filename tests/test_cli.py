"""The command line: the public contract (names, options, JSON fields) and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callblock.cli import main

NOW = "2026-11-23T19:00:00Z"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def add(capsys: pytest.CaptureFixture[str], db: Path, **fields: str) -> int:
    args = ["add", "--json"]
    for key, value in {
        "name": "Jim Brodo",
        "company": "Brodo Inc",
        "phone": "(212) 555-0143",
        **fields,
    }.items():
        args += [f"--{key}", value]
    code, out, err = run(capsys, db, *args)
    assert code == 0, err
    return json.loads(out)["lead_id"]


def test_add_log_history_round_trip(capsys, tmp_path: Path) -> None:
    db = tmp_path / "cb.db"
    lead_id = add(capsys, db, title="VP Sales", tz="America/Chicago", temperature="hot")
    code, out, _ = run(
        capsys,
        db,
        "log",
        "--lead",
        str(lead_id),
        "--outcome",
        "callback",
        "--when",
        "tomorrow 10:30",
        "--note",
        "wants pricing",
        "--json",
    )
    assert code == 0
    logged = json.loads(out)
    assert logged["outcome"] == "callback"
    assert logged["when"] == "2026-11-24T15:30:00+00:00"  # 10:30 New York
    code, out, _ = run(capsys, db, "history", "--lead", str(lead_id), "--json")
    [touch] = json.loads(out)
    assert touch == {
        "at": "2026-11-23T19:00:00+00:00",
        "rep": "alice",
        "channel": "call",
        "outcome": "callback",
        "template": None,
        "variant": None,
        "note": "wants pricing",
    }


def test_queue_json_fields(capsys, tmp_path: Path) -> None:
    db = tmp_path / "cb.db"
    lead_id = add(capsys, db, created="2026-11-23T18:57:00Z")
    code, out, _ = run(capsys, db, "queue", "--json", "--limit", "5")
    assert code == 0
    [item] = json.loads(out)
    assert set(item) >= {
        "lead_id",
        "name",
        "company",
        "phone",
        "timezone",
        "local_time",
        "score",
        "reasons",
    }
    assert item["lead_id"] == lead_id
    assert item["phone"] == "+12125550143"
    assert item["timezone"] == "America/New_York"
    assert item["local_time"] == "2026-11-23T14:00:00-05:00"
    assert item["reasons"][0] == "inbound 3 min ago"
    assert item["tier"] == "inbound"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "--lead", "1", "--outcome", "hung-up"], "unknown outcome 'hung-up'"),
        (["log", "--lead", "999", "--outcome", "busy"], "no lead with id 999"),
        (["log", "--lead", "1", "--outcome", "callback", "--when", "someday"], "when:"),
        (["log", "--lead", "1", "--outcome", "callback"], "when:"),
        (["add", "--name", "X", "--company", "Y", "--phone", "12"], "phone:"),
        (
            ["add", "--name", "X", "--company", "Y", "--phone", "2125550143", "--tz", "Mars/Base"],
            "tz:",
        ),
        (["history", "--lead", "999"], "no lead with id 999"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(capsys, tmp_path, args, message) -> None:
    db = tmp_path / "cb.db"
    add(capsys, db)
    before = db.read_bytes() if db.exists() else b""
    code, out, err = run(capsys, db, *args)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    _, out, _ = run(capsys, db, "history", "--lead", "1", "--json")
    assert json.loads(out) == []
    assert before  # the database existed and was read, not recreated


def test_unknown_option_and_bad_now_exit_non_zero_without_traceback(tmp_path: Path) -> None:
    exe = [sys.executable, "-m", "callblock", "--db", str(tmp_path / "x.db")]
    for extra in (["queue", "--bogus"], ["--now", "yesterday-ish", "queue"]):
        done = subprocess.run([*exe, *extra], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_demo_if_empty_leaves_a_populated_database_alone(capsys, tmp_path: Path) -> None:
    db = tmp_path / "cb.db"
    code, out, _ = run(capsys, db, "demo", "--leads", "30", "--json")
    assert (code, json.loads(out)["leads"]) == (0, 30)
    code, out, _ = run(capsys, db, "demo", "--if-empty", "--json")
    assert code == 0 and json.loads(out)["created"] is False
    code, _, err = run(capsys, db, "demo")
    assert code == 1 and "already holds leads" in err


def test_app_without_a_terminal_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callblock", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr


def test_help_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callblock", "--help"], capture_output=True, text=True, timeout=30
    )
    for command in ("dial", "demo", "add", "log", "queue", "history", "--db", "--rep", "--now"):
        assert command in done.stdout
