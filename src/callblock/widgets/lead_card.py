"""The current lead: who, where and when it is for them, attempt, last touch, why it is next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from callblock.domain.calling import local_time
from callblock.domain.models import Temperature, Touch
from callblock.domain.priority import QueueItem
from callblock.widgets.plain import plain

_HEAT_STYLE = {
    Temperature.HOT: "bold $error",
    Temperature.WARM: "bold $warning",
    Temperature.COLD: "bold $primary",
}


@dataclass(frozen=True, slots=True)
class CardData:
    item: QueueItem
    zone: str  # the lead's effective zone
    max_attempts: int
    last_touch: Touch | None
    rep_zone: str


class LeadCard(Static):
    data: reactive[CardData | None] = reactive(None)

    def render(self) -> Content:
        if self.data is None:
            return Content.assemble(
                ("No lead to call right now.", "bold"),
                "\n\nEveryone callable has been called, is outside their calling hours, or is "
                "waiting out the spacing between attempts.\n\nq ends the block.",
            )
        data = self.data
        lead = data.item.lead
        local: datetime = data.item.local_time
        attempt = min(lead.attempts + 1, data.max_attempts)
        parts: list[Content | str | tuple[str, str]] = [
            plain(lead.name, "bold"),
            "  ",
            (f" {lead.temperature.value.upper()} ", _HEAT_STYLE[lead.temperature]),
            "\n",
            plain(", ".join(x for x in (lead.title, lead.company) if x) or "—"),
            "\n",
            (lead.phone_display or lead.phone or "no phone", "bold"),
            "\n",
            (f"{local:%H:%M %a}", "bold"),
            " local · ",
            plain(f"{data.zone} ({local:%Z})"),
            "\n",
            f"attempt {attempt} of {data.max_attempts} · last: ",
            _last_touch(data.last_touch, data.rep_zone),
            "\n",
            ("why: ", "dim"),
            plain("; ".join(data.item.reasons), "italic"),
        ]
        return Content.assemble(*parts)


def _last_touch(touch: Touch | None, zone: str) -> Content:
    if touch is None:
        return Content("never called")
    when = local_time(touch.at, zone)
    return plain(f"{touch.outcome} {when:%a %d %b %H:%M} by {touch.rep}")
