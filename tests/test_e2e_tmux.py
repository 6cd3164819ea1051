"""End to end: the installed `callblock` command in a real terminal (tmux at 80x24)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

NOW = "2026-11-23T19:30:00Z"  # Monday 14:30 in New York: inside every US calling window
ZONE = "America/New_York"
KEY_BAR = ("c conn", "n no ans")
CARD_WIDTH = 39  # the lead card's columns at 80x24, left of the notes' border


def _callblock() -> str:
    beside = Path(sys.executable).parent / "callblock"  # the venv running the tests
    found = str(beside) if beside.exists() else shutil.which("callblock")
    if not found:
        pytest.skip("the callblock command is not installed")
    return found


CALLBLOCK = _callblock()


class Tmux:
    """One private tmux server (own socket, no user config) holding one 80x24 pane."""

    def __init__(self) -> None:
        self.name = f"cb-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.base = ["tmux", "-L", self.name, "-f", "/dev/null"]

    def __call__(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, check=check, timeout=10
        )
        return done.stdout

    def start(self, argv: list[str], env: dict[str, str], status_file: Path) -> None:
        """Run argv in the pane; the pane's shell writes its exit status to status_file
        (tmux 3.3's #{pane_dead_status} is sometimes never set)."""
        self.status_file = status_file
        # Options first, so the pane is 24 rows from its first frame (no resize later).
        self(
            "start-server", ";", "set", "-g", "status", "off", ";",
            "new-session", "-d", "-x", "80", "-y", "24",
            *(item for key, value in env.items() for item in ("-e", f"{key}={value}")),
            f"{shlex.join(argv)}; echo $? > {shlex.quote(str(status_file))}",
        )  # fmt: skip

    def app_pid(self) -> int:
        """The app: the one child of the pane's shell."""
        shell = int(self.info("#{pane_pid}"))
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def screen(self) -> list[str]:
        return self("capture-pane", "-p").splitlines()

    def info(self, fmt: str) -> str:
        return self("display-message", "-p", fmt).strip()

    def wait_for(self, ready: Callable[[list[str]], bool], timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if ready(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError("screen never got ready:\n" + "\n".join(lines))
            time.sleep(0.02)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for the app to end; its exit status as the shell reports it (128+N: signal N)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and (text := self.status_file.read_text()).endswith("\n"):
                return int(text)
            time.sleep(0.02)
        raise AssertionError("the app did not exit:\n" + "\n".join(self.screen()))

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)
        folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (folder / self.name).unlink(missing_ok=True)  # tmux may leave its socket file behind


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Fixed zone, and no user config (the variable names a file that does not exist)."""
    return {"TZ": ZONE, "CALLBLOCK_CONFIG": str(tmp_path / "no-config.toml")}


@pytest.fixture
def demo_db(tmp_path: Path, env: dict[str, str]) -> Path:
    db = tmp_path / "demo.db"
    cli(env, "demo", "--db", str(db), "--leads", "60", "--now", NOW)
    return db


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [CALLBLOCK, *args],
        capture_output=True,
        text=True,
        env=os.environ | env,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def card_name(lines: list[str]) -> str:
    """The lead's name: the card's first line (3rd on screen, the left half: the notes are on
    the right), up to the temperature badge."""
    return lines[2][:CARD_WIDTH].strip().split("  ")[0] if len(lines) > 2 else ""


def usable(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return all(key in text for key in KEY_BAR) and bool(card_name(lines))


def start_app(tmux: Tmux, db: Path, env: dict[str, str]) -> tuple[str, int]:
    """Open the app for alice; return the name shown on the card and that lead's id."""
    argv = [CALLBLOCK, "dial", "--db", str(db), "--rep", "alice", "--now", NOW]
    tmux.start(argv, env, db.with_name("exit-status"))
    name = card_name(tmux.wait_for(usable))
    queue = json.loads(
        cli(env, "queue", "--json", "--limit", "1", "--db", str(db), "--rep", "alice", "--now", NOW)
    )
    assert queue and queue[0]["name"] == name, (queue, name)
    return name, queue[0]["lead_id"]


def touches(env: dict[str, str], db: Path, lead_id: int) -> list[dict[str, str]]:
    return json.loads(cli(env, "history", "--lead", str(lead_id), "--json", "--db", str(db)))


def next_lead_drawn(first: str) -> Callable[[list[str]], bool]:
    return lambda lines: usable(lines) and card_name(lines) != first


def test_no_answer_key_records_a_touch_and_quits_cleanly(
    tmux: Tmux, demo_db: Path, env: dict[str, str]
) -> None:
    name, lead_id = start_app(tmux, demo_db, env)

    tmux("send-keys", "n")
    tmux.wait_for(next_lead_drawn(name))
    tmux("send-keys", "q")
    tmux.wait_for(lambda lines: "ended" in "\n".join(lines))
    tmux("send-keys", "q")

    assert tmux.wait_exit() == 0
    recorded = touches(env, demo_db, lead_id)
    assert any(t["outcome"] == "no-answer" and t["rep"] == "alice" for t in recorded), recorded


def test_outcome_survives_sigkill_right_after_the_next_lead_is_drawn(
    tmux: Tmux, demo_db: Path, env: dict[str, str]
) -> None:
    name, lead_id = start_app(tmux, demo_db, env)
    pid = tmux.app_pid()
    assert "callblock" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")

    tmux("send-keys", "v")
    tmux.wait_for(next_lead_drawn(name))
    os.kill(pid, signal.SIGKILL)
    assert tmux.wait_exit() == 128 + signal.SIGKILL

    recorded = touches(env, demo_db, lead_id)
    assert any(t["outcome"] == "voicemail" and t["rep"] == "alice" for t in recorded), recorded


def test_home_is_the_week_plan_and_p_starts_a_power_hour(
    tmux: Tmux, demo_db: Path, env: dict[str, str]
) -> None:
    argv = [CALLBLOCK, "--db", str(demo_db), "--rep", "alice", "--now", NOW]
    tmux.start(argv, env, demo_db.with_name("exit-status"))
    week = tmux.wait_for(lambda lines: "Week of Mon 23 Nov" in "\n".join(lines))
    assert any("Late power hour" in line for line in week)  # Wednesday and Thursday
    plan = json.loads(
        cli(env, "plan", "--json", "--db", str(demo_db), "--rep", "alice", "--now", NOW)
    )
    assert [block["day"] for block in plan].count("2026-11-26") == 2
    tmux("send-keys", "p")
    tmux.wait_for(usable)
    tmux("send-keys", "q")
    tmux.wait_for(lambda lines: "ended" in "\n".join(lines))
    tmux("send-keys", "q")
    assert tmux.wait_exit() == 0


def test_without_a_terminal_the_app_says_so_and_exits(demo_db: Path, env: dict[str, str]) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [CALLBLOCK, "--db", str(demo_db)],
        input=b"",  # stdin, stdout and stderr are pipes: no terminal anywhere
        capture_output=True,
        env=os.environ | env,
        timeout=10,
    )
    assert done.returncode != 0
    assert "terminal" in done.stderr.decode().lower()
    assert time.monotonic() - started < 5
