"""Layering: headless modules never import Textual; the domain never imports SQL.

Every module of the package is checked, except the UI ones (app, terminal, screens, widgets): a new
module is covered the day it is written.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import callblock

UI = ("callblock.app", "callblock.terminal", "callblock.screens", "callblock.widgets")
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(callblock.__path__, "callblock.")
    if not info.name.startswith(UI) and info.name != "callblock.__main__"
)
DOMAIN = [m for m in MODULES if m.startswith("callblock.domain")]
PROBE = """
import importlib, json, sys
culprits = {}
for name in sys.argv[1:]:
    importlib.import_module(name)
    for banned in ("textual", "rich", "sqlite3", "sqlite_utils", "callblock.store"):
        if banned in sys.modules and banned not in culprits:
            culprits[banned] = name
print(json.dumps(culprits))
"""


def _first_importer(modules: list[str]) -> dict[str, str]:
    """Which module, imported in this order in a fresh interpreter, first pulled each banned
    package in."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_there_are_headless_modules_to_check() -> None:
    assert {"callblock.cli", "callblock.domain.priority", "callblock.store.queue"} <= set(MODULES)


def test_headless_modules_do_not_import_textual() -> None:
    culprits = _first_importer(MODULES)
    assert "textual" not in culprits, culprits
    assert "rich" not in culprits, culprits


def test_the_domain_does_not_import_sql_or_the_store() -> None:
    culprits = _first_importer(DOMAIN)
    for banned in ("sqlite3", "sqlite_utils", "callblock.store"):
        assert banned not in culprits, culprits
