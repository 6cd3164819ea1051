"""`callblock ssh-session NAME`, the forced command of a rep's key, run in-process: who may run
what, and that nothing the client asks can choose the identity, the database or a host file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.domain.reps import CommandRefused, identity_option, ssh_command
from tests.test_team import NOW_ARG

LEADS_CSV = "Name,Company,Phone\nAnn Stdin,Acme,+1 212 555 0101\n"


@pytest.fixture
def team_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "team.db"
    for name, role in (("alice", "rep"), ("bob", "lead"), ("gone", "rep")):
        assert main(["--db", str(db), "team", "add-rep", name, "--role", role]) == 0
    assert main(["--db", str(db), "team", "remove-rep", "gone"]) == 0
    assert main(["--db", str(db), "--rep", "alice", "--now", NOW_ARG, "add", "--name", "Jo Doe",
                 "--company", "Acme", "--phone", "+1 212 555 0199"]) == 0  # fmt: skip
    capsys.readouterr()
    return db


def session(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    name: str,
    original: str | None,
    stdin: str = "",
) -> tuple[int, str, str]:
    """Run the forced command as sshd would: the client's command in SSH_ORIGINAL_COMMAND."""
    if original is None:
        monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    else:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", original)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    try:
        code = main(["--db", str(db), "--now", NOW_ARG, "ssh-session", name])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_name_that_is_not_a_current_rep_gets_one_line_and_exit_1(
    capsys, monkeypatch, team_db: Path
) -> None:
    for name in ("mallory", "gone", "Ann Lee", "eve\x1b]52;c;aGk=\x07"):
        code, out, err = session(capsys, monkeypatch, team_db, name, "queue --json")
        assert (code, out) == (1, ""), err
        assert err.startswith("callblock: error: ") and "is not a registered rep" in err
        assert err.count("\n") == 1 and "\x1b" not in err


def test_an_allowed_command_runs_as_the_keys_rep(capsys, monkeypatch, team_db: Path) -> None:
    code, out, err = session(capsys, monkeypatch, team_db, "alice", "queue --json")
    assert code == 0, err
    assert [row["name"] for row in json.loads(out)] == ["Jo Doe"]
    lead = str(json.loads(out)[0]["lead_id"])
    code, out, err = session(
        capsys, monkeypatch, team_db, "alice", f"callblock log --lead {lead} --outcome busy"
    )
    assert code == 0, err
    code, out, err = session(capsys, monkeypatch, team_db, "bob", f"history --lead {lead} --json")
    assert code == 0 and [t["rep"] for t in json.loads(out)] == ["alice"], err


@pytest.mark.parametrize(
    "original",
    [
        "queue --rep bob",
        "queue --rep=bob",
        "queue --re bob",
        "queue --r=bob",
        "--rep bob queue",
        "callblock --db /tmp/other.db queue",
        "queue --d=/tmp/other.db",
        "queue --conf /tmp/evil.toml",
        "queue --now 2030-01-01T00:00:00Z",
        "queue --no=2030-01-01T00:00:00Z",
        "log --lead 1 --outcome busy --note x --rep bob",
    ],
)
def test_identity_options_are_refused_in_one_line(
    capsys, monkeypatch, team_db: Path, original: str
) -> None:
    before = team_db.read_bytes()
    code, out, err = session(capsys, monkeypatch, team_db, "alice", original)
    assert code == 1 and out == ""
    assert err.startswith("callblock: error: ssh: --") and "fixed by your SSH key" in err
    assert err.count("\n") == 1
    assert team_db.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "original", "says"),
    [
        ("alice", "review", "not a command a rep may run"),
        ("alice", "export touches", "not a command a rep may run"),
        ("alice", "team list", "not a command a rep may run"),
        ("alice", "doctor", "not a command a rep may run"),
        ("alice", "ssh-session bob", "not a command a rep may run"),
        ("alice", "bash -i", "not a command a rep may run"),
        ("alice", "scp -t /root/.ssh/authorized_keys", "not a command a rep may run"),
        ("bob", "team add-rep eve", "only `team list`"),
        ("bob", "team remove-rep alice", "only `team list`"),
        ("bob", "demo", "not a command a lead may run"),
        ("bob", "export touches -o /root/.ssh/authorized_keys", "names a file on the host"),
        ("bob", "export touches --out=/tmp/x", "names a file on the host"),
        ("bob", "export touches -o/tmp/x", "names a file on the host"),
        ("bob", "import /root/.ssh/id_ed25519", "reads stdin"),
        ("bob", "import - --rejects /tmp/x.csv", "names a file on the host"),
        ("bob", "import - --skip", "names a file on the host"),
        ("alice", "queue 'unclosed", "cannot read the command"),
    ],
)
def test_commands_outside_the_roles_list_are_refused(
    capsys, monkeypatch, team_db: Path, name: str, original: str, says: str
) -> None:
    code, out, err = session(capsys, monkeypatch, team_db, name, original)
    assert code == 1 and out == "", err
    assert says in err and err.count("\n") == 1


