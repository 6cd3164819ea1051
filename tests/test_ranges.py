"""The one window for dates (domain.ranges) at each edge that takes a date, and a second `demo`
on the same file."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from callblock.domain import ranges
from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.periods import PeriodError, parse_day
from callblock.domain.whenparse import WhenParseError, parse_when
from callblock.store import Store

NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(1970, 1, 1, tzinfo=UTC), True),
        (datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC), True),
        (datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), False),
        (datetime(2101, 1, 1, tzinfo=UTC), False),
        (datetime(1, 1, 1), False),
        (datetime.max, False),
        (datetime.fromisoformat("0001-01-01T00:00:00+05:00"), False),  # overflows in UTC
        (datetime.fromisoformat("9999-12-31T23:59:59-05:00"), False),
    ],
)
def test_the_window_holds_its_ends_and_nothing_beyond(moment: datetime, inside: bool) -> None:
    assert ranges.moment_in_window(moment) is inside


@pytest.mark.parametrize(
    "value", ["garbage", "", "2026-13-45T00:00:00+00:00", "0001-01-01T00:00:00+00:00", None, 7]
)
def test_stored_values_that_are_no_time_in_the_window(value: object) -> None:
    assert not ranges.stored_in_window(value)


@pytest.mark.parametrize("text", ["in 2000000 days", "in 99999999999 days", "9999-12-31"])
def test_when_outside_the_window_is_refused_with_the_window(text: str) -> None:
    with pytest.raises(WhenParseError, match="outside 1970-2100"):
        parse_when(text, NOW)
    with pytest.raises(WhenParseError, match="outside 1970-2100"):
        parse_when("in " + "9" * 5000 + " days", NOW)


@pytest.mark.parametrize("text", ["-99999999999", "-999999", "0001-01-01", "2101-01-01"])
def test_days_outside_the_window_are_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="outside 1970-2100"):
        parse_day(text, date(2026, 11, 23), field="--date")
    assert parse_day("1970-01-01", date(2026, 11, 23), field="--date") == ranges.FIRST_DAY


@pytest.mark.parametrize("name", ["A" * 5000, "A" * 65, "x\x1b[2J", "../../etc/passwd", ""])
def test_zone_names_too_long_or_unknown_are_refused(name: str) -> None:
    with pytest.raises(UnknownZoneError):
        zone_info(name)


def test_two_demo_runs_at_once_on_one_file_one_builds_the_other_refuses(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    Store.open(db).close()  # both find the schema in place
    command = [sys.executable, "-m", "callblock", "--db", str(db), "demo", "--leads", "3000"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, err in results if code == 1)
    assert refused.strip().splitlines() == [
        f"callblock: error: {db} already holds leads; demo data goes into an empty one"
    ]
    store = Store.open(db)
    try:
        assert store.admin.count("leads") == 3000
    finally:
        store.close()
