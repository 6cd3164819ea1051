"""Guards found by a stranger's review of the team work: one person on one screen through
merges and lapsed leases, removed reps, owners, zones, and host files over SSH."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from callblock.app import create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.screens.import_leads import ImportScreen
from callblock.screens.power_hour import PowerHourScreen
from callblock.services import ServiceError, sessions
from callblock.services.dupes import merge_leads
from callblock.services.leads import add_lead
from callblock.services.team import add_rep, remove_rep, rep_profile
from callblock.store import Store
from tests.conftest import NOW, LeadMaker
from tests.power_hour_helpers import SIZE, status_line


def block(store: Store, clock: FixedClock, settings: Settings, rep: str):  # type: ignore[no-untyped-def]
    started, _ = sessions.start_block(
        store, clock, settings, rep=rep, block_name="Power hour", target=60
    )
    return started


def test_a_lead_on_a_screen_is_not_merged_away_and_a_merged_lead_takes_no_outcome(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    shown_lead = make_lead(name="Pat Lee", phone="+1 212 555 0100")
    twin = make_lead(name="Pat Lee", phone="+1 212 555 0199", created=NOW - timedelta(hours=3))
    alice = block(store, clock, settings, "alice")
    assert alice.advance().lead.id == shown_lead
    for keep, other in ((twin, shown_lead), (shown_lead, twin)):
        with pytest.raises(ServiceError, match="on alice's screen right now"):
            merge_leads(store, clock, rep="lena", keep=keep, other=other, settings=settings)
    merge_leads(store, clock, rep="alice", keep=shown_lead, other=twin, settings=settings,
                session_id=alice.session.id)  # fmt: skip  # her own screen: allowed
    alice.advance()
    with pytest.raises(ServiceError, match="merged into"):
        from callblock.services.dialing import record_outcome

        record_outcome(
            store, clock, rep="alice", lead_id=twin, code="no-answer", settings=Settings()
        )


def test_a_lapsed_lease_taken_by_another_rep_leaves_the_first_screen(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    lead = make_lead(name="Long Call")
    alice = block(store, clock, settings, "alice")
    assert alice.advance().lead.id == lead
    clock.advance(seconds=95)  # no heartbeat got through for longer than a lease
    bob = block(store, clock, settings, "bob")
    assert bob.advance().lead.id == lead
    assert alice.heartbeat() is True
    assert alice.current is None and alice.lost is not None and alice.lost[1] == "bob"
    with pytest.raises(ServiceError, match="on bob's screen"):
        from callblock.services.dialing import record_outcome

        record_outcome(store, clock, rep="alice", lead_id=lead, code="no-answer",
                       session_id=alice.session.id, settings=Settings())  # fmt: skip


def test_a_removed_rep_gets_no_block_and_an_open_one_says_why(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    make_lead(name="Ann")
    add_rep(store, clock, "carol")
    running = block(store, clock, settings, "carol")
    running.advance()
    remove_rep(store, clock, "carol")
    with pytest.raises(ServiceError, match="removed"):
        block(store, clock, settings, "carol")
    with pytest.raises(ServiceError, match="removed"):
        running.record("no-answer")
    assert running.heartbeat() is False  # its session was ended with the rep


async def test_the_screen_of_a_removed_rep_says_so(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    make_lead(name="Ann")
    add_rep(store, clock, "carol")
    app = create_app(settings=settings, store=store, clock=clock, rep="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PowerHourScreen) and app.screen.current is not None
        remove_rep(store, clock, "carol")
        await pilot.pause(1.2)
        assert "removed from the team" in status_line(app)
        assert app.screen.current is None


def test_owners_are_current_reps_and_a_removed_reps_leads_come_back(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    add_rep(store, clock, "carol")
    phone = "+1 212 555 0100"
    for owner in ("Carol", "nobody"):
        with pytest.raises(ServiceError, match="not a current rep"):
            add_lead(
                store, clock, name="X", company="A", phone=phone, owner=owner, settings=Settings()
            )
    owned = add_lead(
        store, clock, name="X", company="A", phone=phone, owner="carol", settings=Settings()
    )
    assert remove_rep(store, clock, "carol")["leads_released"] == 1
    assert store.leads.get_lead(owned).owner is None


def test_a_rep_zone_this_host_does_not_know_falls_back_to_the_teams(
    store: Store, clock: FixedClock
) -> None:
    add_rep(store, clock, "rob", timezone="America/Los_Angeles")
    store.conn.execute("UPDATE reps SET timezone = 'Mars/Base' WHERE name = 'rob'")
    assert rep_profile(store, "rob", "America/New_York") == ("America/New_York", "rep")


@pytest.mark.parametrize(("role", "remote"), [("rep", False), ("lead", True)])
async def test_no_host_file_is_imported_by_a_rep_nor_over_ssh(
    store: Store, clock: FixedClock, settings: Settings, role: str, remote: bool
) -> None:
    add_rep(store, clock, "amy", role=role)
    app = create_app(
        settings=settings, store=store, clock=clock, rep="amy", start="home", remote=remote
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)


async def test_a_lead_imports_on_this_host(
    store: Store, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    add_rep(store, clock, "lena", role="lead")
    app = create_app(settings=settings, store=store, clock=clock, rep="lena", start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)


def test_an_imported_owner_must_be_a_current_rep_of_the_team(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    from callblock.services.importer import ImportOptions, import_csv

    add_rep(store, clock, "carol")
    csv_path = tmp_path / "crm.csv"
    csv_path.write_text(
        "Name,Phone,Lead Owner\nJim Brodo,2125550143,carol\nAnn Lee,2125550144,Caroline\n"
    )
    report = import_csv(store, clock, csv_path, ImportOptions())
    assert not report.committed and store.admin.count("leads") == 0  # all or nothing
    [problem] = report.problems
    assert (problem.line, problem.column) == (3, "Lead Owner")
    assert "'Caroline' is not a current rep" in problem.message
    with pytest.raises(ServiceError, match="owner: 'dave' is not a current rep"):
        import_csv(store, clock, csv_path, ImportOptions(owner="dave"))
    csv_path.write_text("Name,Phone,Lead Owner\nJim Brodo,2125550143,carol\n")
    import_csv(store, clock, csv_path, ImportOptions())
    assert [lead.owner for lead in store.leads.list_leads(5)] == ["carol"]
