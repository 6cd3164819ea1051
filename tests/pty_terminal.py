"""The installed `callblock` command on a pseudo-terminal of 80x24: write bytes as a terminal
would (keys, mouse reports), read and count every byte the app writes back."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

CALLBLOCK = str(Path(sys.executable).parent / "callblock")
NOW = "2026-11-23T19:30:00Z"  # Monday 14:30 in New York: inside every US calling window
ZONE = "America/New_York"
KEY_BAR = b"c conn"  # on the power hour's key bar once it is drawn


def demo_database(path: Path, leads: int = 10) -> Path:
    subprocess.run(
        [CALLBLOCK, "--db", str(path), "--now", NOW, "demo", "--leads", str(leads)],
        check=True,
        capture_output=True,
        env={**os.environ, "TZ": ZONE},
    )
    return path


class PtyApp:
    """`callblock ... dial` (or argv) on a pty; `output` holds every byte it wrote."""

    def __init__(
        self, db: Path, columns: int = 80, rows: int = 24, argv: list[str] | None = None
    ) -> None:
        """argv: another command to run on the pty instead (the bench's `ssh -tt`)."""
        args = argv or [CALLBLOCK, "--db", str(db), "--now", NOW, "--rep", "alice", "dial"]
        env = {**os.environ, "TZ": ZONE, "TERM": "xterm-256color"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal before the app asks, then run it
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execvpe(args[0], args, env)
        self.output = bytearray()

    def read_for(self, seconds: float) -> bytes:
        """Everything the app writes in the next `seconds`."""
        start = len(self.output)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._read(min(left, 0.05))
        return bytes(self.output[start:])

    def read_until(self, marker: bytes, seconds: float = 15.0, since: int = 0) -> bool:
        deadline = time.monotonic() + seconds
        while marker not in self.output[since:] and time.monotonic() < deadline:
            self._read(0.05)
        return marker in self.output[since:]

    def settle(self, quiet: float = 0.6, seconds: float = 10.0) -> None:
        """Read until the app has written nothing for `quiet` seconds (a frame is finished)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.read_for(quiet):
                return
        raise AssertionError(f"the app never went quiet: {self.output[-300:]!r}")

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)  # one write: the app reads it as one chunk

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)

    def _read(self, timeout: float) -> None:
        if select.select([self.fd], [], [], timeout)[0]:
            try:
                self.output += os.read(self.fd, 65536)
            except OSError:  # the app ended
                time.sleep(timeout)
