"""A remote rep's link, on a real pseudo-terminal: Esc and the next key in one write, an idle
prompt, the mouse moved without a click. Bytes are what the app writes to the terminal."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pty_terminal import PtyApp, demo_database

PROMPT_SHOWN = b"Esc cancel"  # the foot of the callback prompt


def touch_outcomes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT outcome FROM touches ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return demo_database(tmp_path / "team.db")


@pytest.fixture
def app(db: Path) -> Iterator[PtyApp]:
    running = PtyApp(db)
    try:
        running.settle()  # the power hour is drawn
        yield running
    finally:
        running.close()


def open_callback_prompt(app: PtyApp) -> None:
    start = len(app.output)
    app.write(b"l")
    assert app.read_until(PROMPT_SHOWN, since=start), app.output[start:]
    app.read_for(0.5)  # the rest of the frame


def test_esc_and_a_key_in_one_write_close_the_prompt_and_record_the_key(
    app: PtyApp, db: Path
) -> None:
    before = touch_outcomes(db)
    open_callback_prompt(app)
    app.write(b"\x1bv")  # Esc, then v (voicemail), arriving together over a slow link
    app.settle()
    assert touch_outcomes(db) == [*before, "voicemail"]  # the prompt closed; v was the outcome
    start = len(app.output)
    app.write(b"l")  # the power hour takes keys: a new prompt opens, so the old one is gone
    assert app.read_until(PROMPT_SHOWN, since=start)
    app.read_for(0.5)
    app.write(b"\x1b")  # Esc alone still just closes it
    app.settle()
    assert touch_outcomes(db) == [*before, "voicemail"]


def test_an_idle_open_prompt_sends_almost_nothing(app: PtyApp) -> None:
    open_callback_prompt(app)
    idle = app.read_for(3.0)
    assert len(idle) < 300, f"{len(idle)} bytes in 3 s idle: {idle[:200]!r}"


def test_the_app_asks_for_clicks_and_drags_but_not_for_every_motion(app: PtyApp) -> None:
    modes = re.findall(rb"\x1b\[\?([0-9;]+)h", bytes(app.output))
    assert b"1000" in modes and b"1006" in modes  # clicks, in SGR form
    assert b"1002" in modes  # drags (a button held)
    assert b"1003" not in modes  # never any-motion tracking


def test_mouse_motion_without_a_button_draws_nothing(app: PtyApp) -> None:
    # A terminal that reports motion anyway (or one that ignores the modes asked for): the
    # pointer crosses the card, up next and the key bar, cell by cell.
    moves = b"".join(b"\x1b[<35;%d;%dM" % (x, y) for y in range(2, 24, 2) for x in range(1, 80, 2))
    app.write(moves)
    drawn = app.read_for(1.5)
    assert len(drawn) < 50, f"{len(drawn)} bytes for mouse motion: {drawn[:200]!r}"
