"""CSV cells as written (cleaned, formulas neutralized) and the reverse for imports.

Every CSV this program writes (exports, `report --format csv`, an import's rejects file) writes
its cells through `csv_text`. A cell is cleaned with `clean_block`, uncapped: a newline stays
(the cell is quoted; a spreadsheet shows a line break), a carriage return becomes a newline, a
tab four spaces, and every other C0/C1 control, DEL and bidi override U+FFFD.
"""

from __future__ import annotations

from callblock.domain.text import clean_block

# A cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(text: str) -> str:
    """The cell as written to CSV: a leading formula character gets a `'` in front."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(value: object) -> str:
    """One CSV cell as written: cleaned (newlines kept, uncapped), formulas neutralized."""
    return neutralize_cell(clean_block(value, None))


def restore_cell(text: str) -> str:
    """The reverse of `neutralize_cell`: `'` followed by a formula character loses the `'`."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
