"""Database sources kept in the workspace: where a team's events live, never a password.

A source names a database (a SQLAlchemy URL), a table or view and its column mapping; the
metrics are computed there (journeydesk.analytics.warehouse).  The URL is refused if it carries
a password: the password is asked for once per session, or read from the environment variable
the source names.  Source names share one namespace with the datasets, so ``--dataset NAME``
means one thing.  Each function is one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from journeydesk.store.datasets import (
    DatasetError,
    DatasetExistsError,
    NoSuchDatasetError,
    clean_name,
    datasets_t,
)
from journeydesk.store.schema import DataSourceRow
from journeydesk.store.workspace_file import WorkspaceFile

sources_t: Table = DataSourceRow.__table__  # type: ignore[assignment]

DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class SourceInfo:
    """A database source as stored (the URL has no password)."""

    id: str
    name: str
    url: str
    table: str
    user_column: str
    event_column: str
    time_column: str
    attributes: list[str] = field(default_factory=list)  # empty: every other column
    password_env: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT
    added_at: str = ""

    def display_url(self) -> str:
        """The URL for people."""
        return make_url(self.url).render_as_string(hide_password=True)


_COLUMNS = ("id", "name", "url", "table_name", "user_column", "event_column", "time_column",
            "attributes", "password_env", "timeout_seconds", "added_at")


def _info(row: Any) -> SourceInfo:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["table"] = values.pop("table_name")
    values["attributes"] = json.loads(values["attributes"]) if values["attributes"] else []
    return SourceInfo(**values)


def list_sources(ws_file: WorkspaceFile) -> list[SourceInfo]:
    """Every database source of the workspace, by name."""
    with ws_file.connection() as conn:
        rows = conn.execute(select(*(sources_t.c[c] for c in _COLUMNS))
                            .order_by(sources_t.c.name)).all()
    return [_info(r) for r in rows]


def find_source(ws_file: WorkspaceFile, name: str) -> SourceInfo | None:
    """The source named ``name``, or None."""
    with ws_file.connection() as conn:
        row = conn.execute(select(*(sources_t.c[c] for c in _COLUMNS))
                           .where(sources_t.c.name == name)).first()
    return None if row is None else _info(row)


def check_url(url: str) -> str:
    """``url`` if it is a database URL without a password; DatasetError otherwise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatasetError(f"not a database URL: {url!r} (for example "
                           "postgresql+psycopg://user@host:5432/database)") from None
    if parsed.password is not None:
        raise DatasetError("the URL has a password in it; passwords are never stored: give "
                           "the URL without it (you are asked for it, or it is read from "
                           "the environment variable named with --password-env)")
    return url


def add_source(ws_file: WorkspaceFile, name: str, *, url: str, table: str,
               user_column: str, event_column: str, time_column: str,
               attributes: list[str] | tuple[str, ...] = (), password_env: str | None = None,
               timeout_seconds: float = DEFAULT_TIMEOUT, replace: bool = False) -> SourceInfo:
    """Store a database source under ``name`` (free among datasets and sources, unless
    ``replace`` and the name is a source's)."""
    name = clean_name(name)
    check_url(url)
    if not table.strip():
        raise DatasetError("a source needs a table or view name")
    if timeout_seconds <= 0:
        raise DatasetError("a source's timeout must be a positive number of seconds")
    info = SourceInfo(uuid.uuid4().hex, name, url, table.strip(), user_column, event_column,
                      time_column, list(attributes), password_env or None,
                      float(timeout_seconds),
                      datetime.now(UTC).isoformat(timespec="seconds"))
    with ws_file.transaction() as conn:
        if conn.execute(select(datasets_t.c.id).where(datasets_t.c.name == name)).first():
            raise DatasetExistsError(f"{ws_file.path}: already has a dataset named {name!r}")
        old = conn.execute(select(sources_t.c.id).where(sources_t.c.name == name)).scalar()
        if old is not None:
            if not replace:
                raise DatasetExistsError(f"{ws_file.path}: already has a source named "
                                         f"{name!r}")
            conn.execute(delete(sources_t).where(sources_t.c.id == old))
        conn.execute(insert(sources_t), _row(info))
    return info


def _row(info: SourceInfo) -> dict[str, Any]:
    return {"id": info.id, "name": info.name, "url": info.url, "table_name": info.table,
            "user_column": info.user_column, "event_column": info.event_column,
            "time_column": info.time_column,
            "attributes": json.dumps(info.attributes, ensure_ascii=False)
            if info.attributes else None,
            "password_env": info.password_env, "timeout_seconds": info.timeout_seconds,
            "added_at": info.added_at}


def delete_source(ws_file: WorkspaceFile, name: str) -> None:
    """Delete the source named ``name`` (the database itself is not touched)."""
    with ws_file.transaction() as conn:
        if conn.execute(delete(sources_t).where(sources_t.c.name == name)).rowcount == 0:
            raise _no_such(conn, ws_file, name)


def _no_such(conn: Connection, ws_file: WorkspaceFile, name: str) -> NoSuchDatasetError:
    names = conn.execute(select(sources_t.c.name).order_by(sources_t.c.name)).scalars().all()
    return NoSuchDatasetError(f"{ws_file.path}: has no source named {name!r} "
                              f"(sources: {', '.join(names) or 'none'})")
