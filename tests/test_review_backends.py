"""Issue 13: every report and export is byte for byte the same on SQLite and on PostgreSQL.

One known log (tests/review_helpers.py's team log, with templates, a team roster, leads that
arrive at the same moment, names that sort differently by letter case, a lead without a zone)
is built on each backend; then the output of `callblock report` (table, CSV, JSON, by rep and
by template), `callblock log --json`, `callblock export` (every format) and the Review's log,
heat map, sparklines, cracks and drill-down are compared as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.domain.logs import NO_BLOCK, LogFilter
from callblock.domain.models import Template, TemplateChannel
from callblock.services import review
from callblock.services.leads import add_lead
from callblock.services.team import add_rep
from callblock.store import Store
from tests.conftest import NOW, ZONE
from tests.pg_server import PASSWORD, TEMPLATE, PgServer
from tests.review_helpers import DAY, build_team_log

CLI_NOW = "2026-11-24T12:00:00Z"
TEMPLATES = [
    Template("call-1", TemplateChannel.CALL_SCRIPT, "Hi {{ first_name }}", step=1),
    Template("email-2a", TemplateChannel.EMAIL, "A", step=2, variant="A", subject="a"),
    Template("email-2b", TemplateChannel.EMAIL, "B", step=2, variant="B", subject="b"),
]


def build(store: Store) -> None:
    """The team log, and what makes orders and groups differ when a backend gets them wrong."""
    clock = FixedClock(NOW)
    leads = build_team_log(store, clock)
    for name in ("Zoe", "alice", "bob", "carmen"):  # "Zoe" sorts first by code point
        add_rep(store, clock, name)
    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    same_moment = [
        add_lead(
            store,
            clock,
            name=name,
            company=company,
            phone=phone,
            tz=tz,
            temperature="warm",
            settings=Settings(),
        )
        for name, company, phone, tz in (
            ("zed Low", "", "+1 212 555 0201", "America/Chicago"),
            ("Ada Up", "acme", "+1 212 555 0202", None),
            ("ada low", "Acme", "+44 20 7946 0958", None),  # a zone from the phone
            ("Bea NoZone", "Beta", "+1 800 555 0199", None),  # no zone: see below
        )
    ]
    with store.transaction():  # a lead whose zone is unknown (an old row): the team's applies
        store.conn.execute("UPDATE leads SET phone_timezone = NULL WHERE id = ?", (same_moment[3],))
    store.templates.save_templates(TEMPLATES, at=iso(NOW), rep="lead")
    when = iso(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
    with store.transaction():
        for lead, rep, channel, outcome, template, variant in (
            (leads["a"], "Zoe", "email", "sent", "email-2a", "A"),
            (leads["b"], "Zoe", "email", "replied", "email-2a", "A"),
            (leads["c"], "alice", "email", "sent", "email-2b", "B"),
            (same_moment[0], "Zoe", "call", "meeting", "call-1", None),
            (same_moment[1], "Zoe", "call", "no-answer", "call-1", None),
            (same_moment[3], "Zoe", "call", "connected", None, None),
            (same_moment[2], "bob", "call", "bad-number", None, None),
        ):
            store.touches.insert_touch(
                lead_id=lead, rep=rep, at=when, channel=channel, outcome=outcome, note="",
                session_id=None, lead_before={}, template=template, variant=variant,
            )  # fmt: skip


def cli(db: str | Path, *args: str, now: str = CLI_NOW) -> str:
    """What the command printed (stdout, then stderr), and its exit status."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), "--now", now, *args])
    return f"exit {code}\n{out.getvalue()}\n--- stderr\n{err.getvalue()}"


