"""Which lead field each CSV column holds, from common CRM export headers (pure).

Headers are compared case- and punctuation-insensitively ("Job Title", "job_title", "JOBTITLE"
are one header). Columns no field claims are kept as extra fields, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The lead fields a column can hold, besides EXTRA (kept as an extra field under its header) and
# SKIP (dropped). "extra_json" is the `extra` column of callblock's own export: a JSON object.
FIELDS = (
    "lead_id",
    "name",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "mobile",
    "email",
    "other_phones",
    "other_emails",
    "status",
    "temperature",
    "created_at",
    "timezone",
    "region",
    "country",
    "owner",
    "notes",
    "links",
    "fit",
    "extra_json",
    "pronunciation",
    "interest",
)
EXTRA, SKIP = "extra", "skip"

_ALIASES: dict[str, tuple[str, ...]] = {
    "lead_id": ("leadid",),
    "name": ("name", "fullname", "contactname", "leadname", "contact"),
    "first_name": ("firstname", "first", "givenname", "forename"),
    "last_name": ("lastname", "last", "surname", "familyname"),
    "company": (
        "company",
        "companyname",
        "account",
        "accountname",
        "organization",
        "organisation",
        "associatedcompany",
    ),
    "title": ("title", "jobtitle", "position", "role", "jobrole"),
    "phone": (
        "phone",
        "phonenumber",
        "businessphone",
        "workphone",
        "officephone",
        "telephone",
        "tel",
        "directphone",
    ),
    "mobile": ("mobile", "mobilephone", "mobilephonenumber", "mobilenumber", "cell", "cellphone"),
    "email": ("email", "emailaddress", "workemail", "businessemail", "email1"),
    "other_phones": (
        "otherphones",
        "otherphone",
        "otherphonenumbers",
        "additionalphones",
        "additionalphonenumbers",
    ),
    "other_emails": (
        "otheremails",
        "otheremail",
        "otheremailaddresses",
        "additionalemails",
        "additionalemailaddresses",
        "secondaryemail",
    ),
    "status": ("status", "leadstatus", "hsleadstatus"),
    "temperature": ("temperature", "leadtemperature", "rating", "leadrating"),
    "created_at": (
        "createdat",
        "createdate",
        "createddate",
        "created",
        "datecreated",
        "createdon",
        "createdtime",
        "leadcreated",
        "leadcreatedate",
    ),
    "timezone": ("timezone", "tz", "ianatimezone"),
    # A lead's state or country (not a county: a county names no calling rules).
    "region": (
        "stateregion",
        "state",
        "region",
        "province",
        "stateprovince",
        "stateorprovince",
        "stateprovinceregion",
        "statecode",
        "mailingstate",
        "mailingstateprovince",
        "billingstate",
        "billingstateprovince",
        "otherstate",
    ),
    "country": (
        "country",
        "countryregion",
        "countrycode",
        "countryname",
        "mailingcountry",
        "mailingcountrycode",
        "billingcountry",
        "billingcountrycode",
    ),
    "owner": ("owner", "leadowner", "contactowner", "hubspotowner", "assignedto", "rep"),
    "notes": ("notes", "note", "description", "researchnotes"),
    "links": ("links",),
    "fit": ("fit", "fitcriteria"),
    "extra_json": ("extra", "extrafields"),
    "pronunciation": ("pronunciation", "pronounce", "phonetic", "phoneticname", "saysas"),
    # What the lead asked for or downloaded: a CRM's form, conversion or lead source.
    "interest": (
        "interest",
        "interests",
        "productinterest",
        "areaofinterest",
        "leadsource",
        "source",
        "originalsource",
        "form",
        "formname",
        "formsubmitted",
        "formsubmission",
        "conversion",
        "conversionname",
        "recentconversion",
        "firstconversion",
        "recentconversionevent",
        "firstconversionevent",
        "conversionevent",
        "download",
        "offer",
    ),
}
_BY_ALIAS = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}


class HeaderError(ValueError):
    pass


def header_key(header: str) -> str:
    """The comparable form of a header: lowercase letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    header: str  # as written in the file (cleaned by the caller)
    field: str  # one of FIELDS, EXTRA or SKIP


def parse_mapping(options: Sequence[str]) -> dict[str, str]:
    """`--map source=field` options as {header key: field}; bad ones raise HeaderError."""
    mapping: dict[str, str] = {}
    for option in options:
        source, sep, field = option.partition("=")
        field = field.strip().lower().replace("-", "_")
        if not sep or not source.strip():
            raise HeaderError(f"--map {option!r}: write it as 'Source Header=field'")
        if field not in (*FIELDS, EXTRA, SKIP):
            known = ", ".join((*FIELDS, EXTRA, SKIP))
            raise HeaderError(f"--map {option!r}: unknown field {field!r} (known: {known})")
        mapping[header_key(source)] = field
    return mapping


def map_columns(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> list[Column]:
    """The field of each column. A field claimed twice keeps the first column; the later ones
    become extra fields (e.g. a second phone column), so nothing is lost."""
    overrides = overrides or {}
    unknown = set(overrides) - {header_key(h) for h in headers}
    if unknown:
        raise HeaderError(f"--map: no column named {sorted(unknown)[0]!r} in the file's header")
    columns: list[Column] = []
    claimed: set[str] = set()
    for index, header in enumerate(headers):
        key = header_key(header)
        field = overrides.get(key) or _BY_ALIAS.get(key, EXTRA)
        if field not in (EXTRA, SKIP):
            if field in claimed:
                field = EXTRA
            claimed.add(field)
        columns.append(Column(index, header, field))
    return columns


def recognised(columns: Sequence[Column]) -> bool:
    """True when the header names at least a lead's name (else it is probably not a header)."""
    fields = {column.field for column in columns}
    return "name" in fields or "first_name" in fields or "last_name" in fields
