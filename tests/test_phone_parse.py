"""phone_parse.parse_number gives what phonenumbers.parse gives, for every notation, region and
sibling number (numbers differing only in their last digits share a plan); a plan keyed too
broadly is caught."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from callblock.domain import phone_parse
from callblock.domain.phone_parse import parse_number

REGIONS = (
    "US CA BB JM PR AG GB DE FR IT AR AU IN CN BR JP RU ZA MX NL CH SE NZ IE ES PL BE AT KR "
    "SG HK IL TR NG EG SM VA KZ"
).split()
TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
)


def texts(seed: int, count: int) -> list[tuple[str, str]]:
    """(text, default region): example numbers of many countries, their last 1-6 digits
    changed, in plain notations (with +, national, grouped, with the country code and no +,
    with an international prefix), each followed by a sibling."""
    rng = random.Random(seed)
    found: list[tuple[str, str]] = []
    while len(found) < count:
        example = phonenumbers.example_number_for_type(rng.choice(REGIONS), rng.choice(TYPES))
        if example is None:
            continue
        home, code = rng.choice(REGIONS), example.country_code
        national = phonenumbers.national_significant_number(example)
        for _ in range(2):
            cut = rng.randint(1, 6)
            digits = "".join(rng.choice("0123456789") for _ in range(cut))
            number = national[:-cut] + digits if len(national) > cut else national
            found.append((_written(rng, code, number), home))
    return found


def _written(rng: random.Random, code: int, number: str) -> str:
    return rng.choice(
        (
            f"+{code} {number}",
            f"+{code}{number}",
            f"0{number}",
            f"({number[:3]}) {number[3:6]}-{number[6:]}",
            f"{number[:3]}.{number[3:6]}.{number[6:]}",
            f"{code}{number}",
            f"00{code} {number}",
            f"011 {code} {number}",
            number,
        )
    )


def outcome(parse: object, text: str, region: str) -> object:
    try:
        number = parse(text, region)  # type: ignore[operator]
    except phonenumbers.NumberParseException as error:
        return ("error", error.error_type)
    return (
        number.country_code,
        number.national_number,
        number.italian_leading_zero,
        number.number_of_leading_zeros,
        number.extension,
    )


def mismatches(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    phone_parse._plans.clear()
    return [
        (text, region)
        for text, region in cases
        if outcome(parse_number, text, region) != outcome(phonenumbers.parse, text, region)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planned_parses_are_phonenumbers_parses(seed: int) -> None:
    cases = texts(seed, 3000)
    assert mismatches(cases) == []
    assert len(phone_parse._plans) < len(cases)  # plans were shared


def test_a_plan_keyed_on_too_few_digits_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above has teeth: a tail that claims every digit but the first is free
    shares plans between numbers that parse differently."""
    monkeypatch.setattr(phone_parse, "parse_tail", lambda region, plus, length, start: length - 1)
    assert mismatches(texts(1, 3000))
    phone_parse._plans.clear()


def test_text_outside_the_plain_notation_goes_to_phonenumbers() -> None:
    for text in (
        "tel:+1-212-555-0134",
        "212 555 0134 ext. 12",
        "1-800-FLOWERS",
        "(+1) 212 5550134",
    ):
        assert outcome(parse_number, text, "US") == outcome(phonenumbers.parse, text, "US")


def test_the_phone_caches_load_with_the_first_number_not_at_start() -> None:
    """Like phonenumbers itself, the prefix caches are no part of the app's first frame."""
    import subprocess
    import sys

    code = (
        "import sys, callblock.cli.main, callblock.app, callblock.screens.power_hour;"
        "loaded = {'phonenumbers', 'callblock.domain.phone_parse',"
        " 'callblock.domain.phone_prefixes'};"
        "assert not loaded & set(sys.modules), loaded & set(sys.modules);"
        "from callblock.domain.phones import normalize_phone;"
        "assert normalize_phone('(212) 555-0134').e164 == '+12125550134'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
