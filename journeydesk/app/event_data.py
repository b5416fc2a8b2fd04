"""The event data behind a name: an imported dataset or a live database source, one protocol.

Every metric (:mod:`journeydesk.app.metrics`) is computed over :meth:`EventData.data`, which is
what the analytics functions accept: the path of a dataset's Parquet, or a view of a connected
:class:`~journeydesk.analytics.warehouse.Warehouse` that computes the same numbers in SQL where
the data lives.

A dataset's Parquet is written to the session's cache folder once and read from there by every
query until the dataset changes (a replaced dataset has a new id), instead of being copied out
of the workspace for each query; its bytes are checked against the checksum stored with them
on the way (a damaged dataset is refused with one line, never computed over).  A database
source's password is never stored: it comes from the environment variable the source names, or
from whoever asks the user (a terminal prompt, a dialog) when the server refuses, and is kept
in memory for the session only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from journeydesk.store import datasets, snapshots, sources
from journeydesk.store.datasets import (
    DatasetError,
    DatasetExistsError,
    DatasetInfo,
    NoSuchDatasetError,
)
from journeydesk.store.sources import SourceInfo
from journeydesk.store.workspace_file import WorkspaceFile

__all__ = ["DataChoice", "DatabaseSource", "DatasetError", "DatasetExistsError",
           "EventData", "EventDataCatalog", "LocalDataset", "NoSuchDatasetError",
           "needs_password", "password_from_environment", "sweep_scratch", "was_cancelled"]

AskPassword = Callable[[SourceInfo, str], "str | None"]  # (source, reason) -> password or None


@dataclass(frozen=True)
class DataChoice:
    """A name the metrics can be computed over: an event dataset or a database source."""

    name: str
    kind: str  # "events" (imported) or "database"
    description: str  # one line for people


class EventData(Protocol):
    """Event data the metrics can be computed over."""

    name: str
    kind: str  # "events" or "database"

    def data(self) -> Any:
        """What the analytics functions take (a Parquet path, or a Warehouse view)."""

    def cancel(self) -> None:
        """Stop the queries running on it (nothing to do locally)."""

    def close(self) -> None:
        """Let go of its connections (nothing to do locally)."""


def needs_password(error: BaseException) -> bool:
    """Whether ``error`` is a database's refusal of the password (ask for one, try again)."""
    from journeydesk.analytics.warehouse import AuthenticationError

    return isinstance(error, AuthenticationError)


def was_cancelled(error: BaseException) -> bool:
    """Whether ``error`` says a query (a database's or a dataset's) was stopped."""
    from journeydesk.analytics.engine import Cancelled
    from journeydesk.analytics.warehouse import QueryCancelled

    return isinstance(error, QueryCancelled | Cancelled)


def sweep_scratch() -> None:
    """Remove the scratch folders killed runs left in the temporary folder (their process is
    gone): an import's copies of its file, a preview's, a session's dataset cache."""
    from journeydesk.analytics.scratch import sweep_all

    with contextlib.suppress(OSError):  # no usable temporary folder: nothing to sweep there
        sweep_all()


def password_from_environment(variable: str | None) -> str | None:
    """A source's password from the environment variable it names (None: not set)."""
    return (os.environ.get(variable) or None) if variable else None


class LocalDataset:
    """An imported dataset: its Parquet, written once into the session's cache folder."""

    kind = "events"

    def __init__(self, info: DatasetInfo, path: Path):
        self.info = info
        self.name = info.name
        self.path = path

    def data(self) -> Any:
        """The Parquet file (DuckDB reads it in place), as a new handle per call: one per
        job, so that each job's queries can be stopped on their own (its ``cancel``)."""
        from journeydesk.analytics.engine import Interruptible

        return Interruptible(self.path)

    def cancel(self) -> None:
        """Nothing to do: each job's handle from :meth:`data` cancels its own queries."""

    def close(self) -> None:
        """Nothing to let go of (the catalog removes its cache folder)."""


