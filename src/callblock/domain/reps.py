"""Reps of a team: the name rule, the roles, and what each role may run over SSH.

A rep name enters through `--rep`, the login name, `team add-rep` and the SSH forced command;
every one of them goes through `rep_name_problem`, so a name is always one short plain word that
is safe in a terminal, a file name and a shell command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

REP_NAME_MAX = 32
REP_NAME_RULE = (
    f"a rep name is 1-{REP_NAME_MAX} characters: letters A-Z a-z, digits, '.', '_' and '-', "
    "not starting with '-'"
)
_REP_NAME = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*")

ROLES = ("rep", "lead")

# The commands a role may run as an SSH original command (`ssh host queue --json`); the app
# itself (no command) is open to every role. `team list` is the only `team` command allowed.
REP_COMMANDS = frozenset(
    {"dial", "queue", "tasks", "plan", "history", "leads", "log", "add", "send"}
    | {"templates", "render"}
)
LEAD_COMMANDS = REP_COMMANDS | {
    "review",
    "report",
    "export",
    "import",
    "dupes",
    "merge",
    "team",
    "lift-dnc",
}
TEAM_COMMANDS_OVER_SSH = frozenset({"list"})
# Templates are read over SSH; writing them takes folders and files on the host.
TEMPLATES_COMMANDS_OVER_SSH = frozenset({"list", "show", "check"})
TEMPLATES_REFUSED = "of the templates commands only list, show and check run over SSH"

# Commands that act as the rep working (`home` is the app without a command): they need a
# usable rep name, and a rep removed from the team is refused.
ACTS_AS_REP = frozenset(
    "home dial review log queue tasks plan merge lift-dnc templates render send".split()
)

# Options that choose who is working or on which data: fixed by the forced command, never by
# what the client asked.
IDENTITY_OPTIONS = ("--rep", "--db", "--config", "--now")


def rep_name_problem(name: str) -> str | None:
    """Why `name` cannot be a rep name, or None when it can."""
    if len(name) <= REP_NAME_MAX and _REP_NAME.fullmatch(name) and name not in (".", ".."):
        return None
    shown = name[:40].encode("ascii", "backslashreplace").decode("ascii")
    return f"{shown!r} is not a rep name ({REP_NAME_RULE})"


def allowed_commands(role: str) -> frozenset[str]:
    return LEAD_COMMANDS if role == "lead" else REP_COMMANDS


def identity_option(token: str) -> str | None:
    """The identity option `token` would set (argparse also takes a unique abbreviation such
    as `--re`, and `--rep=x`), else None. Any prefix counts, even an ambiguous one."""
    if not token.startswith("--") or token == "--":
        return None
    name = token.split("=", 1)[0]
    if len(name) < 3:
        return None
    for option in IDENTITY_OPTIONS:
        if option.startswith(name):
            return option
    return None


@dataclass(frozen=True, slots=True)
class Rep:
    """A registered member of the team (`team add-rep`)."""

    name: str
    role: str = "rep"
    timezone: str | None = None  # None: the team's zone
    email: str = ""
    phone: str = ""
    added_at: datetime | None = None
    removed_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.removed_at is None


@dataclass(frozen=True, slots=True)
class RepKey:
    """An SSH key registered for a rep, and where its authorized_keys line was written."""

    rep: str
    fingerprint: str
    key: str  # `TYPE BASE64`
    authorized_keys: str  # the file's absolute path
    line: str  # the exact line written there


class CommandRefused(ValueError):
    """An SSH original command that may not run; the message is one line."""


# Options that name a file on the host, refused over SSH: the account sshd runs callblock as
# holds the authorized_keys file, so a file written or read there by name could hand out a
# shell (an export written over authorized_keys) or a secret (a private key read as CSV).
# Over SSH an export goes to stdout and an import comes from stdin (`import -`).
HOST_FILE_OPTIONS = {"export": ("--output", "-o"), "import": ("--rejects", "--skip-invalid")}


def ssh_command(original: str, role: str) -> list[str]:
    """The arguments of an SSH original command a rep of `role` may run (a leading `callblock`
    dropped; [] opens the app), or CommandRefused saying why not in one line."""
    import shlex

    try:
        tokens = shlex.split(original)
    except ValueError as error:
        raise CommandRefused(f"cannot read the command ({error})") from None
    if tokens and tokens[0] == "callblock":
        tokens = tokens[1:]
    for token in tokens:
        if option := identity_option(token):
            raise CommandRefused(
                f"{option} is fixed by your SSH key and cannot be chosen in the command"
            )
    if not tokens:
        return []
    command = tokens[0]
    allowed = allowed_commands(role)
    if command not in allowed:
        shown = command[:40].encode("ascii", "backslashreplace").decode("ascii")
        raise CommandRefused(
            f"{shown!r} is not a command a {role} may run over SSH "
            f"(allowed: {', '.join(sorted(allowed))})"
        )
    if command == "team" and (len(tokens) < 2 or tokens[1] not in TEAM_COMMANDS_OVER_SSH):
        raise CommandRefused("of the team commands only `team list` runs over SSH")
    if command == "templates" and (len(tokens) < 2 or tokens[1] not in TEMPLATES_COMMANDS_OVER_SSH):
        raise CommandRefused(TEMPLATES_REFUSED)
    for token in tokens[1:]:
        for option in HOST_FILE_OPTIONS.get(command, ()):
            if _names_option(token, option):
                raise CommandRefused(
                    f"{command} {option} names a file on the host, refused over SSH "
                    "(an export goes to stdout, an import reads stdin: `import -`)"
                )
    return tokens


def _names_option(token: str, option: str) -> bool:
    """Whether argparse could read `token` as `option` (`--out`, `--output=x`, `-ox`)."""
    if option.startswith("--"):
        name = token.split("=", 1)[0]
        return token.startswith("--") and len(name) >= 3 and option.startswith(name)
    return token.startswith("-") and not token.startswith("--") and option[1] in token[1:]
