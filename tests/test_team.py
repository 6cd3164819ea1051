"""A team on one host: rep names, `team add-rep` (keys and authorized_keys), `team list`,
`team remove-rep`, and who a removed rep can no longer be."""

from __future__ import annotations

import base64
import json
import os
import shlex
import struct
from datetime import timedelta
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import iso
from callblock.domain.reps import REP_NAME_RULE, rep_name_problem
from callblock.domain.sshkeys import (
    SshKeyError,
    authorized_line,
    forced_command,
    key_of_line,
    parse_public_key,
)
from callblock.store import Store
from tests.conftest import NOW

NOW_ARG = iso(NOW)


def fake_key(seed: int, kind: str = "ssh-ed25519") -> str:
    """A public key line as ssh-keygen writes it (the blob names its type, then 32 bytes)."""
    name = kind.encode()
    blob = struct.pack(">I", len(name)) + name + struct.pack(">I", 32) + bytes([seed]) * 32
    return f"{kind} {base64.b64encode(blob).decode()} someone@laptop\n"


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--now", NOW_ARG, *args])
    out, err = capsys.readouterr()
    return code, out, err


def sshd_command(line: str) -> list[str]:
    """What sshd then the account's shell make of a line's command="..." (sshd's only escape
    inside the quotes is \\"; the shell splits what is left)."""
    start = line.index('command="') + len('command="')
    text, at = "", start
    while line[at] != '"':
        if line[at] == "\\" and line[at + 1] == '"':
            at += 1
        text += line[at]
        at += 1
    return shlex.split(text)


# rep names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["alice", "Bob", "ann.lee", "carmen_2", "d-e", "x" * 32, "_x"])
def test_rep_names_that_pass(name: str) -> None:
    assert rep_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    ["", "Ann Lee", "x" * 33, "-rf", ".", "..", "José", "a/b", "eve\x1b]52;c;aGk=\x07", "a\nb"],
)
def test_rep_names_that_are_refused_name_the_rule(name: str) -> None:
    problem = rep_name_problem(name)
    assert problem is not None and problem.endswith(f"({REP_NAME_RULE})")
    assert "\x1b" not in problem and "\n" not in problem


def test_a_rep_name_with_a_space_is_refused_as_rep_in_one_line(capsys, tmp_path: Path) -> None:
    code, out, err = cli(capsys, tmp_path / "cb.db", "--rep", "Ann Lee", "queue")
    assert (code, out) == (2, "")
    assert err == f"callblock: error: --rep: 'Ann Lee' is not a rep name ({REP_NAME_RULE})\n"
    assert not (tmp_path / "cb.db").exists()


def test_a_login_name_that_is_not_a_rep_name_needs_rep_only_where_a_rep_acts(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "Ann Lee")
    db = tmp_path / "cb.db"
    code, _, err = cli(capsys, db, "queue")
    assert code == 2 and "the login name is not a rep name" in err and "give --rep" in err
    assert err.count("\n") == 1
    code, out, err = cli(capsys, db, "--rep", "ann", "queue", "--json")
    assert code == 0 and json.loads(out) == [], err
    code, out, err = cli(capsys, db, "team", "list", "--json")  # acts as nobody: fine
    assert code == 0 and json.loads(out) == [], err


# keys ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('command="sh" ' + fake_key(1), "options such as command="),
        ("restrict " + fake_key(1), "options such as command="),
        (fake_key(1) + fake_key(2), "exactly one line"),
        ("", "exactly one line"),
        ("ssh-ed25519 not*base64", "not base64"),
        ("ssh-ed25519", "not base64"),
        (fake_key(1, "ssh-rsa").replace("ssh-rsa", "ssh-ed25519", 1), "not a ssh-ed25519 key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n", "one"),
        (fake_key(1).strip() + " bad\x1bcomment", "comment"),
        (fake_key(1).strip() + "\r" + fake_key(2), "one line"),
    ],
)
def test_a_key_file_that_is_not_one_plain_public_key_is_refused(text: str, says: str) -> None:
    with pytest.raises(SshKeyError, match=says):
        parse_public_key(text)


