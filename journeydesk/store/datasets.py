"""Imported datasets kept inside the workspace file, each as one Parquet blob.

The analytics layer turns a source file into Parquet bytes (journeydesk.analytics.events); these
functions keep them in the ``datasets`` table so that the one workspace file is all a workshop
needs.  Each function is one transaction.  Names are unique by rule (checked here, inside the
writing transaction, which the workspace's writer lock makes the only one).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from journeydesk.store.schema import DatasetRow, DataSourceRow
from journeydesk.store.workspace_file import (
    WorkspaceError,
    WorkspaceFile,
)

KINDS = ("events", "metrics")
# SQLite refuses a value larger than SQLITE_MAX_LENGTH (1,000,000,000 bytes by default).
MAX_BLOB_BYTES = 1_000_000_000

datasets_t: Table = DatasetRow.__table__  # type: ignore[assignment]
_sources_t: Table = DataSourceRow.__table__  # type: ignore[assignment]


def _refuse_source_name(conn: Connection, ws_file: WorkspaceFile, name: str) -> None:
    """Datasets and database sources share names: ``--dataset NAME`` means one thing."""
    if conn.execute(select(_sources_t.c.id).where(_sources_t.c.name == name)).first():
        raise DatasetExistsError(f"{ws_file.path}: already has a database source named "
                                 f"{name!r}")


class DatasetError(WorkspaceError):
    """A dataset operation that cannot be done; ``str()`` is one line for the user."""


class NoSuchDatasetError(DatasetError):
    """No dataset has the given name."""


class DatasetExistsError(DatasetError):
    """A dataset with the name exists already (and replacing was not asked for)."""


class DamagedDatasetError(DatasetError):
    """A dataset's stored Parquet is not what was written (the file was damaged)."""


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset's description (everything but the Parquet bytes)."""

    id: str
    name: str
    kind: str
    source: str
    imported_at: str
    row_count: int
    user_column: str | None = None
    event_column: str | None = None
    time_column: str | None = None
    attributes: list[str] = field(default_factory=list)
    size: int = 0  # bytes of Parquet


_INFO_COLUMNS = ("id", "name", "kind", "source", "imported_at", "row_count", "user_column",
                 "event_column", "time_column", "attributes")


def _info(row: Any) -> DatasetInfo:
    values = dict(zip((*_INFO_COLUMNS, "size"), row, strict=True))
    values["attributes"] = json.loads(values["attributes"]) if values["attributes"] else []
    return DatasetInfo(**values)


def _info_query():  # noqa: ANN202
    return select(*(datasets_t.c[name] for name in _INFO_COLUMNS),
                  func.length(datasets_t.c.parquet))


# --------------------------------------------------------------------------- reading
def list_datasets(ws_file: WorkspaceFile) -> list[DatasetInfo]:
    """Every dataset of the workspace, by name."""
    with ws_file.connection() as conn:
        rows = conn.execute(_info_query().order_by(datasets_t.c.name)).all()
    return [_info(row) for row in rows]


def get_dataset(ws_file: WorkspaceFile, name: str) -> DatasetInfo:
    """The dataset named ``name``; NoSuchDatasetError lists the names there are."""
    with ws_file.connection() as conn:
        row = conn.execute(_info_query().where(datasets_t.c.name == name)).first()
        if row is None:
            raise _no_such(conn, ws_file, name)
    return _info(row)


def dataset_parquet(ws_file: WorkspaceFile, name: str) -> bytes:
    """The Parquet bytes of the dataset named ``name``, checked against their checksum
    (DamagedDatasetError when they differ: a damaged file, never numbers from it)."""
    with ws_file.connection() as conn:
        row = conn.execute(select(datasets_t.c.parquet, datasets_t.c.checksum)
                           .where(datasets_t.c.name == name)).first()
        if row is None:
            raise _no_such(conn, ws_file, name)
    if not isinstance(row[0], bytes | bytearray | memoryview):
        raise DamagedDatasetError(f"{ws_file.path}: dataset {name!r} is damaged (it has no "
                                  "data); import it again")
    data = bytes(row[0])
    check_parquet(ws_file, name, data, row[1])
    return data


def checksum(parquet: bytes) -> str:
    """What the ``checksum`` column keeps: the SHA-256 of the Parquet bytes, in hex."""
    return hashlib.sha256(parquet).hexdigest()


def check_parquet(ws_file: WorkspaceFile, name: str, parquet: bytes,
                  expected: str | None) -> None:
    """DamagedDatasetError when ``parquet`` does not have the ``expected`` checksum (None:
    nothing to check against)."""
    if expected is not None and checksum(parquet) != expected:
        raise DamagedDatasetError(f"{ws_file.path}: dataset {name!r} is damaged (its data "
                                  "does not match the checksum kept with it); import it again")


