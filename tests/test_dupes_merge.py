"""`callblock dupes`, `merge` and `leads`: the JSON contract and what a merge keeps."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import LeadStatus
from callblock.services import ServiceError, dialing, queue
from callblock.services.dupes import find_duplicates, merge_leads
from callblock.services.lead_search import list_leads
from callblock.services.leads import save_notes
from callblock.store import Store
from tests.conftest import LeadMaker

NOW = "2026-11-23T19:00:00Z"
LEAD_FIELDS = [
    "lead_id",
    "name",
    "company",
    "title",
    "phone",
    "email",
    "timezone",
    "temperature",
    "status",
    "owner",
    "held_by",
]


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, json.loads(out)


def test_dupes_json_pairs(make_lead: LeadMaker, db_path: Path, capsys) -> None:
    jim = make_lead(name="Jim Brodo", company="Brodo Inc", phone="2125550143")
    james = make_lead(name="James Brodo", company="Brodo, Inc.", phone="3125550100")
    board = make_lead(name="Mary Smith", company="Brodo Inc", phone="2125550143")
    make_lead(name="Ann Lee", company="Globex")
    _, pairs = run(db_path, capsys, "dupes", "--json")
    assert pairs == [
        {
            "lead_id": jim,
            "other_lead_id": james,
            "score": 100,
            "reason": "nickname James/Jim, same company",
            "name": "Jim Brodo",
            "company": "Brodo Inc",
            "other_name": "James Brodo",
            "other_company": "Brodo, Inc.",
        },
        {
            "lead_id": jim,
            "other_lead_id": board,
            "score": 56,
            "reason": "same phone, different names (a switchboard?)",
            "name": "Jim Brodo",
            "company": "Brodo Inc",
            "other_name": "Mary Smith",
            "other_company": "Brodo Inc",
        },
    ]


def test_leads_json_fields_and_search(make_lead: LeadMaker, db_path: Path, capsys) -> None:
    make_lead(name="Ann Lee", company="Globex", email="ann@globex.com", title="CFO")
    jim = make_lead(name="Jim Brodo", company="Brodo Inc", phone="2125550143")
    _, rows = run(db_path, capsys, "leads", "--json")
    assert [list(row) for row in rows] == [LEAD_FIELDS, LEAD_FIELDS]  # type: ignore[union-attr]
    _, rows = run(db_path, capsys, "leads", "--search", "james brod", "--limit", "5", "--json")
    assert rows[0]["lead_id"] == jim  # type: ignore[index]
    _, rows = run(db_path, capsys, "leads", "--search", "555-0143", "--json")
    assert rows[0]["lead_id"] == jim and rows[0]["phone"] == "+12125550143"  # type: ignore[index]


def test_merge_keeps_history_notes_callbacks(
    store: Store, clock: FixedClock, make_lead: LeadMaker, db_path: Path, capsys
) -> None:
    keep = make_lead(name="James Brodo", company="Brodo Inc")
    other = make_lead(name="Jim Brodo", company="Brodo", email="jim@brodo.com")
    save_notes(store, keep, "Uses HubSpot")
    save_notes(store, other, "Has a dog")
    dialing.record_outcome(
        store, clock, rep="bob", lead_id=other, code="no-answer", settings=Settings()
    )
    clock.advance(minutes=5)
    dialing.record_outcome(
        store,
        clock,
        rep="bob",
        lead_id=other,
        code="callback",
        when=clock.now() + timedelta(days=1),
        settings=Settings(),
    )
    merged_phone = store.leads.get_lead(other).phone  # type: ignore[union-attr]
    _, data = run(db_path, capsys, "merge", str(keep), str(other), "--json")
    assert data == {
        "lead_id": keep,
        "other_lead_id": other,
        "moved": {"touches": 2, "callbacks": 1},
        "kept_aside": [
            {"field": "phone", "value": merged_phone},
            {"field": "name", "value": "Jim Brodo"},  # these two in the survivor's notes
            {"field": "company", "value": "Brodo"},
        ],
    }
    survivor = store.leads.get_lead(keep)
    assert survivor is not None
    assert survivor.other_phones == (merged_phone,)  # the merged lead's number is kept too
    assert survivor.attempts == 2 and survivor.email == "jim@brodo.com"
    assert "Uses HubSpot" in survivor.notes and "Has a dog" in survivor.notes
    assert f"merged from lead {other}" in survivor.notes
    assert f"Merged from lead {other}: name Jim Brodo; company Brodo" in survivor.notes
    assert [p.lead_id for p in store.touches.open_promises(keep)] == [keep]
    assert store.leads.merged_into(other) == keep
    (entry,) = store.touches.audit_entries("merge")
    assert entry["detail"]["lead_id"] == keep and entry["detail"]["merged_lead_id"] == other
    assert [lead.id for lead in list_leads(store, search=None, limit=10)] == [keep]
    assert [lead.id for lead in list_leads(store, search="jim brodo", limit=10)] == [keep]
    assert find_duplicates(store) == []


def test_merged_lead_leaves_the_queue(
    store: Store, clock: FixedClock, settings, make_lead: LeadMaker
) -> None:
    keep, other = make_lead(name="A One"), make_lead(name="A Two")
    merge_leads(store, clock, rep="alice", keep=keep, other=other, settings=Settings())
    items = queue.next_leads_for_rep(store, settings, rep="alice", now=clock.now())
    assert [item.lead.id for item in items] == [keep]


def test_do_not_call_survives_a_merge(
    store: Store, clock: FixedClock, make_lead: LeadMaker
) -> None:
    keep, other = make_lead(name="A One"), make_lead(name="A Two")
    dialing.record_outcome(store, clock, rep="bob", lead_id=other, code="dnc", settings=Settings())
    merge_leads(store, clock, rep="alice", keep=keep, other=other, settings=Settings())
    assert store.leads.get_lead(keep).status is LeadStatus.DNC  # type: ignore[union-attr]


def test_merge_refusals(store: Store, clock: FixedClock, make_lead: LeadMaker) -> None:
    keep, other, third = make_lead(), make_lead(), make_lead()
    with pytest.raises(ServiceError, match="into itself"):
        merge_leads(store, clock, rep="a", keep=keep, other=keep, settings=Settings())
    with pytest.raises(ServiceError, match="no lead with id 999"):
        merge_leads(store, clock, rep="a", keep=keep, other=999, settings=Settings())
    merge_leads(store, clock, rep="a", keep=keep, other=other, settings=Settings())
    with pytest.raises(ServiceError, match=f"already merged into lead {keep}"):
        merge_leads(store, clock, rep="a", keep=third, other=other, settings=Settings())


def test_merge_cli_error_is_one_line(db_path: Path, capsys) -> None:
    code = main(["--db", str(db_path), "--now", NOW, "merge", "1", "2"])
    _, err = capsys.readouterr()
    assert code == 1 and err == "callblock: error: lead: no lead with id 1\n"
