"""Every background worker reads and writes through a connection of its own.

Found: the import worker used the screen's connection, so a lease claimed on the screen while
the import's transaction was open joined that transaction and vanished with its rollback."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from callblock.screens.import_leads import ImportScreen
from callblock.screens.search import SearchScreen
from callblock.store import Store
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_import_runs_on_a_connection_of_its_own(
    make_app: AppMaker, tmp_path: Path, monkeypatch
) -> None:
    used: list[Store] = []
    import callblock.services.importer as importer

    real = importer.import_csv

    def spy(store, *args, **kwargs):  # type: ignore[no-untyped-def]
        used.append(store)
        return real(store, *args, **kwargs)

    monkeypatch.setattr(importer, "import_csv", spy)
    csv_path = tmp_path / "crm.csv"
    csv_path.write_text("First Name,Last Name,Phone\nJim,Brodo,2125550143\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one(Input).value = str(csv_path)
        await pilot.press("enter")
        await settle(app, pilot)
    assert used and all(store.conn is not app.context.store.conn for store in used)


async def test_the_search_index_reads_on_a_connection_of_its_own(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead(name="Jim Brodo")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await settle(app, pilot)
        assert app.lead_search._store.conn is not app.context.store.conn
