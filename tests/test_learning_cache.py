"""The learned weights are a cache in the `meta` table: a damaged row (another tool, a bug, a
half-written value) is treated as absent and relearned, never an internal error; `callblock
doctor` mentions it as a note, not a problem."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from callblock.app import create_app
from callblock.cli import main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.screens.week import WeekScreen
from callblock.services import dialing
from callblock.services.learning import WEIGHTS_KEY, current_weights, learn
from callblock.store import Store

NOW_ARG = "2026-11-23T19:00:00Z"


def _good(settings: Settings, **change: object) -> str:
    """A well-formed saved value, with `change` applied."""
    data = {
        "at": "2026-11-23T18:30:00+00:00",
        "weekday": [1.0] * 7,
        "hour": [1.0] * 24,
        "priors": [list(settings.weights.weekday), list(settings.weights.hour)],
        "tallies": {"weekday": [[0, 0]] * 7, "hour": [[0, 0]] * 24},
    }
    data.update(change)
    return json.dumps(data)


DAMAGED = [
    pytest.param("garbage", id="garbage"),
    pytest.param("[]", id="list"),
    pytest.param(123, id="integer"),
    pytest.param(b"\x00", id="blob"),
    pytest.param(b"\xff\xfe", id="blob-not-utf8"),
    pytest.param('{"weekday":[1],"hour":[1],"priors":null}', id="short-lists"),
    pytest.param("null", id="null"),
    pytest.param("", id="empty"),
    pytest.param('{"weekday": "x"}', id="weekday-string"),
    pytest.param(lambda s: _good(s, weekday=[float("nan")] * 7), id="nan-weights"),
    pytest.param(lambda s: _good(s, hour=[1e999] * 24), id="inf-weights"),
    pytest.param(lambda s: _good(s, weekday=[-1.0] * 7), id="negative-weights"),
    pytest.param(lambda s: _good(s, weekday=[True] * 7), id="bool-weights"),
    pytest.param(lambda s: _good(s, at="soon"), id="bad-at"),
    pytest.param(lambda s: _good(s, at=None), id="null-at"),
    pytest.param(lambda s: _good(s, at="0001-01-01T00:00:00+14:00"), id="at-before-year-1"),
    pytest.param(lambda s: _good(s, tallies=[]), id="tallies-list"),
    pytest.param(lambda s: _good(s, tallies={"weekday": [[1]] * 7, "hour": []}), id="tallies"),
    pytest.param(
        lambda s: _good(s, tallies={"weekday": [[10**400, 1]] * 7, "hour": [[1, 1]] * 24}),
        id="tallies-huge",
    ),
    pytest.param(
        lambda s: _good(s, tallies={"weekday": [[-5, 1]] * 7, "hour": [[1, 1]] * 24}),
        id="tallies-negative",
    ),
]


def damage(db: Path, value: object, settings: Settings) -> None:
    """Write the row as another tool would: plain sqlite3, any type."""
    if callable(value):
        value = value(settings)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (WEIGHTS_KEY, value))
    conn.close()


def saved(store: Store) -> dict:
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (WEIGHTS_KEY,)).fetchone()
    return json.loads(row[0])


@pytest.mark.parametrize("value", DAMAGED)
def test_a_damaged_cache_is_treated_as_absent_and_relearned(
    store: Store, db_path: Path, clock: FixedClock, settings: Settings, make_lead, value: object
) -> None:
    lead_id = make_lead()
    dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="connected", settings=Settings()
    )
    damage(db_path, value, settings)
    assert current_weights(store, settings) == settings.weights  # the priors
    learned = learn(store, settings, clock)
    assert learned.dials == 1 and learned.contacts == 1  # tallied from the log again
    data = saved(store)  # the row is a good one again
    assert data["at"] == "2026-11-23T19:00:00+00:00"
    assert current_weights(store, settings) == learned.weights
    assert all(math.isfinite(w) for w in (*learned.weights.weekday, *learned.weights.hour))


def test_a_future_time_in_the_cache_does_not_keep_it_forever(
    store: Store, db_path: Path, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = make_lead()
    dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="connected", settings=Settings()
    )
    damage(db_path, lambda s: _good(s, at="2099-01-01T00:00:00+00:00"), settings)
    assert learn(store, settings, clock).dials == 1
    assert saved(store)["at"] == "2026-11-23T19:00:00+00:00"


def test_a_good_cache_is_still_used(
    store: Store, db_path: Path, clock: FixedClock, settings: Settings
) -> None:
    damage(db_path, lambda s: _good(s, weekday=[2.0] * 7), settings)
    assert current_weights(store, settings).weekday == (2.0,) * 7
    assert learn(store, settings, clock).at is not None  # fresh: not relearned
    assert saved(store)["at"] == "2026-11-23T18:30:00+00:00"


@pytest.mark.parametrize("value", DAMAGED[:7] + DAMAGED[9:10])
def test_queue_plan_log_and_doctor_work_over_a_damaged_cache(
    capsys, store: Store, db_path: Path, settings: Settings, make_lead, value: object
) -> None:
    lead_id = make_lead()
    store.close()
    damage(db_path, value, Settings())
    base = ["--db", str(db_path), "--rep", "alice", "--now", NOW_ARG]
    for args in (
        ["queue"],
        ["queue", "--json"],
        ["log", "--lead", str(lead_id), "--outcome", "no-answer"],
    ):
        damage(db_path, value, Settings())
        code = main([*base, *args])
        out, err = capsys.readouterr()
        assert (code, err) == (0, ""), (args, err)
    damage(db_path, value, Settings())
    code = main([*base, "plan", "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in plan --json"))
    damage(db_path, value, Settings())
    code = main(["--db", str(db_path), "doctor"])
    out, err = capsys.readouterr()
    assert code == 0, (out, err)  # a cache is not a problem of the database
    assert "meta learned_weights unreadable: relearned on next use" in out.splitlines()
    code = main(["--db", str(db_path), "doctor", "--json"])
    out, _ = capsys.readouterr()
    report = json.loads(out)
    assert code == 0 and report["healthy"] is True and report["problems"] == []
    assert report["notes"] == [
        {
            "table": "meta",
            "id": None,
            "column": WEIGHTS_KEY,
            "value": report["notes"][0]["value"],
            "problem": "unreadable: relearned on next use",
        }
    ]


async def test_the_app_opens_its_week_plan_over_a_damaged_cache(
    store: Store, db_path: Path, clock: FixedClock, settings: Settings
) -> None:
    damage(db_path, '{"weekday":[1],"hour":[1],"priors":null}', settings)
    app = create_app(settings=settings, store=store, clock=clock, rep="alice", start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen), app.screen
        assert app.screen.plan is not None
    assert app.return_code in (None, 0)
    assert saved(store)["priors"] == [list(settings.weights.weekday), list(settings.weights.hour)]


def test_the_log_is_tallied_from_the_slots_exactly_as_from_the_touches(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    """Learning reads the per-slot aggregate (fast over a million touches); it must count what
    the touches say: dials and contacts by the lead's local weekday and hour."""
    from datetime import timedelta

    from callblock.domain.calling import local_time
    from callblock.domain.outcomes import OUTCOME_BY_CODE
    from callblock.services.learning import tally_log

    zones = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles")
    leads = [make_lead(tz=zone) for zone in zones]
    start = clock.now()
    codes = ("connected", "no-answer", "voicemail", "busy", "gatekeeper")
    for n in range(60):
        clock.set(start - timedelta(hours=7 * n, minutes=13 * n))
        dialing.record_outcome(
            store, clock, rep="alice", lead_id=leads[n % 4], code=codes[n % len(codes)],
            settings=settings,
        )  # fmt: skip
    store.conn.execute("UPDATE touches SET undone = 1 WHERE id % 9 = 0")  # a few undone
    expected = {"weekday": [[0, 0] for _ in range(7)], "hour": [[0, 0] for _ in range(24)]}
    for lead_id in leads:
        lead = store.leads.get_lead(lead_id)
        for touch in store.touches.touches_for_lead(lead_id):
            outcome = OUTCOME_BY_CODE[touch.outcome]
            if touch.undone or not outcome.is_dial:
                continue
            at = local_time(touch.at.replace(minute=0, second=0, microsecond=0), lead.timezone)
            for slot in (expected["weekday"][at.weekday()], expected["hour"][at.hour]):
                slot[0] += 1
                slot[1] += outcome.is_contact
    tallied = tally_log(store, settings)
    assert tallied == expected
    assert sum(d for d, _c in tallied["hour"]) > 40
