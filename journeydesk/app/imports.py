"""Files coming in: event logs, stage metrics and map files, with their naming rules.

Reading an event log is long (it runs on a worker thread in the app): :func:`load_event_file`
reads, :func:`store_events` keeps the result in the workspace.  Both front ends name a dataset
after its file the same way (:func:`default_dataset_name`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from journeydesk.analytics import timeformats
from journeydesk.analytics.events import (
    SUPPORTED_SUFFIXES,
    BadRows,
    ColumnMapping,
    EventImportError,
    ImportCancelled,
    LoadResult,
    UnsupportedFormatError,
    detect_mapping,
    format_of,
    load_events,
    preview,
)
from journeydesk.app.session import WorkspaceSession
from journeydesk.domain.model import Workspace
from journeydesk.exchange.json_map import FormatError
from journeydesk.exchange.map_formats import READ_FORMATS, ImportedMap, read_map
from journeydesk.store.datasets import DatasetInfo, NoSuchDatasetError

__all__ = ["MAP_READ_FORMATS", "STAGE_METRICS_SUFFIXES", "BadRows", "ColumnMapping",
           "EventImportError", "ImportCancelled", "ImportFailed", "LoadResult",
           "UnsupportedFormatError", "check_time_format", "dataset_exists",
           "default_dataset_name", "detect_mapping", "format_of", "import_stage_metrics",
           "load_event_file", "month_first_alternative", "preview", "read_map_file",
           "read_stage_metrics_file", "store_events", "store_stage_metrics"]

MAP_READ_FORMATS = READ_FORMATS
STAGE_METRICS_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


class ImportFailed(ValueError):
    """A file that cannot be imported; ``str()`` is one line naming the file."""


def default_dataset_name(path: str | Path) -> str:
    """The dataset name of an event log: its file name without the format's extension
    (``visits.csv.gz`` -> ``visits``); the whole name when nothing would be left."""
    name = Path(path).name
    for suffix in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[:-len(suffix)] or name
    return Path(path).stem or name or "events"


def check_time_format(text: str) -> None:
    """ValueError when ``text`` is not a time format the importer understands."""
    timeformats.from_user(text)


def load_event_file(path: str | Path, mapping: ColumnMapping | None = None, *,
                    skip_bad_rows: bool = False, progress: Any = None) -> LoadResult:
    """Read an event log (see :func:`journeydesk.analytics.events.load_events`)."""
    return load_events(path, mapping, skip_bad_rows=skip_bad_rows, progress=progress)


def month_first_alternative(result: LoadResult) -> str | None:
    """When every date of ``result`` read day-first could as well be month-first, the
    month-first format to offer; None when the day-first reading was proven."""
    return timeformats.unproven_day_first(result.time_format, result.parquet)


def store_events(session: WorkspaceSession, name: str, source: str | Path,
                 result: LoadResult, *, replace: bool = False) -> DatasetInfo:
    """Keep an imported event log in the workspace as dataset ``name``.

    DatasetExistsError when the name is taken and ``replace`` is not given.
    """
    return session.data.add_dataset(
        name, result.parquet, source=Path(source).name, row_count=result.row_count,
        user_column=result.mapping.user, event_column=result.mapping.event,
        time_column=result.mapping.time, attributes=result.attributes, replace=replace)


def read_stage_metrics_file(path: str | Path) -> list[Any]:
    """The rows (stage, metric, value[, date]) of a stage metrics table (.csv, .tsv, .txt,
    .xlsx); ImportFailed says why a file cannot be read (in one line naming it)."""
    from journeydesk.analytics.stage_metrics import StageMetricsError, read_stage_metrics

    path = Path(path)
    try:
        _check_stage_metrics_file(path)
        return read_stage_metrics(path)
    except (StageMetricsError, EventImportError) as exc:
        raise ImportFailed(str(exc)) from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except csv.Error as exc:
        raise ImportFailed(f"{path.name}: is not a table of stage, metric and value "
                           f"({exc})") from None
    except UnicodeError:
        raise ImportFailed(f"{path.name}: is not readable text (save it as UTF-8)") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a bad workbook
        if path.suffix.lower() != ".xlsx":
            raise
        raise ImportFailed(f"{path.name}: is not a readable workbook "
                           f"({type(exc).__name__})") from None


def _check_stage_metrics_file(path: Path) -> None:
    """Refuse, before reading it whole, a metrics file that is not what its name says: a
    binary file named .csv, or a zip bomb named .xlsx (EventImportError says which)."""
    from journeydesk.analytics.source_text import HEAD
    from journeydesk.analytics.sources import _check_xlsx_size, check_text

    if path.suffix.lower() == ".xlsx":
        _check_xlsx_size(path)
        return
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
    if head:
        check_text(path.name, head)


def store_stage_metrics(session: WorkspaceSession, name: str, source: str | Path,
                        rows: list[Any], *, replace: bool = False) -> None:
    """Keep rows read by :func:`read_stage_metrics_file` as the metrics dataset ``name``.

    DatasetExistsError when the name is taken and ``replace`` is not given.
    """
    from journeydesk.analytics.stage_metrics import to_parquet

    session.data.add_dataset(name, to_parquet(rows), source=Path(source).name,
                             row_count=len(rows), kind="metrics", replace=replace)


def import_stage_metrics(session: WorkspaceSession, path: str | Path, name: str | None = None,
                         *, replace: bool = False) -> tuple[str, list[Any]]:
    """Read a table of stage, metric, value[, date] (NPS, CSAT...) and keep it as a metrics
    dataset; returns its name and rows.  ImportFailed says why a file cannot be read."""
    path = Path(path)
    rows = read_stage_metrics_file(path)
    name = name.strip() if name else path.stem
    store_stage_metrics(session, name, path, rows, replace=replace)
    return name, rows


def dataset_exists(session: WorkspaceSession, name: str) -> bool:
    """Whether the workspace keeps an imported dataset (an event log or stage metrics) named
    ``name``: an import can refuse the name before reading a long file."""
    if session.data.is_source(name):
        return False
    try:
        session.data.dataset_id(name)
    except NoSuchDatasetError:
        return False
    return True


def read_map_file(path: str | Path, ws: Workspace, *, name: str | None = None) -> ImportedMap:
    """A map file (.json, .xlsx, .mmd) read against ``ws`` (personas are matched by name).

    ImportFailed names the file (as ``name`` when given, else by its name) and what is wrong
    with it; nothing is added anywhere.
    """
    path = Path(path)
    try:
        return read_map(path, ws)
    except (FormatError, ValueError) as exc:
        raise ImportFailed(f"{name or path.name}: {exc}") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_persona_file(path: str | Path, ws: Workspace) -> Any:
    """A persona file (.json, e.g. exported from another workspace) read against ``ws`` (a
    name already taken gets a free one).  ImportFailed names the file and the problem."""
    from journeydesk.exchange.json_persona import loads_persona

    path = Path(path)
    try:
        return loads_persona(path.read_text(encoding="utf-8-sig"), ws)
    except (FormatError, OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path.name}: {exc}") from None
