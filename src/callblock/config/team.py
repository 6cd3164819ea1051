"""Team settings: which config keys are the team's and which are each user's own.

A team database keeps the team's settings (the config file's team part, as tables) and every
user's config file may then hold only personal keys. Which is which (README, "Team settings"):
- team: `timezone` (the team's zone), `default_region`, `[block]`, `[queue]`,
  `[calling_window]` (and its regions), `[weights]`, `[[blocks]]`, `[review]`: they decide which
  lead comes up when and how the team's log is read, so they must be the same for everyone;
  `[smtp]` (the team's mail server; never its password, only where to find it);
- personal: `[keys]` (key bindings).
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from callblock.config.loader import FileLocator, Locator, parse_file, read_settings
from callblock.config.settings import ConfigError, Settings
from callblock.config.toml_text import value_text

PERSONAL_KEYS = frozenset({"keys"})
TEAM_KEYS = (
    "timezone",
    "default_region",
    "block",
    "queue",
    "calling_window",
    "weights",
    "blocks",
    "review",
    "smtp",
)
SET_LABEL = "team settings --set"


def team_data(settings: Settings) -> dict[str, Any]:
    """The team part of `settings` as the config file writes it (every key, defaults too)."""
    cadence, calling = settings.cadence, settings.calling
    queue: dict[str, Any] = {
        "schedule": [step.text for step in cadence.steps],
        "spacing_minutes": _whole(cadence.spacing.total_seconds() / 60),
        "slack_days": cadence.slack_days,
        "nurture_days": _whole(cadence.nurture_every.total_seconds() / 86400),
        "warm_share": settings.warm_share,
        "nurture_share": settings.nurture_share,
        "promise_grace_minutes": settings.promise_grace_minutes,
        "fresh_hours": settings.fresh_hours,
    }
    window: dict[str, Any] = _window(calling.default)
    window["regions"] = {code: _window(rule) for code, rule in calling.regions.items()}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    smtp = {"smtp": settings.smtp.data()} if settings.smtp is not None else {}
    return {
        "timezone": settings.timezone,
        "default_region": settings.default_region,
        "block": {"name": settings.block_name, "target_dials_per_hour": settings.target_per_hour},
        "queue": queue,
        "calling_window": window,
        "weights": {
            "prior_dials": settings.prior_dials,
            "weekday": dict(zip(names, settings.weights.weekday, strict=True)),
            "hour": {str(hour): w for hour, w in enumerate(settings.weights.hour)},
        },
        "blocks": [
            {"name": b.name, "rule": b.rule, "minutes": b.minutes, "target_dials": b.target_dials}
            for b in settings.blocks
        ],
        "review": {"warm_untouched_days": settings.warm_untouched_days},
        **smtp,
    }


def _whole(value: float) -> int:
    return round(value)


def _window(window: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "start": window.start.isoformat(timespec="minutes"),
        "end": window.end.isoformat(timespec="minutes"),
    }
    if window.max_calls_per_day is not None:
        table["max_calls_per_day"] = window.max_calls_per_day
    return table


def team_settings(data: dict[str, Any], label: str) -> Settings:
    """Settings from team tables, checked exactly as a config file is; errors start `label`."""
    where = Locator(label)
    _refuse_personal(data, where)
    return read_settings(data, where, machine_zone="UTC")


def with_personal(team: Settings, personal: Settings) -> Settings:
    """The one Settings object of a rep on a team database: the team's, their own keys."""
    return replace(team, keys=personal.keys, source=personal.source, team_timezone=team.timezone)


def refuse_team_keys(path: Path, database: object) -> None:
    """On a team database, a user's config file holding a team key names it, with its line."""
    text, data = parse_file(path)
    where = FileLocator(path, text)
    for key, value in data.items():
        if key in PERSONAL_KEYS:
            continue
        section, name = (
            (key, next(iter(value))) if isinstance(value, dict) and value else (None, key)
        )
        raise where.error(
            section,
            name,
            f"a team setting, and {database} is a team database: the team's value is kept "
            "there (`callblock team settings`); remove it from this file",
        )


