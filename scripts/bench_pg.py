"""callblock on PostgreSQL (`make bench` runs it; issue 13), on a throwaway server of its own.

1. The team lead's review over 1,000,000 touches: bench_review.py's database (the 100k-lead
   demo topped up to 1M touches) is copied to the server with `migrate-db`'s copy, and the day
   report, week report, log page, heat map and cracks are timed there (and on the SQLite file
   in the same run). The day report must be the same on both.
2. The sales floor: --reps rep processes (100) and --same-rep windows of one rep work power
   hours against the 100k-lead demo on the server (scripts/bench_team.py's checks: no lead on
   two screens, no lost outcome, p95 key -> next lead), once per pace (--keys): the team
   issue's fast keys (0.3-1.5 s apart), then brisk keys (3-9 s apart).
3. With --sqlite-scan N,N,...: the same floor on the SQLite file for each number of reps
   (shorter runs), to see where one writer becomes the limit on this machine.

The server (tests/pg_server.py) runs as the postgres user in a temp folder on a free port, with
fsync on; it is stopped and removed at the end. Figures go to .bench/pg.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/pg_server.py: the throwaway server the tests use too

from bench import BENCH, bench_db, fresh_copy, machine, row, table  # noqa: E402
from bench_review import TOUCHES, review_timings, top_up  # noqa: E402
from tests.pg_server import PgServer, find_bindir  # noqa: E402

from callblock.store import Store  # noqa: E402
from callblock.store.copy import copy_database  # noqa: E402
from callblock.store.location import ServerUrl  # noqa: E402

FAST = "0.3,1.5"  # the team issue's fast keys: ~110 keys/s from 100 reps
BRISK = "3,9"  # still several times faster than a real dial (~20 s unanswered at the least)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100, help="rep processes on the server (100)")
    parser.add_argument("--same-rep", type=int, default=5, help="windows of one rep (5)")
    parser.add_argument("--seconds", type=float, default=180, help="how long they work (180)")
    parser.add_argument(
        "--keys",
        action="append",
        metavar="MIN,MAX",
        help="the reps' pace, seconds between two keys; repeat for more runs (default: the "
        f"team issue's fast keys {FAST}, then brisk keys {BRISK})",
    )
    parser.add_argument(
        "--sqlite-scan",
        default="",
        metavar="N,N,...",
        help="also run the floor on SQLite with each of these numbers of reps",
    )
    parser.add_argument("--scan-seconds", type=float, default=60, help="each scan run (60)")
    parser.add_argument("--skip", nargs="*", default=[], choices=("review", "team"))
    return parser.parse_args()


def review_on_both(server: PgServer) -> tuple[list[dict], dict]:
    from bench import NOW

    db, _ = bench_db(rebuild=False)
    work = fresh_copy(db, "work-pg-review.db")
    store = Store.open(work)
    try:
        top_up(store, NOW, TOUCHES)
        sqlite_rows = review_timings(store, label=", SQLite")
    finally:
        store.close()
    url = server.new_database()
    started = time.perf_counter()
    counts = copy_database(work, ServerUrl.parse(url))
    copied = time.perf_counter() - started
    pg = Store.open(url)
    try:
        pg.conn.execute("ANALYZE")
        pg_rows = review_timings(pg, label=", PostgreSQL")
        same = _same_day_report(work, pg)
    finally:
        pg.close()
    for stale in BENCH.glob("work-pg-review.db*"):
        stale.unlink()
    touches = next(c.target_rows for c in counts if c.table == "touches")
    rows = [
        row(
            f"migrate-db: copy to the server ({touches:,} touches) (s)",
            (copied,),
            None,
            "COPY, one transaction",
        ),
        *sqlite_rows,
        *pg_rows,
    ]
    return rows, {"copy_s": copied, "day_report_identical": same}


def _same_day_report(sqlite_file: Path, pg: Store) -> bool:
    from datetime import timedelta

    from bench import NOW, ZONE

    from callblock.clock import parse_iso
    from callblock.domain.periods import Period, local_day
    from callblock.services import review

    day = local_day(parse_iso(NOW), ZONE) - timedelta(days=1)
    period = Period(day, day, ZONE)
    store = Store.open(sqlite_file)
    try:
        on_sqlite = review.rep_report(store, period, team_row=True)
    finally:
        store.close()
    return on_sqlite == review.rep_report(pg, period, team_row=True)


def floor_on_server(server: PgServer, args: argparse.Namespace, keys: str) -> dict:
    """One run of the floor on a fresh copy of the 100k-lead demo on the server."""
    import bench_team

    db, _ = bench_db(rebuild=False)
    url = server.new_database()
    copy_database(db, ServerUrl.parse(url))
    store = Store.open(url)
    store.conn.execute("ANALYZE")
    store.close()
    out = BENCH / f"team-pg-{keys.replace(',', '-')}.json"
    argv = ["--db", url, "--reps", str(args.reps), "--same-rep", str(args.same_rep)]
    argv += ["--seconds", str(args.seconds), "--keys", keys, "--out", str(out)]
    status = bench_team.main(argv)
    return {"status": status, "keys": keys, **json.loads(out.read_text())}


def sqlite_scan(args: argparse.Namespace) -> list[dict]:
    import bench_team

    found = []
    for reps in [int(n) for n in args.sqlite_scan.split(",") if n.strip()]:
        out = BENCH / f"team-sqlite-{reps}.json"
        argv = ["--reps", str(reps), "--same-rep", "0", "--seconds", str(args.scan_seconds)]
        status = bench_team.main([*argv, "--out", str(out)])
        data = json.loads(out.read_text())
        found.append(
            {
                "reps": reps,
                "status": status,
                "p95_ms": data["key_to_next_lead_ms"]["p95"],
                "p50_ms": data["key_to_next_lead_ms"]["p50"],
                "actions_per_s": data["actions_per_s"],
                "must_be_zero": data["must_be_zero"],
            }
        )
    return found


def main() -> int:
    args = options()
    bindir = find_bindir()
    if bindir is None:
        print("bench_pg: PostgreSQL is not installed (no initdb); skipped")
        return 0
    BENCH.mkdir(exist_ok=True)
    server = PgServer(bindir, max_connections=250, durable=True).start()
    results: dict = {"date": datetime.now().astimezone().isoformat(timespec="seconds")}
    results["machine"] = machine()
    status = 0
    try:
        import psycopg

        with psycopg.connect(server.url()) as conn:
            results["server"] = conn.execute("SHOW server_version").fetchone()[0]
        if "review" not in args.skip:
            rows, review = review_on_both(server)
            print(table(rows))
            results["review"] = {"rows": rows, **review}
            status |= not review["day_report_identical"]
        if "team" not in args.skip:
            results["floors"] = [
                floor_on_server(server, args, keys) for keys in args.keys or [FAST, BRISK]
            ]
            for floor in results["floors"]:
                status |= floor["status"]
    finally:
        server.stop()
    if args.sqlite_scan:
        results["sqlite_scan"] = sqlite_scan(args)
        for run in results["sqlite_scan"]:
            print(
                f"SQLite, {run['reps']} reps: p50 {run['p50_ms']:.1f} ms, p95 {run['p95_ms']:.1f} "
                f"ms, {run['actions_per_s']:.1f} actions/s, status {run['status']}"
            )
    (BENCH / "pg.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"written to {BENCH / 'pg.json'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
