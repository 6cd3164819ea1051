"""A running call block: what comes next, and the guarantee that one lead is on one screen.

The power-hour screen, the benchmark and the tests all drive a `Block`: it holds the block's
state (the lead on screen, the queue behind it, what was done and skipped, the follow-up mix so
far), claims each lead it shows for its session (the check that the lead is still callable and
that nobody else holds it is made in the claim's own write transaction), renews its leases, and
keeps in the session row what a reconnect needs to resume the block.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.calling import local_time
from callblock.domain.compliance import Refusal
from callblock.domain.models import Lead, Session, Tier, Touch
from callblock.domain.priority import TIERS, MixServed, QueueItem
from callblock.services import ServiceError, dialing, leases, queue
from callblock.services.block_session import BlockSession
from callblock.services.leads import get_lead
from callblock.store import DatabaseBusy, Store

PREVIEW = 5  # leads shown under "up next"
AHEAD_FRESH = timedelta(seconds=5)  # an older list is rebuilt (a promise may have come due)
REFRESH_AFTER = timedelta(seconds=3)  # the screen's tick rebuilds a list this old (ahead_is_stale)
BUILDS = 5  # queues built for one advance at most, when other sessions take each one first


class LeadHeld(ServiceError):
    """The lead is on another session's screen."""


