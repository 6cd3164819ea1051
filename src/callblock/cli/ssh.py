"""`callblock ssh-session NAME`: the command sshd runs for a rep's key (see `team add-rep`).

The key's authorized_keys line fixes the database and the rep; the client may only ask, in
SSH_ORIGINAL_COMMAND, for a command the rep's role allows, and never for another identity,
database, config or clock. Without a command it opens the app as the rep (a pty is needed:
`ssh -t`). Over SSH no command reads or writes a file on the host by name: an export goes to
stdout, an import reads the CSV from stdin (`ssh HOST import - < leads.csv`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from callblock.store.location import Location, ServerUrl

SPOOL_MAX = 512 * 1024 * 1024  # an import read from stdin (100,000 leads are ~15 MB)


def add_ssh_session_command(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    ssh = command(
        "ssh-session",
        "the SSH forced command of a rep's key: opens the app as NAME, or runs the command the "
        "client asked for (SSH_ORIGINAL_COMMAND) when NAME's role allows it",
    )
    ssh.add_argument("name", metavar="NAME", help="the registered rep the key belongs to")


def ssh_session(args: argparse.Namespace, db: Location) -> int:
    """Run the session (the caller turns a ServiceError into its one line and exit 1)."""
    from callblock.cli.main import execute
    from callblock.cli.parser import build_parser
    from callblock.domain.reps import (
        TEMPLATES_COMMANDS_OVER_SSH,
        TEMPLATES_REFUSED,
        CommandRefused,
        allowed_commands,
        ssh_command,
    )
    from callblock.services import ServiceError
    from callblock.services.team import session_rep
    from callblock.store import Store

    if isinstance(db, Path) and not db.is_file():
        raise ServiceError(f"the database {db} does not exist")
    store = Store.open(db)
    try:
        rep = session_rep(store, args.name)
    finally:
        store.close()
    fixed = ["--db", db.url if isinstance(db, ServerUrl) else str(db), "--rep", rep.name]
    fixed += ["--config", str(args.config)] if args.config is not None else []
    fixed += ["--now", args.now] if args.now is not None else []
    try:
        tokens = ssh_command(os.environ.get("SSH_ORIGINAL_COMMAND") or "", rep.role)
    except CommandRefused as error:
        raise ServiceError(f"ssh: {error}") from None
    parsed = build_parser().parse_args([*fixed, *tokens])
    # What was parsed, not only what was typed, must keep the identity the key fixed.
    chosen = (parsed.db, parsed.rep, parsed.config, parsed.now)
    if chosen != (db, rep.name, args.config, args.now):
        raise ServiceError("ssh: the command may not choose --rep, --db, --config or --now")
    if tokens and parsed.command not in allowed_commands(rep.role):
        raise ServiceError(f"ssh: {parsed.command} is not allowed for a {rep.role}")
    subcommand = getattr(parsed, "templates_command", None)
    if parsed.command == "templates" and subcommand not in TEMPLATES_COMMANDS_OVER_SSH:
        raise ServiceError(f"ssh: {TEMPLATES_REFUSED}")
    if parsed.command == "export" and parsed.output is not None:
        raise ServiceError("ssh: over SSH an export goes to stdout (no -o)")
    parsed.over_ssh = True  # the app offers no host files (the import screen) then
    if parsed.command == "import":
        return _import_from_stdin(parsed, execute)
    return execute(parsed)


def _import_from_stdin(
    parsed: argparse.Namespace, execute: Callable[[argparse.Namespace], int]
) -> int:
    """`import -`: the CSV comes from stdin, spooled to a private file the import reads."""
    from callblock.services import ServiceError

    if parsed.rejects is not None or parsed.skip_invalid:
        raise ServiceError("ssh: --skip-invalid and --rejects write a file on the host")
    if str(parsed.file) != "-":
        raise ServiceError("ssh: over SSH an import reads stdin: ssh HOST import - < leads.csv")
    with tempfile.TemporaryDirectory(prefix="callblock-import-") as folder:
        spooled = Path(folder) / "stdin.csv"
        size = 0
        with spooled.open("wb") as out:
            while chunk := sys.stdin.buffer.read(1 << 20):
                size += len(chunk)
                if size > SPOOL_MAX:
                    raise ServiceError(f"ssh: the CSV on stdin is over {SPOOL_MAX >> 20} MB")
                out.write(chunk)
        parsed.file = spooled
        return execute(parsed)
