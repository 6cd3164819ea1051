"""The team lead's review on 1,000,000 touches (`make bench` runs it; or run this file alone).

A copy of the cached 100k-lead demo database (~225k touches) is topped up with synthetic touches
(20 more reps, eight one-hour sessions a day each, weighted outcomes, 1% undone, callbacks for
the callback outcome) spread over the demo's last 40 days, to 1,000,000 touches: ~25,000
touches a day, a heavy day for a large team. Then the day report, the first log page, the heat
map with sparklines, and the cracks are timed in-process.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from callblock.clock import FixedClock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.logs import LogFilter
from callblock.domain.periods import Period, local_day
from callblock.services import review
from callblock.services.demo import OUTCOME_WEIGHTS  # the demo's outcome mix
from callblock.store import Store

TOUCHES = 1_000_000
DAYS = 40
REPS = tuple(f"rep{n:02d}" for n in range(1, 21))


def top_up(store: Store, now: str, total: int, seed: int = 11) -> int:
    """Add synthetic touches (and their sessions and callbacks) until `total`; returns added."""
    rng = random.Random(seed)
    missing = total - store.admin.count("touches")
    leads = store.admin.count("leads")
    end = parse_iso(now)
    first_day = end - timedelta(days=DAYS)
    per_session = max(missing // (DAYS * len(REPS) * 8), 1)
    conn = store.conn
    codes, weights = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())

    def touches(session_id: int, rep: str, start: Any, count: int) -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            at = start + timedelta(seconds=3600 * n / count + rng.uniform(0, 20))
            yield (
                rng.randint(1, leads),
                rep,
                iso(at),
                "call",
                rng.choices(codes, weights)[0],
                "",
                session_id,
                int(rng.random() < 0.01),
            )

    added = 0
    with store.transaction():
        day = first_day
        while added < missing:
            for rep in REPS:
                for block in range(8):
                    if added >= missing:
                        break
                    start = day.replace(hour=13 + block, minute=0, second=0)  # 08-16h Eastern
                    session_id = conn.execute(
                        "INSERT INTO sessions (rep, block_name, started_at, ended_at, "
                        "target_per_hour) VALUES (?, 'Power hour', ?, ?, 60)",
                        (rep, iso(start), iso(start + timedelta(hours=1))),
                    ).lastrowid
                    count = min(per_session, missing - added)
                    conn.executemany(
                        "INSERT INTO touches (lead_id, rep, at, channel, outcome, note, "
                        "session_id, undone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        touches(session_id, rep, start, count),
                    )
                    added += count
            day += timedelta(days=1)
            if day >= end:
                day = first_day
        conn.execute(
            "INSERT INTO callbacks (lead_id, rep, due_at, kind, state, created_by_touch) "
            "SELECT lead_id, rep, strftime('%Y-%m-%dT%H:%M:%S+00:00', at, '+1 day'), 'callback', "
            "CASE WHEN at < ? THEN 'closed' ELSE 'open' END, id FROM touches "
            "WHERE outcome = 'callback' AND undone = 0 AND session_id IS NOT NULL",
            (iso(end - timedelta(days=1)),),
        )
    return added


def timed(run: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def review_rows(db: Path, runs: int = 20, launch_runs: int = 0) -> list[dict]:
    """Rows for bench.py: the day report over 1,000,000 touches, and the screen's other loads;
    with `launch_runs`, the launch measured again on that database (issue 14's figure)."""
    from bench import NOW, fresh_copy, launch_rows, launches, row

    work = fresh_copy(db, "work-review.db")
    store = Store.open(work)  # migrates the copy: the review's indexes
    try:
        started = time.perf_counter()
        added = top_up(store, NOW, TOUCHES)
        build = time.perf_counter() - started
        rows = review_timings(store, runs)
    finally:
        store.close()
    if launch_runs:
        rows += launch_rows(launches(work, launch_runs), launch_runs, "1M touches")
    for stale in work.parent.glob("work-review.db*"):
        stale.unlink()
    setup = row(f"top up to 1M touches: +{added:,} (s)", (build,), None, "bench setup, bulk SQL")
    return [setup, *rows]


def review_timings(store: Store, runs: int = 20, label: str = "") -> list[dict]:
    """The day report, week report, log page, heat map and cracks on `store` (either backend)."""
    from bench import NOW, ZONE, row, stats

    settings, clock = Settings(timezone=ZONE), FixedClock(parse_iso(NOW))
    day = local_day(clock.now(), ZONE) - timedelta(days=1)  # the last whole day
    period = Period(day, day, ZONE)
    touches = len(store.reports.touches_between(iso(period.start), iso(period.end)))
    reps = len(review.rep_report(store, period))
    report = timed(lambda: review.rep_report(store, period, team_row=True), runs)
    week = Period(day - timedelta(days=6), day, ZONE)
    weekly = timed(lambda: review.rep_report(store, week, team_row=True), 5)
    log = timed(lambda: review.log_page(store, period, LogFilter()), runs)
    trend = timed(lambda: review.trend(store, settings, period), 3)
    cracks = timed(lambda: review.cracks(store, settings, clock, period), 3)
    total = store.admin.count("touches")
    note = f"{total:,} touches; {day}: {touches:,} touches, {reps} reps"
    return [
        row(f"day report over 1M touches{label} (ms)", stats(report, 1000), 500, note),
        row(f"week report over 1M touches{label} (ms)", stats(weekly, 1000), None, "5 runs"),
        row(f"review log, first page of a day{label} (ms)", stats(log, 1000), None, f"{runs} runs"),
        row(
            f"review heat map (8 weeks) + sparklines{label} (ms)",
            stats(trend, 1000),
            None,
            "3 runs",
        ),
        row(f"review cracks lists{label} (ms)", stats(cracks, 1000), None, "3 runs"),
    ]


def main() -> int:
    from bench import BENCH, bench_db, table

    BENCH.mkdir(exist_ok=True)
    db, meta = bench_db(rebuild=False)
    print(f"database {db.name}: {meta['leads']} leads, {meta['touches']} touches", flush=True)
    print(table(review_rows(db)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
