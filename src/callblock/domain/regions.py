"""Regions for calling rules: an ISO 3166 country ("DE") or subdivision ("US-FL", "CA-ON").

Country and subdivision names and codes are ISO 3166-1 and 3166-2 as the pycountry package
ships them (its JSON files, read on first use: ~20-30 ms, instead of importing pycountry and
building its 5,046 subdivision objects: ~100-170 ms, which `callblock add` and the first
number of an import would pay). Never on the app's first frame. A few spellings CRMs use that
ISO does not ("UK", "Deutschland", "Washington D.C.") are added here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Spellings CRMs write that ISO 3166 does not hold (keys in `_key` form).
_COUNTRY_WORDS = {
    "uk": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northernireland": "GB", "america": "US", "usofa": "US", "unitedstatesofamerica": "US",
    "deutschland": "DE", "holland": "NL", "russia": "RU", "southkorea": "KR", "korea": "KR",
    "czechia": "CZ", "czechrepublic": "CZ", "uae": "AE", "turkey": "TR", "vietnam": "VN",
}  # fmt: skip
_STATE_WORDS = {"washingtondc": "US-DC", "dc": "US-DC", "washingtondistrictofcolumbia": "US-DC"}
FIELDS = ("region", "country")  # the import's fields (domain/headers.py) a region is read from
# What CRMs write in a State or Country cell for "none" ("N/A" read as a name is "na": Namibia).
_BLANKS = frozenset({"n/a", "n.a.", "n.a", "none", "null", "unknown", "-", "--", "—", "?"})
_NOT_KEY = re.compile(r"[^0-9a-z]")
_FULL_CODE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")


class RegionError(ValueError):
    """A state or country that cannot be read; `field` says which ("state" or "country")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _key(text: str) -> str:
    """The comparable form of a name: accents dropped, lowercase letters and digits only."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_KEY.sub("", text.casefold())


def _iso(table: str) -> list[dict[str, str]]:
    """An ISO 3166 table ("3166-1" countries, "3166-2" subdivisions) from pycountry's data."""
    spec = importlib.util.find_spec("pycountry")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pycountry package is missing: reinstall callblock")
    folder = Path(next(iter(spec.submodule_search_locations))) / "databases"
    return json.loads((folder / f"iso{table}.json").read_text(encoding="utf-8"))[table]


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every country's names and codes (`_key` form) -> its alpha-2 code."""
    found: dict[str, str] = {}
    for country in _iso("3166-1"):
        for attr in ("alpha_3", "alpha_2", "name", "official_name", "common_name"):
            if value := country.get(attr):
                found.setdefault(_key(value), country["alpha_2"])
    return found | _COUNTRY_WORDS


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    return {country["alpha_2"]: country["alpha_3"] for country in _iso("3166-1")}


@lru_cache(maxsize=1)
def _subdivision_rows() -> dict[str, list[tuple[str, str]]]:
    """Per country (alpha-2): its subdivisions' (code, name), as ISO 3166-2 lists them."""
    found: dict[str, list[tuple[str, str]]] = {}
    for sub in _iso("3166-2"):
        found.setdefault(sub["code"][:2], []).append((sub["code"], sub["name"]))
    return found


@lru_cache(maxsize=256)
def _subdivisions(country: str) -> dict[str, str]:
    """A country's subdivisions by name and code (`_key` form) -> "US-FL". Built per country
    when first asked (a US number needs only the US's 57)."""
    names: dict[str, str] = {}
    for code, name in _subdivision_rows().get(country, ()):
        names.setdefault(_key(code.split("-", 1)[1]), code)
        names.setdefault(_key(name), code)
    return names | _STATE_WORDS if country == "US" else names


def country_code(text: str) -> str | None:
    """ "Germany", "DEU", "de", "UK" -> the alpha-2 code; None when no country is named."""
    return _countries().get(_key(text)) if text.strip() else None


def us_state_code(text: str) -> str | None:
    """ "Florida", "Miami, FL" or "FL" -> "FL"; None when no US state can be read."""
    states = _subdivisions("US")
    found = states.get(_key(text)) or states.get(_key(text.rsplit(",", 1)[-1]))
    return found.split("-", 1)[1] if found else None


def parse_region(text: str) -> str | None:
    """One field that names a place (a lead form's Region, a State column): "US-FL" and other
    ISO 3166-2 codes, a US state ("FL", "Florida": a two-letter code is a state first), else a
    country ("Germany", "DEU"). None when empty; RegionError("state", ...) when unreadable."""
    text = _named(text)
    if not text:
        return None
    if _FULL_CODE.match(text):
        code = text.upper()
        if any(code == known for known, _name in _subdivision_rows().get(code[:2], ())):
            return code
    if state := _subdivisions("US").get(_key(text)):
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
    state, country = _named(state), _named(country)
    if not country:
        return parse_region(state)
    code = country_code(country)
    if code is None:
        raise RegionError("country", f"{country!r} is not a country (write e.g. US, DE, Germany)")
    if not state:
        return code
    if _FULL_CODE.match(state) and state.upper().startswith(f"{code}-"):
        return parse_region(state)
    if found := _subdivisions(code).get(_key(state)):
        return found
    if code == "US":
        raise RegionError("state", f"{state!r} is not a US state (write e.g. FL or Florida)")
    return code


def _named(text: str) -> str:
    """The cell's text, "" for a placeholder that names no place ("N/A", "none", "-")."""
    text = text.strip()
    return "" if text.casefold() in _BLANKS else text


def region_from_extra(extra: str) -> str | None:
    """The record's region from a lead's extra fields (JSON), where imports before the field
    existed kept the State and Country cells under their headers; None when none reads."""
    from callblock.domain.headers import map_columns

    try:
        cells = json.loads(extra)
    except ValueError:
        return None
    if not isinstance(cells, dict):
        return None
    headers = [h for h, v in cells.items() if isinstance(h, str) and isinstance(v, str)]
    given = {c.field: cells[c.header] for c in map_columns(headers) if c.field in FIELDS}
    try:
        return record_region(given.get("region", ""), given.get("country", ""))
    except RegionError:
        return None


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
