"""Import domain: CRM headers, row validation, csv cells, nicknames, dedupe (unit + hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callblock.domain.csvcells import neutralize_cell, restore_cell
from callblock.domain.dedupe import (
    DuplicateIndex,
    Verdict,
    block_keys,
    compare,
    find_pairs,
    match_keys,
    merge_fields,
    same_person,
)
from callblock.domain.headers import HeaderError, header_key, map_columns, parse_mapping
from callblock.domain.import_rows import LeadRow, Problem, RowRules, validate_row
from callblock.domain.models import LeadStatus, Temperature
from callblock.domain.nicknames import is_nickname_pair
from callblock.services.exports import LEAD_FIELDS

NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
RULES = RowRules("US", "America/New_York", NOW)
HUBSPOT = [
    "Record ID",
    "First Name",
    "Last Name",
    "Company Name",
    "Job Title",
    "Phone Number",
    "Mobile Phone Number",
    "Email",
    "Lead Status",
    "Create Date",
    "Time Zone",
    "State/Region",
    "Country",
    "Contact owner",
]
SALESFORCE = ["Lead ID", "First Name", "Last Name", "Company", "Title", "Phone", "Mobile"]
SALESFORCE += ["Email", "Lead Status", "Rating", "Created Date", "State/Province", "Lead Owner"]


def fields(headers: list[str]) -> list[str]:
    return [column.field for column in map_columns(headers)]


def test_hubspot_headers_are_recognised() -> None:
    assert fields(HUBSPOT) == [
        "extra",
        "first_name",
        "last_name",
        "company",
        "title",
        "phone",
        "mobile",
        "email",
        "status",
        "created_at",
        "timezone",
        "region",
        "country",
        "owner",
    ]


def test_salesforce_headers_are_recognised() -> None:
    got = dict(zip(SALESFORCE, fields(SALESFORCE), strict=True))
    assert got["Lead ID"] == "lead_id"
    assert got["Rating"] == "temperature"
    assert got["Created Date"] == "created_at"
    assert got["State/Province"] == "region"
    assert got["Lead Owner"] == "owner"
    assert got["Mobile"] == "mobile"


def test_agreed_export_columns_are_recognised() -> None:
    agreed = "lead_id,name,company,title,phone,email,timezone,region,temperature,status,owner,"
    agreed += "created_at,notes,links,fit,extra,other_phones,other_emails,"
    agreed += "first_name,last_name,pronunciation,interest"
    assert fields(agreed.split(",")) == [
        *"lead_id name company title phone email timezone region temperature status".split(),
        "owner",
        *"created_at notes links fit extra_json other_phones other_emails".split(),
        *"first_name last_name pronunciation interest".split(),
    ]
    assert ",".join(LEAD_FIELDS) == agreed  # what `callblock export leads` writes


@given(st.sampled_from(HUBSPOT + SALESFORCE), st.lists(st.sampled_from(" _-./"), max_size=4))
def test_headers_ignore_case_and_punctuation(header: str, noise: list[str]) -> None:
    mangled = "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(header))
    mangled = "".join(noise) + mangled.replace(" ", "".join(noise) or "_")
    assert header_key(mangled) == header_key(header)
    assert fields([mangled]) == fields([header])


def test_a_field_claimed_twice_keeps_the_second_column_as_extra() -> None:
    assert fields(["Name", "Phone", "Phone Number"]) == ["name", "phone", "extra"]


def test_map_overrides_and_bad_maps() -> None:
    mapping = parse_mapping(["Direct Dial=phone", "Notes=skip", "Who=name"])
    assert fields(["Who", "Direct Dial", "Notes"]) == ["extra", "extra", "notes"]
    assert [c.field for c in map_columns(["Who", "Direct Dial", "Notes"], mapping)] == [
        "name",
        "phone",
        "skip",
    ]
    with pytest.raises(HeaderError, match="unknown field 'phoen'"):
        parse_mapping(["Cell=phoen"])
    with pytest.raises(HeaderError, match="Source Header=field"):
        parse_mapping(["Cell"])
    with pytest.raises(HeaderError, match="no column named"):
        map_columns(["Name"], parse_mapping(["Cell=phone"]))


def validate(row: dict[str, str], line: int = 2) -> LeadRow | list[Problem]:
    headers = list(row)
    return validate_row(map_columns(headers), list(row.values()), line, RULES)


def test_a_hubspot_row_becomes_a_lead() -> None:
    lead = validate(
        {
            "First Name": "Jim",
            "Last Name": "Brodo",
            "Company Name": "Brodo Inc",
            "Phone Number": "(312) 555-0143",
            "Mobile Phone Number": "312 555 0199",
            "Email": "jim@brodo.com",
            "Lead Status": "Attempted to contact",
            "Create Date": "03/05/2024 2:22 PM",
            "Country": "United States",
            "Lifecycle Stage": "lead",
        }
    )
    assert isinstance(lead, LeadRow)
    assert lead.name == "Jim Brodo"
    assert lead.phone == "+13125550143"
    assert lead.phone_timezone == "America/Chicago"
    assert lead.status is LeadStatus.WORKING
    assert lead.created_at == datetime(2024, 3, 5, 19, 22, tzinfo=UTC)  # 14:22 New York
    assert lead.extra == {
        "Mobile Phone Number": "312 555 0199",
        "Lifecycle Stage": "lead",
        "Country": "United States",
    }


def test_salesforce_rating_and_status_words() -> None:
    lead = validate({"Name": "A B", "Rating": "Hot", "Lead Status": "Closed - Not Converted"})
    assert isinstance(lead, LeadRow)
    assert (lead.temperature, lead.status) == (Temperature.HOT, LeadStatus.DISQUALIFIED)


def test_every_problem_is_named_by_line_and_column() -> None:
    problems = validate(
        {
            "Name": "X",
            "Phone": "12",
            "Email": "not-an-email",
            "Rating": "tepid",
            "Lead Status": "Pondering",
            "Create Date": "yesterday-ish",
            "Time Zone": "Mars/Olympus",
        },
        line=7,
    )
    assert isinstance(problems, list)
    assert [str(p).split(":")[0] for p in problems] == [
        "line 7, column Time Zone",
        "line 7, column Phone",
        "line 7, column Email",
        "line 7, column Rating",
        "line 7, column Lead Status",
        "line 7, column Create Date",
    ]


def test_a_row_without_a_name_is_refused() -> None:
    problems = validate({"First Name": "", "Last Name": "", "Email": "a@b.co"})
    assert [str(p) for p in problems] == [  # type: ignore[union-attr]
        "line 2, column First Name: no name (a Name, or First Name and Last Name, is required)"
    ]


def test_long_cells_long_names_refused_long_notes_kept() -> None:
    long = "x" * 10_000
    problems = validate({"Name": long})
    assert isinstance(problems, list)
    assert "10000 characters (at most 200)" in str(problems[0])
    lead = validate({"Name": "A", "Notes": long, "Website": long})
    assert isinstance(lead, LeadRow)
    assert lead.notes == long and lead.extra["Website"] == long


def test_status_rule_for_rows_without_a_create_date() -> None:
    dated = validate({"Name": "A", "Create Date": "2024-01-02"})
    undated = validate({"Name": "A"})
    undated_new = validate({"Name": "A", "Status": "Open"})
    assert isinstance(dated, LeadRow) and dated.lead_status() is LeadStatus.NEW
    assert isinstance(undated, LeadRow) and undated.lead_status() is LeadStatus.WORKING
    assert isinstance(undated_new, LeadRow) and undated_new.lead_status() is LeadStatus.NEW


def test_future_create_date_is_refused() -> None:
    problems = validate({"Name": "A", "Create Date": "2031-01-01"})
    assert isinstance(problems, list) and "in the future" in str(problems[0])


def test_formula_cells_are_restored_and_text_cleaned() -> None:
    lead = validate({"Name": "'=HYPERLINK(1)", "Company": "Wipe\x1b[2Jout", "Notes": "'-item"})
    assert isinstance(lead, LeadRow)
    assert lead.name == "=HYPERLINK(1)"
    assert "\x1b" not in lead.company and lead.company.startswith("Wipe")
    assert lead.notes == "-item"


@given(st.text())
def test_restore_undoes_neutralize(text: str) -> None:
    cell = neutralize_cell(text)
    assert restore_cell(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.text())
def test_neutralize_leaves_safe_text_alone(text: str) -> None:
    if not text.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert neutralize_cell(text) == text


def test_nicknames() -> None:
    pairs = [("jim", "james"), ("bob", "robert"), ("bill", "william"), ("liz", "elizabeth")]
    for nick, formal in pairs:
        assert is_nickname_pair(nick, formal) and not is_nickname_pair(formal, formal)


def test_dedupe_verdicts() -> None:
    jim = match_keys("Jim Brodo", "Brodo Inc", "+12125550143", "")
    james = match_keys("James Brodo", "Brodo, Inc.", "", "")
    switchboard = match_keys("Mary Smith", "Brodo Inc", "+12125550143", "")
    same_email = match_keys("Someone Else", "", "", "JIM@brodo.com")
    jim_mail = match_keys("Jim Brodo", "", "", "jim@brodo.com")
    same_phone = match_keys("James Brodo", "Other", "+12125550143", "")
    assert compare(jim, james).verdict is Verdict.REVIEW  # type: ignore[union-attr]
    assert "nickname James/Jim" in compare(jim, james).reason  # type: ignore[union-attr]
    assert compare(jim, switchboard).verdict is Verdict.REVIEW  # type: ignore[union-attr]
    # a shared mailbox (office@) is no proof of one person: reported, never merged
    shared = compare(same_email, jim_mail)
    assert shared is not None and shared.verdict is Verdict.REVIEW
    assert shared.reason == "same email, different names (a shared mailbox?)"
    jim_mail_phone = match_keys("Jim Brodo", "", "+12125550143", "jim@brodo.com")
    other_phone = match_keys("James Brodo", "", "+13125550100", "jim@brodo.com")
    assert compare(jim_mail_phone, other_phone).verdict is Verdict.REVIEW  # type: ignore[union-attr]
    assert "different phones" in compare(jim_mail_phone, other_phone).reason  # type: ignore[union-attr]
    assert compare(match_keys("James Brodo", "", "", "JIM@brodo.com"), jim_mail).verdict is (  # type: ignore[union-attr]
        Verdict.MERGE
    )
    assert compare(jim, same_phone).verdict is Verdict.MERGE  # type: ignore[union-attr]
    assert compare(jim, match_keys("Ann Lee", "Globex", "", "")) is None


PEOPLE = st.builds(
    match_keys,
    st.sampled_from(["Jim Brodo", "James Brodo", "Bob Smith", "Robert Smith", "Ann Lee", "X"]),
    st.sampled_from(["Brodo Inc", "Brodo", "Globex", ""]),
    st.sampled_from(["", "+12125550143", "+13125550100"]),
    st.sampled_from(["", "a@x.co", "b@x.co"]),
)


@given(PEOPLE, PEOPLE)
def test_compare_is_symmetric_and_bounded(a, b) -> None:  # type: ignore[no-untyped-def]
    one, two = compare(a, b), compare(b, a)
    assert (one is None) == (two is None)
    if one and two:
        assert (one.score, one.verdict) == (two.score, two.verdict)
        assert 0 <= one.score <= 100
        if one.verdict is Verdict.MERGE:
            assert (a.email and a.email == b.email) or (a.phone and a.phone == b.phone)
            assert same_person(a, b)  # names agree (equal, nicknames or NAME_MATCH alike)
            assert not (a.phone and b.phone and a.phone != b.phone)  # phones do not differ


@given(st.lists(PEOPLE, max_size=12))
def test_blocking_finds_every_pair_that_shares_a_block(people) -> None:  # type: ignore[no-untyped-def]
    found = {(a, b) for a, b, _ in find_pairs(enumerate(people))}
    for i, a in enumerate(people):
        for j in range(i + 1, len(people)):
            b = people[j]
            shares = set(block_keys(a)) & set(block_keys(b))
            expected = shares and compare(a, b) is not None
            assert ((i, j) in found) == bool(expected)


def test_index_puts_merges_first() -> None:
    index = DuplicateIndex()
    index.add(1, match_keys("James Brodo", "Brodo", "", ""))
    index.add(2, match_keys("Jim Brodo", "Brodo", "", "jim@brodo.com"))
    found = index.matches(match_keys("Jimmy Brodo", "Brodo", "", "jim@brodo.com"))
    assert [ref for ref, _ in found] == [2, 1]


@given(
    st.dictionaries(st.sampled_from(["company", "title", "email", "notes"]), st.text(max_size=5)),
    st.dictionaries(st.sampled_from(["company", "title", "email", "notes"]), st.text(max_size=5)),
)
def test_merge_fields_never_overwrites(into, other) -> None:  # type: ignore[no-untyped-def]
    changes = merge_fields(into, other)
    for name, value in changes.items():
        if name == "other_emails":  # a differing email is kept, not dropped
            assert value == [other["email"]] and into.get("email")
            assert other["email"].casefold() != into["email"].casefold()
        elif name == "notes":
            assert value.startswith(into.get("notes", "").rstrip()) or not into.get("notes")
        else:
            assert not into.get(name) and value == other[name]