def read_team_file(path: Path) -> dict[str, Any]:
    """A TEAM.toml's tables: the config file's team part, each key checked where it stands
    (errors name the file, the key and the line)."""
    text, data = parse_file(path)
    where = FileLocator(path, text)
    _refuse_personal(data, where)
    read_settings(data, where, machine_zone="UTC")
    return data


def _refuse_personal(data: dict[str, Any], where: Locator) -> None:
    for key in PERSONAL_KEYS & data.keys():
        value = data[key]
        section, name = (
            (key, next(iter(value))) if isinstance(value, dict) and value else (None, key)
        )
        raise where.error(
            section, name, "a personal setting: it belongs in each user's own config file"
        )


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """`KEY=VALUE` of `--set`: a dotted key and a TOML value (text that is not one, such as
    America/Chicago, is a string)."""
    key, sep, raw = text.partition("=")
    path = key.strip().split(".")
    if not sep or not all(part.strip() for part in path):
        shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")
        raise ConfigError(f"{SET_LABEL}: {shown} is not KEY=VALUE (e.g. queue.spacing_minutes=45)")
    path = [part.strip() for part in path]
    if path[0] in PERSONAL_KEYS:
        raise Locator(SET_LABEL).error(
            None, ".".join(path), "a personal setting: it belongs in each user's own config file"
        )
    return path, _value(raw.strip())


def _value(raw: str) -> Any:
    if any(c in raw for c in "\n\r"):
        raise ConfigError(f"{SET_LABEL}: a VALUE is one line (one TOML value)")
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except (tomllib.TOMLDecodeError, ValueError):
        return raw
    value = parsed.get("v")
    if len(parsed) != 1 or not isinstance(value, str | int | float | bool | list | dict):
        return raw  # a date or time ("08:00"), or more than one value: the text as written
    return value


def with_sets(data: dict[str, Any], sets: list[tuple[list[str], Any]]) -> dict[str, Any]:
    """`data` with each key replaced by its value (a table or an array as a whole)."""
    result = copy.deepcopy(data)
    for path, value in sets:
        table = result
        for part in path[:-1]:
            if not isinstance(table.get(part), dict):
                table[part] = {}
            table = table[part]
        table[path[-1]] = copy.deepcopy(value)
    return result


def with_file(data: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`data` with every key `other` names set to its value; keys it does not name stay."""
    result = copy.deepcopy(data)
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = with_file(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys to values (`queue.spacing_minutes`); arrays are values as a whole."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat |= flatten(value, f"{dotted}.")
        else:
            flat[dotted] = value
    return flat


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for dotted, value in flat.items():
        *parents, last = dotted.split(".")
        table = data
        for part in parents:
            table = table.setdefault(part, {})
        table[last] = value
    return data


def in_order(data: dict[str, Any], template: dict[str, Any] | None = None) -> dict[str, Any]:
    """`data` with its keys in the order the defaults have them (the config file's order, hours
    0 to 23), keys the defaults lack after them."""
    if template is None:
        from callblock.config.smtp import KEYS as SMTP_KEYS

        template = team_data(Settings()) | {"smtp": dict.fromkeys(SMTP_KEYS)}
    ordered = {key: data[key] for key in template if key in data}
    ordered |= {key: value for key, value in data.items() if key not in ordered}
    return {
        key: in_order(value, template[key])
        if isinstance(value, dict) and isinstance(template.get(key), dict)
        else value
        for key, value in ordered.items()
    }


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(dotted key, old value, new value) for every key that differs; None where absent."""
    before, after = flatten(old), flatten(new)
    keys = sorted(before.keys() | after.keys())
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def shown(value: Any) -> str:
    """A value in a change line, as TOML writes it ('(none)' when absent)."""
    return "(none)" if value is None else value_text(value)
