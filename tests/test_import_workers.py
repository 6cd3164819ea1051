"""An import's validation workers die with it, whatever ends it: SIGKILL of the parent while
the workers are checking rows leaves no process behind (each holds ~165 MB)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callblock.config import Settings
from callblock.services.import_workers import PARALLEL_FROM

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc for children")


def children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited (only unreaped)


def test_sigkill_of_an_import_takes_its_workers_with_it(tmp_path: Path) -> None:
    rows = max(PARALLEL_FROM * 8, 40_000)  # enough to keep the workers busy for seconds
    source = tmp_path / "big.csv"
    lines = [f"Lead {n:06d},Co {n % 97},+1 212 55{n % 100_000:05d}" for n in range(rows)]
    source.write_text("Name,Company,Phone\n" + "\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    parent = subprocess.Popen(
        [sys.executable, "-m", "callblock", "--db", str(tmp_path / "cb.db"), "import", str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    everyone: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and parent.poll() is None:
            workers = children(parent.pid)  # forked from a command line (no other children)
            if len(workers) >= 2:
                break
            time.sleep(0.05)
        assert len(workers) >= 2, "the import never started its validation workers"
        everyone = children(parent.pid)  # the workers and multiprocessing's resource tracker
        time.sleep(0.5)  # the workers are checking rows now
        assert parent.poll() is None, "the import finished before it could be killed"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(pid) for pid in everyone):
            time.sleep(0.1)
        left = sorted(pid for pid in everyone if alive(pid))
        assert not left, f"processes outlived the killed import: {left}"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in everyone:  # only these processes, started by this test, if still there
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def test_workers_fork_only_from_a_process_without_other_threads() -> None:
    """A forked worker starts with the modules loaded; a process with other threads (the app
    imports from a worker thread) must spawn: a fork could copy a lock another thread holds."""
    import threading

    from callblock.services.import_workers import _start_method

    assert threading.active_count() == 1
    assert _start_method() == "fork"
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert _start_method() == "spawn"
    finally:
        release.set()
        other.join()


def test_the_workers_get_rows_before_the_first_result_is_asked_for() -> None:
    """The importer keys the stored leads between `check` and its first result: the workers
    must be checking rows meanwhile, not waiting to be asked."""
    from callblock.domain.headers import map_columns
    from callblock.domain.import_rows import RowRules
    from callblock.services.csvfile import CsvRow
    from callblock.services.import_workers import RowPool

    columns = map_columns(["Name", "Phone"], {})
    rows = [CsvRow(n + 2, [f"Lead {n}", f"+1 212 55{n:05d}"]) for n in range(PARALLEL_FROM)]
    rules = RowRules("US", "UTC", datetime(2026, 11, 23, 19, tzinfo=UTC), None, None)
    with RowPool(len(rows)) as pool:
        submitted: list[object] = []
        submit = pool.pool.submit
        pool.pool.submit = lambda *args: submitted.append(args) or submit(*args)
        checked = pool.check(columns, rows, rules, Settings())
        assert submitted, "no rows were sent to the workers before the first result"
        assert sum(1 for _ in checked) == len(rows)


def test_the_workers_yield_the_cpu_to_the_importer_and_the_floor() -> None:
    from callblock.services.import_workers import WORKER_NICENESS, RowPool

    with RowPool(PARALLEL_FROM) as pool:
        niceness = {pool.pool.submit(os.nice, 0).result() for _ in range(8)}
    assert niceness == {os.nice(0) + WORKER_NICENESS}
