"""The demo's templates as a lead would receive them (issue 11 review): a paragraph is one line
(the screen and the mail client wrap it, never a hard break mid-sentence that goes ragged once
a company name is filled in), and a `{% if %}` at the end of a line never glues two lines
together ("...is.Say the name right", "Brightline+1 415...")."""

from __future__ import annotations

import re

import pytest

from callblock.domain.models import Template
from callblock.domain.templates import render
from callblock.services.demo_templates import DEMO_TEMPLATES

EVERYTHING = {
    "first_name": "Jim",
    "last_name": "Brodo",
    "company": "Consolidated Widgets International",
    "title": "Vice President of Revenue Operations",
    "interest": "the 2026 benchmark report",
    "pronunciation": "BROH-doh",
    "rep.name": "alice",
    "rep.phone": "+1 415 555 0100",
    "rep.email": "alice@example.com",
    "weekday": "Thursday",
}
# A line ends a sentence, a salutation, a list item or a label; anything else is a hard wrap.
ENDS = re.compile(r'([.,?!:"]|^\d\. .*|^$|, Brightline)$')
SIGNATURE = ("Alice", "Brightline", "+1 415 555 0100")


@pytest.mark.parametrize("template", DEMO_TEMPLATES, ids=lambda t: t.name)
def test_no_demo_template_breaks_a_line_mid_sentence(template: Template) -> None:
    body = render(template, EVERYTHING, lead_id=1).body
    for line in body.splitlines():
        assert line in SIGNATURE or ENDS.search(line), f"{template.name}: {line!r}"


@pytest.mark.parametrize("template", DEMO_TEMPLATES, ids=lambda t: t.name)
def test_an_optional_line_stays_a_line_of_its_own(template: Template) -> None:
    body = render(template, EVERYTHING, lead_id=1).body
    assert not re.search(r"[.a-z][A-Z+]", body.replace("Brightline", "")), body
    if "Brightline\n" in body and template.channel.value == "email":
        assert body.endswith("Alice\nBrightline\n+1 415 555 0100")
    if template.name == "call-script":
        assert "Thursday where Consolidated Widgets International is.\n" in body
        assert "\nSay the name right: BROH-doh.\n" in body


def test_without_a_phone_the_signature_ends_with_the_company_and_no_blank_line() -> None:
    values = EVERYTHING | {"rep.phone": ""}
    for template in DEMO_TEMPLATES:
        body = render(template, values, lead_id=1).body
        if template.channel.value == "email":
            assert body.endswith("\n\nAlice\nBrightline"), template.name