class DatabaseSource:
    """A table or view in a database, with the session's connection and password."""

    kind = "database"

    def __init__(self, info: SourceInfo, password: str | None = None):
        self.info = info
        self.name = info.name
        self.password = password or password_from_environment(info.password_env)
        self._warehouse: Any = None

    def table_source(self) -> Any:
        """The analytics description of the source."""
        from journeydesk.analytics.warehouse import TableSource

        info = self.info
        return TableSource(url=info.url, table=info.table, user=info.user_column,
                           event=info.event_column, time=info.time_column,
                           attributes=tuple(info.attributes), password_env=info.password_env,
                           timeout_seconds=info.timeout_seconds)

    def warehouse(self) -> Any:
        """The session's Warehouse (its pool reused; it connects at the first query)."""
        if self._warehouse is None:
            from journeydesk.analytics.warehouse import Warehouse

            self._warehouse = Warehouse(self.table_source(), password=self.password,
                                        name=self.name)
        return self._warehouse

    def data(self) -> Any:
        """A new view of the session's Warehouse: one per job, so that each job can be
        cancelled on its own; it connects when first queried (on the worker thread)."""
        return self.warehouse().view()

    def connect(self, ask: AskPassword | None = None) -> Any:
        """The Warehouse, connected and checked now; when the server refuses the password and
        ``ask`` is given, ``ask(info, reason)`` is asked (again after each refusal) until it
        returns None, which gives up with the server's refusal."""
        from journeydesk.analytics.warehouse import AuthenticationError

        while True:
            warehouse = self.warehouse()
            try:
                warehouse.columns()
            except AuthenticationError as exc:
                answer = ask(self.info, str(exc)) if ask is not None else None
                if answer is None:
                    raise
                self.set_password(answer)
                continue
            return warehouse

    def set_password(self, password: str | None) -> None:
        """Use ``password`` from now on (None: the environment's, or none)."""
        self.password = password or password_from_environment(self.info.password_env)
        if self._warehouse is not None:
            self._warehouse.reconnect(self.password)

    def cancel(self) -> None:
        """Cancel the queries of every job running on the source."""
        if self._warehouse is not None:
            self._warehouse.cancel_views()

    def close(self) -> None:
        """Close the connections (the password is kept for the session)."""
        warehouse, self._warehouse = self._warehouse, None
        if warehouse is not None:
            warehouse.close()


