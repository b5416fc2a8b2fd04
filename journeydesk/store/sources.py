"""Database sources kept in the workspace: where a team's events live, never a password.

A source names a database (a SQLAlchemy URL), a table or view and its column mapping; the
metrics are computed there (journeydesk.analytics.warehouse).  The URL is refused if it carries
a password or a query option that may hold a secret (journeydesk/domain/source_urls.py): the
password is asked for once per session, or read from the environment variable the source
names.  Source names share one namespace with the datasets, so ``--dataset NAME`` means one
thing.  Each function is one transaction.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from journeydesk.domain import source_urls
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
# A query timeout outside these bounds is a typing slip (0.001 is "no time at all" to the
# server: PostgreSQL's statement_timeout rounds it to 0, which means no limit).
MIN_TIMEOUT = 0.1
MAX_TIMEOUT = 86_400.0  # a day


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
        """The URL for people: its password and any query value that may be a secret shown as
        *** (also for a URL an earlier JourneyDesk stored with one)."""
        try:
            return source_urls.display(make_url(self.url))
        except (ArgumentError, ValueError):
            return "(not a database URL)"


_COLUMNS = ("id", "name", "url", "table_name", "user_column", "event_column", "time_column",
            "attributes", "password_env", "timeout_seconds", "added_at")


def _info(row: Any) -> SourceInfo:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["table"] = values.pop("table_name")
    values["attributes"] = json.loads(values["attributes"]) if values["attributes"] else []
    values["timeout_seconds"] = _usable_timeout(values["timeout_seconds"])
    return SourceInfo(**values)


def _usable_timeout(stored: Any) -> float:
    """A stored timeout within bounds: an earlier JourneyDesk stored what it was given
    (``--timeout inf`` or ``nan``); infinity is read as the longest, anything else odd as the
    default."""
    try:
        value = float(stored)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT
    if math.isnan(value) or value <= 0:
        return DEFAULT_TIMEOUT
    return min(max(value, MIN_TIMEOUT), MAX_TIMEOUT)


def check_timeout(seconds: float) -> float:
    """``seconds`` if it is a usable query timeout; DatasetError saying the bounds otherwise."""
    if not (math.isfinite(seconds) and MIN_TIMEOUT <= seconds <= MAX_TIMEOUT):
        raise DatasetError(f"a query timeout of {seconds:g} s: give a number of seconds from "
                           f"{MIN_TIMEOUT:g} to {MAX_TIMEOUT:g} (a day)")
    return float(seconds)


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
    """``url`` as it is stored (SQLAlchemy's reading of it), if it is a database URL without a
    password and without a query option that may hold a secret; DatasetError otherwise."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # the text is not repeated: it may be a secret
        raise DatasetError("not a database URL (for example "
                           "postgresql+psycopg://user@host:5432/database)") from None
    if parsed.password is not None or any(map(source_urls.is_password_key, parsed.query)):
        raise DatasetError(f"{source_urls.display(parsed)}: the URL has a password in it; "
                           "passwords are never stored: give the URL without it (you are "
                           "asked for it, or it is read from the environment variable named "
                           "with --password-env)")
    refused = source_urls.refusal(parsed, "give the secret as the password and remove the "
                                          "option from the URL")
    if refused is not None:
        raise DatasetError(refused)
    return parsed.render_as_string(hide_password=False)


def add_source(ws_file: WorkspaceFile, name: str, *, url: str, table: str,
               user_column: str, event_column: str, time_column: str,
               attributes: list[str] | tuple[str, ...] = (), password_env: str | None = None,
               timeout_seconds: float = DEFAULT_TIMEOUT, replace: bool = False) -> SourceInfo:
    """Store a database source under ``name`` (free among datasets and sources, unless
    ``replace`` and the name is a source's)."""
    name = clean_name(name)
    url = check_url(url)
    if not table.strip():
        raise DatasetError("a source needs a table or view name")
    timeout_seconds = check_timeout(timeout_seconds)
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
            _wipe_deleted(conn)
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
        _wipe_deleted(conn)
        if conn.execute(delete(sources_t).where(sources_t.c.name == name)).rowcount == 0:
            raise _no_such(conn, ws_file, name)


def _wipe_deleted(conn: Connection) -> None:
    """Have SQLite overwrite what it deletes on this connection: a URL an earlier JourneyDesk
    stored with a secret must leave the file when its source is replaced or deleted, not stay
    in a free page."""
    conn.exec_driver_sql("PRAGMA secure_delete = ON")


def _no_such(conn: Connection, ws_file: WorkspaceFile, name: str) -> NoSuchDatasetError:
    names = conn.execute(select(sources_t.c.name).order_by(sources_t.c.name)).scalars().all()
    return NoSuchDatasetError(f"{ws_file.path}: has no source named {name!r} "
                              f"(sources: {', '.join(names) or 'none'})")
