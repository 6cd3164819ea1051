"""The phone facts cached per number prefix are exactly what phonenumbers answers (pure domain).

`normalize_phone` looks a number's validity, zones and region up once per prefix: numbers that
differ only in their last `free_tail` digits share one entry. These tests compare it with
phonenumbers itself, uncached, on siblings of example numbers of many countries written in many
notations, in both orders (the entry made by one sibling, then read for another).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberFormat, PhoneNumberType
from phonenumbers.tzdata import TIMEZONE_DATA

from callblock.domain import phone_prefixes, phones
from callblock.domain.models import Phone
from callblock.domain.phone_prefixes import UNBOUNDED, free_tail, pattern_tail
from callblock.domain.phones import PhoneError, normalize_phone, number_facts

try:  # the parse plans, where normalize_phone keeps them: forgotten with the facts
    from callblock.domain import phone_parse as _phone_parse
except ImportError:  # pragma: no cover
    _phone_parse = None

NANP = ["US", "CA", "BB", "JM", "PR", "AG"]
REGIONS = [
    *NANP,
    *["GB", "DE", "FR", "IT", "AR", "AU", "IN", "CN", "BR", "JP", "RU", "ZA", "MX", "NL"],
    *["CH", "SE"],
]
NON_GEO = [800, 808, 870, 881, 882]  # written "001" as a region below
TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.UAN,
]
DIGITS = "0123456789"
# Default regions that dial abroad with 00 (011 is the NANP's)
DIALS_00 = ["GB", "DE", "FR", "IT", "NL", "CH", "SE", "IN", "ZA", "CN", "AR"]


def _examples() -> list[tuple[str, int, str]]:
    """(region, country code, national significant number) of phonenumbers' example numbers."""
    found: list[tuple[str, PhoneNumber | None]] = [
        (region, phonenumbers.example_number_for_type(region, kind))
        for region in REGIONS
        for kind in TYPES
    ]
    found += [("001", phonenumbers.example_number_for_non_geo_entity(code)) for code in NON_GEO]
    return [
        (region, number.country_code or 0, phonenumbers.national_significant_number(number))
        for region, number in found
        if number is not None
    ]


EXAMPLES = _examples()


def _patterns() -> list[tuple[str, int, str]]:
    """(region, country code, pattern) of every number type of the regions above."""
    regions = [
        *((region, PhoneMetadata.metadata_for_region(region)) for region in REGIONS),
        *(("001", PhoneMetadata.metadata_for_nongeo_region(code)) for code in NON_GEO),
    ]
    found = []
    for region, metadata in regions:
        assert metadata is not None and metadata.country_code is not None
        for kind in ("fixed_line", "mobile", "toll_free", "premium_rate", "voip", "uan"):
            pattern = getattr(getattr(metadata, kind, None), "national_number_pattern", None)
            if pattern:
                found.append((region, metadata.country_code, str(pattern)))
    return found


_PATTERNS = _patterns()
# Numbers that match one of a region's patterns: the digits its rules tell apart.
MATCHING = st.one_of(
    [
        st.tuples(
            st.just(region),
            st.just(code),
            st.from_regex(pattern, fullmatch=True, alphabet=DIGITS),
        )
        for region, code, pattern in _PATTERNS
    ]
)


def _caches() -> list[dict[Any, Any]]:
    """The per-prefix caches behind normalize_phone: the facts, and the parse plans."""
    plans = getattr(_phone_parse, "_plans", None)
    return [phones._facts_by_prefix, *([plans] if plans is not None else [])]


def _forget() -> None:
    for cache in _caches():
        cache.clear()


@pytest.fixture(autouse=True, scope="module")
def _kept_caches() -> Iterator[None]:
    """What the caches held before these tests is what they hold after them."""
    kept = [dict(cache) for cache in _caches()]
    yield
    for cache, entries in zip(_caches(), kept, strict=True):
        cache.clear()
        cache.update(entries)


def reference_phone(raw: str, default_region: str) -> Phone:
    """What normalize_phone answers, asked of phonenumbers with no cache in between."""
    if not raw.strip():
        raise PhoneError("empty")
    try:
        number = phonenumbers.parse(raw.strip(), default_region.upper())
    except phonenumbers.NumberParseException:
        raise PhoneError("unreadable") from None
    facts = number_facts(number)
    assert facts.valid == phonenumbers.is_valid_number(number), raw
    if not facts.valid:
        raise PhoneError("invalid")
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        display=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        timezone=facts.timezone,
        zone_spread=facts.zone_spread,
        region=facts.region,
    )


