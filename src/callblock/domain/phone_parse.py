"""phonenumbers.parse, once per prefix for numbers written in plain notation (pure).

A CRM export writes its numbers alike ("(212) 555-0134", "+1 212 555 0134", "212.555.0134").
For text of digits, spaces, parentheses, dots and dashes with at most a leading +, what parse
decides depends only on whether there is a +, the digits, and the default region: no letters
(vanity numbers, "ext."), no RFC 3966 context, no second number. Its decisions (the country
code from the first digits or an international prefix, a national prefix stripped, the
number's length, and whether the number matches the region's general pattern) read a
bounded number of leading digits and patterns whose last digits are free (phone_prefixes
proves how many). So numbers that differ only in their last `parse_tail` digits parse the
same way: the country code and how many leading digits are dropped. The first of them is
parsed by phonenumbers, the others are built from its plan.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from callblock.domain.phone_prefixes import UNBOUNDED, pattern_tail, widest

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

PLAIN = re.compile(r"\+?[0-9 ().\-]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
SHORTEST = 7  # digits: a shorter text always goes to phonenumbers
PLANS_KEPT = 100_000

# (country code, leading digits dropped, italian_leading_zero, number_of_leading_zeros)
_Plan = tuple[int, int, bool | None, int | None]
_plans: dict[tuple[str, bool, int, str], _Plan | None] = {}


def parse_number(text: str, region: str) -> PhoneNumber:
    """`phonenumbers.parse(text, region)` (raising as it does), planned once per prefix."""
    import phonenumbers

    if not PLAIN.fullmatch(text):
        return phonenumbers.parse(text, region)
    digits = _NOT_DIGIT.sub("", text)
    plus = text.startswith("+")
    if not plus and _international_prefix(region).match(digits):
        return phonenumbers.parse(text, region)  # the country code follows: not planned
    tail = parse_tail(region, plus, len(digits), digits[:3]) if len(digits) >= SHORTEST else 0
    if not tail:
        return phonenumbers.parse(text, region)
    key = (region, plus, len(digits), digits[:-tail])
    if key not in _plans:
        number = phonenumbers.parse(text, region)  # an error is raised, and nothing kept
        if len(_plans) >= PLANS_KEPT:
            _plans.clear()
        _plans[key] = _plan_of(number, digits, tail)
        return number
    plan = _plans[key]
    if plan is None:
        return phonenumbers.parse(text, region)
    code, dropped, leading_zero, zeros = plan
    return phonenumbers.PhoneNumber(
        country_code=code,
        national_number=int(digits[dropped:]),
        italian_leading_zero=leading_zero,
        number_of_leading_zeros=zeros,
    )


def _plan_of(number: PhoneNumber, digits: str, tail: int) -> _Plan | None:
    """How `number` came from `digits`, when its siblings would come the same way."""
    import phonenumbers

    national = phonenumbers.national_significant_number(number)
    if number.extension or len(national) <= tail or not digits.endswith(national):
        return None  # rewritten (a national prefix transformed), or the tail not free
    zeros = number.number_of_leading_zeros
    if number.italian_leading_zero and (zeros or 1) >= len(national) - tail:
        return None  # the run of leading zeros could end inside the free digits
    dropped = len(digits) - len(national)
    return number.country_code or 0, dropped, number.italian_leading_zero, zeros


@cache
def _international_prefix(region: str) -> re.Pattern[str]:
    from phonenumbers import PhoneMetadata

    home = PhoneMetadata.metadata_for_region(region.upper())
    idd = home.international_prefix if home is not None else None
    return re.compile(idd or "(?!)")


@cache
def parse_tail(region: str, plus: bool, length: int, start: str) -> int:
    """Trailing digits of a `length`-digit plain number starting with `start` that parse
    never reads when the default region is `region` (0: no plan is kept)."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    home = PhoneMetadata.metadata_for_region(region.upper())
    if home is None:
        return 0
    if plus:
        known = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        codes = [c for n in (1, 2, 3) if (c := int(start[:n] or 0)) in known]
        if not codes:
            return 0
        code = codes[0]
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(
            code, phonenumbers.region_code_for_country_code(code)
        )
        read = len(str(code))
        tail = length
    else:
        metadata = home
        read = len(str(home.country_code))  # the region's own code, written without a +
        idd = home.international_prefix
        tail = length - (widest(idd) + 1 if idd else 0)  # an IDD match, and the digit after it
    if metadata is None or metadata.national_prefix_transform_rule:
        return 0
    if prefix := metadata.national_prefix_for_parsing:
        tail = min(tail, length - read - widest(prefix))
    general = metadata.general_desc.national_number_pattern if metadata.general_desc else None
    tail = min(tail, pattern_tail(general) if general else 0)
    return max(min(tail, UNBOUNDED), 0)
