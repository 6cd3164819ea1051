"""Fuzzed command lines: every subcommand and option (read from the parser itself), with huge
and negative numbers, `--`, control characters, very long strings, directories, devices, FIFOs
and missing paths. Whatever the argv: no exception escapes `callblock.cli.main`; the exit is 0,
or non-zero with exactly one line on stderr and the database byte-identical.

`make test` runs FUZZ_EXAMPLES (default 200) examples; `make fuzz` runs more
(CALLBLOCK_FUZZ_EXAMPLES=2000).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from callblock.cli import build_parser, main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.services.demo import build_demo
from callblock.store import Store
from tests.conftest import NOW, ZONE

FUZZ_EXAMPLES = int(os.environ.get("CALLBLOCK_FUZZ_EXAMPLES", "200"))
NOW_ARG = "2026-11-23T19:00:00Z"
HANG_SECONDS = 20  # one command line; the slowest real ones take well under a second
# An import refused for its rows reports every bad row (`line N, column C: ...`) and then one
# error line: the only refusal that is more than one line, by design (DESIGN.md "Bad input").
IMPORT_REFUSED = "callblock: error: nothing imported:"


# the prepared world -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A small demo database and the files the fuzzer points options at."""
    root = tmp_path_factory.mktemp("fuzz")
    db = root / "base.db"
    store = Store.open(db)
    build_demo(store, FixedClock(NOW), leads=25, settings=Settings(timezone=ZONE))
    store.close()  # the last connection checkpoints: the main file holds everything
    (root / "good.toml").write_text('timezone = "America/New_York"\n', encoding="utf-8")
    (root / "bad.toml").write_text("[queue\nmax_attempts = 'x'\n", encoding="utf-8")
    (root / "leads.csv").write_text(
        "Name,Company,Phone,Create Date\nAnn Fuzz,Acme,+1 212 555 0101,2026-11-20\n",
        encoding="utf-8",
    )
    (root / "old.csv").write_text(
        "Name,Company,Phone,Create Date\nOld Null,Acme,+1 212 555 0102,0001-01-01\n",
        encoding="utf-8",
    )
    (root / "folder").mkdir()
    fifo = root / "fifo"
    os.mkfifo(fifo)
    yield {"root": root, "db": db, "fifo": fifo}


# values -----------------------------------------------------------------------------------------
# argv cannot hold NUL (the OS refuses it), so neither do the fuzzed values.
CHARS = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "--",
            "-",
            "-1",
            "0",
            "",
            " ",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "1e309",
            "nan",
            "\x1b[31mred\x1b[0m",
            "\x1b]52;c;aGk=\x07",
            "[bold]x[/]",
            "\u202etxt.exe",
            "x" * 5000,
            "9" * 5000,
            "/dev/zero",
            "/dev/null",
            "/nonexistent/nowhere.csv",
            "/tmp",
        ]
    ),
    st.text(CHARS, max_size=40),
    st.integers().map(str),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "1/1/0001",
            "0001-01-01T00:00:00+05:00",
            "1969-12-31T23:59:59Z",
            "1970-01-01",
            "2026-11-23T19:00:00Z",
            "2100-12-31T23:59:59-05:00",
            "2101-01-01",
            "9999-12-31T23:59:59",
            "9999-12-31T23:59:59-05:00",
            "today",
            "yesterday",
            "-99999999999",
            "-999999",
            "-3",
            "in 2000000 days",
            "in 99999999999 days",
            "tomorrow 10:30",
            "thu 3pm",
        ]
    ),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.integers().map(lambda n: f"in {n} days"),
    st.integers(max_value=0).map(str),
)


def path_values(world: dict[str, Path]) -> st.SearchStrategy[str]:
    root = world["root"]
    return st.sampled_from(
        [
            str(root / "good.toml"),
            str(root / "bad.toml"),
            str(root / "leads.csv"),
            str(root / "old.csv"),
            str(root / "folder"),
            str(root / "missing" / "x.csv"),
            str(world["fifo"]),
            "/dev/zero",
            "/dev/null",
            "/nonexistent",
        ]
    )


