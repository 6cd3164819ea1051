"""One lead, one rep at a time: a lead on a rep's screen is leased to that rep.

Two reps dialing the same lead is the most common complaint about dialers. The lease expires
on its own (a rep whose connection dropped does not hold a lead forever) and is renewed while
the lead stays on screen.
"""

from __future__ import annotations

from datetime import timedelta

from callblock.clock import Clock, iso
from callblock.store import Store

LEASE = timedelta(minutes=10)


def claim(store: Store, clock: Clock, rep: str, lead_id: int) -> bool:
    """Lease (or renew) the lead for `rep`; False when another rep holds it."""
    now = clock.now()
    return store.claim(lead_id, rep, iso(now), iso(now + LEASE))


def release(store: Store, rep: str, lead_id: int) -> None:
    store.release(lead_id, rep)