def test_a_public_key_keeps_type_and_blob_and_its_ssh_keygen_fingerprint() -> None:
    key = parse_public_key(fake_key(7))
    assert key.text == fake_key(7).rsplit(" ", 1)[0]
    assert key.fingerprint.startswith("SHA256:") and not key.fingerprint.endswith("=")
    line = authorized_line(forced_command("/usr/bin/callblock", "/srv/t.db", "alice"), key)
    assert line == (
        'restrict,pty,command="/usr/bin/callblock --db /srv/t.db ssh-session alice" ' + key.text
    )
    assert key_of_line(line) == key and key_of_line("# " + key.text) is None


def test_paths_with_spaces_and_quotes_reach_the_shell_intact() -> None:
    key = parse_public_key(fake_key(3))
    db = "/srv/sales floor/it's $HOME `x`.db"
    line = authorized_line(forced_command("/opt/call block/callblock", db, "bob"), key)
    assert sshd_command(line) == ["/opt/call block/callblock", "--db", db, "ssh-session", "bob"]
    assert key_of_line(line) == key
    for bad in ('/srv/a"b.db', "/srv/a\\b.db", "/srv/a\nb.db", "relative.db"):
        with pytest.raises(SshKeyError):
            forced_command("/usr/bin/callblock", bad, "bob")


# team add-rep / list / remove-rep -----------------------------------------------------------
@pytest.fixture
def keys(tmp_path: Path) -> list[Path]:
    found = []
    for seed in (1, 2, 3):
        path = tmp_path / f"key{seed}.pub"
        path.write_text(fake_key(seed), encoding="utf-8")
        found.append(path)
    return found


def add_rep(capsys, db: Path, name: str, *args: str) -> tuple[int, dict, str]:
    code, out, err = cli(capsys, db, "team", "add-rep", name, *args, "--json")
    return code, (json.loads(out) if code == 0 else {}), err


def test_add_rep_with_a_key_appends_one_line_and_creates_the_file_0600(
    capsys, tmp_path: Path, keys: list[Path]
) -> None:
    db, authorized = tmp_path / "team db" / "floor.db", tmp_path / "authorized_keys"
    db.parent.mkdir()
    code, added, err = add_rep(
        capsys,
        db,
        "alice",
        "--timezone",
        "America/Chicago",
        "--email",
        "alice@example.com",
        "--phone",
        "(212) 555-0143",
        "--key-file",
        str(keys[0]),
        "--authorized-keys",
        str(authorized),
    )
    assert code == 0, err
    assert os.stat(authorized).st_mode & 0o777 == 0o600
    [line] = authorized.read_text().splitlines()
    assert line == added["line"]
    key = parse_public_key(keys[0].read_text())
    assert line.startswith("restrict,pty,command=") and line.endswith(" " + key.text)
    program, *rest = sshd_command(line)
    assert Path(program).is_absolute() and Path(program).name == "callblock"
    assert rest == ["--db", str(db), "ssh-session", "alice"]
    assert added == {
        "rep": "alice",
        "role": "rep",
        "timezone": "America/Chicago",
        "email": "alice@example.com",
        "phone": "+12125550143",
        "key": key.fingerprint,
        "authorized_keys": str(authorized),
        "line": line,
    }


def test_add_rep_keeps_the_files_other_lines_bytes_and_mode(
    capsys, tmp_path: Path, keys: list[Path]
) -> None:
    db, authorized = tmp_path / "t.db", tmp_path / "authorized_keys"
    before = b"# admin\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwn0 caf\xe9-latin1\n"
    authorized.write_bytes(before)
    authorized.chmod(0o640)
    for name, key in (("alice", keys[0]), ("bob", keys[1])):
        code, _, err = add_rep(
            capsys, db, name, "--key-file", str(key), "--authorized-keys", str(authorized)
        )
        assert code == 0, err
    after = authorized.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 4
    assert os.stat(authorized).st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".authorized_keys")]


