"""Start-up speed for the `callblock` command (callblock/entry.py); importing callblock as a
library (the tests) changes nothing.

- The cyclic garbage collector is paused from the command's first line until the app's first
  frame is out, or until any other command's own work begins. Importing Textual and callblock
  makes a few hundred thousand objects and no garbage worth collecting, yet the collector ran
  ~160 times on the way to the power hour's first frame, 31-37 ms in all (one full collection:
  13-15 ms). Paused, the power hour was mounted 26 ms sooner (median of 8 launches each, in a
  pty on the 100k demo: 232 against 258 ms from the program's first line).
- Then everything start-up made is frozen (`gc.freeze`): it lives as long as the program, and
  the collections of a power hour no longer walk it.
- The code `@dataclass` generates is kept between runs (codecache.py).
"""

from __future__ import annotations

import gc

_paused = False


def begin() -> None:
    """First thing in the command, before anything else is imported."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True
    from callblock import codecache

    codecache.install()


def finished() -> None:
    """Start-up is over (the first frame is out, or a command's work begins): what it made is
    frozen and the collector runs again. Does nothing when `begin` paused nothing."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
