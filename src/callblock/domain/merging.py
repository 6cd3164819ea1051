"""What one merge changes on the lead it keeps, and what it keeps besides (pure).

A merge fills the lead's empty fields and never overwrites one (`dedupe.merge_fields`). Every
value of the other record that it does not take is kept: a phone or email among the lead's
other ones, any other differing value (a name variant, title, company, owner, zone, an
explicit temperature, a fit criterion or an extra field) as one line appended to the lead's
notes: "Merged from import line 9: title VP Sales; company Acme Corp". Values equal after
case and whitespace are not kept twice, nor one an earlier "Merged from" line already holds.
Do-not-call from either side always wins. A merge whose notes would pass NOTE_MAX is not made
(`Merge.too_long`): the caller keeps both records or refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callblock.domain.dedupe import CONTACTS, merge_fields, set_aside
from callblock.domain.models import LeadStatus
from callblock.domain.text import NOTE_MAX

NOTED = (
    *("name", "title", "company", "owner", "timezone", "record_region", "temperature"),
    *("pronunciation", "interest"),  # first and last name follow the name kept
)
KEYED = ("fit", "extra")  # dicts: a key both have with different values is noted
MERGED_FROM = "Merged from "
_CONTACT_FIELDS = frozenset(main for main, _others in CONTACTS)


@dataclass(frozen=True, slots=True)
class Merge:
    changes: dict[str, Any]  # only the fields that change
    kept: list[tuple[str, str]]  # (field, value) kept besides: contacts first, then noted ones
    notes_length: int  # of the lead's notes after the merge

    @property
    def too_long(self) -> bool:
        return "notes" in self.changes and self.notes_length > NOTE_MAX

    def refusal(self) -> str:
        return (
            f"the notes together would be {self.notes_length:,} characters (at most {NOTE_MAX:,})"
        )


def merge_records(into: dict[str, Any], other: dict[str, Any], source: str) -> Merge:
    """Merge `other` (from `source`: "import line 9", "lead 12") into `into`. A field missing
    from `other`, or None, is one it did not give (an import row without a temperature)."""
    changes = merge_fields(into, other)
    kept = set_aside(into, changes)
    notes = changes.get("notes", into.get("notes") or "")
    noted = [item for item in differing(into, other) if not already_noted(notes, *item)]
    if noted:
        line = merge_line(source, noted)
        notes = f"{notes.rstrip()}\n\n{line}" if notes.strip() else line
        changes["notes"] = notes
    if other.get("status") == LeadStatus.DNC.value and into.get("status") != LeadStatus.DNC.value:
        changes["status"] = LeadStatus.DNC.value  # a do-not-call request always survives
    return Merge(changes, kept + noted, len(notes))


def differing(into: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, value) of `other` that `into` has a different value for (a merge keeps
    `into`'s). Fields `into` lacks are filled by the merge, not listed here."""
    found: list[tuple[str, str]] = []
    for name in NOTED:
        mine, theirs = into.get(name), other.get(name)
        if mine and theirs and mine != theirs and not same_value(_text(mine), _text(theirs)):
            found.append((name, _text(theirs)))
    for name in KEYED:
        mine_map, theirs_map = into.get(name), other.get(name)
        if not mine_map or not theirs_map:
            continue
        for key, value in theirs_map.items():
            if key not in mine_map or mine_map[key] == value:
                continue
            if not same_value(_text(mine_map[key]), _text(value)):
                found.append((f"{name} {key}", _text(value)))
    return found


def same_value(a: str, b: str) -> bool:
    """Equal once case and runs of whitespace do not count."""
    return _norm(a) == _norm(b)


def merge_line(source: str, items: list[tuple[str, str]]) -> str:
    return f"{MERGED_FROM}{source}: " + "; ".join(f"{name} {value}" for name, value in items)


def already_noted(notes: str, name: str, value: str) -> bool:
    """Does a "Merged from" line of `notes` already hold `name value`?"""
    if MERGED_FROM not in notes:
        return False
    wanted = f"; {_norm(f'{name} {value}')}; "
    for line in notes.splitlines():
        if (
            line.startswith(MERGED_FROM)
            and ": " in line
            and wanted in f"; {_norm(line.split(': ', 1)[1])}; "
        ):
            return True
    return False


def kept_where(name: str) -> str:
    """Where a merge kept a value of field `name`, as a report says it."""
    return f"as another {name}" if name in _CONTACT_FIELDS else "in its notes"


def _text(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(getattr(value, "value", value)).split())


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()
