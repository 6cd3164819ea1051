"""Cleaning of text from outside (lead fields, notes, CSV cells) at the edge.

Textual widgets interpret markup and pass raw escape sequences through to the terminal, so
outside text is cleaned here once and then always shown as plain text (never as markup).
"""

from __future__ import annotations

import re

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


def clean_line(value: object, max_len: int = FIELD_MAX) -> str:
    """One line of plain text: controls replaced, tabs and newlines folded to spaces, capped."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = text.replace("\t", " ")
    text = _UNSAFE.sub(REPLACEMENT, text).strip()
    return _cap(text, max_len)


def clean_block(value: object, max_len: int = NOTE_MAX) -> str:
    """Multi-line plain text (notes): newlines kept, tabs to spaces, controls replaced, capped."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _UNSAFE.sub(REPLACEMENT, text)
    return _cap(text, max_len)


def fit_line(value: object, max_len: int = FIELD_MAX, *, field: str) -> str:
    """`clean_line` that refuses (TooLongError naming `field`) instead of cutting."""
    text = clean_line(value, _UNCAPPED)
    if len(text) > max_len:
        raise TooLongError(too_long(field, len(text), max_len))
    return text


def fit_block(value: object, max_len: int = NOTE_MAX, *, field: str) -> str:
    """`clean_block` that refuses (TooLongError naming `field`) instead of cutting."""
    text = clean_block(value, _UNCAPPED)
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


_UNCAPPED = 2**62


def _cap(text: str, max_len: int) -> str:
    return text if len(text) <= max_len else text[: max_len - 1] + "…"
