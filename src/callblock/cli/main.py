"""The `callblock` entry point: parse, fix the clock and the rep, run the command; every
failure ends in one line and a non-zero status."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Sequence

from callblock.cli.parser import build_parser
from callblock.clock import Clock, FixedClock, SystemClock, parse_iso
from callblock.domain.ranges import RangeError, check_moment
from callblock.domain.reps import ACTS_AS_REP, rep_name_problem
from callblock.output import tolerant_streams


def main(argv: Sequence[str] | None = None) -> int:
    tolerant_streams()
    args = build_parser().parse_args(
        [_text(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    )
    return execute(args)


def execute(args: argparse.Namespace) -> int:
    """Run parsed arguments (`main`, and `ssh-session` with its identity fixed)."""
    from callblock.cli.run import run  # the command bodies; imported after parsing

    try:
        clock: Clock = FixedClock(parse_iso(args.now)) if args.now is not None else SystemClock()
    except (ValueError, OverflowError):
        print(f"callblock: error: --now {args.now[:60]!r} is not an ISO time", file=sys.stderr)
        return 2
    try:  # weeks and zones need room around it
        check_moment(clock.now(), f"--now {args.now[:60]!r}" if args.now else "the clock")
    except RangeError as error:
        print(f"callblock: error: {error}", file=sys.stderr)
        return 2
    args.rep_given = args.rep is not None  # `report --rep R` filters; no --rep means everyone
    # A rep name is outside text: one plain word (domain/reps.py), refused otherwise, so what
    # is stored and shown can never carry terminal control or markup.
    if args.rep_given and (problem := rep_name_problem(args.rep)):
        print(f"callblock: error: --rep: {problem}", file=sys.stderr)
        return 2
    if not args.rep_given:
        login = _login_name()
        if problem := rep_name_problem(login):
            if (args.command or "home") in ACTS_AS_REP:
                print(
                    f"callblock: error: the login name is not a rep name: {problem}; "
                    "give --rep NAME",
                    file=sys.stderr,
                )
                return 2
            login = "rep"  # the command does not act as a rep
        args.rep = login
    try:
        return run(args, clock)
    except BrokenPipeError:  # `callblock queue | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug: one line here, the traceback in the crash log
        from callblock.crash import report_crash

        print(f"callblock: error: {report_crash(error)}", file=sys.stderr)
        return 70  # EX_SOFTWARE


_SURROGATES = re.compile("[\ud800-\udfff]")


def _text(arg: str) -> str:
    """An argument as text: bytes that are not UTF-8 (Python keeps them as lone surrogates, which
    nothing can print or store) become U+FFFD."""
    return _SURROGATES.sub("\ufffd", arg)


def _login_name() -> str:
    try:
        return _text(getpass.getuser())
    except (KeyError, OSError):
        return "rep"
