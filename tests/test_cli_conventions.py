"""CLI conventions (issue 12): help text for every option, outcome codes in `log --help`, one
error prefix, a header row over every table, names beside ids in `dupes`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from callblock.cli import build_parser, main
from callblock.domain.outcomes import OUTCOMES

NOW = "2026-11-23T19:00:00Z"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _parsers(
    parser: argparse.ArgumentParser, path: str = "callblock"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, f"{path} {name}")
    return found


def test_every_option_of_every_command_has_help() -> None:
    missing = []
    parsers = _parsers(build_parser())
    assert len(parsers) > 20  # the walk reached the subcommands and the team's
    for path, parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                if action.help == argparse.SUPPRESS:
                    continue
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == [], "\n".join(missing)


def test_log_help_lists_the_outcome_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["log", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for outcome in OUTCOMES:
        assert outcome.code in out


@pytest.mark.parametrize(
    "args",
    [
        ["log", "--lead", "x", "--outcome", "busy"],
        ["queue", "--limit", "0"],
        ["nosuchcommand"],
        ["team", "add-rep"],
        ["--bogus"],
    ],
)
def test_argparse_errors_use_the_one_prefix(capsys, tmp_path: Path, args: list[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(tmp_path / "x.db"), *args])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("callblock: error: "), err
    assert err.count("\n") == 1


def test_service_errors_use_the_same_prefix(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path / "x.db", "history", "--lead", "99")
    assert code != 0 or err == ""
    code, _, err = run(capsys, tmp_path / "x.db", "log", "--lead", "99", "--outcome", "nope")
    assert code == 1
    assert err.startswith("callblock: error: ")


def _demo(capsys, db: Path) -> None:
    code, _, err = run(capsys, db, "demo", "--leads", "120")
    assert code == 0, err
    for name, company in (("Jim Brodo", "Brodo Inc"), ("James Brodo", "Brodo Inc.")):
        add = ["add", "--name", name, "--company", company, "--phone", "(212) 555-0143"]
        code, _, err = run(capsys, db, *add)
        assert code == 0, err


@pytest.mark.parametrize(
    ("args", "head"),
    [
        (["queue"], ["name", "company"]),
        (["leads"], ["id", "name", "company", "phone", "status"]),
        (["dupes"], ["lead", "name", "company", "other"]),
        (["plan"], ["day", "block", "dials", "contacts"]),
        (["history", "--lead", "1"], ["at", "rep", "outcome"]),
        (["team", "list"], ["rep", "role", "zone"]),
    ],
)
def test_tables_print_a_header_row(capsys, tmp_path: Path, args, head) -> None:
    db = tmp_path / "demo.db"
    _demo(capsys, db)
    if args[0] == "team":
        assert run(capsys, db, "team", "add-rep", "bob")[0] == 0
    code, out, err = run(capsys, db, *args)
    assert code == 0, err
    first, *rest = out.splitlines()
    assert rest, out  # the demo has rows for each table
    words = first.lower().split()
    for word in head:
        assert word in words, first


def test_dupes_prints_names_and_companies(capsys, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    _demo(capsys, db)
    out = run(capsys, db, "dupes", "--json")[1]
    pairs = json.loads(out)
    assert pairs
    leads = {
        r["lead_id"]: r for r in json.loads(run(capsys, db, "leads", "--json", "--limit", "500")[1])
    }
    out = run(capsys, db, "dupes")[1]
    lines = out.splitlines()[1:]
    for pair, line in zip(pairs, lines, strict=True):
        lead, other = leads[pair["lead_id"]], leads[pair["other_lead_id"]]
        assert lead["name"][:10] in line and other["name"][:10] in line, line
        assert lead["company"][:8] in line, line
        assert pair["name"] == lead["name"] and pair["other_company"] == other["company"]
    assert "Jim Brodo" in out and "James Brodo" in out


def test_demo_never_gives_two_people_one_email(capsys, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, _, err = run(capsys, db, "demo", "--leads", "2000")
    assert code == 0, err
    leads = json.loads(run(capsys, db, "leads", "--json", "--limit", "5000")[1])
    people: dict[str, set[str]] = {}
    for lead in leads:
        if lead["email"]:
            person = (lead["name"].lower(), lead["company"].lower())
            people.setdefault(lead["email"].lower(), set()).add(person)
    shared = {email: names for email, names in people.items() if len(names) > 1}
    assert shared == {}


def test_readme_says_how_to_run_callblock_after_make_run() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert ".venv/bin/callblock" in readme
    assert 'PATH="$PWD/.venv/bin:$PATH"' in readme
