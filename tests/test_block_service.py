"""One lead on one screen, tested without a terminal: the Block service the power hour drives.

Each `Block` here is one running app (a session) with its own database connection, as two
processes would have.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.services import block as block_service
from callblock.services import sessions
from callblock.services.block import Block, LeadHeld
from callblock.services.dialing import record_outcome
from callblock.store import DatabaseBusy, Store
from tests.conftest import NOW

ZONE = "America/New_York"


@pytest.fixture
def connections(db_path: Path) -> Iterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


@pytest.fixture
def open_block(db_path: Path, clock: FixedClock, settings: Settings, connections: list[Store]):
    def make(rep: str = "alice", resume: sessions.Resumable | None = None) -> Block:
        store = Store.open(db_path)
        connections.append(store)
        block, _draft = sessions.start_block(
            store, clock, settings, rep=rep, block_name="Power hour", target=60, resume=resume
        )
        return block

    return make


def leads_on_screens(blocks: list[Block]) -> list[int]:
    return [b.current.lead.id for b in blocks if b.current is not None]


def test_five_windows_of_one_rep_never_show_the_same_lead(make_lead, open_block) -> None:
    for n in range(12):
        make_lead(name=f"Lead {n}", created=NOW - timedelta(minutes=30 + n))
    blocks = [open_block("alice") for _ in range(5)]
    seen: list[int] = []
    for _round in range(2):
        for block in blocks:
            block.advance()
            on_screens = leads_on_screens(blocks)
            assert len(on_screens) == len(set(on_screens)), on_screens
        seen += leads_on_screens(blocks)
        for block in blocks:
            if block.current is not None:
                block.record("no-answer")
    assert len(seen) == len(set(seen)) == 10  # every lead dialed once, none twice


def test_the_recheck_runs_inside_the_claims_write_transaction(
    make_lead, open_block, db_path, monkeypatch, connections, clock, settings
) -> None:
    """Another process cannot record an outcome (and let go of the lead) between "still
    callable" and the claim: while the recheck runs, the lead is held (SQLite: the database's
    write lock; PostgreSQL: the lead's row, locked before the recheck reads it)."""
    lead = make_lead(name="Only")
    block = open_block("alice")
    other = Store.open(db_path)
    connections.append(other)
    attempts: list[str] = []
    recheck = block_service.queue.recheck

    def recheck_while_another_writes(*args, **kwargs):
        try:
            with other.patience(100):
                record_outcome(
                    other, clock, rep="bob", lead_id=lead, code="no-answer", settings=settings
                )
            attempts.append("written")
        except DatabaseBusy:
            attempts.append("blocked")
        return recheck(*args, **kwargs)

    monkeypatch.setattr(block_service.queue, "recheck", recheck_while_another_writes)
    assert block.advance() is not None
    assert attempts == ["blocked"]


def test_a_lead_an_outcome_was_just_recorded_for_is_not_handed_to_the_next_rep(
    make_lead, open_block, clock
) -> None:
    lead = make_lead(name="Shared")
    bob = open_block("bob")
    bob.ahead = [item for item in bob._queue(bob.served)]  # bob's list, built before alice acts
    bob.ahead_at = clock.now()
    alice = open_block("alice")
    assert alice.advance().lead.id == lead
    alice.record("no-answer")
    alice.advance()  # alice lets go of it
    assert bob.advance() is None  # touched seconds ago: not callable, whatever bob's list said


def test_undo_refuses_a_lead_now_on_another_reps_screen(make_lead, open_block) -> None:
    lead = make_lead(name="Contested")
    alice = open_block("alice")
    assert alice.advance().lead.id == lead
    alice.record("no-answer")
    alice.advance()
    bob = open_block("bob")
    bob.work_lead(lead)  # bob picked it from search: "call now"
    with pytest.raises(LeadHeld, match="Contested is on bob's screen"):
        alice.undo()
    store = alice.store
    assert store.touches.last_live_touch(alice.session.id) is not None  # nothing was undone
    assert store.sessions.lease_holder(lead, iso(NOW)).rep == "bob"


