"""Settings: defaults in code, overridden by an optional TOML file, validated strictly.

A bad file names the file, the key and the line, and the app does not start.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from callblock.domain.calling import CallingWindow, UnknownZoneError, zone_info
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.priority import QueueRules

# Action ids (config `[keys]` names) and their default keys, besides the outcome codes.
COMMAND_KEYS: dict[str, str] = {
    "undo": "u",
    "skip": "s",
    "note": "t",
    "edit_notes": "e",
    "help": "question_mark",
    "end_block": "q",
    "search": "slash",  # app-wide: fuzzy lead search
    "new_lead": "a",  # app-wide: add a lead
    "import_leads": "i",  # app-wide: import a CSV with a preview
}
DEFAULT_KEYS: dict[str, str] = {o.code: o.key for o in OUTCOMES} | COMMAND_KEYS


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    timezone: str = "UTC"  # the rep's (and team's) zone for display
    default_region: str = "US"  # for phone numbers written without a country code
    block_name: str = "Power hour"
    target_per_hour: int = 60
    max_attempts: int = 6
    spacing_minutes: int = 60
    window: CallingWindow = field(default_factory=CallingWindow)
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    source: Path | None = None

    def queue_rules(self) -> QueueRules:
        return QueueRules(
            default_zone=self.timezone,
            window=self.window,
            max_attempts=self.max_attempts,
            spacing=timedelta(minutes=self.spacing_minutes),
        )


_TOP = {"timezone": str, "default_region": str}
_SECTIONS: dict[str, dict[str, type]] = {
    "block": {"name": str, "target_dials_per_hour": int},
    "queue": {"max_attempts": int, "spacing_minutes": int},
    "calling_window": {"start": str, "end": str},
    "keys": dict.fromkeys(DEFAULT_KEYS, str),
}


def load_settings(path: Path | None, *, required: bool, machine_zone: str) -> Settings:
    """Settings from `path` (missing is fine unless `required`)."""
    if path is None or not path.exists():
        if required and path is not None:
            raise ConfigError(f"{path}: config file not found")
        return Settings(timezone=machine_zone)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    return _build(data, _Locator(path, text), machine_zone)


class _Locator:
    """Finds the line of a key so errors can point at it."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def error(self, section: str | None, key: str, problem: str) -> ConfigError:
        dotted = f"{section}.{key}" if section else key
        return ConfigError(
            f"{self.path}, line {self.line(section, key)}: key {dotted!r}: {problem}"
        )

    def line(self, section: str | None, key: str) -> int:
        current = None
        for number, raw in enumerate(self.lines, start=1):
            stripped = raw.strip()
            if stripped.startswith("["):
                current = stripped.strip("[] ")
                if section is None and current == key:
                    return number
                continue
            name = stripped.split("=", 1)[0].strip().strip('"')
            if "=" in stripped and name == key and current == section:
                return number
        return 0


def _build(data: dict[str, Any], where: _Locator, machine_zone: str) -> Settings:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TOP:
            values[key] = _typed(where, None, key, value, _TOP[key])
        elif key in _SECTIONS:
            if not isinstance(value, dict):
                raise where.error(None, key, "must be a [section]")
            for sub, sub_value in value.items():
                if sub not in _SECTIONS[key]:
                    known = ", ".join(_SECTIONS[key])
                    raise where.error(key, sub, f"unknown key (known: {known})")
                values[f"{key}.{sub}"] = _typed(where, key, sub, sub_value, _SECTIONS[key][sub])
        else:
            known = ", ".join([*_TOP, *_SECTIONS])
            raise where.error(None, key, f"unknown key (known: {known})")

    zone = values.get("timezone", machine_zone)
    try:
        zone_info(zone)
    except UnknownZoneError:
        raise where.error(None, "timezone", f"unknown time zone {zone!r}") from None
    for name in ("block.target_dials_per_hour", "queue.max_attempts"):
        if name in values and values[name] < 1:
            section, key = name.split(".")
            raise where.error(section, key, "must be at least 1")
    if values.get("queue.spacing_minutes", 0) < 0:
        raise where.error("queue", "spacing_minutes", "must not be negative")
    window = CallingWindow(
        start=_clock_time(where, values.get("calling_window.start", "08:00"), "start"),
        end=_clock_time(where, values.get("calling_window.end", "21:00"), "end"),
    )
    keys = dict(DEFAULT_KEYS)
    for name in DEFAULT_KEYS:
        if f"keys.{name}" in values:
            keys[name] = values[f"keys.{name}"]
    seen: dict[str, str] = {}
    for name, key in keys.items():
        if not key or " " in key:
            raise where.error("keys", name, f"{key!r} is not a key name")
        if key in seen:
            raise where.error("keys", name, f"key {key!r} is already used by {seen[key]!r}")
        seen[key] = name
    return Settings(
        timezone=zone,
        default_region=values.get("default_region", "US").upper(),
        block_name=values.get("block.name", "Power hour"),
        target_per_hour=values.get("block.target_dials_per_hour", 60),
        max_attempts=values.get("queue.max_attempts", 6),
        spacing_minutes=values.get("queue.spacing_minutes", 60),
        window=window,
        keys=keys,
        source=where.path,
    )


def _typed(where: _Locator, section: str | None, key: str, value: Any, kind: type) -> Any:
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise where.error(section, key, f"must be {kind.__name__}, got {value!r}")
    return value


def _clock_time(where: _Locator, text: str, key: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise where.error("calling_window", key, f"{text!r} is not a time like 08:00") from None
