"""Bodies of the CLI commands: parse-free, each a thin layer over the services."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from callblock import startup
from callblock.clock import Clock
from callblock.config import ConfigError, Settings, load_settings
from callblock.domain.reps import ACTS_AS_REP
from callblock.domain.text import clean_line
from callblock.paths import default_config_path, default_db_path, machine_zone
from callblock.services import ServiceError
from callblock.store import Store, StoreError, fault
from callblock.store.location import Location


def run(args: argparse.Namespace, clock: Clock) -> int:
    """Run one command; every failure ends in one line on stderr and a non-zero status."""
    command = args.command or "home"
    if command not in APP_COMMANDS and command != "ssh-session":
        startup.finished()  # the app does this once its first frame is out
    try:
        if command == "team" and args.team_command in ("init", "settings"):
            from callblock.cli.team_settings import run_team  # no user config involved

            return run_team(args, clock)
        settings = _settings(args)
        if command in APP_COMMANDS:
            return _open_app(args, settings, clock, command)
        if command == "doctor":  # opens the file read-only itself: never migrates or writes
            from callblock.cli.doctor import doctor

            return doctor(args)
        if command == "migrate-db":  # two databases, neither of them --db
            from callblock.cli.migrate import migrate_db

            return migrate_db(args, clock)
        if command == "ssh-session":  # runs the command it allows through `execute` again
            from callblock.cli.ssh import ssh_session

            return ssh_session(args, _db_path(args))
        store, settings = _open_store(args, settings, create=command == "demo")
        try:
            if command in ACTS_AS_REP or command == "team":
                _refuse_removed(store, args.rep)  # a rep removed from the team is used no more
            if command in CHECKED_WRITES:
                store.admin.refuse_if_damaged()
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


def _db_path(args: argparse.Namespace) -> Location:
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
    if args.db is None and isinstance(path, Path):
        # the user's data dir may not exist yet; a given path's folder must
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
    registered = store.admin.get_rep(rep)
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
        store.checkpoint_in_background()
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


APP_COMMANDS = frozenset({"home", "dial", "review"})
# Commands that write what a user typed: a damaged file is refused before it is written to.
CHECKED_WRITES = frozenset({"add", "log", "merge", "import", "lift-dnc", "templates", "send"})
# Each command's body lives in a module of its topic, imported only when run (start-up).
ELSEWHERE = (
    dict.fromkeys(("demo", "add", "log", "queue", "history", "lift-dnc"), "callblock.cli.leads")
    | {"plan": "callblock.cli.plan"}
    | dict.fromkeys(("report", "export"), "callblock.cli.review")
    | dict.fromkeys(("import", "dupes", "merge", "leads"), "callblock.cli.imports")
    | {"team": "callblock.cli.team"}
    | dict.fromkeys(("templates", "render"), "callblock.cli.templates")
    | {"send": "callblock.cli.send"}
    | {"tasks": "callblock.cli.tasks"}
)


def handler(command: str) -> Any:
    import importlib

    return importlib.import_module(ELSEWHERE[command]).HANDLERS[command]
