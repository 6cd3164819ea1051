"""Sessions: one rep working one block in one running app, and its running figures.

A session belongs to a process (its `owner` token). A dropped link suspends it; the rep's next
start the same day resumes it (same counters, undo, the lead that was on screen). A second app
of a rep whose session is still alive may take it over: the first one sees it at its next tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import local_time
from callblock.domain.figures import PACE_AFTER, reschedules
from callblock.domain.models import Session
from callblock.domain.outcomes import OUTCOME_BY_CODE
from callblock.domain.text import NAME_MAX, clean_line
from callblock.services.block import Block
from callblock.services.leases import LEASE
from callblock.store import Store
from callblock.store.sessions import OpenSession


@dataclass(frozen=True, slots=True)
class SessionStats:
    dials: int
    contacts: int
    meetings: int
    callbacks: int
    elapsed: timedelta
    target_per_hour: int

    @property
    def contact_rate(self) -> float | None:
        """Contacts / dials; None before the first dial (shown as "–")."""
        return self.contacts / self.dials if self.dials else None

    @property
    def pace_per_hour(self) -> float | None:
        """Dials per hour so far; None in the first PACE_AFTER (15 minutes), when a pace means
        nothing."""
        seconds = self.elapsed.total_seconds()
        return self.dials * 3600 / seconds if self.elapsed >= PACE_AFTER else None


@dataclass(frozen=True, slots=True)
class Resumable:
    """The rep's block of today that was not ended: `live` when its app still runs."""

    open: OpenSession
    live: bool

    @property
    def session(self) -> Session:
        return self.open.session


def start_block(
    store: Store,
    clock: Clock,
    settings: Settings,
    *,
    rep: str,
    block_name: str,
    target: int,
    resume: Resumable | None = None,
) -> tuple[Block, dict | None]:
    """A block for the rep: a new session, or `resume`'s taken up by this process (the draft
    it kept comes back with it). A rep removed from the team gets none (ServiceError)."""
    from callblock.services.team import refuse_removed

    refuse_removed(store, rep)
    if resume is not None:
        block = Block(store, clock, settings, resume.session.rep, resume.session)
        if store.sessions.adopt_session(resume.session.id, block.owner, iso(clock.now())):
            block.last_heartbeat = clock.now()
            return block, block.restore(resume.open.state)
    started = clock.now()
    rep, block_name = clean_line(rep, NAME_MAX), clean_line(block_name, NAME_MAX)
    session = Session(0, rep, block_name, started, None, target)
    block = Block(store, clock, settings, rep, session)
    session_id = store.sessions.insert_session(
        rep, block_name, iso(started), target, owner=block.owner
    )
    block.session = Session(session_id, rep, block_name, started, None, target)
    block.last_heartbeat = started
    return block, None


def resumable(store: Store, clock: Clock, rep: str, zone: str) -> Resumable | None:
    """The rep's newest block started today (in the rep's zone) and not ended. Older open
    blocks are ended where they stopped (their last sign of life)."""
    now = clock.now()
    today = local_time(now, zone).date()
    found = None
    for candidate in store.sessions.open_sessions(clean_line(rep, NAME_MAX)):
        started = candidate.session.started_at
        alive_at = parse_iso(candidate.heartbeat_at) if candidate.heartbeat_at else started
        live = candidate.owner is not None and now - alive_at < LEASE
        if found is None and local_time(started, zone).date() == today:
            found = Resumable(candidate, live)
        elif not live:
            store.sessions.end_session(candidate.session.id, iso(max(alive_at, started)))
    return found


def end_session(store: Store, clock: Clock, session: Session) -> None:
    store.sessions.end_session(session.id, iso(clock.now()))


def session_stats(store: Store, session: Session, now: datetime) -> SessionStats:
    outcomes = [OUTCOME_BY_CODE[code] for code in store.touches.session_outcomes(session.id)]
    end = session.ended_at or now
    callbacks = sum(o.creates == "callback" for o in outcomes)
    if callbacks:  # once per promise: a callback moved again is not a new one
        calls, promises = store.reports.reschedule_candidates("", "", session_id=session.id)
        callbacks -= len(reschedules(calls, promises))
    return SessionStats(
        dials=sum(o.is_dial for o in outcomes),
        contacts=sum(o.is_contact for o in outcomes),
        meetings=sum(o.creates == "meeting" for o in outcomes),
        callbacks=callbacks,
        elapsed=max(end - session.started_at, timedelta(0)),
        target_per_hour=session.target_per_hour,
    )


def start_session(store: Store, clock: Clock, *, rep: str, block_name: str, target: int) -> Session:
    """A session run by no app (the CLI's and tests' blocks): it is never resumed."""
    started = clock.now()
    rep, block_name = clean_line(rep, NAME_MAX), clean_line(block_name, NAME_MAX)
    session_id = store.sessions.insert_session(rep, block_name, iso(started), target)
    return Session(session_id, rep, block_name, started, None, target)
