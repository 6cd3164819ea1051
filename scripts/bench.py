"""callblock benchmark (`make bench`): the DESIGN.md targets on a 100,000-lead demo database.

Terminal figures come from tmux at 80x24, polled through one control-mode client (~0.1 ms per
capture-pane, not ~3 ms of CPU per `tmux` process). The database is cached under .bench/; runs
work on copies. Output: a table, and .bench/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import PIPE
from typing import Any

import callblock
from callblock.app import create_app
from callblock.clock import FixedClock, parse_iso
from callblock.config import Settings
from callblock.services.learning import learn
from callblock.services.planning import week_plan
from callblock.services.queue import next_leads_for_rep
from callblock.store import Store

VERSION = "1"  # bump to rebuild the cached database
ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"
CALLBLOCK = str(Path(sys.executable).parent / "callblock")
LEADS = 100_000
NOW = "2026-11-23T19:30:00Z"  # Monday 14:30 in New York
ZONE = "America/New_York"
ENV = {"TZ": ZONE, "CALLBLOCK_CONFIG": str(BENCH / "no-config.toml")}  # no user config
KEY_BAR = ("c conn", "n no ans")
BARE_TEXT = "bare textual app ready"
BARE_APP = f"""from textual.app import App
from textual.widgets import Label
class Bare(App):
    def compose(self):
        yield Label({BARE_TEXT!r})
