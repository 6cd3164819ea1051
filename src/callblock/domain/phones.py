"""Phone numbers: E.164 normalisation, a readable form and the zone they imply."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.models import Phone
from callblock.domain.regions import region_code, us_state_code

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber


__all__ = ["Phone", "PhoneError", "normalize_phone"]

FACTS_KEPT = 100_000  # prefixes remembered per process (an import of 100,000 rows: ~5,000)


class PhoneError(ValueError):
    pass


class _Facts(NamedTuple):
    """What a number's prefix decides: validity, time zone(s) and region."""

    valid: bool
    timezone: str | None = None
    zone_spread: int = 0
    region: str | None = None
    display_head: str | None = None  # the display but its free digits (see _display_head)


_facts_by_prefix: dict[tuple[int, int, str], _Facts] = {}


def default_region_problem(code: str) -> str | None:
    """Why `code` cannot be the region numbers without a country code are read in, or None."""
    from phonenumbers import SUPPORTED_REGIONS  # lazy: see normalize_phone

    if code.upper() in SUPPORTED_REGIONS:
        return None
    return f"{code[:40]!r} is not a country code like US, GB or DE"


def normalize_phone(raw: str, default_region: str = "US") -> Phone:
    """Parse `raw` (any common notation) into E.164 with phonenumbers, or raise PhoneError.

    Whether the number is valid, its zones and its region depend only on its first digits
    (`phone_prefixes.free_tail` proves how many of the last ones no rule reads), so they are
    looked up once per prefix: an import's 100,000 numbers share a few thousand."""
    import phonenumbers  # lazy: ~30 ms at import

    from callblock.domain.phone_prefixes import free_tail  # lazy, as phonenumbers: not at start-up

    number = _parse(raw, default_region)
    national = phonenumbers.national_significant_number(number)
    code = number.country_code or 0
    tail = free_tail(code, national)
    if tail:
        key = (code, len(national), national[:-tail])
        facts = _facts_by_prefix.get(key)
        if facts is None:
            if len(_facts_by_prefix) >= FACTS_KEPT:
                _facts_by_prefix.clear()
            facts = number_facts(number)
            head = _display_head(number, national, tail) if facts.valid else None
            facts = _facts_by_prefix[key] = facts._replace(display_head=head)
    else:
        facts = number_facts(number)
    if not facts.valid:
        raise PhoneError(f"{raw!r} is not a valid phone number")
    if facts.display_head is not None and not number.extension:
        display = facts.display_head + national[-tail:]
    else:
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return Phone(
        e164=f"+{code}{national}",
        display=display,
        timezone=facts.timezone,
        zone_spread=facts.zone_spread,
        region=facts.region,
    )


def _display_head(number: PhoneNumber, national: str, tail: int) -> str | None:
    """The international form of `number` without its last `tail` digits, when every number
    differing only there is written as that head and its own digits (`formats_keep_tail`:
    the same format is chosen and ends with them), else None."""
    import phonenumbers

    from callblock.domain.phone_prefixes import formats_keep_tail

    if number.extension or not formats_keep_tail(number.country_code or 0, national, tail):
        return None
    display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    written = "".join(ch for ch in display if ch.isdigit())
    if written != f"{number.country_code}{national}" or display[-tail:] != national[-tail:]:
        return None
    return display[:-tail]


def _parse(raw: str, default_region: str) -> PhoneNumber:
    import phonenumbers

    text = raw.strip()
    if not text:
        raise PhoneError("phone number is empty")
    try:
        from callblock.domain.phone_parse import parse_number

        return parse_number(text, default_region.upper())
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"cannot read phone number {raw!r}: {error._msg}") from None


def number_facts(number: PhoneNumber) -> _Facts:
    """Validity, zone(s) and region of a parsed number, asked of phonenumbers directly."""
    import phonenumbers
    from phonenumbers import timezone as phone_zones

    # number_type is what is_valid_number and time_zones_for_number each compute: once here.
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return _Facts(valid=False)
    if phonenumbers.is_number_type_geographical(kind, number.country_code or 0):
        found = phone_zones.time_zones_for_geographical_number(number)
    else:
        found = phone_zones.time_zones_for_number(number)
    zones = [z for z in found if z != "Etc/Unknown" and _known(z)]
    east, spread = _east_and_spread(zones) if len(zones) > 1 else (None, 0)
    return _Facts(
        valid=True,
        timezone=zones[0] if len(zones) == 1 else east,
        zone_spread=spread,
        region=_region(number),
    )


def _known(zone: str) -> bool:
    try:
        zone_info(zone)
    except UnknownZoneError:
        return False
    return True


# Two instants a season apart: the zones' offsets differ between winter and summer time.
_REFERENCE = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))


def _east_and_spread(zones: list[str]) -> tuple[str, int]:
    """The easternmost zone (largest UTC offset in winter) and the most minutes any other
    zone's clock lags it, in winter or in summer."""

    def offset(zone: str, at: datetime) -> int:
        delta = at.astimezone(zone_info(zone)).utcoffset()
        return int(delta.total_seconds() // 60) if delta is not None else 0

    east = max(zones, key=lambda zone: (offset(zone, _REFERENCE[0]), -zones.index(zone)))
    spread = max(offset(east, at) - offset(zone, at) for zone in zones for at in _REFERENCE)
    return east, max(spread, 0)


def _region(number: PhoneNumber) -> str | None:
    """ "US-FL" for a Florida number (US states may set stricter calling rules), else the
    country ("DE"). Cheapest first: most country codes have one country; for +1 the geocoder's
    area ("Miami, FL") names the state; only other shared codes need the full lookup."""
    import phonenumbers
    from phonenumbers import geocoder

    countries = phonenumbers.region_codes_for_country_code(number.country_code or 0)
    if len(countries) == 1:
        return region_code(countries[0])
    if number.country_code == 1:
        area = geocoder.description_for_valid_number(number, "en")
        if state := us_state_code(area):
            return f"US-{state}"
    return region_code(phonenumbers.region_code_for_number(number))
