"""Sessions: one rep working one block, and its running figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from callblock.clock import Clock, iso
from callblock.domain.models import Session
from callblock.domain.outcomes import OUTCOME_BY_CODE
from callblock.domain.text import NAME_MAX, clean_line
from callblock.store import Store


@dataclass(frozen=True, slots=True)
class SessionStats:
    dials: int
    contacts: int
    meetings: int
    callbacks: int
    elapsed: timedelta
    target_per_hour: int

    @property
    def contact_rate(self) -> float:
        return self.contacts / self.dials if self.dials else 0.0

    @property
    def pace_per_hour(self) -> float | None:
        """Dials per hour so far; None in the first minute, when a pace means nothing."""
        minutes = self.elapsed.total_seconds() / 60
        return self.dials * 60 / minutes if minutes >= 1 else None


def start_session(store: Store, clock: Clock, *, rep: str, block_name: str, target: int) -> Session:
    started = clock.now()
    rep, block_name = clean_line(rep, NAME_MAX), clean_line(block_name, NAME_MAX)
    session_id = store.insert_session(rep, block_name, iso(started), target)
    return Session(session_id, rep, block_name, started, None, target)


def end_session(store: Store, clock: Clock, session: Session) -> None:
    store.end_session(session.id, iso(clock.now()))


def session_stats(store: Store, session: Session, now: datetime) -> SessionStats:
    outcomes = [OUTCOME_BY_CODE[code] for code in store.session_outcomes(session.id)]
    end = session.ended_at or now
    return SessionStats(
        dials=sum(o.is_dial for o in outcomes),
        contacts=sum(o.is_contact for o in outcomes),
        meetings=sum(o.creates == "meeting" for o in outcomes),
        callbacks=sum(o.creates == "callback" for o in outcomes),
        elapsed=max(end - session.started_at, timedelta(0)),
        target_per_hour=session.target_per_hour,
    )
