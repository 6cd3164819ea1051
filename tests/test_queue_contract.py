"""`callblock queue` lists exactly the order in which `callblock dial` presents leads."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.models import fit_score
from callblock.domain.priority import MixServed
from callblock.screens.power_hour import PowerHourScreen
from callblock.services import queue
from callblock.services.cadence import refresh_due
from callblock.services.leads import add_lead
from callblock.store import Store
from tests.conftest import NOW

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Tokyo", None]
lead_strategy = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(ZONES),
        "age_minutes": st.integers(-600, 60 * 24 * 30),  # < 0: arrives after the pinned now
        "attempts": st.integers(0, 7),
        "touched_minutes_ago": st.integers(1, 60 * 24 * 20),
        "temperature": st.sampled_from(["hot", "warm", "cold"]),
        "status": st.sampled_from(["new", "working", "nurture", "do-not-call", "qualified"]),
        "promise_minutes": st.one_of(st.none(), st.integers(-300, 300)),
        "promise_rep": st.sampled_from(["a", "bob"]),
        "owner": st.sampled_from([None, "a", "bob"]),
        "fit": st.integers(0, 3),
        "region": st.sampled_from([None, "US-FL"]),
    }
)
CONFIG = Settings(timezone="America/Chicago")
# Leads mostly due, in two zones: a zone's group holds many, so the queue reads some twice.
due_lead = lead_strategy | st.fixed_dictionaries(
    {
        "zone": st.sampled_from(["America/New_York", None]),
        "age_minutes": st.integers(60 * 24 * 3, 60 * 24 * 30),
        "attempts": st.integers(1, 5),
        "touched_minutes_ago": st.integers(60 * 24 * 3, 60 * 24 * 20),
        "temperature": st.sampled_from(["hot", "warm", "cold"]),
        "status": st.sampled_from(["working", "working", "nurture"]),
        "promise_minutes": st.none(),
        "promise_rep": st.just("a"),
        "owner": st.sampled_from([None, None, "bob"]),
        "fit": st.integers(0, 3),
        "region": st.sampled_from([None, None, "US-FL"]),
    }
)


def _fill(store: Store, clock: FixedClock, specs: list[dict]) -> None:
    for number, spec in enumerate(specs):
        lead_id = add_lead(
            store, clock, name=f"Lead {number}", company="C", phone=f"+1 212 555 {number:04d}",
            tz=spec["zone"], temperature=spec["temperature"],
            created=NOW - timedelta(minutes=spec["age_minutes"]), settings=Settings(),
        )  # fmt: skip
        touched = iso(NOW - timedelta(minutes=spec["touched_minutes_ago"]))
        with store.transaction():
            store.conn.execute(
                "UPDATE leads SET attempts = ?, status = ?, last_touch_at = ?, first_call_at = ?, "
                "owner = ?, fit = ?, fit_score = ?, region = ? WHERE id = ?",
                (
                    spec["attempts"],
                    spec["status"],
                    touched if spec["attempts"] else None,
                    touched if spec["attempts"] else None,
                    spec["owner"],
                    json.dumps({"title": spec["fit"]}),
                    fit_score({"title": spec["fit"]}),
                    spec["region"],
                    lead_id,
                ),
            )
            refresh_due(store, CONFIG, CONFIG.weights, [lead_id])
            if spec["promise_minutes"] is not None:
                due = NOW + timedelta(minutes=spec["promise_minutes"])
                store.touches.insert_callback(
                    lead_id=lead_id, rep=spec["promise_rep"], due_at=iso(due), kind="callback",
                    created_by_touch=None,
                )  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(lead_strategy, min_size=1, max_size=25), hour=st.integers(0, 23))
def test_a_shorter_queue_is_always_a_prefix_of_a_longer_one(specs: list[dict], hour: int) -> None:
    clock = FixedClock(NOW)
    config = CONFIG
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "q.db")
        try:
            _fill(store, clock, specs)
            now = NOW.replace(hour=hour)
            full = [i.lead.id for i in queue.next_leads_for_rep(store, config, rep="a", now=now,
                                                                limit=30)]  # fmt: skip
            for limit in (1, 2, 5):
                short = queue.next_leads_for_rep(store, config, rep="a", now=now, limit=limit)
                assert [i.lead.id for i in short] == full[:limit]
            assert len(set(full)) == len(full)
        finally:
            store.close()


async def test_dial_presents_leads_in_queue_order(
    store: Store, clock, settings, make_lead, make_app
):
    for minutes in (3, 50, 400, 3000):
        make_lead(created=NOW - timedelta(minutes=minutes))
    make_lead(tz="Asia/Tokyo")  # outside its calling hours: in neither list
    expected = [i.lead.id for i in queue.next_leads_for_rep(store, settings, rep="alice",
                                                            now=NOW, limit=10)]  # fmt: skip
    app = make_app()
    shown = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PowerHourScreen)
        while screen.current is not None:
            shown.append(screen.current.lead.id)
            await pilot.press("n")
    assert shown == expected
    assert len(expected) == 4


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.lists(due_lead, min_size=1, max_size=40),
    hour=st.integers(0, 23),
    limit=st.sampled_from([1, 2, 4, 9, 30]),
    served=st.tuples(st.integers(0, 8), st.integers(0, 3), st.integers(0, 3)),
)
def test_reading_each_group_a_few_leads_at_a_time_gives_the_same_queue(
    specs: list[dict], hour: int, limit: int, served: tuple[int, int, int]
) -> None:
    """The queue reads each zone's due leads per temperature a few at a time, and more only
    where the last one read made the list (services/queue.py, _asks_again): the list must be
    exactly the one read with every group read to the limit, whatever the mix served so far."""
    slots, warm, nurture = served
    mix_served = MixServed(slots=slots, warm=min(warm, slots), nurture=min(nurture, slots))
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "q.db")
        try:
            _fill(store, FixedClock(NOW), specs)
            now = NOW.replace(hour=hour)

            def ranked(first_ask: int) -> list[tuple[int, tuple[str, ...]]]:
                with patch.object(
                    queue, "first_ask", lambda _limit, _groups, most: first_ask or most
                ):
                    items = queue.next_leads_for_rep(
                        store, CONFIG, rep="a", now=now, limit=limit, served=mix_served
                    )
                return [(item.lead.id, item.reasons) for item in items]

            assert ranked(1) == ranked(0)  # 0: every group read to the limit at once
        finally:
            store.close()