def test_a_lead_runs_team_list_report_and_export_to_stdout(
    capsys, monkeypatch, team_db: Path
) -> None:
    code, out, err = session(capsys, monkeypatch, team_db, "bob", "team list --json")
    assert code == 0 and [row["rep"] for row in json.loads(out)] == ["alice", "bob"], err
    code, out, err = session(capsys, monkeypatch, team_db, "bob", "export leads --format json")
    assert code == 0 and [row["name"] for row in json.loads(out)] == ["Jo Doe"], err
    code, out, err = session(capsys, monkeypatch, team_db, "bob", "report --format json")
    assert code == 0, err


def test_a_lead_imports_a_csv_from_stdin(capsys, monkeypatch, team_db: Path) -> None:
    code, out, err = session(
        capsys, monkeypatch, team_db, "bob", "import - --json", stdin=LEADS_CSV
    )
    assert code == 0, err
    assert json.loads(out)["imported"] == 1 and json.loads(out)["committed"]
    code, out, err = session(capsys, monkeypatch, team_db, "bob", "leads --search Stdin --json")
    assert code == 0 and json.loads(out)[0]["name"] == "Ann Stdin", err


def test_no_command_and_no_terminal_says_so_and_exits(capsys, monkeypatch, team_db: Path) -> None:
    for original in (None, "", "callblock", "  "):
        code, out, err = session(capsys, monkeypatch, team_db, "alice", original)
        assert code == 2 and out == ""
        assert "the app needs a terminal" in err and err.count("\n") == 1


def test_a_missing_database_is_not_created(capsys, monkeypatch, tmp_path: Path) -> None:
    code, _, err = session(capsys, monkeypatch, tmp_path / "none.db", "alice", "queue")
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize(
    ("token", "option"),
    [
        ("--rep", "--rep"),
        ("--re=x", "--rep"),
        ("--r", "--rep"),
        ("--d", "--db"),
        ("--c", "--config"),
        ("--con", "--config"),
        ("--n", "--now"),
        ("--now=x", "--now"),
        ("--date", None),
        ("--com", None),
        ("--note", None),
        ("--", None),
        ("-r", None),
        ("rep", None),
    ],
)
def test_identity_option_knows_every_spelling_argparse_accepts(
    token: str, option: str | None
) -> None:
    assert identity_option(token) == option


def test_a_quoted_value_is_a_value_not_an_option() -> None:
    assert ssh_command("leads --search '--rep x'", "rep") == ["leads", "--search", "--rep x"]
    with pytest.raises(CommandRefused):
        ssh_command("leads --search=x --rep x", "rep")


def test_what_was_parsed_keeps_the_identity_even_if_the_token_check_missed_it(
    capsys, monkeypatch, team_db: Path, tmp_path: Path
) -> None:
    """The second guard: the parsed arguments, not only the typed words, must keep the rep,
    database, config and clock the key fixed."""
    import shlex

    monkeypatch.setattr("callblock.domain.reps.ssh_command", lambda text, role: shlex.split(text))
    for original in ("queue --rep bob", "queue --re=bob", "--db /tmp/x.db queue"):
        code, out, err = session(capsys, monkeypatch, team_db, "alice", original)
        assert code == 1 and out == "", err
        assert "may not choose --rep, --db, --config or --now" in err
    target = tmp_path / "x.csv"
    code, _, err = session(capsys, monkeypatch, team_db, "bob", f"export touches -o {target}")
    assert code == 1 and "goes to stdout" in err
    assert not target.exists()


def test_a_rep_previews_templates_over_ssh_but_changes_none(
    capsys, monkeypatch, team_db: Path
) -> None:
    """Reading the team's templates and rendering one for a lead run over SSH for any role;
    writing them (their folders and files are on the host) does not."""
    add = ["--db", str(team_db), "--rep", "bob", "templates", "add", "hi", "--channel", "sms"]
    body = team_db.parent / "hi.txt"
    body.write_text("Hi {{ first_name | default('there') }}, {{ company }} here.\n")
    assert main([*add, "--file", str(body)]) == 0
    capsys.readouterr()
    code, out, err = session(capsys, monkeypatch, team_db, "alice", "templates list --json")
    assert code == 0 and [row["name"] for row in json.loads(out)] == ["hi"], err
    code, out, err = session(capsys, monkeypatch, team_db, "alice", "render hi --lead 1 --json")
    assert code == 0 and json.loads(out)["body"] == "Hi Jo, Acme here.", err
    for name in ("alice", "bob"):
        for original in ("templates import /tmp", "templates export /tmp", "templates remove hi"):
            code, out, err = session(capsys, monkeypatch, team_db, name, original)
            assert code == 1 and out == "", err
            assert "only list, show and check run over SSH" in err and err.count("\n") == 1
    assert main(["--db", str(team_db), "templates", "list", "--json"]) == 0
    assert [row["name"] for row in json.loads(capsys.readouterr().out)] == ["hi"]
