"""Whether a process runs: how our sweeps tell a killed run's leftovers from a live one's.

Every temporary file or folder of ours carries the id of the process that made it; a sweep
removes it only once that process is gone (never while it runs, however old: an app left open
overnight still uses its cache).
"""

from __future__ import annotations

import os
import sys


def process_alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs; None when this system cannot tell (Windows, where
    ``os.kill(pid, 0)`` would send Ctrl+C)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: it runs
    return True
