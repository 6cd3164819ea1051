"""The next few leads of the queue, one line each: who, their local time and why."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from callblock.domain.models import Tier
from callblock.domain.priority import QueueItem
from callblock.widgets.plain import plain

TIER_MARK = {Tier.PROMISE: "!", Tier.INBOUND: "+", Tier.FOLLOW_UP: "·", Tier.NURTURE: "~"}


class UpNext(Static):
    items: reactive[tuple[QueueItem, ...]] = reactive(())

    def render(self) -> Content:
        lines = [Content.styled("up next", "bold")]
        for item in self.items:
            lines.append(
                Content.assemble(
                    (TIER_MARK.get(item.tier, " "), "bold $accent"),
                    " ",
                    (f"{item.local_time:%H:%M} ", "dim"),
                    plain(item.lead.name),
                    "  ",
                    plain(item.reasons[0] if item.reasons else "", "dim"),
                )
            )
        if not self.items:
            lines.append(Content.styled("nothing else callable now", "dim"))
        return Content("\n").join(lines)
