"""The hostile strings every outside-text field is fed in the output tests, and the scan."""

from __future__ import annotations

import csv
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from callblock.clock import FixedClock, parse_iso
from callblock.config import Settings
from callblock.services import dialing, sessions
from callblock.services.leads import add_lead
from callblock.store import Store
from tests.conftest import ZONE

NOW = "2026-11-23T19:00:00Z"  # Monday 14:00 in New York (conftest.NOW)
RULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;BYMINUTE=0"
HOSTILE = [
    pytest.param("Smith [/] Jr", id="close-tag"),
    pytest.param("Acme [UK] Ltd", id="brackets"),
    pytest.param("[@click=app.quit]x[/]", id="click-action"),
    pytest.param("[link=http://x]y[/]", id="link"),
    pytest.param("Clip\x1b]52;c;aGVsbG8=\x07board", id="osc52-clipboard"),
    pytest.param("\x1b]8;;http://x\x1b\\y\x1b]8;;\x1b\\", id="osc8-hyperlink"),
    pytest.param("Wipe\x1b[2Jout", id="csi-clear"),
    pytest.param("Wipe\x9b2Jout", id="c1-csi"),
    pytest.param("Abc\u202eevil\u2066x\u2069", id="bidi-override"),
    pytest.param("Ac\u200dme\u200d Co", id="zero-width-joiner"),
]
# What may never reach a terminal, a spreadsheet or a JSON reader's screen: C0 controls but
# the newline (a CSV line ends "\r\n": check after folding those), DEL, C1, bidi overrides
# and isolates, line/paragraph separators.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


def unsafe_in(text: str) -> list[str]:
    """The unsafe characters in `text` (empty: clean)."""
    return sorted({repr(char) for char in UNSAFE.findall(text.replace("\r\n", "\n"))})


def assert_clean_bytes(data: bytes, where: str) -> None:
    """Raw bytes written (UTF-8): no ESC, no 8-bit CSI, no C0/C1 or bidi controls."""
    assert b"\x1b" not in data, f"ESC in {where}"
    found = unsafe_in(data.decode("utf-8"))
    assert not found, f"{found} in {where}:\n{data.decode('utf-8')[:2000]}"


def poisoned_db(tmp_path: Path, value: str) -> tuple[Path, Path, dict[str, int]]:
    """A database whose every outside-text field holds `value` raw, and a config whose block
    name does; returns (db, config, lead ids)."""
    db = tmp_path / "cb.db"
    store = Store.open(db)
    clock = FixedClock(parse_iso(NOW) - timedelta(hours=3))
    try:
        ids = {
            key: add_lead(
                store, clock, name=key, company="Co", phone=phone, tz=ZONE, settings=Settings()
            )
            for key, phone in (
                ("a", "+1 212 555 0101"),
                ("b", "+1 212 555 0101"),
                ("c", "+1 212 555 0102"),  # never called: first in the queue
            )
        }
        block = sessions.start_session(store, clock, rep="r", block_name="b", target=60)
        clock.set(clock.now() + timedelta(minutes=10))
        dialing.record_outcome(
            store,
            clock,
            rep="r",
            lead_id=ids["a"],
            code="callback",
            when=parse_iso(NOW) + timedelta(hours=1),
            session_id=block.id,
            settings=Settings(),
        )
        dialing.record_outcome(
            store, clock, rep="r", lead_id=ids["b"], code="busy", note="x", settings=Settings()
        )
        sessions.end_session(store, clock, block)
        raw = store.conn.execute
        with store.transaction():
            for key, lead_id in ids.items():
                raw(
                    "UPDATE leads SET name = ?, company = ?, title = ?, email = ?, owner = ?, "
                    "notes = ?, extra = ? WHERE id = ?",
                    (
                        key.upper() + value,
                        f"C{value}",
                        f"T{value}",
                        f"E{value}",
                        f"O{value}" if key == "a" else None,  # a's promise is not due yet
                        f"notes\n{value}\tend",
                        json.dumps({f"X{value}": f"V{value}"}),
                        lead_id,
                    ),
                )
            raw("UPDATE touches SET rep = ?, note = ?", (f"R{value}", f"N{value}"))
            raw("UPDATE callbacks SET rep = ?", (f"P{value}",))
            raw("UPDATE sessions SET rep = ?, block_name = ?", (f"R{value}", f"S{value}"))
    finally:
        store.close()
    config = tmp_path / "config.toml"
    config.write_text(
        f'timezone = "{ZONE}"\n[block]\nname = {json.dumps(f"B{value}")}\n'
        f'[[blocks]]\nname = {json.dumps(f"B{value}")}\nrule = "{RULE}"\n',
        encoding="utf-8",
    )
    return db, config, ids


def hostile_csv(tmp_path: Path, value: str) -> Path:
    """An import file with `value` in every column, an unknown (extra) column, a bad row."""
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Name", "Company", "Phone", "Email", "Title", "Notes", f"H{value}"])
        writer.writerow(
            [f"I{value}", f"C{value}", "+1 415 555 0199", "", f"T{value}", value, value]
        )
        writer.writerow([f"J{value}", f"C{value}", f"bad{value}", "", "", "", value])
    return path
