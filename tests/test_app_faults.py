"""Database faults inside the app: a held lock is waited out and said, a full or damaged
database ends the app with one line saying whether the last outcome was saved."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callblock.screens.busy import BusyScreen
from callblock.screens.power_hour import PowerHourScreen
from callblock.store import Store
from tests.conftest import ZONE
from tests.power_hour_helpers import SIZE, shown, status_line
from tests.screen_text import screen_text
from tests.test_faults import NOW, damage


def touches(db_path: Path, lead_id: int) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT outcome FROM touches WHERE lead_id = ?", (lead_id,))
        return [row[0] for row in rows]
    finally:
        conn.close()


async def wait_for(pilot, condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.1)


async def test_a_held_lock_is_waited_out_and_the_outcome_recorded_once(
    make_app, make_lead, db_path: Path
) -> None:
    first = make_lead(name="Ann First")
    second = make_lead(name="Bob Second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == first
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # an import, say
        await pilot.press("n")
        assert isinstance(app.screen, BusyScreen)
        text = screen_text(app)
        assert "The database is busy" in text and "retrying" in text
        assert "no answer" in text.lower() and "Ann First" in text
        await pilot.press("v")  # a key pressed meanwhile is not recorded, and the rep is told
        assert "“v” was not recorded" in screen_text(app)
        assert touches(db_path, first) == []
        holder.execute("ROLLBACK")
        holder.close()
        await wait_for(pilot, lambda: isinstance(app.screen, PowerHourScreen))
        assert shown(app) == second
        assert touches(db_path, first) == ["no-answer"]
        assert "Ann First" in status_line(app)


async def test_giving_up_on_a_held_lock_says_the_outcome_was_not_saved(
    make_app, make_lead, db_path: Path
) -> None:
    first = make_lead(name="Ann First")
    make_lead(name="Bob Second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("b")
            assert isinstance(app.screen, BusyScreen)
            await pilot.press("escape")
            await pilot.pause(0.2)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert isinstance(app.screen, PowerHourScreen)
        assert shown(app) == first  # still the same lead: nothing recorded
        assert "not saved" in status_line(app)
        await pilot.pause(0.7)  # no retry after giving up
    assert touches(db_path, first) == []


async def test_a_full_disk_ends_the_app_in_one_line_naming_the_unsaved_outcome(
    make_app, make_lead, store: Store, db_path: Path
) -> None:
    ids = [make_lead(name=f"Lead {n}") for n in range(40)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        for _ in range(40):
            try:  # the press that meets the full disk ends the app: its wait never returns
                await asyncio.wait_for(pilot.press("n"), timeout=3)
            except TimeoutError:
                break
            if app.fault:
                break
    assert app.return_code == 1
    assert app.fault is not None
    assert "full" in app.fault and "\n" not in app.fault
    assert "was NOT saved" in app.fault
    recorded = sum(len(touches(db_path, lead)) for lead in ids)
    assert recorded >= 1  # what was saved before the disk filled is still there


def run_in_terminal(args: list[str], env: dict[str, str], keys: bytes = b"") -> tuple[int, str]:
    """Run the installed command on a pseudo-terminal; returns its status and everything shown."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on the terminal
        os.execvpe(args[0], args, env)
    output = bytearray()
    deadline = time.monotonic() + 30
    sent = False
    status = None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            output += chunk
        if keys and not sent and len(output) > 2000:
            os.write(fd, keys)
            sent = True
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(code)
            break
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    assert status is not None, f"the app did not end: {output[-500:]!r}"
    return status, output.decode("utf-8", "replace")


@pytest.fixture
def damaged_db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    callblock = shutil.which("callblock", path=str(Path(sys.executable).parent))
    assert callblock
    env = {**os.environ, "TZ": ZONE}
    subprocess.run(
        [callblock, "--db", str(path), "--now", NOW, "demo", "--leads", "40"],
        check=True,
        capture_output=True,
        env=env,
    )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    damage(path)
    return path


def test_the_app_on_a_damaged_database_restores_the_terminal_and_says_so(
    damaged_db: Path,
) -> None:
    callblock = str(Path(sys.executable).parent / "callblock")
    env = {**os.environ, "TZ": ZONE, "TERM": "xterm-256color"}
    status, shown_text = run_in_terminal(
        [callblock, "--db", str(damaged_db), "--now", NOW, "--rep", "alice", "dial"], env, b"n"
    )
    assert status == 1
    assert "Traceback" not in shown_text
    after_screen = shown_text.rsplit("\x1b[?1049l", 1)  # after the app left the alternate screen
    assert len(after_screen) == 2, "the terminal was not restored"
    plain_text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", after_screen[1])  # terminal modes reset
    lines = [line for line in plain_text.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("callblock: error: ") and "damaged" in lines[0]


def test_the_app_waits_for_a_held_lock_at_start_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "fine.db"
    callblock = str(Path(sys.executable).parent / "callblock")
    env = {**os.environ, "TZ": ZONE, "TERM": "xterm-256color"}
    subprocess.run(
        [callblock, "--db", str(path), "--now", NOW, "demo", "--leads", "10"],
        check=True,
        capture_output=True,
        env=env,
    )
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    pid, fd = pty.fork()
    if pid == 0:
        args = [callblock, "--db", str(path), "--now", NOW, "--rep", "alice", "dial"]
        os.execvpe(callblock, args, env)
    seen = bytearray()

    def read_until(marker: bytes, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while marker not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    seen.extend(os.read(fd, 65536))
                except OSError:
                    break
        return marker in seen

    try:
        assert read_until(b"waiting for it", 10), seen
        assert not read_until(b"\x1b[?1049h", 1.5)  # still waiting: no screen drawn
        holder.execute("ROLLBACK")
        assert read_until(b"\x1b[?1049h", 10)  # the app starts once the lock is free
    finally:
        holder.close()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
