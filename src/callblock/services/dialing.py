"""Recording dial outcomes, notes on them, and undo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.compliance import (
    HOURS,
    NEVER_CALLED,
    PromiseRefusal,
    promise_time_problem,
)
from callblock.domain.models import Channel, Lead, LeadStatus, Touch
from callblock.domain.outcomes import (
    LeadState,
    Outcome,
    UnknownOutcomeError,
    moves_to_nurture,
    outcome_by_code,
    state_after,
    state_after_undo,
    state_of,
)
from callblock.domain.priority import PROMISE_KINDS
from callblock.domain.text import NAME_MAX, TOUCH_NOTE_MAX, clean_line
from callblock.services import ServiceError, checked_line
from callblock.services.cadence import refresh_due
from callblock.services.leads import get_lead
from callblock.services.learning import current_weights
from callblock.services.queue import call_refusal
from callblock.store import Store

GOODBYE = "goodbye"  # a task, not a promise: the last touch before long-term nurture


@dataclass(frozen=True, slots=True)
class Recorded:
    touch_id: int
    lead: Lead  # the lead as it was before the outcome
    outcome: Outcome
    when: datetime | None


def resolve_outcome(code: str) -> Outcome:
    try:
        return outcome_by_code(code)
    except UnknownOutcomeError as error:
        raise ServiceError(f"outcome: {error}") from None


def record_outcome(
    store: Store,
    clock: Clock,
    *,
    rep: str,
    lead_id: int,
    code: str,
    when: datetime | None = None,
    note: str = "",
    session_id: int | None = None,
    settings: Settings,
    check_hours: bool = False,
    outside_window: bool = False,
    rep_zone: str | None = None,
    template: str | None = None,
    variant: str | None = None,
) -> Recorded:
    """Record one dial outcome with all its effects, in one committed transaction.

    `check_hours` (`callblock log`): refused when the lead may not be called now (see
    domain/compliance.py), unless only its calling hours are closed and `outside_window` says
    the lead asked for the call; such a touch is flagged. A block's lead was checked when it
    was shown. A callback or meeting time outside the lead's calling hours is always refused.
    A new promise replaces the lead's open one. `rep_zone`: the zone the rep types times in.
    `template` and `variant`: the call script or voicemail shown, kept on the touch.

    Every dial is a step of the cadence (`steps_done`): the dial that completes the schedule's
    last step moves the lead to long-term nurture, with a goodbye task when that step was not
    itself the goodbye message."""
    outcome = resolve_outcome(code)
    note = checked_line(note, "note", TOUCH_NOTE_MAX)
    rep = clean_line(rep, NAME_MAX)  # stored clean: shown on other reps' and the lead's screens
    now = clock.now()
    if outcome.asks_when:
        if when is None:
            raise ServiceError(f"when: outcome {code!r} needs a time (--when)")
        if when <= now:
            raise ServiceError(f"when: {iso(when)} is not in the future")
    elif when is not None:
        raise ServiceError(f"when: outcome {code!r} takes no time")
    at = iso(now)
    with store.transaction():
        refuse_if_elsewhere(store, lead_id, at, rep=rep, session_id=session_id)
        lead = get_lead(store, lead_id)  # read once held: no other writer changes it now
        flagged = check_hours and _refuse_closed(
            store, settings, lead, now, outcome, outside_window
        )
        if when is not None and (late := promise_problem(lead, when, settings, now)) is not None:
            raise ServiceError(f"when: {late.message(rep_zone)}")
        before = state_of(lead)
        after = state_after(
            before, outcome, attempts=lead.steps_done + 1, max_attempts=settings.max_attempts
        )
        touch_id = store.touches.insert_touch(
            lead_id=lead_id,
            rep=rep,
            at=at,
            channel=Channel.CALL.value,
            outcome=outcome.code,
            note=note,
            session_id=session_id,
            outside_window=flagged,
            template=clean_line(template, NAME_MAX) if template else None,
            variant=clean_line(variant, NAME_MAX) if variant else None,
            lead_before={
                "status": before.status.value,
                "bad_number": before.bad_number,
                "after": {"status": after.status.value, "bad_number": after.bad_number},
            },
        )
        store.leads.set_lead_state(lead_id, after.status.value, after.bad_number)
        store.leads.refresh_lead_counters(lead_id)
        # A dial keeps the promises that were due; do-not-call withdraws all of them.
        due_before = (
            None if outcome.cancels_promises else iso(now + settings.queue_rules().promise_lead)
        )
        store.touches.close_promises(lead_id, touch_id, due_before=due_before)
        if outcome.creates and when is not None:
            store.touches.replace_promises(
                lead_id, touch_id, PROMISE_KINDS
            )  # a new time, one promise
            store.touches.insert_callback(
                lead_id=lead_id,
                rep=rep,
                due_at=iso(when),
                kind=outcome.creates,
                created_by_touch=touch_id,
            )
        if moves_to_nurture(before, after, outcome):
            store.touches.insert_callback(
                lead_id=lead_id, rep=rep, due_at=at, kind=GOODBYE, created_by_touch=touch_id
            )
        refresh_due(store, settings, current_weights(store, settings), [lead_id])
    return Recorded(touch_id, lead, outcome, when)


def _refuse_closed(
    store: Store,
    settings: Settings,
    lead: Lead,
    now: datetime,
    outcome: Outcome,
    outside_window: bool,
) -> bool:
    """Refuse a call the lead may not get now (see may_call); True when it is recorded outside
    the lead's calling hours because `outside_window` says the lead asked for it. A do-not-call
    request is taken at any hour."""
    if outcome.new_status is NEVER_CALLED:
        return False
    refusal = call_refusal(store, settings, lead, now)
    if refusal is None:
        return False
    if refusal.why in HOURS:
        if outside_window:
            return True
        hint = "; give --outside-window for a callback the lead asked for"
        raise ServiceError(f"lead {lead.id}: {refusal.message}{hint}")
    raise ServiceError(f"lead {lead.id}: {refusal.message}; not recorded")


def promise_problem(
    lead: Lead, when: datetime, settings: Settings, now: datetime
) -> PromiseRefusal | None:
    """A callback or meeting at `when` outside the lead's calling hours: why, and the nearest
    allowed time."""
    return promise_time_problem(lead, when, settings.calling, settings.timezone, now)


def refuse_if_elsewhere(
    store: Store, lead_id: int, now: str, *, rep: str, session_id: int | None
) -> None:
    """One lead, one screen: refuse an outcome for a lead merged away or on a screen other than
    the caller's (inside the caller's write transaction, so nobody can claim it in between). A
    caller without a session (`callblock log`) may record a lead on its own rep's screen."""
    holder = store.sessions.lease_holder(lead_id, now, hold=True)  # held first: see sessions
    into = store.leads.merged_into(lead_id)
    if into is not None:
        raise ServiceError(f"lead {lead_id} was merged into lead {into}: record it there")
    if holder is None:
        return
    mine = holder.session_id == session_id if session_id is not None else holder.rep == rep
    if not mine:
        raise ServiceError(f"lead {lead_id} is on {holder.rep}'s screen right now; not recorded")