def test_one_key_opens_one_rep_and_a_key_already_in_the_file_is_refused(
    capsys, tmp_path: Path, keys: list[Path]
) -> None:
    db, authorized = tmp_path / "t.db", tmp_path / "authorized_keys"
    options = ["--key-file", str(keys[0]), "--authorized-keys", str(authorized)]
    assert add_rep(capsys, db, "alice", *options)[0] == 0
    before = authorized.read_bytes()
    for name in ("alice", "bob"):  # the same key again, for the same rep or another
        code, _, err = add_rep(capsys, db, name, *options)
        assert code == 1 and "already registered for alice" in err and err.count("\n") == 1
    assert authorized.read_bytes() == before
    # A key the file already holds (an admin's own, unrestricted line): sshd would use that
    # line, so a callblock line for it would give nothing but a false sense of safety.
    authorized.write_text(keys[1].read_text())
    code, _, err = add_rep(
        capsys, db, "bob", "--key-file", str(keys[1]), "--authorized-keys", str(authorized)
    )
    assert code == 1 and "line 1 already holds this key" in err
    code, out, _ = cli(capsys, db, "team", "list", "--json")
    assert [row["rep"] for row in json.loads(out)] == ["alice"]  # bob was not half-added


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--timezone", "Mars/Base"], "timezone: unknown time zone 'Mars/Base'"),
        (["--email", "not-an-email"], "email:"),
        (["--phone", "12"], "phone:"),
        (["--key-file", "k.pub"], "go together"),
    ],
)
def test_add_rep_refuses_bad_details_in_one_line(
    capsys, tmp_path: Path, args: list[str], says: str
) -> None:
    code, _, err = add_rep(capsys, tmp_path / "t.db", "alice", *args)
    assert code == 1 and says in err and err.count("\n") == 1, err


