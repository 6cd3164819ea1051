"""Settings: defaults in code, overridden by an optional TOML file, validated strictly.

A bad file names the file, the key and the line, and the app does not start.
"""

from __future__ import annotations

from pathlib import Path

from callblock.config.settings import COMMAND_KEYS, DEFAULT_KEYS, ConfigError, Settings


def load_settings(path: Path | None, *, required: bool, machine_zone: str) -> Settings:
    """Settings from the TOML file at `path` (missing is fine unless `required`)."""
    if path is None or not _exists(path):
        if required and path is not None:
            raise ConfigError(f"{path}: config file not found")
        return Settings(timezone=machine_zone)
    from callblock.config.loader import load_settings as load  # only with a file to read

    return load(path, required=required, machine_zone=machine_zone)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError as error:  # a name too long for the file system
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    except ValueError:  # a NUL in the name (only from inside Python: argv cannot hold one)
        raise ConfigError(f"{str(path)!r}: not a file name") from None


__all__ = ["COMMAND_KEYS", "DEFAULT_KEYS", "ConfigError", "Settings", "load_settings"]
