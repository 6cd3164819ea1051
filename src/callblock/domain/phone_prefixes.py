"""How many trailing digits of a phone number no phonenumbers rule reads (pure).

A number's validity, type, region, time zones and geocoded area come from rules in
phonenumbers' metadata: full-match patterns per number type, a leading-digits prefix pattern
per region, and longest-prefix tables of zones and areas. When every pattern a country's
numbers are checked against ends in "any digit" repeated at least N times, and no prefix
pattern or table key reaches into the last N digits, two numbers of that country and length
that differ only there have the same facts: they can be computed once per prefix.

The patterns are read as the `re` module parses them (its syntax tree), so this is proven for
the metadata installed, not assumed: a pattern this module cannot read gives 0 (no caching).
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

# The `re` module's own parser and its node names (Python 3.11+): the patterns' syntax trees.
_PARSER: Any = importlib.import_module("re._parser")
_RE: Any = importlib.import_module("re._constants")

_DESCRIPTIONS = (
    "general_desc",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


LEAD = 3  # digits a number's own start is compared with each pattern's alternatives
UNBOUNDED = 1_000


def free_tail(country_code: int, national: str) -> int:
    """Trailing digits of national significant number `national` of `country_code` that no
    rule reads (0: every digit may matter). The same for every number of that country, length
    and first LEAD digits."""
    return _free_tail(country_code, len(national), national[:LEAD])


@cache
def _free_tail(country_code: int, length: int, start: str) -> int:
    tail = length
    for metadata in _metadata(country_code):
        for name in _DESCRIPTIONS:
            desc = getattr(metadata, name, None)
            pattern = getattr(desc, "national_number_pattern", None)
            if pattern is not None:
                tail = min(tail, pattern_tail(pattern, start))
        if metadata.leading_digits:
            tail = min(tail, length - widest(metadata.leading_digits))
    digits = len(str(country_code)) + length
    tail = min(tail, digits - _longest_key(country_code, "zones"))
    # the geocoder drops a mobile token (Argentina's 9) first: its lookup reads that much further
    token = _mobile_token(country_code)
    tail = min(tail, digits - len(token) - _longest_key(country_code, "areas"))
    return max(tail, 0)


def formats_keep_tail(country_code: int, national: str, tail: int) -> bool:
    """Do all numbers of this country and length that share all but their last `tail` digits
    with `national` get the same international format, one that writes those digits last and
    in order? (Every format's leading-digits prefix ends before them, every format's pattern
    leaves them free, and every format writes its groups in order with no digits between.)"""
    return _formats_keep_tail(country_code, len(national), national[:LEAD], tail)


@cache
def _formats_keep_tail(country_code: int, length: int, start: str, tail: int) -> bool:
    import phonenumbers
    from phonenumbers import PhoneMetadata

    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return False
    for form in metadata.intl_number_format or metadata.number_format:
        leading = form.leading_digits_pattern
        if form.pattern is None or form.format is None:
            return False
        if leading and widest(leading[-1]) > length - tail:
            return False
        if pattern_tail(form.pattern, start) < tail:
            return False
        groups = [int(n) for n in re.findall(r"\\(\d)", form.format)]
        literal = re.sub(r"\\\d", "", form.format)
        if groups != sorted(set(groups)) or any(ch.isdigit() for ch in literal):
            return False
    return True


@cache  # each +1 prefix asks of the same ~300 patterns
def pattern_tail(pattern: str, start: str = "") -> int:
    """How many characters at the end of any string starting with `start` that `pattern`
    full-matches are matched by "any digit" items, whatever the rest: those characters may be
    any digits. Alternatives that cannot match a string starting with `start` are left out."""
    alternatives = _parsed(pattern)
    if alternatives is None:
        return 0
    try:
        tails = [_tail(items) for items in alternatives if _can_start(items, start)]
    except Exception:  # a syntax this reading does not know: claim nothing
        return 0
    return min(tails, default=UNBOUNDED)  # no alternative applies: the pattern reads nothing


@cache
def _parsed(pattern: str) -> list[list[Any]] | None:
    """The pattern's alternatives as `re` parses them; None when it cannot be read, or when it
    looks around (a lookahead may read the digits the items say are free)."""
    try:
        items = list(_PARSER.parse(pattern))
    except Exception:
        return None
    return None if _looks_around(items) else _alternatives(items)


def _looks_around(items: Any) -> bool:
    for op, arg in items:
        if op in (_RE.ASSERT, _RE.ASSERT_NOT):
            return True
        for part in arg if isinstance(arg, (list, tuple)) else ():
            if isinstance(part, _PARSER.SubPattern) and _looks_around(part):
                return True
            if isinstance(part, list) and any(
                isinstance(p, _PARSER.SubPattern) and _looks_around(p) for p in part
            ):
                return True
    return False


def _alternatives(items: list[Any]) -> list[list[Any]]:
    """The pattern's top-level alternatives (a pattern that is one group of them, too)."""
    if len(items) == 1 and items[0][0] is _RE.BRANCH:
        return [list(branch) for branch in items[0][1][1]]
    if len(items) == 1 and items[0][0] is _RE.SUBPATTERN:
        return _alternatives(list(items[0][1][-1]))
    return [items]


