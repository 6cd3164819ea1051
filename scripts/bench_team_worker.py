"""One rep's window in the sales-floor benchmark (scripts/bench_team.py): a process of its own,
its own connection, a power hour worked through `sessions.start_block` and `Block` exactly as
the power-hour screen drives them, with the real clock and fast keys.

It writes what it saw to a JSON file: per action the key -> next lead latency, every exception,
the timeline of the leads it showed (lead, from, to; `time.monotonic()`, one clock for every
process on the machine) and every outcome `record()` returned.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from callblock.clock import SystemClock
from callblock.config import Settings
from callblock.domain.calling import CallingRules, CallingWindow
from callblock.services import ServiceError, sessions
from callblock.services.block import Block, LeadHeld
from callblock.store import DatabaseBusy, Store, StoreFault

ZONE = "America/New_York"
FIRST_WAIT_MS = 1000  # screens/busy.py: a write waits this long before the busy screen shows
REBUILD_AFTER = 0.05  # screens/power_hour.py: the queue behind the lead, once its frame is out
KEYS = (0.3, 1.5)  # s between two keys, uniform (the team issue's fast keys; --keys)
TICK = 1.0  # screens/power_hour.py: the screen's tick (heartbeat, the list kept young)
# What a block's outcomes look like: mostly nobody there, some conversations, a few promises.
OUTCOMES = {
    "no-answer": 38,
    "voicemail": 22,
    "busy": 8,
    "gatekeeper": 7,
    "connected": 8,
    "not-interested": 4,
    "callback": 5,
    "meeting": 2,
    "bad-number": 2,
    "dnc": 1,
}
SKIP, UNDO = 0.03, 0.03  # shares of the keys that are s (skip) and u (undo, then again)


def bench_settings() -> Settings:
    """The default settings with calling hours around the clock (every region, Florida's
    3-calls-a-day kept), so leads are callable whenever the benchmark runs on the real clock."""
    day = CallingWindow(clock_time(0), clock_time.max)
    florida = CallingWindow(clock_time(0), clock_time.max, max_calls_per_day=3)
    return Settings(timezone=ZONE, calling=CallingRules(default=day, regions={"US-FL": florida}))


class Window:
    """One rep's app: the block, and the log of what it did."""

    def __init__(self, store: Store, block: Block, rng: random.Random) -> None:
        self.store, self.block, self.rng = store, block, rng
        self.shown: tuple[int, float] | None = None  # the lead on screen, since
        self.timeline: list[tuple[int, float, float]] = []
        self.actions: list[dict[str, Any]] = []  # one per key, see _log
        self.recorded: list[tuple[int, int, str]] = []  # (touch id, lead id, outcome)
        self.undone: list[int] = []
        self.errors: list[dict[str, str]] = []
        self._logged: list[BaseException] = []
        self.counts = {"undo_refused": 0, "nothing_to_call": 0, "heartbeats": 0}
        self.calls = {"_lease": 0, "_queue": 0}  # leases tried (rechecks), queues built
        self._before = dict(self.calls)
        self.began = time.monotonic()
        self.began_perf = time.perf_counter()
        self.empty_at: list[float] = []  # s into the run when a window had nothing to call
        for name in self.calls:
            setattr(block, name, self._counted(name, getattr(block, name)))
        block.save_state = self._busy_logged(block.save_state)  # advance() would swallow it

    def _counted(self, name: str, method: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return method(*args, **kwargs)

        return counted

    def _busy_logged(self, method: Any) -> Any:
        def logged(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except DatabaseBusy as error:
                self._error("save_state", error)
                raise

        return logged

    # the timeline -----------------------------------------------------------------------------
    def _hide(self) -> None:
        """Just before a call that may let go of the lead on screen."""
        if self.shown is not None:
            self.timeline.append((*self.shown, time.monotonic()))
            self.shown = None

    def _show(self) -> None:
        """Just after a call that claimed the lead now on screen."""
        current = self.block.current
        if current is not None and self.shown is None:
            self.shown = (current.lead.id, time.monotonic())

    # what the screen does ---------------------------------------------------------------------
    def _error(self, what: str, error: BaseException) -> None:
        if any(logged is error for logged in self._logged):
            return  # logged where it was raised (a save_state that advance() would swallow)
        self._logged = [*self._logged[-3:], error]
        kind = "lock" if isinstance(error, StoreFault) else "other"
        self.errors.append(
            {"kind": kind, "what": what, "error": f"{type(error).__name__}: {error}"}
        )

    def _swap(self, call: Any) -> Any:
        """A call that may let go of the lead on screen and show another: its interval ends
        just before the call, the next one's starts just after (unless the lead stayed)."""
        before = self.shown
        self._hide()
        try:
            with self.store.patience(FIRST_WAIT_MS):
                return call()
        finally:
            current = self.block.current
            if before is not None and current is not None and current.lead.id == before[0]:
                self.timeline.pop()  # the same lead, on screen all along
                self.shown = before
            else:
                self._show()

    def advance(self) -> None:
        self._swap(self.block.advance)

    def rebuild(self) -> None:
        if self.block.current is not None:
            self.block.rebuild_ahead()

    def _log(self, kind: str, started: float, wrote: float | None = None) -> None:
        """One key: its latency (ms), the part record() took, claims tried, queues built."""
        ended = time.perf_counter()
        self.actions.append(
            {
                "at": round(ended - self.began_perf, 2),
                "kind": kind,
                "ms": (ended - started) * 1000,
                "record_ms": None if wrote is None else (wrote - started) * 1000,
                "claims": self.calls["_lease"] - self._before["_lease"],
                "queues": self.calls["_queue"] - self._before["_queue"],
            }
        )

    def _begin(self) -> float:
        self._before = dict(self.calls)
        return time.perf_counter()

    def outcome(self, code: str) -> None:
        """An outcome key: record(), then advance() (the key -> next lead of the screen)."""
        lead = self.block.current.lead.id if self.block.current else 0
        when = None
        if code == "callback":
            when = datetime.now(UTC) + timedelta(hours=self.rng.uniform(1, 48))
        elif code == "meeting":
            when = datetime.now(UTC) + timedelta(days=self.rng.uniform(1, 7))
        started = self._begin()
        with self.store.patience(FIRST_WAIT_MS):
            recorded = self.block.record(code, when)
        wrote = time.perf_counter()
        self.recorded.append((recorded.touch_id, lead, code))
        self.advance()
        self._log("outcome", started, wrote)

    def skip(self) -> None:
        started = self._begin()
        self.block.skip()
        self.advance()
        self._log("skip", started)

    def undo(self) -> bool:
        """u: the last outcome undone, its lead back on screen (then recorded again)."""
        started = self._begin()
        try:
            touch = self._swap(self.block.undo)
        except LeadHeld:
            self.counts["undo_refused"] += 1
            return False
        if touch is None:
            return False
        self.undone.append(touch.id)
        self._log("undo", started)
        return True

    def tick(self) -> None:
        """The screen's one-second tick between two keys: the heartbeat, and the list behind
        the lead rebuilt when it has grown old (screens/power_hour_life.py)."""
        self.heartbeat()
        if self.block.ahead_is_stale():
            self.block.rebuild_ahead()

    def heartbeat(self) -> None:
        """The heartbeat of the screen's one-second tick."""
        self.counts["heartbeats"] += 1
        if not self.block.heartbeat():
            raise ServiceError("this window's block was taken over")

    def key(self) -> None:
        """One key, as a rep presses them."""
        if self.block.current is None:  # the last advance found nothing to call
            self.counts["nothing_to_call"] += 1
            self.empty_at.append(round(time.monotonic() - self.began, 1))
            self.advance()
            return
        roll = self.rng.random()
        if roll < SKIP:
            self.skip()
        elif roll < SKIP + UNDO and self.block.last is not None:
            if self.undo():  # a wrong key corrected: the right outcome for the same lead
                self.outcome(self.pick())
        else:
            self.outcome(self.pick())

    def pick(self) -> str:
        return self.rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()))[0]


