"""The call script and the voicemail script for the lead on screen, rendered for it: what the
power hour shows beside the card (k switches between them and the research notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callblock.config import Settings
from callblock.domain.models import Lead, Template, TemplateChannel
from callblock.domain.templates import TemplateRefused
from callblock.services.templates import render_for_lead, step_template
from callblock.store import DatabaseBusy, Store

SCRIPT_CHANNELS = (TemplateChannel.CALL_SCRIPT, TemplateChannel.VOICEMAIL)


@dataclass(frozen=True, slots=True)
class Script:
    channel: TemplateChannel
    template: Template | None  # None: the team has none for this step
    text: str = ""  # rendered for the lead
    problems: tuple[str, ...] = ()  # why it cannot be rendered for this lead
    warnings: tuple[str, ...] = ()


def lead_scripts(
    store: Store, settings: Settings, lead: Lead, rep: str, now: datetime
) -> list[Script]:
    """The call script and the voicemail for the lead's next step (its variant kept)."""
    step = lead.steps_done + 1
    scripts = []
    for channel in SCRIPT_CHANNELS:
        try:  # giving the lead its A/B variant is a write: another process may hold the lock
            template = step_template(store, lead, channel, step)
        except DatabaseBusy as error:
            scripts.append(Script(channel, None, problems=(str(error),)))
            continue
        if template is None:
            scripts.append(Script(channel, None))
            continue
        try:
            rendered = render_for_lead(store, settings, template, lead, rep, now)
        except TemplateRefused as refused:
            scripts.append(Script(channel, template, problems=tuple(refused.problems)))
            continue
        scripts.append(Script(channel, template, rendered.body, warnings=rendered.warnings))
    return scripts