def test_add_rep_refuses_a_name_twice_and_a_second_spelling(
    capsys, tmp_path: Path, db_path: Path
) -> None:
    db = db_path  # a file, or a database on the test server
    assert add_rep(capsys, db, "alice")[0] == 0
    code, _, err = add_rep(capsys, db, "alice")
    assert code == 1 and "already a rep" in err
    code, _, err = add_rep(capsys, db, "Alice")
    assert code == 1 and "already has alice" in err
    with pytest.raises(SystemExit) as exit_:  # refused by the parser: nothing opened
        main(["--db", str(tmp_path / "new.db"), "team", "add-rep", "Ann Lee"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"({REP_NAME_RULE})" in err and err.count("\n") == 1
    assert not (tmp_path / "new.db").exists()


def test_team_list_says_who_is_online(capsys, db_path: Path) -> None:
    db = db_path
    for name, role in (("alice", "rep"), ("bob", "lead"), ("carmen", "rep")):
        assert add_rep(capsys, db, name, "--role", role)[0] == 0
    store = Store.open(db)
    try:  # alice runs the app now; carmen's process stopped beating ten minutes ago
        store.sessions.insert_session(
            "alice", "Power hour", iso(NOW - timedelta(minutes=5)), 60, "p1"
        )
        store.sessions.heartbeat(1, "p1", iso(NOW - timedelta(seconds=10)), iso(NOW))
        store.sessions.insert_session(
            "carmen", "Power hour", iso(NOW - timedelta(minutes=10)), 60, "p2"
        )
    finally:
        store.close()
    code, out, err = cli(capsys, db, "team", "list", "--json")
    assert code == 0, err
    assert json.loads(out) == [
        {
            "rep": "alice",
            "role": "rep",
            "timezone": None,
            "online": True,
            "session_started": iso(NOW - timedelta(minutes=5)),
        },
        {"rep": "bob", "role": "lead", "timezone": None, "online": False, "session_started": None},
        {
            "rep": "carmen",
            "role": "rep",
            "timezone": None,
            "online": False,
            "session_started": None,
        },
    ]
    code, out, _ = cli(capsys, db, "team", "list")
    assert code == 0 and "alice" in out and "online since" in out and "offline" in out


def test_remove_rep_takes_its_lines_out_keeps_history_and_ends_its_use(
    capsys, tmp_path: Path, keys: list[Path]
) -> None:
    db, authorized = tmp_path / "t.db", tmp_path / "authorized_keys"
    authorized.write_text("# kept\n")
    for name, key in (("alice", keys[0]), ("bob", keys[1])):
        options = ["--key-file", str(key), "--authorized-keys", str(authorized)]
        assert add_rep(capsys, db, name, *options)[0] == 0
    code, out, _ = cli(capsys, db, "--rep", "alice", "add", "--name", "Jo Doe", "--company",
                       "Acme", "--phone", "+1 212 555 0101", "--json")  # fmt: skip
    lead = str(json.loads(out)["lead_id"])
    assert cli(capsys, db, "--rep", "alice", "log", "--lead", lead, "--outcome", "busy")[0] == 0
    store = Store.open(db)
    try:
        store.sessions.insert_session("alice", "Power hour", NOW_ARG, 60, "p1")
        store.sessions.claim(int(lead), 1, "alice", NOW_ARG, iso(NOW + timedelta(minutes=2)))
    finally:
        store.close()

    code, out, err = cli(capsys, db, "team", "remove-rep", "alice", "--json")
    assert code == 0, err
    removed = json.loads(out)
    assert removed["keys"] == [{"authorized_keys": str(authorized), "lines_removed": 1}]
    assert removed["sessions_ended"] == 1
    lines = authorized.read_text().splitlines()
    assert lines[0] == "# kept" and len(lines) == 2 and "ssh-session bob" in lines[1]
    code, out, _ = cli(capsys, db, "team", "list", "--json")
    assert [row["rep"] for row in json.loads(out)] == ["bob"]
    code, out, _ = cli(capsys, db, "history", "--lead", lead, "--json")
    assert [touch["rep"] for touch in json.loads(out)] == ["alice"]  # history stays
    store = Store.open(db)
    try:
        assert store.sessions.lease_holder(int(lead), NOW_ARG) is None  # the lead is free again
    finally:
        store.close()

    code, _, err = cli(capsys, db, "--rep", "alice", "queue")  # no longer usable
    assert code == 1 and "was removed from the team" in err
    code, _, err = cli(capsys, db, "team", "remove-rep", "alice")
    assert code == 1 and "not a current rep" in err
    # Back on the team: a new add-rep (and the same key may be registered again).
    code, added, err = add_rep(
        capsys, db, "alice", "--key-file", str(keys[0]), "--authorized-keys", str(authorized)
    )
    assert code == 0 and added["key"], err
    assert cli(capsys, db, "--rep", "alice", "queue")[0] == 0


def test_remove_rep_takes_out_an_edited_line_and_survives_a_missing_file(
    capsys, tmp_path: Path, keys: list[Path]
) -> None:
    db, authorized = tmp_path / "t.db", tmp_path / "authorized_keys"
    options = ["--key-file", str(keys[0]), "--authorized-keys", str(authorized)]
    assert add_rep(capsys, db, "alice", *options)[0] == 0
    edited = 'from="10.0.0.0/8",' + authorized.read_text()  # an admin narrowed it
    authorized.write_text("# top\n" + edited)
    code, out, err = cli(capsys, db, "team", "remove-rep", "alice", "--json")
    assert code == 0, err
    assert authorized.read_text() == "# top\n"
    options = ["--key-file", str(keys[1]), "--authorized-keys", str(authorized)]
    assert add_rep(capsys, db, "bob", *options)[0] == 0
    authorized.unlink()
    code, out, err = cli(capsys, db, "team", "remove-rep", "bob", "--json")
    assert code == 0 and json.loads(out)["keys"][0]["lines_removed"] == 0, err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_editing_a_users_authorized_keys_keeps_it_theirs(
    capsys, tmp_path: Path, keys: list[Path]
) -> None:
    db, authorized = tmp_path / "t.db", tmp_path / "authorized_keys"
    authorized.write_text("# sales\n")
    os.chown(authorized, 65534, 65534)  # nobody: sshd reads it as that user
    options = ["--key-file", str(keys[0]), "--authorized-keys", str(authorized)]
    assert add_rep(capsys, db, "alice", *options)[0] == 0
    assert (authorized.stat().st_uid, authorized.stat().st_gid) == (65534, 65534)
    assert cli(capsys, db, "team", "remove-rep", "alice")[0] == 0
    assert authorized.read_text() == "# sales\n" and authorized.stat().st_uid == 65534
