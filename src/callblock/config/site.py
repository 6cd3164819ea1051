"""The host's own config: one file an administrator writes so that every Unix account on the
host opens the team's database without `--db` or an environment variable.

    # /etc/callblock/config.toml
    database = "/srv/callblock/team.db"
    # or a PostgreSQL server (the password in each account's ~/.pgpass, not here):
    # database = "postgresql://callblock@db.example.com:5432/floor"

Only `database` may be in it (team settings live in the team database, personal ones in each
user's config). CALLBLOCK_SITE_CONFIG names another file (tests, unusual hosts).
"""

from __future__ import annotations

import os
from pathlib import Path

from callblock.config.loader import FileLocator, parse_file
from callblock.config.settings import ConfigError
from callblock.store.location import Location, ServerUrl, is_server_url

SITE_CONFIG = Path("/etc/callblock/config.toml")
KEYS = ("database",)


def site_config_path() -> Path:
    return Path(os.environ.get("CALLBLOCK_SITE_CONFIG") or SITE_CONFIG)


def site_database() -> Location | None:
    """The database the host's config names, or None when there is no such file."""
    path = site_config_path()
    if not path.exists():
        return None
    text, data = parse_file(path)
    where = FileLocator(path, text)
    for key in data:
        if key not in KEYS:
            raise where.error(None, key, "unknown key (the host's config holds only `database`)")
    database = data.get("database")
    if database is None:
        return None
    if not isinstance(database, str) or not database.strip() or "\x00" in database:
        raise where.error(
            None, "database", "must be the path of the team database or a postgresql:// URL"
        )
    if is_server_url(database):
        try:
            return ServerUrl.parse(database)
        except ValueError as error:
            raise where.error(None, "database", str(error)) from None
    chosen = Path(database).expanduser()
    if not chosen.is_absolute():
        raise where.error(None, "database", "must be an absolute path")
    return chosen


__all__ = ["ConfigError", "site_config_path", "site_database"]
