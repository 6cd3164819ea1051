"""Imports never lose a person or a value: a shared email alone never merges two people, and a
merged row's other phone or email is kept on the lead and listed in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callblock.domain.models import Lead
from callblock.screens.lead import LeadScreen
from callblock.store import Store
from callblock.widgets.lead_card import LeadCard
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE, power_hour, shown
from tests.screen_text import screen_text, widget_text
from tests.test_importer import leads, run, write


def imported(db: Path, tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    code, out, err = run(db, "import", str(write(tmp_path, text)), "--json", capsys=capsys)
    assert code == 0, err
    return json.loads(out)


def lead_list(db: Path) -> list[Lead]:
    return [row["lead"] for row in leads(db)]  # type: ignore[misc]


def test_a_shared_mailbox_keeps_both_people(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    first = "Name,Company,Phone,Email\nAnn Lee,Acme,+1 212 555 0101,office@acme.com\n"
    imported(db, tmp_path, first, capsys)
    second = "Name,Company,Phone,Email\nBob Stone,Acme,+1 212 555 0199,Office@acme.com\n"
    report = imported(db, tmp_path, second, capsys)
    assert (report["imported"], report["merged"]) == (1, 0)
    (review,) = report["reviews"]
    assert set(review) == {"line", "other", "score", "reason"}  # the JSON contract
    assert review["line"] == 2 and review["other"] == "lead 1" and 50 <= review["score"] <= 70
    assert review["reason"] == "same email, different names (a shared mailbox?)"
    people = {(lead.name, lead.phone) for lead in lead_list(db)}
    assert people == {("Ann Lee", "+12125550101"), ("Bob Stone", "+12125550199")}
    # and the same within one file
    both = (
        "Name,Phone,Email\nCy Wu,+1 212 555 0102,info@x.com\nDee Ray,+1 212 555 0103,info@x.com\n"
    )
    report = imported(tmp_path / "two.db", tmp_path, both, capsys)
    assert report["imported"] == 2 and report["reviews"][0]["other"] == "line 2"


def test_same_email_and_name_with_another_phone_is_reviewed(tmp_path: Path, capsys) -> None:
    text = "Name,Phone,Email\nJim Brodo,+1 212 555 0143,jim@b.com\n"
    text += "Jim Brodo,+1 312 555 0100,jim@b.com\n"
    report = imported(tmp_path / "cb.db", tmp_path, text, capsys)
    assert report["imported"] == 2 and "different phones" in report["reviews"][0]["reason"]


def test_a_merged_rows_other_email_and_phone_are_kept_and_reported(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    text = (
        "Name,Phone,Email\n"
        "Jim Brodo,(212) 555-0143,jim@brodo.com\n"
        "James Brodo,212.555.0143,james@brodo.com\n"  # same phone, nickname: one person
    )
    report = imported(db, tmp_path, text, capsys)
    assert (report["imported"], report["merged"]) == (1, 1)
    assert report["kept_aside"] == [
        {"line": 3, "into": "line 2", "field": "email", "value": "james@brodo.com"},
        {"line": 3, "into": "line 2", "field": "name", "value": "James Brodo"},  # in the notes
    ]
    (lead,) = lead_list(db)
    assert lead.email == "jim@brodo.com" and lead.other_emails == ("james@brodo.com",)
    # into a lead already stored, and told in the text report too
    more = "Name,Phone,Email\nJim Brodo,+1 212 555 0143,jbrodo@gmail.com\n"
    code, out, _ = run(db, "import", str(write(tmp_path, more)), capsys=capsys)
    assert code == 0
    assert "kept: line 2 -> lead 1: email jbrodo@gmail.com kept as another email" in out
    (lead,) = lead_list(db)
    assert lead.other_emails == ("james@brodo.com", "jbrodo@gmail.com")
    # importing the same rows again keeps nothing twice
    report = imported(db, tmp_path, text, capsys)
    assert report["kept_aside"] == [] and lead_list(db)[0].other_emails == lead.other_emails


def test_a_lead_id_row_with_a_new_number_keeps_the_old_one(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    imported(db, tmp_path, "Name,Phone,Email\nAnn Lee,+1 212 555 0101,ann@acme.com\n", capsys)
    again = "lead_id,name,phone,email\n1,Ann Lee,+1 212 555 0177,ann@acme.com\n"
    report = imported(db, tmp_path, again, capsys)
    assert report["merged"] == 1 and report["kept_aside"] == [
        {"line": 2, "into": "lead 1", "field": "phone", "value": "+12125550177"}
    ]
    (lead,) = lead_list(db)
    assert (lead.phone, lead.other_phones) == ("+12125550101", ("+12125550177",))


def test_a_lead_id_row_of_another_person_is_not_merged(tmp_path: Path, capsys) -> None:
    """An export of another database: its lead 1 is not this database's lead 1 when the names
    say another person, even with the same (shared) email."""
    db = tmp_path / "cb.db"
    imported(db, tmp_path, "Name,Phone,Email\nAnn Lee,+1 212 555 0101,office@acme.com\n", capsys)
    other = "lead_id,name,phone,email\n1,Bob Stone,+1 212 555 0199,office@acme.com\n"
    report = imported(db, tmp_path, other, capsys)
    assert (report["imported"], report["merged"]) == (1, 0) and report["reviews"]
    assert [lead.name for lead in lead_list(db)] == ["Ann Lee", "Bob Stone"]


def test_other_phones_and_emails_columns_are_read_and_checked(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    text = (
        "Name,Phone,Email,Other Phone,Additional Email Addresses\n"
        'Ann Lee,+1 212 555 0101,ann@acme.com,"(212) 555-0102; +1 212 555 0101",'
        '"ann.lee@home.com;ANN@acme.com"\n'
    )
    imported(db, tmp_path, text, capsys)
    (lead,) = lead_list(db)
    assert lead.other_phones == ("+12125550102",) and lead.other_emails == ("ann.lee@home.com",)
    bad = "Name,Other Phones,Other Emails\nBob,12,bob@x.com;notanemail\n"
    code, _, err = run(tmp_path / "bad.db", "import", str(write(tmp_path, bad)), capsys=capsys)
    assert code == 1
    assert "line 2, column Other Phones: '12' is not a valid phone number" in err
    assert "line 2, column Other Emails: 'notanemail' is not an email address" in err


async def test_the_card_and_the_lead_screen_show_the_other_ones(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Ann Lee", email="ann@acme.com")
    with store.transaction():
        store.leads.update_lead_fields(
            lead_id, {"other_phones": ["+13125550100"], "other_emails": ["ann@home.com"]}
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        card = widget_text(app, power_hour(app).query_one(LeadCard))
        assert "other phones: +13125550100" in card and "other emails: ann@home.com" in card
        await app.push_screen(LeadScreen(lead_id))
        await pilot.pause()
        text = screen_text(app)
        assert "other phones: +13125550100" in text and "other emails: ann@home.com" in text
