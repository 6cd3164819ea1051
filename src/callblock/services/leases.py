"""One lead, one screen: a lead shown by a session (one running app) is leased to it.

Two reps dialing the same lead is the most common complaint about dialers. A lease belongs to a
session, not to a rep name, so one rep's two windows never show the same lead either. It expires
on its own within LEASE (a session whose process died lets go of its lead within two minutes)
and is renewed by the session's heartbeat every HEARTBEAT while the lead stays on screen.
"""

from __future__ import annotations

from datetime import timedelta

from callblock.clock import Clock, iso
from callblock.store import Store
from callblock.store.sessions import Holder

LEASE = timedelta(seconds=90)
HEARTBEAT = timedelta(seconds=20)


def claim(store: Store, clock: Clock, session_id: int, rep: str, lead_id: int) -> Holder | None:
    """Lease (or renew) the lead for the session; the holder when another session has it."""
    now = clock.now()
    return store.sessions.claim(lead_id, session_id, rep, iso(now), iso(now + LEASE))


def release(store: Store, session_id: int, lead_id: int) -> None:
    store.sessions.release(lead_id, session_id)


def holder(store: Store, clock: Clock, lead_id: int) -> Holder | None:
    return store.sessions.lease_holder(lead_id, iso(clock.now()))
