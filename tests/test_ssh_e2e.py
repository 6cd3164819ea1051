"""End to end over real SSH: a throwaway sshd (tests/sshd.py) whose authorized_keys file is
written by `callblock team add-rep`; the clients are the stock ssh command, in tmux for the app."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from callblock.cli import main
from tests import sshd
from tests.test_e2e_tmux import Tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(sshd.available() is not None, reason=str(sshd.available())),
    pytest.mark.skipif(
        subprocess.run(["which", "tmux"], capture_output=True).returncode != 0,
        reason="tmux is not installed",
    ),
]


@dataclass
class Floor:
    server: sshd.Sshd
    db: Path
    keys: dict[str, Path]

    def ssh(self, who: str, *command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.server.ssh(self.keys[who], *command, tty=False),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Floor]:
    """A team database (in a folder whose name holds a space: the authorized_keys line must
    quote it), reps alice and bob (a lead) with keys, eve's key never registered."""
    root = tmp_path_factory.mktemp("floor")
    db = root / "team db" / "floor.db"
    db.parent.mkdir()
    # Calling hours around the clock: these tests run on the real clock (an SSH session's
    # command may not choose --now), and a `log` at 21:30 New York time was refused.
    config = root / "config.toml"
    config.write_text(
        "[calling_window]\n"
        'start = "00:00"\n'
        'end = "23:59:59.999999"\n'
        "[calling_window.regions.US-FL]\n"
        'start = "00:00"\n'
        'end = "23:59:59.999999"\n'
    )
    env = {"TZ": "America/New_York", "CALLBLOCK_CONFIG": str(config)}
    if os.environ.get("PYTHONPATH"):  # the source under test, in sshd's sessions too
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    assert main(["--db", str(db), "demo", "--leads", "30"]) == 0
    authorized = root / "authorized_keys"
    keys = {name: sshd.keygen(root / f"{name}_key") for name in ("alice", "bob", "eve")}
    for name, role in (("alice", "rep"), ("bob", "lead")):
        pub = str(keys[name]) + ".pub"
        argv = ["--db", str(db), "team", "add-rep", name, "--role", role]
        assert main([*argv, "--key-file", pub, "--authorized-keys", str(authorized)]) == 0
    with sshd.running_sshd(root, authorized, env) as server:
        yield Floor(server, db, keys)


def test_an_allowed_command_runs_as_the_keys_rep(floor: Floor) -> None:
    done = floor.ssh("alice", "queue --json")
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    done = floor.ssh("alice", "leads --json --limit 1")
    assert done.returncode == 0, done.stderr
    lead = json.loads(done.stdout)[0]["lead_id"]
    done = floor.ssh("alice", f"callblock log --lead {lead} --outcome busy --json")
    assert done.returncode == 0, done.stderr
    done = floor.ssh("bob", f"history --lead {lead} --json")  # a lead reads it back
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["rep"] == "alice"


def test_an_original_command_choosing_the_rep_gets_one_line_and_fails(floor: Floor) -> None:
    for command in ("queue --rep bob", "queue --re=bob", "callblock --db /tmp/x.db queue"):
        done = floor.ssh("alice", command)
        assert done.returncode == 1 and done.stdout == "", done
        assert done.stderr.count("\n") == 1 and "fixed by your SSH key" in done.stderr


def test_a_rep_cannot_run_a_leads_command_nor_a_shell(floor: Floor) -> None:
    for command in ("review", "export touches", "sh -c id", "scp -t /tmp"):
        done = floor.ssh("alice", command)
        assert done.returncode == 1 and done.stdout == "", done
        assert "not a command a rep may run" in done.stderr
    done = floor.ssh("bob", "team list --json")
    assert done.returncode == 0, done.stderr
    assert [row["rep"] for row in json.loads(done.stdout)] == ["alice", "bob"]


def test_an_unregistered_key_gets_nothing(floor: Floor) -> None:
    done = floor.ssh("eve", "queue --json")
    assert done.returncode == 255 and done.stdout == ""
    assert "Permission denied" in done.stderr


def test_no_terminal_and_no_command_says_so(floor: Floor) -> None:
    done = floor.ssh("alice")
    assert done.returncode == 2 and done.stdout == ""
    assert "the app needs a terminal" in done.stderr and done.stderr.count("\n") == 1


