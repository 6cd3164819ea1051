"""A block's session (mixed into services/block.py's Block): the heartbeat that renews its
leases and finds it taken over, what it keeps in the session row for a reconnect, and its end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callblock.clock import Clock, iso
from callblock.domain.models import Session
from callblock.domain.outcomes import OUTCOME_BY_CODE
from callblock.domain.priority import MixServed, QueueItem
from callblock.services import dialing, leases
from callblock.store import Store, StoreFault


class BlockSession:
    """The session half of Block (its fields are Block's)."""

    store: Store
    clock: Clock
    rep: str
    session: Session
    owner: str
    current: QueueItem | None
    last: dialing.Recorded | None
    done: set[int]
    skipped: set[int]
    served: MixServed
    resume_lead: int | None
    taken_over: bool
    ended: bool
    last_heartbeat: datetime | None
    lost: tuple[QueueItem, str] | None

    def heartbeat(self) -> bool:
        """Every HEARTBEAT: renew the leases; False (and `taken_over`) when another process has
        taken this session over. Between heartbeats only a cheap read is made."""
        if self.ended:
            return True
        now = self.clock.now()
        due = self.last_heartbeat is None or now - self.last_heartbeat >= leases.HEARTBEAT
        if not due:
            if self.store.sessions.session_owner(self.session.id) != self.owner:
                self.taken_over = True
            return not self.taken_over
        alive = self.store.sessions.heartbeat(
            self.session.id, self.owner, iso(now), iso(now + leases.LEASE)
        )
        self.last_heartbeat = now
        self.taken_over = not alive
        if alive and self.current is not None:
            self._check_lease(self.current, now)
        return alive

    def _check_lease(self, item: QueueItem, now: datetime) -> None:
        """The lease on screen lapsed (the heartbeat could not write for longer than a lease):
        take it again, or, when another session has the lead now, let it go (`lost`)."""
        holder = self.store.sessions.lease_holder(item.lead.id, iso(now))
        if holder is not None and holder.session_id == self.session.id:
            return
        if holder is None:
            holder = self.store.sessions.claim(
                item.lead.id, self.session.id, self.rep, iso(now), iso(now + leases.LEASE)
            )
        if holder is not None:
            self.lost = (item, holder.rep)
            self.current = None

    def state(self, draft: dict[str, Any] | None = None) -> dict[str, Any]:
        served = self.served
        return {
            "current": self.current.lead.id if self.current else None,
            "done": sorted(self.done),
            "skipped": sorted(self.skipped),
            "served": [served.slots, served.warm, served.nurture],
            **({"draft": draft} if draft else {}),
        }

    def save_state(self, draft: dict[str, Any] | None = None, *, suspend: bool = False) -> None:
        if not self.taken_over:
            kept = self.store.sessions.save_session_state(
                self.session.id, self.owner, self.state(draft), suspend=suspend
            )
            self.taken_over = not kept

    def suspend(self, draft: dict[str, Any] | None = None, *, wait_ms: int = 300) -> None:
        """The terminal is gone: keep what a reconnect needs, let go of the lead on screen. A
        database busy for longer than `wait_ms` gets the draft spooled to a file instead (the
        lease then lapses on its own)."""
        from callblock.services import draft_spool

        try:
            with self.store.patience(wait_ms):
                self.save_state(draft, suspend=True)
        except StoreFault:
            if draft:
                draft_spool.keep(self.store.path, self.session.id, draft)
            raise

    def end(self) -> None:
        if not self.taken_over:
            self.store.sessions.end_session(self.session.id, iso(self.clock.now()))
        self.current = None
        self.ended = True

    def restore(self, state: dict[str, Any]) -> dict[str, Any] | None:
        """Take up a suspended block's state; the draft it kept, if any."""
        self.done = {int(i) for i in state.get("done", []) if isinstance(i, int)}
        self.skipped = {int(i) for i in state.get("skipped", []) if isinstance(i, int)}
        served = state.get("served")
        if (
            isinstance(served, list)
            and len(served) == 3
            and all(isinstance(n, int) for n in served)
        ):
            self.served = MixServed(*served)
        current = state.get("current")
        self.resume_lead = current if isinstance(current, int) else None
        touch = self.store.touches.last_live_touch(self.session.id)
        if touch is not None and (lead := self.store.leads.get_lead(touch.lead_id)) is not None:
            outcome = OUTCOME_BY_CODE.get(touch.outcome)
            if outcome is not None:
                self.last = dialing.Recorded(touch.id, lead, outcome, None)
        draft = state.get("draft")
        from callblock.services import draft_spool

        spooled = draft_spool.take(self.store.path, self.session.id)  # newer than the row's
        return spooled or (draft if isinstance(draft, dict) else None)
