"""The smart queue on the power-hour screen at 80x24: the card's "why" line, the "up next"
panel, and leases (one lead, one rep at a time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.screens.summary import SummaryScreen
from callblock.services import dialing, queue
from callblock.store import Store
from callblock.widgets.up_next import UpNext
from tests.conftest import NOW
from tests.lease_helpers import claim_as
from tests.power_hour_helpers import SIZE, power_hour, shown
from tests.screen_text import assert_screen_safe, shows, squeeze, widget_text
from tests.test_hostile_text import HOSTILE


def queued(store: Store, settings: Settings, clock: FixedClock, rep: str = "alice", **kw):
    return queue.next_leads_for_rep(store, settings, rep=rep, now=clock.now(), **kw)


def why(app) -> str:
    return widget_text(app, app.screen.query_one("#card-why"))


def up_next(app) -> str:
    return widget_text(app, app.screen.query_one(UpNext))


def order_in(text: str, names: list[str]) -> list[str]:
    """The names found in `text`, in the order they appear (each name must be unique)."""
    flat = squeeze(text)
    found = [(flat.find(squeeze(name)), name) for name in names]
    return [name for position, name in sorted(found) if position >= 0]


def holder(store: Store, lead_id: int) -> str | None:
    held = store.sessions.lease_holder(lead_id, iso(NOW))
    return held.rep if held else None


def dialed_earlier(store, clock, settings, lead_id, *, hours=2.0, code="no-answer", **kw):
    clock.set(NOW - timedelta(hours=hours))
    try:
        dialing.record_outcome(
            store,
            clock,
            rep=kw.pop("rep", "bob"),
            lead_id=lead_id,
            code=code,
            settings=settings,
            **kw,
        )
    finally:
        clock.set(NOW)


@pytest.fixture
def mixed(store: Store, clock: FixedClock, settings: Settings, make_lead) -> dict[str, int]:
    """Seven callable leads for alice at NOW across the tiers, with distinct names."""
    ids = {
        "promise": make_lead(name="Paula Promise", created=NOW - timedelta(days=3)),
        "inbound": make_lead(name="Ian Inbound", created=NOW - timedelta(minutes=3)),
        "older": make_lead(name="Olga Older", created=NOW - timedelta(minutes=45)),
        "hot": make_lead(name="Hugo Hot", temperature="hot", created=NOW - timedelta(days=3)),
        "warm": make_lead(name="Wanda Warm", created=NOW - timedelta(days=3)),
        "cold": make_lead(name="Carl Cold", temperature="cold", created=NOW - timedelta(days=3)),
        "nurture": make_lead(name="Nora Nurture", created=NOW - timedelta(days=60)),
    }
    dialed_earlier(
        store,
        clock,
        settings,
        ids["promise"],
        hours=3,
        code="callback",
        rep="alice",
        when=NOW - timedelta(minutes=10),
    )
    for role in ("hot", "warm", "cold"):
        dialed_earlier(store, clock, settings, ids[role])
    dialed_earlier(store, clock, settings, ids["nurture"], hours=31 * 24, code="not-interested")
    return ids


NAMES = [
    "Paula Promise",
    "Ian Inbound",
    "Olga Older",
    "Hugo Hot",
    "Wanda Warm",
    "Carl Cold",
    "Nora Nurture",
]


# the card's why line ---------------------------------------------------------------------------
async def test_the_why_line_gives_the_current_leads_reasons_tier_by_tier(
    make_app, store, clock, settings, mixed
) -> None:
    expected = [
        (mixed["promise"], "why: callback due Mon 13:50 (promised); 10 min late; 14:00 local"),
        (mixed["inbound"], "why: inbound 3 min ago; 14:00 local"),
        (mixed["older"], "why: inbound 45 min ago; 14:00 local"),
        (
            mixed["hot"],
            "why: attempt 2 of 6, due since 12:30; hot, fit 0%; 14:00 local; Mon weight 0.70",
        ),
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for lead_id, text in expected:
            assert shown(app) == lead_id
            assert squeeze(text) in squeeze(why(app)), why(app)
            current = power_hour(app).current
            assert current is not None
            assert squeeze("; ".join(current.reasons)) in squeeze(why(app))
            await pilot.press("n")


async def test_a_nurture_lead_says_so_on_the_card(make_app, store, clock, settings, make_lead):
    lead_id = make_lead(name="Nora Nurture", created=NOW - timedelta(days=60))
    dialed_earlier(store, clock, settings, lead_id, hours=31 * 24, code="not-interested")
    app = make_app()
    async with app.run_test(size=SIZE):
        assert shown(app) == lead_id
        assert power_hour(app).current.tier == "nurture"
        text = squeeze("why: nurture: last touch 31 days ago; 14:00 local; Mon weight 0.70")
        assert text in squeeze(why(app)), why(app)


# up next ---------------------------------------------------------------------------------------
async def test_up_next_lists_the_next_five_in_queue_order(
    make_app, store, clock, settings, mixed
) -> None:
    expected = [item.lead.name for item in queued(store, settings, clock, limit=6)]
    assert len(expected) == 6 and set(expected) <= set(NAMES)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = power_hour(app)
        assert screen.current is not None and screen.current.lead.name == expected[0]
        assert [item.lead.name for item in screen.query_one(UpNext).items] == expected[1:]
        text = up_next(app)
        assert order_in(text, NAMES) == expected[1:], text  # what the rep sees, in order
        assert expected[0] not in text  # the current lead is on the card, not in the preview

        await pilot.press("v")  # after an outcome the preview is the new queue's tail
        after = [item.lead.name for item in queued(store, settings, clock, limit=6)]
        assert screen.current is not None and screen.current.lead.name == after[0]
        assert expected[0] not in after
        assert order_in(up_next(app), NAMES) == after[1:], up_next(app)

        await pilot.press("s")  # a skipped lead leaves the preview too
        skipped = after[0]
        assert skipped not in up_next(app)


async def test_up_next_shows_each_leads_first_reason(make_app, make_lead) -> None:
    make_lead(name="First", created=NOW - timedelta(minutes=2))
    make_lead(name="Second", created=NOW - timedelta(minutes=7))
    app = make_app()
    async with app.run_test(size=SIZE):
        assert power_hour(app).current.lead.name == "First"
        text = squeeze(up_next(app))
        assert squeeze("+ 14:00 Second inbound 7 min ago") in text, up_next(app)


async def test_up_next_says_when_nothing_else_is_callable(make_app, make_lead) -> None:
    make_lead(name="Only One", created=NOW - timedelta(minutes=2))
    make_lead(name="In Tokyo", tz="Asia/Tokyo", created=NOW - timedelta(minutes=2))  # 04:00 there
    app = make_app()
    async with app.run_test(size=SIZE):
        assert power_hour(app).current.lead.name == "Only One"
        text = up_next(app)
        assert "nothing else callable now" in text
        assert "In Tokyo" not in text


# leases ----------------------------------------------------------------------------------------
async def test_a_lead_leased_by_another_rep_is_never_shown(
    make_app, store, clock, settings, mixed
) -> None:
    top = queued(store, settings, clock, limit=6)
    taken = top[0].lead.id  # the best lead: bob has it on his screen
    assert claim_as(store, clock, "bob", taken)
    second = top[2].lead.id  # and one from alice's preview
    assert claim_as(store, clock, "bob", second)
    names = {taken: top[0].lead.name, second: top[2].lead.name}
    app = make_app()
    seen: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = power_hour(app)
        while screen.current is not None:
            seen.append(screen.current.lead.id)
            assert all(item.lead.id not in names for item in screen.query_one(UpNext).items)
            text = up_next(app)
            assert not any(name in text for name in names.values()), text
            await pilot.press("n")
    assert seen and not set(seen) & set(names)
    assert len(seen) == len(mixed) - 2
    assert holder(store, taken) == "bob" and holder(store, second) == "bob"
    touched = store.conn.execute(
        "SELECT lead_id FROM touches WHERE rep = 'alice' AND session_id IS NOT NULL"
    ).fetchall()
    assert len(touched) == len(seen)
    touched = {row[0] for row in touched}
    assert not touched & set(names)


async def test_the_lead_on_screen_is_leased_to_the_rep_and_released_after_an_outcome(
    make_app, store, clock, settings, mixed
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        first = shown(app)
        assert first is not None and holder(store, first) == "alice"
        assert not claim_as(store, clock, "bob", first)  # bob cannot take it
        leased = store.conn.execute("SELECT lead_id FROM leases WHERE rep = 'alice'").fetchall()
        assert [row[0] for row in leased] == [first]  # the preview is not leased

        await pilot.press("n")
        second = shown(app)
        assert second is not None and second != first
        assert holder(store, first) is None  # released with the outcome
        assert holder(store, second) == "alice"

        await pilot.press("s")  # a skip releases too
        third = shown(app)
        assert holder(store, second) is None and holder(store, third) == "alice"

        await pilot.press("u")  # undo brings back the first lead, leased again
        assert shown(app) == first
        assert holder(store, first) == "alice" and holder(store, third) is None

        await pilot.press("q")  # ending the block releases the lead on screen
        assert isinstance(app.screen, SummaryScreen)
        assert holder(store, first) is None
    assert store.conn.execute("SELECT count(*) FROM leases WHERE rep = 'alice'").fetchone()[0] == 0


async def test_the_lease_on_screen_is_renewed_while_the_lead_stays(make_app, make_lead, store):
    lead_id = make_lead(created=NOW - timedelta(minutes=2))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        clock = app.context.clock
        clock.advance(seconds=80)
        await pilot.pause(1.1)  # the screen's heartbeat renews the lease
        clock.advance(seconds=80)  # 160 s on screen: past the first 90-second lease
        assert store.sessions.lease_holder(lead_id, iso(clock.now())).rep == "alice"
        assert not claim_as(store, clock, "bob", lead_id)


def shows_or_cut(app, value: str) -> None:
    """The name is shown literally, or (when the panel is too narrow) a literal prefix of at
    least 20 characters followed by an ellipsis."""
    text = up_next(app)
    cuts = [value] + [value[:k] + "…" for k in range(len(value) - 1, 19, -1)]
    assert any(shows(text, cut) for cut in cuts), f"{value!r} not shown literally:\n{text}"


# hostile names in the preview ------------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_names_in_up_next_show_literally(value, make_app, make_lead, store) -> None:
    make_lead(name="Plain First", created=NOW - timedelta(minutes=2))
    make_lead(name=value, created=NOW - timedelta(minutes=4))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert power_hour(app).current.lead.name == "Plain First"
        shows_or_cut(app, value)
        assert_screen_safe(app)
        await pilot.click(UpNext, offset=(10, 1))  # on the name: no action, no link
        assert app.is_running and app.screen is power_hour(app)
    assert store.admin.count("touches") == 0


async def test_a_lead_up_next_that_another_rep_dials_meanwhile_is_not_shown_next(
    store, clock, settings, make_lead, make_app
) -> None:
    """The next lead comes from the queue built when the current one was shown; it is checked
    again when its turn comes, so a lead another rep just called is passed over (spacing)."""
    first = make_lead(name="First", created=NOW - timedelta(minutes=2))
    second = make_lead(name="Second", created=NOW - timedelta(minutes=20))
    third = make_lead(name="Third", created=NOW - timedelta(minutes=40))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown(app) == first
        assert order_in(up_next(app), ["Second", "Third"]) == ["Second", "Third"]
        dialing.record_outcome(
            store, clock, rep="bob", lead_id=second, code="no-answer", settings=settings
        )
        await pilot.press("n")
        assert shown(app) == third
        assert "Second" not in up_next(app)


async def test_notes_changed_on_another_screen_are_kept_when_edited_again_here(
    store, clock, settings, make_lead, make_app
) -> None:
    """The lead screen (or anything else) may change the lead while the power hour waits
    below it; back on the power hour the lead is read again, so an edit builds on that."""
    lead_id = make_lead(name="Ann", notes="first")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown(app) == lead_id
        await pilot.press("question_mark")  # another screen on top
        store.leads.set_notes(lead_id, "first\nLEADSCREEN")  # saved there
        await pilot.press("escape")
        await pilot.press("e", "end", *" POWER", "escape")
    notes = store.leads.get_lead(lead_id).notes
    assert "LEADSCREEN" in notes and "POWER" in notes


async def test_after_a_long_call_the_queue_is_built_afresh_so_a_promise_now_due_comes_next(
    store, clock, settings, make_lead, make_app
) -> None:
    first = make_lead(name="First", created=NOW - timedelta(minutes=2))
    make_lead(name="Second", created=NOW - timedelta(minutes=20))
    promised = make_lead(name="Promised", created=NOW - timedelta(days=3))
    dialed_earlier(
        store, clock, settings, promised, code="callback", rep="alice",
        when=NOW + timedelta(minutes=10),
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown(app) == first
        clock.advance(minutes=11)  # a long call: the callback has come due meanwhile
        await pilot.press("c")
        assert shown(app) == promised


async def test_a_lead_that_arrives_during_a_call_is_up_next_before_the_key(
    make_app, make_lead, store, clock, settings, mixed
) -> None:
    """The rep is on a call; an inbound lead arrives. Within the seconds the tick takes to find
    the list behind the lead old (services/block.py, REFRESH_AFTER) it is rebuilt, so the new
    lead is up next before the rep presses a key, and the key does not wait for a queue."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = power_hour(app)
        await pilot.pause(0.2)  # the list behind the first lead, rebuilt after its frame
        arrived = make_lead(name="Inbound Iris", created=clock.now())
        clock.advance(seconds=1)
        screen._tick()
        assert arrived not in [item.lead.id for item in screen.query_one(UpNext).items]
        clock.advance(seconds=2)
        screen._tick()
        await pilot.pause()
        assert arrived in [item.lead.id for item in screen.query_one(UpNext).items]
        assert "Inbound Iris" in up_next(app)
        block = screen.block
        head = screen.query_one(UpNext).items[0].lead.id
        queue_builds = []
        build = block._queue
        block._queue = lambda *a, **kw: queue_builds.append(a) or build(*a, **kw)
        advance = block.advance
        block.advance = lambda: (queue_builds.append("advanced"), advance())[1]
        await pilot.press("n")
        await pilot.pause(0.2)
        assert shown(app) == head
        assert queue_builds[0] == "advanced"
        assert len(queue_builds) == 2  # the rebuild after the frame; none in advance
