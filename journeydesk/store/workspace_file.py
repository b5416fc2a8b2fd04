"""The workspace file: one SQLite database per workspace (``.jdesk``).

An application file in the sense of sqlite.org's "SQLite as an application file format":
``PRAGMA application_id`` marks it as ours, ``PRAGMA user_version`` is the schema version, the
rollback journal (DELETE) with ``synchronous=FULL`` keeps it a single, consistent file whenever it
is idle, so it is safe to copy or e-mail.  Every finished edit is committed at once.

Opening checks the file before SQLite may write to it: the header is read as bytes (magic,
application id, schema version, page count), then the file is opened read-only for a quick
integrity check.  Only a file that passes is opened for writing, locked against a second writer
(``flock`` on the database file itself, which SQLite's own POSIX locks do not see) and migrated when
its schema is older, inside a transaction and after a backup copy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import struct
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

from journeydesk.domain.commands import Change
from journeydesk.domain.model import JourneyMap, Workspace
from journeydesk.store import migrations, repository
from journeydesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, Base

SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIX = ".jdesk"


class WorkspaceError(Exception):
    """A workspace file that cannot be opened or written; ``str()`` is one line for the user."""


class NotAWorkspaceError(WorkspaceError):
    """The file is not a JourneyDesk workspace (text, another app's database, empty)."""


class CorruptWorkspaceError(WorkspaceError):
    """The file is ours but damaged (truncated, failing the integrity check)."""


class NewerSchemaError(WorkspaceError):
    """The file was written by a newer JourneyDesk."""


class WorkspaceInUseError(WorkspaceError):
    """Another process has the workspace open for writing."""


class ReadOnlyWorkspaceError(WorkspaceError):
    """An edit was attempted on a workspace opened read-only."""


# --------------------------------------------------------------------------- inspection
def read_header(path: Path, *, check_size: bool = True) -> tuple[int, int]:
    """(application_id, user_version) read from the file's header bytes, checking it is ours.

    Raises NotAWorkspaceError, CorruptWorkspaceError or NewerSchemaError; never writes.
    ``check_size=False`` skips the size check, for a file that a crash left mid-commit.
    """
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
            size = os.fstat(fh.fileno()).st_size
    except IsADirectoryError:
        raise NotAWorkspaceError(f"{path}: is a folder, not a JourneyDesk workspace") from None
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot be read ({exc.strerror})") from None
    if not header:
        raise NotAWorkspaceError(f"{path}: is an empty file, not a JourneyDesk workspace")
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise NotAWorkspaceError(f"{path}: is not a JourneyDesk workspace")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    user_version, app_id = struct.unpack(">iI", header[60:64] + header[68:72])
    version_valid_for = struct.unpack(">I", header[92:96])[0]
    if app_id != APPLICATION_ID:
        raise NotAWorkspaceError(
            f"{path}: is an SQLite database of another application, not a JourneyDesk workspace")
    if user_version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path}: was saved by a newer JourneyDesk (file format {user_version}; this version "
            f"reads up to {SCHEMA_VERSION}); please update JourneyDesk")
    if user_version < 1:
        raise CorruptWorkspaceError(f"{path}: has no schema version; the file is damaged")
    if (check_size and version_valid_for == change_counter and page_size
            and size < page_size * page_count):
        raise CorruptWorkspaceError(
            f"{path}: is truncated ({size} of {page_size * page_count} bytes); the file is damaged")
    return app_id, user_version


