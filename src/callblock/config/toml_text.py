"""Writing settings back as TOML (what `team settings` prints and `--file` reads again).

Only the shapes a config holds: strings, whole numbers, numbers, booleans, arrays of those,
tables and arrays of tables. Strings are escaped, so no value can act on a terminal.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def dumps(data: dict[str, Any]) -> str:
    """TOML text that `tomllib.loads` reads back as `data`."""
    lines: list[str] = []
    _table(lines, [], data)
    return "\n".join(lines).strip("\n") + "\n"


def _table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in table.items() if _is_table_array(v)}
    for key, value in table.items():
        if key not in tables and key not in arrays:
            lines.append(f"{_key(key)} = {value_text(value)}")
    for key, value in tables.items():
        header = [*path, key]
        if any(not isinstance(v, dict) for v in value.values()) or not value:
            lines += ["", f"[{'.'.join(_key(k) for k in header)}]"]
        _table(lines, header, value)
    for key, items in arrays.items():
        for item in items:
            lines += ["", f"[[{'.'.join(_key(k) for k in [*path, key])}]]"]
            _table(lines, [*path, key], item)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def value_text(value: Any) -> str:
    """One value as TOML writes it (an inline table for a table inside an array)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {value_text(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _string(text: str) -> str:
    """A basic string: JSON escapes are TOML's (controls as \\uXXXX), and DEL escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
