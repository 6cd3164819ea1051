"""Taking a lead off do-not-call: a team lead's act with a reason, audited and in the lead's
history; on a single-user database a confirmation; no other path does it (lead form, outcomes,
import, merge)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.models import LeadStatus
from callblock.screens.lead import LeadScreen
from callblock.screens.lead_form import EditLeadScreen
from callblock.screens.prompts import NoteScreen
from callblock.services import ServiceError
from callblock.services.dnc import lift_dnc
from callblock.services.dupes import merge_leads
from callblock.services.lead_edit import update_lead
from callblock.services.team import add_rep
from callblock.store import Store
from tests.conftest import NOW
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text

NOW_ARG = iso(NOW)


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), "--now", NOW_ARG, *args])
    out, err = capsys.readouterr()
    return code, out + err


def dnc_lead(make_lead, store: Store, **fields: object) -> int:
    lead_id = make_lead(**fields)
    with store.transaction():
        store.leads.update_lead_fields(lead_id, {"status": LeadStatus.DNC.value})
    return lead_id


def status(store: Store, lead_id: int) -> LeadStatus:
    lead = store.leads.get_lead(lead_id)
    assert lead is not None
    return lead.status


def test_the_lead_form_service_cannot_take_a_lead_off_dnc(store, settings, make_lead) -> None:
    lead_id = dnc_lead(make_lead, store)
    with pytest.raises(ServiceError, match="a team lead's act, with a reason"):
        update_lead(store, lead_id, {"status": "working"}, settings=settings)
    assert status(store, lead_id) is LeadStatus.DNC
    update_lead(store, lead_id, {"status": "do-not-call", "title": "CFO"}, settings=settings)
    assert status(store, lead_id) is LeadStatus.DNC  # other fields still edit


def test_on_a_team_only_a_team_lead_lifts_it_with_a_reason_kept_in_the_audit(
    store: Store, clock: FixedClock, settings: Settings, make_lead
) -> None:
    lead_id = dnc_lead(make_lead, store)
    add_rep(store, clock, "lena", role="lead")
    add_rep(store, clock, "rob", role="rep")
    with pytest.raises(ServiceError, match="rob is not a team lead"):
        lift_dnc(store, clock, settings, rep="rob", lead_id=lead_id, reason="x", confirmed=True)
    with pytest.raises(ServiceError, match="reason"):
        lift_dnc(store, clock, settings, rep="lena", lead_id=lead_id, reason="  ")
    assert status(store, lead_id) is LeadStatus.DNC
    lifted = lift_dnc(
        store, clock, settings, rep="lena", lead_id=lead_id, reason="asked us to call again"
    )
    assert lifted.status is LeadStatus.WORKING
    [entry] = store.touches.audit_entries("dnc-lifted")
    assert (entry["rep"], entry["detail"]) == (
        "lena",
        {"lead_id": lead_id, "reason": "asked us to call again", "status": "working"},
    )


def test_cli_lift_needs_a_confirmation_alone_and_shows_in_the_history(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "one.db"
    code, out = cli(capsys, db, "--rep", "al", "add", "--name", "Ann", "--company", "Acme",
                    "--phone", "(212) 555-0143", "--json")  # fmt: skip
    lead_id = json.loads(out)["lead_id"]
    assert cli(capsys, db, "--rep", "al", "log", "--lead", str(lead_id), "--outcome", "dnc")[0] == 0
    # No outcome lifts it: a meeting logged on a do-not-call lead is refused, status unchanged.
    code, out = cli(capsys, db, "--rep", "al", "log", "--lead", str(lead_id), "--outcome",
                    "meeting", "--when", "tomorrow 10am")  # fmt: skip
    assert code != 0 and "do not call" in out
    later = ["--now", "2026-11-23T20:00:00Z", "--rep", "al"]
    args = [*later, "lift-dnc", "--lead", str(lead_id), "--reason", "wrote in: call me"]
    code, out = cli(capsys, db, *args)
    assert code != 0 and "confirm with --yes" in out
    code, out = cli(capsys, db, *args, "--yes")
    assert code == 0 and f"lead {lead_id} is off do-not-call (working)" in out
    code, out = cli(capsys, db, "--rep", "al", "history", "--lead", str(lead_id), "--json")
    rows = json.loads(out)
    assert [(r["outcome"], r["note"]) for r in rows] == [
        ("dnc-lifted", "wrote in: call me"),
        ("dnc", ""),
    ]
    code, out = cli(capsys, db, "--rep", "al", "history", "--lead", str(lead_id))
    assert "dnc-lifted" in out and "wrote in: call me" in out


def test_a_rep_on_a_team_is_refused_on_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "team.db"
    assert cli(capsys, db, "team", "init", "--timezone", "America/New_York")[0] == 0
    for name, role in (("lena", "lead"), ("rob", "rep")):
        assert cli(capsys, db, "team", "add-rep", name, "--role", role)[0] == 0
    code, out = cli(capsys, db, "--rep", "rob", "add", "--name", "Ann", "--company", "Acme",
                    "--phone", "(212) 555-0143", "--json")  # fmt: skip
    lead_id = json.loads(out)["lead_id"]
    assert (
        cli(capsys, db, "--rep", "rob", "log", "--lead", str(lead_id), "--outcome", "dnc")[0] == 0
    )
    args = ["lift-dnc", "--lead", str(lead_id), "--reason", "r", "--yes"]
    code, out = cli(capsys, db, "--rep", "rob", *args)
    assert code != 0 and "rob is not a team lead" in out
    code, out = cli(capsys, db, "--rep", "lena", *args)
    assert code == 0, out


def test_import_and_merge_never_take_a_lead_off_dnc(
    store: Store, clock: FixedClock, settings: Settings, make_lead, tmp_path: Path, capsys
) -> None:
    keep = dnc_lead(make_lead, store, name="Ann Lee")
    other = make_lead(name="Ann Lee")
    merge_leads(store, clock, rep="al", keep=keep, other=other, settings=settings)
    assert status(store, keep) is LeadStatus.DNC
    db = store.path
    csv = tmp_path / "again.csv"
    lead = store.leads.get_lead(keep)
    csv.write_text(f"lead_id,name,phone,status\n{keep},Ann Lee,{lead.phone},working\n")
    code, out = cli(capsys, db, "--rep", "al", "import", str(csv), "--json")
    assert code == 0, out
    assert status(store, keep) is LeadStatus.DNC


async def test_a_reps_lead_form_cannot_do_it_and_a_single_user_confirms_with_a_reason(
    store: Store, clock: FixedClock, make_app, make_lead
) -> None:
    lead_id = dnc_lead(make_lead, store, name="Never Call")
    app = make_app(rep="rob")
    add_rep(store, clock, "rob", role="rep")  # a team database: rob is a rep
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(lead_id))
        await pilot.press("f")
        assert isinstance(app.screen, EditLeadScreen)
        app.screen.query_one("#field-status", Input).value = "working"
        await pilot.press("enter")
        assert isinstance(app.screen, EditLeadScreen)
        assert "a team lead's act" in " ".join(screen_text(app).split())
    assert status(store, lead_id) is LeadStatus.DNC


async def test_a_single_user_lifts_it_from_the_form_after_giving_a_reason(
    store: Store, make_app, make_lead
) -> None:
    lead_id = dnc_lead(make_lead, store, name="Never Call")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(lead_id))
        await pilot.press("f")
        app.screen.query_one("#field-status", Input).value = "working"
        await pilot.press("enter")
        assert isinstance(app.screen, NoteScreen)
        assert "off do-not-call?" in " ".join(screen_text(app).split())
        await pilot.press("escape")  # no reason: still do-not-call
        assert isinstance(app.screen, EditLeadScreen)
        assert status(store, lead_id) is LeadStatus.DNC
        await pilot.press("enter", *"she asked", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        assert status(store, lead_id) is LeadStatus.WORKING
        text = screen_text(app)
        assert "off DNC → working" in text and "she asked" in text
