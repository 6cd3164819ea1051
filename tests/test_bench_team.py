"""The sales-floor benchmark (scripts/bench_team.py) in miniature: it runs and finds nothing
wrong on a healthy service, and its checks do find what they look for."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import Channel, Touch
from callblock.services import dialing
from callblock.services.demo import build_demo
from callblock.store import Store
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
bench_team = importlib.import_module("bench_team")


def test_three_processes_for_five_seconds_find_every_counter_at_zero(tmp_path: Path) -> None:
    db, out = tmp_path / "floor.db", tmp_path / "team.json"
    store = Store.open(db)
    build_demo(store, FixedClock(NOW), leads=2000, settings=Settings())
    store.close()
    argv = [sys.executable, str(ROOT / "scripts" / "bench_team.py"), "--reps", "2"]
    argv += ["--same-rep", "1", "--seconds", "5", "--db", str(db), "--out", str(out)]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path])}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(out.read_text())
    assert found["processes"] == 3
    assert found["must_be_zero"] and not any(found["must_be_zero"].values())
    assert found["outcomes"] >= 6  # 3 windows x 5 s at 0.3-1.5 s a key
    assert found["key_to_next_lead_ms"]["p95"] > 0


def test_overlapping_screens_are_found_only_across_sessions() -> None:
    results = [
        {"session": 1, "timeline": [[7, 0.0, 2.0], [8, 2.0, 3.0]]},
        {"session": 2, "timeline": [[8, 3.0, 4.0], [7, 1.5, 1.9]]},  # 7 on both at 1.5-1.9
        {"session": 3, "timeline": [[9, 0.0, 1.0]]},
    ]
    assert bench_team.on_two_screens(results)[0] == 1
    results[1]["timeline"][1] = [7, 2.0, 2.5]  # one after the other: fine
    assert bench_team.on_two_screens(results)[0] == 0


def test_touches_closer_than_the_spacing_are_counted_by_rep_and_by_window() -> None:
    def touch(id_: int, lead: int, rep: str, session: int, minutes: float) -> Touch:
        at = NOW + timedelta(minutes=minutes)
        return Touch(id_, lead, rep, at, Channel.CALL, "no-answer", session_id=session)

    by_lead = {
        1: [touch(1, 1, "ann", 1, 0), touch(2, 1, "bob", 2, 29)],  # two reps, 29 min apart
        2: [touch(3, 2, "ann", 1, 0), touch(4, 2, "ann", 3, 5)],  # two windows of ann
        3: [touch(5, 3, "ann", 1, 0), touch(6, 3, "bob", 2, 30)],  # far enough apart
        4: [touch(7, 4, "ann", 1, 0), touch(8, 4, "ann", 1, 1)],  # one window: undo, again
    }
    close = bench_team.too_close(by_lead, timedelta(minutes=30))
    assert (close["reps"], close["sessions"]) == (1, 1)


def test_an_outcome_missing_or_different_in_the_database_is_lost(store: Store, make_lead) -> None:
    lead = make_lead(name="Kept")
    kept = dialing.record_outcome(
        store,
        FixedClock(NOW),
        rep="ann",
        lead_id=lead,
        code="busy",
        session_id=None,
        settings=Settings(),
    )
    results = [{"session": None, "recorded": [[kept.touch_id, lead, "busy"]], "undone": []}]
    assert bench_team.lost_outcomes(store, results)[0] == 0
    results[0]["recorded"] += [[kept.touch_id + 1, lead, "busy"], [kept.touch_id, lead, "dnc"]]
    assert bench_team.lost_outcomes(store, results)[0] == 2
