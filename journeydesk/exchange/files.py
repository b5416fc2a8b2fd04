"""Writing export files safely."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def temp_beside(path: str | os.PathLike[str], suffix: str = ".tmp") -> Path:
    """A new empty file next to ``path``, to write there and then rename over ``path``.

    It gets the permissions a new file gets (the user's umask), or those of ``path`` when it
    exists, so an export to a shared folder is as readable as any other file there (a
    ``mkstemp`` file would be readable by its owner only, and the rename would keep that).
    """
    path = Path(path)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        with contextlib.suppress(OSError):  # no file to take the permissions from
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        return tmp
    raise FileExistsError(f"{path.parent}: no free temporary name")


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
