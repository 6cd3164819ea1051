"""A throwaway OpenSSH server for tests: its own host key, config, port and authorized_keys
file in a temp directory (never the system's), stopped with everything it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")  # compiled into Debian's sshd; made by its service normally


def available() -> str | None:
    """Why an SSH test cannot run here, or None when it can."""
    for tool in (SSHD, "ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: openssh-server, openssh-client)"
    return None


def keygen(path: Path) -> Path:
    """A new ed25519 key pair at path (and path.pub), no passphrase."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sshd:
    """sshd -D on 127.0.0.1:port with the settings the README gives (ClientAlive 15 x 3)."""

    def __init__(self, root: Path, authorized_keys: Path, env: dict[str, str]) -> None:
        self.root = root
        self.authorized_keys = authorized_keys
        self.env = env  # set in every session (SetEnv): PYTHONPATH, TZ, CALLBLOCK_CONFIG
        self.pid_file = root / "sshd.pid"
        self.log = root / "sshd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def config(self) -> Path:
        host_key = self.root / "host_key"
        if not host_key.exists():
            keygen(host_key)
        lines = [
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {host_key}",
            f"PidFile {self.pid_file}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "UsePAM no",
            "StrictModes no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "ClientAliveInterval 15",
            "ClientAliveCountMax 3",
            "PrintMotd no",
            "PrintLastLog no",
            "LogLevel VERBOSE",
        ]
        if self.env:  # one line: sshd honours only the first SetEnv
            lines.append("SetEnv " + " ".join(f'"{k}={v}"' for k, v in self.env.items()))
        path = self.root / "sshd_config"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def start(self) -> None:
        if os.geteuid() == 0 and not PRIVSEP_DIR.is_dir():
            PRIVSEP_DIR.mkdir(mode=0o755)
        for _ in range(3):  # another process may take the free port first
            self.port = _free_port()
            config = self.config()
            subprocess.run([SSHD, "-t", "-f", str(config)], check=True, capture_output=True)
            self.process = subprocess.Popen(
                [SSHD, "-D", "-f", str(config), "-E", str(self.log)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._listening():
                return
            self.stop()
        raise RuntimeError(f"sshd did not start:\n{self.log.read_text(errors='replace')}")

    def _listening(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop sshd and every process it started (a connection's sshd runs in a session of
        its own, so it is found by its parent before the listener goes)."""
        if self.process is None:
            return
        pids = [self.process.pid, *_descendants(self.process.pid)]
        if self.pid_file.exists():
            with suppress(ValueError):
                pids.append(int(self.pid_file.read_text().split()[0]))
        for pid in dict.fromkeys(pids):
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        self.pid_file.unlink(missing_ok=True)

    def ssh(self, key: Path, *command: str, tty: bool | None = None) -> list[str]:
        """The ssh client command line for key (None: the client decides about a pty)."""
        argv = ["ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no"]
        argv += ["-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes"]
        argv += ["-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"]
        argv += ["-i", str(key), "-p", str(self.port)]
        argv += [] if tty is None else (["-tt"] if tty else ["-T"])
        return [*argv, f"{_user()}@127.0.0.1", *command]


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@contextmanager
def running_sshd(root: Path, authorized_keys: Path, env: dict[str, str]) -> Iterator[Sshd]:
    server = Sshd(root, authorized_keys, env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
