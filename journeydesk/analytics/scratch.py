"""Private scratch folders of long jobs (imports, previews) in the temporary folder.

An import of a large file keeps a copy or two of it there (a transcoded text, the Parquet being
written, DuckDB's spill files): a run that is killed leaves them behind.  Each folder carries
the id of the process that made it (``journeydesk-import-<pid>-<random>``); every new one, and
every command and the app as they start, sweep the folders of ours whose process is gone, or
that are older than an hour and name no process (made before names carried one).  A folder
whose process runs is never removed, however old (an app left open overnight uses its cache).

A temporary folder that is full is reported as that (:func:`no_space`), not as a file that
cannot be read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from journeydesk.processes import process_alive

STALE_SECONDS = 3600  # a folder that names no process is stale after an hour
_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
# What the C library, and so DuckDB, says for a full disk.
NO_SPACE_TEXT = os.strerror(errno.ENOSPC)


def _stale(entry: os.DirEntry[str], kind: str, now: float) -> bool:
    try:
        age = now - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    match = re.fullmatch(rf"journeydesk-{re.escape(kind)}-(\d+)-\w+", entry.name)
    if match is None:
        return age > STALE_SECONDS
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    alive = process_alive(pid)
    if alive is None:
        return age > STALE_SECONDS
    return not alive  # a live process's folder is in use, however old (an app left open)


def sweep(kind: str, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove the stale ``journeydesk-<kind>-*`` folders of the temporary folder; returns
    those removed (a folder that cannot be removed is left alone)."""
    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(f"journeydesk-{kind}-"):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or not _stale(entry, kind, now):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        if not os.path.exists(entry.path):
            removed.append(Path(entry.path))
    return removed


# the temporary folders of ours a killed run may leave: journeydesk-<kind>-<pid>-<random>
KINDS = ("import", "preview", "cache", "data", "metrics", "demo", "copy")


def sweep_all(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """:func:`sweep` every kind (each command and the app do it as they start)."""
    return [path for kind in KINDS for path in sweep(kind, root)]


@contextlib.contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """A new private folder ``journeydesk-<kind>-<pid>-<random>`` in the temporary folder,
    removed on exit whatever happens; the stale ones of ``kind`` are swept first.  A full
    temporary folder raises OSError(ENOSPC) (see :func:`no_space`)."""
    sweep(kind)
    with tempfile.TemporaryDirectory(prefix=f"journeydesk-{kind}-{os.getpid()}-") as name:
        yield Path(name)


def make_folder(kind: str) -> Path:
    """Like :func:`scratch_folder`, for a folder its owner removes itself (a session's
    cache)."""
    sweep(kind)
    return Path(tempfile.mkdtemp(prefix=f"journeydesk-{kind}-{os.getpid()}-"))


def is_no_space(exc: BaseException) -> bool:
    """Whether ``exc`` (an OSError, or DuckDB's or our error text) says a disk is full."""
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
        return True
    text = str(exc)
    return NO_SPACE_TEXT in text or "No space left on device" in text


def no_space(file: str) -> str:
    """The one line for an import of ``file`` that filled the temporary folder."""
    return (f"{file}: no space left in the temporary folder {tempfile.gettempdir()} (free some "
            "space there, or point TMPDIR at a folder with more)")
