"""Writing export files safely."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from pathlib import Path

from journeydesk.processes import remove_leftovers

#: The longest file name most file systems take, in bytes (ext4, APFS, NTFS in UTF-16 units).
NAME_MAX = 255


def _fit(name: str, room: int) -> str:
    """``name`` cut (at a character) to at most ``room`` bytes as the file system spells it."""
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return name


def _temp_prefix(path: Path) -> str:
    """``.NAME.`` with NAME cut so that prefix, pid, random part and suffix fit NAME_MAX."""
    return f".{_fit(path.name, NAME_MAX - 40)}."


def temp_beside(path: str | os.PathLike[str], suffix: str = ".tmp") -> Path:
    """A new empty file next to ``path``, to write there and then rename over ``path``.

    Its name is ``.NAME.<pid>-<random><suffix>``, cut to fit the longest name a file system
    takes, so any name the user may export to works.  Stale ones of earlier runs (a dead
    process, or over an hour old) are removed first.

    It gets the permissions a new file gets (the user's umask), or those of ``path`` when it
    exists, so an export to a shared folder is as readable as any other file there (a
    ``mkstemp`` file would be readable by its owner only, and the rename would keep that).
    """
    path = Path(path)
    suffix = _fit(suffix, 24)
    prefix = _temp_prefix(path)
    sweep_stale_temps(path)
    for _ in range(100):
        tmp = path.parent / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        with contextlib.suppress(OSError):  # no file to take the permissions from
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        return tmp
    raise FileExistsError(f"{path.parent}: no free temporary name")


def sweep_stale_temps(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that killed exports to ``path`` left beside it.

    Only names :func:`temp_beside` makes for this very ``path`` are touched (and the older
    ``.NAME.<random>.tmp`` form), once their process is gone (never while it runs), or, for
    the older form that names no process, once they are over an hour old.
    """
    path = Path(path)
    ours = re.compile(re.escape(_temp_prefix(path)) + r"(\d+)-[0-9a-f]{8}(\.[^/]*)?")
    older = re.compile(re.escape(f".{path.name}.") + r"[0-9a-f]{8}\.tmp")
    def owner(name: str) -> int | None | bool:
        found = ours.fullmatch(name)
        if found:
            return int(found.group(1))
        return None if older.fullmatch(name) else False

    return remove_leftovers(path.parent, owner)


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Readers see the old file or the whole new one, never a half-written file, and a failure leaves
    any existing file untouched.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp_name = temp_beside(path)
    try:
        with open(tmp_name, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return path
