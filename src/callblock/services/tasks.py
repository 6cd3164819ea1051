"""The cadence's tasks: the email, LinkedIn and SMS steps due, done one at a time.

A task is a lead whose next step is not a call (services/cadence.py sets `task_due_at`,
`task_step`, `task_channel`). Completing it (sent, done or skipped) records a touch on its
channel that advances the cadence; after the schedule's last step the lead moves to long-term
nurture, as after the last call. A reply on any channel ends the sequence and puts the lead at
the top of its owner's queue (a callback due now, or at the next time its calling hours allow).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callblock.clock import iso
from callblock.config import Settings
from callblock.domain.cadence import (
    ADVANCING,
    REPLIED,
    TASK_CHANNELS,
    TASK_OUTCOMES,
    TASKS_MAX,
)
from callblock.domain.compliance import CLOSED_STATUSES, promise_time_problem
from callblock.domain.models import Lead, LeadStatus, PromiseKind, Template, TemplateChannel
from callblock.domain.text import NAME_MAX, TOUCH_NOTE_MAX, clean_line
from callblock.services import ServiceError, checked_line
from callblock.services.cadence import refresh_due
from callblock.services.leads import get_lead
from callblock.services.learning import current_weights
from callblock.store import Store

GOODBYE = "goodbye"  # the goodbye task of a schedule that ends without a goodbye message


@dataclass(frozen=True, slots=True)
class Task:
    """A step of the cadence to do now for a lead: its channel, its 1-based step, when it was
    due, the template (the lead's variant) when the team has one, and whether it is the
    goodbye message."""

    lead: Lead
    channel: str
    step: int
    due: datetime
    template: Template | None
    goodbye: bool


@dataclass(frozen=True, slots=True)
class ChannelTouch:
    """A touch recorded on a message channel (`callblock log --channel email ...`)."""

    touch_id: int
    completed_step: int | None  # the step it completed (1-based), None: the cadence stays
    callback_at: datetime | None  # a reply's callback for the owner


def due_tasks(
    store: Store, settings: Settings, rep: str, now: datetime, limit: int = 200
) -> list[Task]:
    """The tasks due now for `rep` (leads they own or the team's pool), longest waiting first."""
    if not 1 <= limit <= TASKS_MAX:
        raise ServiceError(f"limit: {limit} is outside 1..{TASKS_MAX}")
    steps = settings.cadence.steps
    tasks = []
    for lead in store.queue.due_task_leads(rep, iso(now), limit):
        index = lead.task_step
        if index is None or index >= len(steps) or lead.task_due_at is None:
            continue  # the schedule changed under it; the next refresh puts it right
        step = steps[index]
        if step.is_call or step.channel != lead.task_channel:
            continue
        template = step_template(store, lead, step.channel, index + 1)
        tasks.append(Task(lead, step.channel, index + 1, lead.task_due_at, template, step.goodbye))
    return tasks


def step_template(store: Store, lead: Lead, channel: str, step: int) -> Template | None:
    """The template serving a task's step for this lead (its variant): services/templates.py,
    for a channel that has templates."""
    from callblock.services.templates import step_template as templates_step_template

    try:
        kind = TemplateChannel(channel)
    except ValueError:
        return None
    return templates_step_template(store, lead, kind, step)


def complete_task(
    store: Store,
    settings: Settings,
    *,
    lead_id: int,
    rep: str,
    outcome: str,
    now: datetime,
    template: str | None = None,
    variant: str | None = None,
    message_id: str | None = None,
    note: str = "",
) -> int:
    """Record the lead's task as sent, done or skipped: one touch on the task's channel that
    completes its step (the template, variant and Message-ID kept on it). Returns the touch id.
    The lead's first step moves a new lead to working; its last step moves it to long-term
    nurture (with a goodbye task when that step was not the goodbye message)."""
    if outcome not in ADVANCING:
        raise ServiceError(
            f"outcome: {outcome!r} does not complete a task ({', '.join(ADVANCING)})"
        )
    note = checked_line(note, "note", TOUCH_NOTE_MAX)
    rep = clean_line(rep, NAME_MAX)
    at = iso(now)
    with store.transaction():
        lead = _live_lead(store, lead_id)
        steps = settings.cadence.steps
        index = lead.task_step
        if index is None or index >= len(steps) or lead.task_channel is None:
            raise ServiceError(f"lead {lead_id} has no task to do (its next step is not a task)")
        step = steps[index]
        if step.is_call:  # the schedule changed since the task was set: it is a call now
            raise ServiceError(f"lead {lead_id}'s step {index + 1} is a call; dial it")
        status = lead.status
        if status is LeadStatus.NEW:
            status = LeadStatus.WORKING
        last = lead.steps_done + 1 >= len(steps)
        if last and status is LeadStatus.WORKING:
            status = LeadStatus.NURTURE
        touch_id = store.touches.insert_touch(
            lead_id=lead_id,
            rep=rep,
            at=at,
            channel=lead.task_channel,
            outcome=outcome,
            note=note,
            session_id=None,
            lead_before=_before(lead, status),
            template=_name(template),
            variant=_name(variant),
            message_id=_name(message_id),
            step=index + 1,
        )
        store.leads.set_lead_state(lead_id, status.value, lead.bad_number)
        if status is LeadStatus.NURTURE and lead.status is not LeadStatus.NURTURE:
            store.touches.replace_promises(lead_id, touch_id, [GOODBYE])
            if not step.goodbye:
                store.touches.insert_callback(
                    lead_id=lead_id, rep=rep, due_at=at, kind=GOODBYE, created_by_touch=touch_id
                )
        store.leads.refresh_lead_counters(lead_id)
        refresh_due(store, settings, current_weights(store, settings), [lead_id])
    return touch_id


def postpone_task(store: Store, settings: Settings, *, lead_id: int, until: datetime) -> None:
    """Move the lead's task to `until` (kept while it is the same step)."""
    with store.transaction():
        lead = _live_lead(store, lead_id)
        if lead.task_step is None:
            raise ServiceError(f"lead {lead_id} has no task to postpone")
        if lead.task_due_at is not None and until <= lead.task_due_at:
            raise ServiceError(f"until: {iso(until)} is not after the task's due time")
        if not store.queue.set_task_due(lead_id, iso(until)):
            raise ServiceError(f"lead {lead_id} has no task to postpone")


def record_channel_touch(
    store: Store,
    settings: Settings,
    *,
    lead_id: int,
    rep: str,
    channel: str,
    outcome: str,
    now: datetime,
    note: str = "",
) -> ChannelTouch:
    """A touch on a message channel as a rep logs it: sent, done or skipped complete the
    lead's task when it is on this channel (else the touch is kept and the cadence stays);
    a reply ends the sequence (see `record_reply`); a bounce is noted."""
    if channel not in TASK_CHANNELS:
        raise ServiceError(f"channel: {channel!r} is not one of {', '.join(TASK_CHANNELS)}")
    if outcome not in TASK_OUTCOMES:
        known = ", ".join(TASK_OUTCOMES)
        raise ServiceError(f"outcome: {outcome!r} is not an outcome on {channel} ({known})")
    if outcome == REPLIED:
        return record_reply(
            store, settings, lead_id=lead_id, rep=rep, channel=channel, now=now, note=note
        )
    lead = _live_lead(store, lead_id)
    if outcome in ADVANCING and lead.task_channel == channel and lead.task_step is not None:
        touch_id = complete_task(
            store, settings, lead_id=lead_id, rep=rep, outcome=outcome, now=now, note=note
        )
        return ChannelTouch(touch_id, lead.task_step + 1, None)
    touch_id = _plain_touch(store, settings, lead, rep, channel, outcome, now, note)
    return ChannelTouch(touch_id, None, None)


def record_reply(
    store: Store,
    settings: Settings,
    *,
    lead_id: int,
    rep: str,
    channel: str,
    now: datetime,
    note: str = "",
) -> ChannelTouch:
    """The lead replied: a `replied` touch naming the template and variant of the lead's last
    message sent (on this channel, else any), so a reply counts for the message it answers;
    the sequence ends (no more tasks or scheduled calls); a callback for the lead's owner (or
    `rep` when it has none) due now, or at the next time its calling hours allow, puts it at
    the top of their queue. A lead that may not be called gets the touch only."""
    note = checked_line(note, "note", TOUCH_NOTE_MAX)
    rep = clean_line(rep, NAME_MAX)
    at = iso(now)
    with store.transaction():
        lead = _live_lead(store, lead_id)
        answered = store.queue.last_sent_touch(lead_id, channel) or store.queue.last_sent_touch(
            lead_id
        )
        status = lead.status
        if status in (LeadStatus.NEW, LeadStatus.NURTURE):
            status = LeadStatus.WORKING
        touch_id = store.touches.insert_touch(
            lead_id=lead_id,
            rep=rep,
            at=at,
            channel=channel,
            outcome=REPLIED,
            note=note,
            session_id=None,
            lead_before=_before(lead, status),
            template=answered.template if answered else None,
            variant=answered.variant if answered else None,
        )
        store.leads.set_lead_state(lead_id, status.value, lead.bad_number)
        # The sequence's own promises (a goodbye task, an older callback) give way to this one.
        store.touches.replace_promises(lead_id, touch_id, [PromiseKind.CALLBACK, GOODBYE])
        callback_at = _callback_time(lead, settings, now)
        if callback_at is not None:
            store.touches.insert_callback(
                lead_id=lead_id,
                rep=lead.owner or rep,
                due_at=iso(callback_at),
                kind=PromiseKind.CALLBACK,
                created_by_touch=touch_id,
            )
        store.leads.refresh_lead_counters(lead_id)
        refresh_due(store, settings, current_weights(store, settings), [lead_id])
    return ChannelTouch(touch_id, None, callback_at)


def _callback_time(lead: Lead, settings: Settings, now: datetime) -> datetime | None:
    """Now, or the next moment the lead's calling hours allow; None when it may not be called."""
    if lead.status in CLOSED_STATUSES or lead.bad_number:
        return None
    problem = promise_time_problem(lead, now, settings.calling, settings.timezone, now)
    if problem is None:
        return now
    return problem.nearest


def _plain_touch(
    store: Store,
    settings: Settings,
    lead: Lead,
    rep: str,
    channel: str,
    outcome: str,
    now: datetime,
    note: str,
) -> int:
    """A touch that completes no step (a bounce, an email sent off the schedule)."""
    note = checked_line(note, "note", TOUCH_NOTE_MAX)
    with store.transaction():
        touch_id = store.touches.insert_touch(
            lead_id=lead.id,
            rep=clean_line(rep, NAME_MAX),
            at=iso(now),
            channel=channel,
            outcome=outcome,
            note=note,
            session_id=None,
            lead_before=_before(lead, lead.status),
        )
        store.leads.refresh_lead_counters(lead.id)
        refresh_due(store, settings, current_weights(store, settings), [lead.id])
    return touch_id


def _live_lead(store: Store, lead_id: int) -> Lead:
    into = store.leads.merged_into(lead_id)
    if into is not None:
        raise ServiceError(f"lead {lead_id} was merged into lead {into}: record it there")
    return get_lead(store, lead_id)


def _before(lead: Lead, status: LeadStatus) -> dict[str, Any]:
    return {
        "status": lead.status.value,
        "bad_number": lead.bad_number,
        "after": {"status": status.value, "bad_number": lead.bad_number},
    }


def _name(value: str | None) -> str | None:
    return clean_line(value, NAME_MAX) if value else None
