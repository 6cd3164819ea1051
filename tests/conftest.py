"""Shared fixtures: a fresh database per test, a pinned clock, settings in a fixed zone."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.services.leads import add_lead
from callblock.store import Store
from tests.pg_server import TEMPLATE, PgServer, find_bindir

# Monday 23 Nov 2026, 14:00 in New York (19:00 UTC): inside every US calling window.
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
ZONE = "America/New_York"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings() -> Settings:
    return Settings(timezone=ZONE)


# The test modules whose database tests run on both backends (SQLite and PostgreSQL): the
# store, service, queue, report and concurrency tests. CALLBLOCK_TEST_BACKEND=postgresql runs
# every test on PostgreSQL instead (to find what still speaks only SQLite).
BOTH_BACKENDS = frozenset(
    {
        "test_pg_backend",
        "test_block_service",
        "test_take_over",
        "test_one_screen_guards",
        "test_store",
        "test_pg_claims",
        "test_leads_queue_backends",
        "test_services",
        "test_review_aggregates",
        "test_review_cli",
        "test_review_figures",
        "test_review_issue12",
        "test_team",
        "test_team_roles",
        "test_team_settings",
        "test_template_report",
        "test_templates_cli",
        "test_review_backends",
        "test_queue_service",
        "test_queue_contract",
        "test_import_merges",
        "test_importer",
        "test_dupes_merge",
        "test_plan_cli",
        "test_lead_region",
        "test_worker_connections",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    forced = os.environ.get("CALLBLOCK_TEST_BACKEND")
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if forced:
        backends = [forced]
    elif module in BOTH_BACKENDS and not metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ["sqlite", "postgresql"]
    else:
        backends = ["sqlite"]
    metafunc.parametrize("backend", backends, scope="function")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the run (tests/pg_server.py), with a migrated
    template each test's database is copied from."""
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: CI must run the PostgreSQL half (.ci/run)")
        pytest.skip("PostgreSQL is not installed here (no initdb): its half of the tests skipped")
    server = PgServer(bindir).start()
    try:
        server.admin(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0')
        Store.open(server.url(TEMPLATE)).close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def db_path(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Path:
    """Where the test's database is: a file, or (backend postgresql) a fresh database on the
    test server, as a URL (typed Path for the tests that only hand it on)."""
    if backend == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        return server.new_database(template=TEMPLATE)  # type: ignore[return-value]
    return tmp_path / "callblock.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(db_path)
    yield opened
    opened.close()


LeadMaker = Callable[..., int]


@pytest.fixture
def make_lead(store: Store, clock: FixedClock, settings: Settings) -> LeadMaker:
    """Add a lead with sensible defaults; any add_lead keyword may be overridden."""
    counter = iter(range(100, 10_000))

    def make(**fields: Any) -> int:
        number = next(counter)
        values: dict[str, Any] = {
            "name": f"Lead {number}",
            "company": f"Company {number}",
            "phone": f"+1 212 555 {number:04d}",
            "tz": ZONE,
            "settings": settings,
        }
        values.update(fields)
        return add_lead(store, clock, **values)

    return make


AppMaker = Callable[..., CallblockApp]


@pytest.fixture
def make_app(store: Store, clock: FixedClock, settings: Settings) -> AppMaker:
    def make(rep: str = "alice", settings_override: Settings | None = None) -> CallblockApp:
        return create_app(settings=settings_override or settings, store=store, clock=clock, rep=rep)

    return make


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read the machine's config, database or zone."""
    monkeypatch.setenv("CALLBLOCK_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("CALLBLOCK_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("TZ", ZONE)


@pytest.fixture
def team_db(store: Store, clock: FixedClock, db_path: Path) -> Path:
    """A database holding the review tests' team log (tests/review_helpers.py)."""
    from tests.review_helpers import build_team_log

    build_team_log(store, clock)
    return db_path
