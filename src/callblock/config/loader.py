"""Reading the TOML config: every key checked, every error naming the file, key and line."""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from callblock.config.settings import DEFAULT_KEYS, ConfigError, Settings
from callblock.config.smtp import read_smtp
from callblock.domain.cadence import MAX_STEPS, Cadence, ScheduleError, parse_step
from callblock.domain.calling import CallingRules, CallingWindow, UnknownZoneError, zone_info
from callblock.domain.phones import default_region_problem
from callblock.domain.planning import BlockRule, BlockRuleError, check_rule
from callblock.domain.weights import PRIOR_HOUR, PRIOR_WEEKDAY, WEEKDAY_NAMES, Weights

MAX_CONFIG = 1024 * 1024  # bytes; a config is a few KB
Number = (int, float)
_TOP = {"timezone": str, "default_region": str}
# Every default is written once, in the dataclasses; the loader only reads what a file changes.
_DEFAULT = Settings()


def _minutes(table: dict[str, Any], key: str, default: timedelta) -> timedelta:
    return timedelta(minutes=table.get(key, default.total_seconds() / 60))


_FLAT: dict[str, dict[str, Any]] = {
    "block": {"name": str, "target_dials_per_hour": int},
    "queue": {
        "max_attempts": int,
        "schedule": list,
        "spacing_minutes": int,
        "slack_days": int,
        "nurture_days": int,
        "warm_share": Number,
        "nurture_share": Number,
        "promise_grace_minutes": int,
        "fresh_hours": int,
    },
    "calling_window": {"start": str, "end": str, "max_calls_per_day": int, "regions": dict},
    "weights": {"prior_dials": int, "weekday": dict, "hour": dict},
    "keys": dict.fromkeys(DEFAULT_KEYS, str),
    "review": {"warm_untouched_days": int},
}
_WINDOW_KEYS = {"start": str, "end": str, "max_calls_per_day": int}
_BLOCK_KEYS = {"name": str, "rule": str, "minutes": int, "target_dials": int}
# Every number's range, both ends included (README, "Configuration"): a value the rest of the
# code can handle (no date overflows, no NaN in `plan --json`, no year-long loops).
RANGES: dict[str, tuple[int, int]] = {
    "block.target_dials_per_hour": (1, 10_000),
    "queue.max_attempts": (1, 100),  # and no more than the schedule's steps
    "queue.spacing_minutes": (0, 1440),
    "queue.slack_days": (0, 30),
    "queue.nurture_days": (1, 3650),
    "queue.warm_share": (0, 1),
    "queue.nurture_share": (0, 1),
    "queue.promise_grace_minutes": (0, 1440),
    "queue.fresh_hours": (0, 720),
    "calling_window.max_calls_per_day": (1, 1000),  # in a region's table too
    "weights.prior_dials": (1, 1_000_000),
    "weights.weekday": (0, 10),  # each day's weight
    "weights.hour": (0, 10),  # each hour's weight
    "blocks.minutes": (1, 1440),
    "blocks.target_dials": (0, 10_000),
    "review.warm_untouched_days": (1, 3650),
}
_HOUR = re.compile(r"[0-9]{1,2}")


def load_settings(path: Path | None, *, required: bool, machine_zone: str) -> Settings:
    """Settings from `path` (missing is fine unless `required`)."""
    if path is None or not path.exists():
        if required and path is not None:
            raise ConfigError(f"{path}: config file not found")
        return Settings(timezone=machine_zone)
    text, data = parse_file(path)
    return _Reader(FileLocator(path, text)).read(data, machine_zone)


def parse_file(path: Path) -> tuple[str, dict[str, Any]]:
    """A TOML file's text and its tables (a file that cannot be read names itself)."""
    raw = _read(path)  # its ConfigError is a ValueError: not one to catch below
    try:
        text = raw.decode("utf-8")
        return text, tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    except ValueError:  # an integer of thousands of digits: Python refuses to convert it
        raise ConfigError(f"{path}: a number too long to read") from None