class EventDataCatalog:
    """The datasets and database sources of one open workspace, by name."""

    def __init__(self, ws_file: WorkspaceFile):
        self._file = ws_file
        self._lock = threading.Lock()
        self._cache_dir: Path | None = None
        self._local: dict[str, LocalDataset] = {}  # dataset id -> its cached file
        self._sources: dict[str, DatabaseSource] = {}  # name -> live source
        self._passwords: dict[str, str] = {}  # name -> password given this session

    # ------------------------------------------------------------------ reading
    def choices(self) -> list[DataChoice]:
        """The event datasets and database sources, by name."""
        found = [DataChoice(d.name, "events", f"{d.row_count:,} events from {d.source}")
                 for d in datasets.list_datasets(self._file) if d.kind == "events"]
        found += [DataChoice(s.name, "database", f"{s.table} at {s.display_url()}")
                  for s in sources.list_sources(self._file)]
        return sorted(found, key=lambda c: c.name.casefold())

    def names(self) -> list[str]:
        """The names of :meth:`choices`."""
        return [c.name for c in self.choices()]

    def is_source(self, name: str) -> bool:
        """Whether ``name`` is a database source (not an imported dataset)."""
        return sources.find_source(self._file, name) is not None

    def source_info(self, name: str) -> SourceInfo | None:
        """The stored description of database source ``name`` (None: not a source)."""
        return sources.find_source(self._file, name)

    def get(self, name: str) -> EventData:
        """The event data named ``name``; NoSuchDatasetError lists the names there are."""
        info = sources.find_source(self._file, name)
        if info is not None:
            return self._source(info)
        self._forget_source(name)
        try:
            dataset = datasets.get_dataset(self._file, name)
        except NoSuchDatasetError:
            names = ", ".join(self.names()) or "none"
            raise NoSuchDatasetError(
                f"{self._file.path}: has no dataset or source named {name!r} "
                f"(there are: {names})") from None
        return self._dataset(dataset)

    def dataset_id(self, name: str) -> str:
        """The stored id of a dataset or source (what a snapshot refers to)."""
        info = sources.find_source(self._file, name)
        return info.id if info is not None else datasets.get_dataset(self._file, name).id

    def stage_metrics(self) -> dict[str, list[tuple[str, float]]]:
        """The latest value of each imported stage metric (NPS, CSAT...), by stage name."""
        from journeydesk.analytics.stage_metrics import latest_per_stage

        by_stage: dict[str, list[tuple[str, float]]] = {}
        for info in datasets.list_datasets(self._file):
            if info.kind == "metrics":
                parquet = datasets.dataset_parquet(self._file, info.name)
                for stage, values in latest_per_stage(parquet).items():
                    by_stage.setdefault(stage, []).extend(values)
        return by_stage

    # ------------------------------------------------------------------ writing
    def add_dataset(self, name: str, parquet: bytes, **kwargs: Any) -> DatasetInfo:
        """Store a dataset (see :func:`journeydesk.store.datasets.add_dataset`)."""
        return datasets.add_dataset(self._file, name, parquet, **kwargs)

    def rename(self, name: str, new_name: str) -> None:
        """Rename a dataset."""
        datasets.rename_dataset(self._file, name, new_name)

    def delete(self, name: str) -> None:
        """Delete a dataset (its cached file goes with the session)."""
        datasets.delete_dataset(self._file, name)

    def add_source(self, name: str, *, password: str | None = None,
                   **kwargs: Any) -> SourceInfo:
        """Store a database source (see :func:`journeydesk.store.sources.add_source`);
        ``password`` is kept in memory for this session only."""
        info = sources.add_source(self._file, name, **kwargs)
        self._forget_source(info.name)
        self.set_password(info.name, password)
        return info

    def remove_source(self, name: str) -> None:
        """Remove a database source from the workspace (the database is not touched)."""
        sources.delete_source(self._file, name)
        self._forget_source(name)

    def set_password(self, name: str, password: str | None) -> None:
        """Use ``password`` for source ``name`` from now on (None: forget it)."""
        if password:
            self._passwords[name] = password
        else:
            self._passwords.pop(name, None)
        live = self._sources.get(name)
        if live is not None:
            live.set_password(password)

    def save_snapshot(self, map_id: str, name: str, numbers: dict[str, Any],
                      filters: dict[str, Any]) -> Any:
        """Keep ``numbers`` of map ``map_id`` over the data ``name``, with today's date."""
        return snapshots.save_snapshot(self._file, map_id, self.dataset_id(name), numbers,
                                       filters=filters)

    def snapshots(self, map_id: str) -> list[Any]:
        """The map's snapshots, newest first."""
        return snapshots.list_snapshots(self._file, map_id)

    # ------------------------------------------------------------------ live data
    def cancel(self, name: str | None = None) -> None:
        """Cancel the queries running on one source (every source when None)."""
        for key, live in list(self._sources.items()):
            if name is None or key == name:
                live.cancel()

    def close(self) -> None:
        """Close every connection and remove the cache folder."""
        for name in list(self._sources):
            self._forget_source(name)
        self._passwords.clear()
        with self._lock:
            self._local.clear()
            cache, self._cache_dir = self._cache_dir, None
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)

    def _source(self, info: SourceInfo) -> DatabaseSource:
        live = self._sources.get(info.name)
        if live is None or live.info != info:
            self._forget_source(info.name)
            live = DatabaseSource(info, self._passwords.get(info.name))
            self._sources[info.name] = live
        return live

    def _forget_source(self, name: str) -> None:
        live = self._sources.pop(name, None)
        if live is not None:
            live.close()

    def _dataset(self, info: DatasetInfo) -> LocalDataset:
        with self._lock:
            cached = self._local.get(info.id)
            if cached is not None and cached.path.is_file():
                if cached.name != info.name:  # renamed: the same data
                    cached = self._local[info.id] = LocalDataset(info, cached.path)
                return cached
            if self._cache_dir is None or not self._cache_dir.is_dir():  # gone: made afresh
                # named after this process: a killed session's cache is swept by the next
                from journeydesk.analytics.scratch import make_folder

                self._cache_dir = make_folder("cache")
            path = self._cache_dir / f"{info.id}.parquet"
            partial = path.with_suffix(".partial")
            partial.write_bytes(datasets.dataset_parquet(self._file, info.name))
            partial.replace(path)
            dataset = self._local[info.id] = LocalDataset(info, path)
            return dataset