def test_each_key_gets_its_own_reps_screen(floor: Floor, tmp_path: Path) -> None:
    panes = {name: Tmux() for name in ("alice", "bob")}
    try:
        for name, pane in panes.items():
            argv = floor.server.ssh(floor.keys[name], tty=True)
            pane.start(argv, {}, tmp_path / f"{name}-status")
        for name, pane in panes.items():
            lines = pane.wait_for(lambda lines, n=name: f"callblock · {n} ·" in lines[0], 20)
            other = "bob" if name == "alice" else "alice"
            assert other not in lines[0]
        for pane in panes.values():
            pane("send-keys", "q")
        for name, pane in panes.items():
            assert pane.wait_exit(20) == 0, name
    finally:
        for pane in panes.values():
            pane.kill()


def test_removing_a_rep_closes_their_door(floor: Floor, tmp_path: Path) -> None:
    carol = sshd.keygen(tmp_path / "carol_key")
    argv = ["--db", str(floor.db), "team", "add-rep", "carol"]
    authorized = ["--authorized-keys", str(floor.server.authorized_keys)]
    assert main([*argv, "--key-file", str(carol) + ".pub", *authorized]) == 0
    floor.keys["carol"] = carol
    assert floor.ssh("carol", "queue --json").returncode == 0
    assert main(["--db", str(floor.db), "team", "remove-rep", "carol"]) == 0
    done = floor.ssh("carol", "queue --json")
    assert done.returncode == 255 and "Permission denied" in done.stderr


def _rows(db: Path, sql: str) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _wait_rows(db: Path, sql: str, ready, timeout: float = 20.0) -> list[tuple]:
    import time

    deadline = time.monotonic() + timeout
    while True:
        found = _rows(db, sql)
        if ready(found):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def test_a_killed_client_lets_its_lead_go_and_reconnecting_resumes_the_block(
    tmp_path: Path,
) -> None:
    """The real clock (sshd never lets a client pick `--now`): the team's calling window is the
    whole day and the leads arrive now, so a lead is callable whenever the test runs."""
    import signal
    import time

    db = tmp_path / "drop.db"
    env = {"TZ": "America/New_York", "CALLBLOCK_CONFIG": str(tmp_path / "no-config.toml")}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    assert main(["--db", str(db), "team", "init", "--timezone", "America/New_York"]) == 0
    window = ['calling_window.start="00:00"', 'calling_window.end="23:59"']
    assert main(["--db", str(db), "team", "settings", *(f"--set={s}" for s in window)]) == 0
    for n in range(3):
        assert main(["--db", str(db), "--rep", "alice", "add", "--name", f"Lead {n}",
                     "--company", "Acme", "--phone", f"+1 212 555 01{n:02d}"]) == 0  # fmt: skip
    key = sshd.keygen(tmp_path / "alice_key")
    authorized = tmp_path / "authorized_keys"
    argv = ["--db", str(db), "team", "add-rep", "alice", "--key-file", f"{key}.pub"]
    assert main([*argv, "--authorized-keys", str(authorized)]) == 0
    with sshd.running_sshd(tmp_path, authorized, env) as server:
        first = Tmux()
        try:
            first.start(server.ssh(key, tty=True), {}, tmp_path / "first-status")
            first.wait_for(lambda lines: "callblock · alice ·" in lines[0], 20)
            first("send-keys", "p")  # a power hour now
            lead, session = _wait_rows(db, "SELECT lead_id, session_id FROM leases", bool)[0]
            client = first.app_pid()  # the ssh client in the pane
            os.kill(client, signal.SIGKILL)  # the rep's laptop dies: no goodbye from the client
            started = time.monotonic()
            _wait_rows(db, "SELECT * FROM leases", lambda rows: not rows)
            freed_after = time.monotonic() - started
            assert freed_after < 10, freed_after  # sshd hangs up the session at once
        finally:
            first.kill()
        owner = _rows(db, f"SELECT owner, ended_at FROM sessions WHERE id = {session}")
        assert owner == [(None, None)]  # kept for a reconnect
        again = Tmux()
        try:
            again.start(server.ssh(key, tty=True), {}, tmp_path / "again-status")
            again.wait_for(lambda lines: any("Resumed your block" in line for line in lines), 20)
            assert _wait_rows(db, "SELECT lead_id, session_id FROM leases", bool) == [
                (lead, session)
            ]  # the same block, the same lead first
            again("send-keys", "q")  # end the block: its summary
            _wait_rows(db, f"SELECT ended_at FROM sessions WHERE id = {session}",
                       lambda rows: rows[0][0] is not None)  # fmt: skip
        finally:
            again.kill()
