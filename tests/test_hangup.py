"""A dropped terminal: SIGHUP, SIGTERM or a closed pty ends the app within 2 s with what was
typed kept and the lead let go; the next start the same day resumes the block. Run on a real
pseudo-terminal with the installed `callblock`."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from tests.conftest import ZONE

NOW = "2026-11-23T19:00:00Z"  # Monday 14:00 in New York
CALLBLOCK = str(Path(sys.executable).parent / "callblock")
ENV = {**os.environ, "TZ": ZONE, "TERM": "xterm-256color"}


class Terminal:
    """The app on a pseudo-terminal: keys in, bytes out."""

    def __init__(self, db: Path, rep: str = "alice") -> None:
        args = [CALLBLOCK, "--db", str(db), "--now", NOW, "--rep", rep, "dial"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(CALLBLOCK, args, ENV)
        self.seen = bytearray()
        self.status: int | None = None

    def read_until(self, marker: bytes, seconds: float = 15, after: int = 0) -> bool:
        """Whether `marker` came (in the bytes from offset `after`) within `seconds`."""
        deadline = time.monotonic() + seconds
        while marker not in self.seen[after:] and time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    self.seen.extend(os.read(self.fd, 65536))
                except OSError:
                    break
        return marker in self.seen[after:]

    def type_time(self, text: bytes = b"thu 3pm") -> bool:
        """Type a callback time and wait for its live preview (Thu 26 Nov 2026 15:00). Only the
        cells that changed are sent: when a frame showed "thu" alone (09:00) first, the next one
        writes just "15" over "09", so the preview's "15:00", or "15" as text right after a
        style (never a cursor move's row), is what is waited for."""
        mark = len(self.seen)
        self.write(text)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            tail = bytes(self.seen[mark:])
            if b"15:00" in tail or b"m15" in tail:
                return True
            self.read_until(b"\x00", seconds=0.1, after=len(self.seen))
        return False

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait_exit(self, seconds: float) -> float | None:
        """Seconds until the process ended, or None when it did not within `seconds`."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            done, code = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = os.waitstatus_to_exitcode(code)
                return time.monotonic() - start
            if self.fd >= 0 and select.select([self.fd], [], [], 0.02)[0]:
                with suppress(OSError):
                    self.seen.extend(os.read(self.fd, 65536))
            else:
                time.sleep(0.02)
        return None

    def close(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


@pytest.fixture
def team_db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    subprocess.run(
        [CALLBLOCK, "--db", str(path), "--now", NOW, "demo", "--leads", "60"],
        check=True,
        capture_output=True,
        env=ENV,
    )
    return path


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for_lease(db: Path, seconds: float = 10) -> tuple[int, int]:
    """(lead, session) of the one lead on a screen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        leased = rows(db, "SELECT lead_id, session_id FROM leases")
        if leased:
            return leased[0]
        time.sleep(0.05)
    raise AssertionError("no lead was leased")


def outcomes(db: Path, session: int) -> list[tuple]:
    return rows(db, f"SELECT outcome, undone FROM touches WHERE session_id = {session}")


@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "closed terminal"])
def test_a_dropped_terminal_keeps_the_typed_callback_and_lets_the_lead_go(
    team_db: Path, how: str
) -> None:
    term = Terminal(team_db)
    try:
        assert term.read_until(b"up next"), bytes(term.seen[-300:])
        lead, session = wait_for_lease(team_db)
        term.write(b"l")
        assert term.read_until(b"when?")
        assert term.type_time()  # the live preview: the text is in the box
        if how == "closed terminal":
            os.close(term.fd)  # the link is gone: the kernel hangs up the session
            term.fd = -1
        else:
            os.kill(term.pid, getattr(signal, how))
        took = term.wait_exit(5)
        assert took is not None and took < 2.0, took
        if how == "closed terminal":  # SIGHUP, or the terminal's write error first
            assert term.status not in (0, None)
        else:
            assert term.status == {"SIGHUP": 129, "SIGTERM": 143}[how]  # 128 + the signal
    finally:
        term.close()
    assert rows(team_db, "SELECT count(*) FROM leases") == [(0,)]
    owner, ended, state = rows(
        team_db, f"SELECT owner, ended_at, state FROM sessions WHERE id = {session}"
    )[0]
    assert owner is None and ended is None  # suspended, not ended: kept for a reconnect
    kept = json.loads(state)
    assert kept["current"] == lead
    assert kept["draft"]["prompt"] == {
        "kind": "when",
        "code": "callback",
        "lead": lead,
        "text": "thu 3pm",
    }
    assert outcomes(team_db, session) == []


