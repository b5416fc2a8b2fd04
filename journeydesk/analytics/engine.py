"""DuckDB connections that never reach the network, and small SQL helpers.

DuckDB downloads extensions that its wheel does not ship at first use; there is no internet in
many workshops, so every connection turns automatic installing and loading off and uses only the
built-in readers (CSV, Parquet, JSON).  duckdb is imported here, lazily, inside functions: it is
a large module and the command line should start quickly.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

OFFLINE_SETTINGS = (
    "SET autoinstall_known_extensions=false",
    "SET autoload_known_extensions=false",
)


class Cancelled(Exception):
    """A long query was stopped because the progress callback asked for it."""


def connect(temp_dir: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with network extension loading switched off.

    Timestamps are read and shown in UTC.  ``temp_dir`` is where DuckDB may spill to disk
    (by default it would use ``.tmp`` in the current folder).
    """
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        for statement in OFFLINE_SETTINGS:
            con.execute(statement)
        con.execute("SET TimeZone='UTC'")
        if temp_dir is not None:
            con.execute(f"SET temp_directory={literal(str(temp_dir))}")
    except BaseException:
        con.close()
        raise
    return con


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


Progress = Callable[[float], bool]


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None,
        progress: Progress | None = None) -> list[tuple]:
    """Run ``sql`` and fetch its rows; with ``progress``, report and allow cancelling.

    ``progress(fraction)`` is called about ten times a second with DuckDB's estimate (0..1)
    while the query runs in a worker thread; when it returns False the query is interrupted
    and Cancelled raised.
    """
    if progress is None:
        return con.execute(sql, params or []).fetchall()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["rows"] = con.execute(sql, params or []).fetchall()
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc

    con.execute("SET enable_progress_bar=true")
    con.execute("SET enable_progress_bar_print=false")
    worker = threading.Thread(target=work, name="journeydesk-duckdb", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            if not worker.is_alive():
                break
            try:
                done = con.query_progress()
            except Exception:  # noqa: BLE001 - progress is only a hint
                done = -1
            if progress(max(0.0, min(done, 100.0)) / 100.0 if done >= 0 else 0.0) is False:
                raise Cancelled
    except BaseException:  # cancelled, Ctrl+C, or the callback failed: stop the query first
        con.interrupt()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["rows"]


class Interruptible(os.PathLike):
    """A dataset's file whose running queries another thread can stop: one per background
    job.  The queries on it (``funnel._Query``) register their connections; :meth:`cancel`
    interrupts them, and a query asked for after it raises :class:`Cancelled`."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self.cancelled = False

    def __fspath__(self) -> str:
        return str(self.path)

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Let :meth:`cancel` interrupt ``con``; Cancelled when it was already called."""
        with self._lock:
            if self.cancelled:
                raise Cancelled
            self._connections.append(con)

    def detach(self, con: duckdb.DuckDBPyConnection) -> None:
        """``con`` is done (about to close)."""
        with self._lock:
            self._connections = [c for c in self._connections if c is not con]

    def cancel(self) -> None:
        """Stop every query running on the file now, and every later one."""
        with self._lock:
            self.cancelled = True
            for con in self._connections:
                con.interrupt()


@contextlib.contextmanager
def parquet_path(data: bytes | os.PathLike[str] | str) -> Iterator[Path]:
    """A file path DuckDB can read: ``data`` itself when a path, else a temporary copy."""
    if not isinstance(data, bytes | bytearray | memoryview):
        path = Path(data)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=f"journeydesk-data-{os.getpid()}-") as tmp:
        path = Path(tmp) / "dataset.parquet"
        path.write_bytes(bytes(data))
        yield path
