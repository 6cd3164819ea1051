"""Send a remote rep's terminal only the cells that changed (SSH at 80x24, 256 colours).

Textual repaints whole regions: a screen coming back from a prompt or the help repaints all of
it (~14.7 KB over SSH), a new lead repaints the card, notes, history, up next, status and key
bar even where their text did not change, and some updates are painted twice in a row (the help
opened in four paints of ~7 KB). Every painted cell costs its character and, with each styled
segment reset and restyled, ~10 bytes of colour codes per segment.

FrameDiff keeps what the terminal shows now, one cell (character, colour codes) per column, and
turns each of Textual's updates (`LayoutUpdate`, `ChopsUpdate`: the compositor's strips at
known positions) into the cells that differ from it, written as runs: a cursor move, and the
colour codes only where they change (callblock/terminal_codes.py: the shortest move, and only
the codes that differ from the cell before, never a reset and the whole style for a colour).
What is on the terminal is the same as Textual's own output would leave it; unchanged cells
are simply not sent again.

It forgets the terminal (and the next update is sent in full) when it cannot be sure of it: a
resize, the app starting, stopping, suspending or resuming, a screen clear written by anything
else, a hyperlink, or text whose width Textual and this module would count differently.
Inline apps and headless tests never use it (see CallblockApp._display).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.control import ControlType
from rich.style import Style
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.strip import Strip

from callblock.terminal_codes import cursor_move, sgr_change

Cell = tuple[str, str]  # (text, SGR codes); text "" is the right half of a wide character
WIDE_RIGHT = ""


class CellsUpdate(CompositorUpdate):
    """Already-rendered terminal output, for App._display."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render_segments(self, console: Console) -> str:
        return self.text


class FrameDiff:
    def __init__(self) -> None:
        self.rows: list[list[Cell | None]] = []  # None: not known to be on the terminal
        self._codes: dict[Style, str] = {}

    def forget(self) -> None:
        """The terminal may show anything: the next update is sent whole."""
        self.rows = []

    def update(self, update: CompositorUpdate, console: Console) -> CompositorUpdate:
        """The cells of `update` that change the terminal, or `update` itself when unsure."""
        if not isinstance(update, LayoutUpdate | ChopsUpdate):
            self.forget()
            return update
        width, height = console.size
        if len(self.rows) != height or any(len(row) != width for row in self.rows):
            self.rows = [[None] * width for _ in range(height)]
        changed = self._apply(update, console, width, height)
        if changed is None:
            self.forget()
            return update
        return CellsUpdate(self._render(changed))

    def _apply(
        self, update: CompositorUpdate, console: Console, width: int, height: int
    ) -> dict[int, set[int]] | None:
        """Write the update into `rows`; the changed columns of each line (None: unsure)."""
        changed: dict[int, set[int]] = {}
        x = y = 0
        for segment in update.__rich_console__(console, console.options):  # type: ignore[attr-defined]
            if segment.control:
                for control in segment.control:
                    if control[0] != ControlType.CURSOR_MOVE_TO:
                        return None
                    x, y = int(control[1]), int(control[2])
                continue
            text = segment.text
            if text == "\n":
                continue
            style = segment.style
            if style is not None and style.link:
                return None  # hyperlinks are written around the text: leave them to Textual
            codes = self._sgr(style, console)
            row = self.rows[y] if 0 <= y < height else None
            cells = _cells(text, codes)
            if cells is None or row is None:
                return None
            end = min(x + len(cells), width)
            fits = cells[: max(end - x, 0)]
            if row[x:end] != fits:  # most of a repainted region is what the terminal shows
                for offset, cell in enumerate(fits):
                    if row[x + offset] != cell:
                        _put(row, x + offset, cell, changed.setdefault(y, set()), width)
            x = max(x, end)
        return changed

    def _sgr(self, style: Style | None, console: Console) -> str:
        if style is None:
            return ""
        codes = self._codes.get(style)
        if codes is None:
            system = console._color_system  # what Textual's Strip.render uses
            codes = self._codes[style] = Strip.render_ansi(style, system) if system else ""
        return codes

    def _render(self, changed: dict[int, set[int]]) -> str:
        out: list[str] = []
        pen: str | None = None  # the terminal's colour codes: not known at a frame's start
        at: tuple[int, int] | None = None  # the cursor (column, row): not known either
        for y in sorted(changed):
            row = self.rows[y]
            for start, end in _runs(sorted(changed[y]), row):
                out.append(cursor_move(at, (start, y)))
                for x in range(start, end):
                    cell = row[x]
                    if cell is None:  # unknown, or a wide character's broken left half
                        cell = row[x] = (" ", "")
                    text, codes = cell
                    if text == WIDE_RIGHT:
                        continue
                    out.append(sgr_change(pen, codes))
                    pen = codes
                    out.append(text)
                # Past the last column terminals disagree on where the cursor is (a pending
                # wrap, or kept on the last column): the next run moves there absolutely.
                at = (end, y) if end < len(row) else None
        if pen:
            out.append("\x1b[0m")
        return "".join(out)


