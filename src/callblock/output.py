"""What the CLI prints: every line through `clean_block`, every JSON document through `to_json`.

Any command output or error message can hold outside text (a lead's name, a rep's, a CSV cell,
a path); printed through these, none of it can act on the terminal it lands on.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from callblock.domain.text import ascii_only_for, clean_block, to_json


def print_text(text: str, file: TextIO | None = None) -> None:
    """Plain text for a person: controls, C1 and bidi overrides replaced (never capped)."""
    print(clean_block(text, None), file=file or sys.stdout)


def print_json(data: Any, file: TextIO | None = None) -> None:
    """One JSON document (indented): exact text, controls escaped; ASCII on a non-UTF-8 stream."""
    out = file or sys.stdout
    print(to_json(data, indent=2, ascii_only=ascii_only_for(out)), file=out)


def emit(args: Any, data: Any, text: str) -> int:
    """A command's result: `data` as JSON with --json (args.json), else `text`; status 0."""
    if args.json:
        print_json(data)
    else:
        print_text(text)
    return 0


def tolerant_streams() -> None:
    """A stdout/stderr that cannot encode some text (a Latin-1 terminal) writes "?" for it
    instead of failing the command half-way."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and ascii_only_for(stream):
            reconfigure(errors="replace")