def test_undo_puts_the_lead_back_claimed(make_lead, open_block) -> None:
    first, second = make_lead(name="First"), make_lead(name="Second", created=NOW)
    alice = open_block("alice")
    shown = alice.advance().lead.id
    alice.record("no-answer")
    alice.advance()
    touch = alice.undo()
    assert touch is not None and alice.current.lead.id == shown
    held = alice.store.sessions.lease_holder(shown, iso(NOW))
    assert held is not None and held.session_id == alice.session.id
    replaced = first if shown == second else second
    assert (
        alice.store.sessions.lease_holder(replaced, iso(NOW)) is None
    )  # the lead it replaced: let go


def test_a_dead_apps_lead_is_free_within_two_minutes(make_lead, open_block, clock) -> None:
    lead = make_lead(name="Orphan")
    dead = open_block("alice")
    assert dead.advance().lead.id == lead
    bob = open_block("bob")
    assert bob.advance() is None
    clock.advance(seconds=block_service.leases.LEASE.total_seconds() + 1)
    assert timedelta(minutes=2) >= block_service.leases.LEASE
    assert bob.advance().lead.id == lead


def test_the_heartbeat_keeps_the_lease_while_the_lead_stays(make_lead, open_block, clock) -> None:
    lead = make_lead(name="Long call")
    alice = open_block("alice")
    alice.advance()
    bob = open_block("bob")
    for _ in range(20):  # ten minutes on one lead
        clock.advance(seconds=30)
        assert alice.heartbeat()
        assert bob.advance() is None
    assert alice.store.sessions.lease_holder(lead, iso(clock.now())).rep == "alice"


def test_taking_over_stops_the_first_window_and_lets_its_lead_go(
    make_lead, open_block, clock
) -> None:
    make_lead(name="A"), make_lead(name="B", created=NOW)
    first = open_block("alice")
    shown = first.advance().lead.id
    first.record("no-answer")
    first.advance()
    found = sessions.resumable(first.store, clock, "alice", ZONE)
    assert found is not None and found.live and found.session.id == first.session.id
    second = open_block("alice", resume=found)
    assert second.session.id == first.session.id
    clock.advance(seconds=1)
    assert first.heartbeat() is False and first.taken_over
    assert first.store.sessions.lease_holder(first.current.lead.id, iso(clock.now())) is None
    first.save_state()  # the old window can no longer write the block's state
    assert second.last is not None and second.last.lead.id == shown  # u still undoes it
    assert second.advance() is not None


def test_a_dropped_block_resumes_the_same_day_with_its_lead_counters_and_draft(
    make_lead, open_block, clock
) -> None:
    for n in range(4):
        make_lead(name=f"L{n}", created=NOW - timedelta(minutes=10 + n))
    first = open_block("alice")
    dialed = first.advance().lead.id
    first.record("no-answer")
    on_screen = first.advance().lead.id
    first.suspend({"prompt": {"kind": "when", "code": "callback", "lead": on_screen, "text": "th"}})
    assert first.store.sessions.lease_holder(on_screen, iso(NOW)) is None  # let go at once
    clock.advance(minutes=20)
    found = sessions.resumable(first.store, clock, "alice", ZONE)
    assert found is not None and not found.live
    store = first.store
    again, draft = sessions.start_block(
        store, clock, first.settings, rep="alice", block_name="x", target=60, resume=found
    )
    assert again.session.id == first.session.id
    assert draft == {
        "prompt": {"kind": "when", "code": "callback", "lead": on_screen, "text": "th"}
    }
    assert again.done == {dialed}
    assert again.advance().lead.id == on_screen  # the lead on screen comes back first
    assert again.last is not None and again.last.lead.id == dialed
    assert again.undo() is not None  # u undoes the outcome pressed before the drop
    stats = sessions.session_stats(store, again.session, clock.now())
    assert stats.dials == 0


def test_a_block_left_open_on_an_earlier_day_is_ended_not_resumed(
    make_lead, open_block, clock
) -> None:
    make_lead(name="X")
    old = open_block("alice")
    old.advance()
    old.suspend()
    clock.advance(days=1)
    assert sessions.resumable(old.store, clock, "alice", ZONE) is None
    session = old.store.sessions.get_session(old.session.id)
    assert session is not None and session.ended_at is not None


def test_another_reps_block_is_never_resumed(make_lead, open_block, clock) -> None:
    make_lead(name="X")
    bobs = open_block("bob")
    bobs.advance()
    bobs.suspend()
    assert sessions.resumable(bobs.store, clock, "alice", ZONE) is None


