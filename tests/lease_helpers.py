"""Leases in tests: another rep's screen, as a session of its own."""

from __future__ import annotations

from callblock.clock import Clock
from callblock.services import leases, sessions
from callblock.store import Store


def claim_as(store: Store, clock: Clock, rep: str, lead_id: int) -> bool:
    """Lease the lead to a new session of `rep` (another app); False when someone holds it."""
    session = sessions.start_session(store, clock, rep=rep, block_name="Their block", target=60)
    return leases.claim(store, clock, session.id, rep, lead_id) is None