@dataclass
class Block(BlockSession):
    """One session's block. Methods that write raise DatabaseBusy (nothing changed) when
    another process holds the database; the caller may retry them."""

    store: Store
    clock: Clock
    settings: Settings
    rep: str
    session: Session
    owner: str = field(default_factory=lambda: secrets.token_hex(8))
    current: QueueItem | None = None
    last: dialing.Recorded | None = None
    done: set[int] = field(default_factory=set)  # leads given an outcome in this block
    skipped: set[int] = field(default_factory=set)
    served: MixServed = field(default_factory=MixServed)  # follow-up slots filled so far
    ahead: list[QueueItem] = field(default_factory=list)  # the queue behind the current lead
    ahead_at: datetime | None = None  # when it was built
    others: int = 0  # other live windows when the list behind the lead was last rebuilt
    letting_go: int | None = None  # the lead shown before, released with the next claim
    resume_lead: int | None = None  # the lead on screen when the block was suspended
    taken_over: bool = False  # another process runs this session now
    ended: bool = False
    last_heartbeat: datetime | None = None
    lost: tuple[QueueItem, str] | None = None  # the lead on screen another rep has taken
    held_back: tuple[Lead, Refusal] | None = None  # undone after its calling hours closed

    # the queue ------------------------------------------------------------------------------
    @property
    def upcoming(self) -> list[QueueItem]:
        return self.ahead[:PREVIEW]

    def advance(self) -> QueueItem | None:
        """Release the lead on screen and claim the next one (None: nothing to call now).

        A rep alone: after a quick outcome (under AHEAD_FRESH) the next lead is the head of the
        list built behind the last one once its frame was out (re-checked and claimed now), so
        it is there at once; after a longer call the list is built afresh (a promise may have
        come due, a lead arrived). On a floor, other live windows take the same ranking's leads
        with every key, and a list a few seconds old is mostly gone: the queue is built at the
        key (leads others hold are left out as it is read), its first free lead is claimed in
        one statement, and the rest is the preview. (A list longer by one lead per other
        window, built after the frame, went the same way at a few keys a second: measured on
        100 reps, nearly every key built the queue anyway, once or more.)
        """
        # the lead on screen is let go in the next claim's transaction (one commit, not two)
        # (one still pending from an advance the database refused stays pending)
        if self.current is not None:
            self.letting_go = self.current.lead.id
        self.current = None
        now = self.clock.now()
        fresh = not self.others and self.ahead_at is not None and now - self.ahead_at < AHEAD_FRESH
        items: list[QueueItem] = []
        if self.resume_lead is not None:  # a resumed block shows its lead again first
            items = self._resumed_head()
        if not items:
            items = self._claim_head(self.ahead if fresh else [])
        for build in range(BUILDS):  # other windows may take a whole list before its claims
            # each list twice as long as the last: under load many windows race for the
            # same head, and a longer list is only paid for when a shorter one was taken
            if items or not (built := self._queue(self.served, limit=(PREVIEW + 2) << build)):
                break
            items = self._claim_head(built)
        if self.letting_go is not None:  # no claim was tried
            leases.release(self.store, self.session.id, self.letting_go)
            self.letting_go = None
        self.current = items[0] if items else None
        self.ahead, self.ahead_at = items[1:], now
        with suppress(DatabaseBusy):  # the lead is claimed; the next save keeps the state
            self.save_state()
        return self.current

    def rebuild_ahead(self) -> list[QueueItem]:
        """The queue behind the lead on screen, rebuilt once its frame is out, for a rep alone
        (on a floor it is built at the next key: see advance); the preview either way."""
        now = self.clock.now()
        live = len(self.store.sessions.live_sessions(iso(now - leases.LEASE)))  # this one included
        self.others = max(live - 1, 0)
        if self.others:
            return self.upcoming
        exclude = (self.current.lead.id,) if self.current else ()
        served = self.served.after(self.current) if self.current else self.served
        self.ahead = self._queue(served, exclude)
        self.ahead_at = now
        return self.upcoming

    def ahead_is_stale(self) -> bool:
        """The list behind the lead on screen is old enough for the screen's one-second tick to
        rebuild it (a rep alone): the next key then still finds a list younger than AHEAD_FRESH,
        and no key waits for a queue to be built after a long call."""
        if self.current is None or self.ahead_at is None or self.others:
            return False
        return self.clock.now() - self.ahead_at >= REFRESH_AFTER

    def _queue(
        self, served: MixServed, also_exclude: tuple[int, ...] = (), limit: int = PREVIEW + 2
    ) -> list[QueueItem]:
        return queue.next_leads_for_rep(
            self.store,
            self.settings,
            rep=self.rep,
            now=self.clock.now(),
            limit=limit,  # a spare at least: the preview stays full when the head moves up
            exclude=self.done | self.skipped | set(also_exclude),
            served=served,
            session_id=self.session.id,
        )

    def _claim_head(self, items: list[QueueItem]) -> list[QueueItem]:
        """`items` from the first one that may be called now and could be claimed; [] if none.
        On a busy floor most of a list is gone by the next key: the leads other sessions hold,
        or dialed inside their spacing since, are passed over in one statement (the store's
        first_free); the first left is rechecked and leased in the same write transaction."""
        items = [item for item in items if item.lead.id not in self.done | self.skipped]
        while items:
            now = self.clock.now()
            spaced_before = iso(now - self.settings.cadence.spacing)
            candidates = [
                (item.lead.id, None if item.tier is Tier.PROMISE else spaced_before)
                for item in items
            ]
            fresh: QueueItem | None = None
            with self._claiming():
                found = self.store.sessions.first_free(candidates, self.session.id, iso(now))
                if found is None:
                    return []
                fresh = self._lease(items[found], now)
            if fresh is not None:
                return [fresh, *items[found + 1 :]]
            items = items[found + 1 :]
        return []

    def claim(self, item: QueueItem) -> QueueItem | None:
        """`item` as stored now and leased to this session, or None when it must not be called
        now or another session holds it: decided in the claim's own write transaction."""
        now = self.clock.now()
        with self._claiming():
            return self._lease(item, now)

    @contextmanager
    def _claiming(self) -> Iterator[None]:
        """A claim's write transaction; it lets go of the lead the block showed before, if
        that is still to do (see advance)."""
        letting_go = self.letting_go
        with self.store.transaction():
            if letting_go is not None:
                self.store.sessions.release(letting_go, self.session.id)
            yield
        self.letting_go = None  # committed

    def _lease(self, item: QueueItem, now: datetime) -> QueueItem | None:
        """Inside the caller's write transaction: `item` rechecked and leased (see claim)."""
        # the lead's row first (PostgreSQL reads what was committed before each statement:
        # the recheck must see the outcome another rep recorded just before the lock)
        if not self.store.sessions.lock_lead(item.lead.id, self.session.id, iso(now)):
            return None
        fresh = queue.recheck(self.store, self.settings, item, rep=self.rep, now=now)
        if fresh is None:
            return None
        holder = self.store.sessions.claim(
            item.lead.id, self.session.id, self.rep, iso(now), iso(now + leases.LEASE)
        )
        return fresh if holder is None else None

    def _resumed_head(self) -> list[QueueItem]:
        lead_id, self.resume_lead = self.resume_lead, None
        lead = self.store.leads.get_lead(lead_id) if lead_id is not None else None
        if lead is None or lead_id in self.done | self.skipped:
            return []
        item = self._item(lead, Tier.RESUMED, "on your screen when the block was interrupted")
        claimed = self.claim(item)
        return [claimed] if claimed is not None else []

    def _item(self, lead: Any, tier: Tier, reason: str) -> QueueItem:
        local = local_time(self.clock.now(), lead.zone(self.settings.timezone))
        return QueueItem(lead, 0.0, tier, (reason,), local)

    # what the rep does ----------------------------------------------------------------------
    def record(
        self,
        code: str,
        when: datetime | None = None,
        note: str = "",
        *,
        template: str | None = None,
        variant: str | None = None,
    ) -> dialing.Recorded:
        """Record the outcome of the lead on screen (the caller then calls `advance`);
        `template` and `variant`: the script the rep had on screen for it."""
        from callblock.services.team import refuse_removed

        item = self.current
        if item is None:
            raise ServiceError("no lead on screen")
        refuse_removed(self.store, self.rep)
        recorded = dialing.record_outcome(
            self.store,
            self.clock,
            rep=self.rep,
            lead_id=item.lead.id,
            code=code,
            when=when,
            note=note,
            session_id=self.session.id,
            settings=self.settings,
            template=template,
            variant=variant,
        )
        self.last = recorded
        self.done.add(item.lead.id)
        self.served = self.served.after(item)
        return recorded

    def skip(self) -> None:
        if self.current is not None:
            self.skipped.add(self.current.lead.id)
            self.served = self.served.after(self.current)

    def undo(self) -> Touch | None:
        """Undo the block's last outcome and put its lead back on screen, claimed again, in one
        transaction; LeadHeld (nothing undone) when another session holds that lead now. A lead
        whose calling hours have closed is not shown (`held_back` says why): the queue brings it
        back when they open."""
        now = self.clock.now()
        with self.store.transaction():
            last = self.store.touches.last_live_touch(self.session.id)
            if last is None:
                return None
            holder = self.store.sessions.claim(
                last.lead_id, self.session.id, self.rep, iso(now), iso(now + leases.LEASE)
            )
            if holder is not None:
                lead = self.store.leads.get_lead(last.lead_id)
                name = lead.name if lead else f"lead {last.lead_id}"
                raise LeadHeld(f"not undone: {name} is on {holder.rep}'s screen right now")
            touch = dialing.undo_last(
                self.store, self.clock, rep=self.rep, session_id=self.session.id,
                settings=self.settings,
            )  # fmt: skip
        if touch is None:
            return None
        self.done.discard(touch.lead_id)
        self.last = None
        lead = get_lead(self.store, touch.lead_id)
        self.held_back = None
        if (closed := queue.hours_closed(lead, self.settings, now)) is not None:
            # Its calling hours have closed: not shown; the queue brings it back when they open.
            self.held_back = (lead, closed)
            leases.release(self.store, self.session.id, lead.id)  # claimed above: let it go
            if self.current is not None and self.current.lead.id == lead.id:
                self.current = None
            self.save_state()
            return touch
        if self.current is not None and self.current.lead.id != touch.lead_id:
            leases.release(self.store, self.session.id, self.current.lead.id)
        self.current = self._item(lead, Tier.UNDO, "outcome undone: record it again")
        self.save_state()
        return touch

    def work_lead(self, lead_id: int) -> QueueItem:
        """Show `lead_id` now, ahead of the queue (the lead screen's "call now")."""
        lead = get_lead(self.store, lead_id)
        now = self.clock.now()
        holder = self.store.sessions.claim(
            lead_id, self.session.id, self.rep, iso(now), iso(now + leases.LEASE)
        )
        if holder is not None:
            raise LeadHeld(f"{lead.name} is on {holder.rep}'s screen right now")
        self.skipped.discard(lead_id)
        if self.current is not None and self.current.lead.id != lead_id:
            leases.release(self.store, self.session.id, self.current.lead.id)
        self.current = self._item(lead, Tier.CHOSEN, "picked by you: call now")
        self.save_state()
        return self.current

    def recheck_current(self) -> QueueItem | None:
        """The lead on screen as stored now, or None when it must not be called any more."""
        item = self.current
        if item is None:
            return None
        fresh = queue.recheck(self.store, self.settings, item, rep=self.rep, now=self.clock.now())
        if fresh is None and item.tier in TIERS:
            return None
        lead = self.store.leads.get_lead(item.lead.id)
        self.current = replace(item, lead=lead) if lead else item
        return self.current

    def window_closed(self) -> bool:
        """The calling hours of the lead on screen have closed (an undone lead stays)."""
        item = self.current
        if item is None or item.tier == Tier.UNDO:
            return False
        return not queue.still_callable(item, self.settings, self.clock.now())