Bare().run()
"""
Lines = list[str]
SETTLE = 0.1  # a screen unchanged this long is fully drawn
NOTES = {
    "keys": f"send-keys n -> the screen's last change before {SETTLE * 1000:g} ms of quiet",
    "cards": "send-keys n -> capture-pane first shows the next lead's card",
    "press": "in-process await press('n') + pause(): includes Pilot's own idle waits",
    "handler": "PowerHourScreen._record, timed inside the Pilot run",
    "block": "next_leads_for_rep in-process, 50 runs over 10 hours of the day",
    "plan": "week_plan in-process (the week screen's worker), 5 runs, weights learned",
    "learn": "learn() from the whole log, once: the first plan of each hour pays it",
}


class Tmux:
    """A private tmux server holding one 80x24 pane, driven through a control-mode client."""

    def __init__(self) -> None:
        self.name = f"cb-bench-{os.getpid()}"
        self.base = ["tmux", "-L", self.name, "-f", "/dev/null"]
        start = "start-server ; set -g status off ; new-session -d -s b -x 80 -y 24"
        # window-size manual keeps 80x24 with a client attached (set before a session, 3.3a dies)
        options = "; set -g window-size manual ; set -g remain-on-exit on"
        subprocess.run([*self.base, *start.split(), "exec sleep 1d", *options.split()], check=True)
        self.ctl: subprocess.Popen[str] | None = None

    def attach(self) -> None:
        attach = [*self.base, "-C", "attach", "-t", "b"]
        self.ctl = subprocess.Popen(attach, stdin=PIPE, stdout=PIPE, encoding="utf-8")
        self._reply()  # the attach command's own (empty) reply
        self("refresh-client", "-f", "no-output")
        assert self("display-message", "-p", "#{window_width}x#{window_height}") == ["80x24"]

    def _reply(self) -> Lines:
        assert self.ctl and self.ctl.stdout
        block: Lines | None = None
        while line := self.ctl.stdout.readline():
            if line.startswith("%begin"):
                block = []
            elif block is not None and line.startswith(("%end", "%error")):
                if line.startswith("%error"):
                    raise RuntimeError("tmux: " + " ".join(block))
                return block
            elif block is not None:
                block.append(line.rstrip("\n"))
        raise RuntimeError("the tmux control client ended")

    def __call__(self, *args: str) -> Lines:
        assert self.ctl and self.ctl.stdin
        self.ctl.stdin.write(shlex.join(args) + "\n")
        self.ctl.stdin.flush()
        return self._reply()

    def screen(self) -> Lines:
        return self("capture-pane", "-p", "-t", "b")

    def pid(self) -> int:
        return int(self("display-message", "-p", "-t", "b", "#{pane_pid}")[0])

    def wait(self, ready: Callable[[Lines], bool], every: float = 0.005) -> Lines:
        deadline = time.monotonic() + 30
        while not ready(lines := self.screen()):
            if time.monotonic() > deadline or "Pane is dead" in "".join(lines[-3:]):
                raise RuntimeError("the screen never got ready:\n" + "\n".join(lines))
            time.sleep(every)
        return lines

    def settle(self, lines: Lines, quiet: float) -> tuple[float, Lines]:
        """When the screen last changed, once it has not changed for `quiet` seconds."""
        changed = begun = time.perf_counter()
        while time.perf_counter() - changed < quiet and changed - begun < 5:
            time.sleep(0.002)
            if (now := self.screen()) != lines:
                lines, changed = now, time.perf_counter()
        return changed, lines

    def respawn(self, argv: list[str]) -> None:
        env = [item for key, value in ENV.items() for item in ("-e", f"{key}={value}")]
        self("respawn-pane", "-k", "-t", "b", *env, "exec " + shlex.join(argv))

    def launch(self, argv: list[str], ready: Callable[[Lines], bool]) -> float:
        """Seconds from starting argv in a blank pane to the screen being ready."""
        old = Path(f"/proc/{self.pid()}")
        self.respawn(["sleep", "1d"])  # ends the previous app and blanks the pane
        self.wait(lambda lines: not old.exists() and not "".join(lines).strip())
        started = time.perf_counter()
        self.respawn(argv)
        self.wait(ready)
        return time.perf_counter() - started

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)
        folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (folder / self.name).unlink(missing_ok=True)
        if self.ctl:
            self.ctl.wait(timeout=10)  # the control client ends with its server


def card(lines: Lines) -> tuple[str, ...]:
    """The top of the lead card: its name line and the two lines below it."""
    return tuple(lines[2:5])


def usable(lines: Lines) -> bool:
    text = "\n".join(lines)
    return all(key in text for key in KEY_BAR) and len(lines) > 2 and bool(lines[2].strip())


def stats(values: list[float], scale: float = 1.0) -> tuple[float, float]:
    """Median and p95 (nearest rank)."""
    ordered = sorted(values)
    p95 = ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]
    return statistics.median(ordered) * scale, p95 * scale


def bench_db(rebuild: bool, leads: int = LEADS) -> tuple[Path, dict[str, Any]]:
    """The cached demo database of `leads` leads; built (and timed) when missing or out of date.
    (scripts/bench_team.py shares it.)"""
    package = Path(callblock.__file__).parent
    sources = [package / "store" / "migrations.py", package / "services" / "demo.py"]
    digest = hashlib.sha1(b"".join(p.read_bytes() for p in sources)).hexdigest()[:10]
    db = BENCH / f"demo-{leads}-v{VERSION}-{digest}.db"
    meta_path = db.with_suffix(".json")
    if meta_path.exists() and db.exists() and not rebuild:
        return db, json.loads(meta_path.read_text()) | {"cached": True}
    for old in BENCH.glob(f"demo-{leads}-*"):
        old.unlink()
    started = time.perf_counter()
    argv = [CALLBLOCK, "demo", "--leads", str(leads), "--db", str(db), "--now", NOW]
    subprocess.run(argv, check=True, env=os.environ | ENV, stdout=subprocess.DEVNULL)
    build = time.perf_counter() - started
    with sqlite3.connect(db) as conn:
        touches = conn.execute("SELECT count(*) FROM touches").fetchone()[0]
    meta = {"leads": leads, "touches": touches, "build_s": round(build, 2), "built": _stamp()}
    meta_path.write_text(json.dumps(meta))
    return db, meta | {"cached": False}


def fresh_copy(db: Path, name: str) -> Path:
    """A copy of the (closed, checkpointed) cached database."""
    for stale in BENCH.glob(f"{name}*"):
        stale.unlink()
    copy = Path(shutil.copyfile(db, BENCH / name))
    os.sync()  # no writeback of 90 MB competing with what is measured next
    return copy


def launches(db: Path, runs: int) -> dict[str, list[float]]:
    """In tmux: `callblock dial` on `db` and a bare Textual app, interleaved."""
    tmux = Tmux()
    try:
        tmux.attach()
        return _launch_rounds(tmux, db, runs)
    finally:
        tmux.close()


def _launch_rounds(tmux: Tmux, db: Path, runs: int) -> dict[str, list[float]]:
    """`runs` launches of each, interleaved; the first round warms caches and is dropped.
    The last app launched stays on the pane."""
    bare = BENCH / "bare_app.py"
    bare.write_text(BARE_APP)
    app_argv = [CALLBLOCK, "dial", "--db", str(db), "--rep", "alice", "--now", NOW]
    found: dict[str, list[float]] = {"app": [], "bare": []}
    for _ in range(runs + 1):
        found["bare"].append(
            tmux.launch([sys.executable, str(bare)], lambda s: BARE_TEXT in "\n".join(s))
        )
        found["app"].append(tmux.launch(app_argv, usable))
    return {key: values[1:] for key, values in found.items()}


def launch_rows(found: dict[str, list[float]], runs: int, where: str) -> list[dict]:
    """Launch rows: callblock, the bare app, and their ratio at the median and at p95
    (issue 14: at most 1.5x, p95 included)."""
    launch, bare = stats(found["app"]), stats(found["bare"])
    ratio = (launch[0] / bare[0], launch[1] / bare[1])
    return [
        row(f"launch to usable screen, {where}, tmux (s)", launch, 0.45, f"{runs} runs"),
        row(f"launch of a bare Textual app (one Label), {where} (s)", bare, None, "same runs"),
        row(f"launch ratio callblock / bare, {where}: median, p95 (x)", ratio, 1.5),
    ]


def terminal(db: Path, runs: int, presses: int) -> dict[str, Any]:
    """In tmux: launches (callblock and a bare Textual app, interleaved), then outcome keys
    with their latency and the bytes they make the app write, then the app's peak RSS."""
    tmux = Tmux()
    try:
        tmux.attach()
        found = _launch_rounds(tmux, db, runs)
        record = BENCH / "pipe.bytes"
        record.unlink(missing_ok=True)
        lines, keys, cards = tmux.screen(), [], []
        tmux("pipe-pane", "-o", "-t", "b", f"cat >> {shlex.quote(str(record))}")
        for _ in range(presses):
            before = card(lines)
            started = time.perf_counter()
            tmux("send-keys", "-t", "b", "n")
            lines = tmux.wait(lambda s, old=before: usable(s) and card(s) != old, every=0.002)
            cards.append(time.perf_counter() - started)
            done, lines = tmux.settle(lines, SETTLE)
            keys.append(done - started)
        time.sleep(0.3)  # let any trailing frame through before closing the pipe
        tmux("pipe-pane", "-t", "b")
        sizes = [-1, -2]
        while sizes[-1] != sizes[-2]:  # `cat` drains, then exits
            time.sleep(0.05)
            sizes.append(record.stat().st_size if record.exists() else 0)
        status = Path(f"/proc/{tmux.pid()}/status").read_text().splitlines()
        hwm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
        bar = next((line.strip() for line in tmux.screen() if "dials" in line), "")
    finally:
        tmux.close()
    kb = sizes[-1] / presses / 1024
    return found | dict(keys=keys, cards=cards, kb=kb, hwm_mb=hwm_kb / 1024, bar=bar)


