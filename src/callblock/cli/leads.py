"""The lead commands: demo, add, log, queue and history."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import local_time
from callblock.domain.ranges import RangeError, check_moment
from callblock.domain.text import cell, clean_line, plural
from callblock.output import emit
from callblock.services import ServiceError
from callblock.store import Store


def _demo(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.demo import build_demo

    existing = store.admin.count("leads")
    if existing and args.if_empty:
        return emit(
            args,
            {"db": str(store.path), "leads": existing, "created": False},
            f"{store.path}: already holds {plural(existing, 'lead')}; left as it is",
        )
    added = build_demo(store, clock, leads=args.leads, seed=args.seed, settings=settings)
    return emit(
        args,
        {"db": str(store.path), "leads": added, "created": True},
        f"{store.path}: demo database with {plural(added, 'lead')}",
    )


def _add(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.leads import add_lead

    try:
        created = parse_iso(args.created) if args.created else None
        if created is not None:
            check_moment(created, f"created: {args.created[:60]!r}")
    except RangeError as error:
        raise ServiceError(str(error)) from None
    except (ValueError, OverflowError):
        raise ServiceError(f"created: {args.created[:60]!r} is not an ISO time") from None
    lead_id = add_lead(
        store,
        clock,
        name=args.name,
        company=args.company,
        phone=args.phone,
        title=args.title,
        email=args.email,
        tz=args.tz,
        region=args.region,
        temperature=args.temperature,
        owner=args.owner,
        notes=args.notes,
        created=created,
        first_name=args.first_name,
        last_name=args.last_name,
        pronunciation=args.pronunciation,
        interest=args.interest,
        settings=settings,
    )
    return emit(args, {"lead_id": lead_id}, f"added lead {lead_id}")


def _log(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.dialing import record_outcome, resolve_outcome
    from callblock.services.team import rep_profile

    if args.channel != "call":
        return _log_message(args, store, settings, clock)

    outcome = resolve_outcome(args.outcome)
    when = None
    zone, _role = rep_profile(store, args.rep, settings.timezone)
    if args.when is not None or outcome.asks_when:
        when = _parse_when(args.when or "", zone, clock.now())
    recorded = record_outcome(
        store,
        clock,
        rep=args.rep,
        lead_id=args.lead,
        code=outcome.code,
        when=when,
        note=args.note,
        settings=settings,
        check_hours=True,
        outside_window=args.outside_window,
        rep_zone=zone,
    )
    data = {
        "touch_id": recorded.touch_id,
        "lead_id": args.lead,
        "outcome": outcome.code,
        "when": iso(when) if when else None,
    }
    due = f", {outcome.creates} at {when.isoformat(timespec='minutes')}" if when else ""
    return emit(args, data, f"recorded {outcome.code} for lead {args.lead}{due}")


def _log_message(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    """A touch on email, LinkedIn or SMS (services/tasks.py)."""
    from callblock.services.tasks import record_channel_touch

    if args.when is not None:
        raise ServiceError(f"when: a touch on {args.channel} takes no time")
    if args.outside_window:
        raise ServiceError(f"outside-window: calling hours are for calls, not {args.channel}")
    touch = record_channel_touch(
        store,
        settings,
        lead_id=args.lead,
        rep=args.rep,
        channel=args.channel,
        outcome=args.outcome,
        now=clock.now(),
        note=args.note,
    )
    data = {
        "touch_id": touch.touch_id,
        "lead_id": args.lead,
        "channel": args.channel,
        "outcome": args.outcome,
        "step": touch.completed_step,
        "callback_at": iso(touch.callback_at) if touch.callback_at else None,
    }
    text = f"recorded {args.channel} {args.outcome} for lead {args.lead}"
    if touch.completed_step is not None:
        text += f" (step {touch.completed_step} done)"
    if touch.callback_at is not None:
        shown = local_time(touch.callback_at, settings.timezone)
        text += f"; sequence ended, callback due {shown:%Y-%m-%d %H:%M}"
    return emit(args, data, text)


def _parse_when(text: str, zone: str, now: datetime) -> datetime:
    """A time as the rep typed it, read in the rep's zone."""
    from callblock.domain.whenparse import WhenParseError, parse_when

    try:
        return parse_when(text, local_time(now, zone))
    except WhenParseError as error:
        raise ServiceError(f"when: {error}") from None


def _queue(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.queue import next_leads_for_rep

    if args.limit < 1:
        raise ServiceError("limit: must be at least 1")
    items = next_leads_for_rep(store, settings, rep=args.rep, now=clock.now(), limit=args.limit)
    rows = [
        {
            "lead_id": item.lead.id,
            "name": item.lead.name,
            "company": item.lead.company,
            "phone": item.lead.phone,
            "timezone": item.lead.zone(settings.timezone),
            "local_time": item.local_time.isoformat(timespec="seconds"),
            "score": round(item.score, 2),
            "tier": item.tier,
            "reasons": list(item.reasons),
        }
        for item in items
    ]
    lines = [
        f"{n:>3}  {cell(r['name'], 22)} {cell(r['company'], 20)} "
        f"{r['local_time'][11:16]}  {'; '.join(r['reasons'])}"
        for n, r in enumerate(rows, start=1)
    ]
    head = f"{'#':>3}  {'name':<22} {'company':<20} {'local':<5}  why"
    return emit(args, rows, "\n".join([head, *lines]) if lines else "queue is empty")


def _history(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.dnc import dnc_lifts
    from callblock.services.leads import history

    touches = history(store, args.lead)
    rows = [
        {
            "at": iso(t.at),
            "rep": t.rep,
            "channel": t.channel.value,
            "outcome": t.outcome,
            "template": t.template,
            "variant": t.variant,
            "note": t.note,
        }
        for t in touches
    ]
    # Lifts off do-not-call (from the audit table) among the touches, by time.
    rows += [
        {
            "at": iso(x.at),
            "rep": x.rep,
            "channel": "",
            "outcome": "dnc-lifted",
            "template": None,
            "variant": None,
            "note": x.reason,
        }
        for x in dnc_lifts(store, args.lead)
    ]
    rows.sort(key=lambda row: row["at"], reverse=True)
    lines = [
        f"{local_time(parse_iso(r['at']), settings.timezone):%Y-%m-%d %H:%M}  {cell(r['rep'], 10)} "
        f"{r['channel']:<9} {r['outcome']:<15} {clean_line(_with_template(r))}"
        for r in rows
    ]
    head = f"{'at':<16}  {'rep':<10} {'channel':<9} {'outcome':<15} note"
    if not lines:
        return emit(args, rows, f"lead {args.lead} has no touches")
    return emit(args, rows, "\n".join([head, *lines]))


def _with_template(row: dict[str, Any]) -> str:
    """The note, after the template (and variant) the touch used or answered."""
    if not row["template"]:
        return str(row["note"])
    used = f"[{row['template']}{' ' + row['variant'] if row['variant'] else ''}]"
    return f"{used} {row['note']}".rstrip()


def _lift_dnc(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.dnc import lift_dnc

    lead = lift_dnc(
        store,
        clock,
        settings,
        rep=args.rep,
        lead_id=args.lead,
        reason=args.reason,
        status=args.status,
        confirmed=args.yes,
    )
    data = {"lead_id": lead.id, "status": lead.status.value}
    return emit(args, data, f"lead {lead.id} is off do-not-call ({lead.status.value})")


HANDLERS = {
    "demo": _demo,
    "add": _add,
    "log": _log,
    "queue": _queue,
    "history": _history,
    "lift-dnc": _lift_dnc,
}
