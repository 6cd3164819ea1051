"""Template text, checked before it is stored and before every render: parsed by Jinja and
walked so that nothing but MERGE_FIELDS, if/else, comparisons, `~` and a few filters gets
through, each problem naming its line (domain/templates.py renders; this module says what a
template may hold). Also the one sandboxed Jinja environment both use.

jinja2 is imported on first use (~50 ms): never on the app's first-frame path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from callblock.domain.text import NOTE_MAX

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
DEPTH_MAX = 60  # nodes deep: if inside if, filters on filters
BODY_MAX = NOTE_MAX  # characters of a body as written
OUTPUT_MAX = 20 * 1024  # bytes (UTF-8) of a rendered subject and body together

# What must never go out: a Jinja delimiter, a single-brace `{first_name}`/`{Add first name}`,
# `[[FirstName]]`, `${name}`, a Mailchimp `*|FNAME|*`.
PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{%|\{#|\{[^{}\n]{0,80}\}|\[\[[^\[\]\n]{0,80}\]\]|\$\{[^{}\n]{0,80}\}"
    r"|\*\|[^|\n]{1,40}\|\*"
)
# Every C0 control but the newline (tab included), DEL, C1, bidi embeddings/overrides/isolates
# and the line/paragraph separators.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


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
        problems.extend(_walked("subject", subject)[0])
    if body:
        problems.extend(_walked("body", body)[0])
    return problems


def template_fields(subject: str, body: str) -> list[str]:
    """The merge fields a template uses, in MERGE_FIELDS order (a part that does not parse
    adds none)."""
    used = (_walked("body", subject)[1] if subject else frozenset()) | (
        _walked("body", body)[1] if body else frozenset()
    )
    return [field for field in MERGE_FIELDS if field in used]


# checking a template's text ---------------------------------------------------------------------
class _SyntaxProblem(Exception):
    def __init__(self, line: int, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.text = text


def _parse(text: str) -> Any:
    from jinja2 import TemplateSyntaxError

    try:
        return environment().parse(text)
    except TemplateSyntaxError as error:
        raise _SyntaxProblem(error.lineno or 1, error.message or "cannot be read") from None
    except RecursionError:  # ((((...)))) thousands deep
        raise _SyntaxProblem(1, f"nested too deeply (at most {DEPTH_MAX} levels)") from None


@lru_cache(maxsize=512)
def _walked(part: str, text: str) -> tuple[tuple[Problem, ...], frozenset[str]]:
    """The problems of one part and the fields it uses (none when it does not parse); cached:
    a list of tasks renders the same few templates again and again."""
    try:
        tree = _parse(text)
    except _SyntaxProblem as error:
        return (Problem(part, error.line, f"{error.text} (template syntax)"),), frozenset()
    problems: list[tuple[int, str]] = []
    used: set[str] = set()
    _check(tree, part, used, problems)
    return tuple(Problem(part, line, message) for line, message in problems), frozenset(used)


def _check(
    node: Any, part: str, used: set[str], problems: list[tuple[int, str]], depth: int = 0
) -> None:
    """Walk the parsed template: record the fields it uses and every construct that is not a
    field, if/else, a comparison, `~` or an allowed filter or test."""
    from jinja2 import nodes

    line = getattr(node, "lineno", 1) or 1
    if depth > DEPTH_MAX:
        problems.append((line, f"nested too deeply (at most {DEPTH_MAX} levels)"))
        return
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
    for child in cast(Any, node).iter_child_nodes():
        _check(child, part, used, problems, depth + 1)


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


class TooLarge(Exception):
    """One expression would make more than OUTPUT_MAX of text (nested replaces multiply it)."""


def _replace(value: Any, old: Any, new: Any, count: int | None = None) -> str:
    """Jinja's `replace`, refusing before it builds a text over OUTPUT_MAX: each
    replace('', ten characters) multiplies a text by eleven, a dozen of them ask for terabytes
    in one expression, long before the render's size check sees a chunk."""
    text, old, new = str(value), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if count is not None and int(count) >= 0:
        times = min(times, int(count))
    if len(text) + times * (len(new) - len(old)) > OUTPUT_MAX:
        raise TooLarge
    return text.replace(old, new, -1 if count is None else int(count))


class MissingField(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@lru_cache(maxsize=1)
def environment() -> Any:
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
            raise MissingField(f"rep.{name}" if isinstance(owner, dict) else name)

    dunders = ("__str__", "__iter__", "__len__", "__bool__", "__eq__", "__ne__", "__hash__")
    for dunder in (*dunders, "__contains__"):  # Undefined binds them to its own method
        setattr(Missing, dunder, Missing._fail_with_undefined_error)
    env = ImmutableSandboxedEnvironment(
        undefined=Missing, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in FILTERS}
    env.filters["replace"] = _replace
    env.tests = {name: env.tests[name] for name in TESTS}
    return env


@lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    return environment().from_string(text)
