"""Team settings in the database: `team init`, `team settings` (show, --set, --file, audited),
a user's config holding only personal keys on a team database, and due times that do not
depend on any rep's own zone."""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from callblock.cli import build_parser, main
from callblock.clock import FixedClock
from callblock.config import Settings, load_settings
from callblock.config.team import team_data, team_settings
from callblock.config.toml_text import dumps
from callblock.services.cadence import FINGERPRINT_KEY, cadence_fingerprint, ensure_due_times
from callblock.services.team_settings import settings_for
from callblock.store import Store
from tests.conftest import NOW

ISO_NOW = "2026-11-23T19:00:00Z"
ZONE = "America/Chicago"


def run(capsys: pytest.CaptureFixture[str], *args: str, rep: str = "lead") -> tuple[int, str, str]:
    code = main(["--rep", rep, "--now", ISO_NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team_db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    db = tmp_path / "team" / "team.db"
    code, out, err = run(capsys, "team", "init", "--db", str(db), "--timezone", ZONE, "--json")
    assert code == 0, err
    assert json.loads(out)["db"] == str(db)
    return db


def shown(capsys: pytest.CaptureFixture[str], db: Path) -> dict:
    code, out, err = run(capsys, "team", "settings", "--db", str(db), "--json")
    assert code == 0, err
    return json.loads(out)


def audit(db: Path) -> list[tuple[str, str, dict]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT at, rep, detail FROM audit WHERE action = 'team-setting' ORDER BY id"
        ).fetchall()
    return [(at, rep, json.loads(detail)) for at, rep, detail in rows]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# team init ---------------------------------------------------------------------------------
def test_init_stores_the_defaults_in_the_team_zone(capsys, team_db: Path) -> None:
    assert shown(capsys, team_db) == team_data(Settings(timezone=ZONE))
    store = Store.open(team_db)
    try:
        assert store.admin.is_team_database()
    finally:
        store.close()
    initial = audit(team_db)
    assert {rep for _, rep, _ in initial} == {"lead"}
    assert {"key": "timezone", "old": None, "new": ZONE} in [d for _, _, d in initial]


def test_init_refuses_an_existing_file_and_leaves_it_untouched(capsys, tmp_path: Path) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database\n")
    single = tmp_path / "single.db"
    Store.open(single).close()  # a single-user callblock database
    for path in (foreign, single):
        before = digest(path)
        code, out, err = run(capsys, "team", "init", "--db", str(path), "--timezone", ZONE)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "already exists" in err and str(path) in err
        assert digest(path) == before


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--timezone", "Mars/Olympus", "--timezone: unknown time zone 'Mars/Olympus'"),
        ("--group", "no-such-group-xyz", "--group: no group 'no-such-group-xyz'"),
    ],
)
def test_init_with_an_unknown_zone_or_group_creates_nothing(
    capsys, tmp_path: Path, option: str, value: str, message: str
) -> None:
    folder = tmp_path / "new"
    args = {"--timezone": ZONE, option: value}
    flat = [item for pair in args.items() for item in pair]
    code, out, err = run(capsys, "team", "init", "--db", str(folder / "team.db"), *flat)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and message in err
    assert not folder.exists()


# team settings: show, --set, --file ---------------------------------------------------------
def test_shown_text_is_toml_that_file_reads_back_unchanged(capsys, team_db: Path, tmp_path) -> None:
    code, out, _ = run(capsys, "team", "settings", "--db", str(team_db))
    assert code == 0
    assert tomllib.loads(out) == shown(capsys, team_db)
    saved = tmp_path / "team.toml"
    saved.write_text(out)
    code, out, err = run(capsys, "team", "settings", "--db", str(team_db), "--file", str(saved))
    assert code == 0, err
    assert out.strip() == "0 team settings changed"


