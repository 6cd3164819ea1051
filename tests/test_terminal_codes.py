"""The escape sequences the frame differ writes (callblock/terminal_codes.py): only the colour or
attribute that changes, the shortest cursor move; and, read back by a small terminal model of
their own, frames sent as changed cells leave the screen a full repaint would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from callblock.terminal_codes import cursor_move, sgr_change
from callblock.terminal_frames import FrameDiff

WIDTH, HEIGHT = 12, 3
BG = "48;5;233"


def test_a_colour_change_sends_that_colour_only() -> None:
    assert sgr_change(f"38;5;253;{BG}", f"38;5;112;{BG}") == "\x1b[38;5;112m"
    assert sgr_change(BG, f"38;5;253;{BG}") == "\x1b[38;5;253m"
    assert sgr_change(f"38;5;253;{BG}", BG) == "\x1b[39m"  # back to the default colour
    assert sgr_change(f"38;5;253;{BG}", f"38;5;253;{BG}") == ""


def test_attributes_are_turned_off_alone_and_a_reset_sent_when_shorter() -> None:
    assert sgr_change(f"1;38;5;253;{BG}", f"38;5;253;{BG}") == "\x1b[22m"
    # 22 turns off bold and dim together: the one that stays is set again.
    assert sgr_change("1;2;31", "1;31") == "\x1b[22;1m"
    assert sgr_change("7;31;44", "31;44") == "\x1b[27m"
    assert sgr_change("1;31", "") == "\x1b[0m"
    assert sgr_change("4", "21") == "\x1b[0;21m"  # "24;21" is longer than a reset
    assert sgr_change(None, "1;31") == "\x1b[0;1;31m"  # the terminal's state is not known
    assert sgr_change("31", "73;31") == "\x1b[0;73;31m"  # a code it does not know: reset


def test_cursor_moves_are_the_shortest_that_are_safe() -> None:
    assert cursor_move(None, (0, 0)) == "\x1b[1H"
    assert cursor_move(None, (4, 2)) == "\x1b[3;5H"
    assert cursor_move((5, 3), (6, 3)) == "\x1b[C"
    assert cursor_move((5, 3), (9, 3)) == "\x1b[4C"
    assert cursor_move((9, 3), (7, 3)) == "\x1b[2D"
    assert cursor_move((70, 3), (1, 3)) == "\r\x1b[C"
    assert cursor_move((70, 3), (0, 3)) == "\r"
    # Another row: the column is counted from the line's start, as CUP does.
    assert cursor_move((5, 11), (0, 12)) == "\x1b[B\r"
    assert cursor_move((5, 11), (3, 12)) == "\x1b[13;4H"  # CUD CR CUF would be longer
    assert cursor_move((5, 3), (40, 12)) == "\x1b[13;41H"


def _frame(rows: list[list[tuple[str, Style]]]) -> LayoutUpdate:
    strips = [Strip([Segment(text, style) for text, style in row]) for row in rows]
    return LayoutUpdate([[strip] for strip in strips], Region(0, 0, WIDTH, len(rows)))


CONSOLE = Console(width=WIDTH, height=HEIGHT, color_system="256", force_terminal=True)


def test_zebra_rows_change_their_background_only() -> None:
    frames = FrameDiff()
    dark, light = Style(color="grey93", bgcolor="grey7"), Style(color="grey93", bgcolor="grey15")
    frames.update(_frame([[("a" * WIDTH, dark)], [("b" * WIDTH, light)]]), CONSOLE)
    sent = frames.update(_frame([[("a" * WIDTH, light)], [("b" * WIDTH, dark)]]), CONSOLE)
    text = sent.render_segments(CONSOLE)
    assert text == (
        "\x1b[1H\x1b[0;38;5;255;48;5;235m"
        + "a" * WIDTH  # the frame's first: a reset
        # row 2 from the last column: an absolute move; its background only
        + "\x1b[2H\x1b[48;5;233m"
        + "b" * WIDTH
        + "\x1b[0m"
    )


def test_short_unchanged_gaps_are_sent_again_long_ones_jumped() -> None:
    frames = FrameDiff()
    plain = Style(color="red")
    frames.update(_frame([[("abcdefghijkl", plain)]]), CONSOLE)
    sent = frames.update(_frame([[("Xbcdefghij", plain), ("K", plain), ("l", plain)]]), CONSOLE)
    # b..j unchanged: 9 cells cost more than a 5-byte jump; K alone at column 10.
    assert sent.render_segments(CONSOLE) == "\x1b[1H\x1b[0;31mX\x1b[9CK\x1b[0m"
    sent = frames.update(_frame([[("XbYdefghijKl", plain)]]), CONSOLE)
    assert sent.render_segments(CONSOLE) == "\x1b[1;3H\x1b[0;31mY\x1b[0m"
    sent = frames.update(_frame([[("ZbZdefghijKl", plain)]]), CONSOLE)
    assert sent.render_segments(CONSOLE) == "\x1b[1H\x1b[0;31mZbZ\x1b[0m"  # b again: 1 byte


# A terminal model of the test's own: what a screen shows after the bytes written to it.
OFF = {22: {1, 2}, 23: {3}, 24: {4, 21}, 25: {5, 6}, 27: {7}, 28: {8}, 29: {9}, 54: {51, 52}}
TOKENS = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])|(\r)|(\n)|(.)", re.S)


class Terminal:
    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[str, object]] = {}
        self.x = self.y = 0
        self.attrs: set[int] = set()
        self.fg: tuple[int, ...] | None = None
        self.bg: tuple[int, ...] | None = None

    def feed(self, data: str) -> None:
        for params, final, _cr, _lf, char in TOKENS.findall(data):
            if _cr:
                self.x = 0
            elif char:
                assert 0 <= self.x < WIDTH and 0 <= self.y < HEIGHT, (self.x, self.y)
                self.cells[self.x, self.y] = (char, (frozenset(self.attrs), self.fg, self.bg))
                self.x = min(self.x + 1, WIDTH - 1)  # autowrap off (Textual's ?7l)
            elif final == "m":
                self._sgr([int(n) for n in params.split(";")] if params else [0])
            elif final:
                self._move(params, final)

    def _sgr(self, codes: list[int]) -> None:
        n = 0
        while n < len(codes):
            code = codes[n]
            if code in (38, 48):
                size = 3 if codes[n + 1] == 5 else 5
                if code == 38:
                    self.fg = tuple(codes[n : n + size])
                else:
                    self.bg = tuple(codes[n : n + size])
                n += size
                continue
            if code == 0:
                self.attrs, self.fg, self.bg = set(), None, None
            elif code in OFF:
                self.attrs -= OFF[code]
            elif code in (39, 49):
                self.fg, self.bg = (None, self.bg) if code == 39 else (self.fg, None)
            elif 30 <= code <= 37 or 40 <= code <= 47:
                self.fg, self.bg = ((code,), self.bg) if code < 40 else (self.fg, (code,))
            else:
                self.attrs.add(code)
            n += 1

    def _move(self, params: str, final: str) -> None:
        if final == "H":
            row, _, column = params.partition(";")
            self.y, self.x = int(row or 1) - 1, int(column or 1) - 1
            return
        count = int(params or 1)
        if final in "AB":
            self.y += count if final == "B" else -count
        elif final in "CD":
            self.x += count if final == "C" else -count


STYLES = [
    Style(),
    Style(color="red"),
    Style(color="grey93", bgcolor="grey7"),
    Style(color="grey93", bgcolor="grey15", bold=True),
    Style(color="green", bgcolor="grey7", dim=True),
    Style(bold=True, dim=True, italic=True),
    Style(bold=True, color="red"),
    Style(bold=True, dim=True, color="red"),
    Style(reverse=True, color="blue"),
    Style(underline=True, strike=True, bgcolor="grey7"),
]
cells = st.tuples(st.sampled_from("ab ─"), st.sampled_from(range(len(STYLES))))
frame = st.lists(st.lists(cells, min_size=WIDTH, max_size=WIDTH), min_size=HEIGHT, max_size=HEIGHT)


@settings(max_examples=150, deadline=None)
@given(st.lists(frame, min_size=1, max_size=5))
def test_changed_cells_leave_the_screen_a_full_repaint_draws(frames: list[list]) -> None:
    """Whatever the frames before, the screen after each one is what Textual's own output of
    that frame draws on a blank terminal."""
    differ = FrameDiff()
    terminal = Terminal()
    for rows in frames:
        update = _frame([[(text, STYLES[s]) for text, s in row] for row in rows])
        terminal.feed(differ.update(update, CONSOLE).render_segments(CONSOLE))
        full = Terminal()
        full.feed(update.render_segments(CONSOLE))  # Textual's: a reset and style per segment
        assert terminal.cells == full.cells