async def pilot(db: Path, presses: int) -> dict[str, list[float]]:
    """In-process with Pilot: press + pause per outcome, and the outcome handler's own time."""
    store, clock = Store.open(db), FixedClock(parse_iso(NOW))
    app = create_app(settings=Settings(timezone=ZONE), store=store, clock=clock, rep="alice")
    times: dict[str, list[float]] = {"press": [], "handler": []}
    try:
        async with app.run_test(size=(80, 24)) as driver:
            await driver.pause()
            screen: Any = app.screen
            record = screen._record

            def timed(*args: object) -> None:
                started = time.perf_counter()
                record(*args)
                times["handler"].append(time.perf_counter() - started)

            screen._record = timed
            for _ in range(presses):
                started = time.perf_counter()
                await driver.press("n")
                await driver.pause()
                times["press"].append(time.perf_counter() - started)
    finally:
        store.close()
    return times


def queue_times(db: Path, runs: int = 50) -> dict[str, list[float]]:
    """In-process: a block's queue (20 leads) for a rep, at several moments of the day (the
    callable zones change), and the week plan (learning from the log included)."""
    store = Store.open(db)
    settings, now = Settings(timezone=ZONE), parse_iso(NOW)
    times: dict[str, list[float]] = {"block": [], "plan": [], "learn": []}
    try:
        for run in range(runs):
            moment = now + timedelta(hours=(run % 10) - 5)
            started = time.perf_counter()
            next_leads_for_rep(store, settings, rep="alice", now=moment, limit=20)
            times["block"].append(time.perf_counter() - started)
        started = time.perf_counter()
        learn(store, settings, FixedClock(now), force=True)  # kept for the hour, as in the app
        times["learn"].append(time.perf_counter() - started)
        for _ in range(5):
            started = time.perf_counter()
            week_plan(store, settings, FixedClock(now), rep="alice")
            times["plan"].append(time.perf_counter() - started)
    finally:
        store.close()
    return times


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _run(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":")[1].strip() for line in cpuinfo if line.startswith("model name")]
    dirty = " + uncommitted changes in src/" if _run("git", "status", "--porcelain", "src") else ""
    return {
        "uname": _run("uname", "-a"),
        "cpu": models[0] if models else platform.machine(),
        "cores": os.cpu_count(),
        "load_before": os.getloadavg(),
        "git": _run("git", "rev-parse", "--short", "HEAD") + dirty,
        "python": platform.python_version(),
        "callblock_src": str(Path(callblock.__file__).parent),
    }


