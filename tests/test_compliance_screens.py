"""Calling hours on the screens, pressing real keys at 80x24: a callback time outside the
lead's hours, a lead brought back by undo after its hours closed."""

from __future__ import annotations

from datetime import timedelta

from callblock.screens.prompts import WhenScreen
from callblock.services.leads import history
from tests.power_hour_helpers import SIZE, power_hour, shown, status_line
from tests.screen_text import widget_text


async def test_the_when_prompt_refuses_a_time_outside_the_leads_hours(make_app, make_lead, store):
    lead_id = make_lead(name="Ann Late")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        await pilot.press("l", *"tomorrow 9:30pm")
        preview = " ".join(widget_text(app, app.screen.query_one("#when-preview")).split())
        assert "outside calling hours 08:00–21:00" in preview
        assert "nearest allowed: Tue 24 Nov 20:59 for the lead" in preview
        await pilot.press("enter")
        assert isinstance(app.screen, WhenScreen)  # still asking
        assert store.admin.count("touches") == 0
        await pilot.press(*["backspace"] * len("9:30pm"), *"8:30pm", "enter")
        assert not isinstance(app.screen, WhenScreen)
    [touch] = history(store, lead_id)
    assert touch.outcome == "callback"
    [promise] = store.touches.open_promises(lead_id)
    assert f"{promise.due_at:%H:%M}" == "01:30"  # 20:30 in New York


async def test_a_lead_undone_after_its_hours_closed_is_not_shown_until_they_open(
    make_app, make_lead, store, clock
):
    from callblock.services import queue
    from tests.conftest import NOW

    first = make_lead(name="Ann York", tz="America/New_York")
    second = make_lead(name="Ben Hawaii", tz="Pacific/Honolulu")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == first
        await pilot.press("n")  # no answer: Ben is next
        assert shown(app) == second
        clock.set(NOW.replace(hour=2, minute=5) + timedelta(days=1))  # 21:05 in New York
        await pilot.press("u")
        await pilot.pause()
        assert shown(app) == second  # Ann's hours have closed: not brought back
        said = " ".join(status_line(app).split())
        assert "Ann York" in said and "21:05 for the lead" in said
        assert history(store, first) == []  # the outcome is undone all the same
        block = power_hour(app).block
        assert first not in block.done
        # Once her hours open again she comes back through the queue.
        clock.set(NOW + timedelta(days=1))
        items = queue.next_leads_for_rep(
            store, app.context.settings, rep="alice", now=clock.now(), exclude=(second,)
        )
        assert first in [item.lead.id for item in items]
