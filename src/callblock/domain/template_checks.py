"""`templates check`: what makes a follow-up weak even when it renders (the practice in
DESIGN.md and issue 11): a voicemail must say who you are, why it matters and how to call back;
a voicemail or email must reference the lead; the same follow-up must never go out twice.

rapidfuzz is imported on first use (~25 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from callblock.domain.models import Template, TemplateChannel
from callblock.domain.templates import template_fields, template_problems

ALIKE = 90  # two steps' bodies this similar (rapidfuzz ratio, 0..100) are the same follow-up
VOICEMAIL_NEEDS = {
    "rep.name": "who you are (rep.name)",
    "company": "the company (company)",
    "rep.phone": "the call-back number (rep.phone)",
}
REFERENCES = ("interest", "company", "title")  # a reference to the lead: why you follow up
REFERENCED = (TemplateChannel.VOICEMAIL, TemplateChannel.EMAIL)


@dataclass(frozen=True, slots=True)
class Finding:
    template: str
    channel: str
    step: int | None
    check: str  # "broken", "voicemail", "no-reference", "alike"
    message: str


def check_templates(templates: list[Template]) -> list[Finding]:
    """Every finding over the team's templates, template by template, then the pairs alike."""
    findings: list[Finding] = []
    for template in templates:
        findings += _own_findings(template)
    findings += _alike(templates)
    return findings


def _finding(template: Template, check: str, message: str) -> Finding:
    return Finding(template.name, template.channel.value, template.step, check, message)


def _own_findings(template: Template) -> list[Finding]:
    problems = template_problems(template.subject, template.body)
    if problems:
        return [_finding(template, "broken", "; ".join(problems))]
    fields = template_fields(template.subject, template.body)
    found = []
    if template.channel is TemplateChannel.VOICEMAIL:
        lacking = [words for field, words in VOICEMAIL_NEEDS.items() if field not in fields]
        if lacking:
            found.append(
                _finding(
                    template,
                    "voicemail",
                    "a voicemail says who you are, why it matters and how to call back; this "
                    f"one never says {', '.join(lacking)}",
                )
            )
    if template.channel in REFERENCED and not any(field in fields for field in REFERENCES):
        found.append(
            _finding(
                template,
                "no-reference",
                f"no reference to the lead ({', '.join(REFERENCES)}): a follow-up says why "
                "you are following up",
            )
        )
    return found


def _alike(templates: list[Template]) -> list[Finding]:
    """Two templates of one channel serving different steps whose bodies are ALIKE% or more
    alike: the lead would get the same follow-up twice (variants of one step may be alike)."""
    stepped = [t for t in templates if t.step is not None]
    if len(stepped) < 2:
        return []
    from rapidfuzz import fuzz

    found = []
    for one, other in combinations(stepped, 2):
        if one.channel is not other.channel or one.step == other.step:
            continue
        score = fuzz.ratio(one.body, other.body)
        if score >= ALIKE:
            found.append(
                _finding(
                    one,
                    "alike",
                    f"{score:.0f}% alike with {other.name} (step {other.step}): the lead would "
                    "get the same follow-up twice; rewrite one",
                )
            )
    return found
