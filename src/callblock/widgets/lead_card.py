"""The current lead: who, where and when it is for them, attempt, last touch, why it is next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from callblock.domain.calling import local_time
from callblock.domain.models import Temperature, Touch
from callblock.domain.priority import QueueItem
from callblock.widgets.lead_detail import other_contacts, region_label
from callblock.widgets.plain import plain, say_it

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


class LeadCard(Vertical):
    """Fixed one-line fields (cut with an ellipsis when narrow) and the reasons, wrapped below."""

    data: reactive[CardData | None] = reactive(None, init=False)

    def __init__(self, *, id: str | None = None, end_key: str = "q") -> None:
        super().__init__(id=id)
        self.end_key = end_key  # the key that ends the block, as remapped

    def compose(self) -> ComposeResult:
        yield Static(id="card-fields")
        yield Static(id="card-why")

    def on_mount(self) -> None:
        self.watch_data(self.data)

    def watch_data(self, data: CardData | None) -> None:
        fields = self.query_one("#card-fields", Static)
        why = self.query_one("#card-why", Static)
        if data is None:
            fields.update(Content.styled("No lead to call right now.", "bold"))
            why.update(
                "Everyone callable has been called, is outside their calling hours, or is "
                f"waiting out the spacing between attempts. {self.end_key} ends the block."
            )
            return
        lead = data.item.lead
        local: datetime = data.item.local_time
        attempt = min(lead.attempts + 1, data.max_attempts)
        label = region_label(lead)
        fields.update(
            Content("\n").join(
                [
                    Content.assemble(
                        plain(lead.name, "bold"),
                        *say_it(lead),
                        "  ",
                        (f" {lead.temperature.value.upper()} ", _HEAT_STYLE[lead.temperature]),
                    ),
                    plain(lead.title or "—"),
                    plain(lead.company or "—"),
                    Content.assemble(
                        (lead.phone_display or lead.phone or "no phone", "bold"),
                        " · ",
                        (f"{local:%H:%M %a}", "bold"),
                        " local",
                    ),
                    Content.assemble(
                        plain(f"{data.zone} {local:%Z}"),
                        f" · attempt {attempt} of {data.max_attempts}",
                    ),
                    # whose calling rules apply (its own line: 80 columns cut a long one)
                    *([Content.assemble(("region ", "dim"), plain(label))] if label else []),
                    Content.assemble("last: ", _last_touch(data.last_touch, data.rep_zone)),
                ]
            )
        )
        why.update(
            Content("\n").join(
                [
                    *(plain(line, "dim") for line in other_contacts(lead)),
                    Content.assemble(
                        ("why: ", "dim"), plain("; ".join(data.item.reasons), "italic")
                    ),
                ]
            )
        )


def _last_touch(touch: Touch | None, zone: str) -> Content:
    if touch is None:
        return Content("never called")
    when = local_time(touch.at, zone)
    return plain(f"{touch.outcome} {when:%a %d %b %H:%M} by {touch.rep}")
