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

The rules around the file (paths as URIs, regular files only, hot journals, other programs'
locks, our temporary names) live in :mod:`journeydesk.store.file_checks`; docs/workspace-file.md
states them for users.
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
from journeydesk.store.errors import (
    CorruptWorkspaceError,
    NewerSchemaError,
    NotAWorkspaceError,
    ReadOnlyWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
    WorkspaceInUseError,
)
from journeydesk.store.file_checks import (
    busy,
    busy_as_error,
    connect,
    has_hot_journal,
    is_busy,
    journal_of,
    open_for_reading,
    publish,
    replay_journal,
    sweep_stale,
    temp_name,
    write_failure,
)
from journeydesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, Base

__all__ = ["SUFFIX", "CorruptWorkspaceError", "NewerSchemaError", "NotAWorkspaceError",
           "ReadOnlyWorkspaceError", "WorkspaceBusyError", "WorkspaceError", "WorkspaceFile",
           "WorkspaceInUseError", "is_read_only", "read_header"]

SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIX = ".jdesk"


# --------------------------------------------------------------------------- inspection
def read_header(path: Path, *, check_size: bool = True) -> tuple[int, int]:
    """(application_id, user_version) read from the file's header bytes, checking it is ours.

    Raises NotAWorkspaceError, CorruptWorkspaceError or NewerSchemaError; never writes.
    ``check_size=False`` skips the size check, for a file that a crash left mid-commit.
    """
    fd = open_for_reading(path)  # refuses a folder, pipe or device before reading
    try:
        with open(fd, "rb") as fh:
            header = fh.read(100)
            size = os.fstat(fh.fileno()).st_size
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


