"""Start-up speed: the code of the methods `@dataclass` writes, kept between runs.

`@dataclass` writes each class's `__init__`, `__repr__` and `__eq__` (and a frozen class's
`__setattr__`, `__delattr__` and `__hash__`) as source text and compiles it when the class is
created. Python keeps the compiled code of modules (`.pyc` files), not of these: callblock and
Textual create ~110 such classes before the power hour's first frame, ~500 methods compiled on
every launch. Measured on the 2-core bench machine: importing Textual took ~146 ms and then
callblock's modules ~94 ms; with this cache ~122 and ~63 ms, and the first frame came 33 ms
sooner (median of 10 launches each: 332 against 365 ms from the start of the program).

`install` makes `dataclasses` look its generated source up here first: code compiled from the
very same text, exactly as `dataclasses` compiles it (no inherited `__future__` flags), and
marshalled to the user's cache folder at exit when a run compiled anything new. A text not in
the cache is compiled as before, so a stale or missing cache only costs the time it saves. The
file is code that runs: it is read only when this user owns it and nobody else may write it,
and written with the same rights. Any failure to read or write it is ignored (it is a cache).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

MAX_ENTRIES = 2000  # ~2x what the app and every command create; past it the file starts over

# source -> its code, marshalled: unmarshalled when a class asks for it (loading the whole
# file's code objects took 4.9 ms for 966 entries, the marshalled bytes 1.2 ms)
_codes: dict[str, bytes] = {}
_added = 0


def cache_file() -> Path:
    """The cache, per Python version (bytecode changes between versions, as .pyc names say)."""
    from platformdirs import user_cache_path

    return user_cache_path("callblock") / f"dataclass-code.{sys.implementation.cache_tag}.marshal"


def install(path: Path | None = None) -> None:
    """Use (and keep up) the cache for every dataclass created from here on."""
    if getattr(dataclasses, "exec", None) is _exec:
        return
    target = path or cache_file()
    _codes.update(_read(target))
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # shadows the builtin there only
    atexit.register(_write, target)


def _exec(source: Any, globals: Any = None, locals: Any = None) -> None:
    global _added
    if type(source) is str:
        code = _code(_codes.get(source))
        if code is None:
            # as exec(source) compiles it inside dataclasses, which has no __future__ imports
            code = compile(source, "<string>", "exec", dont_inherit=True)
            _codes[source] = marshal.dumps(code)
            _added += 1
        source = code
    exec(source, globals, locals)


def _code(marshalled: bytes | None) -> CodeType | None:
    if marshalled is None:
        return None
    try:
        code = marshal.loads(marshalled)
    except (EOFError, ValueError, TypeError):
        return None
    return code if type(code) is CodeType else None


def _read(path: Path) -> dict[str, bytes]:
    try:
        with path.open("rb") as file:
            facts = os.fstat(file.fileno())
            if facts.st_uid != os.getuid() or facts.st_mode & 0o022:
                return {}  # someone else's, or writable by others: never run it
            loaded = marshal.loads(file.read())  # ~5x faster than marshal.load(file)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if type(k) is str and type(v) is bytes}


def _write(path: Path) -> None:
    if not _added:
        return
    kept = _codes if len(_codes) <= MAX_ENTRIES else {}
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            marshal.dump(kept, file)
        os.replace(staged, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)
