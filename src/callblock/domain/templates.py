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
from callblock.domain.text import NOTE_MAX, clean_line

MERGE_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "interest",
    "pronunciation",
    "rep.name",
    "rep.phone",
    "rep.email",
    "weekday",
)
REP_FIELDS = ("name", "phone", "email")  # `rep.<this>`
LEAD_FIELDS = tuple(f for f in MERGE_FIELDS if not f.startswith("rep."))
# How a refusal names a field: "lead 42 has no first name", "rep alice has no phone number".
FIELD_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "company": "company",
    "title": "title",
    "interest": "interest",
    "pronunciation": "pronunciation",
    "weekday": "weekday",
    "rep.name": "name",
    "rep.phone": "phone number",
    "rep.email": "email address",
}
FILTERS = ("default", "d", "capitalize", "lower", "upper", "title", "trim", "truncate", "replace")
TESTS = ("defined", "undefined")
COMPARISONS = ("eq", "ne", "in", "notin")
BODY_MAX = NOTE_MAX  # characters of a body as written
OUTPUT_MAX = 20 * 1024  # bytes (UTF-8) of a rendered subject and body together
RENDER_SECONDS = 0.5  # a render taking longer is refused

# What must never go out: a Jinja delimiter, a single-brace `{first_name}`/`{Add first name}`,
# `[[FirstName]]`, `${name}`, a Mailchimp `*|FNAME|*`.
PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{%|\{#|\{[^{}\n]{0,80}\}|\[\[[^\[\]\n]{0,80}\]\]|\$\{[^{}\n]{0,80}\}"
    r"|\*\|[^|\n]{1,40}\|\*"
)
# Every C0 control but the newline (tab included), DEL, C1, bidi embeddings/overrides/isolates
# and the line/paragraph separators.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
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
class Problem:
    """A save-time problem: `line` in the subject (`part` "subject") or the body, None when the
    whole part is meant."""

    part: str
    line: int | None
    text: str

    def __str__(self) -> str:
        if self.part == "subject":
            return f"subject: {self.text}"
        return f"line {self.line}: {self.text}" if self.line is not None else self.text


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str
    warnings: tuple[str, ...] = ()  # shown for the rep to confirm before it goes out


def template_problems(subject: str, body: str) -> list[str]:
    """Why this subject and body may not be saved (empty: they may), each naming its line."""
    return [str(problem) for problem in located_problems(subject, body)]


def located_problems(subject: str, body: str) -> list[Problem]:
    """`template_problems` with the lines as numbers (the file import adds its header's)."""
    problems: list[Problem] = []
    if "\n" in subject or "\r" in subject:  # a header: never a second line
        problems.append(Problem("subject", None, "one line only"))
    if not body.strip():
        problems.append(Problem("body", None, "the body is empty"))
    if len(body) > BODY_MAX:
        problems.append(
            Problem("body", None, f"the body is {len(body)} characters (at most {BODY_MAX})")
        )
    one_line = "\n" not in subject and "\r" not in subject
    if subject and one_line:
        problems.extend(_walk_problems("subject", subject))
    if body:
        problems.extend(_walk_problems("body", body))
    return problems


def template_fields(subject: str, body: str) -> list[str]:
    """The merge fields a template uses, in MERGE_FIELDS order (a part that does not parse
    adds none)."""
    used: set[str] = set()
    for text in (subject, body):
        if text:
            try:
                _check(_parse(text), "body", used, [])
            except _SyntaxProblem:
                continue
    return [field for field in MERGE_FIELDS if field in used]


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


# checking a template's text ---------------------------------------------------------------------
class _SyntaxProblem(Exception):
    def __init__(self, line: int, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.text = text


def _parse(text: str) -> Any:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().parse(text)
    except TemplateSyntaxError as error:
        raise _SyntaxProblem(error.lineno or 1, error.message or "cannot be read") from None


def _walk_problems(part: str, text: str) -> list[Problem]:
    try:
        tree = _parse(text)
    except _SyntaxProblem as error:
        return [Problem(part, error.line, f"{error.text} (template syntax)")]
    problems: list[tuple[int, str]] = []
    _check(tree, part, set(), problems)
    return [Problem(part, line, message) for line, message in problems]


def _check(node: Any, part: str, used: set[str], problems: list[tuple[int, str]]) -> None:
    """Walk the parsed template: record the fields it uses and every construct that is not a
    field, if/else, a comparison, `~` or an allowed filter or test."""
    from jinja2 import nodes

    line = getattr(node, "lineno", 1) or 1
    if isinstance(node, nodes.TemplateData | nodes.Const):
        _check_literal(node, line, problems)
        return
    if isinstance(node, nodes.Name):
        if node.ctx != "load":
            problems.append((line, f"setting {node.name!r} is not allowed in a template"))
        elif node.name in LEAD_FIELDS:
            used.add(node.name)
        elif node.name == "rep":
            problems.append(
                (line, "rep alone is not a field: use rep.name, rep.phone or rep.email")
            )
        else:
            problems.append((line, _unknown(node.name)))
        return
    if isinstance(node, nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "rep":
            if node.attr in REP_FIELDS:
                used.add(f"rep.{node.attr}")
            else:
                problems.append((line, _unknown(f"rep.{node.attr}")))
        else:
            problems.append((line, f"{node.attr!r} is not a merge field ({_listed()})"))
        return
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        problems.append(
            (line, f"the filter {node.name!r} is not allowed (allowed: {', '.join(FILTERS)})")
        )
        return
    if isinstance(node, nodes.Test) and node.name not in TESTS:
        problems.append((line, f"the test {node.name!r} is not allowed (allowed: defined)"))
        return
    if isinstance(node, nodes.Operand) and node.op not in COMPARISONS:
        problems.append((line, "only ==, != and in compare values in a template"))
        return
    if isinstance(node, nodes.Filter | nodes.Test) and (node.dyn_args or node.dyn_kwargs):
        problems.append((line, "*args and **kwargs are not allowed in a template"))
        return
    if not isinstance(node, _allowed_nodes()):
        problems.append((line, f"{_construct(node)} is not allowed in a template ({_ALLOWED})"))
        return
    for child in node.iter_child_nodes():
        _check(child, part, used, problems)


_ALLOWED = "merge fields, if/elif/else, ==, !=, in, ~ and the filters default, upper, ..."


@lru_cache(maxsize=1)
def _allowed_nodes() -> tuple[type, ...]:
    from jinja2 import nodes

    return (
        nodes.Template,
        nodes.Output,
        nodes.If,
        nodes.CondExpr,
        nodes.And,
        nodes.Or,
        nodes.Not,
        nodes.Compare,
        nodes.Operand,
        nodes.Test,
        nodes.Concat,
        nodes.Filter,
        nodes.Keyword,
    )


def _construct(node: Any) -> str:
    words = {
        "For": "{% for %}",
        "Macro": "{% macro %}",
        "Assign": "{% set %}",
        "AssignBlock": "{% set %}",
        "Call": "calling a function",
        "Getitem": "[...] lookup",
        "Include": "{% include %}",
        "Import": "{% import %}",
        "FromImport": "{% from %}",
        "Extends": "{% extends %}",
        "Block": "{% block %}",
        "FilterBlock": "{% filter %}",
        "With": "{% with %}",
        "CallBlock": "{% call %}",
    }
    kind = type(node).__name__
    if kind in words:
        return words[kind]
    if kind in ("Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow", "Neg", "Pos"):
        return "arithmetic"
    return f"{kind.lower()}"


def _check_literal(node: Any, line: int, problems: list[tuple[int, str]]) -> None:
    from jinja2 import nodes

    if isinstance(node, nodes.Const) and not isinstance(node.value, str | int | bool | None):
        problems.append((line, "only text and whole numbers are allowed as values"))
        return
    text = node.data if isinstance(node, nodes.TemplateData) else node.value
    if not isinstance(text, str):
        return
    for match in PLACEHOLDER.finditer(text):
        at = line + text.count("\n", 0, match.start())
        problems.append(
            (
                at,
                f"{match.group()!r} would go out as typed (a merge field is written "
                '{{ first_name }}, with a fallback {{ first_name | default("there") }})',
            )
        )
    for match in CONTROL.finditer(text):
        at = line + text.count("\n", 0, match.start())
        char = match.group()
        what = "a tab (use spaces)" if char == "\t" else f"a control character (U+{ord(char):04X})"
        problems.append((at, what))


def _unknown(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, MERGE_FIELDS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else _listed()
    return f"unknown field {name!r} ({hint})"


def _listed() -> str:
    return "fields: " + ", ".join(MERGE_FIELDS)


# rendering --------------------------------------------------------------------------------------
class _MissingField(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The one sandbox: immutable (no attribute escapes, no mutating calls), undefined = error,
    autoescape off (plain text), no globals, only the allowed filters and tests."""
    from jinja2 import StrictUndefined, UndefinedError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Missing(StrictUndefined):
        __slots__ = ()

        def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
            if self._undefined_exception is not UndefinedError:  # the sandbox's SecurityError
                return super()._fail_with_undefined_error(*args, **kwargs)
            name = self._undefined_name or "?"
            owner = self._undefined_obj
            raise _MissingField(f"rep.{name}" if isinstance(owner, dict) else name)

    for dunder in ("__str__", "__iter__", "__len__", "__bool__", "__eq__", "__ne__", "__hash__"):
        setattr(Missing, dunder, Missing._fail_with_undefined_error)
    Missing.__contains__ = Missing._fail_with_undefined_error  # type: ignore[method-assign]
    env = ImmutableSandboxedEnvironment(
        undefined=Missing, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in FILTERS}
    env.tests = {name: env.tests[name] for name in TESTS}
    return env


@lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    return _environment().from_string(text)


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
        except _MissingField as gap:
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
    except (_MissingField, TemplateRefused):
        raise
    except SecurityError as error:
        raise TemplateRefused([f"refused by the sandbox: {clean_line(error, 200)}"]) from None
    except (TemplateError, TypeError, ValueError, OverflowError) as error:
        raise TemplateRefused([f"cannot be rendered: {clean_line(error, 200)}"]) from None
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
