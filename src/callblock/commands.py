"""Bodies of the CLI commands: parse-free, each a thin layer over the services."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from callblock.clock import Clock, iso, parse_iso
from callblock.config import ConfigError, Settings, load_settings
from callblock.domain.calling import local_time
from callblock.domain.ranges import RangeError, check_day, check_moment
from callblock.domain.reps import ACTS_AS_REP
from callblock.domain.text import cell, clean_line
from callblock.output import emit
from callblock.paths import default_config_path, default_db_path, machine_zone
from callblock.services import ServiceError
from callblock.store import Store, StoreError, fault


def run(args: argparse.Namespace, clock: Clock) -> int:
    """Run one command; every failure ends in one line on stderr and a non-zero status."""
    try:
        command = args.command or "home"
        if command == "team" and args.team_command in ("init", "settings"):
            from callblock.commands_team_settings import run_team  # no user config involved

            return run_team(args, clock)
        settings = _settings(args)
        if command in ("home", "dial", "review"):
            return _open_app(args, settings, clock, command)
        if command == "doctor":  # opens the file read-only itself: never migrates or writes
            from callblock.commands_doctor import doctor

            return doctor(args)
        if command == "ssh-session":  # runs the command it allows through `execute` again
            from callblock.commands_ssh import ssh_session

            return ssh_session(args, _db_path(args))
        store, settings = _open_store(args, settings, create=command == "demo")
        try:
            if command in ACTS_AS_REP or command == "team":
                _refuse_removed(store, args.rep)  # a rep removed from the team is used no more
            if command in CHECKED_WRITES:
                store.refuse_if_damaged()
            return handler(command)(args, store, settings, clock)
        finally:
            store.close()
    except (ServiceError, StoreError, ConfigError) as error:
        return fail(str(error))
    except sqlite3.Error as error:  # a fault under a command: busy, full, read-only, damaged
        return fail(str(fault(error, _db_path(args))))
    except BrokenPipeError:
        raise  # the reader left (`| head`): main() ends quietly
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        return fail(f"{error.strerror or error}{where}")
    except KeyboardInterrupt:
        return fail("interrupted; anything not reported as done was not written", status=130)


def fail(message: str, status: int = 1) -> int:
    """The one way a command reports failure: one cleaned line on stderr."""
    print(f"callblock: error: {clean_line(message, 1000)}", file=sys.stderr)
    return status


def _db_path(args: argparse.Namespace) -> Path:
    return args.db or default_db_path()


def _open_store(
    args: argparse.Namespace, settings: Settings, *, create: bool = False, wait: bool = False
) -> tuple[Store, Settings]:
    """The database and the settings to run with on it (a team database's own, see
    services/team_settings.py), every lead's due time in step with the cadence. `wait` (the
    app): while another process holds the write lock, say so and wait for it."""
    from callblock.services.cadence import ensure_due_times
    from callblock.services.learning import current_weights
    from callblock.services.team_settings import settings_for

    path = _db_path(args)
    if args.db is None:  # the user's data dir may not exist yet; a given path's folder must
        path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(path, create=create)
    try:
        if wait and not store.writable_now():
            print(
                "callblock: the database is busy (another callblock is writing to it: an import "
                "or a merge?); waiting for it… (Ctrl+C stops)",
                file=sys.stderr,
                flush=True,
            )
            while not store.writable_now():
                time.sleep(0.5)
        settings = settings_for(store, settings)
        ensure_due_times(store, settings, current_weights(store, settings))
    except BaseException:
        store.close()
        raise
    return store, settings


def _refuse_removed(store: Store, rep: str) -> None:
    """Who may act: not a removed rep, and on a team database only as oneself."""
    from callblock.services.team import refuse_other_identity, refuse_removed

    refuse_other_identity(store, rep)
    refuse_removed(store, rep)


def _refuse_unless_lead(store: Store, rep: str, what: str) -> None:
    registered = store.get_rep(rep)
    if registered is not None and registered.current and registered.role != "lead":
        raise ServiceError(f"{what} is for team leads; {rep} is a rep")


def _settings(args: argparse.Namespace) -> Settings:
    explicit = args.config is not None
    path = args.config if explicit else default_config_path()
    return load_settings(path, required=explicit, machine_zone=machine_zone())


def _open_app(args: argparse.Namespace, settings: Settings, clock: Clock, start: str) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return fail(
            "the app needs a terminal (no TTY here; with ssh use -t). "
            "For scripts use a command such as `callblock queue --json`.",
            status=2,
        )
    store, settings = _open_store(args, settings, wait=True)
    try:
        _refuse_removed(store, args.rep)
        if start == "review":
            _refuse_unless_lead(store, args.rep, "review")
        from callblock.app import create_app

        app = create_app(
            settings=settings,
            store=store,
            clock=clock,
            rep=args.rep,
            start=start,
            remote=getattr(args, "over_ssh", False),
        )
        app.run()
    finally:
        store.close()
    if app.fault:  # a database fault (1), or a hang-up (128 + the signal)
        return fail(app.fault, status=app.return_code or 1)
    return app.return_code or 0


def _demo(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.demo import build_demo

    existing = store.count("leads")
    if existing and args.if_empty:
        return emit(
            args,
            {"db": str(store.path), "leads": existing, "created": False},
            f"{store.path}: already holds {existing} leads; left as it is",
        )
    added = build_demo(store, clock, leads=args.leads, seed=args.seed, settings=settings)
    return emit(
        args,
        {"db": str(store.path), "leads": added, "created": True},
        f"{store.path}: demo database with {added} leads",
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
        default_region=settings.default_region,
        title=args.title,
        email=args.email,
        tz=args.tz,
        temperature=args.temperature,
        owner=args.owner,
        notes=args.notes,
        created=created,
        settings=settings,
    )
    return emit(args, {"lead_id": lead_id}, f"added lead {lead_id}")


def _log(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.dialing import record_outcome, resolve_outcome
    from callblock.services.team import rep_profile

    outcome = resolve_outcome(args.outcome)
    when = None
    if args.when is not None or outcome.asks_when:
        zone, _role = rep_profile(store, args.rep, settings.timezone)
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
    )
    data = {
        "touch_id": recorded.touch_id,
        "lead_id": args.lead,
        "outcome": outcome.code,
        "when": iso(when) if when else None,
    }
    due = f", {outcome.creates} at {when.isoformat(timespec='minutes')}" if when else ""
    return emit(args, data, f"recorded {outcome.code} for lead {args.lead}{due}")


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
    return emit(args, rows, "\n".join(lines) or "queue is empty")


def _history(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.leads import history

    touches = history(store, args.lead)
    rows = [
        {
            "at": iso(t.at),
            "rep": t.rep,
            "channel": t.channel.value,
            "outcome": t.outcome,
            "note": t.note,
        }
        for t in touches
    ]
    lines = [
        f"{local_time(t.at, settings.timezone):%Y-%m-%d %H:%M}  {cell(t.rep, 10)} "
        f"{t.channel.value:<9} {t.outcome:<15} {clean_line(t.note)}"
        for t in touches
    ]
    return emit(args, rows, "\n".join(lines) or f"lead {args.lead} has no touches")


def _plan(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.planning import week_plan

    try:
        day = date.fromisoformat(args.week) if args.week is not None else None
        if day is not None:
            check_day(day, f"week: {args.week!r}")
    except RangeError as error:
        raise ServiceError(str(error)) from None
    except ValueError:
        raise ServiceError(f"week: {args.week[:60]!r} is not a date like 2026-11-23") from None
    plan = week_plan(store, settings, clock, rep=args.rep, day=day)
    rows = [
        {
            "day": planned.block.start.date().isoformat(),
            "start": planned.block.start.isoformat(timespec="seconds"),
            "end": planned.block.end.isoformat(timespec="seconds"),
            "name": planned.block.name,
            "planned_dials": planned.planned_dials,
            "expected_contacts": planned.expected_contacts,
            "promises": planned.promises,
            "follow_ups": planned.follow_ups,
            "target_dials": planned.block.target_dials,
            "weight": round(planned.weight, 3),
        }
        for planned in plan.blocks
    ]
    lines = [
        f"{r['start'][:10]} {planned.block.start:%a} {r['start'][11:16]}-{r['end'][11:16]}  "
        f"{cell(r['name'], 20)} {r['planned_dials']:>4} dials  "
        f"~{r['expected_contacts']:.1f} contacts  weight {r['weight']:.2f}"
        for r, planned in zip(rows, plan.blocks, strict=True)
    ]
    return emit(
        args, rows, "\n".join(lines) or "no blocks this week (see [[blocks]] in the config)"
    )


# Commands that write what a user typed: a damaged file is refused before it is written to.
CHECKED_WRITES = frozenset({"add", "log", "merge", "import"})
HANDLERS = {
    "demo": _demo,
    "add": _add,
    "log": _log,
    "queue": _queue,
    "plan": _plan,
    "history": _history,
}
# Commands whose bodies live in modules of their own, imported only when run (start-up).
ELSEWHERE = (
    dict.fromkeys(("report", "export"), "callblock.commands_review")
    | dict.fromkeys(("import", "dupes", "merge", "leads"), "callblock.commands_import")
    | {"team": "callblock.commands_team"}
)


def handler(command: str) -> Any:
    if command in HANDLERS:
        return HANDLERS[command]
    import importlib

    return importlib.import_module(ELSEWHERE[command]).HANDLERS[command]
