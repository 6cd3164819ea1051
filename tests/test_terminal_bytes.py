"""Bytes a remote rep's terminal receives (issue 9), cheaply on a pty without SSH (the benchmark
measures the same over real SSH: scripts/bench_ssh.py); and that sending only the changed cells
(callblock/terminal_frames.py) leaves a real terminal (tmux) showing what a full repaint shows."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pty_terminal import PtyApp, demo_database
from tests.test_e2e_tmux import CALLBLOCK, NOW, Tmux, usable

KB = 1000
PROMPT_SHOWN = b"Esc cancel"
REVIEW_LOADED = b"Enter: lead"  # the log's status line on the Review screen
# Every Review tab and back again, with a word each tab draws where the one before did not.
REVIEW_TABS = [(b"2", b"dials"), (b"3", b"weekday"), (b"4", b"missed"), (b"5", b"template")]
REVIEW_TABS += [(b"4", b"missed"), (b"3", b"weekday"), (b"2", b"dials"), (b"1", b"outcome")]


def outcomes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT outcome FROM touches ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return demo_database(tmp_path / "team.db", leads=20)


@pytest.fixture
def app(db: Path) -> Iterator[PtyApp]:
    running = PtyApp(db)
    try:
        running.settle()  # the power hour is drawn
        yield running
    finally:
        running.close()


def key(app: PtyApp, data: bytes, until: bytes | None = None) -> bytes:
    """The bytes the app writes for `data`, until it has been quiet for a while."""
    start = len(app.output)
    app.write(data)
    if until is not None:
        assert app.read_until(until, since=start), app.output[start:][-300:]
    else:
        deadline = time.monotonic() + 10
        while len(app.output) == start and time.monotonic() < deadline:
            app.read_for(0.05)
    app.settle()
    return bytes(app.output[start:])


def test_the_first_frame_holds_the_whole_power_hour(db: Path) -> None:
    """Textual paints the first screen inside its start-up batch and drops that frame; the
    frame after it then held only the regions changed since (notes, up next, keys) and the
    header and the lead's card came one to several frames later. The first frame written is
    the whole screen now: when the key bar arrives, the header and the card came before it
    (the frame is written top to bottom, in one write)."""
    app = PtyApp(db)
    try:
        assert app.read_until(b" import"), app.output[-300:]
        first = bytes(app.output)
    finally:
        app.close()
    header = " · alice · ".encode()  # the header: callblock · alice · the rep's time
    assert header in first and b"from phone" in first, first[-600:]  # and the card


def test_an_outcome_and_the_next_lead_fit_a_slow_link(app: PtyApp, db: Path) -> None:
    before = outcomes(db)
    for code in (b"n", b"v", b"b"):
        drawn = key(app, code)
        assert 0 < len(drawn) < 8 * KB, f"{len(drawn)} bytes for {code!r} -> next lead"
    assert outcomes(db) == [*before, "no-answer", "voicemail", "busy"]


def test_a_prompt_closing_on_the_next_lead_fits_a_slow_link(app: PtyApp, db: Path) -> None:
    before = outcomes(db)
    key(app, b"l", until=PROMPT_SHOWN)
    key(app, b"tomorrow 2pm")  # inside every demo lead's calling hours
    drawn = key(app, b"\r")  # Enter closes the prompt, records, shows the next lead
    assert 0 < len(drawn) < 8 * KB, f"{len(drawn)} bytes for a callback -> next lead"
    key(app, b"d", until=b"n / Esc no")
    drawn = key(app, b"y")
    assert 0 < len(drawn) < 8 * KB, f"{len(drawn)} bytes for do-not-call -> next lead"
    assert outcomes(db) == [*before, "callback", "dnc"]


def test_help_opens_within_its_budget_and_nothing_is_sent_twice(app: PtyApp) -> None:
    drawn = key(app, b"?", until=b"callblock keys")
    assert len(drawn) < 12 * KB, f"{len(drawn)} bytes to open help"
    key(app, b"\x1b")
    # Help again: the same cells as the first time, and the same screen after: about as much.
    again = key(app, b"?", until=b"callblock keys")
    assert len(again) < 12 * KB
    app.write(b"j")  # a key help ignores: nothing on the terminal changes, nothing is sent
    assert len(app.read_for(1.0)) < 100


@pytest.fixture
def review_db(tmp_path: Path) -> Path:
    """The bench's size: today's log has a few pages of touches, every tab has content."""
    return demo_database(tmp_path / "review.db", leads=300)


@pytest.fixture
def review(review_db: Path) -> Iterator[PtyApp]:
    argv = [CALLBLOCK, "--db", str(review_db), "--now", NOW, "--rep", "alice", "review"]
    running = PtyApp(review_db, argv=argv)
    try:
        assert running.read_until(REVIEW_LOADED), running.output[-300:]
        running.settle()  # the other tabs load in a worker
        yield running
    finally:
        running.close()


def test_every_review_tab_switch_fits_a_slow_link(review: PtyApp) -> None:
    """Issue 14: a team lead over SSH switches tabs in under 12 KB each (with every switch
    repainting the screen, before only changed cells were sent, 23-39 KB here)."""
    for tab, shown in REVIEW_TABS:
        drawn = key(review, tab)
        assert shown in drawn, f"tab {tab!r} not drawn: {drawn[-300:]!r}"
        assert len(drawn) < 12 * KB, f"{len(drawn)} bytes to switch to tab {tab!r}"


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_terminal_shows_what_a_full_repaint_shows(db: Path, tmp_path: Path) -> None:
    """After outcomes, prompts, help and search, tmux's screen (characters and colours) is the
    one a full repaint draws: forcing one (a resize there and back) changes nothing."""
    tmux = Tmux()
    env = {"TZ": "America/New_York", "TERM": "xterm-256color"}
    env["CALLBLOCK_CONFIG"] = str(tmp_path / "no-config.toml")
    try:
        argv = [CALLBLOCK, "dial", "--db", str(db), "--rep", "alice", "--now", NOW]
        tmux.start(argv, env, tmp_path / "exit-status")
        tmux.wait_for(usable, 20)
        steps = ["n", "?", "Escape", "l", "tomorrow 2pm", "Enter", "v", "/", "Escape", "e"]
        steps += ["x", "Escape", "d", "y"]
        for step in steps:
            tmux("send-keys", *(["-l", step] if " " in step else [step]))
            shown = quiet_screen(tmux)
        assert repainted(tmux) == shown
    finally:
        tmux.kill()


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_review_tab_switches_leave_what_a_full_repaint_shows(
    review_db: Path, tmp_path: Path
) -> None:
    """Every Review tab, there and back, and the log's rows scrolled: tmux's screen is the one
    a full repaint draws (no cell of the tab before is left)."""
    tmux = Tmux()
    env = {"TZ": "America/New_York", "TERM": "xterm-256color"}
    env["CALLBLOCK_CONFIG"] = str(tmp_path / "no-config.toml")
    try:
        argv = [CALLBLOCK, "review", "--db", str(review_db), "--rep", "alice", "--now", NOW]
        tmux.start(argv, env, tmp_path / "exit-status")
        tmux.wait_for(lambda lines: REVIEW_LOADED.decode() in "\n".join(lines), 20)
        # Each tab; back to the log and a page down its rows; heat map; back through them all.
        for keys in (["2", "3", "4", "5"], ["1", "PageDown"], ["3"], ["5", "4", "3", "2", "1"]):
            for step in keys:
                tmux("send-keys", step)
                shown = quiet_screen(tmux)
            assert repainted(tmux) == shown, f"after {keys}"
    finally:
        tmux.kill()


def repainted(tmux: Tmux) -> str:
    """The pane once a full repaint was forced (a resize there and back)."""
    tmux("resize-window", "-x", "70", "-y", "24")
    quiet_screen(tmux)
    tmux("resize-window", "-x", "80", "-y", "24")
    return quiet_screen(tmux)


def quiet_screen(tmux: Tmux, quiet: float = 0.6) -> str:
    """The pane's characters and colours once they have not changed for `quiet` seconds."""
    shown = tmux("capture-pane", "-p", "-e")
    changed = time.monotonic()
    while time.monotonic() - changed < quiet:
        time.sleep(0.05)
        if (now := tmux("capture-pane", "-p", "-e")) != shown:
            shown, changed = now, time.monotonic()
    return shown


