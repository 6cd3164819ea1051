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
    rep_zone: str = ""  # where the rep is: prompts, headers and times shown to them
    role: str | None = None  # 'rep' or 'lead' for a registered rep; None: a single rep
    remote: bool = False  # over SSH (`ssh-session`): the host's files are not the rep's

    def __post_init__(self) -> None:
        if not self.rep_zone:
            object.__setattr__(self, "rep_zone", self.settings.timezone)

    @property
    def may_import(self) -> bool:
        """Importing reads a file on this host by its name: a team lead's, and never over SSH
        (a session there runs as the floor's account; `ssh HOST import - < file` is the way)."""
        return self.role != "rep" and not self.remote

    @property
    def may_review(self) -> bool:
        """Review (every rep's log) is a team lead's; a single rep reviews their own work."""
        return self.role != "rep"


@dataclass(frozen=True)
class LastOutcome:
    """The last outcome the rep pressed, and whether it is in the database (told on a fault)."""

    what: str
    saved: bool
