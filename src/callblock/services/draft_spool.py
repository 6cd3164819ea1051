"""Where a dropped block's typed text goes when the database cannot take it in time.

A hang-up has under 2 s; a database held by another writer (an import) may not be free in that
time. The draft then goes to a small file of the user's own (the state folder), keyed by the
database and the session, and the block's next start takes it from there.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from callblock.store.location import ServerUrl


def _spool(database: Path | ServerUrl, session_id: int) -> Path:
    from platformdirs import user_state_path

    # a server by its printable name (host, port, database: never the password)
    name = str(database) if isinstance(database, ServerUrl) else str(database.resolve())
    key = hashlib.sha256(name.encode()).hexdigest()[:16]
    return user_state_path("callblock", appauthor=False) / "drafts" / f"{key}-{session_id}.json"


def keep(database: Path | ServerUrl, session_id: int, draft: dict[str, Any]) -> None:
    """Write the draft (best effort: the terminal is gone, nobody can be told)."""
    path = _spool(database, session_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staged = path.with_suffix(".tmp")
        staged.write_text(json.dumps(draft), encoding="utf-8")
        os.replace(staged, path)
    except OSError:
        pass


def take(database: Path | ServerUrl, session_id: int) -> dict[str, Any] | None:
    """The draft kept for this block, removed from the spool; None when there is none."""
    path = _spool(database, session_id)
    try:
        text = path.read_text(encoding="utf-8")
        path.unlink()
    except OSError:
        return None
    try:
        draft = json.loads(text)
    except ValueError:
        return None
    return draft if isinstance(draft, dict) else None
