"""`callblock import` with real-looking CRM exports and hostile files.

Each file either imports correctly or is refused with a line-numbered reason and an unchanged
database (DESIGN.md, "Bad input")."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.domain.models import LeadStatus
from callblock.services.lead_search import list_leads
from callblock.store import Store

NOW = "2026-11-23T19:00:00Z"
HUBSPOT = """\
Record ID,First Name,Last Name,Company Name,Job Title,Phone Number,Email,Lead Status,Create Date,\
Time Zone,State/Region,Country,Lifecycle Stage
9001,Jim,Brodo,Brodo Inc,VP Sales,(212) 555-0143,jim@brodo.com,New,2024-03-05 14:22,,NY,\
United States,lead
9002,Mary,Anderson,Vandelay Labs,Office Manager,312.528.9078,mary@vandelay.com,In Progress,\
2024-04-01,America/Chicago,IL,US,opportunity
9003,Bob,Smith,Globex,CTO,+44 20 7946 0958,bob@globex.co.uk,Open,,Europe/London,,UK,lead
"""
# Salesforce: Windows-1252, semicolons, a Rating column, "Open - Not Contacted" statuses.
SALESFORCE = (
    "Lead ID;First Name;Last Name;Company;Title;Phone;Email;Lead Status;Rating;Created Date;"
    "Lead Owner\r\n"
    "00Q5e00000AbCdE;José;Müller;Café Olé GmbH;Geschäftsführer;+49 30 901820;jm@cafe.de;"
    "Open - Not Contacted;Hot;05/03/2024;alice\r\n"
    "00Q5e00000AbCdF;Ann;Lee;Initech;CFO;(415) 555-0100;ann@initech.com;Working - Contacted;"
    "Cold;2023-12-01T09:00:00Z;bob\r\n"
).encode("cp1252")


def run(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, data: str | bytes, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def leads(db: Path) -> list[dict[str, object]]:
    store = Store.open(db)
    try:
        return [
            {"id": lead.id, "lead": lead, "extra": store.leads.lead_extra(lead.id)}
            for lead in list_leads(store, search=None, limit=1000)
        ]
    finally:
        store.close()


def db_bytes(db: Path) -> int:
    store = Store.open(db)
    try:
        return store.admin.count("leads")
    finally:
        store.close()


def test_hubspot_export(db_path: Path, tmp_path: Path, capsys) -> None:
    db = db_path
    code, out, err = run(db, "import", str(write(tmp_path, HUBSPOT)), capsys=capsys)
    assert code == 0, err
    assert "imported 3 new leads" in out
    got = {row["lead"].name: row for row in leads(db)}  # type: ignore[attr-defined]
    jim = got["Jim Brodo"]["lead"]
    assert (jim.phone, jim.company, jim.title) == ("+12125550143", "Brodo Inc", "VP Sales")
    assert jim.created_at.isoformat() == "2024-03-05T19:22:00+00:00"  # 14:22 New York, kept
    assert jim.status is LeadStatus.NEW
    assert got["Jim Brodo"]["extra"] == {
        "Record ID": "9001",
        "State/Region": "NY",
        "Country": "United States",
        "Lifecycle Stage": "lead",
    }
    bob = got["Bob Smith"]["lead"]
    assert (bob.phone, bob.timezone) == ("+442079460958", "Europe/London")
    assert bob.status is LeadStatus.NEW  # "Open", no create date: created now, status from row
    assert bob.created_at.isoformat() == "2026-11-23T19:00:00+00:00"


def test_salesforce_export_cp1252_semicolons(db_path: Path, tmp_path: Path, capsys) -> None:
    db = db_path
    code, out, err = run(db, "import", str(write(tmp_path, SALESFORCE)), "--json", capsys=capsys)
    assert code == 0, err
    report = json.loads(out)
    assert (report["encoding"], report["delimiter"], report["imported"]) == (
        "Windows-1252",
        "semicolon",
        2,
    )
    got = {row["lead"].name: row for row in leads(db)}  # type: ignore[attr-defined]
    jose = got["José Müller"]
    assert jose["lead"].company == "Café Olé GmbH"
    assert jose["lead"].temperature.value == "hot"
    assert jose["lead"].owner == "alice"
    assert jose["extra"] == {"Lead ID": "00Q5e00000AbCdE"}
    assert got["Ann Lee"]["lead"].status is LeadStatus.WORKING


def test_bom_quotes_newlines_tabs(db_path: Path, tmp_path: Path, capsys) -> None:
    text = 'Name\tCompany\tNotes\tPhone\n"Lee, Ann"\t"Acme ""Big"" Co"\t"line one\nline two"\t'
    text += "2125550100\n"
    db = db_path
    code, _, err = run(db, "import", str(write(tmp_path, "\ufeff" + text)), capsys=capsys)
    assert code == 0, err
    (row,) = leads(db)
    lead = row["lead"]
    assert (lead.name, lead.company, lead.notes) == (  # type: ignore[attr-defined]
        "Lee, Ann",
        'Acme "Big" Co',
        "line one\nline two",
    )


def test_bad_phones_refuse_everything_with_line_numbers(
    db_path: Path, tmp_path: Path, capsys
) -> None:
    db = db_path
    run(db, "add", "--name", "Kept", "--company", "K", "--phone", "2125550111", capsys=capsys)
    text = 'Name,Phone\nGood,2125550100\nBad,12\n"Multi\nline",555\nAlso good,3125550100\n'
    code, _, err = run(db, "import", str(write(tmp_path, text)), capsys=capsys)
    assert code == 1
    assert "line 3, column Phone:" in err and "line 4, column Phone:" in err
    assert "nothing imported: 2 problems in 2 rows" in err
    assert db_bytes(db) == 1


def test_skip_invalid_writes_rejects_next_to_the_input(
    db_path: Path, tmp_path: Path, capsys
) -> None:
    db = db_path
    text = "Name,Phone,Note\nGood,2125550100,\nBad,12,=cmd()\n"
    path = write(tmp_path, text, "crm.csv")
    code, out, err = run(db, "import", str(path), "--skip-invalid", capsys=capsys)
    assert code == 0, err
    assert "rejected 1 row: written to" in out and "crm.rejects.csv" in out
    with (tmp_path / "crm.rejects.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["line", "problems", "Name", "Phone", "Note"]
    assert rows[1][0] == "3" and rows[1][1].startswith("column Phone:")
    assert rows[1][2:] == ["Bad", "12", "'=cmd()"]  # formula neutralized in the rejects file
    assert db_bytes(db) == 1


def test_dry_run_writes_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    db = db_path
    code, out, _ = run(db, "import", str(write(tmp_path, HUBSPOT)), "--dry-run", capsys=capsys)
    assert code == 0
    assert "would import 3 new leads" in out and "dry run: nothing was written" in out
    assert db_bytes(db) == 0


def test_map_owner_and_default_region(db_path: Path, tmp_path: Path, capsys) -> None:
    db = db_path
    text = "Who,Direct Dial,Junk\nAnn Lee,020 7946 0958,x\n"
    path = write(tmp_path, text)
    code, _, err = run(
        db,
        "import",
        str(path),
        "--map",
        "Who=name",
        "--map",
        "direct-dial=phone",
        "--map",
        "JUNK=skip",
        "--default-region",
        "gb",
        "--owner",
        "carol",
        capsys=capsys,
    )
    assert code == 0, err
    (row,) = leads(db)
    lead = row["lead"]
    assert (lead.phone, lead.owner) == ("+442079460958", "carol")  # type: ignore[attr-defined]
    assert row["extra"] == {}


def test_bad_map_option_is_one_line(db_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(
        db_path,
        "import",
        str(write(tmp_path, HUBSPOT)),
        "--map",
        "X=nope",
        capsys=capsys,
    )
    assert code == 1 and err.count("\n") == 1 and "--map 'X=nope'" in err


def test_hostile_names_and_formulas_import_literally(db_path: Path, tmp_path: Path, capsys) -> None:
    names = [
        "[bold red]X[/]",
        "Acme [UK] Ltd",
        "Smith [/] Jr",
        "[@click=app.quit]y[/]",
        "[link=file:///etc/passwd]z[/]",
        "Wipe\x1b[2Jout",
        "Clip\x1b]52;c;SGVsbG8=\x07board",
        '\'=HYPERLINK("http://x")',
        "'+1+2",
        "@SUM(A1)",
    ]
    rows = "".join(
        f'"{n.replace(chr(34), chr(34) * 2)}",21255501{i:02d}\n' for i, n in enumerate(names)
    )
    db = db_path
    code, _, err = run(db, "import", str(write(tmp_path, "Name,Phone\n" + rows)), capsys=capsys)
    assert code == 0, err
    got = [row["lead"].name for row in leads(db)]  # type: ignore[attr-defined]
    assert got[:5] == names[:5]
    assert got[5] == "Wipe\ufffd[2Jout" and got[6] == "Clip\ufffd]52;c;SGVsbG8=\ufffdboard"
    assert got[7:] == ['=HYPERLINK("http://x")', "+1+2", "@SUM(A1)"]


def test_duplicate_rows_are_merged_not_doubled(db_path: Path, tmp_path: Path, capsys) -> None:
    text = "Name,Phone,Email,Title\nJim Brodo,2125550143,jim@b.com,\nJim Brodo,2125550143,"
    text += "jim@b.com,VP\nJames Brodo,(212) 555-0143,,\n"
    db = db_path
    code, out, err = run(db, "import", str(write(tmp_path, text)), capsys=capsys)
    assert code == 0, err
    assert "imported 1 new lead; merged 2 rows" in out
    (row,) = leads(db)
    assert row["lead"].title == "VP"  # type: ignore[attr-defined]
    code, out, _ = run(db, "import", str(write(tmp_path, text)), capsys=capsys)
    assert "imported 0 new leads; merged 3 rows" in out and db_bytes(db) == 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param(b"\n\n  \n", "the file is empty", id="blank"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 3: NUL bytes", id="binary"),
        pytest.param("Name,Phone\nAnn,1\n".encode("utf-16-le"), "NUL bytes", id="utf16-no-bom"),
        pytest.param(b"Name,Phone\nAnn \x81\x8d,2125550100\n", "line 2: byte 0x81", id="bad-bytes"),
        pytest.param(
            b"Email,Phone\na@b.co,2125550100\n", "no column holds a lead's name", id="no-name"
        ),
        pytest.param(
            b'Name,Phone\n"Ann"x,2125550100\n', "line 2: cannot read the CSV", id="bad-quote"
        ),
        pytest.param(
            b"Name,Phone\nAnn,2125550100,extra\n", "line 2, column (row): 3 cells", id="cells"
        ),
    ],
)
def test_unreadable_files_are_refused(
    db_path: Path, tmp_path: Path, capsys, data: bytes, reason: str
) -> None:
    db = db_path
    run(db, "add", "--name", "Kept", "--company", "K", "--phone", "2125550111", capsys=capsys)
    code, _, err = run(db, "import", str(write(tmp_path, data)), capsys=capsys)
    assert code == 1 and reason in err, err
    assert "Traceback" not in err
    assert db_bytes(db) == 1


def test_header_only_imports_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    db = db_path
    code, out, _ = run(db, "import", str(write(tmp_path, "Name,Phone\n")), capsys=capsys)
    assert code == 0 and "imported 0 new leads" in out and db_bytes(db) == 0


def test_ten_thousand_character_cells(db_path: Path, tmp_path: Path, capsys) -> None:
    long = "y" * 10_000
    db = db_path
    ok = f"Name,Notes,Website\nAnn,{long},{long}\n"
    code, _, err = run(db, "import", str(write(tmp_path, ok)), capsys=capsys)
    assert code == 0, err
    (row,) = leads(db)
    assert row["lead"].notes == long and row["extra"] == {"Website": long}  # type: ignore[attr-defined]
    code, _, err = run(db, "import", str(write(tmp_path, f"Name\n{long}\n")), capsys=capsys)
    assert code == 1 and "line 2, column Name: 10000 characters (at most 200)" in err
    assert db_bytes(db) == 1


def test_missing_file_is_one_line(db_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(db_path, "import", str(tmp_path / "nope.csv"), capsys=capsys)
    assert code == 1 and err.strip().endswith("nope.csv: no such file")


def test_a_large_file_is_checked_on_every_core_with_the_same_result(
    db_path: Path, tmp_path: Path, capsys
) -> None:
    """From PARALLEL_FROM rows validation runs in worker processes: line numbers, order and
    all-or-nothing stay exactly as in-process."""
    from callblock.services.import_workers import PARALLEL_FROM

    count = PARALLEL_FROM + 50
    rows = [f"Lead {n:05d},Co {n % 97},+1 212 55{n:05d}" for n in range(count)]
    bad = rows.copy()
    bad[count - 7] = "Broken,Co,12"  # file line count - 5 (1 = the header)
    db = db_path
    code, _, err = run(
        db, "import", str(write(tmp_path, "Name,Company,Phone\n" + "\n".join(bad))), capsys=capsys
    )
    assert code == 1 and f"line {count - 5}, column Phone:" in err
    assert db_bytes(db) == 0
    code, out, _ = run(
        db, "import", str(write(tmp_path, "Name,Company,Phone\n" + "\n".join(rows))), "--json",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0 and json.loads(out)["imported"] == count
    store = Store.open(db)
    try:
        names = [row[0] for row in store.conn.execute("SELECT name FROM leads ORDER BY id")]
    finally:
        store.close()
    assert names == [row.split(",")[0] for row in rows]  # ids follow the file's order


def test_an_unknown_default_region_is_one_error_naming_the_option(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = tmp_path / "crm.csv"
    csv_path.write_text("Name,Phone\nJim Brodo,212 555 0143\nAnn Lee,212 555 0144\n")
    db = db_path
    code = main(["--db", str(db), "import", str(csv_path), "--default-region", "XX"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        "callblock: error: default-region: 'XX' is not a country code like US, GB or DE"
    ]
