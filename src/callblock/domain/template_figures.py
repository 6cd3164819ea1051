"""Which messages work: figures per template, variant and segment (pure), for
`callblock report --by template` and the Review screen's Templates tab.

Each touch counts for the template it records (never undone ones):
- sent: the template was used: an email, LinkedIn note or SMS sent or done, a call script or
  voicemail on a dial. Replies, bounces and skipped tasks are not sends.
- replies: `replied` touches; the cadence records on a reply the template and variant of the
  lead's last sent touch, so a reply counts for the message it answers.
- contacts and meetings: dials with a contact (or meeting) outcome that showed the template.
- reply_rate = replies / sent, meeting_rate = meetings / sent (None when nothing was sent).
- segment: the lead's temperature (as it is now: touches do not record it).
Variants of one step are compared within a segment; under MIN_PER_VARIANT sends a variant's
figures are too few to tell chance from a difference, and a note says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from callblock.domain.models import Template

MIN_PER_VARIANT = 30
NOT_SENT = ("replied", "bounced", "skipped")  # touch outcomes that are not a use of the template
TEMPLATE_FIELDS = (
    "template",
    "variant",
    "channel",
    "segment",
    "sent",
    "replies",
    "contacts",
    "meetings",
    "reply_rate",
    "meeting_rate",
)


@dataclass(frozen=True, slots=True)
class TemplateCounts:
    """One group of touches as the store counts them."""

    template: str
    variant: str
    channel: str  # the template's (call-script, voicemail, email, linkedin, sms)
    segment: str  # the lead's temperature
    sent: int
    replies: int
    contacts: int
    meetings: int


@dataclass(frozen=True, slots=True)
class TemplateFigures:
    template: str
    variant: str
    channel: str
    segment: str
    sent: int
    replies: int
    contacts: int
    meetings: int
    reply_rate: float | None
    meeting_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def template_figures(counts: Iterable[TemplateCounts]) -> list[TemplateFigures]:
    """The rows of the report, by template, variant and segment."""
    rows = [
        TemplateFigures(
            c.template,
            c.variant,
            c.channel,
            c.segment,
            c.sent,
            c.replies,
            c.contacts,
            c.meetings,
            _rate(c.replies, c.sent),
            _rate(c.meetings, c.sent),
        )
        for c in counts
    ]
    return sorted(
        rows, key=lambda r: (r.channel, r.template, r.variant, _SEGMENTS.get(r.segment, 9))
    )


def thin_comparisons(rows: Iterable[TemplateFigures], templates: Iterable[Template]) -> list[str]:
    """A plain note for each comparison of variants (the templates of one channel and step
    with a variant letter, within a segment) where a variant has fewer than MIN_PER_VARIANT
    sends (none at all included)."""
    steps: dict[tuple[str, int | None], dict[str, str]] = defaultdict(dict)  # name -> variant
    for template in templates:
        if template.variant:
            steps[(str(template.channel), template.step)][template.name] = template.variant
    sent: dict[tuple[str, str], int] = {(r.template, r.segment): r.sent for r in rows}
    segments = sorted({r.segment for r in rows}, key=lambda s: _SEGMENTS.get(s, 9))
    notes = []
    for (channel, step), variants in sorted(steps.items(), key=lambda i: (i[0][0], i[0][1] or 0)):
        if len(variants) < 2:
            continue
        for segment in segments:
            counts = sorted((v, sent.get((name, segment), 0)) for name, v in variants.items())
            if all(n == 0 for _, n in counts) or all(n >= MIN_PER_VARIANT for _, n in counts):
                continue
            where = f"{channel} step {step}" if step is not None else channel
            sends = ", ".join(f"{variant} {n}" for variant, n in counts)
            notes.append(
                f"note: {where}, {segment} leads: sent {sends}; under {MIN_PER_VARIANT} per "
                "variant the difference may be chance"
            )
    return notes


def format_rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


_SEGMENTS = {"hot": 0, "warm": 1, "cold": 2}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