def _put(row: list[Cell | None], x: int, cell: Cell, changed: set[int], width: int) -> None:
    """Write a cell that differs from what the terminal shows at x."""
    old = row[x]
    # Writing over half of a wide character blanks its other half.
    if old is not None and old[0] == WIDE_RIGHT and cell[0] and _wide(row[x - 1]):
        row[x - 1] = None
        changed.add(x - 1)
    if _wide(old) and cell_len(cell[0]) != 2 and x + 1 < width:
        row[x + 1] = None
        changed.add(x + 1)
    row[x] = cell
    changed.add(x)


def _wide(cell: Cell | None) -> bool:
    return cell is not None and cell_len(cell[0]) == 2


def _cells(text: str, codes: str) -> list[Cell] | None:
    """One cell per column; None when the characters' widths do not add up to the text's (a
    grapheme the terminal may draw differently: Textual's output is sent as it is)."""
    if text.isascii() and text.isprintable():  # most text: one cell per character
        return [(character, codes) for character in text]
    cells: list[Cell] = []
    for character in text:
        size = cell_len(character)
        if size == 1:
            cells.append((character, codes))
        elif size == 2:
            cells += [(character, codes), (WIDE_RIGHT, codes)]
        else:
            return None  # zero-width (combining, joiners) or wider
    return cells if len(cells) == cell_len(text) else None


def _runs(columns: list[int], row: list[Cell | None]) -> list[tuple[int, int]]:
    """Runs [start, end) covering the changed columns, joined across unchanged gaps that are
    cheaper to send again than to jump over, and widened so that no run starts or ends inside
    a wide character."""
    runs: list[list[int]] = []
    for x in columns:
        if runs and x == runs[-1][1] and row[x] is not None and row[x - 1] is not None:
            runs[-1][1] = x + 1  # the next column: what _resend_is_cheaper says, sooner
        elif runs and _resend_is_cheaper(row, runs[-1][1], x):
            runs[-1][1] = x + 1
        else:
            runs.append([x, x + 1])
    for run in runs:
        cell = row[run[0]]
        if run[0] > 0 and cell is not None and cell[0] == WIDE_RIGHT:
            run[0] -= 1
        last = row[run[1] - 1]
        if run[1] < len(row) and last is not None and last[0] and cell_len(last[0]) == 2:
            run[1] += 1
    return [(start, end) for start, end in runs]


def _resend_is_cheaper(row: list[Cell | None], end: int, x: int) -> bool:
    """Whether writing the unchanged cells [end, x) again costs no more bytes than a cursor
    move over them (a run just ended at `end`, the next changed cell is at `x`)."""
    before, after = row[end - 1], row[x]
    if before is None or after is None:
        return False
    jump = len(cursor_move((end, 0), (x, 0))) + len(sgr_change(before[1], after[1]))
    resend = 0
    pen = before[1]
    for cell in row[end:x]:
        if cell is None:
            return False  # not known to be on the terminal: never written unasked
        resend += len(cell[0].encode()) + len(sgr_change(pen, cell[1]))
        pen = cell[1]
        if resend > jump:
            return False
    return resend + len(sgr_change(pen, after[1])) <= jump
