"""The [smtp] settings (a config file's, a team database's) and `callblock send` end to end:
the password is never a setting, every bad key is named with its line, a rep's sender address
can be set, and a sent email is one command, one line of error when it is not."""

from __future__ import annotations

import email
import json
import sqlite3
from email.policy import default as default_policy
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.config import ConfigError, load_settings
from callblock.config.smtp import SmtpSettings
from callblock.domain.models import Template, TemplateChannel
from callblock.store import Store
from tests.mail_helpers import Server, free_port, make_certificate, run_server, use_render

NOW = "2026-11-23T19:00:00Z"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


# The config file ------------------------------------------------------------------------------
def test_a_config_file_smtp_table_is_read_with_its_defaults(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[smtp]\nhost = "mail.example.com"\nsecurity = "tls"\n')
    smtp = load_settings(path, required=True, machine_zone="UTC").smtp
    assert smtp == SmtpSettings("mail.example.com", 465, "tls")
    assert load_settings(None, required=False, machine_zone="UTC").smtp is None


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('[smtp]\nhost = "m.example.com"\npassword = "hunter2"\n', 3, "never kept in the settings"),
        ('[smtp]\nhost = "m.example.com"\nsecurity = "ssl"\n', 3, "not one of starttls, tls, none"),
        ('[smtp]\nhost = "m.example.com"\nport = 70000\n', 3, "must be 1..65535"),
        ('[smtp]\nhost = "m.example.com"\nusername = "u"\n', 3, "needs smtp.password_env"),
        ('[smtp]\nhost = "m.example.com"\npassword_env = "PW"\n', 3, "needs smtp.username"),
        ('[smtp]\nhost = "m.example.com"\nsender = "x"\n', 3, "unknown key"),
        ("[smtp]\nport = 25\n", 1, "is required in [smtp]"),
        (
            '[smtp]\nhost = "m"\nsecurity = "none"\nusername = "u"\npassword_env = "PW"\n',
            3,
            "sends the password unencrypted",
        ),
        (
            '[smtp]\nhost = "m"\nusername = "u"\npassword_file = "secrets/pw"\n',
            4,
            "must be an absolute path",
        ),
        (
            '[smtp]\nhost = "m"\nusername = "u"\npassword_env = "P"\npassword_file = "/p"\n',
            5,
            "not both",
        ),
        ('[smtp]\nhost = "m"\nusername = "u"\npassword_env = "A-B"\n', 4, "not an environment"),
        ('smtp = "mail.example.com"\n', 1, "must be a [section]"),
    ],
)
def test_a_bad_smtp_key_is_named_with_its_line(
    tmp_path: Path, text: str, line: int, says: str
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_settings(path, required=True, machine_zone="UTC")
    message = str(refused.value)
    assert message.startswith(f"{path}, line {line}: key 'smtp"), message
    assert says in message and "hunter2" not in message


# A team database ------------------------------------------------------------------------------
@pytest.fixture
def team_db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    db = tmp_path / "team.db"
    assert run(capsys, db, "team", "init", "--timezone", "America/New_York")[0] == 0
    code, _, err = run(capsys, db, "team", "add-rep", "alice", "--role", "lead")
    assert code == 0, err
    return db


def test_team_settings_keep_where_the_password_is_never_the_password(
    capsys: pytest.CaptureFixture[str], team_db: Path
) -> None:
    sets = ["smtp.host=mail.example.com", "smtp.username=floor", "smtp.password_env=FLOOR_PW"]
    code, out, err = run(capsys, team_db, "team", "settings", *(f"--set={s}" for s in sets))
    assert code == 0, err
    assert 'smtp.password_env: (none) -> "FLOOR_PW"\n' in out
    code, out, _ = run(capsys, team_db, "team", "settings", "--json")
    assert list(json.loads(out)["smtp"].items()) == list(
        {
            "host": "mail.example.com",
            "port": 587,
            "security": "starttls",
            "username": "floor",
            "password_env": "FLOOR_PW",
        }.items()
    )  # in the order of the config file's keys
    code, _, err = run(capsys, team_db, "team", "settings", "--set", "smtp.password=hunter2")
    assert code == 1 and "never kept in the settings" in err and err.count("\n") == 1
    assert "hunter2" not in err
    assert b"hunter2" not in team_db.read_bytes()  # not in the settings, nor in the audit
    code, out, _ = run(capsys, team_db, "team", "settings", "--set", "smtp={}")
    assert code == 0 and "smtp" not in json.loads(
        run(capsys, team_db, "team", "settings", "--json")[1]
    )


def test_a_users_config_may_not_hold_smtp_on_a_team_database(
    capsys: pytest.CaptureFixture[str], team_db: Path, tmp_path: Path
) -> None:
    config = write_config(tmp_path, '[smtp]\nhost = "mine.example.com"\n')
    code, _, err = run(capsys, team_db, "--config", str(config), "queue")
    assert code == 1 and "line 2: key 'smtp.host': a team setting" in err


def test_a_current_reps_address_can_be_set_and_only_that(
    capsys: pytest.CaptureFixture[str], team_db: Path
) -> None:
    code, _, err = run(capsys, team_db, "team", "add-rep", "alice", "--email", "a@example.com")
    assert code == 0, err
    store = Store.open(team_db)
    try:
        rep = store.admin.get_rep("alice")
    finally:
        store.close()
    assert rep is not None and (rep.email, rep.role) == ("a@example.com", "lead")
    code, _, err = run(capsys, team_db, "team", "add-rep", "alice", "--role", "rep")
    assert code == 1 and "already a rep" in err
    code, _, err = run(capsys, team_db, "team", "add-rep", "alice", "--email", "not-an-address")
    assert code == 1 and "email:" in err


# `callblock send` -------------------------------------------------------------------------------
@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cert, key = make_certificate(tmp_path_factory.mktemp("tls"))
    yield from run_server("none", cert, key, login=False)


def _lead_and_template(capsys: pytest.CaptureFixture[str], db: Path, email_address: str) -> int:
    code, out, err = run(
        capsys,
        db,
        "add",
        "--name",
        "Jim Brodo",
        "--company",
        "Brodo & Söhne",
        "--phone",
        "+1 212 555 0100",
        "--email",
        email_address,
        "--json",
    )
    assert code == 0, err
    store = Store.open(db)
    try:
        body = "Hello,\n\nnotes for {{ company }} — as promised.\n"
        template = Template("intro", TemplateChannel.EMAIL, body, subject="{{ company }}: notes")
        store.templates.save_templates([template], at=NOW, rep="alice")
    finally:
        store.close()
    return int(json.loads(out)["lead_id"])


def test_send_on_a_team_database_delivers_and_records(
    capsys: pytest.CaptureFixture[str],
    team_db: Path,
    relay: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_render(monkeypatch)
    lead = _lead_and_template(capsys, team_db, "jim@example.org")
    args = ["send", "--lead", str(lead), "--template", "intro"]
    code, _, err = run(capsys, team_db, *args)
    assert code == 1 and "alice has no email address" in err and err.count("\n") == 1
    run(capsys, team_db, "team", "add-rep", "alice", "--email", "alice@example.com")
    code, _, err = run(capsys, team_db, *args)
    assert code == 1 and "no mail server set up" in err
    sets = [
        "--set=smtp.host=127.0.0.1",
        f"--set=smtp.port={relay.port}",
        "--set=smtp.security=none",
    ]
    assert run(capsys, team_db, "team", "settings", *sets)[0] == 0

    code, out, err = run(capsys, team_db, *args, "--dry-run")
    assert code == 0, err
    assert out.startswith("From: alice <alice@example.com>\nTo: Jim Brodo <jim@example.org>\n")
    assert "Subject: Brodo & Söhne: notes\n" in out and "nothing sent, nothing recorded" in out
    assert relay.inbox.messages == []

    code, out, err = run(capsys, team_db, *args, "--json")
    assert code == 0, err
    sent = json.loads(out)
    assert sent["dry_run"] is False and sent["subject"] == "Brodo & Söhne: notes"
    [received] = relay.inbox.messages
    message = email.message_from_bytes(received.data, policy=default_policy)
    assert message["Message-ID"] == sent["message_id"]
    assert "notes for Brodo & Söhne — as promised." in message.get_content()
    with sqlite3.connect(team_db) as conn:
        row = conn.execute(
            "SELECT channel, outcome, template, variant, message_id, rep FROM touches WHERE id = ?",
            (sent["touch_id"],),
        ).fetchone()
    assert row == ("email", "sent", "intro", None, sent["message_id"], "alice")


def test_send_to_a_server_that_is_down_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_render(monkeypatch)
    db = tmp_path / "solo.db"
    config = write_config(
        tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\n'
    )
    lead = _lead_and_template(capsys, db, "jim@example.org")
    store = Store.open(db)
    try:
        from callblock.domain.reps import Rep

        store.admin.save_rep(Rep("alice", "lead", None, "alice@example.com"), NOW)
    finally:
        store.close()
    code, out, err = run(
        capsys, db, "--config", str(config), "send", "--lead", str(lead), "--template", "intro"
    )
    assert (code, out) == (1, "")
    assert err.startswith("callblock: error: not sent, nothing recorded: cannot reach the mail")
    assert err.count("\n") == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM touches WHERE channel = 'email'").fetchone() == (
            0,
        )


def test_send_refuses_bad_arguments_before_opening_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(tmp_path / "x.db"), "send", "--lead", "0", "--template", "x"])
    assert stop.value.code == 2
    assert not (tmp_path / "x.db").exists()
    assert capsys.readouterr().err.startswith("callblock: error: send: argument --lead")


def test_a_refused_render_lists_every_problem_and_sends_nothing(
    capsys: pytest.CaptureFixture[str],
    team_db: Path,
    relay: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problems = (
        "lead 1 has no first name: add it, or give the template a fallback",
        "lead 1 has no interest: add it, or give the template a fallback",
    )
    use_render(monkeypatch, stand_in=True, problems=problems)
    lead = _lead_and_template(capsys, team_db, "jim@example.org")
    run(capsys, team_db, "team", "add-rep", "alice", "--email", "alice@example.com")
    sets = [
        f"--set=smtp.port={relay.port}",
        "--set=smtp.host=127.0.0.1",
        "--set=smtp.security=none",
    ]
    assert run(capsys, team_db, "team", "settings", *sets)[0] == 0
    code, out, err = run(capsys, team_db, "send", "--lead", str(lead), "--template", "intro")
    assert (code, out) == (1, "")
    assert err == f"callblock: error: template 'intro': {'; '.join(problems)}\n"
    assert relay.inbox.messages == []
    with sqlite3.connect(team_db) as conn:
        assert conn.execute("SELECT count(*) FROM touches").fetchone() == (0,)
