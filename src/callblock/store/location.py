"""Where the database is: a SQLite file (a path) or a PostgreSQL server (a URL).

`--db`, `CALLBLOCK_DB` and the team config may name either. A URL may carry a password; it is
never printed: every message names the server by `host:port` and the database, nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")
_USER_PASSWORD = re.compile(r"(?i)(postgres(?:ql)?://[^\s/@:'\"]*:)[^\s'\"]*@")
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)[^&\s'\"]*")


def is_server_url(value: object) -> bool:
    """Whether `value` names a PostgreSQL server rather than a SQLite file."""
    return isinstance(value, str) and value.lower().startswith(SERVER_SCHEMES)


def hide_passwords(text: str) -> str:
    """`text` (a log, a command line) with every PostgreSQL URL's password replaced by ***."""
    return _QUERY_PASSWORD.sub(r"\1***", _USER_PASSWORD.sub(r"\1***@", text))


@dataclass(frozen=True)
class ServerUrl:
    """A PostgreSQL URL as given (`url`, passed to libpq untouched) and its printable parts."""

    url: str
    host: str
    port: int | None
    database: str

    @classmethod
    def parse(cls, url: str) -> ServerUrl:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise ValueError(f"not a usable PostgreSQL URL ({error})") from None
        host = unquote(parts.hostname or "")
        database = unquote(parts.path.lstrip("/"))
        return cls(url, host, port, database)

    @property
    def address(self) -> str:
        """`host:port` as messages name the server (libpq's defaults filled in)."""
        host = self.host or "localhost"
        if host.startswith("/"):  # a Unix socket folder
            return f"{host} (socket)"
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{self.port or 5432}"

    @property
    def has_password(self) -> bool:
        """A password in the user part or (libpq takes either) as `?password=`."""
        parts = urlsplit(self.url)
        return parts.password is not None or any(
            _is_password(pair) for pair in parts.query.split("&")
        )

    def without_password(self) -> str:
        """The URL as given less its password (for a command line another file keeps)."""
        if not self.has_password:
            return self.url
        parts = urlsplit(self.url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = f"{parts.username or ''}@{netloc.rsplit('@', 1)[1]}"
        query = "&".join(pair for pair in parts.query.split("&") if not _is_password(pair))
        return parts._replace(netloc=netloc, query=query).geturl()

    def __str__(self) -> str:
        """The URL without user or password: `postgresql://host:port/database`."""
        return f"postgresql://{self.address}/{self.database}"


def _is_password(pair: str) -> bool:
    return unquote(pair.split("=", 1)[0]).strip().lower() == "password"


Location = Path | ServerUrl


def parse_location(value: str) -> Location:
    """`--db`'s value: a server URL, else a file path (`~` expanded)."""
    if is_server_url(value):
        return ServerUrl.parse(value)
    return Path(value).expanduser()
