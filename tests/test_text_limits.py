"""Every text value from outside is within its limit or refused naming the field, never cut
silently; `add` and the forms check emails with the import's own check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from callblock.cli import main
from callblock.config import Settings
from callblock.domain.text import FIELD_MAX, NAME_MAX, NOTE_MAX, TOUCH_NOTE_MAX
from callblock.screens.lead import LeadScreen
from callblock.screens.lead_form import NewLeadScreen
from callblock.screens.prompts import NoteScreen
from callblock.services import ServiceError
from callblock.services.lead_edit import update_lead
from callblock.store import Store
from tests.conftest import AppMaker, LeadMaker
from tests.power_hour_helpers import SIZE, power_hour, shown
from tests.screen_text import screen_text, widget_text
from tests.test_importer import write

NOW = "2026-11-23T19:00:00Z"
BASE = ["add", "--name", "Ann Lee", "--company", "Acme", "--phone", "+1 212 555 0101"]


def cli(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def count(db: Path, table: str) -> int:
    store = Store.open(db)
    try:
        return store.admin.count(table)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--notes", "n" * 100_000, f"notes: 100000 characters (at most {NOTE_MAX})"),
        ("--name", "N" * (NAME_MAX + 1), f"name: {NAME_MAX + 1} characters (at most {NAME_MAX})"),
        ("--company", "C" * 501, f"company: 501 characters (at most {FIELD_MAX})"),
        ("--title", "T" * 501, f"title: 501 characters (at most {FIELD_MAX})"),
        ("--owner", "o" * 201, f"owner: 201 characters (at most {NAME_MAX})"),
        ("--email", "notanemail", "email: 'notanemail' is not an email address"),
        ("--email", "a@b", "email: 'a@b' is not an email address"),
    ],
)
def test_add_refuses_what_it_would_cut_or_what_import_refuses(
    tmp_path: Path, capsys, option: str, value: str, message: str
) -> None:
    db = tmp_path / "cb.db"
    base = [a for i, a in enumerate(BASE) if option not in BASE[i - 1 : i + 1]]
    code, out, err = cli(db, capsys, *base, option, value)
    assert code == 1 and out == ""
    assert err.strip() == f"callblock: error: {message}"
    assert count(db, "leads") == 0


def test_add_keeps_text_at_its_limit_whole(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    notes = "n" * NOTE_MAX
    code, out, err = cli(db, capsys, *BASE, "--notes", notes, "--email", "ann@acme.com", "--json")
    assert code == 0, err
    code, out, _ = cli(db, capsys, "export", "leads", "--format", "json")
    (lead,) = json.loads(out)
    assert lead["notes"] == notes and lead["email"] == "ann@acme.com"


def test_log_refuses_an_outcome_note_it_would_cut(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cb.db"
    assert cli(db, capsys, *BASE)[0] == 0
    note = "x" * (TOUCH_NOTE_MAX + 1)
    code, _, err = cli(db, capsys, "log", "--lead", "1", "--outcome", "no-answer", "--note", note)
    assert code == 1
    assert err.strip() == f"callblock: error: note: 1001 characters (at most {TOUCH_NOTE_MAX})"
    assert count(db, "touches") == 0
    ok = "y" * TOUCH_NOTE_MAX
    code, _, err = cli(db, capsys, "log", "--lead", "1", "--outcome", "no-answer", "--note", ok)
    assert code == 0, err
    code, out, _ = cli(db, capsys, "history", "--lead", "1", "--json")
    assert json.loads(out)[0]["note"] == ok


def test_lead_edit_refuses_long_fields(store: Store, make_lead: LeadMaker) -> None:
    lead_id = make_lead(name="Ann Lee", company="Acme")
    with pytest.raises(ServiceError, match=r"^company: 501 characters \(at most 500\)$"):
        update_lead(store, lead_id, {"company": "c" * 501}, settings=Settings())
    with pytest.raises(ServiceError, match=r"^owner: 201 characters"):
        update_lead(store, lead_id, {"owner": "o" * 201}, settings=Settings())
    assert store.leads.get_lead(lead_id).company == "Acme"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"First Name,Last Name\n{'f' * 150},{'l' * 150}\n", "column Last Name: the full name"),
        (f"Name,links\nAnn,{'https://x.co/' + 'p' * 500}\n", "column links: a link of 513"),
        (
            'Name,extra\nAnn,"{""k"": ""' + "v" * (NOTE_MAX + 1) + '""}"\n',
            f"column extra: 'k': a value of {NOTE_MAX + 1} characters",
        ),
    ],
)
def test_import_refuses_cells_it_would_cut(tmp_path: Path, capsys, text: str, problem: str) -> None:
    db = tmp_path / "cb.db"
    code, _, err = cli(db, capsys, "import", str(write(tmp_path, text)))
    assert code == 1 and f"line 2, {problem}" in err
    assert count(db, "leads") == 0


def test_import_refuses_an_extra_header_it_would_cut(tmp_path: Path, capsys) -> None:
    header = "H" * (NAME_MAX + 1)
    db = tmp_path / "cb.db"
    code, _, err = cli(db, capsys, "import", str(write(tmp_path, f"Name,{header}\nAnn,x\n")))
    assert code == 1 and f"line 1: column 2's header has {NAME_MAX + 1} characters" in err
    assert count(db, "leads") == 0


async def test_new_lead_form_checks_email_and_lengths(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    make_lead(name="Someone")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, NewLeadScreen)
        form = app.screen
        form.query_one("#field-name", Input).value = "Ann Lee"
        form.query_one("#field-phone", Input).value = "+1 212 555 0199"
        form.query_one("#field-email", Input).value = "notanemail"
        await pilot.press("enter")
        assert "email: 'notanemail' is not an email address" in screen_text(app)
        form.query_one("#field-email", Input).value = "ann@acme.com"
        form.query_one("#field-company", Input).value = "c" * 501
        await pilot.press("enter")
        assert "company: 501 characters (at most 500)" in screen_text(app)
        assert app.screen is form and store.admin.count("leads") == 1  # nothing saved
        assert form.query_one("#field-company", Input).value == "c" * 501  # kept as typed
        form.query_one("#field-company", Input).value = "Acme"
        await pilot.press("enter")
        await pilot.pause()
        assert store.admin.count("leads") == 2


async def test_notes_editor_keeps_over_long_notes_and_says_so(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Ann Lee")
    app = make_app()
    long = "w" * (NOTE_MAX + 5)
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        await pilot.press("e")
        editor = power_hour(app).query_one(TextArea)
        editor.insert(long)  # a paste
        await pilot.press("escape")
        assert editor.display and editor.text == long  # still editing, nothing cut
        status = widget_text(app, power_hour(app).query_one("#status", Static))
        assert f"notes: {NOTE_MAX + 5} characters (at most {NOTE_MAX})" in status
        assert store.leads.get_lead(lead_id).notes == ""  # type: ignore[union-attr]
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press("escape")
        assert not editor.display
        assert store.leads.get_lead(lead_id).notes == "w" * NOTE_MAX  # type: ignore[union-attr]
        # the lead screen's editor alike
        await app.push_screen(LeadScreen(lead_id))
        await pilot.press("e")
        editor = app.screen.query_one(TextArea)
        editor.insert("more")
        await pilot.press("escape")
        assert isinstance(app.screen, LeadScreen) and editor.display
        assert f"notes: {NOTE_MAX + 4} characters" in screen_text(app)
        assert store.leads.get_lead(lead_id).notes == "w" * NOTE_MAX  # type: ignore[union-attr]


async def test_outcome_note_prompt_refuses_a_note_it_would_cut(
    store: Store, make_app: AppMaker, make_lead: LeadMaker
) -> None:
    lead_id = make_lead(name="Ann Lee")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app) == lead_id
        await pilot.press("n", "t")
        assert isinstance(app.screen, NoteScreen)
        prompt = app.screen
        prompt.query_one(Input).value = "z" * (TOUCH_NOTE_MAX + 1)
        await pilot.press("enter")
        assert app.screen is prompt
        assert f"{TOUCH_NOTE_MAX + 1} characters (at most {TOUCH_NOTE_MAX})" in screen_text(app)
        assert prompt.query_one(Input).value == "z" * (TOUCH_NOTE_MAX + 1)
        prompt.query_one(Input).value = "asked for pricing"
        await pilot.press("enter")
        await pilot.pause()
        (touch,) = store.touches.touches_for_lead(lead_id)
        assert touch.note == "asked for pricing"