def test_set_changes_all_keys_and_audits_who_when_old_and_new(capsys, team_db: Path) -> None:
    before = audit(team_db)
    code, out, err = run(
        capsys,
        "team",
        "settings",
        "--db",
        str(team_db),
        "--set",
        "queue.spacing_minutes=45",
        "--set",
        "timezone=America/Denver",
        "--set",
        'queue.schedule=["now", "+2h", "day 3"]',
        "--set",
        "calling_window.start=09:00",
        rep="carol",
    )
    assert code == 0, err
    assert "queue.spacing_minutes: 30 -> 45" in out
    data = shown(capsys, team_db)
    assert data["queue"]["spacing_minutes"] == 45
    assert data["queue"]["schedule"] == ["now", "+2h", "day 3"]
    assert data["timezone"] == "America/Denver"
    assert data["calling_window"]["start"] == "09:00"
    added = audit(team_db)[len(before) :]
    assert {(at, rep) for at, rep, _ in added} == {("2026-11-23T19:00:00+00:00", "carol")}
    details = {d["key"]: (d["old"], d["new"]) for _, _, d in added}
    assert details == {
        "calling_window.start": ("08:00", "09:00"),
        "queue.schedule": (
            ["now", "+30m", "+1h", "day 5", "day 14", "day 15"],
            ["now", "+2h", "day 3"],
        ),
        "queue.spacing_minutes": (30, 45),
        "timezone": (ZONE, "America/Denver"),
    }


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("queue.spacing_minutes=abc", "key 'queue.spacing_minutes': must be int, got 'abc'"),
        ("queue.spacing_minutes=5000", "key 'queue.spacing_minutes': must be at most 1440"),
        ("queue.warm_share=0.99", "key 'queue.nurture_share': warm_share + nurture_share > 1"),
        ("queue.nosuch=1", "key 'queue.nosuch': unknown key"),
        ("timezone=Mars/Olympus", "key 'timezone': unknown time zone 'Mars/Olympus'"),
        ("calling_window.end=25:00", "key 'calling_window.end': '25:00' is not a time"),
        ("keys.connected=z", "key 'keys.connected': a personal setting"),
        ("spacing", "'spacing' is not KEY=VALUE"),
    ],
)
def test_a_bad_set_names_the_key_and_changes_nothing(
    capsys, team_db: Path, assignment: str, message: str
) -> None:
    before, audited = shown(capsys, team_db), audit(team_db)
    code, out, err = run(
        capsys,
        "team",
        "settings",
        "--db",
        str(team_db),
        "--set",
        "block.name=Sprint",  # a good one first: all or nothing
        "--set",
        assignment,
    )
    assert code == 1 and out == ""
    assert err.startswith("callblock: error: team settings --set: ") and err.count("\n") == 1
    assert message in err
    assert shown(capsys, team_db) == before and audit(team_db) == audited


