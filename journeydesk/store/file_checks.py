"""What is checked and named around a workspace file before and while SQLite uses it.

- Paths are paths: a file is handed to SQLite as a ``file:`` URI in which every byte that is not
  plain is percent-encoded, so ``%41``, ``%2f``, ``?``, ``#``, spaces and non-ASCII names name
  the file they spell and no other.
- Only a regular file can be a workspace: a pipe, a device or a socket is refused before it is
  read (reading a FIFO would wait forever).
- A *hot journal* (``NAME-journal`` left by a crash mid-commit) is found with a read-only probe:
  SQLite refuses to roll it back read-only (``SQLITE_READONLY_ROLLBACK``), so finding it never
  writes a byte.
- Another program holding a lock makes SQLite answer "busy": that becomes one line saying so.
- Our temporary files carry the creating process's id, so that stale ones (their process died,
  or they are over an hour old) can be swept when a workspace is opened.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
import stat
from pathlib import Path

from journeydesk.processes import remove_leftovers
from journeydesk.store.errors import (
    CorruptWorkspaceError,
    NotAWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
)

#: Seconds SQLite waits for another program's lock before we say the file is busy.
BUSY_TIMEOUT = 5.0

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_IOERR, _SQLITE_FULL = 10, 13
_SQLITE_READONLY_ROLLBACK = 776

_OURS = re.compile(r"^\.jdesk-(new|copy)-(?:(\d+)-)?[0-9a-z_]{8}(?:\.mode|-journal)?$")


# --------------------------------------------------------------------------- paths
def file_uri(path: Path, *, read_only: bool) -> str:
    """The SQLite URI of ``path``: the absolute path with every special byte percent-encoded."""
    mode = "ro" if read_only else "rwc"
    return f"{Path(path).resolve().as_uri()}?mode={mode}"


def connect(path: Path, *, read_only: bool, **kwargs: object) -> sqlite3.Connection:
    """An sqlite3 connection to exactly ``path``, waiting BUSY_TIMEOUT for others' locks."""
    return sqlite3.connect(file_uri(path, read_only=read_only), uri=True,
                           timeout=BUSY_TIMEOUT, **kwargs)  # type: ignore[arg-type]


def journal_of(path: Path) -> Path:
    """The rollback journal SQLite keeps beside ``path`` (beside the file a link points to)."""
    real = path.resolve()
    return real.with_name(real.name + "-journal")


def check_regular_file(path: Path, mode: int) -> None:
    """Refuse ``path`` (whose ``st_mode`` is ``mode``) unless it is a regular file."""
    if stat.S_ISDIR(mode):
        raise NotAWorkspaceError(f"{path}: is a folder, not a JourneyDesk workspace")
    if not stat.S_ISREG(mode):
        kind = ("a pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "special")
        raise NotAWorkspaceError(f"{path}: is {kind}, not a regular file; a JourneyDesk "
                                 "workspace is a regular file")


def open_for_reading(path: Path) -> int:
    """A descriptor of the regular file ``path``, opened without waiting (a plain open of a
    FIFO waits for a writer forever; a socket cannot be opened at all)."""
    try:
        check_regular_file(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise NotAWorkspaceError(f"{path}: is a folder, not a JourneyDesk workspace") from None
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        check_regular_file(path, os.fstat(fd).st_mode)  # swapped for a pipe meanwhile?
    except BaseException:
        os.close(fd)
        raise
    return fd


# --------------------------------------------------------------------------- SQLite's answers
def _code(exc: BaseException) -> int | None:
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def is_busy(exc: BaseException) -> bool:
    """Whether SQLite refused because another connection holds a lock."""
    code = _code(exc)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    text = str(getattr(exc, "orig", None) or exc)
    return "database is locked" in text or "database table is locked" in text


def busy(path: Path) -> WorkspaceBusyError:
    """The error for a file another program has locked."""
    return WorkspaceBusyError(f"{path}: is busy in another program; try again")


def write_failure(exc: BaseException) -> str:
    """Why a write failed, in the user's words."""
    code = _code(exc)
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    if code is not None and code & 0xFF == _SQLITE_FULL:
        return "the disk is full"
    if code is not None and code & 0xFF == _SQLITE_IOERR:
        return f"{text}: is the disk full?"
    return text


@contextlib.contextmanager
def busy_as_error(path: Path):  # noqa: ANN201 - a context manager
    """Turn SQLite's "database is locked" inside the block into WorkspaceBusyError."""
    try:
        yield
    except Exception as exc:
        # a read that failed on a lock may come back as "damaged", the lock as its context
        cause = exc.__context__ if isinstance(exc, CorruptWorkspaceError) else exc
        if (isinstance(exc, WorkspaceError) and cause is exc) or cause is None \
                or not is_busy(cause):
            raise
        raise busy(path) from None


def has_hot_journal(path: Path) -> bool:
    """Whether a crash left ``path`` mid-commit (a journal SQLite would roll back).

    Probed read-only: SQLite then refuses to replay the journal instead of doing it, so the
    probe writes nothing.  A journal of a commit in progress elsewhere is not hot (that
    program holds a lock); a file locked by another program raises WorkspaceBusyError.
    """
    journal = journal_of(path)
    try:
        if journal.stat().st_size == 0:
            return False
    except OSError:
        return False
    try:
        conn = connect(path, read_only=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == _SQLITE_READONLY_ROLLBACK:
            return True
        if is_busy(exc):
            raise busy(path) from None
        raise CorruptWorkspaceError(f"{path}: is damaged ({str(exc).splitlines()[0]})") from None
    return False


def replay_journal(path: Path) -> None:
    """Let SQLite roll back the hot journal of ``path`` (the file is written)."""
    conn = connect(path, read_only=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


# --------------------------------------------------------------------------- temporary files
def temp_name(folder: Path, kind: str) -> Path:
    """A free name ``.jdesk-<kind>-<pid>-<random>`` in ``folder`` (short: fits any folder)."""
    for _ in range(100):
        candidate = folder / f".jdesk-{kind}-{os.getpid()}-{secrets.token_hex(4)}"
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"{folder}: no free temporary name")


def sweep_stale(folder: Path) -> list[Path]:
    """Remove our temporary files in ``folder`` left by killed runs; returns those removed.

    Which are stale: :func:`journeydesk.processes.remove_leftovers` (a live process's file
    never, however old); files of other programs are never touched.
    """
    def owner(name: str) -> int | None | bool:
        found = _OURS.match(name)
        if not found:
            return False
        return int(found.group(2)) if found.group(2) is not None else None

    return remove_leftovers(folder, owner)


def publish(tmp: Path, path: Path) -> None:
    """Give the finished file ``tmp`` the name ``path``, never replacing a file there."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise WorkspaceError(f"{path}: already exists (made by another program meanwhile); "
                             "nothing was written to it") from None
    except OSError:  # a file system without hard links (FAT, some shares)
        if os.path.lexists(path):
            raise WorkspaceError(f"{path}: already exists (made by another program "
                                 "meanwhile); nothing was written to it") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)
