"""An unexpected error (a bug) ends in one line; its traceback goes to a log file, not the
terminal (a rep over SSH should see words, and the team lead the details)."""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from callblock.domain.text import clean_line
from callblock.store.location import hide_passwords


def crash_log_path() -> Path:
    from platformdirs import user_state_path

    return user_state_path("callblock", appauthor=False) / "crash.log"


def report_crash(error: BaseException) -> str:
    """Append the traceback to the crash log; return the one line to show."""
    where = "not written"
    try:
        path = crash_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            # the command line and the error may name a database URL with its password
            log.write(
                hide_passwords(
                    f"--- {datetime.now(UTC).isoformat(timespec='seconds')} {sys.argv!r}\n"
                    + "".join(traceback.format_exception(error))
                )
            )
        where = f"details in {path}"
    except OSError:
        pass
    summary = clean_line(hide_passwords(f"{type(error).__name__}: {error}"), 300)
    return f"internal error ({summary}); {where}. Please report it."
