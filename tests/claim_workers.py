"""What each OS process of tests/test_pg_claims.py runs: one rep's app, on a connection of its
own, working a power hour from the shared queue (or taking a block over), started together with
the others at a barrier. Results go back on a queue as plain data."""

from __future__ import annotations

import time
import traceback
from datetime import UTC, datetime
from typing import Any

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.services import sessions
from callblock.store import DatabaseBusy, Store

# The same pinned instant and zone as tests/conftest.py (not imported: that loads Textual).
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
ZONE = "America/New_York"
# PostgreSQL: a claim that waits on another transaction's lock for longer than this fails
# (DatabaseBusy) and is counted: a claim never waits at all.
CLAIM_PATIENCE_MS = 1


def work_power_hour(db: str, rep: str, barrier: Any, results: Any) -> None:
    """Advance, record, advance... until the queue has nothing left for this rep."""
    out: dict[str, Any] = {"rep": rep, "shown": [], "touches": [], "waits": [], "busy": 0}
    try:
        store = Store.open(db)
        clock = FixedClock(NOW)
        settings = Settings(timezone=ZONE)
        block, _ = sessions.start_block(
            store, clock, settings, rep=rep, block_name="Power hour", target=60
        )
        out["session"] = block.session.id
        server = store.dialect == "postgresql"
        barrier.wait(timeout=60)
        while True:
            started = time.perf_counter()
            try:
                if server:
                    with store.patience(CLAIM_PATIENCE_MS):
                        item = block.advance()
                else:
                    item = block.advance()
            except DatabaseBusy:
                out["busy"] += 1
                continue
            out["waits"].append(time.perf_counter() - started)
            if item is None:
                break
            holder = store.sessions.lease_holder(item.lead.id, iso(clock.now()))
            out["shown"].append([item.lead.id, holder.session_id if holder is not None else None])
            out["touches"].append(block.record("no-answer").touch_id)
        block.end()
        store.close()
    except BaseException:  # the test shows it
        out["error"] = traceback.format_exc()
    results.put(out)


def take_over(db: str, session_id: int, barrier: Any, results: Any) -> None:
    """Another window of the session's rep takes the block over, at the same moment as the
    others; then says whether it still owns it."""
    out: dict[str, Any] = {}
    try:
        store = Store.open(db)
        clock = FixedClock(NOW)
        settings = Settings(timezone=ZONE)
        found = sessions.resumable(store, clock, "alice", ZONE)
        assert found is not None and found.session.id == session_id
        barrier.wait(timeout=60)
        block, _ = sessions.start_block(
            store, clock, settings, rep="alice", block_name="x", target=60, resume=found
        )
        out["adopted"] = block.session.id == session_id
        out["owner"] = block.owner
        barrier.wait(timeout=60)  # every window has taken it over: who owns it now?
        out["alive"] = block.heartbeat()
        store.close()
    except BaseException:
        out["error"] = traceback.format_exc()
    results.put(out)
