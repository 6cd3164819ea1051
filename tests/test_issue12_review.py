"""Defects found reviewing issue 12's merged change, each proved here before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.models import LeadStatus
from callblock.services.dnc import dnc_events, lift_dnc
from callblock.services.preferences import save_theme, saved_theme
from callblock.store import Store
from tests.conftest import NOW, LeadMaker


def test_a_theme_the_database_will_not_take_is_reported_not_raised(store: Store) -> None:
    # set_meta writes through write_transaction, which turns SQLite's errors into a
    # StoreFault: save_theme must still answer False (the app then says so), not raise.
    with store.transaction():
        store.conn.execute("DROP TABLE meta")
    assert save_theme(store, "al", "nord") is False
    assert saved_theme(store, "al") is None


def _lifted_lead(store: Store, make_lead: LeadMaker, clock: FixedClock, settings: Settings) -> int:
    lead_id = make_lead()
    with store.transaction():
        store.leads.update_lead_fields(lead_id, {"status": LeadStatus.DNC.value})
    lift_dnc(
        store, clock, settings, rep="al", lead_id=lead_id, reason="asked again", confirmed=True
    )
    return lead_id


def test_an_unreadable_lift_time_in_the_audit_is_left_out_not_a_crash(
    store: Store,
    make_lead: LeadMaker,
    clock: FixedClock,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    db_path: Path,
) -> None:
    # Another tool (or a hand edit) wrote a lift whose time cannot be read: the lead's history
    # (power hour, lead screen, `callblock history`) shows the readable ones, never a traceback.
    lead_id = _lifted_lead(store, make_lead, clock, settings)
    with store.transaction():
        store.conn.execute(
            "INSERT INTO audit (at, rep, action, detail) VALUES ('garbage', 'x', 'dnc-lifted', ?)",
            (json.dumps({"lead_id": lead_id, "reason": "bad"}),),
        )
    events = dnc_events(store, lead_id)
    assert [why for _at, _rep, _what, why in events] == ["asked again"]
    code = main(["--db", str(db_path), "--now", iso(NOW), "history", "--lead", str(lead_id)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "asked again" in out and "internal error" not in err


def test_the_plan_table_says_1_dial_not_1_dials(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # One fresh inbound lead: one planned dial in the next block ("1 dials" was a listed slip;
    # the week screen already agrees its noun with the count).
    db = tmp_path / "plan.db"
    now = ["--now", "2026-11-23T12:00:00Z", "--rep", "al"]
    add = ["add", "--name", "Ann", "--company", "Acme", "--phone", "(212) 555-0143"]
    assert main(["--db", str(db), *now, *add]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), *now, "plan"]) == 0
    out = capsys.readouterr().out
    assert "   1 dial  " in out
    assert " 1 dials" not in out
    # the header still lines up with the counts
    head, *rows = out.splitlines()
    assert all(row.index(" dial") + 1 == head.index("dials") for row in rows if " dial" in row)


@pytest.mark.parametrize("blank", ["N/A", "n/a", "n.a.", "none", "Unknown", "-", "--"])
@pytest.mark.parametrize("where", ["state", "country"])
def test_a_crms_placeholder_for_no_state_is_no_region_not_namibia(blank: str, where: str) -> None:
    # "N/A" read as a name became "na": Namibia's alpha-2 code, so a US lead whose CRM left its
    # State as "N/A" was called under Namibia's rules instead of its phone's (Florida's, say),
    # and "-" or "none" refused the whole import. A placeholder names no place.
    from callblock.domain.regions import parse_region, record_region

    state, country = (blank, "") if where == "state" else ("", blank)
    assert record_region(state, country) is None
    assert parse_region(blank) is None
    # a real country still wins when the state is the placeholder
    assert record_region(blank, "Germany") == "DE"


async def test_reviews_log_says_1_of_1_touch(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    # The same slip as "1 dials": a day with one touch read "1 of 1 touches".
    from callblock.app import create_app
    from callblock.services import dialing
    from tests.screen_text import screen_text, shows

    lead_id = make_lead()
    dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="no-answer", settings=settings
    )
    app = create_app(settings=settings, store=store, clock=clock, rep="lead", start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert shows(text, "1 of 1 touch ·"), text


def test_exported_leads_import_back_with_the_same_extra_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The export writes the record's region in its `region` column; the import kept that cell
    # "as written" among the extra fields too, so a lead came back with an extra field
    # ("region: FL") it never had. A cell the region reads back to exactly adds nothing.
    first, again, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "leads.csv"
    now = ["--now", iso(NOW), "--rep", "al"]
    for region, phone in (("Florida", "(212) 555-0143"), ("DEU", "(212) 555-0144")):
        add = ["add", "--name", f"Lead {region}", "--company", "Acme", "--phone", phone]
        assert main(["--db", str(first), *now, *add, "--region", region]) == 0
    assert main(["--db", str(first), *now, "export", "leads", "-o", str(out)]) == 0
    assert main(["--db", str(again), *now, "import", str(out)]) == 0
    capsys.readouterr()
    store = Store.open(again)
    try:
        got = {lead.name: (lead.record_region, store.leads.lead_extra(lead.id)) for lead in
               store.leads.leads_by_ids([1, 2])}  # fmt: skip
    finally:
        store.close()
    assert got == {"Lead Florida": ("US-FL", {}), "Lead DEU": ("DE", {})}
