"""Body of `callblock doctor`: checks the database, reads only, one line per problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from callblock.domain.text import clean_line
from callblock.output import print_json, print_text
from callblock.paths import default_db_path
from callblock.services.doctor import check_database
from callblock.store.health import Finding
from callblock.store.location import ServerUrl

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
    location = args.db or default_db_path()
    if isinstance(location, ServerUrl):
        return _doctor_server(args, location)
    path = Path(location)
    report = check_database(path)
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
    lines = [f"{path}: integrity ok"] if report.integrity == ["ok"] else []
    if not lines:
        lines.append(f"{path}: integrity check failed")
        lines += [f"  {clean_line(line)}" for line in report.integrity]
    lines += [finding_line(f) for f in report.findings]
    lines += [f"{f.table} {f.column} {f.problem}" for f in report.notes]
    problems = len(report.findings) + (report.integrity != ["ok"])
    lines.append(
        f"{problems} problem{'s' * (problems != 1)} (see above); the database was not changed"
        if problems
        else "no problems found"
    )
    print_text("\n".join(lines))
    return 0 if report.healthy else 1


def _doctor_server(args: argparse.Namespace, server: ServerUrl) -> int:
    """On a server: reachable, and a schema callblock may use (read only). The server keeps
    its own storage sound (pg_amcheck checks it); the row checks are for SQLite files."""
    from callblock.store import schema
    from callblock.store.pg import connect_pg

    conn = connect_pg(server)
    try:
        schema.check_schema(conn, str(server))
        version = schema.schema_version(conn)
    finally:
        conn.close()
    note = "the server checks its own storage (pg_amcheck); row checks run on SQLite files only"
    if args.json:
        print_json(
            {
                "db": str(server),
                "integrity": ["ok"],
                "problems": [],
                "notes": [{"table": None, "id": None, "column": None, "problem": note}],
                "healthy": True,
                "schema_version": version,
            }
        )
        return 0
    print_text(f"{server}: reachable, schema version {version}\nnote: {note}\nno problems found")
    return 0


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