def test_wide_characters_are_redrawn_whole_and_combining_ones_left_to_textual() -> None:
    from rich.console import Console
    from rich.segment import Segment
    from rich.style import Style
    from textual._compositor import LayoutUpdate
    from textual.geometry import Region
    from textual.strip import Strip

    from callblock.terminal_frames import FrameDiff

    console = Console(width=10, height=1, color_system="256", force_terminal=True)
    frames = FrameDiff()

    def sent(text: str) -> str:
        update = LayoutUpdate([[Strip([Segment(text, Style(color="red"))])]], Region(0, 0, 10, 1))
        return frames.update(update, console).render_segments(console)

    assert sent("ab日本cdef") == "\x1b[1H\x1b[0;31mab日本cdef\x1b[0m"
    assert sent("ab日xcdefg") == "\x1b[1;5H\x1b[0;31mxcdefg\x1b[0m"  # 本 -> x: from x on
    assert sent("ab日xcdefg") == ""  # nothing changed, nothing sent
    # b -> 日 covers the left half of the old 日: the whole run is redrawn from column 2.
    assert sent("a日日xcdef") == "\x1b[1;2H\x1b[0;31m日日xcdef\x1b[0m"
    # A combining accent: widths Textual and a terminal may count differently, sent as it is.
    assert "e\u0301" in sent("ae\u0301日xcdef")
    assert sent("ae\u0301日xcdef") != ""  # and the next frame is sent whole again


def test_ctrl_l_draws_the_whole_screen_again(app: PtyApp) -> None:
    """Only changed cells are sent, so text another program wrote to the terminal would stay:
    Ctrl+L repaints every cell (a full 80x24 frame), as terminal programs do."""
    drawn = key(app, b"\x0c")
    assert len(drawn) > 2 * KB, f"{len(drawn)} bytes: not a whole screen"
    assert b"callblock" in drawn and b"new lead" in drawn  # the header and the key bar too
