"""May this lead be called now: one answer (domain/compliance.py) for the queue, the block's
re-check, "call now" and `callblock log`; the SQL filters written from the same words; calls and
promises outside the lead's calling hours."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.calling import CallingRules, CallingWindow
from callblock.domain.compliance import (
    CLOSED_STATUSES,
    Why,
    may_call,
    nearest_allowed,
    promise_time_problem,
)
from callblock.domain.models import Lead, LeadStatus
from callblock.domain.outcomes import OUTCOME_BY_CODE, LeadState, state_after
from callblock.services import ServiceError, dialing, queue
from callblock.services.lead_edit import call_now_problem
from callblock.store import Store
from callblock.store.migrations import OPEN
from tests.conftest import NOW, ZONE

NY = ZONE
RULES = CallingRules()


def lead(**fields: object) -> Lead:
    values: dict[str, object] = {
        "id": 42,
        "name": "Ann",
        "company": "Acme",
        "phone": "+12125550143",
        "phone_display": "(212) 555-0143",
        "created_at": NOW - timedelta(days=3),
        "timezone": NY,
        "phone_region": "US",
    }
    values.update(fields)
    return Lead(**values)  # type: ignore[arg-type]


# the one function --------------------------------------------------------------------------------
def test_may_call_answers_yes_or_says_why_not() -> None:
    assert may_call(lead(), NOW, RULES, NY) is None
    assert may_call(lead(status=LeadStatus.DNC), NOW, RULES, NY).why is Why.DNC
    assert may_call(lead(bad_number=True), NOW, RULES, NY).why is Why.NO_NUMBER
    assert may_call(lead(phone=""), NOW, RULES, NY).why is Why.NO_NUMBER
    assert may_call(lead(timezone="Mars/Base"), NOW, RULES, NY).why is Why.UNKNOWN_ZONE
    late = NOW.replace(hour=2, minute=30)  # 21:30 in New York
    refusal = may_call(lead(), late, RULES, NY)
    assert refusal is not None and refusal.why is Why.OUTSIDE_HOURS
    assert refusal.message == (
        "it is 21:30 for the lead (America/New_York), outside calling hours 08:00–21:00"
    )
    florida = lead(phone_region="US-FL")
    assert may_call(florida, NOW, RULES, NY, calls_24h=2) is None
    limited = may_call(florida, NOW, RULES, NY, calls_24h=3)
    assert limited is not None and limited.why is Why.DAILY_LIMIT
    assert "3 times in 24 hours" in limited.message


def test_the_queue_recheck_and_call_now_give_the_same_answer(
    store: Store, settings: Settings, clock: FixedClock, make_lead
) -> None:
    """The queue leaves out exactly the leads may_call refuses; call-now says its words."""
    ok = make_lead()
    west = make_lead(tz="Pacific/Honolulu")  # 09:00 there at 19:00 UTC: open
    closed = make_lead(tz="Asia/Tokyo")  # 04:00 there: closed
    dnc = make_lead()
    store.leads.set_lead_state(dnc, LeadStatus.DNC.value, False)
    at = clock.now()
    queued = {i.lead.id for i in queue.next_leads_for_rep(store, settings, rep="a", now=at)}
    for lead_id in (ok, west, closed, dnc):
        stored = store.leads.get_lead(lead_id)
        refusal = may_call(stored, at, settings.calling, settings.timezone)
        assert (lead_id in queued) == (refusal is None)
        problem = call_now_problem(store, stored, at, settings)
        assert problem == (refusal.message if refusal else None)
    assert "04:00 for the lead (Asia/Tokyo)" in call_now_problem(
        store, store.leads.get_lead(closed), at, settings
    )


def test_closed_statuses_have_one_definition_and_the_sql_is_written_from_it(
    store: Store,
) -> None:
    assert [s.value for s in CLOSED_STATUSES] == ["do-not-call", "qualified", "disqualified"]
    # The queue's words are the ones its partial indexes were created with, letter for letter.
    indexes = dict(
        store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
    )
    for name in ("idx_leads_due", "idx_leads_nurture_due", "idx_leads_fresh"):
        assert OPEN in indexes[name]
    for status in CLOSED_STATUSES:
        assert f"'{status.value}'" in OPEN
    plan = store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT id FROM leads WHERE attempts = 0 AND {OPEN} "
        "AND created_at > '2026'"
    ).fetchall()
    assert any("idx_leads_fresh" in row[-1] for row in plan)


def test_no_outcome_takes_a_lead_off_do_not_call() -> None:
    dnc = LeadState(LeadStatus.DNC, False)
    for outcome in OUTCOME_BY_CODE.values():
        assert state_after(dnc, outcome, attempts=9, max_attempts=5).status is LeadStatus.DNC


# nearest allowed time ----------------------------------------------------------------------------
def test_the_nearest_allowed_time_is_the_windows_last_minute_or_its_next_opening() -> None:
    window = CallingWindow(time(8, 0), time(21, 0))
    from zoneinfo import ZoneInfo

    ny = ZoneInfo(NY)
    after = datetime(2026, 11, 23, 12, 0, tzinfo=ny)
    late = datetime(2026, 11, 24, 21, 30, tzinfo=ny)
    assert nearest_allowed(late, window, 0, after) == datetime(2026, 11, 24, 20, 59, tzinfo=ny)
    evening = datetime(2026, 11, 24, 23, 30, tzinfo=ny)  # 2 h 31 after, 8 h 30 before
    assert nearest_allowed(evening, window, 0, after) == datetime(2026, 11, 24, 20, 59, tzinfo=ny)
    night = datetime(2026, 11, 25, 3, 0, tzinfo=ny)  # 6 h 01 after, 5 h before
    assert nearest_allowed(night, window, 0, after) == datetime(2026, 11, 25, 8, 0, tzinfo=ny)
    early = datetime(2026, 11, 24, 6, 0, tzinfo=ny)
    assert nearest_allowed(early, window, 0, after) == datetime(2026, 11, 24, 8, 0, tzinfo=ny)
    # A number spanning zones: the western clock must be open too.
    assert nearest_allowed(early, window, 60, after) == datetime(2026, 11, 24, 9, 0, tzinfo=ny)
    # Never in the past: 20:59 today has gone by at 21:10, so tomorrow 08:00.
    now = datetime(2026, 11, 24, 21, 10, tzinfo=ny)
    assert nearest_allowed(late, window, 0, now) == datetime(2026, 11, 25, 8, 0, tzinfo=ny)


def test_a_promise_outside_the_window_is_refused_with_the_nearest_time() -> None:
    when = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # Tue 21:30 in New York
    problem = promise_time_problem(lead(), when, RULES, NY, NOW)
    assert problem is not None
    assert problem.message("Europe/Berlin") == (
        "Tue 21:30 for the lead (America/New_York) is outside calling hours 08:00–21:00; "
        "nearest allowed: Tue 24 Nov 20:59 for the lead (Wed 25 Nov 02:59 for you)"
    )
    assert promise_time_problem(lead(), NOW + timedelta(days=1), RULES, NY, NOW) is None


# the service and the CLI -------------------------------------------------------------------------
LATE = "2026-11-24T02:30:00Z"  # Mon 21:30 in New York


def cli(capsys: pytest.CaptureFixture[str], db: Path, now: str, *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", now, *args])
    out, err = capsys.readouterr()
    return code, out + err


def new_lead(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> int:
    code, out = cli(
        capsys, db, iso(NOW), "add", "--json", "--name", "Ann Lee", "--company", "Acme",
        "--phone", "(212) 555-0143", "--tz", NY, *extra,
    )  # fmt: skip
    assert code == 0, out
    return json.loads(out)["lead_id"]


def test_log_outside_the_window_is_refused_with_the_leads_local_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "cb.db"
    lead_id = new_lead(capsys, db)
    code, out = cli(capsys, db, LATE, "log", "--lead", str(lead_id), "--outcome", "connected")
    assert code != 0
    assert (
        f"lead {lead_id}: it is 21:30 for the lead (America/New_York), outside calling hours "
        "08:00–21:00; give --outside-window for a callback the lead asked for"
    ) in out
    code, out = cli(capsys, db, LATE, "history", "--lead", str(lead_id), "--json")
    assert json.loads(out) == []  # nothing was recorded


def test_log_outside_the_window_with_the_flag_is_kept_and_counted_as_a_crack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "cb.db"
    lead_id = new_lead(capsys, db)
    code, out = cli(
        capsys, db, LATE, "log", "--lead", str(lead_id), "--outcome", "connected",
        "--outside-window",
    )  # fmt: skip
    assert code == 0, out
    inside = new_lead(capsys, db, "--email", "b@example.com")
    code, out = cli(capsys, db, iso(NOW), "log", "--lead", str(inside), "--outcome", "busy")
    assert code == 0, out
    # --outside-window never lets a do-not-call lead be called.
    cli(capsys, db, iso(NOW), "log", "--lead", str(inside), "--outcome", "dnc")
    code, out = cli(
        capsys, db, iso(NOW), "log", "--lead", str(inside), "--outcome", "connected",
        "--outside-window",
    )  # fmt: skip
    assert code != 0 and "do not call" in out
    with sqlite3.connect(db) as conn:
        flags = conn.execute("SELECT lead_id, outside_window FROM touches ORDER BY id").fetchall()
    assert flags == [(lead_id, 1), (inside, 0), (inside, 0)]
    # exports are complete: the flag is in the touch export too
    code, out = cli(capsys, db, LATE, "export", "touches", "--format", "json")
    assert code == 0, out
    assert [(r["lead_id"], r["outside_window"]) for r in json.loads(out)] == [
        (lead_id, True), (inside, False), (inside, False),
    ]  # fmt: skip
    code, out = cli(capsys, db, LATE, "export", "touches", "--format", "csv")
    assert out.splitlines()[0].split(",")[-1] == "outside_window"

    from callblock.domain.periods import Period
    from callblock.services.review import cracks

    store = Store.open(db)
    try:
        found = cracks(
            store, Settings(timezone=NY), FixedClock(NOW + timedelta(hours=8)),
            Period(date(2026, 11, 23), date(2026, 11, 23), NY),
        )  # fmt: skip
    finally:
        store.close()
    outside = [row for row in found.rows if row.crack.kind == "outside"]
    assert [(r.crack.lead_id, r.crack.detail) for r in outside] == [
        (lead_id, "Mon 21:30 for the lead (America/New_York)")
    ]
    assert found.totals["outside"] == 1


def test_log_when_outside_the_window_is_refused_with_the_nearest_allowed_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "cb.db"
    lead_id = new_lead(capsys, db)
    code, out = cli(
        capsys, db, iso(NOW), "log", "--lead", str(lead_id), "--outcome", "callback",
        "--when", "tomorrow 9:30pm",
    )  # fmt: skip
    assert code != 0
    assert (
        "when: Tue 21:30 for the lead (America/New_York) is outside calling hours 08:00–21:00; "
        "nearest allowed: Tue 24 Nov 20:59 for the lead"
    ) in out
    code, out = cli(
        capsys, db, iso(NOW), "log", "--lead", str(lead_id), "--outcome", "meeting",
        "--when", "tomorrow 6am",
    )  # fmt: skip
    assert code != 0 and "nearest allowed: Tue 24 Nov 08:00 for the lead" in out


def test_rescheduling_a_callback_replaces_the_open_promise(
    store: Store, settings: Settings, clock: FixedClock, make_lead
) -> None:
    lead_id = make_lead()
    first = dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="callback",
        when=NOW + timedelta(days=2), settings=settings,
    )  # fmt: skip
    clock.advance(hours=1)
    second = dialing.record_outcome(
        store, clock, rep="alice", lead_id=lead_id, code="callback",
        when=NOW + timedelta(days=3), settings=settings,
    )  # fmt: skip
    [open_one] = store.touches.open_promises(lead_id)
    assert open_one.due_at == NOW + timedelta(days=3)
    states = store.conn.execute(
        "SELECT state, closed_by_touch FROM callbacks WHERE lead_id = ? ORDER BY id", (lead_id,)
    ).fetchall()
    assert [tuple(row) for row in states] == [("replaced", second.touch_id), ("open", None)]
    assert first.touch_id != second.touch_id


def test_a_block_cannot_set_a_callback_outside_the_leads_hours(
    store: Store, settings: Settings, clock: FixedClock, make_lead
) -> None:
    lead_id = make_lead()
    late = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    with pytest.raises(ServiceError, match="nearest allowed: Tue 24 Nov 20:59"):
        dialing.record_outcome(
            store, clock, rep="alice", lead_id=lead_id, code="callback", when=late,
            settings=replace(settings),
        )  # fmt: skip
    assert store.touches.open_promises(lead_id) == []


def test_the_hours_check_alone_holds_for_any_lead(settings: Settings) -> None:
    """The tick that moves on from a lead whose hours closed asks about the hours only: a lead
    made do-not-call elsewhere meanwhile is not kept on screen for that."""
    late = NOW.replace(hour=2, minute=30)
    for stored in (lead(), lead(status=LeadStatus.DNC), lead(bad_number=True)):
        closed = queue.hours_closed(stored, settings, late)
        assert closed is not None and closed.why is Why.OUTSIDE_HOURS
        assert queue.hours_closed(stored, settings, NOW) is None