# Values that pass, so the commands get past their first check too.
PLAUSIBLE = {
    "phone": ["2125550100", "+44 20 7946 0958", "(415) 555-0199"],
    "outcome": ["busy", "callback", "meeting", "dnc", "connected"],
    "default_region": ["US", "GB", "ZZ", "us"],
    "map": ["Cell=phone", "Name=skip", "Company=extra", "=", "x=y"],
    "tz": ["America/Chicago", "Europe/Berlin", "Nowhere/Land", "../../etc/passwd", "UTC"],
    "temperature": ["hot", "warm", "cold", "lukewarm"],
    "name": ["Ann Fuzz", "[bold]X[/]"],
    "company": ["Acme", "Acme [UK] Ltd"],
}
DATE_OPTIONS = {"now", "week", "created", "when", "date", "first", "last"}
PATH_OPTIONS = {"config", "file"}
# Output paths stay inside the scratch folder (a hostile relative name would land in the working
# directory) or are devices, a folder, a missing folder, a name too long: never the FIFO (opening
# it to write waits for a reader, as `cat > fifo` does). Writing over the database or an input is
# tested case by case in test_faults.py.
OUTPUT_OPTIONS = {"output", "rejects"}


def value_for(action: argparse.Action, world: dict[str, Path], scratch: str) -> st.SearchStrategy:
    dest = action.dest
    if dest in DATE_OPTIONS:
        specific = DATES
    elif dest in PATH_OPTIONS:
        specific = path_values(world)
    elif dest in OUTPUT_OPTIONS:  # see OUTPUT_OPTIONS
        fixed = [
            f"{scratch}/out.csv",
            "/dev/null",
            "/dev/zero",
            "/nowhere/x.csv",
            str(world["root"] / "folder"),
            scratch,
            f"{scratch}/{'x' * 5000}",
        ]
        named = st.text(CHARS, min_size=1, max_size=30).map(lambda name: f"{scratch}/{name}")
        return st.one_of(st.sampled_from(fixed), named)
    elif dest in PLAUSIBLE:
        specific = st.sampled_from(PLAUSIBLE[dest])
    elif action.choices:
        specific = st.sampled_from(sorted(action.choices))
    elif action.type is not None and getattr(action.type, "__name__", "") == "int":
        specific = st.one_of(st.integers(), st.integers(-3, 40)).map(str)
    else:
        specific = st.text(CHARS, max_size=30)
    return st.one_of(specific, specific, HOSTILE)


def commands() -> dict[str | None, argparse.ArgumentParser]:
    parser = build_parser()
    found: dict[str | None, argparse.ArgumentParser] = {None: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


COMMANDS = commands()
SKIPPED = {"help", "version", "db"}  # --help/--version print and exit 0; --db: the copy


@st.composite
def command_lines(draw: st.DrawFn, world: dict[str, Path], scratch: str) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS, key=lambda n: n or "")))
    parser = COMMANDS[name]
    argv: list[str] = [] if name is None else [name]
    for action in parser._actions:
        if action.dest in SKIPPED or isinstance(action, argparse._SubParsersAction):
            continue
        required = action.required or not action.option_strings
        if not required and draw(st.integers(0, 3)) != 0:
            continue
        if action.nargs == 0:  # a flag
            argv.append(draw(st.sampled_from(action.option_strings)))
            continue
        values = [draw(value_for(action, world, scratch))]
        if action.option_strings:
            option = draw(st.sampled_from(action.option_strings))
            if draw(st.integers(0, 4)) == 0:
                argv.append(f"{option}={values[0]}")
            else:
                argv += [option, *values]
        else:
            argv += values
    if draw(st.integers(0, 5)) == 0:  # a stray token somewhere
        argv.insert(draw(st.integers(0, len(argv))), draw(HOSTILE))
    return argv


# running one command line -----------------------------------------------------------------------
def digest(db: Path) -> str:
    sha = hashlib.sha256()
    for part in (db, db.with_name(db.name + "-wal")):
        if part.exists():
            sha.update(part.read_bytes())
    return sha.hexdigest()


class Hang(Exception):
    pass


def _hang(signum: int, frame: object) -> None:
    raise Hang(f"no answer within {HANG_SECONDS} s")


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(HANG_SECONDS)
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            _stdin(io.StringIO()),
        ):
            try:
                code = main(argv)
            except SystemExit as done:  # argparse: --help, --version, usage errors
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _stdin(replacement: io.StringIO) -> Iterator[None]:
    """No TTY: the app commands refuse in one line instead of drawing."""
    saved = sys.stdin
    sys.stdin = replacement
    try:
        yield
    finally:
        sys.stdin = saved


