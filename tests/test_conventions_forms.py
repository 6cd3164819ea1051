"""Forms and the lead screen (issue 12), at 80x24: fast typing + Tab lands in its own field,
the import screen keeps the path field focused and never takes an import key from typing, merge
from the lead screen offers the likely duplicates and refuses a self-merge at once, the six fit
criteria fit at 80 columns, and the text slips ("1 dials", a lost space) are gone."""

from __future__ import annotations

import re
from pathlib import Path

from textual import events
from textual.widgets import Input, OptionList

from callblock.app import CallblockApp
from callblock.domain.models import FIT_CRITERIA
from callblock.domain.text import plural
from callblock.screens.import_leads import ImportScreen
from callblock.screens.lead import LeadScreen
from callblock.screens.lead_form import NewLeadScreen
from callblock.screens.prompts import ConfirmScreen
from callblock.store import Store
from callblock.widgets.lead_detail import LeadDetail
from callblock.widgets.session_bar import SessionBar
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text, widget_text


async def settle(app: CallblockApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def burst(app: CallblockApp, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist or a paste: all queued at once, before any is
    handled (what the driver does with one read of many bytes)."""
    for key in keys:
        if len(key) == 1:
            name = "space" if key == " " else key
            app.post_message(events.Key(name, key))
        else:
            app.post_message(events.Key(key, None))


async def test_fast_typing_then_tab_lands_in_each_field(store: Store, make_app: AppMaker) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, NewLeadScreen)
        burst(app, *"Jim Brodo", "tab", *"Brodo Inc", "tab")
        app.post_message(events.Paste("2125550143"))  # pasted, then Tab at once
        burst(app, "tab", *"VP Sales")
        await settle(app, pilot)
        values = {i.id: i.value for i in app.screen.query(Input)}
        assert values == {
            "field-name": "Jim Brodo",
            "field-company": "Brodo Inc",
            "field-phone": "2125550143",
            "field-title": "VP Sales",
            "field-email": "",
            "field-region": "",
        }
        await pilot.press("enter")
        await settle(app, pilot)
        [lead] = store.leads.leads_by_ids([1])
        assert (lead.name, lead.company, lead.title) == ("Jim Brodo", "Brodo Inc", "VP Sales")


async def test_import_keeps_the_path_field_and_never_imports_from_typing(
    tmp_path: Path, store: Store, make_app: AppMaker
) -> None:
    csv_path = tmp_path / "crm.csv"
    csv_path.write_text("First Name,Last Name,Phone\nJim,Brodo,2125550143\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        await pilot.press(*str(csv_path), "enter")
        await settle(app, pilot)
        assert "would import 1 new lead;" in screen_text(app)
        field = app.screen.query_one("#path", Input)
        assert app.focused is field  # still in the path field after the check
        await pilot.press("y", "s")  # typed: letters in the path, never an import
        await settle(app, pilot)
        assert store.admin.count("leads") == 0
        assert field.value == f"{csv_path}ys"
        await pilot.press("backspace", "backspace", "enter")  # checked again
        await settle(app, pilot)
        assert "^y import" in screen_text(app)
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert store.admin.count("leads") == 1
        assert "imported 1 new lead;" in screen_text(app)
        assert "merged 0 rows" in screen_text(app)


async def test_merge_offers_the_likely_duplicates(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    keep = make_lead(name="James Brodo", company="Brodo Inc", phone="2125550143")
    dup = make_lead(name="Jim Brodo", company="Brodo Inc", phone="3125550100")
    make_lead(name="Ann Lee", company="Globex")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeadScreen(keep))
        await settle(app, pilot)
        assert f"lead {keep}" in widget_text(app, app.screen.query_one(LeadDetail))
        await pilot.press("m")
        await settle(app, pilot)
        choices = app.screen.query_one(OptionList)
        text = widget_text(app, choices)
        assert f"lead {dup}" in text and "Jim Brodo" in text and "Ann Lee" not in text
        assert "Brodo Inc  nickname James/Jim" in text  # the reason, apart from the company
        assert "another lead, by its id" in text
        await pilot.press("enter")  # the first likely duplicate
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert store.leads.merged_into(dup) == keep
        assert "0 touches, 0 callbacks" in screen_text(app)


async def test_merge_by_id_refuses_itself_before_asking(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    keep = make_lead(name="James Brodo")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeadScreen(keep))
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press(*str(keep), "enter")  # no duplicates: the id is typed
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert isinstance(app.screen, LeadScreen)
        assert "cannot merge a lead into itself" in screen_text(app)


async def test_all_six_fit_criteria_show_at_80_columns(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead = make_lead(name="Bartholomew Featherstonehaugh", company="Featherstonehaugh Holdings")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeadScreen(lead))
        await settle(app, pilot)
        detail = widget_text(app, app.screen.query_one(LeadDetail))
        from callblock.widgets.lead_detail import FIT_LABELS

        assert len(FIT_LABELS) == len(FIT_CRITERIA) == 6
        for n, label in enumerate(FIT_LABELS, start=1):
            assert f"{n} {label}" in detail, detail


async def test_when_prompt_keeps_the_space_before_the_leads_time(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead(tz="America/Los_Angeles")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("l", *"tomorrow 2pm")  # 11:00 for the lead: inside its hours
        await settle(app, pilot)
        assert re.search(r"EST \s*\(lead's time Tue 11:00 PST\)", screen_text(app))


async def test_one_dial_is_one_dial_not_1_dials(make_app: AppMaker, make_lead: LeadMaker) -> None:
    make_lead()
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")  # no answer: one dial, no contact
        await settle(app, pilot)
        bar = widget_text(app, app.screen.query_one(SessionBar))
        assert "1 dial ·" in bar and "0 contacts" in bar, bar
        assert "1 dials" not in bar


def test_plural() -> None:
    assert [plural(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert (
        plural(1, "touch", "touches") == "1 touch" and plural(3, "touch", "touches") == "3 touches"
    )


async def test_merge_choice_can_take_any_lead_by_id(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    keep = make_lead(name="James Brodo", company="Brodo Inc", phone="2125550143")
    make_lead(name="Jim Brodo", company="Brodo Inc", phone="3125550100")
    other = make_lead(name="Ann Lee", company="Globex")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeadScreen(keep))
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # "another lead, by its id…"
        await settle(app, pilot)
        await pilot.press(*str(keep), "enter")  # itself: refused before any question
        await settle(app, pilot)
        assert isinstance(app.screen, LeadScreen)
        assert "cannot merge a lead into itself" in screen_text(app)
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("down", "enter", *str(other), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert store.leads.merged_into(other) is None