def shown(value: Any) -> str:
    """A service's answer as text (dataclasses as dicts, times as ISO)."""
    return json.dumps(_plain(value), indent=1, ensure_ascii=False, default=str)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def outputs(db: str | Path, tmp: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    reports = {
        "day": ("--date", DAY),
        "range": ("--from", "2026-11-20", "--to", "2026-11-24"),
        "next-day": ("--date", "2026-11-24"),
    }
    for name, days in reports.items():
        for form in ("table", "csv", "json"):
            found[f"report {name} {form}"] = cli(db, "report", *days, "--format", form)
            found[f"report {name} {form} by template"] = cli(
                db, "report", "--by", "template", *days, "--format", form
            )
    found["report bob"] = cli(db, "--rep", "bob", "report", "--date", DAY, "--json")
    found["report all-time templates"] = cli(db, "report", "--by", "template", "--json")
    for what in ("touches", "leads"):
        for form in ("csv", "jsonl", "json"):
            found[f"export {what} {form}"] = cli(db, "export", what, "--format", form)
        found[f"export {what} range"] = cli(db, "export", what, "--from", DAY, "--to", DAY)
    target = tmp / "touches.csv"
    cli(db, "export", "touches", "-o", str(target))
    found["file written by export touches -o"] = target.read_text(encoding="utf-8")

    settings, clock = Settings(timezone=ZONE), FixedClock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    store = Store.open(db)
    try:
        period = review.period_for(settings, clock, day=DAY)
        week = review.period_for(settings, clock, first="2026-11-20", last="2026-11-24")
        for name, where in (
            ("all", LogFilter()),
            ("alice", LogFilter(rep="alice")),
            ("no block", LogFilter(block=NO_BLOCK)),
            ("power hour", LogFilter(block="Power hour")),
            ("no-answer", LogFilter(outcome="no-answer")),
        ):
            found[f"log {name}"] = shown(review.log_page(store, week, where))
        found["log page 2"] = shown(review.log_page(store, week, LogFilter(), offset=3))
        found["log choices"] = shown(review.log_choices(store, week))
        for name, spans in (("day", period), ("week", week)):
            found[f"rep report {name}"] = shown(review.rep_report(store, spans, team_row=True))
            found[f"trend {name}"] = shown(review.trend(store, settings, spans))
            found[f"trend {name} alice"] = shown(review.trend(store, settings, spans, "alice"))
            found[f"cracks {name}"] = shown(review.cracks(store, settings, clock, spans))
        for lead_id in range(1, 8):
            found[f"lead {lead_id}"] = shown(review.lead_detail(store, lead_id))
        found["templates"] = shown(store.templates.templates())
    finally:
        store.close()
    # a write through the CLI answers the same too (and changes the figures alike)
    later = "2026-11-24T16:00:00Z"  # 10:00 in Chicago: inside the lead's calling hours
    found["log --json"] = cli(
        db, "--rep", "Zoe", "log", "--lead", "4", "--outcome", "busy", "--json", now=later
    )
    found["report after log"] = cli(db, "report", "--date", "2026-11-24", "--json", now=later)
    return found


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    yield pg_server.new_database(template=TEMPLATE)


def test_reports_logs_and_exports_are_the_same_bytes_on_both_backends(
    tmp_path: Path, pg_url: str
) -> None:
    sqlite_path = tmp_path / "team.db"
    for db in (sqlite_path, pg_url):
        store = Store.open(db)
        try:
            build(store)
        finally:
            store.close()
    (tmp_path / "sqlite").mkdir()
    (tmp_path / "pg").mkdir()
    on_sqlite = outputs(sqlite_path, tmp_path / "sqlite")
    on_pg = outputs(pg_url, tmp_path / "pg")
    assert list(on_pg) == list(on_sqlite)
    for name, text in on_sqlite.items():
        assert on_pg[name] == text, name
    # the comparison is over real figures, not over errors or empty answers
    commands = [name for name in on_sqlite if name.startswith(("report ", "export ", "log --"))]
    assert len(commands) == 30
    assert [name for name in commands if not on_sqlite[name].startswith("exit 0\n")] == []
    day = json.loads(on_sqlite["report day json"].split("\n", 1)[1].split("\n--- stderr")[0])
    assert [row["rep"] for row in day] == ["Zoe", "alice", "bob", "carmen"]
    assert sum(row["dials"] for row in day) >= 8
    assert on_sqlite["export touches csv"].count("\n") > 12
    assert '"sent": 1' in on_sqlite["report day json by template"]
    assert '"kind": "inbound"' in on_sqlite["cracks day"]
    assert '"heat"' in on_sqlite["trend week"] and '"dials"' in on_sqlite["trend week"]


def test_day_boundaries_of_the_team_zone_read_the_same_slots(tmp_path: Path, pg_url: str) -> None:
    """A range whose ends are not on slot boundaries is counted from the touches on both."""
    counted: list[Any] = []
    for db in (tmp_path / "team.db", pg_url):
        store = Store.open(db)
        try:
            build(store)
            start = iso(datetime(2026, 11, 23, 14, 7, tzinfo=UTC))
            end = iso(datetime(2026, 11, 24, 5, 0, tzinfo=UTC) + timedelta(seconds=1))
            counted.append(
                (
                    shown(store.reports.slot_counts(start, end)),
                    shown(store.reports.dial_counts_by_rep(start, end)),
                    shown(store.reports.dials_by_rep_per_range([(start, end)])),
                )
            )
        finally:
            store.close()
    assert counted[0] == counted[1]
    assert '"alice"' in counted[0][1] and '"bob"' in counted[0][1]


def test_a_server_database_has_no_file_damage_and_doctor_says_the_server_checks(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(pg_url)
    try:
        assert store.admin.damage() == []  # no quick_check (a PRAGMA) sent to the server
        store.admin.refuse_if_damaged()
    finally:
        store.close()
    assert main(["--db", pg_url, "doctor"]) == 0
    out, err = capsys.readouterr()
    server = "postgresql://" + pg_url.rsplit("@", 1)[1]
    assert out.splitlines()[0].startswith(f"{server}: reachable, schema version ")
    assert out.splitlines()[-1] == "no problems found"
    assert main(["--db", pg_url, "doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["db"] == server and report["healthy"] is True and report["problems"] == []
    assert PASSWORD not in out + err


def test_doctor_refuses_a_newer_server_schema_and_writes_nothing(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(pg_url)
    try:
        with store.transaction():
            store.conn.execute("INSERT INTO schema_version (version) VALUES (999)")
    finally:
        store.close()
    assert main(["--db", pg_url, "doctor"]) != 0
    out, err = capsys.readouterr()
    assert "schema version 999, newer than this callblock knows" in err
    assert PASSWORD not in out + err
    store_versions = _versions(pg_url)
    assert store_versions[-1] == 999 and len(store_versions) == len(set(store_versions))


def _versions(url: str) -> list[int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY 1")]


def test_a_server_url_in_db_is_kept_whole_and_its_password_never_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--db took a Path, which folded `//` and printed the URL (password and all) in an error
    about a missing folder; now the URL reaches the server's connection as given."""
    from tests.pg_server import free_port

    url = f"postgresql://someone:{PASSWORD}@127.0.0.1:{free_port()}/team"
    for command in (["report", "--date", DAY], ["export", "touches"], ["doctor"]):
        assert main(["--db", url, "--now", CLI_NOW, *command]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("callblock: error: cannot reach the database at 127.0.0.1:"), err
        assert "connection refused" in err and PASSWORD not in err
