"""Event data: ``import-events``, ``import-metrics`` and ``bind`` (the numbers: cli/metrics.py).

An import prints a one-line summary on stdout and its notes (columns and time format used,
rows skipped, an ambiguous day/month order) on stderr; ``metrics`` prints the funnel as a
table, or in the one JSON form (``--json``) that snapshots and the Excel Metrics sheet share.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from journeydesk.app.event_data import DatasetExistsError
from journeydesk.app.imports import (
    STAGE_METRICS_SUFFIXES,
    BadRows,
    ColumnMapping,
    EventImportError,
    LoadResult,
    UnsupportedFormatError,
    check_time_format,
    dataset_exists,
    default_dataset_name,
    format_of,
    load_event_file,
    month_first_alternative,
    read_stage_metrics_file,
    store_events,
    store_stage_metrics,
)
from journeydesk.app.session import (
    WorkspaceSession,
    find_map,
    find_stage,
    missing_events,
)
from journeydesk.cli.common import (
    PROG,
    UsageError,
    UserError,
    column_options,
    existing,
    import_arguments,
    input_file,
    opened_data,
)
from journeydesk.domain.commands import EditStageCommand


# --------------------------------------------------------------------------- imports
def cmd_import_events(args: argparse.Namespace) -> int:
    """Import an event log into the workspace as a dataset; print a one-line summary.

    Bad rows stop the import (exit 1, the report on stderr, nothing written) unless
    --skip-bad-rows.  The workspace is created when it does not exist.
    """
    source = Path(args.file)
    try:
        format_of(source)
    except UnsupportedFormatError as exc:
        raise UsageError(str(exc)) from None
    if not source.is_file():
        raise UserError(f"{source}: no such file")
    # --name "" is no name, as --name " " is: not the file's name in silence
    name = args.name.strip() if args.name is not None else default_dataset_name(source)
    if not name:
        raise UsageError("--name must not be empty")
    if args.time_format is not None:
        try:
            check_time_format(args.time_format)
        except ValueError as exc:
            raise UsageError(f"--time-format: {exc}") from None
    workspace = Path(args.workspace)
    if workspace.exists() and not args.replace:  # fail before the long part
        with WorkspaceSession.open(workspace, read_only=True) as session:
            if dataset_exists(session, name):
                raise UserError(f"{workspace}: already has a dataset named {name!r}; use "
                                "--replace to replace it or --name to import under another")
    mapping = ColumnMapping(user=args.user, event=args.event, time=args.time,
                            time_format=args.time_format)
    try:
        result = load_event_file(source, mapping, skip_bad_rows=args.skip_bad_rows)
    except BadRows as exc:
        lines = exc.report.lines()
        print(f"{PROG}: error: {lines[0]}; nothing imported (--skip-bad-rows imports the "
              "other rows)", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
        return 1
    except EventImportError as exc:
        raise UserError(str(exc)) from None
    # Everything printed is made before the dataset is written: nothing can fail after it.
    notes = _import_notes(result, explicit_format=args.time_format is not None)
    summary = _import_summary(name, result)
    with WorkspaceSession.open(workspace, create=True) as session:
        try:
            store_events(session, name, source, result, replace=args.replace)
        except DatasetExistsError as exc:
            raise UserError(f"{exc}; use --replace to replace it") from None
    for line in notes:
        print(line, file=sys.stderr)
    print(summary)
    return 0


def _import_notes(result: LoadResult, *, explicit_format: bool) -> list[str]:
    """The lines for stderr about an import: the columns, time format and encoding (of a text
    file) used, a warning when every date could be read either way and day-first was taken,
    the rows skipped."""
    m = result.mapping
    attrs = ", ".join(result.attributes) or "none"
    encoding = f"; encoding: {result.encoding}" if result.encoding else ""
    lines = [f"{PROG}: note: columns user={m.user!r}, event={m.event!r}, time={m.time!r} "
             f"({result.time_format}); attributes: {attrs}{encoding}"]
    month_first = None if explicit_format else month_first_alternative(result)
    if month_first is not None:
        lines.append(f"{PROG}: warning: every date could be day-first or month-first; read as "
                     f"{result.time_format} (use --time-format {shlex.quote(month_first)} "
                     "for month-first)")
    if result.skipped is not None:
        report = result.skipped.lines()
        lines.append(f"{PROG}: note: skipped {report[0]}")
        lines += report[1:]
    return lines


def _moment(value: object) -> str:
    """A time of the summary (DuckDB gives a str, not a datetime, past the year 9999)."""
    return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)


def _import_summary(name: str, result: LoadResult) -> str:
    when = "no times"
    if result.time_min is not None and result.time_max is not None:
        when = f"{_moment(result.time_min)} to {_moment(result.time_max)}"
    skipped = (f", {result.skipped.bad_rows} bad rows skipped" if result.skipped is not None
               else "")
    return (f"{name}: {result.row_count} rows, {result.user_count} users, "
            f"{len(result.event_counts)} events, {when}{skipped}")


def cmd_import_metrics(args: argparse.Namespace) -> int:
    """Import a table of stage, metric, value[, date] (NPS, CSAT...) for metrics lanes."""
    source = input_file(args.file, STAGE_METRICS_SUFFIXES, "metrics from ")
    rows = read_stage_metrics_file(source)  # before the workspace is made: nothing left behind
    name = args.name.strip() if args.name is not None else source.stem
    if not name:
        raise UsageError("--name must not be empty")
    with WorkspaceSession.open(args.workspace, create=True) as session:
        try:
            store_stage_metrics(session, name, source, rows, replace=args.replace)
        except DatasetExistsError as exc:
            raise UserError(f"{exc}; use --replace to replace it") from None
    stages = len({r.stage for r in rows})
    metrics = len({r.metric for r in rows})
    print(f"{name}: {len(rows)} values of {metrics} metrics for {stages} stages")
    return 0


# --------------------------------------------------------------------------- numbers
def cmd_bind(args: argparse.Namespace) -> int:
    """Bind a stage of a map to event names (an empty list unbinds it).

    With --dataset, names that the dataset does not have are warned about on stderr (the
    binding is made all the same: the data may come later).
    """
    events = [e.strip() for e in args.events.split(",") if e.strip()]
    with WorkspaceSession.open(existing(args.workspace)) as session:
        journey_map = find_map(session.workspace, args.map, args.workspace)
        stage = find_stage(journey_map, args.stage)
        unknown: list[str] = []
        if args.dataset is not None:
            with opened_data(session, args.dataset) as data:
                unknown = missing_events(data, events)
        session.document.execute(EditStageCommand(journey_map.id, stage.id, events=events))
    if unknown:
        print(f"{PROG}: warning: dataset {args.dataset!r} has no events named "
              f"{', '.join(unknown)}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- parsing
def add_import_parsers(sub: Any) -> None:
    """The sub-commands ``import-metrics`` and ``import-events``."""
    p = sub.add_parser("import-metrics",
                       help="import stage metrics (columns stage, metric, value[, date]) from "
                            ".csv or .xlsx; metrics lanes show the latest values")
    import_arguments(p)
    p.add_argument("--replace", action="store_true",
                   help="replace a dataset of the same name")

    p = sub.add_parser("import-events",
                       help="import an event log (.csv, .tsv, .csv.gz, .tsv.gz, .parquet, "
                            ".jsonl, .ndjson, .xlsx) into a workspace as a dataset")
    import_arguments(p)
    column_options(p)
    p.add_argument("--time-format", metavar="FORMAT",
                   help="how the times are written (default: detected): iso, iso_tz, "
                        "epoch_s, epoch_ms, epoch_us, a date order such as MM/DD/YYYY "
                        "(with or without a time of day), or a strptime pattern such as "
                        "'%%m/%%d/%%Y %%H:%%M'")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good rows when some are bad (they are reported)")
    p.add_argument("--replace", action="store_true",
                   help="replace a dataset of the same name")


def add_bind_parser(sub: Any) -> None:
    """The sub-command ``bind``."""
    p = sub.add_parser("bind", help="bind a stage of a map to event names")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--stage", required=True, metavar="STAGE")
    p.add_argument("--events", required=True, metavar="A,B",
                   help="comma-separated event names (empty to unbind)")
    p.add_argument("--dataset", metavar="D",
                   help="warn about event names this dataset does not have")
