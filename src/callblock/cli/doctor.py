"""Body of `callblock doctor`: checks the database, reads only, one line per problem."""

from __future__ import annotations

import argparse

from callblock.domain.text import clean_line
from callblock.output import print_json, print_text
from callblock.paths import default_db_path
from callblock.services.doctor import SERVER_CHECKS, check_database
from callblock.store.health import Finding

ROW_NAME = {
    "leads": "lead",
    "touches": "touch",
    "callbacks": "callback",
    "sessions": "session",
    "leases": "lease",
}
VALUE_SHOWN = 60


def doctor(args: argparse.Namespace) -> int:
    """Exit 0 when healthy, 1 when a problem was found (a note, such as a cache callblock
    rebuilds by itself, is shown but is not a problem). Printed through `callblock.output`: the
    path and the values are outside text."""
    report = check_database(args.db or default_db_path())
    path = report.db  # a server's without user or password
    if args.json:
        data = {
            "db": str(path),
            "integrity": report.integrity,
            "problems": [_as_dict(f) for f in report.findings],
            "notes": [_as_dict(f) for f in report.notes],
            "healthy": report.healthy,
        }
        print_json(data)
        return 0 if report.healthy else 1
    intact = report.integrity in (["ok"], [SERVER_CHECKS])
    if intact:  # "integrity ok", or on a server "integrity checks run by the server"
        lines = [f"{path}: integrity {report.integrity[0]}"]
    else:
        lines = [f"{path}: integrity check failed"]
        lines += [f"  {clean_line(line)}" for line in report.integrity]
    lines += [finding_line(f) for f in report.findings]
    lines += [f"{f.table} {f.column} {f.problem}" for f in report.notes]
    problems = len(report.findings) + (not intact)
    lines.append(
        f"{problems} problem{'s' * (problems != 1)} (see above); the database was not changed"
        if problems
        else "no problems found"
    )
    print_text("\n".join(lines))
    return 0 if report.healthy else 1


def _as_dict(finding: Finding) -> dict[str, object]:
    return {
        "table": finding.table,
        "id": finding.id,
        "column": finding.column,
        "value": clean_line(finding.value),
        "problem": finding.problem,
    }


def finding_line(finding: Finding) -> str:
    """`lead 12: created_at '0001-01-01T00:00:00+00:00' is outside 1970-2100`."""
    row = ROW_NAME.get(finding.table, finding.table)
    where = f"{row} {finding.id}" if finding.id is not None else f"table {finding.table}"
    if not finding.column:
        return f"{where}: {finding.problem}"
    value = clean_line(finding.value)[:VALUE_SHOWN]
    if finding.problem == "no such lead":
        return f"{where}: {finding.column} {value}: no such lead"
    return f"{where}: {finding.column} {value!r} {finding.problem}"