def test_a_list_taken_from_under_a_rep_by_a_busy_floor_is_built_again(
    make_lead, open_block, clock, monkeypatch
) -> None:
    """Reps share one ranking: between a rep's queue being built and its claims, other windows
    may take every lead on it. The rep is shown the next free lead, not "No lead to call"."""
    for n in range(10):
        make_lead(name=f"Pool {n}", created=NOW - timedelta(hours=2, minutes=n))
    alice = open_block("alice")
    others = open_block("bob")
    taken: list[int] = []
    build = block_service.queue.next_leads_for_rep

    def built_then_taken(*args, **kwargs):
        items = build(*args, **kwargs)
        if not taken:  # the first list: seven other windows take it before alice claims
            for item in items:
                assert others.claim(item) is not None
                taken.append(item.lead.id)
        return items

    monkeypatch.setattr(block_service.queue, "next_leads_for_rep", built_then_taken)
    shown = alice.advance()
    assert len(taken) == block_service.PREVIEW + 2
    assert shown is not None and shown.lead.id not in taken


def test_a_stale_list_is_checked_in_one_read_before_any_claim(
    make_lead, open_block, clock, monkeypatch
) -> None:
    """Leads held by another session, or touched since the list was built, are passed over
    without a write transaction each (every claim takes the database's write lock)."""
    for n in range(8):
        make_lead(name=f"Pool {n}", created=NOW - timedelta(hours=2, minutes=n))
    alice = open_block("alice")
    bob, carol = open_block("bob"), open_block("carol")
    alice.advance()
    alice.rebuild_ahead()
    first, second, third = alice.ahead[:3]
    bob.work_lead(first.lead.id)  # on bob's screen
    carol.work_lead(second.lead.id)
    carol.record("no-answer")  # dialed by carol
    carol.end()  # and let go of
    alice.record("no-answer")
    claims: list[str] = []
    transaction = alice.store.transaction

    def counted():
        claims.append("a claim's write transaction")
        return transaction()

    monkeypatch.setattr(alice.store, "transaction", counted)
    assert alice.advance().lead.id == third.lead.id
    assert len(claims) == 1


def test_on_a_floor_the_next_lead_comes_from_a_queue_built_at_the_key(
    make_lead, open_block, monkeypatch
) -> None:
    """Other live windows take the shared ranking's leads with every key, so on a floor the
    list behind the lead is not rebuilt after the frame (it would be gone by the next key):
    the key builds the queue once, leaving out the leads others hold as it reads, and claims
    its first lead in one transaction. A rep alone keeps the list built after the frame."""
    for n in range(20):
        make_lead(name=f"Pool {n}", created=NOW - timedelta(hours=2, minutes=n))
    alice = open_block("alice")
    alice.advance()
    alice.rebuild_ahead()
    assert alice.others == 0 and len(alice.ahead) == block_service.PREVIEW + 2
    others = [open_block(rep) for rep in ("bob", "carol", "dave", "erin")]
    built: list[str] = []
    build = block_service.queue.next_leads_for_rep

    def counted(*args, **kwargs):
        built.append("a queue built")
        return build(*args, **kwargs)

    monkeypatch.setattr(block_service.queue, "next_leads_for_rep", counted)
    before = list(alice.ahead)
    assert alice.rebuild_ahead() == before[: block_service.PREVIEW]  # the preview as it was
    assert alice.others == len(others) and built == []
    for other in others:  # each of them: a lead on screen, an outcome, the next lead
        other.advance()
        other.record("no-answer")
        other.advance()
    held = {other.current.lead.id for other in others if other.current}
    transactions: list[str] = []
    transaction = alice.store.transaction

    def counted_transaction():
        transactions.append("begun")
        return transaction()

    monkeypatch.setattr(alice.store, "transaction", counted_transaction)
    alice.record("no-answer")
    built.clear()
    transactions.clear()
    shown = alice.advance()
    assert shown is not None and shown.lead.id not in held
    assert built == ["a queue built"]
    assert len(transactions) == 1  # the claim; the release and the state have their own
    assert {item.lead.id for item in alice.upcoming}.isdisjoint(held | {shown.lead.id})


