"""`callblock team init` and `callblock team settings`: a team database and its settings.

The parsers are added by `add_settings_commands` (cli.py calls it under `team`); the bodies
import the services only when run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from callblock.clock import Clock
from callblock.output import emit
from callblock.store.location import ServerUrl


def add_settings_commands(
    team_commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """`team init` and `team settings` under `team`; `common` adds --db, --rep, --now, --config."""
    text = (
        "create a team database: the settings every rep shares are kept in it (schedule, "
        "calling windows, weights, blocks, team zone); each user's config keeps only [keys]"
    )
    init = team_commands.add_parser("init", help=text, description=text)
    common(init)
    init.add_argument(
        "--timezone",
        required=True,
        metavar="ZONE",
        help="the team's IANA zone, e.g. America/New_York: blocks, reports and leads without a "
        "zone of their own use it",
    )
    init.add_argument(
        "--group",
        default=None,
        metavar="GROUP",
        help="the Unix group whose members use the database: it and its -wal/-shm files become "
        "group read-write (0660); a folder this command creates becomes setgid, group rwx",
    )
    init.add_argument("--json", action="store_true", help="print machine-readable JSON")

    text = (
        "show the team settings (TOML, as `--file` reads it); with --set or --file change "
        "them, all or nothing, each change kept in the audit table"
    )
    settings = team_commands.add_parser("settings", help=text, description=text)
    common(settings)
    settings.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one key (repeatable), the config file's dotted keys and checks: "
        'queue.spacing_minutes=45, timezone=America/Chicago, \'queue.schedule=["now", "+1h"]\' '
        "(a table or an array is replaced whole)",
    )
    settings.add_argument(
        "--file",
        type=Path,
        default=None,
        metavar="TEAM.toml",
        help="set every key this TOML file holds (the config file's team part; keys it does "
        "not hold stay as they are); applied before any --set",
    )
    settings.add_argument(
        "--json", action="store_true", help="print machine-readable JSON (the settings as tables)"
    )


def run_team(args: argparse.Namespace, clock: Clock) -> int:
    """`team init` / `team settings`; errors are raised for commands.run to report."""
    if args.team_command == "init":
        return _init(args, clock)
    return _settings(args, clock)


def _db(args: argparse.Namespace) -> Path | ServerUrl:
    from callblock.paths import default_db_path

    return args.db or default_db_path()


def _init(args: argparse.Namespace, clock: Clock) -> int:
    from callblock.services.team_settings import init_team

    made = init_team(_db(args), timezone=args.timezone, group=args.group, rep=args.rep, clock=clock)
    data = {
        "db": str(made.path),
        "timezone": made.timezone,
        "group": made.group,
        "created_folder": made.created_folder,
        "hint": made.hint,
    }
    shared = f", shared with group {made.group}" if made.group else ""
    lines = [f"{made.path}: team database in {made.timezone}{shared}"]
    if made.hint:
        lines.append(f"note: {made.hint}")
    return emit(args, data, "\n".join(lines))


def _settings(args: argparse.Namespace, clock: Clock) -> int:
    from callblock.config.team import shown
    from callblock.config.toml_text import dumps
    from callblock.services import ServiceError
    from callblock.services.team_settings import change_team_settings, show_team_settings
    from callblock.store import Store

    path = _db(args)
    if isinstance(path, Path) and not path.exists():
        raise ServiceError(f"{path}: no such database (`callblock team init` makes one)")
    store = Store.open(path)
    try:
        if not args.assignments and args.file is None:
            data = show_team_settings(store)
            return emit(args, data, f"# team settings of {path}\n{dumps(data)}")
        changed = change_team_settings(
            store, clock, rep=args.rep, sets=args.assignments, file=args.file
        )
    finally:
        store.close()
    rows = [{"key": key, "old": old, "new": new} for key, old, new in changed]
    lines = [f"{key}: {shown(old)} -> {shown(new)}" for key, old, new in changed]
    lines.append(f"{len(changed)} team setting{'s' * (len(changed) != 1)} changed")
    return emit(args, {"changed": rows}, "\n".join(lines))