def row(metric: str, values: tuple[float, ...], limit: float | None = None, note: str = "") -> dict:
    """One result: (median, p95), the target judged on p95; or (value,), judged on it."""
    median, p95 = (*values, None)[:2]
    target = "" if limit is None else f"{'p95 ' if p95 is not None else ''}< {limit:g}"
    met = None if limit is None else (median if p95 is None else p95) < limit
    return dict(metric=metric, median=median, p95=p95, target=target, met=met, note=note)


def table(rows: list[dict]) -> str:
    def num(value: float | None) -> str:
        return "—" if value is None else f"{value:.3g}"

    head = f"{'metric':<50} {'median':>7} {'p95':>7}  {'target':<10} met"
    lines = [head, "-" * len(head)]
    for r in rows:
        met = {True: "yes", False: "NO", None: "—"}[r["met"]]
        cells = f"{num(r['median']):>7} {num(r['p95']):>7}  {r['target'] or '—':<10} {met}"
        lines += [f"{r['metric']:<50} {cells}"] + ([f"    {r['note']}"] if r["note"] else [])
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 15 launches of each: the median is steadier than with 7 (single launches here spread by
    # 30%), and p95 is then the slowest of them
    parser.add_argument("--runs", type=int, default=15, help="launches of each app (default 15)")
    parser.add_argument("--presses", type=int, default=60, help="outcome keys (default 60)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=("review", "import"), help="parts to leave out"
    )
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("bench: tmux is not installed")
    BENCH.mkdir(exist_ok=True)
    host = machine()
    db, meta = bench_db(args.rebuild)
    print(f"database {db.name}: {meta['leads']} leads, {meta['touches']} touches", flush=True)
    term = terminal(fresh_copy(db, "work-tmux.db"), args.runs, args.presses)
    inproc = fresh_copy(db, "work-inproc.db")
    piloted = asyncio.run(pilot(inproc, args.presses))
    queue = queue_times(inproc)
    built = "cached: built by an earlier run" if meta["cached"] else "built by this run"
    raw = {key: term[key] for key in ("app", "bare", "keys", "cards")} | piloted | queue
    ms = {key: stats(values, 1000) for key, values in raw.items() if key in NOTES}
    rows = [
        row("demo database build, 100k leads (s)", (meta["build_s"],), None, built),
        *launch_rows(term, args.runs, f"{meta['touches']:,} touches"),
        row("outcome key -> next lead fully drawn, tmux (ms)", ms["keys"], 30, NOTES["keys"]),
        row("outcome key -> next lead's card shown, tmux (ms)", ms["cards"], None, NOTES["cards"]),
        row("outcome key -> next lead, Pilot (ms)", ms["press"], None, NOTES["press"]),
        row("outcome handler: record + next lead (ms)", ms["handler"], None, NOTES["handler"]),
        row("bytes to the terminal per outcome, 80x24 (KB)", (term["kb"],), 8, "pipe-pane, mean"),
        row("peak RSS after the outcomes (MB)", (term["hwm_mb"],), 150, f"VmHWM; {term['bar']}"),
        row("build a block's queue, limit 20 (ms)", ms["block"], 100, NOTES["block"]),
        row("plan the week, one rep (ms)", ms["plan"], 300, NOTES["plan"]),
        row("learn the weights from the log (ms)", ms["learn"], None, NOTES["learn"]),
    ]
    if "review" not in args.skip:
        from bench_review import review_rows  # the team lead's review over 1,000,000 touches

        rows += review_rows(db, launch_runs=args.runs)
    if "import" not in args.skip:
        from bench_import import import_bench  # the import and search benchmark (issue 5)

        rows += import_bench(db)
    print(table(rows))
    results = {
        "date": _stamp(),
        "machine": host,
        "bench_version": VERSION,
        "database": {"file": db.name, **meta},
        "runs": args.runs,
        "presses": args.presses,
        "metrics": rows,
        "raw_seconds": raw,
    }
    (BENCH / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    for work in BENCH.glob("work-*.db*"):
        work.unlink()  # 90 MB each
    judged = [r["met"] for r in rows if r["met"] is not None]
    print(f"targets met: {sum(judged)} of {len(judged)}; written to {BENCH / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
