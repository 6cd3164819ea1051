"""Templates through the service and the command line (issue 11): add, list, export/import
(all or nothing, file and line named), check, render, the team lead's role, variants."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.models import Template, TemplateChannel
from callblock.domain.reps import Rep
from callblock.services import ServiceError
from callblock.services.demo import build_demo
from callblock.services.templates import (
    merge_values,
    render_for_lead,
    save_template,
    step_template,
)
from callblock.store import Store
from tests.conftest import NOW, ZONE

NOW_ARG = iso(NOW)


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW_ARG, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    db = tmp_path / "demo.db"
    store = Store.open(db)
    build_demo(store, FixedClock(NOW), leads=30, settings=Settings(timezone=ZONE))
    store.close()
    return db


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def stored(db: Path) -> dict[str, Template]:
    store = Store.open(db)
    try:
        return {t.name: t for t in store.templates.templates()}
    finally:
        store.close()


# add and list -----------------------------------------------------------------------------------
def test_add_then_list_json_shows_name_channel_step_variant_fields(capsys, tmp_path, demo) -> None:
    body = write(tmp_path / "b.txt", 'Hi {{ first_name | default("there") }},\n\n{{ interest }}\n')
    code, out, err = cli(
        capsys, demo, "templates", "add", "follow-1b", "--channel", "email", "--step", "2",
        "--variant", "c", "--subject", "About {{ company }}", "--file", str(body),
    )  # fmt: skip
    assert code == 0, err
    assert "template follow-1b saved (email, step 2, variant C)" in out
    code, out, _ = cli(capsys, demo, "templates", "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["follow-1b"] == {
        "name": "follow-1b",
        "channel": "email",
        "step": 2,
        "variant": "C",
        "subject": "About {{ company }}",
        "fields": ["first_name", "company", "interest"],
        "updated_at": NOW_ARG,
        "updated_by": "alice",
    }
    code, out, _ = cli(capsys, demo, "templates", "list")
    assert out.splitlines()[0].split() == ["name", "channel", "step", "var", "fields"]
    assert any(line.startswith("follow-1b ") for line in out.splitlines())


def test_add_refuses_every_problem_in_one_line_and_saves_nothing(capsys, tmp_path, demo) -> None:
    body = write(tmp_path / "b.txt", "Dear {Add first name} {{ first_name }},\n\n{{ frist_name }}")
    before = stored(demo)
    code, _, err = cli(
        capsys, demo, "templates", "add", "bad", "--channel", "email", "--file", str(body)
    )
    assert code == 1 and err.count("\n") == 1
    assert "subject: an email needs one" in err
    assert "line 1: '{Add first name}' would go out as typed" in err
    assert "line 3: unknown field 'frist_name' (did you mean first_name?)" in err
    assert stored(demo) == before


def test_save_template_is_a_team_leads_act(capsys, tmp_path, monkeypatch) -> None:
    import callblock.services.team as team_service

    db = tmp_path / "team.db"
    assert cli(capsys, db, "team", "init", "--timezone", ZONE)[0] == 0
    for name, role in (("lena", "lead"), ("rob", "rep")):
        assert cli(capsys, db, "team", "add-rep", name, "--role", role)[0] == 0
    monkeypatch.setattr(team_service, "is_floor_admin", lambda database: False)
    body = write(tmp_path / "b.txt", "Hi, about {{ company }}")
    add = ["templates", "add", "t", "--channel", "sms", "--file", str(body)]
    monkeypatch.setattr(team_service, "account_name", lambda: "rob")
    code, err = main(["--db", str(db), "--rep", "rob", *add]), capsys.readouterr().err
    assert code == 1 and "changing the templates is for a team lead; rob is not one" in err
    assert stored(db) == {}
    monkeypatch.setattr(team_service, "account_name", lambda: "lena")
    assert main(["--db", str(db), "--rep", "lena", *add]) == 0
    assert stored(db)["t"].updated_by == "lena"


def test_the_service_refuses_every_problem_and_saves_nothing(store) -> None:
    template = Template("x y", TemplateChannel.VOICEMAIL, "{{ oops }}", step=0, subject="s")
    with pytest.raises(ServiceError) as caught:
        save_template(store, template, rep="alice", now=NOW)
    message = str(caught.value)
    for part in ("name:", "step: 0 is outside", "subject: only an email", "unknown field 'oops'"):
        assert part in message
    assert store.templates.templates() == []


# export / import --------------------------------------------------------------------------------
def test_export_then_import_round_trips(capsys, tmp_path, demo) -> None:
    folder = tmp_path / "templates"
    code, out, err = cli(capsys, demo, "templates", "export", str(folder))
    assert code == 0, err
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(f"{name}.txt" for name in stored(demo))
    assert len(files) == 8
    assert (
        (folder / "email-2a.txt")
        .read_text()
        .startswith("channel: email\nstep: 2\nvariant: A\nsubject: ")
    )
    other = tmp_path / "other.db"
    Store.open(other).close()
    code, out, err = cli(capsys, other, "templates", "import", str(folder), "--json")
    assert code == 0, err
    assert sorted(json.loads(out)["added"]) == sorted(n[:-4] for n in files)

    def content(templates: dict[str, Template]) -> dict:
        keys = ("channel", "step", "variant", "subject", "body")
        return {n: tuple(getattr(t, k) for k in keys) for n, t in templates.items()}

    assert content(stored(other)) == content(stored(demo))
    code, out, _ = cli(capsys, other, "templates", "import", str(folder))
    assert "0 added, 0 changed, 8 unchanged" in out


def test_import_is_all_or_nothing_naming_file_and_line(capsys, tmp_path, demo) -> None:
    folder = tmp_path / "templates"
    assert cli(capsys, demo, "templates", "export", str(folder))[0] == 0
    good = folder / "email-6.txt"
    good.write_text(good.read_text().replace("so just one", "so just {{ frist_name }} one"))
    write(folder / "new-sms.txt", "channel: sms\nstep: 3\n\nHi {first_name}, about {{ company }}")
    write(folder / "bad name.txt", "channel: sms\n\nx {{ company }}")
    (folder / "linkedin-4.txt").write_text("channel: linkedin\n\nHi {{ company }}\r\nBye\r\n")
    before = demo.read_bytes()
    code, _out, err = cli(capsys, demo, "templates", "import", str(folder))
    assert code == 1
    lines = err.splitlines()
    line = next(i for i, text in enumerate(good.read_text().splitlines(), 1) if "frist" in text)
    assert (
        f"email-6.txt line {line}: unknown field 'frist_name' (did you mean first_name?)" in lines
    )
    assert any(x.startswith("new-sms.txt line 4: '{first_name}' would go out") for x in lines)
    assert any(x.startswith("bad name.txt: name: 'bad name' is not a template name") for x in lines)
    assert lines[-1].startswith("callblock: error: nothing imported: 3 problems in ")
    assert demo.read_bytes() == before


def test_import_refuses_a_missing_folder_and_skips_nothing_silently(capsys, tmp_path, demo) -> None:
    code, _, err = cli(capsys, demo, "templates", "import", str(tmp_path / "nowhere"))
    assert code == 1 and "no such folder" in err and err.count("\n") == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli(capsys, demo, "templates", "import", str(empty))
    assert code == 1 and "no template files" in err
    (empty / "x.txt").mkdir()  # a folder named like a template file
    code, _, err = cli(capsys, demo, "templates", "import", str(empty))
    assert code == 1 and "x.txt: not a plain file" in err


def test_export_never_writes_through_a_symlink(capsys, tmp_path, demo) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = write(tmp_path / "precious", "keep me")
    (folder / "call-script.txt").symlink_to(target)
    code, _, err = cli(capsys, demo, "templates", "export", str(folder))
    assert code == 1 and "not a plain file" in err
    assert target.read_text() == "keep me"


# check ------------------------------------------------------------------------------------------
def test_check_is_clean_on_the_demo_and_flags_a_weak_voicemail(capsys, tmp_path, demo) -> None:
    code, out, _ = cli(capsys, demo, "templates", "check", "--json")
    assert (code, json.loads(out)) == (0, [])
    body = write(
        tmp_path / "vm.txt", "Hi Mr. Brado, this is Mike from XYZ, call me back at 555-1212"
    )
    assert cli(capsys, demo, "templates", "add", "vm-bad", "--channel", "voicemail",
               "--step", "3", "--file", str(body))[0] == 0  # fmt: skip
    code, out, _ = cli(capsys, demo, "templates", "check", "--json")
    found = {(f["template"], f["check"]) for f in json.loads(out)}
    assert code == 1
    assert found == {("vm-bad", "voicemail"), ("vm-bad", "no-reference")}
    code, out, _ = cli(capsys, demo, "templates", "check")
    assert out.splitlines()[-1] == "9 templates checked, 2 findings"


# render -----------------------------------------------------------------------------------------
def test_render_prints_subject_and_body_for_the_lead(capsys, demo) -> None:
    code, out, err = cli(capsys, demo, "render", "email-6", "--lead", "3", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["subject"] == "A one-page idea for Brodo & Sons [UK] Ltd"
    assert "Brodo & Sons [UK] Ltd" in data["body"] and "{{" not in data["body"]
    assert data["warnings"] == []
    code, out, _ = cli(capsys, demo, "render", "email-6", "--lead", "3")
    assert out.startswith("Subject: A one-page idea for Brodo & Sons [UK] Ltd\n\nHi ")


def test_render_refuses_with_every_problem_and_exit_1(capsys, tmp_path, demo) -> None:
    body = write(tmp_path / "b.txt", "Hi {{ first_name }}, {{ rep.phone }} re {{ interest }}")
    assert cli(capsys, demo, "templates", "add", "strict", "--channel", "sms",
               "--file", str(body))[0] == 0  # fmt: skip
    add = ["add", "--name", "Ann Lee", "--company", "Acme", "--phone", "+1 212 555 0199"]
    code, out, err = cli(capsys, demo, *add, "--json")
    lead = json.loads(out)["lead_id"]
    code, out, err = cli(capsys, demo, "render", "strict", "--lead", str(lead), "--json")
    assert code == 1 and err.count("\n") == 1
    problems = json.loads(out)["problems"]
    assert f"lead {lead} has no interest: add it, or give the template a fallback" in problems
    assert any(p.startswith("rep alice has no phone number") for p in problems)
    code, out, err = cli(capsys, demo, "render", "nope", "--lead", "3")
    assert code == 1 and "no template named 'nope'" in err
    code, out, err = cli(capsys, demo, "render", "strict", "--lead", "999")
    assert code == 1 and "lead 999 not found" in err


def test_render_for_lead_uses_the_reps_registered_phone_and_email(store, make_lead) -> None:
    lead_id = make_lead(name="Jim Brodo", company="Brodo Inc")
    store.admin.save_rep(
        Rep("alice", email="alice@brightline.example", phone="+1 212 555 0100"), iso(NOW)
    )
    template = Template(
        "vm", TemplateChannel.VOICEMAIL, "{{ rep.name }} {{ rep.phone }} {{ rep.email }}"
    )
    lead = store.leads.get_lead(lead_id)
    out = render_for_lead(store, Settings(timezone=ZONE), template, lead, "alice", NOW)
    assert out.body == "alice +1 212 555 0100 alice@brightline.example"


def test_the_weekday_is_the_leads_own(store, make_lead) -> None:
    """Monday 23:30 in New York is already Tuesday in Tokyo."""
    late = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
    lead_id = make_lead(tz="Asia/Tokyo")
    lead = store.leads.get_lead(lead_id)
    assert merge_values(lead, None, late, Settings(timezone=ZONE))["weekday"] == "Tuesday"
    other = store.leads.get_lead(make_lead(tz=ZONE))
    assert merge_values(other, None, late, Settings(timezone=ZONE))["weekday"] == "Monday"


# variants ---------------------------------------------------------------------------------------
def test_step_variants_are_spread_evenly_and_kept_per_lead(store, make_lead) -> None:
    for variant in ("A", "B"):
        body = f"Variant {variant} about {{{{ company }}}}"
        template = Template(f"e{variant}", TemplateChannel.EMAIL, body, 2, variant, "s")
        save_template(store, template, rep="alice", now=NOW)
    leads = [store.leads.get_lead(make_lead()) for _ in range(10)]
    first = [step_template(store, lead, TemplateChannel.EMAIL, 2).variant for lead in leads]
    assert Counter(first) == {"A": 5, "B": 5}
    again = [step_template(store, lead, TemplateChannel.EMAIL, 2).variant for lead in leads]
    assert again == first
    assert step_template(store, leads[0], TemplateChannel.EMAIL, 3) is None
    assert step_template(store, leads[0], TemplateChannel.SMS, 2) is None


def test_a_single_template_for_a_step_needs_no_assignment(store, make_lead) -> None:
    save_template(store, Template("any", TemplateChannel.SMS, "Hi {{ company }}"), rep="a", now=NOW)
    lead = store.leads.get_lead(make_lead())
    assert step_template(store, lead, TemplateChannel.SMS, 4).name == "any"
    rows = store.conn.execute("SELECT count(*) FROM template_variants").fetchone()[0]
    assert rows == 0


@pytest.mark.parametrize(
    "company",
    [
        "Acme\x1b]52;c;aGk=\x07 Ltd",
        "Acme \u202eLtd",
        "[bold]Acme[/]",
        "Acme {Company}",
        "Acme\x9b1m",
    ],
)
def test_render_of_a_hostile_lead_is_clean_or_refused(capsys, demo, company: str) -> None:
    add = ["add", "--name", "Ann Lee", "--company", company, "--phone", "+1 212 555 0199"]
    code, out, err = cli(capsys, demo, *add, "--json")
    assert code == 0, err
    lead = str(json.loads(out)["lead_id"])
    for flag in ([], ["--json"]):
        code, out, err = cli(capsys, demo, "render", "email-6", "--lead", lead, *flag)
        for stream in (out, err):
            assert "\x1b" not in stream and "\x9b" not in stream and "\u202e" not in stream
        if "{Company}" in company:
            assert code == 1 and "looks like a merge code" in err
        else:
            assert code == 0, err
            assert "[bold]Acme[/]" in out or "Acme" in out


def test_import_refuses_a_symlink_and_keeps_each_problem_on_one_line(
    capsys, tmp_path, demo
) -> None:
    """A template folder under version control can hold a symlink (git keeps them): it was
    followed, so `x.txt -> ~/.ssh/id_ed25519` put the key's lines in the refusal (or, shaped
    like a template, in the team's database). A newline in a file's name split its problem."""
    folder = tmp_path / "templates"
    folder.mkdir()
    secret = write(tmp_path / "secret", "channel: sms\n\nSECRET-LINE {{ company }}\n")
    (folder / "evil.txt").symlink_to(secret)
    write(folder / "two\nlines.txt", "channel: sms\n\nhi {{ company }}")
    before = demo.read_bytes()
    code, out, err = cli(capsys, demo, "templates", "import", str(folder))
    assert code == 1 and out == ""
    assert "SECRET" not in err
    lines = err.splitlines()
    assert "evil.txt: a symbolic link, not read" in lines
    assert any(line.startswith("two lines.txt: name: ") for line in lines), lines
    assert lines[-1].startswith("callblock: error: nothing imported: 2 problems in ")
    assert len(lines) == 3
    assert demo.read_bytes() == before


def test_export_refuses_a_stored_name_with_path_parts_and_writes_nothing(
    capsys, tmp_path, demo
) -> None:
    """Every member of a team's Unix group can write the database file: a template row named
    '../../x' (put there with sqlite3) made a team lead's `templates export DIR` write a file
    outside DIR, as the team lead."""
    import sqlite3

    conn = sqlite3.connect(demo)
    with conn:
        conn.execute(
            "INSERT INTO templates (name, channel, step, body, updated_at) "
            "VALUES ('../../escaped', 'sms', 3, 'hi {{ company }}', '2026-01-01T00:00:00+00:00')"
        )
    conn.close()
    folder = tmp_path / "a" / "b" / "out"
    folder.parent.mkdir(parents=True)
    code, out, err = cli(capsys, demo, "templates", "export", str(folder))
    assert code == 1 and out == ""
    assert "'../../escaped' is not a template name" in err and err.count("\n") == 1
    assert not (tmp_path / "a" / "escaped.txt").exists()
    assert not folder.exists() or list(folder.iterdir()) == []
