"""Import and search benchmark (part of `make bench`; also runs alone).

`generate_csv` writes a deterministic, realistic 100,000-row HubSpot-style export (phones in
many notations, dates, statuses, unknown columns, ~3% duplicates incl. nickname variants);
`import_bench` times `callblock import` of it into a fresh copy of the 100k-lead database
(normalization and dedupe against 100k leads and within the file); then, on another fresh copy
of the 100k-lead database, the search index build and the search per keystroke (queries typed
one character at a time, as the app runs them: search + fetching the shown leads).
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench

from callblock.services.demo import COMPANY_A, COMPANY_B, FIRST, LAST, TITLES
from callblock.services.lead_search import LeadSearch
from callblock.store import Store

ROWS = 100_000
SEED = 11
HEADER = [
    "Record ID",
    "First Name",
    "Last Name",
    "Company Name",
    "Job Title",
    "Phone Number",
    "Email",
    "Lead Status",
    "Create Date",
    "Time Zone",
    "State/Region",
    "Country",
    "Lifecycle Stage",
    "Notes",
]
AREAS = (("212", "NY"), ("312", "IL"), ("415", "CA"), ("206", "WA"), ("617", "MA"), ("713", "TX"))
STATUSES = ("New", "Open", "In Progress", "Attempted to contact", "Connected", "Bad Timing", "")
NICKS = {"James": "Jim", "Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Michael": "Mike"}
QUERIES = ("jim brodo", "vandelay", "sarah smi", "312 555", "globex cor", "jmes brdo", "lindqvist")


def _phone(rng: random.Random, area: str) -> str:
    number = f"{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    style = rng.randrange(4)
    if style == 0:
        return f"({area}) {number[:3]}-{number[3:]}"
    if style == 1:
        return f"+1 {area} {number[:3]} {number[3:]}"
    if style == 2:
        return f"{area}.{number[:3]}.{number[3:]}"
    return f"1{area}{number}"


def generate_csv(path: Path, rows: int = ROWS, seed: int = SEED) -> Path:
    """A deterministic CRM export (same bytes for the same rows and seed)."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    written: list[list[str]] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            if written and rng.random() < 0.03:  # a duplicate of an earlier row
                again = list(rng.choice(written))
                again[0] = str(900_000 + n)
                again[1] = NICKS.get(again[1], again[1])
                writer.writerow(again)
                continue
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
            area, state = rng.choice(AREAS)
            created = start + timedelta(minutes=rng.randrange(0, 900_000))
            cells = [
                str(100_000 + n),
                first,
                last,
                company,
                rng.choice(TITLES),
                _phone(rng, area),
                f"{first}.{last}.{n}@{company.split()[0]}.example".lower(),
                rng.choice(STATUSES),
                created.strftime("%Y-%m-%d %H:%M") if rng.random() < 0.9 else "",
                "",
                state,
                "United States",
                rng.choice(("lead", "subscriber", "opportunity")),
                "Met at the trade show; wants pricing" if rng.random() < 0.1 else "",
            ]
            writer.writerow(cells)
            if len(written) < 5000:
                written.append(cells)
    return path


def import_bench(db: Path) -> list[dict[str, Any]]:
    """Rows for bench.py: the import, the search index build, search per keystroke."""
    source = generate_csv(bench.BENCH / "import-100k.csv")
    work = bench.fresh_copy(db, "work-import.db")
    argv = [bench.CALLBLOCK, "import", str(source), "--db", str(work), "--now", bench.NOW]
    argv += ["--json"]
    out, err = bench.BENCH / "import.out", bench.BENCH / "import.err"
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.Popen(argv, env=os.environ | bench.ENV, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)  # the peak RSS of this child, and its own
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"import failed: {err.read_text()[-2000:]}")
    report = __import__("json").loads(out.read_text())
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux: the largest process of the import
    note = (
        f"{report['rows']} rows: {report['imported']} new, {report['merged']} merged, "
        f"{len(report['reviews'])} for review; subprocess wall time"
    )
    for stale in [*bench.BENCH.glob("work-import.db*"), out, err]:
        stale.unlink()
    store = Store.open(bench.fresh_copy(db, "work-search.db"))  # the 100k leads, as targeted
    try:
        search = LeadSearch(store)
        started = time.perf_counter()
        index = search.index()
        build = time.perf_counter() - started
        keystrokes: list[float] = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                hits = search.search(query[:end], 30)
                store.leads.list_leads(30, [hit.lead_id for hit in hits])
                keystrokes.append(time.perf_counter() - started)
    finally:
        store.close()
    typed = f"{len(keystrokes)} keystrokes over {len(index):,} leads: " + ", ".join(QUERIES)
    return [
        bench.row("import 100,000-row CSV, normalize + dedupe (s)", (seconds,), 10.0, note),
        bench.row("import: peak RSS of its largest process (MB)", (peak_mb,), 500, "wait4"),
        bench.row("search index build, once per app (s)", (build,), None, "in a worker"),
        bench.row("fuzzy search per keystroke (ms)", bench.stats(keystrokes, 1000), 50.0, typed),
    ]


def main() -> int:
    bench.BENCH.mkdir(exist_ok=True)
    db, meta = bench.bench_db(rebuild=False)
    print(f"database {db.name}: {meta['leads']} leads", flush=True)
    rows = import_bench(db)
    print(bench.table(rows))
    for work in bench.BENCH.glob("work-*.db*"):
        work.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