def outcome(read: Callable[[str, str], Phone], raw: str, region: str) -> Phone | str:
    try:
        return read(raw, region)
    except PhoneError:
        return "PhoneError"


def _vary(draw: st.DrawFn, code: int, national: str) -> str:
    """`national` with its last 1 to 6 digits drawn anew, often just the free ones or one
    more (the digit the claim ends before), sometimes any number of them (how a number is
    parsed, say its leading zeros, is decided by its first digits)."""
    tail = free_tail(code, national)
    count = draw(
        st.one_of(
            st.integers(1, 6),
            st.sampled_from([tail, tail + 1]),
            st.integers(1, max(len(national), 1)),
        )
    )
    count = min(max(count, 1), len(national))
    return national[:-count] + draw(st.text(DIGITS, min_size=count, max_size=count))


def _grouped(draw: st.DrawFn, digits: str) -> str:
    """`digits` cut into groups by spaces, dashes or dots, maybe the first in parentheses."""
    cuts = sorted(draw(st.sets(st.integers(1, max(len(digits) - 1, 1)), max_size=3)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    groups = [group for group in groups if group]
    if len(groups) > 1 and draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    return draw(st.sampled_from([" ", "-", ".", " - "])).join(groups)


@st.composite
def written(draw: st.DrawFn, region: str, code: int, national: str) -> tuple[str, str]:
    """The number in a notation someone types, and the default region it is read in."""
    notations = ["e164", "international", "idd"]
    if region != "001":
        notations.append("national")
    if code == 1:
        notations += ["one", "local"]
    notation = draw(st.sampled_from(notations))
    anywhere = st.sampled_from(REGIONS)
    if notation == "e164":
        raw, default = f"+{code}{national}", draw(anywhere)
    elif notation == "international":
        raw, default = f"+{code} {_grouped(draw, national)}", draw(anywhere)
    elif notation == "idd":
        dial, default = draw(
            st.one_of(
                st.tuples(st.just("011"), st.sampled_from(NANP)),
                st.tuples(st.just("00"), st.sampled_from(DIALS_00)),
            )
        )
        raw = f"{dial} {code} {_grouped(draw, national)}"
    elif notation == "national":
        metadata = PhoneMetadata.metadata_for_region(region)
        prefix = (metadata.national_prefix if metadata else None) or ""
        raw, default = _grouped(draw, prefix + national), region
    elif notation == "one":  # the NANP's 1, no plus
        raw, default = f"1 {_grouped(draw, national)}", draw(st.sampled_from(NANP))
    else:  # seven digits, the area code left to the default region (Barbados adds 246)
        raw, default = _grouped(draw, national[-7:]), region
    extension = draw(st.sampled_from(["", "", "", " ext. 12", " x 7", " ext 345"]))
    return raw + extension, default


@st.composite
def families(draw: st.DrawFn) -> list[tuple[str, str]]:
    """2 to 4 numbers of one country that differ only in their last 1 to 6 digits, written
    each in its own notation: most share a cache entry with the others."""
    source = draw(st.integers(0, 9))
    if source < 5:  # an example number of a type
        region, code, national = draw(st.sampled_from(EXAMPLES))
    elif source < 8:  # a number one of the region's patterns matches
        region, code, national = draw(MATCHING)
    else:  # any digits
        region = draw(st.sampled_from([*REGIONS, *map(str, NON_GEO)]))
        code = int(region) if region.isdigit() else phonenumbers.country_code_for_region(region)
        region = "001" if region.isdigit() else region
        national = draw(st.text(DIGITS, min_size=1, max_size=14))
    first = national if draw(st.booleans()) else _vary(draw, code, national)
    others = [_vary(draw, code, first) for _ in range(draw(st.integers(1, 3)))]
    return [draw(written(region, code, number)) for number in [first, *others]]


def _same_answers(family: list[tuple[str, str]]) -> None:
    """Each number of `family`, read in turn into an empty cache, then in reverse order."""
    for order in (family, family[::-1]):
        _forget()
        for raw, region in order:
            cached = outcome(normalize_phone, raw, region)
            assert cached == outcome(reference_phone, raw, region), (raw, region, order)


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(family=families())
def test_cached_answers_are_phonenumbers_answers(family: list[tuple[str, str]]) -> None:
    _same_answers(family)


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda code, national: max(len(national) - 3, 0), id="all-but-3"),
        pytest.param(lambda code, national: free_tail(code, national) + 1, id="one-too-many"),
    ],
)
def test_the_property_fails_on_a_cache_that_claims_too_much(
    monkeypatch: pytest.MonkeyPatch, broken: Callable[[int, str], int]
) -> None:
    """The property above has teeth: a free tail too long makes it fail."""
    monkeypatch.setattr(phone_prefixes, "free_tail", broken)  # read by phones when called

    @settings(
        max_examples=1_000,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(family=families())
    def same_answers(family: list[tuple[str, str]]) -> None:
        _same_answers(family)

    try:
        with pytest.raises(AssertionError):
            same_answers()
    finally:
        _forget()


# --- siblings within one cache key have the same facts -----------------------------------


def _number(code: int, national: str) -> PhoneNumber:
    """The number whose national significant number is `national` (leading zeros kept)."""
    zeros = len(national) - len(national.lstrip("0"))
    zeros = min(zeros, len(national) - 1)
    number = PhoneNumber(
        country_code=code,
        national_number=int(national or 0),
        italian_leading_zero=bool(zeros) or None,
        number_of_leading_zeros=zeros or None,
    )
    assert phonenumbers.national_significant_number(number) == national
    return number


def _siblings(national: str, tail: int, count: int, rng: random.Random) -> list[str]:
    """`count` numbers that differ from `national` only in its last `tail` digits (all of
    them when there are no more)."""
    if 10**tail <= count:
        return [national[:-tail] + f"{n:0{tail}d}" for n in range(10**tail)]
    return [national[:-tail] + f"{rng.randrange(10**tail):0{tail}d}" for _ in range(count)]


def _differing(code: int, nationals: list[str]) -> list[tuple[str, str, Any, Any]]:
    """Those of `nationals` that share the first one's cache key but not its facts (there
    should be none). A sibling whose first digits differ may have a shorter tail: another key."""
    first = number_facts(_number(code, nationals[0]))
    tail = free_tail(code, nationals[0])
    found = []
    for national in nationals[1:]:
        if free_tail(code, national) != tail:
            assert national[:3] != nationals[0][:3], national  # the same start, the same tail
            continue
        if (facts := number_facts(_number(code, national))) != first:
            found.append((nationals[0], national, first, facts))
    return found


def _nanp_area_codes() -> list[int]:
    """Every area code phonenumbers' zone table knows, and 100 others of 200-999."""
    known = {int(key[1:4]) for key in TIMEZONE_DATA if key.startswith("1") and len(key) >= 4}
    return sorted(known | set(random.Random(1).sample(range(200, 1000), 100)))


NANP_AREA_CODES = _nanp_area_codes()


@pytest.mark.parametrize("hundred", range(2, 10), ids=lambda h: f"{h}xx")
def test_nanp_numbers_that_share_a_key_share_their_facts(hundred: int) -> None:
    """Each area code (of 500 or so: the first number of an area code costs the most), four
    exchanges (any, so some invalid): two numbers that differ only in their free tail have the
    same validity, zones and region."""
    rng = random.Random(hundred)
    wrong = []
    shared = 0
    for area in [code for code in NANP_AREA_CODES if code // 100 == hundred]:
        for exchange in rng.sample(range(1000), 4):
            national = f"{area}{exchange:03d}{rng.randrange(10_000):04d}"
            tail = free_tail(1, national)
            if tail:
                shared += 1
                wrong += _differing(1, [national, *_siblings(national, tail, 1, rng)])
    assert not wrong, wrong[:5]
    assert shared >= 100  # most NANP numbers are cached: this checked them


@pytest.mark.parametrize("region", [*REGIONS, "001"])
def test_numbers_that_share_a_key_share_their_facts(region: str) -> None:
    """The example numbers of a region and numbers near them: every sibling within one key
    (up to 40 of them) has the first one's facts."""
    rng = random.Random(region)
    wrong = []
    for where, code, example in EXAMPLES:
        if where != region:
            continue
        for national in (example, example[:-4] + f"{rng.randrange(10_000):04d}"):
            if tail := free_tail(code, national):
                wrong += _differing(code, [national, *_siblings(national, tail, 40, rng)])
    assert not wrong, wrong[:5]


# --- pattern_tail on hand-written patterns -----------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "start", "tail"),
    [
        (r"[2-9]\d{9}", "", 9),
        (r"3\d{6}|[2-9]\d{9}", "", 6),
        (r"3\d{6}|[2-9]\d{9}", "3", 6),
        (r"3\d{6}|[2-9]\d{9}", "2", 9),  # the alternative for 3... cannot apply
        (r"3\d{6}|[2-9]\d{9}", "1", UNBOUNDED),  # no alternative applies
        (r"(?:3\d{6}|[2-9]\d{9})", "24", 9),  # one group of alternatives
        (r"246521[0369]\d{3}", "", 3),
        (r"246521[0369]\d{3}", "247", UNBOUNDED),
        (r"\d{5,6}", "", 5),
        (r"[2-9]\d{2,3}", "", 2),  # where the free digits start varies: the fewest
        (r"1\d\d", "", 2),
        (r"[0-9]{4}", "", 4),
        (r"[0-9][0-9]", "", 2),
        (r"1(?:2\d|3\d{2})\d{4}", "", 5),  # the group's shorter branch counts
        (r"(?:1|23)\d{2}", "", 2),
        (r"[126]\d{6}(?:\d(?:\d{2})?)?", "", 0),  # an optional end (China's general pattern)
        (r"\d{3}5", "", 0),
        (r"[1-9]\d{3}", "", 3),  # not every digit: not free
        (r"[^5]\d{3}", "", 3),
        (r"1\d{3}|2\d", "1", 3),
    ],
)
def test_pattern_tail(pattern: str, start: str, tail: int) -> None:
    assert pattern_tail(pattern, start) == tail


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d{3}(?!5)",  # a lookahead at the end
        r"(\d)\d{3}\1",  # a backreference
        r"\d++",  # possessive
        r"(?>\d{3})",  # atomic
        r"(?:\d{3}){2}",  # a repeated group
        r"\d{3}\Z",
        r"\w{4}",
        r".{4}",
        r"\d{3}$",
        "(",  # not a pattern at all
        r"[1-",
    ],
)
def test_pattern_tail_claims_nothing_for_what_it_cannot_read(pattern: str) -> None:
    assert pattern_tail(pattern) == 0


