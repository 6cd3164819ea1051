"""Spreadsheet formula neutralization for CSV cells (exports) and its reverse (imports)."""

from __future__ import annotations

# A cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(text: str) -> str:
    """The cell as written to CSV: a leading formula character gets a `'` in front."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """The reverse of `neutralize_cell`: `'` followed by a formula character loses the `'`."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
