"""Regions for calling rules: an ISO 3166 country ("DE") or subdivision ("US-FL", "CA-ON").

Country and subdivision names and codes come from pycountry (ISO 3166-1 and 3166-2), read on
first use (~50 ms to import and ~40 ms to load the subdivisions: never on the app's first frame,
only when a number, an import row or a lead form needs a region). A few spellings CRMs use that
ISO does not ("UK", "Deutschland", "Washington D.C.") are added here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Spellings CRMs write that ISO 3166 does not hold (keys in `_key` form).
_COUNTRY_WORDS = {
    "uk": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northernireland": "GB", "america": "US", "usofa": "US", "unitedstatesofamerica": "US",
    "deutschland": "DE", "holland": "NL", "russia": "RU", "southkorea": "KR", "korea": "KR",
    "czechia": "CZ", "czechrepublic": "CZ", "uae": "AE", "turkey": "TR", "vietnam": "VN",
}  # fmt: skip
_STATE_WORDS = {"washingtondc": "US-DC", "dc": "US-DC", "washingtondistrictofcolumbia": "US-DC"}
_FULL_CODE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")


class RegionError(ValueError):
    """A state or country that cannot be read; `field` says which ("state" or "country")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _key(text: str) -> str:
    """The comparable form of a name: accents dropped, lowercase letters and digits only."""
    folded = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^0-9a-z]", "", folded.encode("ascii", "ignore").decode().casefold())


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every country's names and codes (`_key` form) -> its alpha-2 code."""
    import pycountry  # lazy: see the module's docstring

    found: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("alpha_3", "alpha_2", "name", "official_name", "common_name"):
            if value := getattr(country, attr, None):
                found.setdefault(_key(value), country.alpha_2)
    return found | _COUNTRY_WORDS


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    import pycountry

    return {country.alpha_2: country.alpha_3 for country in pycountry.countries}


@lru_cache(maxsize=1)
def _subdivisions() -> dict[str, dict[str, str]]:
    """Per country (alpha-2): each subdivision's name and code (`_key` form) -> "US-FL"."""
    import pycountry

    found: dict[str, dict[str, str]] = {}
    for sub in pycountry.subdivisions:
        names = found.setdefault(sub.country_code, {})
        names.setdefault(_key(sub.code.split("-", 1)[1]), sub.code)
        names.setdefault(_key(sub.name), sub.code)
    found["US"].update(_STATE_WORDS)
    return found


def country_code(text: str) -> str | None:
    """ "Germany", "DEU", "de", "UK" -> the alpha-2 code; None when no country is named."""
    return _countries().get(_key(text)) if text.strip() else None


def us_state_code(text: str) -> str | None:
    """ "Florida", "Miami, FL" or "FL" -> "FL"; None when no US state can be read."""
    states = _subdivisions()["US"]
    found = states.get(_key(text)) or states.get(_key(text.rsplit(",", 1)[-1]))
    return found.split("-", 1)[1] if found else None


def parse_region(text: str) -> str | None:
    """One field that names a place (a lead form's Region, a State column): "US-FL" and other
    ISO 3166-2 codes, a US state ("FL", "Florida": a two-letter code is a state first), else a
    country ("Germany", "DEU"). None when empty; RegionError("state", ...) when unreadable."""
    text = text.strip()
    if not text:
        return None
    if _FULL_CODE.match(text):
        code = text.upper()
        if code in _subdivisions().get(code[:2], {}).values():
            return code
    if state := _subdivisions()["US"].get(_key(text)):
        return state
    if country := country_code(text):
        return country
    raise RegionError(
        "state",
        f"{text!r} is not a US state or a country (write e.g. FL, Florida, Germany or DEU)",
    )


def record_region(state: str, country: str) -> str | None:
    """The calling region a lead's record gives (an import's State and Country columns): a
    subdivision of the country when the state names one, else the country; None when both are
    empty. A province of another country that cannot be read gives its country's rules."""
    state, country = state.strip(), country.strip()
    if not country:
        return parse_region(state)
    code = country_code(country)
    if code is None:
        raise RegionError("country", f"{country!r} is not a country (write e.g. US, DE, Germany)")
    if not state:
        return code
    if _FULL_CODE.match(state) and state.upper().startswith(f"{code}-"):
        return parse_region(state)
    if found := _subdivisions().get(code, {}).get(_key(state)):
        return found
    if code == "US":
        raise RegionError("state", f"{state!r} is not a US state (write e.g. FL or Florida)")
    return code


def region_text(region: str | None) -> str:
    """A region as a person writes it back (the lead form, an export): "FL" for a US state,
    "CA-ON" for another subdivision, the alpha-3 code for a country ("DEU": no US state has
    three letters, so `parse_region` reads every one of them back unchanged)."""
    if not region:
        return ""
    if region.startswith("US-"):
        return region[3:]
    return region if "-" in region else _alpha3().get(region, region)


def short_region(region: str | None) -> str:
    """A region on the lead card: "FL" for a US state, else the code ("DE", "CA-ON")."""
    if not region:
        return ""
    return region[3:] if region.startswith("US-") else region


def region_code(country: str | None, area: str | None = None) -> str | None:
    """ "US" + "Miami, FL" -> "US-FL"; "DE" + anything -> "DE"; None when the country is unknown."""
    if not country or country in ("ZZ", "001"):
        return None
    if country == "US" and area and (state := us_state_code(area)):
        return f"US-{state}"
    return country
