"""Import -> export (`callblock export leads`, CSV) -> import gives the same leads, and the
importer reads the export's formula-neutralized cells back as their original text."""

from __future__ import annotations

import csv
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callblock.clock import FixedClock
from callblock.domain.csvcells import neutralize_cell
from callblock.domain.text import clean_block, clean_line
from callblock.services.exports import LEAD_FIELDS, lead_records, write_records
from callblock.services.importer import ImportOptions, import_csv
from callblock.services.lead_search import list_leads
from callblock.store import Store

CLOCK = FixedClock(datetime(2026, 11, 23, 19, 0, tzinfo=UTC))
OPTIONS = ImportOptions(default_zone="America/New_York")
HEADER = "Name,Company,Title,Phone,Email,Notes,Temperature,Status,Create Date,Website,Lead Source,"
HEADER += "Other Phone,Additional Email Addresses"
HEADER = HEADER.split(",")  # "Lead Source" is the lead's interest (issue 11); "Website" extra


def export_csv(store: Store, path: Path) -> None:
    """The real `callblock export leads --format csv`."""
    with path.open("w", encoding="utf-8", newline="") as out:
        write_records(lead_records(store, None, None), LEAD_FIELDS, "csv", out)


def snapshot(store: Store) -> list[tuple[object, ...]]:
    return [
        (
            lead.name,
            lead.company,
            lead.title,
            lead.phone,
            lead.email,
            lead.timezone,
            lead.temperature,
            lead.status,
            lead.owner,
            lead.created_at,
            lead.notes,
            lead.links,
            lead.fit,
            store.leads.lead_extra(lead.id),
            lead.other_phones,
            lead.other_emails,
            lead.first_name,
            lead.last_name,
            lead.pronunciation,
            lead.interest,
        )
        for lead in list_leads(store, search=None, limit=10_000)
    ]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
LINE = TEXT.map(clean_line)
OTHER_PHONES = ["+1 312 555 0100", "(415) 555-0101", "+44 20 7946 0958", "+12125550000"]
OTHER_EMAILS = ["a@x.co", "B@Y.ORG", "lead0@example.com", "=x@y.co"]
ROW = st.fixed_dictionaries(
    {
        "Name": LINE.filter(bool),
        "Company": st.sampled_from(["=SUM(A1)", "+Acme", "-Dash", "@Home", "Plain"]) | LINE,
        "Title": LINE,
        "Notes": TEXT.map(lambda t: clean_block(t).strip()),
        "Temperature": st.sampled_from(["hot", "warm", "cold", ""]),
        "Status": st.sampled_from(["new", "working", "nurture", ""]),
        "Create Date": st.sampled_from(["", "2024-03-05 14:22", "2025-01-01T00:00:00Z"]),
        "Website": LINE,
        "Lead Source": st.sampled_from(["=HYPERLINK(x)", "Webinar", ""]) | LINE,
        # other numbers and addresses, as CRMs list them (a main one repeated is dropped)
        "Other Phone": st.lists(st.sampled_from(OTHER_PHONES), max_size=3),
        "Additional Email Addresses": st.lists(st.sampled_from(OTHER_EMAILS), max_size=3),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(ROW, min_size=1, max_size=6))
def test_import_export_import_gives_the_same_leads(tmp_path: Path, rows) -> None:  # type: ignore[no-untyped-def]
    run = Path(tempfile.mkdtemp(dir=tmp_path))  # a fresh folder per example (one may repeat)
    source = run / "source.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, row in enumerate(rows):
            phone, email = f"+1212555{n:04d}", f"lead{n}@example.com"
            writer.writerow(
                [
                    neutralize_cell(row["Name"]),
                    neutralize_cell(row["Company"]),
                    neutralize_cell(row["Title"]),
                    phone,
                    email,
                    neutralize_cell(row["Notes"]),
                    row["Temperature"],
                    row["Status"],
                    row["Create Date"],
                    neutralize_cell(row["Website"]),
                    neutralize_cell(row["Lead Source"]),
                    "; ".join(row["Other Phone"]),
                    neutralize_cell(";".join(row["Additional Email Addresses"])),
                ]
            )
    first, second = Store.open(run / "a.db"), Store.open(run / "b.db")
    try:
        report = import_csv(first, CLOCK, source, OPTIONS)
        assert report.committed and report.imported == len(rows), report.problems
        exported = run / "export.csv"
        export_csv(first, exported)
        again = import_csv(second, CLOCK, exported, OPTIONS)
        assert again.committed, again.problems
        assert snapshot(second) == snapshot(first)
        assert (
            exported.read_text(encoding="utf-8")
            .splitlines()[0]
            .endswith(",other_phones,other_emails,first_name,last_name,pronunciation,interest")
        )
        for row, lead in zip(rows, list_leads(second, search=None, limit=99), strict=True):
            assert ("+13125550100" in lead.other_phones) == (
                "+1 312 555 0100" in row["Other Phone"]
            )
            assert ("a@x.co" in lead.other_emails) == (
                "a@x.co" in row["Additional Email Addresses"]
            )
        assert [lead.company for lead in list_leads(first, search=None, limit=99)] == [
            clean_line(row["Company"]) for row in rows
        ]
    finally:
        first.close()
        second.close()
