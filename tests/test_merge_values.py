"""A merge never drops a differing value silently (a title, a company, a name variant, ...: kept
as a "Merged from ..." line in the lead's notes and listed), and never makes notes longer than
NOTE_MAX (an import row stays a separate lead, reported for review; `merge` is refused)."""

from __future__ import annotations

import json
from pathlib import Path

from callblock.cli import main
from callblock.domain.text import NOTE_MAX
from callblock.screens.lead import LeadScreen
from callblock.services.leads import save_notes
from callblock.store import Store
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text
from tests.test_import_merges import imported, lead_list
from tests.test_import_roundtrip import CLOCK, OPTIONS, export_csv, snapshot
from tests.test_importer import leads, run, write


def sixty_titles() -> str:
    rows = [f"Ann Lee,T{i},Acme,+1 212 555 0101\n" for i in range(60)]
    rows.append("Ann Lee,  t0 ,ACME,+1 212 555 0101\n")  # equal after case and spaces: no note
    rows.append("ann  lee,T0,Acme Corp,+1 212 555 0101\n")  # another company
    return "Name,Title,Company,Phone\n" + "".join(rows)


def test_sixty_titles_are_kept_in_the_notes_and_listed(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    report = imported(db, tmp_path, sixty_titles(), capsys)
    assert (report["imported"], report["merged"]) == (1, 61)
    (lead,) = lead_list(db)
    assert (lead.title, lead.company) == ("T0", "Acme")
    kept = report["kept_aside"]
    assert kept[:2] == [
        {"line": 3, "into": "line 2", "field": "title", "value": "T1"},
        {"line": 4, "into": "line 2", "field": "title", "value": "T2"},
    ]
    assert kept[-1] == {"line": 63, "into": "line 2", "field": "company", "value": "Acme Corp"}
    assert len(kept) == 60  # 59 titles and one company; line 62 and the name case: nothing
    for i in range(1, 60):
        assert f"Merged from import line {i + 2}: title T{i}\n" in lead.notes + "\n"
    assert "Merged from import line 63: company Acme Corp" in lead.notes
    assert "line 62" not in lead.notes and "name" not in lead.notes
    # the text report names them too
    code, out, _ = run(
        tmp_path / "text.db", "import", str(write(tmp_path, sixty_titles())), capsys=capsys
    )
    assert code == 0 and "kept: line 3 -> line 2: title T1 kept in its notes" in out
    # importing the same file again notes nothing twice
    again = imported(db, tmp_path, sixty_titles(), capsys)
    assert again["kept_aside"] == [] and lead_list(db)[0].notes == lead.notes


def test_a_row_merged_into_a_stored_lead_keeps_its_other_values(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    first = "Name,Title,Company,Phone,Owner,Time Zone\n"
    imported(
        db, tmp_path, first + "Jim Brodo,CEO,Brodo,+1 212 555 0143,alice,America/Chicago\n", capsys
    )
    second = "Name,Title,Company,Phone,Owner,Time Zone,Temperature,Lead Source,Industry\n"
    second += "James Brodo,VP Sales,Brodo Inc,+1 212 555 0143,bob,America/Denver,hot,Web,Media\n"
    report = imported(db, tmp_path, second, capsys)
    assert report["merged"] == 1
    assert [(k["field"], k["value"]) for k in report["kept_aside"]] == [
        ("name", "James Brodo"),
        ("title", "VP Sales"),
        ("company", "Brodo Inc"),
        ("owner", "bob"),
        ("timezone", "America/Denver"),
        ("temperature", "hot"),
    ]
    (lead,) = lead_list(db)
    assert (lead.name, lead.title, lead.owner, lead.temperature.value) == (
        "Jim Brodo",
        "CEO",
        "alice",
        "warm",
    )
    assert lead.notes.endswith(
        "Merged from import line 2: name James Brodo; title VP Sales; company Brodo Inc; "
        "owner bob; timezone America/Denver; temperature hot"
    )
    assert leads(db)[0]["extra"] == {"Industry": "Media"}  # an empty extra field is filled
    assert lead.interest == "Web"  # so is an empty interest (from "Lead Source")


def test_a_row_without_a_temperature_notes_none(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    imported(db, tmp_path, "Name,Phone,Temperature\nAnn Lee,+1 212 555 0101,hot\n", capsys)
    report = imported(db, tmp_path, "Name,Phone\nAnn Lee,+1 212 555 0101\n", capsys)
    assert report["merged"] == 1 and report["kept_aside"] == []


def test_differing_extra_and_fit_values_are_kept(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    head = "Name,Phone,HubSpot ID,fit\n"
    imported(db, tmp_path, head + 'Ann Lee,+1 212 555 0101,123,"{""company_size"": 3}"\n', capsys)
    report = imported(
        db, tmp_path, head + 'Ann Lee,+1 212 555 0101,456,"{""company_size"": 1}"\n', capsys
    )
    assert [(k["field"], k["value"]) for k in report["kept_aside"]] == [
        ("fit company_size", "1"),
        ("extra HubSpot ID", "456"),
    ]
    (row,) = leads(db)
    assert row["extra"] == {"HubSpot ID": "123"} and row["lead"].fit == {"company_size": 3}  # type: ignore[union-attr]
    assert (
        "Merged from import line 2: fit company_size 1; extra HubSpot ID 456" in row["lead"].notes
    )  # type: ignore[union-attr]


def test_a_do_not_call_row_wins_over_a_stored_lead(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    imported(db, tmp_path, "Name,Phone,Status\nAnn Lee,+1 212 555 0101,working\n", capsys)
    imported(db, tmp_path, "Name,Phone,Status\nAnn Lee,+1 212 555 0101,do-not-call\n", capsys)
    assert lead_list(db)[0].status.value == "do-not-call"


def test_merge_command_keeps_the_other_leads_values(
    store: Store, make_lead: LeadMaker, db_path: Path, capsys
) -> None:
    keep = make_lead(name="James Brodo", company="Acme", title="CEO", phone="2125550143")
    other = make_lead(name="Jim Brodo", company="Acme Corp", title="VP Sales", phone="2125550143")
    code = main(["--db", str(db_path), "--rep", "alice", "merge", str(keep), str(other), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["kept_aside"] == [
        {"field": "name", "value": "Jim Brodo"},
        {"field": "title", "value": "VP Sales"},
        {"field": "company", "value": "Acme Corp"},
    ]
    survivor = store.leads.get_lead(keep)
    assert survivor is not None and (survivor.title, survivor.company) == ("CEO", "Acme")
    assert survivor.notes.endswith(
        f"Merged from lead {other}: name Jim Brodo; title VP Sales; company Acme Corp"
    )
    # text output says where each went
    third = make_lead(name="Jim Brodo", company="Acme", title="CTO", phone="2125550143")
    code = main(["--db", str(db_path), "--rep", "alice", "merge", str(keep), str(third)])
    out, _ = capsys.readouterr()
    assert code == 0 and "kept title CTO in its notes" in out


LONG = 19_000


def long_notes_rows(letters: str = "abc") -> str:
    rows = [f"Ann Lee,+1 212 555 0101,{letter * LONG}\n" for letter in letters]
    return "Name,Phone,Notes\n" + "".join(rows)


def test_an_import_merge_past_the_notes_limit_keeps_a_separate_lead(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    report = imported(db, tmp_path, long_notes_rows(), capsys)
    assert (report["imported"], report["merged"]) == (3, 0)
    reasons = [(r["line"], r["other"], r["reason"]) for r in report["reviews"]]
    assert reasons == [
        (
            3,
            "line 2",
            "same phone, same name; not merged: the notes together would be "
            "38,002 characters (at most 20,000)",
        ),
        (
            4,
            "line 2",
            "same phone, same name; not merged: the notes together would be "
            "38,002 characters (at most 20,000)",
        ),
    ]
    assert [len(lead.notes) for lead in lead_list(db)] == [LONG, LONG, LONG]
    # into a stored lead too, and told in the text report
    code, out, _ = run(db, "import", str(write(tmp_path, long_notes_rows("d"))), capsys=capsys)
    assert code == 0 and "imported 1 new lead;" in out
    assert "review: line 2 may duplicate lead 1: same phone, same name; not merged" in out
    assert all(len(lead.notes) <= NOTE_MAX for lead in lead_list(db))


def test_long_notes_survive_export_and_import(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    imported(db, tmp_path, long_notes_rows(), capsys)
    store = Store.open(db)
    try:
        export_csv(store, tmp_path / "export.csv")
        before = snapshot(store)
    finally:
        store.close()
    for target in (db, tmp_path / "fresh.db"):  # back into itself, and into a new database
        store = Store.open(target)
        try:
            from callblock.services.importer import import_csv

            report = import_csv(store, CLOCK, tmp_path / "export.csv", OPTIONS)
            assert report.committed and not report.problems
            assert snapshot(store) == before
        finally:
            store.close()


def test_merge_command_past_the_notes_limit_is_refused(
    store: Store, make_lead: LeadMaker, db_path: Path, capsys
) -> None:
    keep = make_lead(name="Ann Lee", company="Acme")
    other = make_lead(name="Ann Lee", company="Acme")
    save_notes(store, keep, "a" * LONG)
    save_notes(store, other, "b" * LONG)
    code = main(["--db", str(db_path), "--rep", "alice", "merge", str(keep), str(other)])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == (
        f"callblock: error: merge: lead {keep}'s and lead {other}'s notes together would be "
        "38,032 characters (at most 20,000); shorten either lead's notes first\n"
    )
    assert store.leads.merged_into(other) is None
    assert store.leads.get_lead(keep).notes == "a" * LONG  # type: ignore[union-attr]
    assert store.leads.get_lead(other).notes == "b" * LONG  # type: ignore[union-attr]


async def test_the_lead_screens_merge_keeps_values_and_refuses_long_notes(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    same = {"name": "Ann Lee", "company": "Acme", "phone": "2125550101"}
    keep = make_lead(**same, title="CEO")
    long_one = make_lead(**same)
    other = make_lead(**same, title="VP")
    save_notes(store, keep, "a" * LONG)
    save_notes(store, long_one, "b" * LONG)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(keep))

        async def merge_by_id(lead_id: int) -> None:
            # m offers the likely duplicates (both are); the last choice takes an id
            await pilot.press("m")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("end", "enter", *str(lead_id), "enter", "y")
            await pilot.pause()

        await merge_by_id(long_one)
        assert store.leads.merged_into(long_one) is None
        assert "notes together would be" in " ".join(screen_text(app).split())
        await merge_by_id(other)
        assert store.leads.merged_into(other) == keep
        assert "kept title VP in its notes" in " ".join(screen_text(app).split())
    survivor = store.leads.get_lead(keep)
    assert survivor is not None and survivor.title == "CEO"
    assert survivor.notes.endswith(f"Merged from lead {other}: title VP")
