"""Regions for calling rules: an ISO 3166 country ("DE") or a US state ("US-FL")."""

from __future__ import annotations

US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL",
    "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR",
    "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD",
    "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA",
    "Washington": "WA", "Washington D.C.": "DC", "West Virginia": "WV", "Wisconsin": "WI",
    "Wyoming": "WY", "Puerto Rico": "PR",
}  # fmt: skip
_CODES = set(US_STATES.values())
# Country names as CRMs write them (header_key form) -> ISO 3166 codes.
COUNTRY_WORDS = {
    "unitedstates": "US", "unitedstatesofamerica": "US", "usa": "US", "america": "US",
    "canada": "CA", "unitedkingdom": "GB", "uk": "GB", "greatbritain": "GB", "england": "GB",
    "ireland": "IE", "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES",
    "italy": "IT", "netherlands": "NL", "sweden": "SE", "australia": "AU", "newzealand": "NZ",
    "india": "IN", "mexico": "MX", "brazil": "BR", "japan": "JP", "singapore": "SG",
}  # fmt: skip


def us_state_code(text: str) -> str | None:
    """ "Florida", "Miami, FL" or "FL" -> "FL"; None when no state can be read."""
    text = text.strip()
    if text in US_STATES:
        return US_STATES[text]
    tail = text.rsplit(",", 1)[-1].strip().upper()
    return tail if tail in _CODES else None


def region_code(country: str | None, area: str | None = None) -> str | None:
    """ "US" + "Miami, FL" -> "US-FL"; "DE" + anything -> "DE"; None when the country is unknown."""
    if not country or country in ("ZZ", "001"):
        return None
    if country == "US" and area and (state := us_state_code(area)):
        return f"US-{state}"
    return country
