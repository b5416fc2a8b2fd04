"""Importing event logs: a file in, a dataset (Parquet bytes) out.

An event log has one row per event: who (user), what (event name) and when (time); any other
column is kept as a text attribute, for segments.  :func:`load_events` maps the columns (detected
from their names unless given), parses the times in one detected format, checks every row and
writes Parquet with the columns ``user``, ``event``, ``ts`` and the attributes.

Bad rows (ragged, unreadable, a required value missing, a time that does not parse) are never
dropped silently: without ``skip_bad_rows`` they raise :class:`BadRows`, whose report counts them
per reason with example line numbers, and the caller decides.  The heavy work is DuckDB's, in
one pass over the file when it is clean.

This module is the one to import from.  The column mapping is in :mod:`~.event_columns`, the
results and reports in :mod:`~.event_reports`, the DuckDB passes in :mod:`~.event_passes`, and
reading the files themselves in :mod:`~.sources`.
"""

from __future__ import annotations

import csv
import os
import shutil
import zlib
from pathlib import Path
from typing import Any

from journeydesk.analytics import timeformats
from journeydesk.analytics.engine import Cancelled, connect, ident
from journeydesk.analytics.event_columns import (  # noqa: F401 - re-exported
    EVENT_NAMES,
    OUTPUT_COLUMNS,
    TIME_NAMES,
    USER_NAMES,
    ColumnMapping,
    MappingError,
    detect_mapping,
)
from journeydesk.analytics.event_passes import (  # noqa: F401 - re-exported
    MAX_COLUMNS,
    PROGRESS_TOTAL,
    SAMPLE_ROWS,
    WIDE,
    Progress,
    _clean,
    _describe,
    _detect,
    _first_line,
    _Import,
    _mixed_line_ends,
    _read_error,
    _Steps,
    _untrimmed,
    check_width,
)
from journeydesk.analytics.event_reports import (
    BadRowReport,
    BadRows,
    ImportCancelled,
    LoadResult,
    Preview,
    ReasonCount,
)
from journeydesk.analytics.scratch import is_no_space, no_space, scratch_folder
from journeydesk.analytics.sources import (
    FORMATS,
    REASONS,
    EmptyFileError,
    EventImportError,
    Source,
    UnsupportedFormatError,
    csv_normalised,
    format_of,
    jsonl_via_python,
    prepare,
    unique_names,
)

__all__ = [
    "MAX_COLUMNS", "PROGRESS_TOTAL", "REASONS", "SUPPORTED_SUFFIXES", "BadRowReport", "BadRows",
    "ColumnMapping", "EmptyFileError", "EventImportError", "ImportCancelled", "LoadResult",
    "MappingError", "Preview", "ReasonCount", "UnsupportedFormatError", "detect_mapping",
    "format_of", "load_events", "preview",
]

SUPPORTED_SUFFIXES = tuple(FORMATS)


# --------------------------------------------------------------------------- loading
def load_events(path: str | Path, mapping: ColumnMapping | None = None, *,
                skip_bad_rows: bool = False, progress: Progress | None = None) -> LoadResult:
    """Read an event file (CSV/TSV, optionally .gz; Parquet; JSON lines; XLSX) into Parquet.

    ``mapping`` names the user, event and time columns (detected when None or partly None).
    Bad rows raise :class:`BadRows` unless ``skip_bad_rows``, which leaves them out and
    reports them in ``LoadResult.skipped``.  ``progress(done, total)`` is called as the import
    goes on; returning False cancels it (:class:`ImportCancelled`; any other return value goes
    on).  Other problems raise an :class:`EventImportError` with a one-line message.  Nothing
    is left behind on disk, whatever happens.
    """
    path = Path(path)
    steps = _Steps(progress)
    try:
        with scratch_folder("import") as tmp:
            try:
                steps.at(0.0)
                source = exact_file(prepare(path, tmp, steps.part(0.0, 0.15)), tmp)
                con = connect(tmp / "spill")
                try:
                    result = _Import(con, tmp, steps, mapping, skip_bad_rows).load(source)
                finally:
                    con.close()
                steps.at(1.0)
            except Cancelled:
                raise ImportCancelled(f"{path.name}: import cancelled") from None
            except _UNEXPECTED as exc:
                raise _unexpected(path.name, exc) from None
    except (EventImportError, OSError) as exc:
        if is_no_space(exc):
            raise EventImportError(no_space(path.name)) from None
        if isinstance(exc, OSError):
            raise EventImportError(f"{path.name}: cannot be read "
                                   f"({exc.strerror or exc})") from None
        raise
    return result


# DuckDB reads the files matching a path with these in it (a glob), not the file named so.
GLOB_CHARACTERS = frozenset("*?[")


