"""Child processes die with their parent, whatever signal ends it (SIGKILL included).

`die_with_parent` is a worker initializer (ProcessPoolExecutor(initializer=...)). On Linux the
kernel kills the worker when its parent goes (prctl PR_SET_PDEATHSIG, through ctypes); on every
platform a daemon thread also watches os.getppid() and exits once the parent is gone.

PR_SET_PDEATHSIG fires when the *thread* that started the child ends: start the pool in the
thread that uses it and shut it down there (the importer does).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 0.5


def die_with_parent(parent: int) -> None:
    """Make this process exit when process `parent` dies."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still covers it
    if os.getppid() != parent:  # the parent died before the line above could take effect
        os._exit(1)
    watcher = threading.Thread(
        target=_watch, args=(parent,), daemon=True, name="callblock-lifeline"
    )
    watcher.start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
