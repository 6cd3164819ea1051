"""A terminal that goes away (SIGHUP, SIGTERM, a lost SSH link) ends the app within 2 s, with
what the rep typed saved, the lead on screen let go and the block kept for a reconnect."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callblock.app import CallblockApp

HARD_STOP_S = 1.5  # the app is gone by then even if the terminal blocks its last writes
SIGNALS = {signal.SIGHUP: "the terminal went away", signal.SIGTERM: "callblock was stopped"}


def watch(app: CallblockApp) -> None:
    """Handle SIGHUP and SIGTERM in the app's event loop."""
    loop = asyncio.get_running_loop()
    for signum in SIGNALS:
        loop.add_signal_handler(signum, hang_up, app, signum)


def hang_up(app: CallblockApp, signum: int) -> None:
    status = 128 + signum
    stopper = threading.Timer(HARD_STOP_S, os._exit, (status,))
    stopper.daemon = True
    stopper.start()
    saved = suspend_blocks(app)
    app.fault = f"{SIGNALS.get(signum, 'stopped')}; " + (
        "your block is kept: start callblock again to resume it" if saved else "nothing was lost"
    )
    app.exit(return_code=status)


def suspend_blocks(app: CallblockApp) -> bool:
    """Suspend every running block of the app; True if there was one."""
    from callblock.screens.power_hour import PowerHourScreen

    found = False
    for screen in app.screen_stack:
        if isinstance(screen, PowerHourScreen) and screen.block is not None:
            with suppress(Exception):  # a fault here must not keep the process alive
                found = screen.hang_up() or found
    return found
