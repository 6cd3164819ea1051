"""The power-hour screen driven through Pilot with the real keys, checked in the database.

The clock is pinned at Mon 2026-11-23 14:00 in New York (19:00 UTC), the rep's zone.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from textual.widgets import Input, TextArea

from callblock.config import DEFAULT_KEYS, Settings
from callblock.domain.models import LeadStatus
from callblock.domain.outcomes import OUTCOMES
from callblock.screens.help import HelpScreen
from callblock.screens.summary import SummaryScreen
from callblock.services import sessions
from callblock.services.leads import history
from callblock.store import Store
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.notes import NotesPane
from tests.conftest import NOW, ZONE
from tests.power_hour_helpers import (
    PRESSES,
    SIZE,
    STATE_AFTER,
    card,
    ended_at,
    power_hour,
    shown,
    status_line,
    touched_earlier,
)
from tests.screen_text import screen_text, widget_text


# 1. every outcome key ---------------------------------------------------------------------------
def test_presses_cover_every_outcome() -> None:
    assert set(PRESSES) == {o.code for o in OUTCOMES} == set(STATE_AFTER)
    assert {code: keys[0] for code, keys in PRESSES.items()} == {o.code: o.key for o in OUTCOMES}


@pytest.mark.parametrize("code", list(PRESSES))
async def test_outcome_key_records_committed_outcome_and_shows_next_lead(
    code, make_app, make_lead, store, db_path
):
    first = make_lead(name="Ann First")
    second = make_lead(name="Bob Second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == first
        assert "Ann First" in card(app)

        await pilot.press(*PRESSES[code])

        assert shown(app) == second
        assert "Bob Second" in card(app)
        assert "Ann First" in status_line(app)
        session_id = power_hour(app).session.id
        fresh = Store.open(db_path)  # another connection: the outcome is committed already
        try:
            touches = fresh.touches.touches_for_lead(first)
            assert [(t.outcome, t.rep, t.session_id) for t in touches] == [
                (code, "alice", session_id)
            ]
            assert fresh.touches.touches_for_lead(second) == []
        finally:
            fresh.close()
    lead = store.leads.get_lead(first)
    assert lead is not None
    assert (lead.status, lead.bad_number, lead.attempts) == (*STATE_AFTER[code], 1)


# 5. undo ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["bad-number", "callback", "meeting", "dnc"])
async def test_undo_restores_lead_promises_and_shows_it_again(
    code, make_app, make_lead, store, clock
):
    lead_id = make_lead(name="Ann First")
    # alice's own callback, due now: the lead is on top of her queue
    earlier = touched_earlier(
        store, clock, lead_id, "callback", when=NOW + timedelta(minutes=1), rep="alice"
    )
    before = store.leads.get_lead(lead_id)
    promises_before = [p.id for p in store.touches.open_promises(lead_id)]
    assert before is not None and before.attempts == 1 and len(promises_before) == 1
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        await pilot.press(*PRESSES[code])
        assert shown(app) is None
        recorded = history(store, lead_id)[0]
        assert recorded.outcome == code
        changed = store.leads.get_lead(lead_id)
        assert changed is not None and changed.attempts == 2

        await pilot.press("u")

        assert shown(app) == lead_id
        assert "Ann First" in card(app)
        assert "undone" in status_line(app)
        assert "0 dials" in widget_text(app, app.screen.query_one("#session-bar"))
    assert [t.id for t in history(store, lead_id)] == [earlier]
    after = store.leads.get_lead(lead_id)
    assert after == before  # status, bad number, attempts, last touch: all as before
    assert [p.id for p in store.touches.open_promises(lead_id)] == promises_before
    undo = store.touches.audit_entries("undo")
    assert len(undo) == 1
    assert (undo[0]["rep"], undo[0]["touch_id"]) == ("alice", recorded.id)
    assert undo[0]["detail"]["outcome"] == code


async def test_undo_and_note_with_nothing_recorded_in_this_block_do_nothing(
    make_app, make_lead, store, clock
):
    lead_id = make_lead()
    earlier = touched_earlier(store, clock, lead_id, "no-answer", rep="alice")  # another block
    before = store.leads.get_lead(lead_id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert "Nothing to undo" in status_line(app)
        await pilot.press("t")
        assert shown(app) == lead_id  # no note prompt, same lead
        await pilot.press("c", "u", "u")  # one outcome, two undos: only this block's touch goes
        assert "Nothing to undo" in status_line(app)
        assert shown(app) == lead_id
    assert [t.id for t in history(store, lead_id)] == [earlier]
    assert store.leads.get_lead(lead_id) == before
    assert len(store.touches.audit_entries("undo")) == 1


# 6. research notes ------------------------------------------------------------------------------
async def test_edit_notes_types_text_not_commands_and_escape_saves(make_app, make_lead, store):
    lead_id = make_lead(notes="Uses HubSpot.")
    make_lead()
    # every key the screen binds to a single character, typed as text
    typed = " " + "".join(sorted({k for k in DEFAULT_KEYS.values() if len(k) == 1})) + "?"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        pane = app.screen.query_one(NotesPane)
        assert pane.editing and isinstance(app.focused, TextArea)

        await pilot.press(*typed)

        assert power_hour(app) is app.screen  # no help, no summary, no prompt
        assert shown(app) == lead_id
        assert store.admin.count("touches") == 0
        assert ended_at(store, app) is None
        assert app.screen.query_one(TextArea).text == "Uses HubSpot." + typed

        await pilot.press("escape")

        assert not pane.editing
        assert store.leads.get_lead(lead_id).notes == "Uses HubSpot." + typed
        await pilot.pause()
        assert "Uses HubSpot." + typed.rstrip() in widget_text(app, pane)

        await pilot.press("c")  # keys are outcome keys again
    assert [t.outcome for t in history(store, lead_id)] == ["connected"]


# 7. Esc with nothing open -----------------------------------------------------------------------
async def test_escape_on_power_hour_does_nothing(make_app, make_lead, store):
    lead_id = make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "escape")
        assert app.is_running
        assert shown(app) == lead_id
        assert ended_at(store, app) is None
    assert store.admin.count("touches") == 0


# 8. skip ----------------------------------------------------------------------------------------
async def test_skip_moves_on_and_records_nothing(make_app, make_lead, store):
    first = make_lead(name="Ann First")
    second = make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert shown(app) == second
        assert "skipped Ann First" in status_line(app)
        await pilot.press("s")
        assert shown(app) is None  # a skipped lead does not come back in this block
    assert store.admin.count("touches") == 0
    for lead_id in (first, second):
        lead = store.leads.get_lead(lead_id)
        assert lead is not None and (lead.status, lead.attempts) == (LeadStatus.NEW, 0)


# 9. end of block --------------------------------------------------------------------------------
async def test_end_block_shows_summary_of_what_was_pressed(make_app, make_lead, store, clock):
    for _ in range(5):
        make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = power_hour(app)
        # connected, no answer, callback, meeting; not-interested undone (does not count)
        await pilot.press("c", "n", "l", *"in 2h", "enter", "m", *"in 1d", "enter", "x", "u")
        clock.advance(minutes=12)
        await pilot.press("q")

        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
        for label, value in (
            ("dials", "4"),
            ("contacts", "3"),
            ("contact rate", "75%"),
            ("meetings booked", "1"),
            ("callbacks set", "1"),
            ("time", "12 min"),
        ):
            assert re.search(rf"\b{label}\s+{re.escape(value)}(?!\S)", text), (label, value, text)
    session = store.sessions.get_session(screen.session.id)
    assert session is not None and session.ended_at == NOW + timedelta(minutes=12)
    stats = sessions.session_stats(store, session, clock.now())
    assert (stats.dials, stats.contacts, stats.meetings, stats.callbacks) == (4, 3, 1, 1)


# 10. help ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("close", ["escape", "q", "question_mark"])
async def test_help_lists_every_outcome_and_closes(close, make_app, make_lead, store):
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for outcome in OUTCOMES:
            assert re.search(rf"\b{outcome.key}\s+{re.escape(outcome.label)}", text), outcome
            assert f"({outcome.code}:" in text

        await pilot.press(close)

        power_hour(app)
        assert ended_at(store, app) is None  # q closes help; it does not end the block


# 11. remapped keys ------------------------------------------------------------------------------
async def test_remapped_keys_record_show_in_key_bar_and_help(make_app, make_lead, store):
    leads = [make_lead() for _ in range(4)]
    keys = {**DEFAULT_KEYS, "no-answer": "z", "connected": "v", "voicemail": "c", "help": "h"}
    app = make_app(settings_override=Settings(timezone=ZONE, keys=keys))
    async with app.run_test(size=SIZE) as pilot:
        bar = widget_text(app, app.screen.query_one(KeyBar))
        for shown_key in ("z no ans", "v conn", "c vm", "h help"):
            assert shown_key in bar, bar
        assert "n no ans" not in bar

        await pilot.press("z", "v", "c", "n")  # n is no longer bound

        assert shown(app) == leads[3]
        assert store.admin.count("touches") == 3
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert re.search(r"\bz\s+No answer", text)
        assert re.search(r"\bv\s+Connected", text)
        assert re.search(r"\bc\s+Left voicemail", text)
        assert not re.search(r"\bn\s+No answer", text)
    recorded = [history(store, lead_id)[0].outcome for lead_id in leads[:3]]
    assert recorded == ["no-answer", "connected", "voicemail"]


# 12. empty queue --------------------------------------------------------------------------------
async def test_empty_queue_shows_card_and_outcome_keys_do_nothing(make_app, make_lead, store):
    make_lead(tz="Asia/Tokyo")  # 04:00 in Tokyo: outside its calling hours
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) is None
        assert "No lead to call right now" in card(app)

        await pilot.press(*(o.key for o in OUTCOMES), "s", "e", "t")

        assert shown(app) is None
        assert not app.screen.query_one(NotesPane).editing
        assert not app.screen.query(Input)  # no prompt opened
        assert "No lead to call right now" in card(app)
    assert store.admin.count("touches") == 0
    assert store.admin.count("callbacks") == 0