def _check_integrity(path: Path) -> None:
    try:
        conn = connect(path, read_only=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise busy(path) from None
        raise CorruptWorkspaceError(f"{path}: is damaged ({str(exc).splitlines()[0]})") from None
    if rows != [("ok",)]:
        lines = [ln for row in rows for ln in str(row[0]).splitlines() if not ln.startswith("***")]
        raise CorruptWorkspaceError(
            f"{path}: is damaged (integrity check: {lines[0] if lines else 'failed'})")


def _check(path: Path, *, content: bool = False) -> int:
    """Header and integrity of ``path`` (and with ``content`` its rows, as loading checks
    them); returns its schema version."""
    _, version = read_header(path)
    _check_integrity(path)
    if content and version == SCHEMA_VERSION:
        from journeydesk.store.checks import check_content

        engine = _engine(path, read_only=True)
        try:
            with engine.connect() as conn:
                problem = check_content(conn)
        except DBAPIError as exc:
            problem = str(exc.orig).splitlines()[0]
        finally:
            engine.dispose()
        if problem is not None:
            raise CorruptWorkspaceError(f"{path}: is damaged: {problem}")
    return version


def _repair_interrupted(path: Path) -> str:
    """Roll back the hot journal of ``path`` after copying the file and its journal aside.

    Returns the note for the user (where the copy is).  When the rolled-back file fails its
    checks the journal did not belong to it: the file is put back as it was, without it.
    """
    real = path.resolve()
    backup = _free_backup_name(real, "interrupted")
    try:
        shutil.copyfile(real, backup)
        shutil.copyfile(journal_of(real), journal_of(backup))
    except OSError as exc:
        for made in (backup, journal_of(backup)):
            with contextlib.suppress(OSError):
                made.unlink()
        raise WorkspaceError(
            f"{path}: was interrupted while saving, and no backup copy could be made before "
            f"repairing it ({exc.strerror}); nothing was changed") from None
    try:
        replay_journal(real)
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise busy(path) from None
        raise CorruptWorkspaceError(
            f"{path}: was interrupted while saving and could not be repaired "
            f"({str(exc).splitlines()[0]}); the file as it was is kept in {backup}") from None
    try:
        _check(real, content=True)
    except (NotAWorkspaceError, CorruptWorkspaceError):
        _copy_into(backup, real)  # the same inode: the writer lock stays on it
        try:
            _check(real, content=True)
        except WorkspaceError:
            raise CorruptWorkspaceError(
                f"{path}: was interrupted while saving and could not be repaired; the file "
                f"as it was, with its journal, is kept in {backup}") from None
        return (f"{path}: the journal beside it did not belong to it and was set aside "
                f"(in {journal_of(backup)}); the file is as it was")
    return (f"{path}: was interrupted while saving and has been repaired (the unfinished "
            f"change was undone); the file as it was is kept in {backup}")


def _copy_into(source: Path, dest: Path) -> None:
    """Overwrite ``dest``'s bytes with ``source``'s, in place (``dest`` keeps its inode)."""
    with open(source, "rb") as src, open(dest, "r+b") as out:
        shutil.copyfileobj(src, out)
        out.truncate()
        out.flush()
        os.fsync(out.fileno())


# --------------------------------------------------------------------------- locking
class _WriterLock:
    """An exclusive advisory lock held while the workspace is open for writing."""

    def __init__(self, path: Path):
        self._fd: int | None = None
        fd = open_for_reading(path)  # the real file, never a pipe
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
    def connect_() -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so DDL and DML share one transaction.
        conn = connect(path, read_only=read_only, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=FULL")
            if not read_only:
                conn.execute("PRAGMA journal_mode=DELETE")
        except BaseException:
            conn.close()
            raise
        return conn

    engine = create_engine("sqlite://", creator=connect_, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _connected(path: Path, disk: Path, read_only: bool) -> Engine:
    """An engine on ``disk`` whose first connection is made now (so "busy" is said at open)."""
    engine = _engine(disk, read_only)
    try:
        with busy_as_error(path):
            engine.connect().close()
    except BaseException:
        engine.dispose()
        raise
    return engine


# --------------------------------------------------------------------------- the file
class WorkspaceFile:
    """An open workspace file.  Use :meth:`open` or :meth:`create`; close when done."""

    def __init__(self, path: Path, engine: Engine, read_only: bool, lock: _WriterLock | None,
                 disk: Path | None = None):
        self.path = path
        self.read_only = read_only
        self._engine = engine
        self._lock = lock
        self._disk = disk or path  # the file the engine uses (a new file's temporary name)
        self.migrated_from: int | None = None
        self.backup_path: Path | None = None
        #: What the user should hear about this opening (a repaired file and its backup).
        self.notes: list[str] = []
        self._scratch: Path | None = None  # private copy of a read-only file (upgraded...)
        self._pending: Path | None = None  # a new file, named ``path`` when closed
        self._discard = False

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False,
             read_only: bool = False, publish_at_close: bool = False) -> WorkspaceFile:
        """Open the workspace at ``path`` (creating it when ``create`` and it does not exist).

        A file the user cannot write is opened read-only (``read_only`` says so).  Raises a
        WorkspaceError subclass with a one-line message; the file's bytes are then unchanged.
        With ``publish_at_close`` a new file gets its name only when closed without
        :meth:`discard_if_new` (a command that fails or is killed leaves no empty workspace).

        A file a crash left mid-commit is repaired only when opened for writing, after a
        backup copy (:attr:`notes` says where); read-only, it is read through a repaired
        private copy and never written.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise WorkspaceError(f"{path}: no such workspace file")
            return cls._create(path, at_close=publish_at_close)
        read_header(path, check_size=False)
        read_only = read_only or is_read_only(path)
        if read_only:
            if has_hot_journal(path):
                return cls._open_private_copy(path, interrupted=True)
            version = _check(path)
            if version < SCHEMA_VERSION:
                return cls._open_private_copy(path)
            return cls(path, _connected(path, path, True), True, None)
        lock = _WriterLock(path)
        try:
            sweep_stale(path.resolve().parent)
            notes = [_repair_interrupted(path)] if has_hot_journal(path) else []
            version = _check(path)
            ws_file = cls(path, _connected(path, path, False), False, lock)
        except BaseException:
            lock.release()
            raise
        ws_file.notes = notes
        if version < SCHEMA_VERSION:
            try:
                ws_file._migrate(version)
            except BaseException:
                ws_file.close()
                raise
        return ws_file

    @classmethod
    def _open_private_copy(cls, path: Path, *, interrupted: bool = False) -> WorkspaceFile:
        """Read a file without writing to it, through a private copy: an older file is
        upgraded there, a file a crash interrupted is rolled back there."""
        scratch = Path(tempfile.mkdtemp(prefix=f"journeydesk-copy-{os.getpid()}-"))
        copy = scratch / "workspace.jdesk"
        try:
            try:
                shutil.copyfile(path, copy)
                if interrupted:
                    shutil.copyfile(journal_of(path), journal_of(copy))
                    replay_journal(copy)
                version = _check(copy)
            except (OSError, sqlite3.Error, WorkspaceError) as exc:
                if isinstance(exc, WorkspaceBusyError) or is_busy(exc):
                    raise busy(path) from None
                if not interrupted:  # an older file: its own checks, naming the user's file
                    if isinstance(exc, WorkspaceError):
                        raise type(exc)(str(exc).replace(str(copy), str(path))) from None
                    raise WorkspaceError(f"{path}: cannot be read ({_reason(exc)})") from None
                raise CorruptWorkspaceError(
                    f"{path}: was interrupted while saving and cannot be read as it was; open "
                    "it for writing to repair it (a backup copy is made first)") from None
            if version < SCHEMA_VERSION:
                with cls(copy, _engine(copy, read_only=False), False, None) as upgraded:
                    upgraded._migrate(version, backup=False)
            ws_file = cls(path, _connected(path, copy, True), True, None, disk=copy)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        ws_file._scratch = scratch
        if interrupted:
            ws_file.notes.append(
                f"{path}: was interrupted while saving; shown as it was before the unfinished "
                "change, without writing to it; open it for writing to repair it")
        return ws_file

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> WorkspaceFile:
        """Create a new, empty workspace; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError(f"{path}: already exists")
        return cls._create(path)

    @classmethod
    def _create(cls, path: Path, *, at_close: bool = False) -> WorkspaceFile:
        if not path.parent.is_dir():
            raise WorkspaceError(f"{path.parent}: no such folder")
        # Build the schema under a temporary name and give it the user's name when complete,
        # so that a crash never leaves a half-made workspace under the user's name.
        sweep_stale(path.parent)
        tmp = temp_name(path.parent, "new")
        try:
            # made here first, so a folder we may not write gives the system's own reason
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            engine = _engine(tmp, read_only=False)
            try:
                with engine.begin() as conn:
                    Base.metadata.create_all(conn)
                    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                    conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
            finally:
                engine.dispose()
            if at_close:
                lock = _WriterLock(tmp)
                try:
                    ws_file = cls(path, _connected(path, tmp, False), False, lock, disk=tmp)
                except BaseException:
                    lock.release()
                    raise
                ws_file._pending = tmp
                return ws_file
            publish(tmp, path)
        except BaseException as exc:
            _remove_with_journal(tmp)
            if isinstance(exc, (OSError, sqlite3.Error, DBAPIError)):
                reason = _reason(exc)
                raise WorkspaceError(f"{path}: cannot be created ({reason})") from None
            raise
        return cls.open(path)

    def _migrate(self, version: int, *, backup: bool = True) -> None:
        if backup:
            self.backup_path = _free_backup_name(self.path, f"v{version}")
            self.save_copy(self.backup_path)
        raw = self._engine.raw_connection()
        try:
            migrations.upgrade(raw.driver_connection, version, SCHEMA_VERSION)
        except Exception as exc:
            if is_busy(exc):
                raise busy(self.path) from None
            raise WorkspaceError(
                f"{self.path}: could not be upgraded from file format {version} ({exc}); "
                f"the file is unchanged") from exc
        finally:
            raw.close()
        self.migrated_from = version

    # -- content -----------------------------------------------------------------------------
    def load(self) -> Workspace:
        """Everything in the workspace, as domain objects."""
        with self._reading(), self._engine.connect() as conn:
            return repository.load_workspace(conn)

    def load_map(self, map_id: str) -> JourneyMap:
        """One map (by id) with all its content."""
        with self._reading(), self._engine.connect() as conn:
            return repository.load_map(conn, map_id)

    def map_summaries(self) -> list[tuple[str, int, int]]:
        """(name, stages, cards) for each map, by name."""
        with self._reading(), self._engine.connect() as conn:
            return repository.map_summaries(conn)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Errors of a read said of the user's file: "busy" for another program's lock, and
        the user's name, not a private copy's, in any other message."""
        try:
            with busy_as_error(self.path):
                yield
        except WorkspaceError as exc:
            if self._disk == self.path and self._scratch is None:
                raise
            shown = str(exc)
            for private in {str(self._disk), str(self._disk.resolve())}:
                shown = shown.replace(private, str(self.path))
            raise type(exc)(shown) from None

    def persist(self, ws: Workspace, changes: Iterable[Change]) -> None:
        """Write the rows behind ``changes`` and commit them in one transaction."""
        with self.transaction() as conn:
            repository.persist(conn, ws, changes)

    def save_copy(self, dest: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the workspace to ``dest`` with SQLite's backup API.

        The copy is made next to ``dest`` and renamed into place, so ``dest`` is never half
        written.
        """
        dest = Path(dest)
        tmp: Path | None = None
        try:
            tmp = temp_name(dest.parent, "copy")
            # 0666 less the umask, like any new file: a copy is for sharing
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            with busy_as_error(self.path):
                raw = self._engine.raw_connection()
                try:
                    target = sqlite3.connect(tmp)
                    try:
                        raw.driver_connection.backup(target)
                    finally:
                        target.close()
                finally:
                    raw.close()
            os.replace(tmp, dest)
        except BaseException as exc:
            if tmp is not None:
                _remove_with_journal(tmp)
            if isinstance(exc, (OSError, sqlite3.Error)):
                reason = _reason(exc)
                raise WorkspaceError(f"{dest}: cannot be written ({reason})") from None
            raise
        return dest

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One writing transaction: committed when the block ends, rolled back on any error.

        When SQLite cannot write (a full disk, another program's lock) the file is left as it
        was: a journal SQLite could not replay at once is replayed before this returns.
        """
        if self.read_only:
            raise ReadOnlyWorkspaceError(f"{self.path}: is open read-only")
        try:
            with self._engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            if is_busy(exc):
                raise busy(self.path) from None
            raise WorkspaceError(f"{self.path}: could not be saved ({write_failure(exc)}); "
                                 f"{self._undo_failed_write()}") from exc

    def _undo_failed_write(self) -> str:
        """Make sure a failed commit left nothing behind; says what became of the file."""
        self._engine.dispose()  # SQLite may keep the journal until the connection is gone
        if not has_hot_journal(self._disk):
            return "nothing was changed"
        try:
            replay_journal(self._disk)
        except sqlite3.Error:
            return "the unfinished change will be undone the next time it is opened"
        return "nothing was changed"

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """A read connection, for queries the repository does not offer."""
        with self._reading(), self._engine.connect() as conn:
            yield conn

    def pragma(self, name: str) -> object:
        """The value of ``PRAGMA name`` (for checks and diagnostics)."""
        with self._reading(), self._engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

    def discard_if_new(self) -> None:
        """Do not give a file created with ``publish_at_close`` its name when closed."""
        self._discard = True

    def close(self) -> None:
        """Close the database and release the writer lock; a new file gets its name now."""
        self._engine.dispose()
        pending, self._pending = self._pending, None
        try:
            if pending is not None:
                if self._discard:
                    _remove_with_journal(pending)
                else:
                    try:
                        publish(pending, self.path)
                    except BaseException as exc:
                        _remove_with_journal(pending)
                        if isinstance(exc, OSError):
                            raise WorkspaceError(
                                f"{self.path}: cannot be created ({exc.strerror})") from None
                        raise
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None

    def __enter__(self) -> WorkspaceFile:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            self.discard_if_new()
        self.close()


def _free_backup_name(path: Path, tag: str) -> Path:
    """``NAME.<tag>.bak``, numbered when taken (``NAME.<tag>.2.bak``)."""
    candidate = path.with_name(f"{path.name}.{tag}.bak")
    n = 2
    while os.path.lexists(candidate) or os.path.lexists(journal_of(candidate)):
        candidate = path.with_name(f"{path.name}.{tag}.{n}.bak")
        n += 1
    return candidate


def _reason(exc: BaseException) -> str:
    """Why an operating-system or SQLite call failed, in a few words."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return write_failure(exc)


def _remove_with_journal(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink()
