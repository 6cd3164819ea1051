"""The prompts of the power-hour screen: when (callback, meeting), do-not-call, note."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callblock.clock import iso
from callblock.domain.models import LeadStatus
from callblock.screens.prompts import ConfirmScreen, NoteScreen, WhenScreen
from callblock.services.leads import history
from tests.conftest import NOW
from tests.power_hour_helpers import (
    SIZE,
    SOON,
    WHEN,
    WHEN_UTC,
    power_hour,
    shown,
    status_line,
    touched_earlier,
)
from tests.screen_text import screen_text, widget_text


# 2. callback and meeting ask when ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "kind", "status"),
    [("l", "callback", LeadStatus.WORKING), ("m", "meeting", LeadStatus.QUALIFIED)],
)
async def test_when_prompt_books_promise_at_parsed_time(
    key, kind, status, make_app, make_lead, store
):
    lead_id = make_lead(name="Ann First")
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        assert isinstance(app.screen, WhenScreen)
        assert "Ann First" in screen_text(app)
        await pilot.press(*WHEN)
        preview = widget_text(app, app.screen.query_one("#when-preview"))
        assert "Tue 24 Nov 2026 10:30 EST" in preview  # shown before Enter
        assert store.admin.count("touches") == 0

        await pilot.press("enter")

        assert shown(app) != lead_id
    touches = history(store, lead_id)
    assert [t.outcome for t in touches] == [kind]
    promises = store.touches.open_promises(lead_id)
    assert [(p.kind, p.due_at, p.touch_id) for p in promises] == [(kind, WHEN_UTC, touches[0].id)]
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.status is status


@pytest.mark.parametrize("key", ["l", "m"])
async def test_escape_in_when_prompt_records_nothing(key, make_app, make_lead, store):
    lead_id = make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key, *SOON, "escape")
        assert shown(app) == lead_id
        assert power_hour(app).block.last is None
    assert store.admin.count("touches") == 0
    assert store.admin.count("callbacks") == 0
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and (lead.status, lead.attempts) == (LeadStatus.NEW, 0)


async def test_unreadable_time_keeps_the_prompt_open_and_records_nothing(
    make_app, make_lead, store
):
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", *"someday", "enter")
        assert isinstance(app.screen, WhenScreen)
        assert "cannot read" in widget_text(app, app.screen.query_one("#when-preview"))
        assert store.admin.count("touches") == 0
        await pilot.press("escape")
        power_hour(app)
    assert store.admin.count("touches") == 0


# 3. do not call ---------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_dnc_not_confirmed_records_nothing(answer, make_app, make_lead, store):
    lead_id = make_lead(name="Ann First")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark Ann First as do not call?" in screen_text(app)
        await pilot.press(answer)
        assert shown(app) == lead_id
    assert store.admin.count("touches") == 0
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.status is LeadStatus.NEW


async def test_dnc_confirmed_marks_lead_and_withdraws_its_callbacks(
    make_app, make_lead, store, clock
):
    lead_id = make_lead()
    touched_earlier(store, clock, lead_id, "callback", when=NOW + timedelta(days=2), hours=3)
    # a second callback, due now, puts the lead on top of alice's queue (a new callback replaces
    # the open one since issue 12: two open ones are from a database written before)
    with store.transaction():
        store.touches.insert_callback(
            lead_id=lead_id, rep="alice", due_at=iso(NOW), kind="callback", created_by_touch=None
        )
    assert (
        len(store.touches.open_promises(lead_id)) == 2
    )  # the later one: a plain dial would keep it
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        await pilot.press("d", "y")
        assert shown(app) is None  # never queued again
    assert history(store, lead_id)[0].outcome == "dnc"
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.status is LeadStatus.DNC
    assert store.touches.open_promises(lead_id) == []


# 4. note on the last outcome --------------------------------------------------------------------
async def test_note_is_saved_on_the_touch_just_recorded(make_app, make_lead, store):
    first = make_lead(name="Ann First")
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "t")
        assert isinstance(app.screen, NoteScreen)
        assert "Note on no answer · Ann First" in screen_text(app)
        await pilot.press(*"asked for pricing", "enter")
        assert "note saved: asked for pricing" in status_line(app)
    assert [(t.outcome, t.note) for t in history(store, first)] == [
        ("no-answer", "asked for pricing")
    ]


async def test_escape_in_note_prompt_saves_nothing(make_app, make_lead, store):
    first = make_lead()
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "t", *"xyz", "escape")
        power_hour(app)
    assert [(t.outcome, t.note) for t in history(store, first)] == [("no-answer", "")]


@pytest.mark.parametrize(
    ("typed", "shown_error"),
    [
        ("in 2000000 days", "is outside 1970-2100"),
        ("in 99999999999 days", "is outside 1970-2100"),
        ("9999-12-31", "9999-12-31 is outside 1970-2100"),
    ],
)
async def test_a_time_outside_the_window_shows_the_error_and_records_nothing(
    make_app, make_lead, store, typed: str, shown_error: str
):
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        app.screen.query_one("Input").value = typed  # quicker than typing 19 keys
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, WhenScreen)
        assert shown_error in widget_text(app, app.screen.query_one("#when-preview"))
        await pilot.press("escape")
    assert store.admin.count("touches") == 0 and store.admin.count("callbacks") == 0
