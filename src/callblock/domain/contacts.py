"""A lead's ways to reach it: the email check every entry point shares, and the other phones
and emails a lead keeps besides its main ones (pure).

A lead has one main phone and email (what the queue dials, what dedupe blocks on) and keeps
every other number or address it was given (a merge never drops one): `other_phones` (E.164)
and `other_emails`, stored, exported and imported as JSON lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from callblock.domain.phones import PhoneError, normalize_phone
from callblock.domain.text import FIELD_MAX, clean_line, too_long

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_SEPARATORS = re.compile(r"[;,\n]")


def email_problem(text: str) -> str | None:
    """Why `text` is not an email address (None: it is one). Empty text is no problem."""
    if text and not EMAIL.match(text):
        return f"{text!r} is not an email address"
    return None


def same_contact(a: str, b: str) -> bool:
    """One phone (E.164, exact) or one email (case does not matter)."""
    return a.casefold() == b.casefold()


def joined(main: str, kept: Iterable[str], more: Iterable[str]) -> list[str]:
    """`kept` plus each of `more` that is neither `main` nor already kept, in order."""
    out = list(kept)
    for value in more:
        if value and not same_contact(value, main) and not any(same_contact(value, v) for v in out):
            out.append(value)
    return out


def split_cell(text: str) -> list[str] | str:
    """The values of a cell listing several: a JSON list (callblock's export) or values
    separated by `;`, `,` or new lines. A string: why the cell cannot be read."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        values = json_string_list(text)
        if values is None:
            return "not a JSON list of strings"
    else:
        values = _SEPARATORS.split(text)
    return [value.strip() for value in values if value.strip()]


def json_string_list(text: str) -> list[str] | None:
    """A cell holding a JSON list of strings (callblock's export writes them so), else None."""
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    return values


def parse_phones(text: str, region: str, main: str) -> tuple[list[str], list[str]]:
    """(E.164 numbers other than `main`, problems) of a cell listing phone numbers."""
    values = split_cell(text)
    if isinstance(values, str):
        return [], [values]
    phones: list[str] = []
    problems: list[str] = []
    for value in values:
        try:
            phones.append(normalize_phone(value, region).e164)
        except PhoneError as error:
            problems.append(str(error))
    return joined(main, [], phones), problems


def parse_emails(text: str, main: str) -> tuple[list[str], list[str]]:
    """(addresses other than `main`, problems) of a cell listing email addresses."""
    values = split_cell(text)
    if isinstance(values, str):
        return [], [values]
    emails: list[str] = []
    problems: list[str] = []
    for value in values:
        email = clean_line(value, len(value) + 1)
        if len(email) > FIELD_MAX:
            problems.append(too_long("an address", len(email), FIELD_MAX))
        elif problem := email_problem(email):
            problems.append(problem)
        else:
            emails.append(email)
    return joined(main, [], emails), problems
