"""`callblock import` on a terminal shows a progress bar with rows per second and the time
left; piped or with --json it prints none."""

from __future__ import annotations

import re
from pathlib import Path

from callblock.cli.imports import ProgressLine
from tests.pty_terminal import CALLBLOCK, NOW, PtyApp


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_shows_the_rate_since_the_phase_began_and_the_time_left() -> None:
    ticks = Ticks()
    line = ProgressLine(clock=ticks)
    assert line.line("checking", 0, 100_000).startswith("checking [----------------] 0/100,000 ")
    ticks.now += 4.0
    text = line.line("checking", 40_000, 100_000)
    assert "[######----------] 40,000/100,000  10,000 rows/s  6 s left" in text
    ticks.now += 6.0
    assert line.line("checking", 100_000, 100_000).rstrip().endswith("100,000  10,000 rows/s")
    line.line("writing", 0, 100_000)  # a new phase: its own rate
    ticks.now += 1.0
    assert "1,000 rows/s  1 min 39 s left" in line.line("writing", 1_000, 100_000)
    assert len(line.line("writing", 2_000, 100_000)) == 79  # rewrites earlier lines whole
    longest = line.line("writing", 1, 100_000)
    assert longest.rstrip().endswith("1 rows/s  27 h 46 min left") and len(longest) < 80
    ticks.now += 10.0
    assert len(line.line("checking", 99_999, 100_000)) < 80


def test_an_import_on_a_terminal_draws_the_bar(tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    rows = [f"Lead {n},Co {n % 40},+1 312 55{n:05d}" for n in range(3000)]
    source.write_text("Name,Company,Phone\n" + "\n".join(rows) + "\n")
    db = tmp_path / "cb.db"
    app = PtyApp(db, argv=[CALLBLOCK, "--db", str(db), "--now", NOW, "import", str(source)])
    try:
        assert app.read_until(b"imported 3000 new leads", seconds=60)
    finally:
        app.close()
    shown = app.output.decode()
    assert re.search(r"checking \[#+-*\] [\d,]+/3,000 +[\d,]+ rows/s", shown)
    assert "\r" in shown  # one line, rewritten in place