def stderr_lines(err: str) -> list[str]:
    """Lines as a terminal or a script reading stderr sees them (split at newlines only: a
    control character echoed from a bad file name is not a line break there)."""
    return err.rstrip("\n").split("\n") if err else []


def check(argv: list[str], world: dict[str, Path]) -> None:
    folder = Path(tempfile.mkdtemp(dir=world["root"]))
    try:
        db = folder / "callblock.db"
        shutil.copy(world["db"], db)
        before = digest(db)
        full = ["--db", str(db), "--rep", "alice", "--now", NOW_ARG, *argv]
        code, _, err = run_main(full)  # an escaping exception fails the test with its argv
        lines = stderr_lines(err)
        event(f"{(argv or ['(none)'])[0][:12]} exit {code}")  # --hypothesis-show-statistics
        if code == 0:
            return
        assert "Traceback" not in err, (full, err)
        # the catch-all line for a bug (exit 70) is one line too, but a bug all the same
        assert code != 70 and "internal error" not in err, (full, err)
        refused_rows = argv[:1] == ["import"] and lines and lines[-1].startswith(IMPORT_REFUSED)
        assert len(lines) == 1 or refused_rows, (full, code, lines[:5])
        assert digest(db) == before, ("database changed on a failed command", full, lines)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_fuzzed_command_lines_never_crash_and_fail_cleanly(world: dict[str, Path]) -> None:
    scratch_dir = world["root"] / "scratch"
    scratch_dir.mkdir(exist_ok=True)

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(argv=command_lines(world, str(scratch_dir)))
    def fuzz(argv: list[str]) -> None:
        check(argv, world)

    fuzz()


@pytest.mark.parametrize(
    "argv",
    [
        ["queue", "--limit", "9223372036854775808"],
        ["leads", "--limit", "99999999999999999999"],
        ["history", "--lead", "9223372036854775808"],
        ["log", "--lead", "-9223372036854775809", "--outcome", "busy"],
        ["merge", "9223372036854775808", "1"],
        ["report", "--date", "-99999999999"],
        ["report", "--from", "0001-01-01"],
        ["export", "touches", "--to", "9999-12-31"],
        ["plan", "--week", "1969-12-31"],
        ["--now", "9999-12-31T23:59:59-05:00", "queue"],
        ["queue", "--config", "/dev/zero"],
        ["queue", "--config", "FIFO"],
        ["queue", "--config", "FOLDER"],
        ["import", "/dev/zero"],
        ["import", "FIFO"],
        ["import", "FOLDER"],
        ["import", "OLD_CSV"],
        ["queue", "--limit", "--"],
        ["add", "--name", "x", "--company", "y", "--phone", "2125550100", "--tz", "A" * 5000],
        [
            "add",
            "--name",
            "x",
            "--company",
            "y",
            "--phone",
            "2125550100",
            "--created",
            "0001-01-01",
        ],
        ["add", "--name", "x", "--company", "y", "--phone", "2125550100", "--created=9999-12-31"],
        ["log", "--lead", "1", "--outcome", "callback", "--when", "in 2000000 days"],
        ["log", "--lead", "1", "--outcome", "callback", "--when", "in 99999999999 days"],
        ["log", "--lead", "1", "--outcome", "callback", "--when", "in " + "9" * 5000 + " days"],
        ["demo"],
        ["demo", "--leads", "99999999999999999999"],
    ],
)
def test_the_findings_are_refused_in_one_line(world: dict[str, Path], argv: list[str]) -> None:
    names = {
        "FIFO": str(world["fifo"]),
        "FOLDER": str(world["root"] / "folder"),
        "OLD_CSV": str(world["root"] / "old.csv"),
    }
    argv = [names.get(arg, arg) for arg in argv]
    folder = Path(tempfile.mkdtemp(dir=world["root"]))
    try:
        db = folder / "callblock.db"
        shutil.copy(world["db"], db)
        before = digest(db)
        code, _, err = run_main(["--db", str(db), "--rep", "alice", "--now", NOW_ARG, *argv])
        assert code != 0
        lines = stderr_lines(err)
        if argv[:2] == ["import", names["OLD_CSV"]]:  # the row's problem, then the refusal
            assert lines[0] == "line 2, column Create Date: 0001-01-01 is outside 1970-2100"
            assert lines[-1].startswith(IMPORT_REFUSED)
        else:
            assert len(lines) == 1, lines
        assert digest(db) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
