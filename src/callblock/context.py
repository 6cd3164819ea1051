"""What every screen needs: the store, the clock, the settings and who is working."""

from __future__ import annotations

from dataclasses import dataclass

from callblock.clock import Clock
from callblock.config import Settings
from callblock.store import Store


@dataclass(frozen=True)
class AppContext:
    store: Store
    clock: Clock
    settings: Settings
    rep: str


@dataclass(frozen=True)
class LastOutcome:
    """The last outcome the rep pressed, and whether it is in the database (told on a fault)."""

    what: str
    saved: bool
