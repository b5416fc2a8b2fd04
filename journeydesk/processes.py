"""Whether a process runs: how our sweeps tell a killed run's leftovers from a live one's.

Every temporary file or folder of ours carries the id of the process that made it; a sweep
removes it only once that process is gone (never while it runs, however old: an app left open
overnight still uses its cache).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path


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


#: A leftover of a dead process is left alone this long (it may be on a shared folder written
#: from another machine, whose process ids mean nothing here: a file being written changes).
DEAD_GRACE = 120.0
#: A leftover that names no process (or whose process cannot be asked about) after this long.
STALE_AFTER = 3600.0


def remove_leftovers(folder: str | os.PathLike[str],
                     owner: Callable[[str], int | None | bool]) -> list[Path]:
    """Remove the files in ``folder`` that killed runs of ours left; returns those removed.

    ``owner(name)`` says whose a file is: False (not ours: never touched), the id of the
    process that made it, or None (ours, naming no process).  A file is removed when its
    process is gone and it has not changed for DEAD_GRACE, or, naming no process, when it is
    over STALE_AFTER old; a live process's file never, however old.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        pid = owner(entry.name)
        if pid is False:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        alive = process_alive(int(pid)) if pid is not None else None
        if (alive is False and age > DEAD_GRACE) or (alive is None and age > STALE_AFTER):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
