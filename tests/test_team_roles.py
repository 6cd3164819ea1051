"""A registered rep's zone and role: times are read where the rep is (not the server's zone),
Review and team settings are a team lead's, and a lead on a screen cannot be logged by another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.screens.review import ReviewScreen
from callblock.screens.week import WeekScreen
from callblock.store import Store
from tests.conftest import NOW
from tests.lease_helpers import claim_as

NOW_ARG = iso(NOW)  # Monday 23 Nov 2026, 19:00 UTC


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--now", NOW_ARG, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(capsys, tmp_path: Path) -> Path:
    db = tmp_path / "team.db"
    assert cli(capsys, db, "team", "init", "--timezone", "America/New_York")[0] == 0
    for name, role, zone in (
        ("lena", "lead", "America/New_York"),
        ("rob", "rep", "America/Los_Angeles"),
        ("ana", "rep", None),
    ):
        extra = ["--timezone", zone] if zone else []
        code, _, err = cli(capsys, db, "team", "add-rep", name, "--role", role, *extra)
        assert code == 0, err
    return db


def test_a_reps_callback_time_is_read_in_the_reps_zone_not_the_servers(
    capsys, team: Path, monkeypatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")  # the host's zone
    code, out, err = cli(capsys, team, "--rep", "ana", "add", "--name", "Pat Lee", "--phone",
                         "+1 212 555 0100", "--company", "Acme", "--json")  # fmt: skip
    assert code == 0, err
    lead = json.loads(out)["lead_id"]
    code, out, err = cli(capsys, team, "--rep", "rob", "log", "--lead", str(lead), "--outcome",
                         "callback", "--when",
                         "thu 3pm", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["when"] == "2026-11-26T23:00:00+00:00"  # 15:00 in Los Angeles
    code, out, err = cli(capsys, team, "--rep", "ana", "log", "--lead", str(lead), "--outcome",
                         "callback", "--when",
                         "fri 3pm", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["when"] == "2026-11-27T20:00:00+00:00"  # ana has none: the team's zone


async def test_the_app_shows_and_reads_times_in_the_reps_zone(team: Path, capsys) -> None:
    from callblock.app import create_app
    from callblock.services.team_settings import settings_for

    store = Store.open(team)
    try:
        settings = settings_for(store, Settings())
        app = create_app(
            settings=settings, store=store, clock=FixedClock(NOW), rep="rob", start="home"
        )
        assert app.context.rep_zone == "America/Los_Angeles" and app.context.role == "rep"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, WeekScreen)
            assert app.screen.query_one("AppHeader").now.strftime("%H:%M") == "11:00"
            await pilot.press("r")  # Review is a team lead's
            await pilot.pause()
            assert not isinstance(app.screen, ReviewScreen)
    finally:
        store.close()


def test_review_from_the_command_line_is_refused_to_a_rep(capsys, team: Path) -> None:
    code, _, err = cli(capsys, team, "--rep", "rob", "review")
    assert code != 0
    assert err.count("\n") == 1


def test_team_settings_are_changed_by_a_team_lead_only(capsys, team: Path, monkeypatch) -> None:
    """As an account that does not own the database (tests/test_team_group.py does it as a
    real other user)."""
    import callblock.services.team as team_service

    monkeypatch.setattr(team_service, "is_floor_admin", lambda database: False)
    before = team.read_bytes()
    monkeypatch.setattr(team_service, "account_name", lambda: "rob")
    code, _, err = cli(capsys, team, "--rep", "rob", "team", "settings", "--set",
                       "queue.spacing_minutes=45")  # fmt: skip
    assert code == 1 and "team lead" in err and err.count("\n") == 1
    assert team.read_bytes() == before
    monkeypatch.setattr(team_service, "account_name", lambda: "lena")
    code, _, err = cli(capsys, team, "--rep", "lena", "team", "settings", "--set",
                       "queue.spacing_minutes=45")  # fmt: skip
    assert code == 0, err


def test_a_lead_on_another_reps_screen_cannot_be_logged(capsys, team: Path) -> None:
    code, out, _ = cli(capsys, team, "--rep", "ana", "add", "--name", "Pat Lee", "--phone",
                       "+1 212 555 0100", "--company", "Acme", "--json")  # fmt: skip
    lead = json.loads(out)["lead_id"]
    store = Store.open(team)
    try:
        assert claim_as(store, FixedClock(NOW), "rob", lead)
    finally:
        store.close()
    code, _, err = cli(capsys, team, "--rep", "ana", "log", "--lead", str(lead), "--outcome",
                       "no-answer")  # fmt: skip
    assert code == 1 and "rob's screen" in err
    code, _, err = cli(capsys, team, "--rep", "rob", "log", "--lead", str(lead), "--outcome",
                       "no-answer")  # fmt: skip
    assert code == 0, err


def test_leads_json_and_the_lead_screen_say_who_holds_a_lead(capsys, team: Path) -> None:
    code, out, _ = cli(capsys, team, "--rep", "ana", "add", "--name", "Pat Lee", "--phone",
                       "+1 212 555 0100", "--company", "Acme", "--json")  # fmt: skip
    lead = json.loads(out)["lead_id"]
    code, out, _ = cli(capsys, team, "leads", "--json")
    assert code == 0 and json.loads(out)[0]["held_by"] is None
    store = Store.open(team)
    try:
        assert claim_as(store, FixedClock(NOW), "rob", lead)
    finally:
        store.close()
    code, out, _ = cli(capsys, team, "leads", "--json")
    assert json.loads(out)[0]["held_by"] == "rob"
    code, out, _ = cli(capsys, team, "leads")
    assert "held by rob" in out


async def test_the_lead_screen_says_held_by(team: Path) -> None:
    from callblock.app import create_app
    from callblock.screens.lead import LeadScreen
    from callblock.services.leads import add_lead
    from callblock.services.team_settings import settings_for
    from tests.power_hour_helpers import status_line

    store = Store.open(team)
    try:
        clock = FixedClock(NOW)
        lead = add_lead(
            store,
            clock,
            name="Pat Lee",
            company="Acme",
            phone="+1 212 555 0100",
            settings=Settings(),
        )
        assert claim_as(store, clock, "rob", lead)
        settings = settings_for(store, Settings())
        app = create_app(settings=settings, store=store, clock=clock, rep="lena", start="home")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.push_screen(LeadScreen(lead))
            await pilot.pause()
            assert "held by rob" in status_line(app)
    finally:
        store.close()
