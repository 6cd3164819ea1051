"""SQL words written from the domain's definitions (domain/compliance.py): which leads are open
for calling, which may be called at all. Only the code's own words go through here, never text
from outside."""

from __future__ import annotations

from collections.abc import Iterable

from callblock.domain.compliance import CLOSED_STATUSES, NEVER_CALLED


def sql_list(values: Iterable[str]) -> str:
    """Values as an SQL list of literals: ('a', 'b'). Only for the code's own words."""
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")"


# A lead is open for calling unless closed, a bad number or without a phone (domain/compliance.py
# says which statuses are closed). The queue's queries repeat these words exactly so SQLite can
# use the partial indexes built on them (a test keeps them as the indexes were created).
def open_where(alias: str = "") -> str:
    return f"{alias}status NOT IN {sql_list(CLOSED_STATUSES)} AND {dialable_where(alias)}"


def callable_where(alias: str = "") -> str:
    """May be called at all (a promise with a qualified lead is kept): not do-not-call, and a
    good number."""
    return f"{alias}status != {sql_list([NEVER_CALLED])[1:-1]} AND {dialable_where(alias)}"


def dialable_where(alias: str = "") -> str:
    return f"{alias}bad_number = 0 AND {alias}phone != ''"


DNC_LIFTED = "action = 'dnc-lifted'"  # the audit entries of services/dnc.py