def test_reconnecting_resumes_the_block_with_its_lead_and_the_typed_text(team_db: Path) -> None:
    term = Terminal(team_db)
    try:
        assert term.read_until(b"up next")
        lead, session = wait_for_lease(team_db)
        term.write(b"n")  # one outcome recorded before the drop
        deadline = time.monotonic() + 10
        while outcomes(team_db, session) != [("no-answer", 0)]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        on_screen, _ = wait_for_lease(team_db)
        assert on_screen != lead
        term.write(b"l")
        assert term.read_until(b"when?")
        term.write(b"tomorrow 10")
        time.sleep(0.3)
        os.kill(term.pid, signal.SIGHUP)
        assert term.wait_exit(5) is not None
    finally:
        term.close()
    sessions_before = rows(team_db, "SELECT id FROM sessions")
    again = Terminal(team_db)
    try:
        assert again.read_until(b"Resumed your block"), bytes(again.seen[-400:])
        assert again.read_until(b"tomorrow 10")  # the callback prompt is back with the text
        assert wait_for_lease(team_db) == (on_screen, session)  # the same lead, the same block
        assert rows(team_db, "SELECT id FROM sessions") == sessions_before
        again.write(b"\x1b")  # close the prompt
        time.sleep(0.5)
        again.write(b"u")  # undo still undoes the outcome pressed before the drop
        deadline = time.monotonic() + 10
        while outcomes(team_db, session) != [("no-answer", 1)]:
            assert time.monotonic() < deadline, outcomes(team_db, session)
            time.sleep(0.05)
    finally:
        again.close()


def test_a_hang_up_while_the_database_is_busy_keeps_the_typed_text_for_the_resume(
    team_db: Path, tmp_path: Path, monkeypatch
) -> None:
    """The hang-up has under 2 s; another writer (an import) holds the database longer: the
    typed text goes to the user's state folder and comes back when the block resumes."""
    monkeypatch.setitem(ENV, "XDG_STATE_HOME", str(tmp_path / "state"))
    term = Terminal(team_db)
    holder = sqlite3.connect(team_db, isolation_level=None)
    try:
        assert term.read_until(b"up next")
        lead, session = wait_for_lease(team_db)
        term.write(b"l")
        assert term.read_until(b"when?")
        assert term.type_time()
        holder.execute("BEGIN IMMEDIATE")  # held for longer than the hang-up may take
        os.kill(term.pid, signal.SIGHUP)
        took = term.wait_exit(5)
        assert took is not None and took < 2.0, took
    finally:
        holder.execute("ROLLBACK") if holder.in_transaction else None
        holder.close()
        term.close()
    spooled = list((tmp_path / "state").rglob("*.json"))
    assert len(spooled) == 1 and json.loads(spooled[0].read_text())["prompt"]["text"] == "thu 3pm"
    again = Terminal(team_db)
    try:
        # The block could not be marked as let go: it still looks alive for up to a lease.
        assert again.read_until(b"Take it over here?"), bytes(again.seen[-400:])
        again.write(b"y")
        assert again.read_until(b"thu 3pm"), bytes(again.seen[-400:])  # the prompt, refilled
        assert wait_for_lease(team_db) == (lead, session)
    finally:
        again.close()
    assert not list((tmp_path / "state").rglob("*.json"))  # taken back, not kept twice
