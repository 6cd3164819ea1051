"""`callblock team add-rep | list | remove-rep`: the parsers and the command bodies.

Imported by the CLI at start-up for its parsers: the bodies import their services when run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callblock.domain.reps import REP_NAME_RULE, ROLES, rep_name_problem
from callblock.output import emit

Factory = Callable[[str, str], argparse.ArgumentParser]


def rep_name(text: str) -> str:
    """An argparse type: a rep name (refused in one line, before anything is opened)."""
    if problem := rep_name_problem(text):
        raise argparse.ArgumentTypeError(problem)
    return text


rep_name.__name__ = "rep name"


def add_rep_commands(team_command: Factory) -> None:
    """`team add-rep`, `team list` and `team remove-rep` under the `team` group."""
    add = team_command(
        "add-rep",
        "register a rep; with a key, give that SSH key a callblock session as the rep",
    )
    add.add_argument("name", type=rep_name, metavar="NAME", help=REP_NAME_RULE)
    add.add_argument("--role", choices=ROLES, default=None, help="rep (default) or lead")
    add.add_argument(
        "--timezone",
        default=None,
        metavar="ZONE",
        help="the rep's IANA zone, e.g. America/Chicago (default: the team's)",
    )
    add.add_argument("--email", default=None, metavar="E", help="the rep's email address")
    add.add_argument("--phone", default=None, metavar="P", help="the rep's phone number")
    add.add_argument(
        "--key-file",
        type=Path,
        default=None,
        metavar="PUB",
        help="the rep's SSH public key (a .pub file: one line 'TYPE BASE64 [COMMENT]')",
    )
    add.add_argument(
        "--authorized-keys",
        type=Path,
        default=None,
        metavar="FILE",
        help="the authorized_keys file of the account reps log in to; the key's line "
        '(restrict,pty,command="... ssh-session NAME") is appended (created 0600)',
    )
    add.add_argument("--json", action="store_true", help="print machine-readable JSON")

    listing = team_command("list", "the team's reps: role, zone, and who is online now")
    listing.add_argument("--json", action="store_true", help="print machine-readable JSON")

    remove = team_command(
        "remove-rep",
        "remove a rep: their key lines leave authorized_keys, open sessions end; history stays",
    )
    remove.add_argument("name", type=rep_name, metavar="NAME", help="the rep to remove")
    remove.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _add_rep(args: argparse.Namespace, store: Any, settings: Any, clock: Any) -> int:
    from callblock.services import ServiceError
    from callblock.services.team import KeyRequest, add_rep, refuse_unless_lead

    refuse_unless_lead(store, args.rep, "adding a rep")
    if (args.key_file is None) != (args.authorized_keys is None):
        raise ServiceError("--key-file and --authorized-keys go together: give both or neither")
    store.admin.refuse_if_damaged()
    key = None
    if args.key_file is not None:
        key = KeyRequest(args.key_file, args.authorized_keys, callblock_program())
    added = add_rep(
        store,
        clock,
        args.name,
        role=args.role,
        timezone=args.timezone,
        email=args.email,
        phone=args.phone,
        key=key,
    )
    text = f"{added['rep']}: {added['role']}"
    if added["key"]:
        text += f"; key {added['key']} added to {added['authorized_keys']}:\n{added['line']}"
    return emit(args, added, text)


def _list(args: argparse.Namespace, store: Any, settings: Any, clock: Any) -> int:
    from callblock.domain.text import cell
    from callblock.services.team import team_list

    rows = team_list(store, clock)
    lines = [
        f"{cell(row['rep'], 16)} {row['role']:<5} {cell(row['timezone'] or '(team)', 22)} "
        + (f"online since {row['session_started'][:16]}" if row["online"] else "offline")
        for row in rows
    ]
    head = f"{'rep':<16} {'role':<5} {'zone':<22} online"
    if not lines:
        return emit(args, rows, "no reps yet (see `callblock team add-rep`)")
    return emit(args, rows, "\n".join([head, *lines]))


def _remove_rep(args: argparse.Namespace, store: Any, settings: Any, clock: Any) -> int:
    from callblock.services.team import refuse_unless_lead, remove_rep

    refuse_unless_lead(store, args.rep, "removing a rep")
    store.admin.refuse_if_damaged()
    removed = remove_rep(store, clock, args.name)
    lines = [f"{removed['rep']} removed; their history stays"]
    for key in removed["keys"]:
        lines.append(f"{key['authorized_keys']}: {key['lines_removed']} line(s) taken out")
    if removed["sessions_ended"]:
        lines.append(f"{removed['sessions_ended']} open session(s) ended")
    if removed["leads_released"]:
        lines.append(f"{removed['leads_released']} lead(s) it owned are the team's again")
    return emit(args, removed, "\n".join(lines))


def _team(args: argparse.Namespace, store: Any, settings: Any, clock: Any) -> int:
    return TEAM_HANDLERS[args.team_command](args, store, settings, clock)


def callblock_program() -> str:
    """The absolute path of the callblock command sshd should run for a key: the one running
    now, else the one beside this Python (a venv), else the one on PATH."""
    from callblock.services import ServiceError

    running = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if running is not None and running.name == "callblock" and running.is_file():
        return os.path.abspath(running)
    beside = Path(sys.executable).parent / "callblock"
    if beside.is_file():
        return os.path.abspath(beside)
    found = shutil.which("callblock")
    if found is None:
        raise ServiceError("cannot find the callblock command to put in authorized_keys")
    return os.path.abspath(found)


TEAM_HANDLERS = {"add-rep": _add_rep, "list": _list, "remove-rep": _remove_rep}
HANDLERS = {"team": _team}
