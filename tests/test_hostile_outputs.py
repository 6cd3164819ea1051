"""Hostile text in every outside-text field, through every CLI output format.

Data already in the database is not trusted to be clean (an older version, another tool, a
bug): the fields are written raw with SQL, then every command's text, --json, CSV and file
output is scanned byte by byte for terminal control (DESIGN.md, "Bad input").
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.domain.text import cell, display_width
from tests.hostile import HOSTILE, NOW, assert_clean_bytes, hostile_csv, poisoned_db, unsafe_in

DAY = "2026-11-23"
MARKUP = ("[UK]", "[/]", "[@click=app.quit]", "[link=http://x]")


def commands(ids: dict[str, int], value: str, tmp_path: Path) -> list[tuple[str, ...]]:
    a, b = str(ids["a"]), str(ids["b"])
    found = [
        ("queue",),
        ("history", "--lead", a),
        ("history", "--lead", b),
        ("plan",),
        ("leads",),
        ("leads", "--search", value),
        ("dupes",),
        ("log", "--lead", b, "--outcome", "no-answer", "--note", value),
        ("add", "--name", f"Z{value}", "--company", value, "--phone", "+1 646 555 0123"),
        ("doctor",),
    ]
    found += [(*args, "--json") for args in found]
    csv_file = hostile_csv(tmp_path, value)
    rejects = tmp_path / "rejects.csv"
    found += [
        ("import", str(csv_file), "--dry-run", "--owner", value),
        ("import", str(csv_file), "--dry-run", "--json"),
        ("import", str(csv_file)),  # refused: the problems go to stderr
        ("import", str(csv_file), "--skip-invalid", "--rejects", str(rejects), "--owner", value),
        ("merge", a, b),
    ]
    return found


TEAM_COMMANDS = [  # no --rep: every rep's figures and rows
    ("report", "--date", DAY),
    ("report", "--from", DAY, "--to", "2026-11-24"),
    ("report", "--date", DAY, "--format", "csv"),
    ("report", "--date", DAY, "--format", "json"),
    *(
        ("export", what, "--format", fmt)
        for what in ("touches", "leads")
        for fmt in ("csv", "jsonl", "json")
    ),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("value", HOSTILE)
def test_every_cli_output_is_free_of_terminal_control(capsys, tmp_path: Path, value: str) -> None:
    db, config, ids = poisoned_db(tmp_path, value)
    base = ["--db", str(db), "--config", str(config), "--now", NOW]
    outputs: dict[str, str] = {}
    # A hostile --rep is refused in one clean line (a rep name is one plain word); the hostile
    # reps already in the database (written raw) still go through every output below.
    code, out, err = run(capsys, *base, "--rep", f"R{value}", "queue")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "is not a rep name" in err
    assert_clean_bytes(err.encode(), "the refusal of --rep")
    for args in [*commands(ids, value, tmp_path)]:
        code, out, err = run(capsys, *base, "--rep", "r", *args)
        assert code in (0, 1), (args, err)
        outputs[" ".join(args)] = out
        assert_clean_bytes(out.encode(), f"stdout of {args}")
        assert_clean_bytes(err.encode(), f"stderr of {args}")
        if "--json" in args:
            json.loads(out)  # still JSON
    for args in TEAM_COMMANDS:
        code, out, err = run(capsys, *base, *args)
        assert code == 0, (args, err)
        outputs[" ".join(args)] = out
        assert_clean_bytes(out.encode(), f"stdout of {args}")
        assert_clean_bytes(err.encode(), f"stderr of {args}")
        target = tmp_path / f"{args[1]}.{args[-1]}"
        if args[0] == "export":
            code, _, err = run(capsys, *base, *args, "-o", str(target))
            assert code == 0, err
            assert_clean_bytes(target.read_bytes(), f"{target.name}")
    rejects = tmp_path / "rejects.csv"
    assert_clean_bytes(rejects.read_bytes(), "the rejects CSV")

    for marker in MARKUP:  # markup is text: shown as typed, wherever the value is shown
        if marker in value:
            for args in ("leads", "queue", "history --lead 1", "export touches --format csv"):
                assert marker in outputs[args], f"{marker} lost in `{args}`:\n{outputs[args]}"
    report = outputs[f"report --date {DAY}"]
    assert cell(f"R{value}", 11) in report, report  # the rep column, cut to its width


@pytest.mark.parametrize("value", HOSTILE)
def test_json_keeps_the_exact_text_and_escapes_controls(capsys, tmp_path: Path, value: str) -> None:
    db, config, _ = poisoned_db(tmp_path, value)
    base = ["--db", str(db), "--config", str(config), "--now", NOW]
    _, out, _ = run(capsys, *base, "leads", "--json")
    assert f"C{value}" in {row["company"] for row in json.loads(out)}
    for char in "\x1b\x07\x9b\u202e\u2066":  # spelled \uXXXX in the document itself
        assert char not in out and (char not in value or f"\\u{ord(char):04x}" in out)
    _, out, _ = run(capsys, *base, "export", "touches", "--format", "jsonl")
    assert {json.loads(line)["note"] for line in out.splitlines()} == {f"N{value}"}
    _, out, _ = run(capsys, *base, "export", "leads", "--format", "json")
    assert {row["notes"] for row in json.loads(out)} == {f"notes\n{value}\tend"}
    _, out, _ = run(capsys, *base, "report", "--date", DAY, "--format", "json")
    assert f"R{value}" in [row["rep"] for row in json.loads(out)]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_cells_are_cleaned_but_keep_newlines_and_formula_guard(
    capsys, tmp_path: Path, value: str
) -> None:
    db, config, _ = poisoned_db(tmp_path, value)
    base = ["--db", str(db), "--config", str(config), "--now", NOW]
    _, out, _ = run(capsys, *base, "export", "leads")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    for row in rows:
        assert row["notes"].startswith("notes\n") and row["notes"].endswith("    end")
        assert not unsafe_in(row["notes"]) and not unsafe_in(row["extra"])
    _, out, _ = run(capsys, *base, "report", "--date", DAY, "--format", "csv")
    reps = [row["rep"] for row in csv.DictReader(io.StringIO(out))]
    assert any(rep.startswith("R") for rep in reps) and not unsafe_in("".join(reps))


def test_a_rep_name_with_control_characters_is_refused_where_it_comes_in(
    capsys, tmp_path: Path
) -> None:
    db, config, ids = poisoned_db(tmp_path, "x")
    osc52 = "eve\x1b]52;c;aGVsbG8=\x07"
    before = db.read_bytes()
    base = ["--db", str(db), "--config", str(config), "--now", NOW, "--rep", osc52]
    code, out, err = run(
        capsys,
        *base,
        "log",
        "--lead",
        str(ids["b"]),
        "--outcome",
        "callback",
        "--when",
        "tomorrow 10:30",
    )
    assert code == 2 and out == ""
    assert err == (
        "callblock: error: --rep: 'eve\\x1b]52;c;aGVsbG8=\\x07' is not a rep name (a rep "
        "name is 1-32 characters: letters A-Z a-z, digits, '.', '_' and '-', not starting "
        "with '-')\n"
    )
    assert db.read_bytes() == before  # nothing written, not even a touch


def test_zero_width_joiners_do_not_shift_table_columns(capsys, tmp_path: Path) -> None:
    db, config, _ = poisoned_db(tmp_path, "Ac\u200dme\u200d\u200b Co 日本")
    base = ["--db", str(db), "--config", str(config), "--now", NOW]
    for args in (("leads",), ("queue",), ("report", "--date", DAY)):
        _, out, _ = run(capsys, *base, *args)
        lines = [line for line in out.splitlines() if "Ac" in line]
        assert lines, out
        assert not any("\u200d" in line or "\u200b" in line for line in lines)
    _, out, _ = run(capsys, *base, "leads")
    # the phone column starts at the same terminal column on every row (日本 is 4 cells wide)
    head, *rows = out.splitlines()
    starts = {display_width(line[: line.index("+1")]) for line in rows}
    assert len(starts) == 1, out
    assert starts == {head.index("phone")}  # under the header row's "phone"


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_stdout_bytes_in_a_non_utf8_terminal_hold_no_8bit_csi(
    tmp_path: Path, encoding: str
) -> None:
    """Latin-1 writes U+009B as the single byte 0x9b, an 8-bit CSI to such a terminal."""
    value = "Wipe\x9b2J\x1b[2Jout \u202e é"
    db, config, ids = poisoned_db(tmp_path, value)
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    named = db.with_name("e\x1b[2Jx\x9b31m.db")
    base = [sys.executable, "-m", "callblock", "--db", str(db), "--config", str(config)]
    for args in (
        ["leads"],
        ["leads", "--json"],
        ["history", "--lead", str(ids["a"])],
        ["report", "--date", DAY, "--now", NOW],
        ["export", "touches"],
        ["export", "leads", "--format", "jsonl"],
        ["--db", str(named), "doctor"],  # the file's name is outside text (last --db wins)
        ["--db", str(named), "doctor", "--json"],
    ):
        if args[0] == "--db" and not named.exists():
            db.rename(named)
        done = subprocess.run([*base, *args], capture_output=True, env=env, timeout=60)
        assert done.returncode == 0, (args, done.stderr)
        for data in (done.stdout, done.stderr):
            assert b"\x1b" not in data and b"\x9b" not in data, (args, data)
            assert not unsafe_in(data.decode(encoding)), (args, data)
        if args == ["leads", "--json"]:
            names = {row["name"] for row in json.loads(done.stdout)}
            assert names == {"A" + value, "B" + value, "C" + value}


@pytest.mark.parametrize("value", HOSTILE)
def test_doctor_prints_a_hostile_file_name_and_stored_values_cleaned(
    capsys, tmp_path: Path, value: str
) -> None:
    """The database's own name is outside text too (`e\\e[2Jx\\x9b31m.db`), and so is every
    value doctor quotes: a bad time, an unreadable cache row."""
    db, config, ids = poisoned_db(tmp_path, value)
    named = tmp_path / f"e\x1b[2Jx\x9b31m{value.replace('/', '_')}.db"
    db.rename(named)
    conn = sqlite3.connect(named)
    with conn:
        conn.execute("UPDATE leads SET next_due_at = ? WHERE id = ?", (f"T{value}", ids["a"]))
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('learned_weights', ?)", (value,)
        )
    conn.close()
    for args in (["doctor"], ["doctor", "--json"]):
        code, out, err = run(capsys, "--db", str(named), "--config", str(config), *args)
        assert code == 1, (args, out, err)  # the bad time is a problem
        assert_clean_bytes(out.encode(), f"stdout of {args}")
        assert_clean_bytes(err.encode(), f"stderr of {args}")
        if "--json" in args:
            report = json.loads(out)
            assert report["db"] == str(named)  # exact, its controls escaped in the document
            assert [n["column"] for n in report["notes"]] == ["learned_weights"]
        else:
            assert "meta learned_weights unreadable: relearned on next use" in out
            assert f"lead {ids['a']}: next_due_at " in out