def work(spec: dict[str, Any]) -> None:
    """A process: start a block when told, press keys until the deadline, write the log."""
    rng = random.Random(spec["seed"])
    store = Store.open(spec["db"])
    settings = bench_settings()
    begun = time.perf_counter()
    block, _draft = sessions.start_block(
        store, SystemClock(), settings, rep=spec["rep"], block_name="Bench", target=60
    )
    opened_ms = (time.perf_counter() - begun) * 1000
    window = Window(store, block, rng)
    spec["ready"].set()
    spec["go"].wait()
    deadline = time.monotonic() + spec["seconds"]
    started = window.began = time.monotonic()
    cpu_at_start = time.process_time()
    window.began_perf = time.perf_counter()
    try:
        window.advance()
    except (StoreFault, ServiceError) as error:
        window._error("advance", error)
    keys = spec.get("keys", KEYS)
    while time.monotonic() < deadline:
        key_at = time.monotonic() + rng.uniform(*keys)
        time.sleep(REBUILD_AFTER)
        try:
            window.rebuild()
        except (StoreFault, ServiceError) as error:
            window._error("rebuild", error)
        while (wait := key_at - time.monotonic()) > 0:  # the screen's one-second tick
            time.sleep(min(TICK, wait))
            if time.monotonic() < key_at - 0.05:
                try:
                    window.tick()
                except (StoreFault, ServiceError) as error:
                    window._error("tick", error)
        try:
            window.heartbeat()
            window.key()
        except (StoreFault, ServiceError) as error:
            window._error("key", error)
        except Exception as error:  # anything else is a defect: logged, and the run fails
            window._error("key", error)
    window._hide()
    try:
        block.end()
    except (StoreFault, ServiceError) as error:
        window._error("end", error)
    store.close()
    result = {
        "rep": spec["rep"],
        "session": block.session.id,
        "open_ms": opened_ms,
        "seconds": time.monotonic() - started,
        "cpu_s": time.process_time() - cpu_at_start,  # its CPU while it worked (not the server's)
        "actions": window.actions,
        "timeline": window.timeline,
        "recorded": window.recorded,
        "undone": window.undone,
        "errors": window.errors,
        "counts": window.counts,
        "empty_at": window.empty_at,
    }
    Path(spec["out"]).write_text(json.dumps(result))
