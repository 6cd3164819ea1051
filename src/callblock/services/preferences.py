"""A rep's own choices kept between runs (today: the theme), in the database's `meta` table.

Kept per rep in the database, not in a file in the user's dirs: on a sales floor over SSH every
rep runs as the floor's one account, so a per-account file would give all of them one theme.
A stored value is outside text: anything that is not a short plain name is ignored, never shown.
"""

from __future__ import annotations

import sqlite3

from callblock.store import Store, StoreFault

THEME_KEY = "theme:{rep}"
NAME_MAX = 64


def saved_theme(store: Store, rep: str) -> str | None:
    """The rep's stored theme name, or None (none stored, unreadable, or not a plain name)."""
    try:
        value = store.admin.meta(THEME_KEY.format(rep=rep))
    except sqlite3.Error:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= NAME_MAX:
        return None
    if not all(c.isalnum() or c in "-_." for c in value):
        return None
    return value


def save_theme(store: Store, rep: str, name: str) -> bool:
    """Keep the rep's theme; False when the database would not take it (the theme still
    changes for this run)."""
    try:
        store.admin.set_meta(THEME_KEY.format(rep=rep), name[:NAME_MAX])
    except (sqlite3.Error, StoreFault):  # set_meta's transaction turns SQLite's into a fault
        return False
    return True
