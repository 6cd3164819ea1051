"""The CLI's lead-list commands: `import`, `dupes`, `merge`, `leads` (see parser.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from callblock.cli.parser import LEAD_ID, LIMIT, LIMIT_MAX, _json_flag


def add_import_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    imp = command(
        "import",
        "import leads from a CRM's CSV export (all-or-nothing; duplicates merged or reported)",
    )
    imp.epilog = (
        "On a terminal a progress line on stderr shows the rows checked, rows per second and "
        "the time left (none with --json or when stderr is not a terminal)."
    )
    imp.add_argument(
        "file",
        type=Path,
        metavar="FILE.csv",
        help="the CSV export to read (over SSH: - reads standard input)",
    )
    imp.add_argument(
        "--map",
        action="append",
        metavar="SOURCE=FIELD",
        help="read column SOURCE as FIELD (repeatable), e.g. --map 'Cell=phone'; "
        "FIELD 'skip' drops a column, 'extra' keeps it as an extra field",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the good rows; write the bad ones with reasons to a rejects CSV",
    )
    imp.add_argument(
        "--rejects",
        type=Path,
        default=None,
        metavar="PATH",
        help="where --skip-invalid writes bad rows (default: FILE.rejects.csv next to FILE)",
    )
    imp.add_argument(
        "--default-region",
        default=None,
        metavar="CC",
        help="country of numbers without a country code (default: config, else US)",
    )
    imp.add_argument("--owner", default=None, metavar="REP", help="owner of every imported lead")
    _json_flag(imp)

    dupes = command("dupes", "likely duplicate leads: same phone, same email, or similar names")
    _json_flag(dupes)

    merge = command("merge", "merge lead OTHER into lead KEEP (history, notes, callbacks kept)")
    merge.add_argument("keep", type=LEAD_ID, metavar="KEEP", help="the id of the lead kept")
    merge.add_argument(
        "other", type=LEAD_ID, metavar="OTHER", help="the id of the lead merged into KEEP"
    )
    _json_flag(merge)

    leads = command("leads", "list leads; with --search, best fuzzy matches first")
    leads.add_argument("--search", default=None, metavar="TEXT", help="name, company, email, phone")
    leads.add_argument(
        "--limit",
        type=LIMIT,
        default=50,
        metavar="N",
        help=f"how many, 1..{LIMIT_MAX} (default 50)",
    )
    _json_flag(leads)
