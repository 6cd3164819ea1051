"""The calling region: from the lead's record (an imported State/Country, the lead form, `add
--region`) when it has one, else from its phone number. Florida's window (08:00-20:00, 3 calls
a day) follows a Florida resident whatever number they have."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from callblock.clock import FixedClock, parse_iso
from callblock.config import Settings
from callblock.domain.regions import RegionError, record_region
from callblock.services import ServiceError, dialing, queue
from callblock.services.lead_edit import call_now_problem, edit_values, update_lead
from callblock.store import Store
from tests.conftest import LeadMaker

# 20:30 in New York (and Miami): inside the federal window, outside Florida's.
EVENING = parse_iso("2026-11-24T01:30:00Z")


def queued(store: Store, settings: Settings, clock: FixedClock) -> list[int]:
    items = queue.next_leads_for_rep(store, settings, rep="alice", now=clock.now(), limit=50)
    return [item.lead.id for item in items]


@pytest.mark.parametrize(
    ("state", "country", "expected"),
    [
        ("Florida", "", "US-FL"),
        ("fl", "USA", "US-FL"),
        (" FL ", "United States", "US-FL"),
        ("US-FL", "", "US-FL"),
        ("District of Columbia", "", "US-DC"),
        ("", "Germany", "DE"),
        ("", "DEU", "DE"),
        ("", "de", "DE"),
        ("", "UK", "GB"),
        ("", "United Kingdom", "GB"),
        ("Ontario", "Canada", "CA-ON"),
        ("ON", "CA", "CA-ON"),
        ("Somewhere", "Germany", "DE"),  # a province we cannot read: the country's rules
        ("", "", None),
    ],
)
def test_record_region_reads_states_and_countries(
    state: str, country: str, expected: str | None
) -> None:
    assert record_region(state, country) == expected


@pytest.mark.parametrize(
    ("state", "country", "field", "word"),
    [("Flordia", "", "state", "Flordia"), ("", "Atlantis", "country", "Atlantis")],
)
def test_a_region_that_cannot_be_read_is_refused_naming_the_field(
    state: str, country: str, field: str, word: str
) -> None:
    with pytest.raises(RegionError) as caught:
        record_region(state, country)
    assert caught.value.field == field and word in str(caught.value)


def test_a_florida_resident_with_a_new_york_number_gets_floridas_window(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    resident = make_lead(region="Florida")  # +1 212: a New York number
    visitor = make_lead()
    lead = store.leads.get_lead(resident)
    assert lead is not None
    assert (lead.region, lead.region_source, lead.phone_region) == ("US-FL", "record", "US-NY")
    other = store.leads.get_lead(visitor)
    assert other is not None and (other.region, other.region_source) == ("US-NY", "phone")
    clock.set(EVENING)
    # the SQL prefilter (lead_places) and the domain's check both use the record's region
    assert queued(store, settings, clock) == [visitor]
    problem = call_now_problem(store, lead, clock.now(), settings)
    assert problem is not None and "outside calling hours" in problem
    assert call_now_problem(store, other, clock.now(), settings) is None


def test_florida_residents_get_three_calls_a_day_whatever_their_number(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    resident, visitor = make_lead(region="FL"), make_lead()  # both +1 212 (New York)

    def dial(lead_id: int, code: str = "no-answer", **kw: object) -> None:
        dialing.record_outcome(
            store, clock, rep="alice", lead_id=lead_id, code=code, settings=settings, **kw
        )

    for _ in range(3):
        dial(resident)
        dial(visitor)
        clock.advance(minutes=45)
    later = clock.now() + timedelta(hours=1)
    dial(resident, "callback", when=later)
    dial(visitor, "callback", when=later)
    clock.advance(hours=1)
    assert queued(store, settings, clock) == [visitor]  # the resident's 5th call: unlawful
    lead = store.leads.get_lead(resident)
    assert lead is not None
    assert "4 times in 24 hours" in (call_now_problem(store, lead, clock.now(), settings) or "")


def test_the_lead_form_sets_and_clears_the_record_region(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    lead_id = make_lead()
    lead = update_lead(store, lead_id, {"region": "florida"}, settings=settings)
    assert (lead.region, lead.region_source) == ("US-FL", "record")
    assert edit_values(lead)["region"] == "FL"
    clock.set(EVENING)
    assert queued(store, settings, clock) == []  # the queue sees the edit at once
    with pytest.raises(ServiceError, match=r"region: .*'Flordia'"):
        update_lead(store, lead_id, {"region": "Flordia"}, settings=settings)
    lead = update_lead(store, lead_id, {"region": ""}, settings=settings)
    assert (lead.region, lead.region_source) == ("US-NY", "phone")
    assert queued(store, settings, clock) == [lead_id]


def test_a_changed_phone_keeps_the_record_region(
    store: Store, settings: Settings, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(region="Germany")
    lead = update_lead(store, lead_id, {"phone": "+1 305 555 0199"}, settings=settings)
    assert (lead.region, lead.phone_region) == ("DE", "US-FL")


CRM = """\
First Name,Last Name,Company,Phone,Mailing State,Mailing Country
Ann,Lee,Initech,(212) 555-0100,Florida,United States
Bob,Ray,Globex,(212) 555-0101,,
Cy,Dee,Hooli,+49 30 901820,,Deutschland
"""


def _import(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from callblock.cli import main

    path = tmp_path / "crm.csv"
    path.write_text(text)
    db = tmp_path / "x.db"
    code = main(["--db", str(db), "--now", "2026-11-23T19:00:00Z", "import", str(path)])
    out, err = capsys.readouterr()
    return code, out + err


def test_import_reads_mailing_state_and_country(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _import(tmp_path, CRM, capsys)
    assert code == 0, text
    store = Store.open(tmp_path / "x.db")
    try:
        got = {
            lead.name: (lead.region, lead.region_source)
            for lead in store.leads.leads_by_ids([1, 2, 3])
        }
    finally:
        store.close()
    assert got == {
        "Ann Lee": ("US-FL", "record"),
        "Bob Ray": ("US-NY", "phone"),
        "Cy Dee": ("DE", "record"),
    }


def test_import_refuses_a_state_it_cannot_read_naming_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = CRM.replace("Bob,Ray,Globex,(212) 555-0101,,", "Bob,Ray,Globex,(212) 555-0101,Flordia,")
    code, text = _import(tmp_path, bad, capsys)
    assert code != 0
    assert "line 3, column Mailing State: 'Flordia' is not a US state" in text
    store = Store.open(tmp_path / "x.db")
    try:
        assert store.leads.leads_by_ids([1, 2, 3]) == []  # all-or-nothing
    finally:
        store.close()


def test_export_and_reimport_keep_the_record_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from callblock.cli import main

    assert _import(tmp_path, CRM, capsys)[0] == 0
    out = tmp_path / "out.csv"
    now = "2026-11-23T19:00:00Z"
    assert (
        main(["--db", str(tmp_path / "x.db"), "--now", now, "export", "leads", "-o", str(out)]) == 0
    )
    again = tmp_path / "y.db"
    assert main(["--db", str(again), "--now", now, "import", str(out)]) == 0
    capsys.readouterr()
    store = Store.open(again)
    try:
        got = {lead.name: lead.region_source for lead in store.leads.leads_by_ids([1, 2, 3])}
    finally:
        store.close()
    assert got == {"Ann Lee": "record", "Bob Ray": "phone", "Cy Dee": "record"}


def test_the_card_says_where_the_region_came_from(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    from callblock.widgets.lead_card import region_label

    resident = store.leads.get_lead(make_lead(region="FL"))
    visitor = store.leads.get_lead(make_lead())
    nowhere = store.leads.get_lead(make_lead(phone="+1 800 555 0100"))  # toll-free: no state
    assert resident and visitor and nowhere
    assert region_label(resident) == "FL · from record"
    assert region_label(visitor) == "NY · from phone"
    assert region_label(nowhere) == "US · from phone"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Mailing State", "region"),
        ("Mailing State/Province", "region"),
        ("Billing State", "region"),
        ("State or Province", "region"),
        ("State/Region", "region"),
        ("Mailing Country", "country"),
        ("Billing Country", "country"),
        ("Country/Region", "country"),
        ("County", "extra"),  # a county names no calling rules: kept as an extra field
    ],
)
def test_crm_state_and_country_headers(header: str, field: str) -> None:
    from callblock.domain.headers import map_columns

    assert [column.field for column in map_columns(["Name", header])] == ["name", field]


def test_add_takes_the_region_and_refuses_one_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from callblock.cli import main

    db = str(tmp_path / "x.db")
    base = ["--db", db, "add", "--name", "Ann", "--company", "A", "--phone", "212 555 0100"]
    assert main([*base, "--region", "Flordia"]) != 0
    assert "region: 'Flordia' is not a US state or a country" in capsys.readouterr().err
    assert main([*base, "--region", "Florida"]) == 0
    store = Store.open(tmp_path / "x.db")
    try:
        assert [lead.region for lead in store.leads.leads_by_ids([1])] == ["US-FL"]
    finally:
        store.close()


async def test_the_power_hour_card_shows_the_region_at_80x24(make_app, make_lead) -> None:  # type: ignore[no-untyped-def]
    from tests.power_hour_helpers import SIZE, card, shown

    lead_id = make_lead(name="Ann Resident", region="Florida")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown(app) == lead_id
        text = card(app)
        assert "region FL · from record" in text
        assert "attempt 1 of" in text and "last: never called" in text  # nothing pushed out


async def test_the_lead_forms_region_field_at_80x24(store: Store, make_app, make_lead) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    from callblock.screens.lead import LeadScreen
    from callblock.screens.lead_form import EditLeadScreen, NewLeadScreen
    from tests.power_hour_helpers import SIZE
    from tests.screen_text import screen_text

    lead_id = make_lead(name="Ann Lee")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(lead_id))
        await pilot.press("f")
        assert isinstance(app.screen, EditLeadScreen)
        field = app.screen.query_one("#field-region", Input)
        assert field.value == "" and field.region.area  # on screen at 80x24
        field.value = "Flordia"
        await pilot.press("enter")
        assert "region: 'Flordia' is not a US state or a country" in screen_text(app)
        field.value = "Florida"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        assert "FL · from record" in screen_text(app)
        await pilot.press("f")
        assert app.screen.query_one("#field-region", Input).value == "FL"
        await pilot.press("escape")
        await pilot.press("escape")
        app.push_screen(NewLeadScreen())
        await pilot.pause()
        values = {"name": "Bo Ray", "company": "X", "phone": "212 555 0199", "region": "DEU"}
        for name, value in values.items():
            app.screen.query_one(f"#field-{name}", Input).value = value
        await pilot.press("enter")
        await pilot.pause()
    found = [lead for lead in store.leads.leads_by_ids(range(1, 10)) if lead.name == "Bo Ray"]
    assert [(lead.region, lead.region_source) for lead in found] == [("DE", "record")]
    assert store.leads.get_lead(lead_id).region == "US-FL"  # type: ignore[union-attr]


def test_the_migration_reads_state_and_country_that_earlier_imports_kept(tmp_path: Path) -> None:
    import json
    import sqlite3

    from callblock.store.migrations import MIGRATIONS, _record_region

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    forms = [migration.sqlite for migration in MIGRATIONS]
    for number, migration in enumerate(MIGRATIONS[: forms.index(_record_region)], 1):
        migration(conn)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
    cells = [
        {"State/Region": "Florida", "Country": "United States"},
        {"Mailing State": "Flordia"},  # unreadable: the phone's region stays
        {"Lifecycle Stage": "lead"},
    ]
    for number, extra in enumerate(cells):
        conn.execute(
            "INSERT INTO leads (name, phone, phone_timezone, region, temperature, status, "
            "created_at, extra) VALUES (?, ?, 'America/New_York', 'US-NY', 'warm', 'new', "
            "'2026-11-20T12:00:00Z', ?)",
            (f"Lead {number}", f"+1212555010{number}", json.dumps(extra)),
        )
    conn.commit()
    conn.close()
    store = Store.open(path)
    try:
        leads = store.leads.leads_by_ids([1, 2, 3])
        assert [(lead.region, lead.region_source) for lead in leads] == [
            ("US-FL", "record"),
            ("US-NY", "phone"),
            ("US-NY", "phone"),
        ]
        assert ("America/New_York", "US-FL") in store.queue.lead_places()
    finally:
        store.close()


@pytest.mark.sqlite_only("only SQLite's untyped columns can hold bytes in a text column")
def test_a_region_another_tool_wrote_as_bytes_is_a_plain_fault(
    store: Store, make_lead: LeadMaker
) -> None:
    from callblock.store.db import StoreFault
    from callblock.store.health import bad_values

    lead_id = make_lead(region="FL")
    store.conn.execute("UPDATE leads SET record_region = X'464C' WHERE id = ?", (lead_id,))
    with pytest.raises(StoreFault, match=f"lead {lead_id} holds a value callblock cannot read"):
        store.leads.get_lead(lead_id)
    present = {"leads": {"record_region", "region"}}
    assert [(f.id, f.column) for f in bad_values(store.conn, present)] == [
        (lead_id, "record_region")
    ]


def test_the_phone_value_and_the_lead_record_agree(store: Store, make_lead: LeadMaker) -> None:
    from callblock.domain.models import PHONE_FIELDS
    from callblock.store.convert import lead_record

    lead = store.leads.get_lead(make_lead(phone="+1 605 555 0100", region="Florida"))  # spans zones
    assert lead is not None
    record = lead_record(lead)
    assert lead.phone_line.record() == {name: record[name] for name in PHONE_FIELDS}
    assert (lead.phone_line.region, record["record_region"]) == ("US-SD", "US-FL")
    assert lead.phone_line.zone_spread == 60
