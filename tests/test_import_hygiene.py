"""Layering: headless modules never import Textual; the domain never imports SQL."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "callblock.cli",
    "callblock.commands",
    "callblock.config",
    "callblock.domain.models",
    "callblock.domain.outcomes",
    "callblock.domain.priority",
    "callblock.domain.whenparse",
    "callblock.domain.calling",
    "callblock.domain.phones",
    "callblock.domain.text",
    "callblock.domain.csvcells",
    "callblock.domain.headers",
    "callblock.domain.import_rows",
    "callblock.domain.nicknames",
    "callblock.domain.dedupe",
    "callblock.domain.search",
    "callblock.domain.entries",
    "callblock.services.dialing",
    "callblock.services.queue",
    "callblock.services.sessions",
    "callblock.services.leads",
    "callblock.services.demo",
    "callblock.services.csvfile",
    "callblock.services.importer",
    "callblock.services.dupes",
    "callblock.services.lead_search",
    "callblock.services.lead_edit",
    "callblock.commands_import",
    "callblock.store",
]
DOMAIN = [m for m in HEADLESS if m.startswith("callblock.domain")]


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_import_textual(module: str) -> None:
    assert not any(
        name.split(".")[0] in ("textual", "rich") for name in _loaded_after_import(module)
    )


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_does_not_import_sql_or_the_store(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert "sqlite3" not in loaded and "sqlite_utils" not in loaded
    assert not any(name.startswith("callblock.store") for name in loaded)