def read_settings(data: dict[str, Any], where: Locator, machine_zone: str) -> Settings:
    """Settings from tables already parsed (team settings, a TOML file's), checked exactly as
    the config file is; errors are worded by `where`."""
    return _Reader(where).read(data, machine_zone)


def _read(path: Path) -> bytes:
    """The file's bytes: a regular file of at most MAX_CONFIG bytes (a device or a FIFO could
    make the read never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
            raise ConfigError(f"{path}: not a regular file ({kind})")
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG + 1)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    if len(data) > MAX_CONFIG:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG // 1024} KB: not a config file")
    return data


class Locator:
    """Words an error about a key where there is no file to point into (team settings in the
    database, `team settings --set`): `label: key 'queue.spacing_minutes': problem`."""

    def __init__(self, label: str) -> None:
        self.path = label
        self.file: Path | None = None

    def error(self, section: str | None, key: str, problem: str, index: int = 0) -> ConfigError:
        dotted = f"{section}.{key}" if section else key
        return ConfigError(f"{self.path}: key {dotted!r}: {problem}")


class FileLocator(Locator):
    """Finds the line of a key so errors can point at it."""

    def __init__(self, path: Path, text: str) -> None:
        super().__init__(str(path))
        self.file = path
        self.lines = text.splitlines()

    def error(self, section: str | None, key: str, problem: str, index: int = 0) -> ConfigError:
        dotted = f"{section}.{key}" if section else key
        where = self.line(section, key, index)
        return ConfigError(f"{self.path}, line {where}: key {dotted!r}: {problem}")

    def line(self, section: str | None, key: str, index: int = 0) -> int:
        """The line of `key` in `section` (its index-th occurrence, for [[arrays]]), else the
        line of the nearest enclosing header or key, else 0."""
        current, seen, fallback = None, -1, 0
        for number, raw in enumerate(self.lines, start=1):
            stripped = raw.split("#", 1)[0].strip()
            if stripped.startswith("["):
                current = stripped.strip("[] ").replace('"', "").replace(" ", "")
                if current == section:
                    seen += 1
                    fallback = fallback if seen > index else number
                if current == (f"{section}.{key}" if section else key):
                    return number  # the key is a [table] of its own
                if section and f"{current}.{key}" == section and not fallback:
                    fallback = number
                continue
            name = stripped.split("=", 1)[0].strip().strip('"')
            if "=" not in stripped:
                continue
            if name == key and current == section and max(seen, 0) == index:
                return number
            parent, _, last = (section or "").rpartition(".")
            if name == last and (current or "") == parent and not fallback:
                fallback = number  # an inline table: point at its key
        return fallback


class _Reader:
    def __init__(self, where: Locator) -> None:
        self.where = where

    def read(self, data: dict[str, Any], machine_zone: str) -> Settings:
        where = self.where
        for key, value in data.items():
            if key in _TOP:
                self.typed(None, key, value, _TOP[key])
            elif key in _FLAT:
                self.table(None, key, value)
                for sub, sub_value in value.items():
                    self.known(key, sub, _FLAT[key])
                    self.typed(key, sub, sub_value, _FLAT[key][sub])
            elif key == "blocks":
                if not isinstance(value, list):
                    raise where.error(None, key, "must be an array of [[blocks]] tables")
            elif key != "smtp":  # [smtp]: config/smtp.py checks it
                known = ", ".join([*_TOP, *_FLAT, "blocks", "smtp"])
                raise where.error(None, key, f"unknown key (known: {known})")
        if "default_region" in data and (problem := default_region_problem(data["default_region"])):
            raise where.error(None, "default_region", problem)
        zone = data.get("timezone", machine_zone)
        try:
            zone_info(zone)
        except UnknownZoneError:
            raise where.error(None, "timezone", f"unknown time zone {zone!r}") from None
        block = data.get("block", {})
        queue = data.get("queue", {})
        settings = Settings(
            timezone=zone,
            default_region=data.get("default_region", _DEFAULT.default_region).upper(),
            block_name=block.get("name", _DEFAULT.block_name),
            target_per_hour=block.get("target_dials_per_hour", _DEFAULT.target_per_hour),
            cadence=self.cadence(queue),
            calling=self.calling(data.get("calling_window", {})),
            keys=self.keys(data.get("keys", {})),
            warm_untouched_days=data.get("review", {}).get(
                "warm_untouched_days", _DEFAULT.warm_untouched_days
            ),
            source=where.file,
            smtp=read_smtp(data.get("smtp"), where),
        )
        settings = replace(settings, **self.shares(queue))
        return replace(settings, **self.weights(data.get("weights", {})), **self.blocks(data))

    # helpers -----------------------------------------------------------------------------
    def known(self, section: str, key: str, schema: dict[str, Any], index: int = 0) -> None:
        if key not in schema:
            known = ", ".join(schema)
            raise self.where.error(section, key, f"unknown key (known: {known})", index)

    def table(self, section: str | None, key: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise self.where.error(section, key, "must be a [section]")

    def typed(self, section: str | None, key: str, value: Any, kind: Any, index: int = 0) -> Any:
        bad_bool = isinstance(value, bool) and kind is not bool
        if bad_bool or not isinstance(value, kind):
            name = "number" if kind is Number else kind.__name__
            raise self.where.error(section, key, f"must be {name}, got {_shown(value)}", index)
        if isinstance(value, int | float):
            self.in_range(section, key, value, index)
        return value

    def in_range(self, section: str | None, key: str, value: float, index: int = 0) -> None:
        low, high = _range_of(section, key)
        if low <= value <= high:  # False for NaN
            return
        if value < low:
            problem = f"must be at least {low}"
        elif value > high:
            problem = f"must be at most {high}"
        else:
            problem = "must be a number"
        span = f"{low}..{high}"
        raise self.where.error(section, key, f"{problem} ({span}), got {value}", index)

    def cadence(self, queue: dict[str, Any]) -> Cadence:
        default = Cadence()
        steps = default.steps
        if "schedule" in queue:
            try:
                steps = tuple(
                    parse_step(self.typed("queue", "schedule", s, str)) for s in queue["schedule"]
                )
            except ScheduleError as error:
                raise self.where.error("queue", "schedule", str(error)) from None
            if not steps:
                raise self.where.error("queue", "schedule", "needs at least one step")
            if len(steps) > MAX_STEPS:
                problem = f"has {len(steps)} steps; at most {MAX_STEPS}"
                raise self.where.error("queue", "schedule", problem)
        if "max_attempts" in queue:
            limit = queue["max_attempts"]
            if limit > len(steps):
                problem = f"is {limit} but the schedule has {len(steps)} steps; add steps"
                raise self.where.error("queue", "max_attempts", problem)
            steps = steps[:limit]
        return Cadence(
            steps=steps,
            spacing=_minutes(queue, "spacing_minutes", default.spacing),
            slack_days=queue.get("slack_days", default.slack_days),
            nurture_every=timedelta(days=queue.get("nurture_days", default.nurture_every.days)),
        )

    def shares(self, queue: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for key in ("warm_share", "nurture_share"):
            values[key] = float(
                queue.get(key, getattr(_DEFAULT, key))
            )  # 0 to 1: checked by typed()
        if values["warm_share"] + values["nurture_share"] > 1:
            raise self.where.error("queue", "nurture_share", "warm_share + nurture_share > 1")
        values["promise_grace_minutes"] = queue.get(
            "promise_grace_minutes", _DEFAULT.promise_grace_minutes
        )
        values["fresh_hours"] = queue.get("fresh_hours", _DEFAULT.fresh_hours)
        return values

    def window(self, section: str, table: dict[str, Any], base: CallingWindow) -> CallingWindow:
        limit = table.get("max_calls_per_day", base.max_calls_per_day)  # range: typed()
        window = CallingWindow(
            start=self.clock_time(section, "start", table.get("start"), base.start),
            end=self.clock_time(section, "end", table.get("end"), base.end),
            max_calls_per_day=limit,
        )
        if window.start >= window.end:
            raise self.where.error(section, "end", "must be later than start")
        return window

    def calling(self, table: dict[str, Any]) -> CallingRules:
        default = self.window("calling_window", table, CallingRules().default)
        regions = dict(CallingRules().regions)
        for code, region in table.get("regions", {}).items():
            section = f"calling_window.regions.{code}"
            self.table("calling_window.regions", code, region)
            if code != code.upper() or not code.replace("-", "").isalnum():
                raise self.where.error(
                    "calling_window.regions", code, "not a region like US-FL or DE"
                )
            for key, value in region.items():
                self.known(section, key, _WINDOW_KEYS)
                self.typed(section, key, value, _WINDOW_KEYS[key])
            # a built-in region (Florida's 3 calls a day) is the base its override starts from
            regions[code] = self.window(section, region, regions.get(code, default))
        return CallingRules(default=default, regions=regions)

    def clock_time(self, section: str, key: str, text: str | None, default: time) -> time:
        if text is None:
            return default
        try:
            return time.fromisoformat(text)
        except ValueError:
            raise self.where.error(section, key, f"{text!r} is not a time like 08:00") from None

    def weights(self, table: dict[str, Any]) -> dict[str, Any]:
        weekday, hour = list(PRIOR_WEEKDAY), list(PRIOR_HOUR)
        for name, value in table.get("weekday", {}).items():
            if name not in WEEKDAY_NAMES:
                raise self.where.error("weights.weekday", name, "not a day (mon ... sun)")
            weekday[WEEKDAY_NAMES.index(name)] = self.weight("weights.weekday", name, value)
        for name, value in table.get("hour", {}).items():
            if not _HOUR.fullmatch(name) or not 0 <= int(name) <= 23:
                raise self.where.error("weights.hour", name, "not an hour (0 ... 23)")
            hour[int(name)] = self.weight("weights.hour", name, value)
        prior_dials = table.get("prior_dials", _DEFAULT.prior_dials)
        return {"weights": Weights(tuple(weekday), tuple(hour)), "prior_dials": prior_dials}

    def weight(self, section: str, key: str, value: Any) -> float:
        return float(self.typed(section, key, value, Number))  # finite, 0 to 10: see RANGES

    def blocks(self, data: dict[str, Any]) -> dict[str, Any]:
        if "blocks" not in data:
            return {}
        rules = []
        for index, table in enumerate(data["blocks"]):
            self.table(None, "blocks", table)
            for key, value in table.items():
                self.known("blocks", key, _BLOCK_KEYS, index)
                self.typed("blocks", key, value, _BLOCK_KEYS[key], index)
            for key in ("name", "rule"):
                if key not in table:
                    raise self.where.error("blocks", key, "is required in each [[blocks]]", index)
            rule = BlockRule(table["name"], table["rule"])
            rule = replace(
                rule,
                minutes=table.get("minutes", rule.minutes),
                target_dials=table.get("target_dials", rule.target_dials),
            )
            try:
                check_rule(rule)
            except BlockRuleError as error:
                raise self.where.error("blocks", "rule", str(error), index) from None
            rules.append(rule)
        return {"blocks": tuple(rules)}

    def keys(self, table: dict[str, Any]) -> dict[str, str]:
        keys = dict(DEFAULT_KEYS) | table
        seen: dict[str, str] = {}
        for name, key in keys.items():
            if not key or " " in key:
                raise self.where.error("keys", name, f"{key!r} is not a key name")
            if key in seen:
                raise self.where.error(
                    "keys", name, f"key {key!r} is already used by {seen[key]!r}"
                )
            seen[key] = name
        return keys


def _range_of(section: str | None, key: str) -> tuple[int, int]:
    """RANGES' entry for `section.key` (a region's window reads [calling_window]'s; a weight,
    its table's)."""
    if section and section.startswith("calling_window.regions."):
        section = "calling_window"
    dotted = f"{section}.{key}" if section else key
    return RANGES.get(dotted) or RANGES[section or ""]


def _shown(value: Any) -> str:
    """A wrong value in an error message: its repr, cut short (a config may hold 1 MB)."""
    if isinstance(value, str) and len(value) > 40:
        return repr(value[:37] + "...")
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
