"""A lead's first and last name from its full name (pure), for merge fields and salutations.

nameparser does the parsing (titles, suffixes, "Brodo, Jim", middle names, nicknames). It costs
~25-35 ms to import and ~55 us a name, so it is imported on first use only (never on the
app's first-frame path) and a plain "First Last" name (two capitalised ASCII words neither of
which nameparser treats specially) is split directly: the same answer at ~1 us, which keeps a
100,000-row import fast. tests/test_names.py checks the shortcut against nameparser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from callblock.domain.text import NAME_MAX, clean_line

_PLAIN = re.compile(r"[A-Z][a-z]+")


def name_parts(name: str) -> tuple[str, str]:
    """(first name, last name) of a full name; "" for a part the name does not have
    ("Dr. Brodo" has no first name). Titles, suffixes, middle names and nicknames are left out."""
    text = clean_line(name, NAME_MAX).strip()
    if not text:
        return "", ""
    words = text.split(" ")
    if len(words) == 2 and _plain(words[0]) and _plain(words[1]):
        return words[0], words[1]
    return _parsed(text)


def given_parts(name: str, first: str = "", last: str = "") -> dict[str, str]:
    """`first_name` and `last_name` for a lead: each as given (an import's "First Name" and
    "Last Name" columns, `add --first-name`), else as parsed from `name`."""
    if not (first and last):
        parsed_first, parsed_last = name_parts(name)
        first, last = first or parsed_first, last or parsed_last
    return {"first_name": first, "last_name": last}


def parts_differ(first: str, last: str, name: str) -> bool:
    """Were these parts set by a person (they are not what `name` parses to)? A name's edit
    re-parses only parts nobody corrected."""
    return (first, last) != name_parts(name)


def _plain(word: str) -> bool:
    return bool(_PLAIN.fullmatch(word)) and not _special()(word)


@cache
def _special() -> Callable[[str], bool]:
    """Does nameparser treat this capitalised word as anything but a first or last name (a
    title, suffix, prefix, conjunction, bound first name, roman numeral, patronymic)?"""
    from nameparser.config import CONSTANTS

    words = frozenset(
        word.lower()
        for group in (
            CONSTANTS.titles,
            CONSTANTS.first_name_titles,
            CONSTANTS.suffix_acronyms,
            CONSTANTS.suffix_not_acronyms,
            CONSTANTS.suffix_acronyms_ambiguous,
            CONSTANTS.prefixes,
            CONSTANTS.conjunctions,
            CONSTANTS.bound_first_names,
            CONSTANTS.non_first_name_prefixes,
        )
        for word in group
    )
    patterns = [
        CONSTANTS.regexes.roman_numeral,
        CONSTANTS.regexes.east_slavic_patronymic,
        CONSTANTS.regexes.turkic_patronymic_marker,
    ]

    def special(word: str) -> bool:
        return word.lower() in words or any(p and p.search(word) for p in patterns)

    return special


def _parsed(text: str) -> tuple[str, str]:
    from nameparser import HumanName

    try:
        parsed = HumanName(text)
        first, last = str(parsed.first), str(parsed.last)
    except Exception:
        return "", ""
    return clean_line(first, NAME_MAX).strip(), clean_line(last, NAME_MAX).strip()
