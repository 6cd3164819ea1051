"""Every field of one lead, one line each, as plain text (the lead screen's card)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from callblock.domain.calling import local_time
from callblock.domain.models import FIT_CRITERIA, Lead, Temperature, fit_score
from callblock.domain.regions import short_region
from callblock.domain.text import plural
from callblock.widgets.plain import plain, say_it

HEAT_STYLE = {
    Temperature.HOT: "bold $error",
    Temperature.WARM: "bold $warning",
    Temperature.COLD: "bold $primary",
}
FIT_LABELS = ("size", "audience", "title", "location", "client", "growth")


@dataclass(frozen=True, slots=True)
class LeadDetailData:
    lead: Lead
    zone: str
    now: datetime
    extra: dict[str, str]


def region_label(lead: Lead) -> str:
    """The region whose calling rules apply and where it came from: "FL · from record"
    (State/Country, the lead form) or "NY · from phone"; "" when neither gives one."""
    if lead.region is None:
        return ""
    return f"{short_region(lead.region)} · from {lead.region_source}"


def other_contacts(lead: Lead) -> list[str]:
    """The phones and emails the lead keeps besides its main ones, a line each kind."""
    lines = []
    if lead.other_phones:
        lines.append("other phones: " + ", ".join(lead.other_phones))
    if lead.other_emails:
        lines.append("other emails: " + ", ".join(lead.other_emails))
    return lines


class LeadDetail(Static):
    data: reactive[LeadDetailData | None] = reactive(None, init=False)

    def watch_data(self, data: LeadDetailData | None) -> None:
        if data is None:
            self.update("")
            return
        lead = data.lead
        local = local_time(data.now, data.zone)
        region = region_label(lead)
        fit = [
            f"{n} {label} {lead.fit.get(name, 0)}/{maximum}"
            for n, (label, (name, (maximum, _w))) in enumerate(
                zip(FIT_LABELS, FIT_CRITERIA.items(), strict=True), start=1
            )
        ]
        extra = "; ".join(f"{key}: {value}" for key, value in data.extra.items())
        lines = [
            Content.assemble(
                plain(lead.name, "bold"),
                *say_it(lead),
                "  ",
                (f" {lead.temperature.value.upper()} ", HEAT_STYLE[lead.temperature]),
                "  ",
                plain(lead.status.value, "italic"),
            ),
            plain(" · ".join(x for x in (lead.title, lead.company) if x) or "—"),
            Content.assemble(
                (lead.phone_display or lead.phone or "no phone", "bold"),
                " · ",
                plain(f"{local:%H:%M %a} local · {data.zone}"),
            ),
            *([Content.assemble(("region ", "dim"), plain(region))] if region else []),
            plain(lead.email or "no email"),
            *([plain(f"interest: {lead.interest}")] if lead.interest else []),
            *(plain(line) for line in other_contacts(lead)),
            plain(f"lead {lead.id} · owner {lead.owner or '—'}"),
            plain(f"since {lead.created_at:%Y-%m-%d} · {plural(lead.attempts, 'attempt')}"),
            # two criteria a line: all six names fit the card's 38 columns at 80
            Content(f"fit {fit_score(lead.fit):.2f}:  {fit[0]}  {fit[1]}"),
            Content(f"{fit[2]}  {fit[3]}"),
            Content(f"{fit[4]}  {fit[5]}"),
            plain(f"extra: {extra}" if extra else "no extra fields", "dim"),
        ]
        self.update(Content("\n").join(lines))
