"""A key's work and its frame run without the cyclic garbage collector (app_frames.py): the
collections an outcome sets off run once the next lead's frame is out. None is skipped."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from callblock.app_frames import HOLD_SECONDS
from callblock.screens.power_hour import PowerHourScreen
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE


@pytest.fixture
def collections() -> Iterator[list[str]]:
    """'start'/'stop' of every collection while the test runs."""
    seen: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        seen.append(phase)

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        assert gc.isenabled()  # whatever the test did, the collector is back on


async def test_an_outcome_and_its_frame_run_without_a_collection(
    make_app: AppMaker, make_lead: LeadMaker, collections: list[str]
) -> None:
    for _ in range(4):
        make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PowerHourScreen)
        frames: list[tuple[bool, int]] = []  # (collector on, collections so far) at each frame
        display = app._display

        def counted(*args):  # type: ignore[no-untyped-def]
            frames.append((gc.isenabled(), len(collections)))
            display(*args)

        app._display = counted  # type: ignore[method-assign]
        during: list[bool] = []
        record = screen._record

        def recorded(*args):  # type: ignore[no-untyped-def]
            during.append(gc.isenabled())
            record(*args)

        screen._record = recorded  # type: ignore[method-assign]
        for _ in range(3):
            frames.clear()
            collections.clear()
            gc.collect()  # a clean slate: whatever follows is the key's
            collections.clear()
            await pilot.press("n")
            await pilot.pause()
            assert during[-1] is False  # the handler ran with the collector held
            assert frames and frames[0] == (False, 0)  # no collection before the frame
            assert gc.isenabled()  # and it is back once the frame is out


@pytest.mark.parametrize("key", ["n", "ctrl+q"])
async def test_a_key_that_draws_nothing_holds_the_collector_only_briefly(
    key: str, make_app: AppMaker, make_lead: LeadMaker, collections: list[str]
) -> None:
    """No frame ever comes: the hold ends after HOLD_SECONDS, or with the app (Ctrl+Q); the
    fixture checks the collector is on at the end."""
    make_lead()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app._display = lambda *args: None  # type: ignore[method-assign]
        await pilot.press(key)
        if key == "n":
            assert not gc.isenabled()
            await asyncio.sleep(HOLD_SECONDS + 0.2)
            assert gc.isenabled()
