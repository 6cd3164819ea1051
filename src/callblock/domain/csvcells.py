"""Spreadsheet formula neutralization of CSV cells, and its reverse (pure).

A cell that a spreadsheet would run as a formula is written with a leading `'`; the importer
removes that quote again, so an export read back gives the original text.
"""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """The original text of a cell written by `neutralize_cell`."""
    if text.startswith("'") and text[1:2] in _FORMULA_STARTS and len(text) > 1:
        return text[1:]
    return text