def is_read_only(path: Path) -> bool:
    """True when the user marked the file (or its folder) unwritable.

    The permission bits are checked as well as ``os.access`` because root may write anything.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    folder = path.parent
    return (not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
            or not os.access(path, os.W_OK) or not os.access(folder, os.W_OK))


def _uri(path: Path, read_only: bool) -> str:
    quoted = str(path.resolve()).replace("?", "%3f").replace("#", "%23")
    return f"file:{quoted}?mode={'ro' if read_only else 'rwc'}"


def _recover_after_crash(path: Path) -> None:
    """Let SQLite roll back a transaction that a crash interrupted (a "hot" journal).

    Only done for a file whose header says it is ours.  Reading the schema makes SQLite replay
    the journal, restoring the file as it was before the interrupted edit.
    """
    journal = path.with_name(path.name + "-journal")
    try:
        if journal.stat().st_size == 0:
            return
    except OSError:
        return
    try:
        conn = sqlite3.connect(_uri(path, read_only=False), uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptWorkspaceError(
            f"{path}: was interrupted by a crash and could not be recovered "
            f"({str(exc).splitlines()[0]}); if it is read-only, make it writable") from None


def _check_integrity(path: Path) -> None:
    try:
        conn = sqlite3.connect(_uri(path, read_only=True), uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptWorkspaceError(f"{path}: is damaged ({str(exc).splitlines()[0]})") from None
    if rows != [("ok",)]:
        lines = [ln for row in rows for ln in str(row[0]).splitlines() if not ln.startswith("***")]
        raise CorruptWorkspaceError(
            f"{path}: is damaged (integrity check: {lines[0] if lines else 'failed'})")


# --------------------------------------------------------------------------- locking
class _WriterLock:
    """An exclusive advisory lock held while the workspace is open for writing."""

    def __init__(self, path: Path):
        self._fd: int | None = None
        fd = os.open(path, os.O_RDONLY)
        try:
            _lock_fd(fd)
        except BlockingIOError:
            os.close(fd)
            raise WorkspaceInUseError(
                f"{path}: is in use by another JourneyDesk window or process; "
                "close it there, or open this file read-only") from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: lock the first byte range past the header
        import msvcrt

        os.lseek(fd, 0x7FFF0000, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError from None
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


# --------------------------------------------------------------------------- engine
def _engine(path: Path, read_only: bool) -> Engine:
    uri = _uri(path, read_only)

    def connect() -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so DDL and DML share one transaction.
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        if not read_only:
            conn.execute("PRAGMA journal_mode=DELETE")
        return conn

    engine = create_engine("sqlite://", creator=connect, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


# --------------------------------------------------------------------------- the file
class WorkspaceFile:
    """An open workspace file.  Use :meth:`open` or :meth:`create`; close when done."""

    def __init__(self, path: Path, engine: Engine, read_only: bool, lock: _WriterLock | None):
        self.path = path
        self.read_only = read_only
        self._engine = engine
        self._lock = lock
        self.migrated_from: int | None = None
        self.backup_path: Path | None = None
        self._scratch: Path | None = None  # private upgraded copy of an older read-only file

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False,
             read_only: bool = False) -> WorkspaceFile:
        """Open the workspace at ``path`` (creating it when ``create`` and it does not exist).

        A file the user cannot write is opened read-only (``read_only`` says so).  Raises a
        WorkspaceError subclass with a one-line message; the file's bytes are then unchanged.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise WorkspaceError(f"{path}: no such workspace file")
            return cls._create(path)
        read_header(path, check_size=False)
        _recover_after_crash(path)
        _, version = read_header(path)
        _check_integrity(path)
        read_only = read_only or is_read_only(path)
        if read_only and version < SCHEMA_VERSION:
            return cls._open_upgraded_copy(path, version)
        lock = None if read_only else _WriterLock(path)
        try:
            ws_file = cls(path, _engine(path, read_only), read_only, lock)
            if version < SCHEMA_VERSION:
                ws_file._migrate(version)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return ws_file

    @classmethod
    def _open_upgraded_copy(cls, path: Path, version: int) -> WorkspaceFile:
        """Read an older file without writing to it: upgrade a private copy and read that."""
        scratch = Path(tempfile.mkdtemp(prefix="journeydesk-"))
        copy = scratch / path.name
        shutil.copyfile(path, copy)
        with cls(copy, _engine(copy, read_only=False), False, None) as upgraded:
            upgraded._migrate(version, backup=False)
        ws_file = cls(path, _engine(copy, read_only=True), True, None)
        ws_file._scratch = scratch
        return ws_file

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> WorkspaceFile:
        """Create a new, empty workspace; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError(f"{path}: already exists")
        return cls._create(path)

    @classmethod
    def _create(cls, path: Path) -> WorkspaceFile:
        if not path.parent.is_dir():
            raise WorkspaceError(f"{path.parent}: no such folder")
        # Build the schema in a temporary file and rename it into place, so that a crash
        # never leaves a half-made workspace under the user's name.
        fd, tmp_name = tempfile.mkstemp(prefix=".jdesk-new-", dir=path.parent)
        os.close(fd)
        os.unlink(tmp_name)
        tmp = Path(tmp_name)
        try:
            engine = _engine(tmp, read_only=False)
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
            engine.dispose()
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        return cls.open(path)

    def _migrate(self, version: int, *, backup: bool = True) -> None:
        if backup:
            self.backup_path = _free_backup_name(self.path, version)
            self.save_copy(self.backup_path)
        raw = self._engine.raw_connection()
        try:
            migrations.upgrade(raw.driver_connection, version, SCHEMA_VERSION)
        except Exception as exc:
            raise WorkspaceError(
                f"{self.path}: could not be upgraded from file format {version} ({exc}); "
                f"the file is unchanged") from exc
        finally:
            raw.close()
        self.migrated_from = version

    # -- content -----------------------------------------------------------------------------
    def load(self) -> Workspace:
        """Everything in the workspace, as domain objects."""
        with self._engine.connect() as conn:
            return repository.load_workspace(conn)

    def load_map(self, map_id: str) -> JourneyMap:
        """One map (by id) with all its content."""
        with self._engine.connect() as conn:
            return repository.load_map(conn, map_id)

    def map_summaries(self) -> list[tuple[str, int, int]]:
        """(name, stages, cards) for each map, by name."""
        with self._engine.connect() as conn:
            return repository.map_summaries(conn)

    def persist(self, ws: Workspace, changes: Iterable[Change]) -> None:
        """Write the rows behind ``changes`` and commit them in one transaction."""
        if self.read_only:
            raise ReadOnlyWorkspaceError(f"{self.path}: is open read-only")
        try:
            with self._engine.begin() as conn:
                repository.persist(conn, ws, changes)
        except DBAPIError as exc:
            raise WorkspaceError(f"{self.path}: could not be saved ({exc.orig})") from exc

    def save_copy(self, dest: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the workspace to ``dest`` with SQLite's backup API.

        The copy is made next to ``dest`` and renamed into place, so ``dest`` is never half
        written.
        """
        dest = Path(dest)
        fd, tmp_name = tempfile.mkstemp(prefix=".jdesk-copy-", dir=dest.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        _permissions_of_a_new_file(tmp)  # mkstemp's are owner-only: a copy is for sharing
        raw = self._engine.raw_connection()
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)
            finally:
                target.close()
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        finally:
            raw.close()
        return dest

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One writing transaction: committed when the block ends, rolled back on any error."""
        if self.read_only:
            raise ReadOnlyWorkspaceError(f"{self.path}: is open read-only")
        try:
            with self._engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise WorkspaceError(f"{self.path}: could not be saved ({exc.orig})") from exc

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """A read connection, for queries the repository does not offer."""
        with self._engine.connect() as conn:
            yield conn

    def pragma(self, name: str) -> object:
        """The value of ``PRAGMA name`` (for checks and diagnostics)."""
        with self._engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

    def close(self) -> None:
        """Close the database and release the writer lock."""
        self._engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> WorkspaceFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _free_backup_name(path: Path, version: int) -> Path:
    candidate = path.with_name(f"{path.name}.v{version}.bak")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.v{version}.{n}.bak")
        n += 1
    return candidate


def _permissions_of_a_new_file(path: Path) -> None:
    """Give ``path`` the permissions a newly created file would get (0666 less the umask)."""
    probe = path.with_name(path.name + ".mode")
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        os.chmod(path, probe.stat().st_mode & 0o777)
    finally:
        probe.unlink()
