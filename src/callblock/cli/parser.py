"""The `callblock` command: the app, and subcommands for scripting (`--json`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from callblock import __version__
from callblock.cli.ssh import add_ssh_session_command
from callblock.cli.team import add_rep_commands
from callblock.domain.cadence import STEP_CHANNELS, TASK_OUTCOMES, TASKS_MAX
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.ranges import (
    DEMO_LEADS_MAX,
    LIMIT_MAX,
    SQLITE_INT_MAX,
    WINDOW,
)
from callblock.store.location import Location, parse_location

EPILOG = """\
environment:
  CALLBLOCK_DB      database file or postgresql:// URL (default: the host's config, else
                    the user's data dir)
  CALLBLOCK_CONFIG  config file (default: the user's config dir)
  CALLBLOCK_SITE_CONFIG  the host's config (default /etc/callblock/config.toml: database =
                    PATH or URL names the team database for every account)

Outcome codes: connected no-answer voicemail busy gatekeeper bad-number callback meeting
not-interested dnc.  Run `callblock COMMAND --help` for a command's options."""


def _int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in low..high (refused in one line otherwise)."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value

    read.__name__ = "int"
    return read


LEAD_ID = _int_in(1, SQLITE_INT_MAX)
LIMIT = _int_in(1, LIMIT_MAX)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One clear line, not the usage block (a newline in a bad value stays on it)."""
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        # one prefix for every error, argparse's included: "callblock: error: log: ..."
        command = self.prog.partition(" ")[2]
        where = f"{command}: " if command else ""
        self.exit(2, f"callblock: error: {where}{shown} (see {self.prog} --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # `--opt=--`: Python 3.11's argparse drops the '--' and hands the option an empty
        # list; the user gave the literal value "--".
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            return self._get_value(action, "--")
        return super()._get_values(action, arg_strings)


def _db_location(value: str) -> Location:
    """--db: a file or a server URL (the value is never repeated: it may hold a password)."""
    try:
        return parse_location(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        type=_db_location,
        default=default,
        metavar="PATH|URL",
        help="database file, or a PostgreSQL server as postgresql://USER@HOST:PORT/DB (password "
        "from ~/.pgpass or PGPASSWORD; default: $CALLBLOCK_DB, else the host's config, else the "
        "user's data dir)",
    )
    parser.add_argument(
        "--rep", default=default, metavar="NAME", help="the rep working (default: the login name)"
    )
    parser.add_argument(
        "--now",
        default=default,
        metavar="ISO",
        help=f"pin the clock to this time (years {WINDOW}), e.g. 2026-11-26T16:05:00-05:00",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=default,
        metavar="PATH",
        help="config file (default: $CALLBLOCK_CONFIG, else the config dir)",
    )


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="callblock",
        description="A keyboard-driven terminal workstation for inside-sales call blocks. "
        "Without a command, opens the app on this week's plan (home).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"callblock {__version__}")
    _common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common(sub, suppress=True)
        return sub

    command("dial", "work a power hour on your queue now (full-screen)")

    demo = command("demo", "build a realistic demo database")
    demo.add_argument(
        "--leads",
        type=_int_in(1, DEMO_LEADS_MAX),
        default=500,
        metavar="N",
        help=f"leads, 1..{DEMO_LEADS_MAX:,} (default 500)",
    )
    demo.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7)")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database already holds leads"
    )
    _json_flag(demo)

    add = command("add", "add one lead (an inbound lead arrives now unless --created)")
    add.add_argument("--name", required=True, help="the person's full name")
    add.add_argument("--company", required=True, help="the company they work for")
    add.add_argument("--phone", required=True, help="any notation; stored as E.164")
    add.add_argument("--first-name", default="", metavar="TEXT", help="default: parsed from --name")
    add.add_argument("--last-name", default="", metavar="TEXT", help="default: parsed from --name")
    add.add_argument(
        "--pronunciation", default="", metavar="TEXT", help="how to say the name, e.g. BROH-doh"
    )
    add.add_argument(
        "--interest", default="", metavar="TEXT", help="what they asked for or downloaded"
    )
    add.add_argument("--title", default="", help="job title, e.g. 'VP Sales'")
    add.add_argument("--email", default="", help="email address")
    add.add_argument("--tz", default=None, help="IANA zone, e.g. America/Chicago")
    add.add_argument(
        "--region",
        default="",
        help="the lead's state or country for calling rules (FL, Florida, Germany, DEU); "
        "default: the phone number's",
    )
    add.add_argument("--temperature", default="warm", help="hot, warm or cold (default warm)")
    add.add_argument(
        "--owner", default=None, metavar="REP", help="the rep who owns the lead (default: none)"
    )
    add.add_argument("--notes", default="", metavar="TEXT", help="research notes (Markdown)")
    add.add_argument(
        "--created", default=None, metavar="ISO", help=f"arrival time (years {WINDOW})"
    )
    _json_flag(add)

    log = command(
        "log",
        "record a dial outcome (same effects as the key), or an email, LinkedIn or SMS touch "
        "(--channel)",
    )
    log.epilog = (
        "outcome codes (--channel call):\n"
        + "\n".join(f"  {o.code:<15} {o.label}" for o in OUTCOMES)
        + "\n\n--channel email|linkedin|sms: "
        + ", ".join(TASK_OUTCOMES)
        + "\n  sent, done and skipped complete the lead's task on that channel; replied ends "
        "the sequence\n  and puts the lead at the top of its owner's queue (a callback due now)"
    )
    log.formatter_class = argparse.RawDescriptionHelpFormatter
    log.add_argument("--lead", type=LEAD_ID, required=True, metavar="ID", help="the lead's id")
    log.add_argument(
        "--outcome",
        required=True,
        metavar="CODE",
        help="what happened: one of the outcome codes below",
    )
    log.add_argument(
        "--channel",
        default="call",
        choices=STEP_CHANNELS,
        help="the touch's channel (default call)",
    )
    log.add_argument("--note", default="", metavar="TEXT", help="a one-line note on the touch")
    log.add_argument(
        "--when",
        default=None,
        metavar="TEXT",
        help=f"callback/meeting time: 'thu 3pm', 'tomorrow 10:30', 'in 2 days' (years {WINDOW});"
        " inside the lead's calling hours",
    )
    log.add_argument(
        "--outside-window",
        action="store_true",
        help="the call was outside the lead's calling hours because the lead asked for it "
        "(otherwise refused; Review counts it as a crack)",
    )
    _json_flag(log)

    queue = command("queue", "list your upcoming leads in the order `dial` presents them")
    queue.add_argument(
        "--limit",
        type=LIMIT,
        default=20,
        metavar="N",
        help=f"how many, 1..{LIMIT_MAX} (default 20)",
    )
    _json_flag(queue)

    plan = command("plan", "the week's call blocks with planned dials and expected contacts")
    plan.epilog = (
        "No block is planned above its target: promises keep their block, fresh inbound goes "
        "to the next one, the backlog waits up to slack_days for the best-weighted blocks. "
        "What does not fit is the last line, 'over capacity: N dials' (--json: "
        "week_over_capacity on every row). Blocks that have started show what you did: "
        "'done N dials, N contacts' (--json: done_dials, done_contacts; null before the start)."
    )
    plan.add_argument(
        "--week",
        default=None,
        metavar="YYYY-MM-DD",
        help=f"any day of the week, years {WINDOW} (default: this week)",
    )
    _json_flag(plan)

    tasks = command("tasks", "the email, LinkedIn and SMS steps of the cadence due now for you")
    tasks.add_argument(
        "--limit",
        type=_int_in(1, TASKS_MAX),
        default=200,
        metavar="N",
        help=f"how many, 1..{TASKS_MAX} (default 200)",
    )
    _json_flag(tasks)

    history = command("history", "a lead's touches, newest first")
    history.add_argument("--lead", type=LEAD_ID, required=True, metavar="ID", help="the lead's id")
    _json_flag(history)

    lift = command(
        "lift-dnc", "take a lead off do-not-call: a team lead's act, with a reason (audited)"
    )
    lift.add_argument(
        "--lead", type=LEAD_ID, required=True, metavar="ID", help="the lead to take off do-not-call"
    )
    lift.add_argument("--reason", required=True, metavar="TEXT", help="why it may be called again")
    lift.add_argument(
        "--status",
        default="working",
        metavar="STATUS",
        help="the status it returns to: new, working, nurture, qualified or disqualified "
        "(default working)",
    )
    lift.add_argument(
        "--yes",
        action="store_true",
        help="confirm (needed on a single-user database; on a team's, you must be a team lead)",
    )
    _json_flag(lift)

    command("review", "open the team lead's Review screen (log, reps, heat map, cracks)")
    report = command(
        "report",
        "per-rep figures for a day or days in the team's zone (undone never counts); "
        "--by template: each template and variant per segment",
    )
    report.add_argument("--date", metavar="D", help="one day: YYYY-MM-DD, today, yesterday, -N")
    report.add_argument("--from", dest="first", metavar="D", help="first day of a range")
    report.add_argument("--to", dest="last", metavar="D", help="last day of a range (inclusive)")
    report.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="default table"
    )
    report.add_argument(
        "--json", dest="format", action="store_const", const="json", help="same as --format json"
    )
    report.add_argument(
        "--by",
        choices=("rep", "template"),
        default="rep",
        help="rep (default) or template: each template and variant per segment (sent, replies, "
        "contacts, meetings, rates); with no day given, all time",
    )
    export = command("export", "complete exports: every touch (undone flagged) or every lead")
    export.add_argument(
        "what", choices=("touches", "leads"), help="touches (the call log) or leads"
    )
    export.add_argument("--from", dest="first", metavar="D", help="from this day (team's zone)")
    export.add_argument("--to", dest="last", metavar="D", help="up to this day (inclusive)")
    export.add_argument(
        "--format", choices=("csv", "jsonl", "json"), default="csv", help="default csv"
    )
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="default stdout")
    from callblock.cli.parser_leads import add_import_commands

    add_import_commands(command)
    doctor = command(
        "doctor",
        "check the database: integrity, dates outside "
        f"{WINDOW} or unreadable, orphaned rows; reads only (exit 0 healthy, 1 problems)",
    )
    _json_flag(doctor)
    team = command(
        "team",
        "a team on one host: `team init`, `team settings`, `team add-rep`, `team list`, "
        "`team remove-rep`",
    )
    team_commands = team.add_subparsers(
        dest="team_command", metavar="TEAM_COMMAND", parser_class=_Parser, required=True
    )

    def team_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = team_commands.add_parser(name, help=help_text, description=help_text)
        _common(sub, suppress=True)
        return sub

    from callblock.cli.team_settings import add_settings_commands

    add_settings_commands(team_commands, lambda sub: _common(sub, suppress=True))
    add_rep_commands(team_command)
    add_ssh_session_command(command)
    from callblock.cli.templates import add_template_commands

    add_template_commands(command, lambda sub: _common(sub, suppress=True), _Parser)
    from callblock.cli.migrate import add_migrate_command

    add_migrate_command(command)
    from callblock.cli.send import add_send_command

    add_send_command(command)
    return parser
