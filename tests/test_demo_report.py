"""The demo shows the template report at work (issue 11 review): `make run` promised the
multi-channel demo "shows it all", but no demo touch was a reply and no call used a script, so
`report --by template` and Review's Templates tab showed 0% everywhere and no call script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.store import Store

NOW = "2026-11-23T19:00:00Z"


def test_the_demo_report_by_template_has_replies_and_scripted_calls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    assert main(["--db", str(db), "--now", NOW, "demo", "--leads", "300"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "--now", NOW, "report", "--by", "template", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_name: dict[str, dict[str, int]] = {}
    for row in rows:
        total = by_name.setdefault(row["template"], {"sent": 0, "replies": 0, "contacts": 0})
        for key in total:
            total[key] += row[key]
    assert sum(t["replies"] for t in by_name.values()) > 0
    assert by_name["email-2a"]["replies"] + by_name["email-2b"]["replies"] > 0
    assert by_name["call-script"]["sent"] > 0 and by_name["call-script"]["contacts"] > 0
    assert by_name["voicemail-first"]["sent"] > 0
    # A demo reply ended its lead's sequence, as `log --outcome replied` does: no task after it.
    store = Store.open(db)
    try:
        replied = store.conn.execute(
            "SELECT DISTINCT lead_id FROM touches WHERE outcome = 'replied'"
        ).fetchall()
        assert replied
        for (lead_id,) in replied:
            lead = store.leads.get_lead(lead_id)
            assert lead is not None and lead.task_due_at is None
            last = store.touches.touches_for_lead(lead_id)[0]  # newest first
            assert last.template is not None  # the reply counts for the message it answers
    finally:
        store.close()
