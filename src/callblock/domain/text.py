"""Cleaning of text from outside (lead fields, notes, CSV cells, rep names) at every edge.

Textual widgets interpret markup and pass raw escape sequences through to the terminal, so
outside text is cleaned on the way in and again on the way out, always by `clean_line` (one
line) or `clean_block` (notes): every widget, CLI table, CSV cell and report goes through them
and shows the result as plain text (never as markup). `cell` fits cleaned text into a fixed-width
terminal column; `to_json` is the one JSON writer (exact text, controls escaped).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

REPLACEMENT = "\ufffd"
# C0 controls (except tab and newline, handled per mode), DEL, C1 controls, bidi overrides
# and isolates, and the line/paragraph separators that break layout.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

# The one definition of each length limit. Text from outside that is longer is refused with a
# message naming the field (see `fit_line`/`fit_block`), never silently cut; `clean_line` and
# `clean_block` cap only what is shown.
NAME_MAX = 200  # a lead's name, a rep's name, a CSV header kept as an extra field's name
FIELD_MAX = 500  # any other one-line field (company, title, email, owner, a link, ...)
NOTE_MAX = 20_000  # research notes, an extra field's value
TOUCH_NOTE_MAX = 1_000  # the one-line note on a dial outcome


class TooLongError(ValueError):
    """Text longer than its limit: the message names the field, the length and the limit."""


def too_long(field: str, length: int, max_len: int) -> str:
    return f"{field}: {length} characters (at most {max_len})"


# Escaped as \uXXXX in JSON (json.dumps already escapes C0): DEL, C1, bidi marks, overrides
# and isolates, line/paragraph separators. The text stays exact; only its spelling changes.
_JSON_ESCAPED = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# Invisible format characters (zero-width space/joiners, soft hyphen, word joiner, BOM): kept in
# stored text, JSON and CSV, but dropped from a fixed-width table cell, where terminals disagree
# on their width and they would shift the columns after them.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def clean_line(value: object, max_len: int | None = FIELD_MAX) -> str:
    """One line of plain text: controls replaced, tabs and newlines folded to spaces, capped
    (`max_len=None`: not capped, for complete exports)."""
    if value is None:
        return ""
    if type(value) is str and value.isprintable():
        # no control, separator or bidi character (only the ASCII space): nothing to replace
        return _cap(value.strip(), max_len)
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = text.replace("\t", " ")
    text = _UNSAFE.sub(REPLACEMENT, text).strip()
    return _cap(text, max_len)


def clean_block(value: object, max_len: int | None = NOTE_MAX) -> str:
    """Multi-line plain text (notes): newlines kept, tabs to spaces, controls replaced, capped
    (`max_len=None`: not capped, for complete exports and whole lines of CLI output)."""
    if value is None:
        return ""
    if type(value) is str and value.isprintable():  # most notes: nothing to replace
        return _cap(value, max_len)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _UNSAFE.sub(REPLACEMENT, text)
    return _cap(text, max_len)


def fit_line(value: object, max_len: int = FIELD_MAX, *, field: str) -> str:
    """`clean_line` that refuses (TooLongError naming `field`) instead of cutting."""
    text = clean_line(value, None)
    if len(text) > max_len:
        raise TooLongError(too_long(field, len(text), max_len))
    return text


def fit_block(value: object, max_len: int = NOTE_MAX, *, field: str) -> str:
    """`clean_block` that refuses (TooLongError naming `field`) instead of cutting."""
    text = clean_block(value, None)
    if len(text) > max_len:
        raise TooLongError(too_long(field, len(text), max_len))
    return text


def neutralize(text: str, *, multiline: bool) -> str:
    """Replace control characters as text is typed or pasted (no trimming, no length cap)."""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    else:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _UNSAFE.sub(REPLACEMENT, text)


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 lead", "2 leads", "0 rows": the count and its noun agreeing (`many` for an irregular
    plural, e.g. plural(n, "callback/meeting", "callbacks/meetings"))."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def display_width(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian, emoji) 2, combining and format marks 0."""
    return sum(_char_width(char) for char in text)


def cell(value: object, width: int, align: str = "<") -> str:
    """`value` cleaned for one fixed-width terminal column: invisible characters dropped, cut
    to `width` cells and padded to exactly `width` (`align` "<" left, ">" right)."""
    text = _INVISIBLE.sub("", clean_line(value, None))
    used, kept = 0, []
    for char in text:
        size = _char_width(char)
        if used + size > width:
            break
        used += size
        kept.append(char)
    pad = " " * (width - used)
    return "".join(kept) + pad if align == "<" else pad + "".join(kept)


def to_json(data: Any, *, indent: int | None = None, ascii_only: bool = False) -> str:
    """The one JSON writer (every --json, export and report): the exact text, with C0 and C1
    controls, DEL and bidi controls spelled as \\uXXXX so a terminal or viewer never acts on
    them. `ascii_only` escapes every non-ASCII character (for a non-UTF-8 stdout)."""
    text = json.dumps(data, ensure_ascii=ascii_only, indent=indent)
    return text if ascii_only else _JSON_ESCAPED.sub(_json_escape, text)


def ascii_only_for(stream: object) -> bool:
    """True when `stream` cannot write any Unicode text (its encoding is not UTF-8)."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding not in ("utf-8", "utf8", "utf-8-sig", "utf-16", "utf-32")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _cap(text: str, max_len: int | None) -> str:
    if max_len is None or len(text) <= max_len:
        return text
    return text[: max_len - 1] + "…"
