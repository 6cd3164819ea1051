"""The top line: callblock, the rep and the time (the pinned time under --now)."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from callblock.widgets.plain import plain


class AppHeader(Static):
    rep: reactive[str] = reactive("")
    now: reactive[datetime | None] = reactive(None)

    def render(self) -> Content:
        moment = f"{self.now:%a %d %b %H:%M %Z}" if self.now else ""
        return Content.assemble(("callblock", "bold"), " · ", plain(self.rep), " · ", moment)
