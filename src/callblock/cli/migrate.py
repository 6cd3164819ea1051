"""`callblock migrate-db --from team.db --to postgresql://...`: move a floor to a server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from callblock.clock import Clock
from callblock.output import emit
from callblock.store.location import ServerUrl, is_server_url

HELP = (
    "copy a SQLite team database to an empty PostgreSQL database, all or nothing, and print "
    "each table's rows on both sides (they must match); the file is left as it is"
)


def add_migrate_command(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    migrate = command("migrate-db", HELP)
    migrate.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="FILE",
        help="the SQLite database to copy (a file)",
    )
    migrate.add_argument(
        "--to",
        dest="target",
        type=_server,
        required=True,
        metavar="URL",
        help="an empty PostgreSQL database: postgresql://USER@HOST:PORT/DB (the password from "
        "~/.pgpass, PGPASSWORD or the URL; never printed)",
    )
    migrate.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _server(value: str) -> ServerUrl:
    if not is_server_url(value):
        raise argparse.ArgumentTypeError("must be a postgresql:// URL")
    try:
        return ServerUrl.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def migrate_db(args: argparse.Namespace, clock: Clock) -> int:
    """Copy, then report; any failure is raised for commands.run (one line, exit 1)."""
    from callblock.services import ServiceError
    from callblock.services.team import FLOOR_ADMIN, account_name
    from callblock.store.copy import copy_database

    source: Path = args.source
    if not source.is_file():
        raise ServiceError(f"--from: {source} is not a database file")

    def progress(table: str, rows: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{table}: {rows:,} rows", end="", file=sys.stderr, flush=True)

    def fill(store: object) -> None:
        store.admin.set_meta(FLOOR_ADMIN, account_name())  # type: ignore[attr-defined]

    counts = copy_database(source, args.target, progress=progress, fill=fill)
    if not args.json and sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    width = max(len(c.table) for c in counts)
    lines = [f"{'table':<{width}}  {'in the file':>12}  {'on the server':>13}"]
    lines += [f"{c.table:<{width}}  {c.source_rows:>12,}  {c.target_rows:>13,}" for c in counts]
    total = sum(c.source_rows for c in counts)
    lines.append(
        f"copied {total:,} rows in {len(counts)} tables from {source} to {args.target}; "
        "every count matches"
    )
    data = {
        "from": str(source),
        "to": str(args.target),
        "tables": [
            {"table": c.table, "source_rows": c.source_rows, "target_rows": c.target_rows}
            for c in counts
        ],
        "matched": True,
    }
    return emit(args, data, "\n".join(lines))
