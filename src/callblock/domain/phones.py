"""Phone numbers: E.164 normalisation, a readable form and the zone they imply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from callblock.domain.regions import region_code, us_state_code

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber


class PhoneError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    display: str
    timezone: str | None  # None when the number spans several zones or none is known
    region: str | None = None  # "US-FL", "DE": for regional calling rules


def normalize_phone(raw: str, default_region: str = "US") -> Phone:
    """Parse `raw` (any common notation) into E.164 with phonenumbers, or raise PhoneError."""
    import phonenumbers  # lazy: ~30 ms at import
    from phonenumbers import timezone as phone_zones

    text = raw.strip()
    if not text:
        raise PhoneError("phone number is empty")
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"cannot read phone number {raw!r}: {error._msg}") from None
    # number_type is what is_valid_number and time_zones_for_number each compute: once here
    # (imports normalize 100,000 numbers).
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        raise PhoneError(f"{raw!r} is not a valid phone number")
    if phonenumbers.is_number_type_geographical(kind, number.country_code):
        found = phone_zones.time_zones_for_geographical_number(number)
    else:
        found = phone_zones.time_zones_for_number(number)
    zones = [z for z in found if z != "Etc/Unknown"]
    return Phone(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        display=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        timezone=zones[0] if len(zones) == 1 else None,
        region=_region(number),
    )


def _region(number: PhoneNumber) -> str | None:
    """ "US-FL" for a Florida number (US states may set stricter calling rules), else the
    country ("DE"). Cheapest first: most country codes have one country; for +1 the geocoder's
    area ("Miami, FL") names the state; only other shared codes need the full lookup."""
    import phonenumbers
    from phonenumbers import geocoder

    countries = phonenumbers.region_codes_for_country_code(number.country_code)
    if len(countries) == 1:
        return region_code(countries[0])
    if number.country_code == 1:
        area = geocoder.description_for_valid_number(number, "en")
        if state := us_state_code(area):
            return f"US-{state}"
    return region_code(phonenumbers.region_code_for_number(number))
