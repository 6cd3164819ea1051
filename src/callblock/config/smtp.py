"""The `[smtp]` settings: where email is sent from (a team setting on a team database).

The password itself is never a setting (a team's settings are in the database, readable by
every rep): `password_env` names an environment variable holding it, `password_file` a file
only its owner can read. Both are read when a message is sent (services/mail.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from callblock.config.settings import ConfigError

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
KEYS = ("host", "port", "security", "username", "password_env", "password_file")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]{1,253}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _Where(Protocol):
    def error(self, section: str | None, key: str, problem: str, index: int = 0) -> ConfigError: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | tls | none (a relay on the same host)
    username: str = ""
    password_env: str = ""  # the environment variable holding the password
    password_file: str = ""  # a file holding it (absolute, or ~/...), mode 0600 or stricter

    def data(self) -> dict[str, Any]:
        """The table as the config file writes it (keys not set left out)."""
        table: dict[str, Any] = {"host": self.host, "port": self.port, "security": self.security}
        for key in ("username", "password_env", "password_file"):
            if value := getattr(self, key):
                table[key] = value
        return table


def read_smtp(table: Any, where: _Where) -> SmtpSettings | None:
    """The `[smtp]` table checked (None when there is none); errors name the key."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise where.error(None, "smtp", "must be a [section]")
    for key, value in table.items():
        if key == "password":
            raise where.error(
                "smtp",
                key,
                "the password is never kept in the settings: name an environment variable "
                "(smtp.password_env) or a file only you can read (smtp.password_file)",
            )
        if key not in KEYS:
            raise where.error("smtp", key, f"unknown key (known: {', '.join(KEYS)})")
        kind = int if key == "port" else str
        if isinstance(value, bool) or not isinstance(value, kind):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            raise where.error("smtp", key, f"must be {kind.__name__}, got {shown}")
        if isinstance(value, str) and _CONTROL.search(value):
            raise where.error("smtp", key, "must be one line without control characters")
    if not table:
        return None
    if "host" not in table:
        raise where.error("smtp", "host", "is required in [smtp] (the SMTP server's name)")
    host = table["host"]
    if not _HOST.fullmatch(host):
        raise where.error("smtp", "host", f"{host[:60]!r} is not a host name or address")
    security = table.get("security", "starttls")
    if security not in SECURITY:
        raise where.error("smtp", "security", f"{security[:40]!r} is not one of {_one_of()}")
    port = table.get("port", DEFAULT_PORTS[security])
    if not 1 <= port <= 65535:
        raise where.error("smtp", "port", f"must be 1..65535, got {port}")
    smtp = SmtpSettings(
        host=host,
        port=port,
        security=security,
        username=table.get("username", ""),
        password_env=table.get("password_env", ""),
        password_file=table.get("password_file", ""),
    )
    _check_login(smtp, where)
    return smtp


def _check_login(smtp: SmtpSettings, where: _Where) -> None:
    if smtp.password_env and smtp.password_file:
        raise where.error(
            "smtp", "password_file", "give smtp.password_env or smtp.password_file, not both"
        )
    if smtp.password_env and not _ENV_NAME.fullmatch(smtp.password_env):
        raise where.error(
            "smtp", "password_env", f"{smtp.password_env[:40]!r} is not an environment variable"
        )
    if smtp.password_file and not smtp.password_file.startswith(("/", "~")):
        raise where.error(
            "smtp", "password_file", "must be an absolute path (or start with ~/ for each user's)"
        )
    has_password = bool(smtp.password_env or smtp.password_file)
    if smtp.username and not has_password:
        raise where.error(
            "smtp",
            "username",
            "needs smtp.password_env or smtp.password_file (where the password is)",
        )
    if has_password and not smtp.username:
        key = "password_env" if smtp.password_env else "password_file"
        raise where.error("smtp", key, "needs smtp.username (the login it is the password of)")
    if smtp.username and smtp.security == "none":
        raise where.error(
            "smtp",
            "security",
            "'none' sends the password unencrypted: use starttls or tls to log in ('none' is "
            "for a relay on the same host, without a login)",
        )


def _one_of() -> str:
    return ", ".join(SECURITY)
