"""A throwaway PostgreSQL server for the tests: never the system's service.

initdb refuses to run as root, so as root the server runs as the unprivileged `postgres` user
(`runuser`); its data and socket live in a temporary folder, it listens on 127.0.0.1 on a free
port and is stopped (and its folder removed) at the end. Logins over TCP need the password, so
tests can prove a URL's password is never printed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from itertools import count
from pathlib import Path

USER = "callblock"
PASSWORD = "s3cret-pw"  # the tests look for it in every message: it must never appear
TEMPLATE = "callblock_migrated"


def find_bindir() -> Path | None:
    """The folder with initdb and pg_ctl (Debian keeps them off PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """initdb + pg_ctl start in a temp folder; `url(name)` for a database on it."""

    def __init__(self, bindir: Path, *, max_connections: int = 150, durable: bool = False) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="callblock-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.max_connections = max_connections
        self.durable = durable  # the benchmark's server syncs to disk as a real one does
        self._names = count(1)
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")
            self.folder.chmod(0o700)

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._as_user, *args], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> PgServer:
        password_file = self.folder / "pw"
        password_file.write_text(PASSWORD + "\n")
        if self._as_user:
            shutil.chown(password_file, "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--pwfile",
            str(password_file),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            f"-c max_connections={self.max_connections} "
        )
        if self.durable:
            options += "-c shared_buffers=512MB -c effective_cache_size=4GB -c work_mem=16MB"
        else:
            options += (
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c shared_buffers=64MB"
            )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", *, password: bool = True) -> str:
        secret = f":{PASSWORD}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(statement)

    def new_database(self, *, template: str = "template0") -> str:
        """A new empty database (or a copy of `template`); its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        for attempt in range(20):
            try:
                self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                break
            except Exception as error:  # the template busy for a moment: another copy runs
                if "being accessed by other users" not in str(error) or attempt == 19:
                    raise
                time.sleep(0.05)
        return self.url(name)


class LinkProxy:
    """A TCP forwarder to the server that a test can cut (every connection dropped, new ones
    refused: a link gone down) and restore on the same port."""

    def __init__(self, target_port: int) -> None:
        import threading

        self.target_port = target_port
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def url(self, database: str) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def restore(self) -> None:
        import threading

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
            listener, self._listener = self._listener, None
        for sock in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
