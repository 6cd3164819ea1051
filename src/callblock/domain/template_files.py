"""A template as a record (name, channel, step, variant, subject: the rules every entry point
checks) and as a plain text file a team keeps under version control:

    channel: email
    step: 2
    variant: A
    subject: About {{ interest | default("your request") }}

    Hi {{ first_name | default("there") }},
    ...

The name is the file's (`NAME.txt`); header lines up to the first blank line, the body after.
"""

from __future__ import annotations

import re

from callblock.domain.cadence import MAX_STEPS
from callblock.domain.models import Template, TemplateChannel
from callblock.domain.template_syntax import Problem, located_problems

FILE_SUFFIX = ".txt"
NAME_RULE = "a template name is 1-64 characters: letters, digits, '.', '_' and '-'"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
STEP_MAX = MAX_STEPS  # a template serves a step of the longest schedule the config takes
HEADER_KEYS = ("channel", "step", "variant", "subject")
CHANNELS = ", ".join(channel.value for channel in TemplateChannel)


def name_problem(name: str) -> str | None:
    if _NAME.fullmatch(name) and not name.endswith("."):
        return None
    shown = name[:40].encode("ascii", "backslashreplace").decode("ascii")
    return f"{shown!r} is not a template name ({NAME_RULE})"


def record_problems(template: Template) -> list[str]:
    """What is wrong with a template besides its text: name, step, variant, subject; each
    starts with the key it is about ("variant: ...")."""
    problems = []
    if problem := name_problem(template.name):
        problems.append(f"name: {problem}")
    if template.step is not None and not 1 <= template.step <= STEP_MAX:
        problems.append(f"step: {template.step} is outside 1..{STEP_MAX}")
    if template.variant and not re.fullmatch("[A-Z]", template.variant):
        problems.append(f"variant: {template.variant[:20]!r} is not one letter A-Z")
    if template.channel is TemplateChannel.EMAIL and not template.subject.strip():
        problems.append("subject: an email needs one")
    if template.channel is not TemplateChannel.EMAIL and template.subject:
        problems.append(f"subject: only an email has one, not a {template.channel.value}")
    return problems


def normalized_body(text: str) -> str:
    """The body as stored: CRLF and CR as LF, no trailing whitespace at the end (an editor's
    final newline never matters)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def format_file(template: Template) -> str:
    """The template as a file (what `parse_file` reads back to the same template)."""
    lines = [f"channel: {template.channel.value}"]
    if template.step is not None:
        lines.append(f"step: {template.step}")
    if template.variant:
        lines.append(f"variant: {template.variant}")
    if template.subject:
        lines.append(f"subject: {template.subject}")
    return "\n".join(lines) + "\n\n" + template.body + "\n"


def parse_file(name: str, text: str) -> tuple[Template | None, list[str]]:
    """A template from a file's name (without `.txt`) and text, or every problem, each naming
    the line ("line 7: unknown field 'frist_name' ...")."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    header: dict[str, tuple[int, str]] = {}
    problems: list[str] = []
    end = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            end = number
            break
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or key not in HEADER_KEYS:
            problems.append(
                f"line {number}: {line[:60]!r} is not a header line (channel:, step:, variant:, "
                "subject:); a blank line ends the header"
            )
        elif key in header:
            problems.append(f"line {number}: {key} is given twice")
        else:
            header[key] = (number, value.strip())
    if end is None:
        return None, [*problems, "no blank line after the header: the body is missing"]
    channel = _channel(header, problems)
    step = _step(header, problems)
    subject = header.get("subject", (0, ""))[1]
    body = normalized_body("\n".join(lines[end:]))
    if channel is None:
        if problem := name_problem(name):
            problems.insert(0, f"name: {problem}")
        return None, problems
    template = Template(
        name=name,
        channel=channel,
        body=body,
        step=step,
        variant=header.get("variant", (0, ""))[1].upper(),
        subject=subject,
    )
    for problem in record_problems(template):
        key = problem.partition(":")[0]
        problems.append(f"line {header[key][0]}: {problem}" if key in header else problem)
    subject_line = header.get("subject", (1, ""))[0]
    problems += [
        _in_file(problem, subject_line, end) for problem in located_problems(subject, body)
    ]
    return (None if problems else template), problems


def _in_file(problem: Problem, subject_line: int, header_end: int) -> str:
    if problem.part == "subject":
        return f"line {subject_line}: subject: {problem.text}"
    if problem.line is None:
        return problem.text
    return f"line {problem.line + header_end}: {problem.text}"


def _channel(header: dict[str, tuple[int, str]], problems: list[str]) -> TemplateChannel | None:
    if "channel" not in header:
        problems.append(f"line 1: no channel: line (one of {CHANNELS})")
        return None
    number, value = header["channel"]
    try:
        return TemplateChannel(value.lower())
    except ValueError:
        problems.append(f"line {number}: channel {value[:40]!r} is not one of {CHANNELS}")
        return None


def _step(header: dict[str, tuple[int, str]], problems: list[str]) -> int | None:
    if "step" not in header or not header["step"][1]:
        return None
    number, value = header["step"]
    if not value.isdigit() or not 1 <= int(value) <= STEP_MAX:
        problems.append(f"line {number}: step {value[:20]!r} is not a whole number 1..{STEP_MAX}")
        return None
    return int(value)