def test_a_lead_undone_on_screen_after_its_hours_closed_is_let_go(
    make_lead, open_block, clock
) -> None:
    """Undo pressed before moving on, after the lead's hours closed: the lead leaves the screen
    and its hold goes with it (another rep's queue may have it when the hours open)."""
    lead = make_lead(name="Late")
    alice = open_block("alice")
    assert alice.advance().lead.id == lead
    alice.record("no-answer")  # still on screen: the rep has not moved on
    clock.set(NOW.replace(hour=2, minute=30) + timedelta(days=1))  # 21:30 in New York
    alice.undo()
    assert alice.current is None and alice.held_back is not None
    assert alice.store.sessions.lease_holder(lead, iso(clock.now())) is None


def test_the_first_free_lead_of_a_list_passes_over_the_held_and_the_just_dialed(
    store: Store, make_lead, open_block, clock: FixedClock, backend: str, db_path: Path
) -> None:
    """A list built a key ago: the first lead another session holds, the second dialed inside
    its spacing since (unless it is a promised call), the third free. On PostgreSQL a lead
    whose row another claim holds right now is passed over without waiting."""
    ids = [make_lead(name=f"Lead {n}", created=NOW - timedelta(days=2)) for n in range(4)]
    bob, alice = open_block("bob"), open_block("alice")
    now = iso(NOW)
    spaced = iso(NOW - timedelta(minutes=30))
    assert (
        bob.store.sessions.claim(
            ids[0], bob.session.id, "bob", now, iso(NOW + timedelta(minutes=5))
        )
        is None
    )
    with store.transaction():
        store.conn.execute(
            "UPDATE leads SET last_touch_at = ? WHERE id = ?",
            (iso(NOW - timedelta(minutes=1)), ids[1]),
        )
    sessions_store = alice.store.sessions
    with alice.store.transaction():
        assert sessions_store.first_free([(i, spaced) for i in ids], alice.session.id, now) == 2
        assert (
            sessions_store.first_free([(ids[0], spaced), (ids[1], None)], alice.session.id, now)
            == 1
        )
        assert (
            sessions_store.first_free([(ids[0], spaced), (ids[1], spaced)], alice.session.id, now)
            is None
        )
        assert sessions_store.first_free([], alice.session.id, now) is None
    # bob's own lease does not hide the lead from bob's session
    with bob.store.transaction():
        assert bob.store.sessions.first_free([(ids[0], spaced)], bob.session.id, now) == 0
    if backend != "postgresql":
        return
    other = Store.open(db_path)
    try:
        other.conn.execute("BEGIN")
        other.conn.execute("SELECT id FROM leads WHERE id = ? FOR NO KEY UPDATE", (ids[2],))
        with alice.store.patience(5000), alice.store.transaction():
            assert sessions_store.first_free([(i, spaced) for i in ids], alice.session.id, now) == 3
        other.conn.execute("ROLLBACK")
    finally:
        other.close()


def test_the_lead_shown_before_is_let_go_in_the_next_claims_transaction(
    make_lead, open_block, monkeypatch
) -> None:
    """advance() lets go of the lead on screen in the same write transaction as the next
    claim (one commit per key, not two); an advance the database refused keeps it held and
    the retry lets it go; with nothing left to call it is let go all the same."""
    for n in range(2):
        make_lead(name=f"Lead {n}", created=NOW - timedelta(hours=2, minutes=n))
    alice = open_block("alice")
    first = alice.advance()
    assert first is not None
    alice.record("no-answer")
    now = iso(NOW)
    transaction = alice.store.transaction

    def refused():
        raise DatabaseBusy("the database is busy")

    monkeypatch.setattr(alice.store, "transaction", refused)
    with pytest.raises(DatabaseBusy):
        alice.advance()
    holder = alice.store.sessions.lease_holder(first.lead.id, now)
    assert holder is not None and holder.session_id == alice.session.id
    monkeypatch.setattr(alice.store, "transaction", transaction)
    second = alice.advance()
    assert second is not None and second.lead.id != first.lead.id
    assert alice.store.sessions.lease_holder(first.lead.id, now) is None
    alice.record("no-answer")
    assert alice.advance() is None  # nothing left to call
    assert alice.store.sessions.lease_holder(second.lead.id, now) is None
