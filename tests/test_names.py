"""Issue 11, lead name fields: first and last name parsed from the name (nameparser, with a
shortcut for plain names), kept as given or corrected; pronunciation and interest on add, edit,
import (CRM columns), export, merge, the demo and the cards; the backfill of older leads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nameparser import HumanName
from nameparser.config import CONSTANTS

from callblock.app import CallblockApp
from callblock.cli.main import main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.names import _parsed, given_parts, name_parts
from callblock.screens.lead import LeadScreen
from callblock.services.dupes import merge_leads
from callblock.services.exports import LEAD_FIELDS, lead_records
from callblock.services.importer import ImportOptions, import_csv
from callblock.services.lead_edit import update_lead
from callblock.store import Store
from callblock.store.name_backfill import backfill_name_parts
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE, card
from tests.screen_text import assert_screen_safe, screen_text


def parts(store: Store, lead_id: int) -> tuple[str, str, str, str]:
    lead = store.leads.get_lead(lead_id)
    assert lead is not None
    return lead.first_name, lead.last_name, lead.pronunciation, lead.interest


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jim Brodo", ("Jim", "Brodo")),
        ("Brodo, Jim", ("Jim", "Brodo")),
        ("Dr. James T. Brodo Jr.", ("James", "Brodo")),
        ("Ms. Jane Doe, PhD", ("Jane", "Doe")),
        ('Jim "Jimbo" Brodo', ("Jim", "Brodo")),
        ("Mary Ann Smith", ("Mary", "Smith")),
        ("Jim Van Brodo", ("Jim", "Van Brodo")),
        ("Dr. Brodo", ("", "Brodo")),  # no first name: a template must fall back or refuse
        ("Judge Judy", ("", "Judy")),  # a title, not a first name
        ("José Núñez", ("José", "Núñez")),
        ("  ", ("", "")),
        ("Jim\x1b[2J Brodo", ("Jim\ufffd[2J", "Brodo")),  # cleaned, never a control character
    ],
)
def test_name_parts(name: str, expected: tuple[str, str]) -> None:
    assert name_parts(name) == expected


_SPECIAL = sorted(
    {
        word.capitalize()
        for group in (
            CONSTANTS.titles,
            CONSTANTS.first_name_titles,
            CONSTANTS.suffix_not_acronyms,
            CONSTANTS.suffix_acronyms,
            CONSTANTS.prefixes,
            CONSTANTS.conjunctions,
            CONSTANTS.bound_first_names,
            CONSTANTS.non_first_name_prefixes,
        )
        for word in group
        if word.isalpha()
    }
)
_WORDS = st.sampled_from([*_SPECIAL, "Jim", "Brodo", "Li", "Xi", "Ivanovich", "Petrovna", "Ann"])
_ANY_WORD = _WORDS | st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(_ANY_WORD, _ANY_WORD)
def test_the_plain_name_shortcut_agrees_with_nameparser(first: str, last: str) -> None:
    name = f"{first} {last}"
    parsed = HumanName(name)
    assert name_parts(name) == (parsed.first, parsed.last) == _parsed(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_name_gives_clean_parts(name: str) -> None:
    for part in name_parts(name):
        assert part == part.strip()
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in part)


def test_given_parts_keep_what_is_given() -> None:
    assert given_parts("Jim Brodo", "Jimmy", "") == {"first_name": "Jimmy", "last_name": "Brodo"}
    assert given_parts("x y", "Jim", "van Brodo") == {"first_name": "Jim", "last_name": "van Brodo"}


def test_nameparser_stays_off_the_first_frame_path() -> None:
    """Importing the app, its screens and the services a first frame uses costs no nameparser
    (~25-35 ms): it is imported on the first name parsed."""
    code = (
        "import sys, callblock.app, callblock.screens.power_hour, callblock.screens.week, "
        "callblock.services.leads, callblock.services.lead_edit, callblock.domain.import_rows; "
        "print('nameparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_add_parses_and_keeps_what_is_given(store: Store, make_lead: LeadMaker) -> None:
    parsed = make_lead(name="Dr. James T. Brodo Jr.", pronunciation="BROH-doh")
    assert parts(store, parsed) == ("James", "Brodo", "BROH-doh", "")
    given_id = make_lead(name="Jim Brodo", first_name="Jimbo", interest="the pricing guide")
    assert parts(store, given_id) == ("Jimbo", "Brodo", "", "the pricing guide")


def test_cli_add_takes_the_four_fields(db_path: Path, store: Store, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["--db", str(db_path), "add", "--json", "--name", "Brodo, Jim", "--company", "B"]
    args += ["--phone", "+12125550143", "--pronunciation", "BROH-doh"]
    args += ["--interest", "ROI calculator", "--last-name", "Brodo-Baggins"]
    assert main(args) == 0
    lead_id = json.loads(capsys.readouterr().out)["lead_id"]
    assert parts(store, lead_id) == ("Jim", "Brodo-Baggins", "BROH-doh", "ROI calculator")
    args = ["--db", str(db_path), "add", "--name", "A B", "--company", "B", "--phone"]
    assert main([*args, "+12125550144", "--first-name", "x" * 300]) != 0
    assert "first_name" in capsys.readouterr().err


def test_a_new_name_reparses_unless_a_rep_corrected_the_parts(
    store: Store, make_lead: LeadMaker, settings: Settings
) -> None:
    lead_id = make_lead(name="Jim Brodo")
    update_lead(store, lead_id, {"name": "James Brodeaux"}, settings=settings)
    assert parts(store, lead_id)[:2] == ("James", "Brodeaux")
    # the form sends every field: the unchanged parts do not count as a correction
    form = {"name": "Dr. Jim Brodo", "first_name": "James", "last_name": "Brodeaux"}
    update_lead(store, lead_id, form, settings=settings)
    assert parts(store, lead_id)[:2] == ("Jim", "Brodo")
    update_lead(
        store, lead_id, {"first_name": "Jimbo", "pronunciation": "BROH-doh"}, settings=settings
    )
    assert parts(store, lead_id)[:3] == ("Jimbo", "Brodo", "BROH-doh")
    update_lead(store, lead_id, {"name": "Jim Brodo-Smith"}, settings=settings)
    assert parts(store, lead_id)[:2] == ("Jimbo", "Brodo")  # the correction outlives it
    # a new name and new parts in one edit: the parts given win
    update_lead(
        store, lead_id, {"name": "Ann Lee", "first_name": "Annie", "last_name": "Lee"},
        settings=settings,
    )  # fmt: skip
    assert parts(store, lead_id)[:2] == ("Annie", "Lee")


def _import(store: Store, clock: FixedClock, settings: Settings, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    report = import_csv(store, clock, path, ImportOptions(settings=settings))
    assert report.committed and not report.problems, report.problems


def test_import_keeps_a_first_last_pair_and_maps_crm_interest(
    tmp_path: Path, store: Store, clock: FixedClock, settings: Settings
) -> None:
    text = "First Name,Last Name,Phone,Lead Source,Pronunciation\n"
    text += "Jim-Bob,van Brodo,+12125550143,Webinar: cold calls,BROH-doh\n"
    text += "Mary Ann,Smith,+12125550144,,\n"
    _import(store, clock, settings, tmp_path / "a.csv", text)
    assert parts(store, 1) == ("Jim-Bob", "van Brodo", "BROH-doh", "Webinar: cold calls")
    assert store.leads.get_lead(1).name == "Jim-Bob van Brodo"  # type: ignore[union-attr]
    assert store.leads.lead_extra(1) == {}  # "Lead Source" is the interest, not an extra field
    assert parts(store, 2)[:2] == ("Mary Ann", "Smith")  # as given, not re-parsed
    text = "Name,Phone,Recent Conversion\nDr. Ann Lee PhD,+12125550145,Pricing guide\n"
    _import(store, clock, settings, tmp_path / "b.csv", text)
    assert parts(store, 3) == ("Ann", "Lee", "", "Pricing guide")


def test_export_carries_the_four_fields_and_imports_back(
    tmp_path: Path, store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Jim Brodo", first_name="Jimbo", pronunciation="BROH-doh")
    [record] = lead_records(store, None, None)
    assert LEAD_FIELDS[-4:] == ("first_name", "last_name", "pronunciation", "interest")
    assert [record[f] for f in LEAD_FIELDS[-4:]] == ["Jimbo", "Brodo", "BROH-doh", ""]
    header = ",".join(LEAD_FIELDS[-4:])
    text = f"name,phone,{header}\nAnn Lee,+12125550199,Annie,Lee,AN-ee,Demo request\n"
    _import(store, clock, settings, tmp_path / "back.csv", text)
    assert parts(store, lead_id + 1) == ("Annie", "Lee", "AN-ee", "Demo request")


def test_a_merge_fills_empty_fields_and_notes_a_differing_interest(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    kept = make_lead(name="Jim Brodo", interest="the pricing guide")
    other = make_lead(name="Jim Brodo", pronunciation="BROH-doh", interest="a demo request")
    merge_leads(store, clock, rep="alice", keep=kept, other=other, settings=settings)
    lead = store.leads.get_lead(kept)
    assert lead is not None
    assert (lead.pronunciation, lead.interest) == ("BROH-doh", "the pricing guide")
    assert "interest a demo request" in lead.notes


def test_backfill_parses_older_leads_and_leaves_set_ones(
    store: Store, make_lead: LeadMaker
) -> None:
    old = make_lead(name="Brodo, Jim")
    kept = make_lead(name="Ann Lee", first_name="Annie")
    with store.transaction():
        store.leads.update_lead_fields(old, {"first_name": "", "last_name": ""})
    backfill_name_parts(store.conn)
    assert parts(store, old)[:2] == ("Jim", "Brodo")
    assert parts(store, kept)[:2] == ("Annie", "Lee")


async def test_pronunciation_shows_by_the_name_on_both_cards(
    make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Jim Brodo", pronunciation="BROH-doh [b]", interest="ROI [x]\x1b[2J")
    app: CallblockApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Jim Brodo (BROH-doh [b])" in card(app)  # the power hour's card, as plain text
        await app.push_screen(LeadScreen(lead_id))
        await pilot.pause()
        text = screen_text(app)
        assert "Jim Brodo (BROH-doh [b])" in text and "interest: ROI [x]\ufffd[2J" in text
        assert_screen_safe(app)