@pytest.mark.parametrize(
    "pattern", [r"(?=5)\d{10}", r"\d(?=\d{2}5)\d{3}", r"(?!0)\d{4}", r"(?:(?=1)\d|2)\d{3}"]
)
def test_pattern_tail_claims_nothing_after_a_lookahead(pattern: str) -> None:
    assert pattern_tail(pattern) == 0


@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_free_tail_of_a_real_pattern_may_be_any_digits(data: st.DataObject) -> None:
    """A string a metadata pattern matches still matches with its free digits replaced."""
    _, _, pattern = data.draw(st.sampled_from(_PATTERNS))
    text = data.draw(st.from_regex(pattern, fullmatch=True, alphabet=DIGITS))
    tail = min(pattern_tail(pattern, text[:3]), len(text))
    other = data.draw(st.text(DIGITS, min_size=tail, max_size=tail))
    sibling = text[: len(text) - tail] + other
    assert re.fullmatch(pattern, sibling), (pattern, text, sibling, tail)


# --- free_tail on real numbers -------------------------------------------------------------


def test_a_us_number_has_free_digits_but_not_its_area_code() -> None:
    assert 0 < free_tail(1, "2015550123") <= 7


def test_a_chinese_mobile_number_has_none() -> None:
    """China's general pattern ends in an optional group: no digit is free."""
    mobile = phonenumbers.example_number_for_type("CN", PhoneNumberType.MOBILE)
    assert mobile is not None
    assert free_tail(86, phonenumbers.national_significant_number(mobile)) == 0


def test_the_free_tail_is_never_longer_than_the_number() -> None:
    rng = random.Random(7)
    codes = {code for _, code, _ in EXAMPLES} | {7, 39, 54, 61, 86, 354, 590, 882, 979}
    for code in sorted(codes):
        for length in (0, 1, 2, 3, 4, 6, 9, 12, 17):
            national = "".join(rng.choice(DIGITS) for _ in range(length))
            assert 0 <= free_tail(code, national) <= length, (code, national)
