"""A lead's detail, opened from any row of the review: who, status, promises, every touch."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from callblock.domain.calling import local_time
from callblock.domain.text import clean_line, plural
from callblock.services.review import LeadDetail
from callblock.widgets.notes import notes_markdown
from callblock.widgets.plain import plain


def detail_content(detail: LeadDetail, team_zone: str) -> Content:
    lead = detail.lead
    arrived = local_time(lead.created_at, team_zone)
    parts: list[Content | str | tuple[str, str]] = [
        plain(lead.name, "bold"),
        "  ",
        plain(f"{lead.title}, {lead.company}" if lead.title else lead.company),
        "\n",
        plain(f"{lead.phone_display or lead.phone or 'no phone'} · {lead.zone(team_zone)}"),
        "\n",
        plain(f"{lead.temperature.value} · {lead.status.value} · owner {lead.owner or '-'}"),
        f" · {plural(lead.attempts, 'attempt')} · arrived {arrived:%d %b %Y %H:%M}\n",
    ]
    for promise in detail.promises:
        when = local_time(promise.due_at, team_zone)
        parts += [
            plain(f"open {promise.kind}: {when:%a %d %b %H:%M} ({promise.rep})", "bold"),
            "\n",
        ]
    parts.append(("\nwhen (team zone)   rep        outcome\n", "dim"))
    for touch in detail.touches:
        line = (
            f"{local_time(touch.at, team_zone):%a %d %b %H:%M}   {clean_line(touch.rep, 10):<10} "
            f"{touch.outcome}{' (undone)' if touch.undone else ''}"
            f"{'  · ' + clean_line(touch.note, 200) if touch.note else ''}\n"
        )
        parts.append((line, "dim strike") if touch.undone else line)
    if not detail.touches:
        parts.append(("no touches yet\n", "dim"))
    if lead.notes:
        parts.append(("\nresearch notes", "dim"))
    return Content.assemble(*parts)


class LeadDetailScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter", "close", "close", id="lead-detail.close")]

    def __init__(self, detail: LeadDetail, team_zone: str) -> None:
        super().__init__()
        self._detail = detail
        self._zone = team_zone

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help", id="lead-detail"):
            yield Static(detail_content(self._detail, self._zone))
            if self._detail.lead.notes:  # rendered as on the power hour (one function)
                yield Static(notes_markdown(self._detail.lead.notes), id="lead-detail-notes")
            yield Static(Content.styled("Esc, q or Enter closes", "dim"))

    def action_close(self) -> None:
        self.dismiss(None)
