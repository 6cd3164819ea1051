"""The shortest escape sequences from what the terminal is set to now to what the next cells need
(callblock/terminal_frames.py writes its runs of changed cells with them).

- Colours and attributes: only what changes. Turning one attribute on, or one colour to another,
  costs its own codes (`ESC[38;5;112m`, 11 bytes) instead of a reset and the whole style again
  (`ESC[0;38;5;112;48;5;233m`, 20 bytes): most neighbouring cells differ in one colour. A reset
  is still sent when it is as short, or when an attribute cannot be turned off alone.
- Cursor moves: relative ones (VT100's CUU/CUD/CUF/CUB and CR) when shorter than CUP, but only
  from a position known for sure (never after the last column, where terminals differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# The code that turns each attribute off (ECMA-48); some turn off two (22: bold and dim).
OFF = {1: 22, 2: 22, 3: 23, 4: 24, 21: 24, 5: 25, 6: 25, 7: 27, 8: 28, 9: 29}
OFF |= {51: 54, 52: 54, 53: 55}
DEFAULTS = {"fg": "39", "bg": "49", "ul": "59"}


@dataclass(frozen=True)
class Pen:
    """An SGR state: its attribute codes and its colours (None: the terminal's default)."""

    attributes: frozenset[int]
    fg: str | None
    bg: str | None
    ul: str | None  # underline colour


def parse(codes: str) -> Pen | None:
    """The state a reset plus `codes` (Textual's `Strip.render_ansi`) sets; None when a code is
    not one this module knows how to change on its own."""
    attributes: set[int] = set()
    colours: dict[str, str | None] = {"fg": None, "bg": None, "ul": None}
    try:
        numbers = [int(n) for n in codes.split(";")] if codes else []
    except ValueError:
        return None
    n = 0
    while n < len(numbers):
        code = numbers[n]
        if code in (38, 48, 58):
            size = {5: 3, 2: 5}.get(numbers[n + 1] if n + 1 < len(numbers) else -1)
            if size is None or n + size > len(numbers):
                return None
            slot = {38: "fg", 48: "bg", 58: "ul"}[code]
            colours[slot] = ";".join(map(str, numbers[n : n + size]))
            n += size
            continue
        if 30 <= code <= 37 or 90 <= code <= 97:
            colours["fg"] = str(code)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            colours["bg"] = str(code)
        elif code in (39, 49, 59):
            colours[{39: "fg", 49: "bg", 59: "ul"}[code]] = None
        elif code in OFF:
            attributes.add(code)
        else:
            return None
        n += 1
    return Pen(frozenset(attributes), colours["fg"], colours["bg"], colours["ul"])


@lru_cache(maxsize=4096)
def sgr_change(old: str | None, new: str) -> str:
    """The SGR sequence that takes the terminal from codes `old` (None: not known) to `new`."""
    if old == new:
        return ""
    full = f"\x1b[0;{new}m" if new else "\x1b[0m"
    if old is None:
        return full
    before, after = parse(old), parse(new)
    if before is None or after is None:
        return full
    offs = sorted({OFF[a] for a in before.attributes - after.attributes})
    # An off code may turn off more than the attribute that went (22: bold and dim): set again.
    ons = {a for a in after.attributes if a not in before.attributes or OFF[a] in offs}
    params = [str(code) for code in offs] + [str(code) for code in sorted(ons)]
    for slot in ("fg", "bg", "ul"):
        if (colour := getattr(after, slot)) != getattr(before, slot):
            params.append(colour or DEFAULTS[slot])
    delta = f"\x1b[{';'.join(params)}m"
    return delta if len(delta) < len(full) else full


def cursor_move(at: tuple[int, int] | None, to: tuple[int, int]) -> str:
    """The shortest sequence moving the cursor from `at` (column, row; None: not known) to `to`.
    On another row the column is counted from the line's start (CR), as CUP would: a character
    a terminal draws wider than Textual counts it shifts the rest of its own line only."""
    x, y = to
    absolute = f"\x1b[{y + 1};{x + 1}H" if x else f"\x1b[{y + 1}H"
    if at is None:
        return absolute
    ax, ay = at
    home = "\r" + (_repeat(x, "C") if x else "")
    if y == ay:
        columns = x - ax
        across = "" if columns == 0 else _repeat(abs(columns), "C" if columns > 0 else "D")
        relative = min(across, home, key=len)
    else:
        relative = _repeat(abs(y - ay), "B" if y > ay else "A") + home
    return relative if len(relative) < len(absolute) else absolute


def _repeat(count: int, final: str) -> str:
    return f"\x1b[{final}" if count == 1 else f"\x1b[{count}{final}"
