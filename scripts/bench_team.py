"""A sales floor on one database (`make bench`, issue 9): rep processes working power hours
through the Block service on the 100,000-lead demo database at once, with the real clock.

--reps processes (one rep each) plus --same-rep windows of ONE rep, each a process of its own
('spawn') with its own connection, keys 0.3-1.5 s apart for --seconds. Then it checks what must
never happen and prints the figures (also written to .bench/team.json):
  - a lead on two screens at once (overlapping intervals of one lead in two sessions),
  - a lead dialed by two reps (or two windows of one rep) closer than the cadence spacing,
  - a lost outcome (a record() that returned, missing from the database or different there),
  - a lock error (DatabaseBusy/StoreFault in any process), or any other exception.
The exit status is 1 when any of them is not 0. The database is bench.py's cached demo (built
with a fixed --now); the benchmark's settings open the calling hours around the clock, so its
leads are callable whenever it runs. It works on a copy (or on --db PATH itself).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench_team_worker import KEYS, bench_settings, work

from callblock.domain.models import Touch
from callblock.store import Store
from callblock.store.location import Location, ServerUrl, parse_location

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"
TARGET_P95_MS = 50


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="reps, one process each (20)")
    parser.add_argument("--same-rep", type=int, default=5, help="windows of one rep (5)")
    parser.add_argument("--seconds", type=float, default=180, help="how long they work (180)")
    parser.add_argument("--leads", type=int, default=100_000, help="demo database size")
    parser.add_argument(
        "--db",
        type=parse_location,
        help="work on this database itself (no demo copy): a file or a postgresql:// URL",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "team.json", help="the figures")
    parser.add_argument(
        "--keys",
        type=_pace,
        default=KEYS,
        metavar="MIN,MAX",
        help="seconds between two keys of a rep, uniform (0.3,1.5: the team issue's fast keys)",
    )
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    args = parser.parse_args(argv)
    if args.reps < 0 or args.same_rep < 0 or args.reps + args.same_rep < 1 or args.seconds <= 0:
        parser.error("at least one process, for a positive number of seconds")
    return args


def _pace(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not MIN,MAX in seconds") from None
    if not 0 < low <= high:
        raise argparse.ArgumentTypeError(f"{text!r}: need 0 < MIN <= MAX")
    return low, high


def database(args: argparse.Namespace) -> tuple[Location, dict[str, Any]]:
    if args.db is not None:
        return args.db, {"file": str(args.db), "copy": False}
    import bench  # the cached demo database of scripts/bench.py (textual: parent only)

    BENCH.mkdir(exist_ok=True)
    cached, meta = bench.bench_db(args.rebuild, args.leads)
    work_copy = bench.fresh_copy(cached, "work-team.db")
    return work_copy, {"file": cached.name, "copy": True, **meta}


def run_floor(
    args: argparse.Namespace, db: Location, logs: Path
) -> tuple[list[dict], float, list[dict]]:
    """Start every process, let them all go at once, wait for them; their logs."""
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    reps = [f"rep{n + 1:02d}" for n in range(args.reps)] + ["floor"] * args.same_rep
    specs, processes = [], []
    for index, rep in enumerate(reps):
        spec = {
            "rep": rep,
            "db": db.url if isinstance(db, ServerUrl) else str(db),
            "seconds": args.seconds,
            "keys": args.keys,
            "seed": args.seed * 1000 + index,
            "out": str(logs / f"{index}.json"),
            "ready": context.Event(),
            "go": go,
        }
        process = context.Process(target=work, args=(spec,), daemon=True)
        process.start()
        specs.append(spec)
        processes.append(process)
    for spec, process in zip(specs, processes, strict=True):
        while not spec["ready"].wait(0.5):
            if not process.is_alive():
                break
    began = time.time()
    go.set()
    samples = watch(db, processes, began)
    results = []
    for spec, process in zip(specs, processes, strict=True):
        process.join(args.seconds + 120)
        if process.is_alive():
            process.kill()
            process.join()
        path = Path(spec["out"])
        if process.exitcode == 0 and path.exists():
            results.append(json.loads(path.read_text()))
        else:
            results.append({"rep": spec["rep"], "crashed": process.exitcode})
    return results, began, samples


def watch(db: Location, processes: list[Any], began: float) -> list[dict[str, float]]:
    """Every 10 s while they work: the load average and the size of the WAL file."""
    samples = []
    wal = db.with_name(db.name + "-wal") if isinstance(db, Path) else Path("/nonexistent")
    while any(process.is_alive() for process in processes):
        time.sleep(min(10, 10 - (time.time() - began) % 10))
        size = wal.stat().st_size if wal.exists() else 0
        samples.append(
            {"s": round(time.time() - began), "load1": os.getloadavg()[0], "wal_mb": size / 2**20}
        )
    return samples


def on_two_screens(results: list[dict]) -> tuple[int, list[str]]:
    """Leads shown by two sessions at overlapping times."""
    shown: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for result in results:
        for lead, begin, end in result.get("timeline", []):
            shown[lead].append((begin, end, result["session"]))
    doubled, examples = set(), []
    for lead, spans in shown.items():
        spans.sort()
        reach, holder = -math.inf, None
        for begin, end, session in spans:
            if begin < reach and session != holder:
                doubled.add(lead)
                examples.append(f"lead {lead}: sessions {holder} and {session}")
            if end > reach:
                reach, holder = end, session
    return len(doubled), examples[:5]


def touches_of(store: Store, results: list[dict], since: datetime) -> dict[int, list[Touch]]:
    """Every touch the bench made (undone ones too) and every other live touch of those leads
    from `since` on, by lead."""
    found: dict[int, Touch] = {}
    for result in results:
        for touch_id, _lead, _code in result.get("recorded", []):
            if (touch := store.touches.get_touch(touch_id)) is not None:
                found[touch.id] = touch
    for lead in {touch.lead_id for touch in found.values()}:
        for touch in store.touches.touches_for_lead(lead):
            if touch.at >= since:
                found[touch.id] = touch
    by_lead: dict[int, list[Touch]] = defaultdict(list)
    for touch in sorted(found.values(), key=lambda t: (t.at, t.id)):
        by_lead[touch.lead_id].append(touch)
    return by_lead


def too_close(by_lead: dict[int, list[Touch]], spacing: timedelta) -> dict[str, Any]:
    """Pairs of touches of one lead closer than the spacing: by two reps, by two sessions."""
    reps, sessions, examples = set(), set(), []
    for lead, touches in by_lead.items():
        for i, first in enumerate(touches):
            for second in touches[i + 1 :]:
                if second.at - first.at >= spacing:
                    break
                gap = (second.at - first.at).total_seconds()
                if second.rep != first.rep:
                    reps.add(lead)
                    examples.append(f"lead {lead}: {first.rep} then {second.rep} {gap:.1f} s apart")
                elif second.session_id != first.session_id:
                    sessions.add(lead)
                    examples.append(
                        f"lead {lead}: sessions {first.session_id} and {second.session_id} "
                        f"of {first.rep} {gap:.1f} s apart"
                    )
    return {"reps": len(reps), "sessions": len(sessions), "examples": examples[:5]}


def lost_outcomes(store: Store, results: list[dict]) -> tuple[int, list[str]]:
    """record() calls that returned whose touch is not in the database as recorded (the right
    lead, session and outcome; undone only when this bench undid it)."""
    lost = []
    for result in results:
        undone = set(result.get("undone", []))
        for touch_id, lead, code in result.get("recorded", []):
            touch = store.touches.get_touch(touch_id)
            expected = (lead, result["session"], code, touch_id in undone)
            if touch is None or (touch.lead_id, touch.session_id, touch.outcome, touch.undone) != (
                expected
            ):
                lost.append(f"touch {touch_id}: expected {expected}, found {touch}")
    return len(lost), lost[:5]


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else math.nan


def figures(args: argparse.Namespace, db: Location, results: list[dict], began: float) -> dict:
    settings = bench_settings()
    spacing = settings.cadence.spacing
    since = datetime.fromtimestamp(began).astimezone() - spacing
    store = Store.open(db)
    try:
        doubled, doubled_examples = on_two_screens(results)
        close = too_close(touches_of(store, results, since), spacing)
        lost, lost_examples = lost_outcomes(store, results)
    finally:
        store.close()
    errors = [error for result in results for error in result.get("errors", [])]
    actions = [action for result in results for action in result.get("actions", [])]
    keys = [a["ms"] for a in actions if a["kind"] != "undo"]
    undos = [a["ms"] for a in actions if a["kind"] == "undo"]
    records = [a["record_ms"] for a in actions if a["record_ms"] is not None]
    rebuilt = [a["ms"] for a in actions if a["kind"] != "undo" and a["queues"]]
    listed = [a["ms"] for a in actions if a["kind"] != "undo" and not a["queues"]]
    seconds = max((r.get("seconds", 0) for r in results), default=0) or args.seconds
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        for name, n in result.get("counts", {}).items():
            counts[name] += n
    by_10_s: dict[int, list[float]] = defaultdict(list)
    for action in actions:
        if action["kind"] != "undo":
            by_10_s[int(action["at"] // 10) * 10].append(action["ms"])
    must = {
        "leads on two screens at once": doubled,
        "leads dialed by two reps within the spacing": close["reps"],
        "leads dialed by two windows of one rep within the spacing": close["sessions"],
        "lost outcomes": lost,
        "lock errors (DatabaseBusy/StoreFault)": sum(e["kind"] == "lock" for e in errors),
        "other exceptions": sum(e["kind"] != "lock" for e in errors),
        "processes that crashed": sum("crashed" in r for r in results),
    }
    latency = {
        name: percentile(keys, share)
        for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    } | {"max": max(keys, default=math.nan)}
    return {
        "must_be_zero": must,
        "key_to_next_lead_ms": latency,
        "slowest": sorted(actions, key=lambda a: -a["ms"])[:10],
        "p95_ms_by_10_s": {t: round(percentile(v, 0.95), 1) for t, v in sorted(by_10_s.items())},
        "undo_ms_p95": percentile(undos, 0.95),
        "record_ms_p50_p95": [percentile(records, 0.5), percentile(records, 0.95)],
        "keys_that_built_the_queue": len(rebuilt),
        "claims_per_key": sum(a["claims"] for a in actions) / max(len(actions), 1),
        "queues_per_key": sum(a["queues"] for a in actions) / max(len(actions), 1),
        "client_cpu_ms_per_action": 1000
        * sum(r.get("cpu_s", 0) for r in results)
        / max(len(keys) + len(undos), 1),
        "key_ms_p95_when_built": percentile(rebuilt, 0.95),
        "key_ms_p95_from_the_list": percentile(listed, 0.95),
        "actions": len(keys) + len(undos),
        "actions_per_s": (len(keys) + len(undos)) / seconds,
        "outcomes": sum(len(r.get("recorded", [])) for r in results),
        "seconds": seconds,
        "processes": len(results),
        "spacing_s": spacing.total_seconds(),
        "open_block_ms_max": max((r.get("open_ms", 0) for r in results), default=0),
        "counts": dict(counts),
        "nothing_to_call_at_s": sorted(t for r in results for t in r.get("empty_at", [])),
        "examples": {
            "two screens": doubled_examples,
            "within the spacing": close["examples"],
            "lost": lost_examples,
            "errors": [f"{e['what']}: {e['error']}"[:200] for e in errors[:5]],
        },
    }


def table(found: dict) -> str:
    latency = found["key_to_next_lead_ms"]
    met = "yes" if latency["p95"] < TARGET_P95_MS else "NO"
    lines = [f"{'must be 0':<62} found", "-" * 68]
    lines += [f"{name:<62} {n}" for name, n in found["must_be_zero"].items()]
    lines += [
        "",
        f"key -> next lead (record()+advance(), skip()+advance()), {found['actions']} actions:",
        "  p50 {p50:.1f} ms · p95 {p95:.1f} ms · p99 {p99:.1f} ms · max {max:.1f} ms".format(
            **latency
        )
        + f"  (target p95 < {TARGET_P95_MS} ms: {met})",
        f"actions/s overall: {found['actions_per_s']:.1f} over {found['seconds']:.0f} s, "
        f"{found['processes']} processes; outcomes recorded: {found['outcomes']}",
        f"undo -> lead back p95 {found['undo_ms_p95']:.1f} ms; counts {found['counts']}",
        "record() alone p50 {:.1f} ms p95 {:.1f} ms; ".format(*found["record_ms_p50_p95"])
        + f"{found['claims_per_key']:.2f} claims and {found['queues_per_key']:.2f} queues per key; "
        + f"the reps' processes' CPU {found['client_cpu_ms_per_action']:.1f} ms per key",
        f"{found['keys_that_built_the_queue']} keys built the queue (on a floor every key "
        f"does; a rep alone after a long call): p95 {found['key_ms_p95_when_built']:.1f} ms"
        + (
            f"; keys served from the list behind the lead p95 "
            f"{found['key_ms_p95_from_the_list']:.1f} ms"
            if not math.isnan(found["key_ms_p95_from_the_list"])
            else ""
        ),
    ]
    during = " ".join(f"{t}s:{ms:g}" for t, ms in found["p95_ms_by_10_s"].items())
    lines += [f"p95 ms per 10 s: {during}"]
    for name, examples in found["examples"].items():
        lines += [f"  {name}: {example}" for example in examples]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import bench

    return bench.machine() | {"nproc": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    db, meta = database(args)
    host = machine() if args.db is None else {"cores": os.cpu_count()}
    print(
        f"{args.reps} reps + {args.same_rep} windows of one rep, {args.seconds:g} s on "
        f"{db.name if isinstance(db, Path) else db}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-team-") as logs:
        results, began, samples = run_floor(args, db, Path(logs))
    found = figures(args, db, results, began) | {"every_10_s": samples}
    print(table(found))
    print("load, WAL MB: " + " ".join(f"{x['load1']:.1f},{x['wal_mb']:.0f}" for x in samples))
    out = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": host,
        "database": meta,
        "options": {k: str(v) for k, v in vars(args).items()},
        **found,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    if meta.get("copy") and isinstance(db, Path):
        for work_file in db.parent.glob(db.name + "*"):
            work_file.unlink()
    failed = [name for name, n in found["must_be_zero"].items() if n]
    if failed:
        print("FAILED, not 0: " + "; ".join(failed))
        return 1
    print(f"all must-be-0 counters are 0; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
