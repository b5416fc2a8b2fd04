"""The event data behind a name: an imported dataset's Parquet, or a live database source.

Glue between the store (what the workspace keeps) and the analytics (what computes): the
command line and the app ask for a dataset by name and get something every metrics function
accepts (:mod:`journeydesk.analytics.funnel`, :mod:`journeydesk.analytics.series`).

A database source's password is never stored: it comes from the environment variable the
source names, else from ``ask`` (a terminal prompt, a dialog) when the server asks for one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journeydesk.store import datasets, sources
from journeydesk.store.sources import SourceInfo
from journeydesk.store.workspace_file import WorkspaceFile

AskPassword = Callable[[SourceInfo, str], "str | None"]  # (source, reason) -> password or None


@dataclass(frozen=True)
class DataChoice:
    """A name the metrics can be computed over: an event dataset or a database source."""

    name: str
    kind: str  # "events" (imported) or "database"
    description: str  # one line for people


def event_data_names(ws_file: WorkspaceFile) -> list[DataChoice]:
    """The event datasets and database sources of the workspace, by name."""
    found = [DataChoice(d.name, "events", f"{d.row_count:,} events from {d.source}")
             for d in datasets.list_datasets(ws_file) if d.kind == "events"]
    found += [DataChoice(s.name, "database", f"{s.table} at {s.display_url()}")
              for s in sources.list_sources(ws_file)]
    return sorted(found, key=lambda c: c.name.casefold())


def table_source(info: SourceInfo) -> Any:
    """The analytics description of a stored source."""
    from journeydesk.analytics.warehouse import TableSource

    return TableSource(url=info.url, table=info.table, user=info.user_column,
                       event=info.event_column, time=info.time_column,
                       attributes=tuple(info.attributes), password_env=info.password_env,
                       timeout_seconds=info.timeout_seconds)


def connect_source(info: SourceInfo, *, password: str | None = None,
                   ask: AskPassword | None = None) -> Any:
    """A checked, connected :class:`~journeydesk.analytics.warehouse.Warehouse` for ``info``.

    The password is ``password`` if given, else the source's environment variable, else none;
    when the server refuses and ``ask`` is given, ``ask(info, reason)`` is asked (again after
    each refusal) until it returns None, which gives up with the server's refusal.
    """
    from journeydesk.analytics.warehouse import AuthenticationError, Warehouse

    if password is None and info.password_env:
        password = os.environ.get(info.password_env) or None
    while True:
        warehouse = Warehouse(table_source(info), password=password, name=info.name)
        try:
            warehouse.columns()
        except AuthenticationError as exc:
            warehouse.close()
            answer = ask(info, str(exc)) if ask is not None else None
            if answer is None:
                raise
            password = answer
            continue
        except BaseException:
            warehouse.close()
            raise
        return warehouse


def event_data(ws_file: WorkspaceFile, name: str, *, ask: AskPassword | None = None) -> Any:
    """The event data named ``name``: Parquet bytes, or a connected database source (which
    the caller closes).  NoSuchDatasetError lists the names there are."""
    info = sources.find_source(ws_file, name)
    if info is not None:
        return connect_source(info, ask=ask)
    try:
        return datasets.dataset_parquet(ws_file, name)
    except datasets.NoSuchDatasetError:
        names = ", ".join(c.name for c in event_data_names(ws_file)) or "none"
        raise datasets.NoSuchDatasetError(
            f"{ws_file.path}: has no dataset or source named {name!r} (there are: {names})"
        ) from None


def close_data(data: Any) -> None:
    """Close what :func:`event_data` returned (nothing to do for bytes)."""
    close = getattr(data, "close", None)
    if callable(close):
        close()