def exact_file(source: Source, tmp: Path) -> Source:
    """``source``, read by DuckDB from exactly its file.

    DuckDB takes the path it reads as a glob pattern: ``ev[ab].csv`` would read ``eva.csv``
    and ``evb.csv``, and there is no option to turn that off (escaping with ``[[]`` fails on
    names with a backslash).  A file whose path has a glob character is read through a link
    (or, where no link can be made, a copy) with a plain name in the private folder ``tmp``,
    removed with it.  Copies already made there are left as they are.
    """
    if source.path != source.original:
        return source
    original = source.original.absolute()
    if GLOB_CHARACTERS.isdisjoint(str(original)):
        source.path = original  # no '~' or 'scheme://' for DuckDB to read as anything else
        return source
    name = original.name
    suffix = next((name[-len(s):] for s in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True)
                   if name.lower().endswith(s)), "")
    target = tmp / f"input{suffix}"
    try:
        target.symlink_to(original)
    except OSError:
        try:
            os.link(original, target)
        except OSError:
            shutil.copyfile(original, target)
    source.path = target
    return source


# What reading a damaged or odd file may raise from Python's own readers (the checks above
# should have said it better): still one line for the user, never a traceback.
_UNEXPECTED = (csv.Error, EOFError, zlib.error, UnicodeError)


def _unexpected(file: str, exc: BaseException) -> EventImportError:
    if isinstance(exc, EOFError):
        return EventImportError(f"{file}: the compressed file is cut short")
    if isinstance(exc, zlib.error):
        return EventImportError(f"{file}: the compressed file is damaged")
    return EventImportError(f"{file}: cannot be read ({_first_line(exc)})")


# --------------------------------------------------------------------------- preview
def preview(path: str | Path, rows: int = 20) -> Preview:
    """The column names, the first ``rows`` rows (as text) and the detected mapping."""
    path = Path(path)
    try:
        return _preview(path, rows)
    except OSError as exc:
        if is_no_space(exc):
            raise EventImportError(no_space(path.name)) from None
        raise EventImportError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None


def _preview(path: Path, rows: int) -> Preview:
    with scratch_folder("preview") as tmp:
        fmt = format_of(path)
        if fmt == "xlsx":
            return _preview_xlsx(path, rows)
        try:
            source = exact_file(prepare(path, tmp), tmp)
            con = connect(tmp / "spill")
            try:
                if source.format == "jsonl":
                    try:
                        _describe(con, source)
                    except Exception:  # noqa: BLE001 - see _load
                        source = jsonl_via_python(source, tmp)
                else:
                    _describe(con, source)
                check_width(path.name, len(source.columns))
                try:
                    first, mapping, time_format = _preview_rows(con, source, rows)
                except Cancelled:
                    raise
                except Exception as exc:  # noqa: BLE001 - DuckDB's errors name the problem
                    if not _mixed_line_ends(source, exc):
                        raise _read_error(path.name, exc) from None
                    source = csv_normalised(source, tmp)
                    first, mapping, time_format = _preview_rows(con, source, rows)
            finally:
                con.close()
        except _UNEXPECTED as exc:
            raise _unexpected(path.name, exc) from None
    return Preview(source.columns, [list(r) for r in first], mapping, time_format,
                   source.format, source.encoding)


def _preview_rows(con: Any, source: Source, rows: int,
                  ) -> tuple[list[tuple], ColumnMapping, str | None]:
    """The first rows of ``source``, the detected mapping and the time format's name."""
    names = ", ".join(f"CAST(c{i} AS VARCHAR)" for i in range(len(source.columns)))
    first = con.execute(f"SELECT {names} FROM {source.relation()} "
                        f"LIMIT {int(rows)}").fetchall()
    mapping = detect_mapping(source.columns)
    time_format = None
    if mapping.time is not None:
        col = ident(source.internal(mapping.time))
        sample = (f"(SELECT CAST({col} AS VARCHAR) AS {col} FROM "
                  f"{source.relation()} LIMIT {SAMPLE_ROWS})")
        kind = source.types.get(mapping.time, "VARCHAR").upper()
        if kind.startswith(("TIMESTAMP", "DATE")):
            time_format = timeformats.NATIVE.name
        else:
            found = _detect(con, sample, source.internal(mapping.time))
            time_format = found.name if found else None
    return first, mapping, time_format


def _preview_xlsx(path: Path, rows: int) -> Preview:
    from journeydesk.analytics.sources import _cell_text, _check_xlsx_size

    _check_xlsx_size(path)
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        header: list[str] | None = None
        body: list[list[str | None]] = []
        for row in workbook.worksheets[0].iter_rows(min_row=1, min_col=1, values_only=True):
            values = [_cell_text(v) for v in row]
            if not any(values):
                continue
            if header is None:
                while values and not values[-1]:
                    values.pop()
                check_width(path.name, len(values))
                header = unique_names(values)
                continue
            body.append([v or None for v in values[:len(header)]])
            if len(body) >= rows:
                break
    finally:
        workbook.close()
    if header is None:
        raise EmptyFileError(f"{path.name}: the first sheet is empty")
    mapping = detect_mapping(header)
    time_format = None
    if mapping.time is not None:
        values = [r[header.index(mapping.time)] for r in body if len(r) > header.index(
            mapping.time)]
        con = connect()
        try:
            found = _detect(con, "(SELECT unnest(?::VARCHAR[]) AS t)", "t",
                            [[v for v in values if v]])
            time_format = found.name if found else None
        finally:
            con.close()
    return Preview(header, body, mapping, time_format, "xlsx", None)
