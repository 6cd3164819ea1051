"""Pilot tests at 80x24: `/` search, the lead screen, `a` new lead, `i` import, call now."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from callblock.app import CallblockApp
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import LeadStatus, Temperature
from callblock.screens.import_leads import ImportScreen
from callblock.screens.lead import LeadScreen
from callblock.screens.lead_form import EditLeadScreen, NewLeadScreen
from callblock.screens.search import SearchScreen
from callblock.services import ServiceError
from callblock.services.dupes import merge_leads
from callblock.services.leads import save_notes
from callblock.store import Store
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE, power_hour, shown
from tests.screen_text import assert_screen_safe, screen_text, shows

HOSTILE = [
    "[bold red]X[/]",
    "Acme [UK] Ltd",
    "Smith [/] Jr",
    "[@click=app.quit]y[/]",
    "[link=file:///etc/passwd]z[/]",
    "Wipe\x1b[2Jout",
    "Clip\x1b]52;c;SGVsbG8=\x07board",
]


async def settle(app: CallblockApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_search_finds_as_you_type_and_enter_opens(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead(name="Ann Lee", company="Globex")
    jim = make_lead(name="James Brodo", company="Brodo Inc")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("j", "i", "m")
        await settle(app, pilot)
        assert "James Brodo" in screen_text(app) and "Ann Lee" not in screen_text(app)
        await pilot.press("a", "backspace")  # typed into the search, not "new lead"
        assert isinstance(app.screen, SearchScreen)
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen) and app.screen.lead_id == jim
        await pilot.press("escape", "escape")
        assert power_hour(app)


async def test_lead_screen_shows_hostile_text_literally(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    ids = [make_lead(name=text, company=text, title=text, email="") for text in HOSTILE]
    for lead_id, text in zip(ids, HOSTILE, strict=True):
        save_notes(store, lead_id, text)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for lead_id, text in zip(ids, HOSTILE, strict=True):
            await app.push_screen(LeadScreen(lead_id))
            await pilot.pause()
            detail = screen_text(app)
            assert shows(detail, text), f"{text!r} not shown literally:\n{detail}"
            assert_screen_safe(app)
            await pilot.press("escape")
        await pilot.press("slash")
        await settle(app, pilot)
        await pilot.press("s", "m", "i")
        await settle(app, pilot)
        assert_screen_safe(app)


async def test_lead_screen_keys_change_the_lead(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Ann Lee", company="Globex")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(lead_id))
        await pilot.press("h", "1", "1", "6")
        lead = store.leads.get_lead(lead_id)
        assert lead is not None and lead.temperature is Temperature.HOT
        assert lead.fit == {"company_size": 2, "growth": 1}
        await pilot.press("f")
        assert isinstance(app.screen, EditLeadScreen)
        app.screen.query_one("#field-email", Input).value = "not an email"
        await pilot.press("enter")
        assert "is not an email address" in screen_text(app)
        assert store.leads.get_lead(lead_id).email == ""  # type: ignore[union-attr]
        app.screen.query_one("#field-email", Input).value = "ann@globex.com"
        app.screen.query_one("#field-title", Input).value = "CFO"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        lead = store.leads.get_lead(lead_id)
        assert lead is not None and (lead.email, lead.title) == ("ann@globex.com", "CFO")
        await pilot.press("e", "x", "escape")
        assert store.leads.get_lead(lead_id).notes == "x"  # type: ignore[union-attr]


async def test_call_now_works_the_lead_in_the_block(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead(name="First In Queue")
    later = make_lead(name="Picked Lead")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown(app) != later
        await app.push_screen(LeadScreen(later))
        await pilot.press("c")
        await pilot.pause()
        assert shown(app) == later and "picked by you" in screen_text(app)
        await pilot.press("n")  # the outcome is recorded for the picked lead
        assert power_hour(app).block.done == {later}


async def test_call_now_refuses_do_not_call(
    store: Store, clock: FixedClock, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Never Call")
    store.leads.update_lead_fields(lead_id, {"status": LeadStatus.DNC.value})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(lead_id))
        await pilot.press("c")
        assert isinstance(app.screen, LeadScreen)
        assert "do not call" in screen_text(app)


async def test_new_lead_from_any_screen_is_fresh_inbound(
    store: Store, clock: FixedClock, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead(name="Older")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, NewLeadScreen)
        await pilot.press(*"Zed", "tab", *"Co", "tab", *"2125550199", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, NewLeadScreen)
    (lead,) = [lead for lead in store.leads.list_leads(10) if lead.name == "Zed"]
    assert lead.created_at == clock.now() and lead.status is LeadStatus.NEW
    assert lead.phone == "+12125550199"


async def test_a_lead_added_in_the_app_is_due_under_the_settings_the_app_runs_with(
    store: Store, clock: FixedClock, make_app: AppMaker, settings: Settings
) -> None:
    """`a` used to add under Settings() (call now, UTC): the team's cadence and region hold."""
    steps = tuple(parse_step(step) for step in ("day 2", "day 3", "day 6"))
    ours = replace(settings, cadence=Cadence(steps=steps), default_region="GB")
    app = make_app(settings_override=ours)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.press(*"Zed", "tab", *"Co", "tab", *"020 7946 0018", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, NewLeadScreen)
    (lead,) = [lead for lead in store.leads.list_leads(10) if lead.name == "Zed"]
    assert lead.phone == "+442079460018"
    assert lead.next_due_at is not None
    assert lead.next_due_at > clock.now() + timedelta(hours=6)  # day 2, not now


async def test_import_screen_previews_then_imports(
    tmp_path: Path, store: Store, make_app: AppMaker
) -> None:
    csv_path = tmp_path / "crm.csv"
    csv_path.write_text("First Name,Last Name,Phone\nJim,Brodo,2125550143\nAnn,Lee,12\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one(Input).value = str(csv_path)
        await pilot.press("enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert "line 3, column Phone" in text and "would import 1 new lead;" in text
        assert store.admin.count("leads") == 0
        await pilot.press("ctrl+y")  # refused: the file has a bad row
        await settle(app, pilot)
        assert store.admin.count("leads") == 0
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "imported 1 new lead;" in screen_text(app)
        assert store.admin.count("leads") == 1
        assert (tmp_path / "crm.rejects.csv").exists()


async def test_merge_from_the_lead_screen(
    store: Store, clock: FixedClock, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    keep, other = make_lead(name="James Brodo"), make_lead(name="Jim Brodo")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(keep))
        await pilot.press("m", *str(other), "enter", "y")
        await pilot.pause()
        assert store.leads.merged_into(other) == keep
        assert f"merged lead {other} here" in screen_text(app)
        other_phone = store.leads.get_lead(other).phone  # type: ignore[union-attr]
        assert store.leads.get_lead(keep).other_phones == (other_phone,)  # type: ignore[union-attr]
        assert f"other phones: {other_phone}" in screen_text(app)  # on the lead's card
    with pytest.raises(ServiceError, match="already merged"):
        merge_leads(store, clock, rep="a", keep=keep, other=other, settings=Settings())
