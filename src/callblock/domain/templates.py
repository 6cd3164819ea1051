"""Merge-field templates: the fields, the save-time checks, and rendering that never lets
anything broken leave (DESIGN.md "Templates").

A template is Jinja text over MERGE_FIELDS only. It is parsed and walked before it is stored
(`template_problems`: a syntax error, an unknown field, a construct other than fields, if/else
and a few filters, a placeholder in another tool's syntax, a control character; each naming
its line) and walked again before every render. Rendering runs in Jinja's immutable sandbox
with no globals and undefined = error, under a time and a size cap; a field with no value and
no fallback refuses the render naming the field and the lead, and the output is checked for
placeholders, an empty salutation and control characters before anyone sees it.

jinja2 is imported on first use (~50 ms): never on the app's first-frame path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from callblock.domain.models import Template
from callblock.domain.template_syntax import (
    CONTROL,
    FIELD_WORDS,
    MERGE_FIELDS,
    OUTPUT_MAX,
    PLACEHOLDER,
    MissingField,
    Problem,
    TooLarge,
    environment,
    located_problems,
    template_fields,
    template_problems,
)
from callblock.domain.text import clean_line

__all__ = [
    "MERGE_FIELDS",
    "OUTPUT_MAX",
    "Problem",
    "Rendered",
    "TemplateRefused",
    "located_problems",
    "render",
    "template_fields",
    "template_problems",
]

RENDER_SECONDS = 0.5  # a render taking longer is refused
_GREETING = r"(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening))"
# "Dear ," / "Dear" alone / "Hi ," / "Hello !" / "Hi " at the end of a line: the name fell out.
EMPTY_SALUTATION = re.compile(
    rf"^[ \t]*(?:dear[ \t]*(?:[,;:!.?]|$)|{_GREETING}[ \t]+(?:[,;:!.?]|$))",
    re.IGNORECASE | re.MULTILINE,
)


class TemplateRefused(ValueError):
    """A template that may not be saved or a render that may not go out; `problems` lists
    every reason, each a plain sentence naming the field and the line or the lead."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str
    warnings: tuple[str, ...] = ()  # shown for the rep to confirm before it goes out


def render(template: Template, values: Mapping[str, object], *, lead_id: int) -> Rendered:
    """The template rendered with `values` (keys of MERGE_FIELDS, "rep.phone" spelled so), or
    TemplateRefused listing every problem: the template's own, each field with no value and no
    fallback, a value that looks like a merge code, and what the output must never hold."""
    name = template.name
    own = located_problems(template.subject, template.body)
    if own:
        raise TemplateRefused([f"template {name}: {problem}" for problem in own])
    context = _context(values)
    used = template_fields(template.subject, template.body)
    problems = [
        f"lead {lead_id}'s {FIELD_WORDS[field]} holds {match!r}, which looks like a merge code: "
        "correct the lead"
        for field in used
        if (match := _placeholder(_value(context, field)))
    ]
    missing: list[str] = []
    subject, body = _render_parts(template, context, missing)
    problems += [_missing_message(field, lead_id, context) for field in missing]
    if problems:
        raise TemplateRefused(problems)
    problems = _output_problems(subject, body, name, lead_id)
    if problems:
        raise TemplateRefused(problems)
    return Rendered(subject.strip(), body, _salutation_warnings(context, used, lead_id))


@lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    return environment().from_string(text)


def _context(values: Mapping[str, object]) -> dict[str, Any]:
    """What a template sees: each field's value as one clean line; a field with no value (or
    only spaces) is left out, so it is undefined: refused unless the template has a fallback."""
    context: dict[str, Any] = {"rep": {}}
    for field in MERGE_FIELDS:
        text = clean_line(values.get(field))
        if not text:
            continue
        if field.startswith("rep."):
            context["rep"][field[4:]] = text
        else:
            context[field] = text
    return context


def _value(context: Mapping[str, Any], field: str) -> str:
    if field.startswith("rep."):
        return str(context["rep"].get(field[4:], ""))
    return str(context.get(field, ""))


