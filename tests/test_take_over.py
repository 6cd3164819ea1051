"""A second window of a rep whose block still runs: it offers to take the block over; on yes
the first window stops showing its lead within 2 s and says why. Pilot tests at 80x24."""

from __future__ import annotations

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.prompts import ConfirmScreen
from callblock.services import sessions
from callblock.store import Store
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE, shown, status_line
from tests.screen_text import screen_text


async def test_a_second_window_offers_to_take_the_block_over(
    make_app: AppMaker, make_lead: LeadMaker, store: Store, clock: FixedClock, settings: Settings
) -> None:
    first = make_lead(name="Ann First")
    make_lead(name="Bob Second")
    other_window, _ = sessions.start_block(
        store, clock, settings, rep="alice", block_name="Power hour", target=60
    )
    assert other_window.advance().lead.id == first
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "is still open in another" in screen_text(app)
        assert "Take it over here?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PowerHourScreen)
        assert app.screen.session.id == other_window.session.id  # the same block goes on
        assert shown(app) == first  # with the lead the other window showed
        held = store.sessions.lease_holder(first, iso(clock.now()))
        assert held is not None and held.session_id == other_window.session.id
        assert other_window.heartbeat() is False and other_window.taken_over


async def test_saying_no_runs_a_block_of_its_own(
    make_app: AppMaker, make_lead: LeadMaker, store: Store, clock: FixedClock, settings: Settings
) -> None:
    first = make_lead(name="Ann First")
    second = make_lead(name="Bob Second")
    other_window, _ = sessions.start_block(
        store, clock, settings, rep="alice", block_name="Power hour", target=60
    )
    assert other_window.advance().lead.id == first
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("p")  # the week screen: a power hour now
        await pilot.pause()
        assert isinstance(app.screen, PowerHourScreen)
        assert app.screen.session.id != other_window.session.id
        assert shown(app) == second  # never the lead on the other window
    assert other_window.heartbeat() is True


async def test_the_window_taken_over_stops_showing_its_lead_and_says_why(
    make_app: AppMaker, make_lead: LeadMaker, store: Store, clock: FixedClock, settings: Settings
) -> None:
    first = make_lead(name="Ann First")
    make_lead(name="Bob Second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PowerHourScreen) and shown(app) == first
        found = sessions.resumable(store, clock, "alice", settings.timezone)
        assert found is not None and found.live
        sessions.start_block(store, clock, settings, rep="alice", block_name="x", target=60,
                             resume=found)  # fmt: skip
        await pilot.pause(1.2)  # the next tick (every second)
        assert screen.current is None
        assert "taken over by another window" in status_line(app)
        assert "Ann First" not in screen_text(app)
        await pilot.press("n")  # nothing is recorded here any more
        assert store.admin.count("touches") == 0
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code in (0, None)
