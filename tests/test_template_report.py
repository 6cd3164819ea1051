"""Issue 11, test and track: `callblock report --by template` figures on a known log (every
format), the note on thin comparisons, and the domain's rules."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callblock.app import create_app
from callblock.cli.main import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.models import Template, TemplateChannel
from callblock.domain.template_figures import (
    MIN_PER_VARIANT,
    TEMPLATE_FIELDS,
    TemplateFigures,
    thin_comparisons,
)
from callblock.store import Store
from callblock.widgets.review_tables import TemplateTable
from tests.conftest import LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import assert_screen_safe, screen_text, shows

DAY = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the conftest clock's day (New York)
EARLIER = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
TEMPLATES = [
    Template("call-1", TemplateChannel.CALL_SCRIPT, "Hi {{ first_name }}", step=1),
    Template("vm-1", TemplateChannel.VOICEMAIL, "This is {{ rep.name }}", step=1),
    Template("email-2a", TemplateChannel.EMAIL, "A", step=2, variant="A", subject="a"),
    Template("email-2b", TemplateChannel.EMAIL, "B", step=2, variant="B", subject="b"),
    Template("linkedin-4", TemplateChannel.LINKEDIN, "Hello", step=4),
]
# (lead, channel, outcome, template, variant, when): the known log.
LOG = [
    ("warm1", "call", "no-answer", "call-1", None, DAY),
    ("warm1", "call", "connected", "call-1", None, DAY),
    ("warm2", "call", "meeting", "call-1", None, DAY),
    ("hot", "call", "voicemail", "call-1", None, DAY),
    ("hot", "call", "callback", "call-1", None, DAY),
    ("warm1", "email", "sent", "email-2a", "A", DAY),
    ("warm2", "email", "sent", "email-2a", "A", DAY),
    ("warm3", "email", "sent", "email-2a", "A", DAY),
    ("warm1", "email", "replied", "email-2a", "A", DAY),  # answers the A email
    ("warm2", "email", "bounced", "email-2a", "A", DAY),  # not a send, not a reply
    ("hot", "email", "sent", "email-2b", "B", DAY),
    ("cold", "email", "sent", "email-2b", "B", DAY),
    ("cold", "email", "replied", "email-2b", "B", DAY),
    ("warm1", "linkedin", "skipped", "linkedin-4", None, DAY),  # a skipped task sends nothing
    ("warm1", "linkedin", "sent", "old-note", None, DAY),  # its template deleted since
    ("warm1", "call", "no-answer", None, None, DAY),  # no template: not in the report
    ("cold", "email", "sent", "email-2a", "A", EARLIER),  # outside --date
]
EXPECTED = [
    # template, variant, channel, segment, sent, replies, contacts, meetings, rates
    ("call-1", "", "call-script", "hot", 2, 0, 1, 0, 0.0, 0.0),
    ("call-1", "", "call-script", "warm", 3, 0, 2, 1, 0.0, 0.3333),
    ("email-2a", "A", "email", "warm", 3, 1, 0, 0, 0.3333, 0.0),
    ("email-2b", "B", "email", "hot", 1, 0, 0, 0, 0.0, 0.0),
    ("email-2b", "B", "email", "cold", 1, 1, 0, 0, 1.0, 0.0),
    ("linkedin-4", "", "linkedin", "warm", 0, 0, 0, 0, None, None),
    ("old-note", "", "linkedin", "warm", 1, 0, 0, 0, 0.0, 0.0),
]
NOTES = [
    "note: email step 2, hot leads: sent A 0, B 1; under 30 per variant the difference may be "
    "chance",
    "note: email step 2, warm leads: sent A 3, B 0; under 30 per variant the difference may be "
    "chance",
    "note: email step 2, cold leads: sent A 0, B 1; under 30 per variant the difference may be "
    "chance",
]


@pytest.fixture
def known_log(store: Store, make_lead: LeadMaker) -> Store:
    leads = {
        "hot": make_lead(temperature="hot"),
        "warm1": make_lead(),
        "warm2": make_lead(),
        "warm3": make_lead(),
        "cold": make_lead(temperature="cold"),
    }
    store.templates.save_templates(TEMPLATES, at=iso(DAY), rep="lead")
    with store.transaction():
        for who, channel, outcome, template, variant, when in LOG:
            store.touches.insert_touch(
                lead_id=leads[who], rep="alice", at=iso(when), channel=channel, outcome=outcome,
                note="", session_id=None, lead_before={}, template=template, variant=variant,
            )  # fmt: skip
        undone = store.touches.insert_touch(
            lead_id=leads["warm3"], rep="alice", at=iso(DAY), channel="call", outcome="meeting",
            note="", session_id=None, lead_before={}, template="call-1",
        )  # fmt: skip
        store.touches.mark_touch_undone(undone)  # undone never counts
    return store


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    assert main(["--db", str(db), "report", "--by", "template", *args]) == 0
    out = capsys.readouterr()
    return out.out, out.err


def test_json_figures_on_a_known_log(
    known_log: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run(db_path, capsys, "--date", "2026-11-23", "--format", "json")
    rows = json.loads(out)
    assert all(list(row) == list(TEMPLATE_FIELDS) for row in rows)
    assert [tuple(row.values()) for row in rows] == EXPECTED
    assert err.splitlines() == NOTES
    # all time (no day given): the earlier A email to the cold lead counts too
    rows = json.loads(run(db_path, capsys, "--json")[0])
    cold_a = [r for r in rows if (r["template"], r["segment"]) == ("email-2a", "cold")]
    assert [(r["sent"], r["replies"], r["reply_rate"]) for r in cold_a] == [(1, 0, 0.0)]


def test_csv_and_table_carry_the_same_figures(
    known_log: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run(db_path, capsys, "--date", "2026-11-23", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(TEMPLATE_FIELDS)
    assert rows[3] == ["email-2a", "A", "email", "warm", "3", "1", "0", "0", "0.3333", "0.0"]
    assert rows[6] == ["linkedin-4", "", "linkedin", "warm", "0", "0", "0", "0", "", ""]
    assert len(rows) == 1 + len(EXPECTED) and err.splitlines() == NOTES
    out, err = run(db_path, capsys, "--date", "2026-11-23")
    lines = out.splitlines()
    assert lines[0] == "report by template, 2026-11-23 (America/New_York)"
    assert lines[1].split() == "template var channel seg sent repl cont meet repl% meet%".split()
    assert lines[5].split() == "email-2a A email warm 3 1 0 0 33% 0%".split()
    assert lines[8].split() == "linkedin-4 linkedin warm 0 0 0 0 – –".split()
    assert lines[-3:] == NOTES and err == ""
    assert max(len(line) for line in lines[:-3]) <= 80


def test_rep_filter_and_unknown_rep(
    known_log: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert json.loads(run(db_path, capsys, "--rep", "alice", "--json")[0])
    assert main(["--db", str(db_path), "--rep", "bob", "report", "--by", "template"]) != 0
    assert "no rep named 'bob'" in capsys.readouterr().err


def _row(template: str, variant: str, segment: str, sent: int) -> TemplateFigures:
    return TemplateFigures(template, variant, "email", segment, sent, 0, 0, 0, 0.0, 0.0)


def test_enough_sends_per_variant_needs_no_note() -> None:
    templates = TEMPLATES[2:4]
    enough = [_row("email-2a", "A", "warm", MIN_PER_VARIANT), _row("email-2b", "B", "warm", 31)]
    assert thin_comparisons(enough, templates) == []
    thin = [_row("email-2a", "A", "warm", MIN_PER_VARIANT), _row("email-2b", "B", "warm", 29)]
    assert thin_comparisons(thin, templates) == [
        "note: email step 2, warm leads: sent A 30, B 29; under 30 per variant the difference "
        "may be chance"
    ]
    # a step with one variant is compared with nothing
    assert thin_comparisons([_row("email-2a", "A", "warm", 1)], templates[:1]) == []


async def test_review_templates_tab_shows_the_figures_and_the_notes(
    known_log: Store, clock: FixedClock, settings: Settings
) -> None:
    """Key 5 at 80x24: the same rows as the report for the day, the notes above them, and a
    template name shown literally (it is outside text)."""
    hostile = "[bold]x[/]\x1b[2J"
    with known_log.transaction():
        known_log.touches.insert_touch(
            lead_id=1, rep="alice", at=iso(DAY), channel="sms", outcome="sent", note="",
            session_id=None, lead_before={}, template=hostile,
        )  # fmt: skip
    app = create_app(settings=settings, store=known_log, clock=clock, rep="lead", start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        table = app.screen.query_one(TemplateTable)
        assert table.has_focus
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert ["email-2a", "A", "email", "warm", "3", "1", "0", "0", "33%", "0%"] in rows
        assert ["linkedin-4", "", "linkedin", "warm", "0", "0", "0", "0", "–", "–"] in rows
        assert len(rows) == len(EXPECTED) + 1
        assert shows(screen_text(app), "[bold]x[/]")
        for note in NOTES:  # each note read to its end, however it wraps
            assert shows(screen_text(app), note), note
        assert_screen_safe(app)