def _can_start(items: list[Any], start: str) -> bool:
    """Could `items` full-match a string that starts with `start`? True when unsure."""
    if not start:
        return True
    if not items:
        return False  # the match ends here; the string goes on
    (op, arg), rest = items[0], items[1:]
    if op is _RE.LITERAL:
        return chr(arg) == start[0] and _can_start(rest, start[1:])
    if op is _RE.IN:
        return _in_set(arg, start[0]) and _can_start(rest, start[1:])
    if op is _RE.SUBPATTERN:
        return _can_start(list(arg[-1]) + rest, start)
    if op is _RE.BRANCH:
        return any(_can_start(list(branch) + rest, start) for branch in arg[1])
    return True


def _in_set(members: list[Any], char: str) -> bool:
    for op, arg in members:
        if op is _RE.NEGATE:
            return True  # unsure
        if (op is _RE.LITERAL and chr(arg) == char) or (
            op is _RE.RANGE and arg[0] <= ord(char) <= arg[1]
        ):
            return True
        if op is _RE.CATEGORY and (arg is not _RE.CATEGORY_DIGIT or char.isdigit()):
            return True
    return False


def _tail(items: list[Any]) -> int:
    total = 0
    for op, arg in reversed(items):
        if op in (_RE.MAX_REPEAT, _RE.MIN_REPEAT):
            low, high, sub = arg
            if not _any_digit(list(sub)):
                return total
            total += low
            if low != high:  # a variable width: what comes before ends at varying places
                return total
        elif op is _RE.IN and _any_digit([(op, arg)]):
            total += 1
        elif op is _RE.SUBPATTERN:
            return total + _tail(list(arg[-1]))
        elif op is _RE.BRANCH:
            return total + min(_tail(list(branch)) for branch in arg[1])
        else:
            return total
    return total


def _any_digit(items: list[Any]) -> bool:
    """Is `items` exactly one item matching any ASCII digit (\\d or [0-9])?"""
    if len(items) != 1 or items[0][0] is not _RE.IN:
        return False
    members = items[0][1]
    return members in ([(_RE.CATEGORY, _RE.CATEGORY_DIGIT)], [(_RE.RANGE, (48, 57))])


def widest(pattern: str) -> int:
    """The most characters a prefix pattern can match (a large number when unbounded)."""
    try:
        return min(_PARSER.parse(pattern).getwidth()[1], UNBOUNDED)
    except Exception:
        return UNBOUNDED


def _metadata(country_code: int) -> list[Any]:
    import phonenumbers
    from phonenumbers import PhoneMetadata

    regions = phonenumbers.region_codes_for_country_code(country_code)
    found = [PhoneMetadata.metadata_for_region(region) for region in regions]
    if phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS and (
        country_code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS
    ):
        found.append(PhoneMetadata.metadata_for_nongeo_region(country_code))
    return [metadata for metadata in found if metadata is not None]


def _mobile_token(country_code: int) -> str:
    import phonenumbers

    return str(phonenumbers.country_mobile_token(country_code))


@cache
def _longest_key(country_code: int, table: str) -> int:
    """The longest prefix (country code included) the zone or area table has for the code."""
    data: dict[str, Any]
    if table == "zones":
        from phonenumbers.tzdata import TIMEZONE_DATA as data
    else:
        from phonenumbers.geodata import GEOCODE_DATA as data
    code = str(country_code)
    return max((len(key) for key in data if key.startswith(code)), default=0)
