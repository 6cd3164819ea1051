"""Where files live: the database and the config (environment, then the user's dirs)."""

from __future__ import annotations

import os
from pathlib import Path

from callblock.store.location import Location, parse_location

APP = "callblock"


def default_db_path() -> Location:
    """--db's default: CALLBLOCK_DB, else the database the host's config names (a team's,
    see config/site.py), else the user's own. A `postgresql://` URL names a server."""
    if env := os.environ.get("CALLBLOCK_DB"):
        return parse_location(env)
    from callblock.config.site import site_database

    if (site := site_database()) is not None:
        return site
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False) / "callblock.db"


def default_config_path() -> Path:
    if env := os.environ.get("CALLBLOCK_CONFIG"):
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False) / "config.toml"


def machine_zone() -> str:
    """The machine's IANA zone name (TZ, else /etc/localtime), or UTC."""
    if ((tz := os.environ.get("TZ", "").lstrip(":")) and "/" in tz) or tz == "UTC":
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"