def _render_parts(
    template: Template, context: dict[str, Any], missing: list[str]
) -> tuple[str, str]:
    """Subject and body; each field found missing is added to `missing` and the render run
    again with a stand-in, so one refusal names every missing field."""
    deadline = time.monotonic() + RENDER_SECONDS
    trial = {**context, "rep": dict(context["rep"])}
    for _ in range(len(MERGE_FIELDS) + 1):
        try:
            size = [0]
            subject = _run(template.subject, trial, deadline, size) if template.subject else ""
            body = _run(template.body, trial, deadline, size)
            return subject, body
        except MissingField as gap:
            if gap.field in missing or gap.field not in MERGE_FIELDS:
                raise TemplateRefused(
                    [f"template {template.name}: {gap.field} is not a field"]
                ) from None
            missing.append(gap.field)
            if gap.field.startswith("rep."):
                trial["rep"][gap.field[4:]] = "x"
            else:
                trial[gap.field] = "x"
    raise TemplateRefused([f"template {template.name} could not be rendered"])


def _run(text: str, context: Mapping[str, Any], deadline: float, size: list[int]) -> str:
    from jinja2.exceptions import SecurityError, TemplateError

    chunks: list[str] = []
    try:
        for chunk in _compiled(text).generate(context):
            size[0] += len(chunk.encode("utf-8", "replace"))
            if size[0] > OUTPUT_MAX:
                raise TemplateRefused([f"the rendered text is over {OUTPUT_MAX // 1024} KB"])
            if time.monotonic() > deadline:
                raise TemplateRefused([f"rendering took over {RENDER_SECONDS} s"])
            chunks.append(chunk)
    except (MissingField, TemplateRefused):
        raise
    except TooLarge:
        raise TemplateRefused([f"the rendered text is over {OUTPUT_MAX // 1024} KB"]) from None
    except SecurityError as error:
        raise TemplateRefused([f"refused by the sandbox: {clean_line(error, 200)}"]) from None
    except (TemplateError, TypeError, ValueError, OverflowError) as error:
        raise TemplateRefused([f"cannot be rendered: {clean_line(error, 200)}"]) from None
    except Exception as error:  # a filter failing inside jinja (truncate(1): AssertionError)
        said = clean_line(error, 200) or type(error).__name__
        raise TemplateRefused([f"cannot be rendered: {said}"]) from None
    return "".join(chunks)


def _missing_message(field: str, lead_id: int, context: Mapping[str, Any]) -> str:
    words = FIELD_WORDS[field]
    if field.startswith("rep."):
        rep = context["rep"].get("name", "the rep")
        option = {"rep.phone": " (team add-rep --phone)", "rep.email": " (team add-rep --email)"}
        return (
            f"rep {rep} has no {words}{option.get(field, '')}: add it, or give the template "
            "a fallback"
        )
    return f"lead {lead_id} has no {words}: add it, or give the template a fallback"


def _placeholder(text: str) -> str | None:
    match = PLACEHOLDER.search(text)
    return match.group() if match else None


def _output_problems(subject: str, body: str, name: str, lead_id: int) -> list[str]:
    problems = []
    for part, text in (("subject", subject), ("body", body)):
        for match in _first_each(PLACEHOLDER, text):
            problems.append(f"the {part} for lead {lead_id} would hold {match!r}: not sent")
        for match in _first_each(CONTROL, text):
            problems.append(
                f"the {part} for lead {lead_id} would hold a control character "
                f"(U+{ord(match):04X}): not sent"
            )
        for match in _first_each(EMPTY_SALUTATION, text):
            problems.append(
                f"the {part} for lead {lead_id} has an empty salutation ({match.strip()!r}): "
                f'give template {name} a fallback, e.g. {{{{ first_name | default("there") }}}}'
            )
    if not body.strip():
        problems.append(f"template {name} renders an empty body for lead {lead_id}")
    return problems


def _first_each(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    seen: set[str] = set()
    for match in pattern.finditer(text):
        if match.group() not in seen:
            seen.add(match.group())
            yield match.group()


def _salutation_warnings(
    context: Mapping[str, Any], used: list[str], lead_id: int
) -> tuple[str, ...]:
    """A first name that looks wrong in a salutation: rendered, for the rep to confirm."""
    first = context.get("first_name", "")
    if "first_name" not in used or not first:
        return ()
    company = str(context.get("company", ""))
    checks: list[tuple[Callable[[str], bool], str]] = [
        (lambda v: sum(c.isalpha() for c in v) > 1 and v.isupper(), "is all capitals"),
        (lambda v: any(c.isdigit() for c in v), "contains digits"),
        (lambda v: "@" in v, "contains @"),
        (lambda v: bool(company) and v.casefold() == company.casefold(), "is the company's name"),
        (lambda v: sum(c.isalpha() for c in v) == 1, "is a single letter"),
    ]
    return tuple(
        f"lead {lead_id}'s first name {first!r} {what}: check the salutation before it goes out"
        for test, what in checks
        if test(first)
    )
