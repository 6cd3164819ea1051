"""Property tests (issue 11, "Must hold"): whatever a lead's values and whatever a template
says, a render either refuses (TemplateRefused, with reasons) or its output holds no
placeholder, no control character and no empty salutation, within 20 KB. The checks here are
written independently of domain/templates.py's own patterns."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from callblock.domain.models import Template, TemplateChannel
from callblock.domain.templates import MERGE_FIELDS, TemplateRefused, render
from callblock.services.demo_templates import DEMO_TEMPLATES

NASTY = [
    "{Add first name}",
    "{{ first_name }}",
    "{%",
    "[[FirstName]]",
    "${name}",
    "*|FNAME|*",
    "{",
    "}",
    "[[",
    "]]",
    "\x1b[31m",
    "\x1b]52;c;aGk=\x07",
    "\u202e",
    "\x9b",
    "\r\nBcc: x@y",
    "\t",
    "\x00",
    "JIM",
    "@",
    "",
    "  ",
    "[bold]X[/]",
]
CHARS = st.characters(blacklist_categories=("Cs",))
VALUE = st.one_of(
    st.sampled_from(NASTY),
    st.text(CHARS, max_size=30),
    st.lists(st.sampled_from([*NASTY, "Jim", " ", "Brodo"]), max_size=4).map("".join),
    st.none(),
)
VALUES = st.fixed_dictionaries({field: VALUE for field in MERGE_FIELDS})

FIELD = st.sampled_from(MERGE_FIELDS)
CONST = st.sampled_from(['""', '"there"', '"{x}"', '"a\\x1bb"', '"[[y]]"', '"ok"'])
LITERAL = st.one_of(
    st.sampled_from(["Hi ", "Dear ", "Hello", ",", "\n", " ", "!", "{", "}", "[[", "]]", "%"]),
    st.text(CHARS, max_size=12),
)


@st.composite
def piece(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    field = draw(FIELD)
    if kind == 0:
        return draw(LITERAL)
    if kind == 1:
        return "{{ " + field + " }}"
    if kind == 2:
        return (
            "{{ "
            + field
            + " | default("
            + draw(CONST)
            + ", "
            + draw(st.sampled_from(["true", "false"]))
            + ") }}"
        )
    if kind == 3:
        return (
            "{% if " + field + " is defined %}" + draw(LITERAL) + "{{ " + field + " }}{% endif %}"
        )
    return "{{ " + field + " | " + draw(st.sampled_from(["upper", "title", "trim"])) + " }}"


BODIES = st.one_of(
    st.lists(piece(), min_size=1, max_size=8).map("".join),
    st.sampled_from([t.body for t in DEMO_TEMPLATES]),
)
SUBJECTS = st.one_of(st.just(""), st.lists(piece(), max_size=3).map("".join))

PLACEHOLDERS = re.compile(r"\{\{|\{%|\{[^{}\n]*\}|\[\[[^\]\n]*\]\]|\$\{|\*\|")
EMPTY_GREETING = re.compile(r"^\s*(dear|hi|hello|hey)\s*[,!]", re.IGNORECASE | re.MULTILINE)


def unsafe_char(text: str) -> str | None:
    for char in text:
        if char == "\n":
            continue
        if unicodedata.category(char) == "Cc" or char in "\u202a\u202b\u202c\u202d\u202e":
            return char
        if char in "\u2066\u2067\u2068\u2069\u2028\u2029":
            return char
    return None


def assert_clean(text: str) -> None:
    assert not PLACEHOLDERS.search(text), text
    assert unsafe_char(text) is None, repr(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=VALUES, body=BODIES, subject=SUBJECTS)
def test_nothing_broken_ever_leaves(values: dict, body: str, subject: str) -> None:
    template = Template("t", TemplateChannel.EMAIL, body, step=1, subject=subject)
    try:
        out = render(template, values, lead_id=42)
    except TemplateRefused as refusal:
        event("refused")
        assert refusal.problems and all(p.strip() for p in refusal.problems)
        return
    event("rendered")
    for text in (out.subject, out.body):
        assert_clean(text)
        assert not EMPTY_GREETING.search(text), text
    assert "\n" not in out.subject
    assert len((out.subject + out.body).encode()) <= 20 * 1024
    for warning in out.warnings:
        assert unsafe_char(warning) is None


NAMES = st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=20).map(
    str.title
)


@settings(max_examples=100, deadline=None)
@given(first=NAMES, company=NAMES, interest=NAMES)
def test_the_demo_set_renders_for_ordinary_leads(first: str, company: str, interest: str) -> None:
    """The property above is not bought by refusing everything: ordinary leads get every demo
    template rendered, their values in it."""
    values = {"first_name": first, "company": company, "interest": interest, "rep.name": "alice"}
    for template in DEMO_TEMPLATES:
        out = render(template, {**values, "weekday": "Monday"}, lead_id=1)
        assert company in out.subject + out.body
        assert_clean(out.subject)
        assert_clean(out.body)
