"""Shared pieces of the power-hour screen tests: keys per outcome, screen and store probes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callblock.app import CallblockApp
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import LeadStatus
from callblock.screens.power_hour import PowerHourScreen
from callblock.services import dialing
from callblock.store import Store
from callblock.widgets.lead_card import LeadCard
from tests.screen_text import widget_text

SIZE = (80, 24)
WHEN = "tomorrow 10:30"  # Tue 24 Nov 2026 10:30 New York
WHEN_UTC = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
SOON = "in 1d"  # quicker to type where the exact time does not matter

# The keys a rep presses for each outcome (the documented defaults), prompts included.
PRESSES: dict[str, list[str]] = {
    "connected": ["c"],
    "no-answer": ["n"],
    "voicemail": ["v"],
    "busy": ["b"],
    "gatekeeper": ["g"],
    "bad-number": ["w"],
    "callback": ["l", *SOON, "enter"],
    "meeting": ["m", *SOON, "enter"],
    "not-interested": ["x"],
    "dnc": ["d", "y"],
}
# The lead's (status, bad_number) after its first outcome.
STATE_AFTER: dict[str, tuple[LeadStatus, bool]] = {
    "connected": (LeadStatus.WORKING, False),
    "no-answer": (LeadStatus.WORKING, False),
    "voicemail": (LeadStatus.WORKING, False),
    "busy": (LeadStatus.WORKING, False),
    "gatekeeper": (LeadStatus.WORKING, False),
    "bad-number": (LeadStatus.WORKING, True),
    "callback": (LeadStatus.WORKING, False),
    "meeting": (LeadStatus.QUALIFIED, False),
    "not-interested": (LeadStatus.NURTURE, False),
    "dnc": (LeadStatus.DNC, False),
}


def power_hour(app: CallblockApp) -> PowerHourScreen:
    screen = app.screen
    assert isinstance(screen, PowerHourScreen), f"on {screen!r}, not the power-hour screen"
    return screen


def shown(app: CallblockApp) -> int | None:
    """The id of the lead on the card (None: the empty-queue card)."""
    current = power_hour(app).current
    return current.lead.id if current else None


def card(app: CallblockApp) -> str:
    return widget_text(app, app.screen.query_one(LeadCard))


def status_line(app: CallblockApp) -> str:
    return widget_text(app, app.screen.query_one("#status"))


def touched_earlier(
    store: Store,
    clock: FixedClock,
    lead_id: int,
    code: str,
    *,
    hours: float = 2,
    when: datetime | None = None,
    rep: str = "bob",
) -> int:
    """Record an outcome `hours` before now, outside any block; returns the touch id."""
    now = clock.now()
    clock.set(now - timedelta(hours=hours))
    try:
        return dialing.record_outcome(
            store, clock, rep=rep, lead_id=lead_id, code=code, when=when, settings=Settings()
        ).touch_id
    finally:
        clock.set(now)


def ended_at(store: Store, app: CallblockApp) -> datetime | None:
    session = store.sessions.get_session(power_hour(app).session.id)
    assert session is not None
    return session.ended_at