def _no_such(conn: Connection, ws_file: WorkspaceFile, name: str) -> NoSuchDatasetError:
    names = conn.execute(select(datasets_t.c.name).order_by(datasets_t.c.name)).scalars().all()
    return NoSuchDatasetError(f"{ws_file.path}: has no dataset named {name!r} "
                              f"(datasets: {', '.join(names) or 'none'})")


# --------------------------------------------------------------------------- writing
def add_dataset(ws_file: WorkspaceFile, name: str, parquet: bytes, *, source: str,
                row_count: int, user_column: str | None = None,
                event_column: str | None = None, time_column: str | None = None,
                attributes: list[str] | tuple[str, ...] = (), kind: str = "events",
                replace: bool = False, imported_at: datetime | None = None) -> DatasetInfo:
    """Store a dataset under ``name`` and return its description.

    An existing name is refused (DatasetExistsError) unless ``replace``; then the old dataset
    is replaced by the new one in the same transaction, so a failure keeps the old one whole.
    The replacement gets a new id: snapshots taken from the old data do not point at new data.
    """
    name = clean_name(name)
    if kind not in KINDS:
        raise DatasetError(f"a dataset's kind is one of {', '.join(KINDS)}, not {kind!r}")
    if len(parquet) > MAX_BLOB_BYTES:
        raise DatasetError(f"dataset {name!r} is too large to keep in a workspace "
                           f"({len(parquet):,} bytes of Parquet; the limit is "
                           f"{MAX_BLOB_BYTES:,})")
    when = (imported_at or datetime.now(UTC)).isoformat(timespec="seconds")
    row = {"id": uuid.uuid4().hex, "name": name, "kind": kind, "source": source,
           "imported_at": when, "row_count": int(row_count), "user_column": user_column,
           "event_column": event_column, "time_column": time_column,
           "attributes": json.dumps(list(attributes), ensure_ascii=False),
           "parquet": bytes(parquet), "checksum": checksum(parquet)}
    with _writing(ws_file) as conn:
        _refuse_source_name(conn, ws_file, name)
        old = conn.execute(select(datasets_t.c.id).where(datasets_t.c.name == name)).scalar()
        if old is not None:
            if not replace:
                raise DatasetExistsError(f"{ws_file.path}: already has a dataset named "
                                         f"{name!r}")
            conn.execute(delete(datasets_t).where(datasets_t.c.id == old))
        _insert_row(conn, row)
    return DatasetInfo(**{k: row[k] for k in _INFO_COLUMNS if k != "attributes"},
                       attributes=list(attributes), size=len(parquet))


def _insert_row(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(datasets_t), row)


def rename_dataset(ws_file: WorkspaceFile, name: str, new_name: str) -> None:
    """Rename a dataset; the new name must be free."""
    new_name = clean_name(new_name)
    with _writing(ws_file) as conn:
        ids = dict(conn.execute(select(datasets_t.c.name, datasets_t.c.id)
                                .where(datasets_t.c.name.in_([name, new_name]))).all())
        if name not in ids:
            raise _no_such(conn, ws_file, name)
        if new_name == name:
            return
        if new_name in ids:
            raise DatasetExistsError(f"{ws_file.path}: already has a dataset named "
                                     f"{new_name!r}")
        _refuse_source_name(conn, ws_file, new_name)
        conn.execute(update(datasets_t).where(datasets_t.c.id == ids[name])
                     .values(name=new_name))


def delete_dataset(ws_file: WorkspaceFile, name: str) -> None:
    """Delete the dataset named ``name``."""
    with _writing(ws_file) as conn:
        result = conn.execute(delete(datasets_t).where(datasets_t.c.name == name))
        if result.rowcount == 0:
            raise _no_such(conn, ws_file, name)


def _writing(ws_file: WorkspaceFile):  # noqa: ANN202
    """One writing transaction (see WorkspaceFile.transaction)."""
    return ws_file.transaction()


# The longest name a dataset or source may have: a file name's length on the common file
# systems, so that an import named after its file (the default) always fits.
MAX_NAME_CHARS = 255


def clean_name(name: str) -> str:
    """A dataset's or source's name without surrounding blanks; DatasetError when unusable
    (empty, more than one line, longer than MAX_NAME_CHARS characters)."""
    if not isinstance(name, str) or not name.strip():
        raise DatasetError("a dataset's name must not be empty")
    if "\n" in name or "\r" in name:
        raise DatasetError("a dataset's name must be one line")
    name = name.strip()
    if len(name) > MAX_NAME_CHARS:
        raise DatasetError(f"a dataset's name may have at most {MAX_NAME_CHARS} characters "
                           f"(this one has {len(name):,})")
    return name