def test_file_sets_the_keys_it_holds_and_a_bad_one_names_file_key_and_line(
    capsys, team_db: Path, tmp_path: Path
) -> None:
    good = tmp_path / "team.toml"
    good.write_text(
        '[weights.weekday]\nmon = 0.5\n\n[[blocks]]\nname = "Only"\nrule = "FREQ=DAILY"\n'
    )
    code, out, err = run(capsys, "team", "settings", "--db", str(team_db), "--file", str(good))
    assert code == 0, err
    data = shown(capsys, team_db)
    assert data["weights"]["weekday"]["mon"] == 0.5
    assert data["weights"]["weekday"]["thu"] == 1.0  # not in the file: kept
    assert data["blocks"] == [
        {"name": "Only", "rule": "FREQ=DAILY", "minutes": 60, "target_dials": 60}
    ]
    for text, message in [
        ("# team\n[queue]\nslack_days = 2\nspacing_minutes = 'x'\n", "line 4: key 'queue."),
        ("timezone = 'UTC'\n\n[keys]\nundo = 'z'\n", "line 4: key 'keys.undo': a personal"),
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        before = shown(capsys, team_db)
        code, out, err = run(capsys, "team", "settings", "--db", str(team_db), "--file", str(bad))
        assert code == 1 and out == "" and err.count("\n") == 1
        assert f"{bad}, {message}" in err
        assert shown(capsys, team_db) == before


def test_settings_of_a_single_user_database_are_refused(capsys, tmp_path: Path) -> None:
    single = tmp_path / "single.db"
    Store.open(single).close()
    code, _, err = run(capsys, "team", "settings", "--db", str(single), "--set", "timezone=UTC")
    assert code == 1 and "is not a team database" in err
    code, _, err = run(capsys, "team", "settings", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "no such database" in err
    assert not (tmp_path / "none.db").exists()


# the user's config on a team database -----------------------------------------------------
def test_a_team_key_in_the_users_config_is_refused_on_a_team_database_only(
    capsys, team_db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nundo = "z"\n\n[queue]\nspacing_minutes = 5\n')
    code, out, err = run(capsys, "--db", str(team_db), "--config", str(config), "queue")
    assert code == 1 and out == ""
    assert f"{config}, line 5: key 'queue.spacing_minutes': a team setting" in err
    assert err.count("\n") == 1
    single = tmp_path / "single.db"
    code, _, err = run(capsys, "--db", str(single), "--config", str(config), "queue")
    assert code == 0, err
    store = Store.open(single)
    try:
        assert not store.admin.is_team_database()
        assert settings_for(store, load_settings(config, required=True, machine_zone="UTC"))
    finally:
        store.close()


def test_settings_come_from_the_team_database_with_the_users_keys(
    team_db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nundo = "z"\n')
    personal = load_settings(config, required=True, machine_zone="Asia/Tokyo")
    store = Store.open(team_db)
    try:
        merged = settings_for(store, personal)
    finally:
        store.close()
    assert merged.keys["undo"] == "z"
    assert merged.timezone == ZONE and merged.team_zone == ZONE  # not the machine's
    assert merged.cadence == Settings().cadence and merged.source == config
    # a single-user database keeps the config file's settings as they are
    single = Store.open(tmp_path / "single.db")
    try:
        assert settings_for(single, personal) is personal
    finally:
        single.close()


# due times ---------------------------------------------------------------------------------
def _add_leads(db: Path, count: int) -> None:
    store = Store.open(db)
    try:
        from callblock.services.demo import build_demo

        build_demo(store, FixedClock(NOW), leads=count, settings=Settings())
    finally:
        store.close()


def test_reps_in_different_zones_never_recompute_the_due_times(
    capsys, team_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_leads(team_db, 40)
    code, _, err = run(capsys, "--db", str(team_db), "queue")  # settles the team's due times
    assert code == 0, err
    with sqlite3.connect(team_db) as conn:
        due_before = conn.execute("SELECT id, next_due_at FROM leads ORDER BY id").fetchall()
    for zone in ("Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles"):
        personal = Settings(timezone=zone)  # the rep's own (machine) zone
        store = Store.open(team_db)
        try:
            settings = settings_for(store, personal)
            assert not ensure_due_times(store, settings, settings.weights)
            # even if a rep's display zone were put into Settings, the due times stay the team's
            assert not ensure_due_times(store, replace(settings, timezone=zone), settings.weights)
        finally:
            store.close()
        monkeypatch.setenv("TZ", zone)
        rep = "rep-" + zone.split("/")[1].lower()
        assert run(capsys, "--db", str(team_db), "queue", rep=rep)[0] == 0
    with sqlite3.connect(team_db) as conn:
        after = conn.execute("SELECT id, next_due_at FROM leads ORDER BY id").fetchall()
        fingerprint = conn.execute("SELECT value FROM meta WHERE key = ?", (FINGERPRINT_KEY,))
        assert fingerprint.fetchone()[0].endswith(f"|{ZONE}")
    assert after == due_before and any(due for _, due in after)


def test_a_single_user_database_still_follows_the_configs_zone(tmp_path: Path) -> None:
    db = tmp_path / "single.db"
    _add_leads(db, 5)
    store = Store.open(db)
    try:
        assert ensure_due_times(store, Settings(timezone="Asia/Tokyo"), Settings().weights)
        assert not ensure_due_times(store, Settings(timezone="Asia/Tokyo"), Settings().weights)
        assert ensure_due_times(store, Settings(timezone="Europe/Berlin"), Settings().weights)
    finally:
        store.close()
    team = Settings(timezone="Asia/Tokyo", team_timezone=ZONE)
    assert cadence_fingerprint(team) == cadence_fingerprint(replace(team, timezone="UTC"))


def test_a_cadence_change_recomputes_due_times_at_once(capsys, team_db: Path) -> None:
    _add_leads(team_db, 10)
    assert run(capsys, "--db", str(team_db), "queue")[0] == 0
    args = ("team", "settings", "--db", str(team_db), "--set", "queue.spacing_minutes=90")
    assert run(capsys, *args)[0] == 0
    store = Store.open(team_db)
    try:
        settings = settings_for(store, Settings(timezone="Asia/Tokyo"))
        assert store.admin.meta(FINGERPRINT_KEY) == cadence_fingerprint(settings)
        assert not ensure_due_times(store, settings, settings.weights)
    finally:
        store.close()


# pure parts -------------------------------------------------------------------------------
def test_team_data_round_trips_through_toml_and_the_reader(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'timezone = "Europe/Berlin"\n[queue]\nschedule = ["now", "+2h"]\nspacing_minutes = 20\n'
        '[calling_window.regions.DE]\nstart = "09:00"\nend = "20:00"\n'
        '[weights.hour]\n"16" = 2.5\n[[blocks]]\nname = "Früh \\"A\\"\\u007f"\n'
        'rule = "FREQ=DAILY"\n[review]\nwarm_untouched_days = 9\n'
    )
    custom = load_settings(config, required=True, machine_zone="UTC")
    for settings in (Settings(), custom):
        data = team_data(settings)
        assert tomllib.loads(dumps(data)) == data
        again = team_settings(data, "test")
        assert again == replace(settings, source=None, keys=again.keys)


def test_every_team_option_has_help() -> None:
    parser = build_parser()
    team = _sub(parser, "team")
    for name in ("init", "settings"):
        sub = _sub(team, name)
        for action in sub._actions:
            assert action.help, f"team {name} {action.option_strings} has no help"
        assert sub.description


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise AssertionError(name)


def test_unreadable_files_say_why_not_a_number_error(capsys, team_db: Path, tmp_path) -> None:
    """A directory or a missing file given as --config or --file: the read's own reason (it was
    "a number too long to read": the reader's ValueError catch took the read's error)."""
    code, _, err = run(capsys, "--db", str(team_db), "--config", str(tmp_path), "queue")
    assert code == 1 and f"{tmp_path}: not a regular file (a directory)" in err
    missing = tmp_path / "missing.toml"
    code, _, err = run(capsys, "team", "settings", "--db", str(team_db), "--file", str(missing))
    assert code == 1 and f"{missing}: cannot read it (No such file or directory)" in err
    code, _, err = run(capsys, "team", "settings", "--db", str(team_db), "--set", "block.name=a\nb")
    assert code == 1 and "a VALUE is one line" in err


def test_the_store_sets_replaces_and_removes_team_settings_with_an_audit(store: Store) -> None:
    """The store's half of `team settings --set`, on SQLite and on a server (the tests above
    run `team init`, which makes a SQLite file)."""
    admin = store.admin
    assert admin.team_settings() == {} and not admin.is_team_database()
    admin.write_team_settings(
        [("timezone", None, ZONE), ("queue.warm_share", None, 0.2)], at=ISO_NOW, rep="lead"
    )
    admin.write_team_settings(  # a key set again is replaced, one row per key
        [("timezone", ZONE, "America/Denver"), ("queue.warm_share", 0.2, None)],
        at=ISO_NOW,
        rep="bob",
    )
    assert admin.is_team_database()
    assert admin.team_settings() == {"timezone": "America/Denver"}
    rows = store.conn.execute(
        "SELECT rep, detail FROM audit WHERE action = 'team-setting' ORDER BY id"
    ).fetchall()
    assert [(row[0], json.loads(row[1])) for row in rows] == [
        ("lead", {"key": "timezone", "old": None, "new": ZONE}),
        ("lead", {"key": "queue.warm_share", "old": None, "new": 0.2}),
        ("bob", {"key": "timezone", "old": ZONE, "new": "America/Denver"}),
        ("bob", {"key": "queue.warm_share", "old": 0.2, "new": None}),
    ]
    assert store.conn.execute("SELECT count(*) FROM team_settings").fetchone()[0] == 1
