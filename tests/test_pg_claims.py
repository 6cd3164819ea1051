"""One lead on one screen with several OS processes claiming from the same queue at once, on
SQLite and on PostgreSQL (conftest.BOTH_BACKENDS): no lead held by two sessions, no outcome lost,
and on PostgreSQL no claim ever waits on another's lock (SKIP LOCKED: a lead another
transaction is deciding on counts as taken)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.services import leases, sessions
from callblock.services.block import Block
from callblock.store import DatabaseBusy, Store
from tests import claim_workers
from tests.conftest import LeadMaker

PROCESSES = 6
LEADS = 48


def run_processes(target: Any, args: list[tuple[Any, ...]], parties: int) -> list[dict]:
    """Start one spawned process per args (each opens its own connection), released together
    at a barrier; their results."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(parties)
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*each, barrier, results), daemon=True) for each in args
    ]
    for process in processes:
        process.start()
    try:
        found = [results.get(timeout=240) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    errors = [result["error"] for result in found if "error" in result]
    assert not errors, errors[0]
    return found


def test_processes_claiming_from_one_queue_never_share_a_lead_nor_lose_an_outcome(
    make_lead: LeadMaker, store: Store, db_path: Path
) -> None:
    lead_ids = {make_lead() for _ in range(LEADS)}
    reps = [f"rep{number % 3}" for number in range(PROCESSES)]  # some reps with two windows
    found = run_processes(
        claim_workers.work_power_hour, [(str(db_path), rep) for rep in reps], PROCESSES
    )

    shown = [lead for result in found for lead, _holder in result["shown"]]
    assert len(shown) == len(set(shown))  # 0 leads on two screens (each is dialed once)
    assert set(shown) == lead_ids  # and every lead was worked by someone
    for result in found:  # while on a screen, the lease was that screen's session's
        assert all(holder == result["session"] for _lead, holder in result["shown"])
    recorded = [touch for result in found for touch in result["touches"]]
    assert store.admin.count("touches") == len(recorded) == LEADS  # 0 lost outcomes
    for touch_id in recorded:
        touch = store.touches.get_touch(touch_id)
        assert touch is not None and touch.outcome == "no-answer" and not touch.undone
    assert sum(len(result["shown"]) > 0 for result in found) > 1  # they did work side by side

    waits = sorted(wait for result in found for wait in result["waits"])
    busy = sum(result["busy"] for result in found)
    if store.dialect == "postgresql":
        assert busy == 0  # no claim waited 1 ms on another transaction's lock
    # a claim waiting on another's lock would sit out the lock (or busy) timeout: 10 s
    assert waits[-1] < 5.0, f"slowest key -> next lead {waits[-1]:.3f} s"
    print(
        f"\n{store.dialect}: {len(waits)} advances by {PROCESSES} processes, "
        f"p50 {waits[len(waits) // 2] * 1000:.1f} ms, "
        f"p95 {waits[int(len(waits) * 0.95)] * 1000:.1f} ms, max {waits[-1] * 1000:.1f} ms, "
        f"lock waits over {claim_workers.CLAIM_PATIENCE_MS} ms: {busy}"
    )


def test_windows_taking_one_block_over_at_once_leave_exactly_one_owner(
    make_lead: LeadMaker, store: Store, db_path: Path, clock: FixedClock, settings: Settings
) -> None:
    lead = make_lead()
    first, _ = sessions.start_block(
        store, clock, settings, rep="alice", block_name="Power hour", target=60
    )
    assert first.advance().lead.id == lead
    windows = 4
    found = run_processes(
        claim_workers.take_over,
        [(str(db_path), first.session.id) for _ in range(windows)],
        windows,
    )
    assert all(result["adopted"] for result in found)  # each took up the same block
    assert sum(result["alive"] for result in found) == 1  # and exactly one runs it now
    (owner,) = [result["owner"] for result in found if result["alive"]]
    assert store.sessions.session_owner(first.session.id) == owner
    assert first.heartbeat() is False and first.taken_over  # the first window stops
    assert store.sessions.lease_holder(lead, iso(clock.now())) is None  # its lead let go


def other_block(db_path: Path, clock: FixedClock, settings: Settings, rep: str) -> Block:
    block, _ = sessions.start_block(
        Store.open(db_path), clock, settings, rep=rep, block_name="Power hour", target=60
    )
    return block


def test_a_lead_another_transaction_is_deciding_on_is_passed_over_without_waiting(
    make_lead: LeadMaker, store: Store, db_path: Path, clock: FixedClock, settings: Settings
) -> None:
    """Bob's window is in the middle of claiming the head of the queue (its transaction open,
    the lead's row held) when Alice's window asks for her next lead. PostgreSQL: she gets the
    next lead at once, the held one counts as taken. SQLite has one writer: she waits for
    Bob's transaction (here, for her patience) and nothing is written."""
    head = make_lead(name="Head")
    second = make_lead(name="Second")
    bob = other_block(db_path, clock, settings, "bob")
    alice = other_block(db_path, clock, settings, "alice")
    try:
        now = clock.now()
        with bob.store.transaction():
            assert bob.store.sessions.lock_lead(head, bob.session.id, iso(now))
            assert (
                bob.store.sessions.claim(
                    head, bob.session.id, "bob", iso(now), iso(now + leases.LEASE)
                )
                is None
            )
            started = time.perf_counter()
            if store.dialect == "postgresql":
                with alice.store.patience(1):
                    item = alice.advance()
                took = time.perf_counter() - started
                assert item is not None and item.lead.id == second
                assert took < 1.0, took
                holder = alice.store.sessions.claim(
                    head, alice.session.id, "alice", iso(now), iso(now + leases.LEASE)
                )
                assert holder is not None and holder.session_id != alice.session.id
            else:
                with pytest.raises(DatabaseBusy), alice.store.patience(200):
                    alice.advance()
                assert time.perf_counter() - started < 5.0
        # Bob's claim is committed: the head is his, never Alice's
        held = store.sessions.lease_holder(head, iso(now))
        assert held is not None and held.session_id == bob.session.id
        if store.dialect == "sqlite":
            assert alice.advance().lead.id == second
        assert store.sessions.lease_holder(second, iso(now)).session_id == alice.session.id
    finally:
        bob.store.close()
        alice.store.close()


def test_an_outcome_holds_its_lead_so_no_claim_slips_in_before_it_commits(
    make_lead: LeadMaker, store: Store, db_path: Path, clock: FixedClock, settings: Settings
) -> None:
    """An outcome being logged for a lead nobody holds (`callblock log`) holds the lead from
    the moment it checks the lease until it commits: a window claiming the lead meanwhile
    passes it over (PostgreSQL) or waits for it (SQLite), and never shows it."""
    from callblock.services.dialing import refuse_if_elsewhere

    lead = make_lead(name="Logged")
    alice = other_block(db_path, clock, settings, "alice")
    try:
        now = iso(clock.now())
        with store.transaction():
            refuse_if_elsewhere(store, lead, now, rep="carol", session_id=None)
            if store.dialect == "postgresql":
                with alice.store.patience(1):
                    assert alice.advance() is None  # held: passed over, nothing else to call
            else:
                with pytest.raises(DatabaseBusy), alice.store.patience(200):
                    alice.advance()
            assert store.sessions.lease_holder(lead, now) is None
    finally:
        alice.store.close()