def add_touch_note(store: Store, touch_id: int, note: str) -> str:
    cleaned = checked_line(note, "note", TOUCH_NOTE_MAX)
    store.touches.set_touch_note(touch_id, cleaned)
    return cleaned


def undo_last(
    store: Store, clock: Clock, *, rep: str, session_id: int, settings: Settings
) -> Touch | None:
    """Undo the session's last outcome that still counts; None when there is nothing to undo.

    The touch stays in the database marked undone (and stops counting everywhere); the lead's
    status and the promises the touch created or kept return to how they were; the undo goes to
    the audit trail.
    """
    with store.transaction():
        touch = store.touches.last_live_touch(session_id)
        if touch is None:
            return None
        saved = store.touches.touch_lead_before(touch.id)
        store.touches.mark_touch_undone(touch.id)
        store.touches.revert_promises_of_touch(touch.id)
        if saved:
            lead = get_lead(store, touch.lead_id)
            produced = saved.get("after")
            restored = state_after_undo(
                LeadState(LeadStatus(saved["status"]), bool(saved["bad_number"])),
                LeadState(LeadStatus(produced["status"]), bool(produced["bad_number"]))
                if produced
                else None,
                state_of(lead),
            )
            store.leads.set_lead_state(touch.lead_id, restored.status.value, restored.bad_number)
        store.leads.refresh_lead_counters(touch.lead_id)
        refresh_due(store, settings, current_weights(store, settings), [touch.lead_id])
        store.touches.add_audit(
            iso(clock.now()),
            rep,
            "undo",
            touch.id,
            {"lead_id": touch.lead_id, "outcome": touch.outcome, "touch_at": iso(touch.at)},
        )
    return touch
