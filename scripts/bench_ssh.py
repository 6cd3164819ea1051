"""Terminal bytes over real SSH (`make bench`, after scripts/bench.py): issue 9 and 14 targets.

A throwaway sshd (tests/sshd.py: its own host key, config and port on 127.0.0.1) serves a demo
database to a rep key registered with `team add-rep`; the stock `ssh -tt` client runs on an
80x24 pty (TERM=xterm-256color, so 256 colours: ssh does not forward COLORTERM), and every byte
its terminal receives is counted: the first paint, 30 outcomes in a row (mixed keys; a
callback, meeting or do-not-call is counted from the key that closes its prompt), help opened
and closed, 5 s idle with a callback prompt and with the search box open, 200 mouse motion
reports. Then a team lead's key (bob, role lead) opens the week screen, `r` its Review, and
each tab switch is counted (`2`..`5` there, `4`..`1` back: issue 14). Prints a table, writes
.bench/ssh_bytes.json, exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ holds the sshd fixture and the pty helper

from tests import sshd  # noqa: E402
from tests.pty_terminal import NOW, ZONE, PtyApp  # noqa: E402

from callblock.cli import main  # noqa: E402

BENCH = ROOT / ".bench"
LEADS = 300
QUIET = 0.5  # s without a byte: the frame (and anything it set off) is out
IDLE = 5.0
KB = 1000
TARGETS = {  # figure -> (limit, what it is)
    "outcome_max": (8 * KB, "every outcome key -> next lead under 8 KB"),
    "help_open": (12 * KB, "opening help under 12 KB"),
    "prompt_idle_bps": (100, "an open prompt idle under 100 B/s"),
    "search_idle_bps": (100, "the open search box idle under 100 B/s"),
    "mouse_motion": (1, "mouse motion without a click draws nothing"),
    "review_tab_max": (12 * KB, "every Review tab switch under 12 KB"),
}
WHEN = b"tomorrow 2pm"  # inside every demo lead's calling hours (issue 12 refuses others)
# 30 outcome keys; l (callback) and m (meeting) ask when, d (do not call) asks to confirm.
OUTCOME_KEYS = "nvlbgdcxwm" * 3
PROMPT_SHOWN = b"Esc cancel"
CONFIRM_SHOWN = b"n / Esc no"
WEEK_SHOWN = b"power hour now"  # on the week screen's key bar
REVIEW_SHOWN = b"Enter: lead"  # the log's status line: the Review's log is loaded
# Every tab and back again: Log(1) -> Reps(2) -> Heat map(3) -> Cracks(4) -> Templates(5) -> 1.
REVIEW_TABS = "23454321"


class Terminal:
    """`ssh -tt` on an 80x24 pty: keys in, and the bytes each one brings back."""

    def __init__(self, argv: list[str], dump: Path | None) -> None:
        self.pty = PtyApp(Path(), argv=argv)
        self.dump = dump

    def step(self, name: str, keys: bytes, until: bytes | None = None, wait: float = 10) -> bytes:
        """Write keys; everything received until QUIET s of silence after the first byte (or
        after `until` was seen)."""
        start = len(self.pty.output)
        if keys:
            self.pty.write(keys)
        if until is not None:
            if not self.pty.read_until(until, 30.0, since=start):
                raise RuntimeError(f"{name}: never saw {until!r}: {self._tail(start)}")
        else:
            self._first_byte(start, wait)
        self.pty.settle(QUIET, 30.0)
        got = bytes(self.pty.output[start:])
        if self.dump is not None:
            (self.dump / f"{name}.bin").write_bytes(got)
        return got

    def idle(self, seconds: float) -> bytes:
        return self.pty.read_for(seconds)

    def _first_byte(self, start: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while len(self.pty.output) == start and time.monotonic() < deadline:
            self.pty.read_for(0.02)

    def _tail(self, start: int) -> str:
        text = re.sub(rb"\x1b\[[0-9;?<>]*[A-Za-z]", b"", bytes(self.pty.output[start:]))
        return text.decode(errors="replace")[-2000:]

    def close(self) -> None:
        self.pty.close()


def floor(root: Path) -> tuple[Path, Path, Path]:
    """A demo database, rep alice and team lead bob with a key each; the forced commands pin
    the clock (--now) so the leads are inside their calling hours whatever the time of the run.
    Returns the keys of alice and bob, and the authorized_keys file."""
    with redirect_stdout(io.StringIO()):
        return _floor(root, root / "floor.db")


def _floor(root: Path, db: Path) -> tuple[Path, Path, Path]:
    assert main(["--db", str(db), "--now", NOW, "demo", "--leads", str(LEADS)]) == 0
    authorized = root / "authorized_keys"
    keys = []
    for name, role in (("alice", "rep"), ("bob", "lead")):
        key = sshd.keygen(root / f"{name}_key")
        argv = ["--db", str(db), "team", "add-rep", name, "--role", role, "--timezone", ZONE]
        argv += ["--key-file", f"{key}.pub", "--authorized-keys", str(authorized)]
        assert main(argv) == 0
        keys.append(key)
    text = authorized.read_text()
    assert text.count(" ssh-session ") == 2, text
    authorized.write_text(text.replace(" ssh-session ", f" --now {NOW} ssh-session "))
    return keys[0], keys[1], authorized


def run(root: Path, dump: Path | None) -> dict[str, Any]:
    alice, bob, authorized = floor(root)
    env = {"TZ": ZONE, "CALLBLOCK_CONFIG": str(root / "no-config.toml")}
    env["PYTHONPATH"] = str(ROOT / "src")  # this checkout's source in sshd's sessions
    with sshd.running_sshd(root, authorized, env) as server:
        term = Terminal(server.ssh(alice, "dial", tty=True), dump)  # the power hour
        try:
            sizes = measure(term)
        finally:
            term.close()
        term = Terminal(server.ssh(bob, tty=True), dump)  # the week screen, then Review
        try:
            sizes.update(measure_review(term))
        finally:
            term.close()
    return sizes


def measure(term: Terminal) -> dict[str, Any]:
    sizes: dict[str, Any] = {}
    first = term.step("first_paint", b"", until=b"no ans")  # the key bar: the power hour is up
    modes = re.findall(rb"\x1b\[\?([0-9;]+)h", first)
    sizes["first_paint"] = len(first)
    outcomes: list[dict[str, Any]] = []
    for n, key in enumerate(OUTCOME_KEYS):
        name = f"outcome_{n:02d}_{key}"
        if key in "lm":
            term.step(f"{name}_prompt", key.encode(), until=PROMPT_SHOWN)
            term.step(f"{name}_typed", WHEN)
            got = term.step(name, b"\r")
        elif key == "d":
            term.step(f"{name}_prompt", b"d", until=CONFIRM_SHOWN)
            got = term.step(name, b"y")
        else:
            got = term.step(name, key.encode())
        outcomes.append({"key": key, "bytes": len(got)})
    sizes["outcomes"] = outcomes
    sizes["help_open"] = len(term.step("help_open", b"?", until=b"callblock keys"))
    sizes["help_close"] = len(term.step("help_close", b"\x1b"))
    sizes["prompt_open"] = len(term.step("prompt_open", b"l", until=PROMPT_SHOWN))
    sizes["prompt_idle_bps"] = len(term.idle(IDLE)) / IDLE
    sizes["prompt_close"] = len(term.step("prompt_close", b"\x1b"))
    sizes["search_open"] = len(term.step("search_open", b"/", until=b"type to search"))
    term.step("search_loaded", b"", wait=2)  # the index is built in a worker: let it finish
    sizes["search_idle_bps"] = len(term.idle(IDLE)) / IDLE
    sizes["search_close"] = len(term.step("search_close", b"\x1b"))
    moves = [b"\x1b[<35;%d;%dM" % (1 + (n * 7) % 80, 2 + (n * 3) % 22) for n in range(200)]
    term.pty.write(b"".join(moves))
    sizes["mouse_motion"] = len(term.idle(2.0))
    sizes["mouse_modes"] = sorted({m.decode() for m in modes})
    return sizes


def measure_review(term: Terminal) -> dict[str, Any]:
    """The team lead's Review over the log alice just made: its opening, then each tab switch
    (once everything has loaded: a switch shows what is there, it loads nothing)."""
    term.step("week_paint", b"", until=WEEK_SHOWN)
    opened = term.step("review_open", b"r", until=REVIEW_SHOWN)
    opened += term.step("review_loaded", b"", wait=2)  # the other tabs load in a worker
    switches = []
    for n, tab in enumerate(REVIEW_TABS):
        got = term.step(f"review_tab_{n:02d}_{tab}", tab.encode())
        switches.append({"tab": int(tab), "bytes": len(got)})
    return {"review_open": len(opened), "review_tabs": switches}


def figures(sizes: dict[str, Any]) -> dict[str, Any]:
    counts = [o["bytes"] for o in sizes["outcomes"]]
    prompted = [o["bytes"] for o in sizes["outcomes"] if o["key"] in "lmd"]
    worst = max(sizes["outcomes"], key=lambda o: o["bytes"])
    tabs = [t["bytes"] for t in sizes["review_tabs"]]
    return {
        **{k: v for k, v in sizes.items() if k not in ("outcomes", "review_tabs")},
        "outcome_max": max(counts),
        "outcome_median": statistics.median(counts),
        "outcome_min": min(counts),
        "outcome_worst_key": worst["key"],
        "outcome_prompted_max": max(prompted),
        "outcome_prompted_median": statistics.median(prompted),
        "outcomes": sizes["outcomes"],
        "review_tab_max": max(tabs),
        "review_tab_median": statistics.median(tabs),
        "review_tab_min": min(tabs),
        "review_tabs": sizes["review_tabs"],
    }


def table(result: dict[str, Any]) -> list[str]:
    row: Callable[[str, str, str], str] = lambda a, b, c: f"  {a:<34}{b:>10}{c:>10}"  # noqa: E731
    lines = [row("over real SSH, 80x24, 256 colours", "max", "median")]
    lines.append(row("first paint (B)", str(result["first_paint"]), ""))
    lines.append(
        row(
            "30 outcomes -> next lead (B)",
            str(result["outcome_max"]),
            f"{result['outcome_median']:g}",
        )
    )
    lines.append(
        row(
            "  of them l/m/d, from Enter/y (B)",
            str(result["outcome_prompted_max"]),
            f"{result['outcome_prompted_median']:g}",
        )
    )
    for name in ("help_open", "help_close", "prompt_open", "prompt_close"):
        lines.append(row(f"{name.replace('_', ' ')} (B)", str(result[name]), ""))
    lines.append(row("search open (B)", str(result["search_open"]), ""))
    lines.append(row("search close (B)", str(result["search_close"]), ""))
    lines.append(row("callback prompt idle (B/s)", f"{result['prompt_idle_bps']:.1f}", ""))
    lines.append(row("search box idle (B/s)", f"{result['search_idle_bps']:.1f}", ""))
    lines.append(row("200 mouse motion reports (B)", str(result["mouse_motion"]), ""))
    lines.append(row("mouse modes asked for", ",".join(result["mouse_modes"]), ""))
    lines.append(row("Review opens, all tabs loaded (B)", str(result["review_open"]), ""))
    lines.append(
        row(
            f"Review tab switches, {len(REVIEW_TABS)} (B)",
            str(result["review_tab_max"]),
            f"{result['review_tab_median']:g}",
        )
    )
    each = " ".join(f"{t['tab']}:{t['bytes']}" for t in result["review_tabs"])
    lines.append(f"    each (tab:B): {each}")
    return lines


def missed(result: dict[str, Any]) -> list[str]:
    out = [
        f"{what}: measured {result[name]:g}, limit {limit}"
        for name, (limit, what) in TARGETS.items()
        if result[name] >= limit
    ]
    if "1003" in result["mouse_modes"]:
        out.append("mouse: any-motion tracking (1003) asked for")
    return out


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", action="store_true", help="keep each step's bytes in .bench/")
    args = parser.parse_args(argv)
    if (why := sshd.available()) is not None:
        print(f"bench_ssh: skipped: {why}")
        return 0
    BENCH.mkdir(exist_ok=True)
    dump = BENCH / "ssh_bytes" if args.dump else None
    if dump is not None:
        dump.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cb-bench-ssh-") as folder:
        os.environ["CALLBLOCK_CONFIG"] = str(Path(folder) / "no-config.toml")  # no user config
        result = figures(run(Path(folder), dump))
    print("\n".join(table(result)))
    (BENCH / "ssh_bytes.json").write_text(json.dumps(result, indent=2) + "\n")
    failures = missed(result)
    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main_())
