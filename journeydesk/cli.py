"""The command line: ``journeydesk [WORKSPACE]`` starts the app; sub-commands script it.

The command names and their output are a public interface that users script against.  Errors go
to stderr as one line: exit status 1 for bad input (a file that is not a workspace, a malformed
map), 2 for a wrong command line.  A user error never prints a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from journeydesk import __version__
from journeydesk.analytics import timeformats
from journeydesk.analytics.events import (
    SUPPORTED_SUFFIXES,
    BadRows,
    ColumnMapping,
    EventImportError,
    LoadResult,
    UnsupportedFormatError,
    format_of,
    load_events,
)
from journeydesk.analytics.funnel import FunnelResult, MetricsError, event_counts, funnel
from journeydesk.data_access import close_data, event_data, event_data_names
from journeydesk.domain.commands import AddMapCommand, EditStageCommand
from journeydesk.domain.model import DomainError, JourneyMap, Persona, Workspace
from journeydesk.exchange import json_persona
from journeydesk.exchange.files import write_atomic
from journeydesk.exchange.json_map import FormatError
from journeydesk.exchange.map_formats import (
    PICTURE_FORMATS,
    READ_FORMATS,
    WRITE_FORMATS,
    ImportedMap,
    read_map,
    write_map,
)
from journeydesk.store import datasets, sources
from journeydesk.store.document import Document
from journeydesk.store.paths import default_workspace_path
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile

PROG = "journeydesk"
MAP_EXPORT_FORMATS = (*WRITE_FORMATS, *PICTURE_FORMATS)
COUNT_TIMEOUT = 30.0  # seconds add-source spends counting a database table's events
PERSONA_EXPORT_FORMATS = (".json", ".pdf", ".png")


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 1."""


class UsageError(Exception):
    """A wrong command line: printed with the usage hint, exit status 2."""


# --------------------------------------------------------------------------- commands
def cmd_maps(args: argparse.Namespace) -> int:
    """Print one line per map: name, stage count, card count (tab-separated)."""
    with WorkspaceFile.open(_existing(args.workspace), read_only=True) as ws_file:
        for name, stages, cards in ws_file.map_summaries():
            print(f"{name}\t{stages} stages\t{cards} cards")
    return 0


def cmd_import_map(args: argparse.Namespace) -> int:
    """Import a map file into the workspace (created if missing); print the map's name.

    Notes about the import (guessed lane types, clamped scores...) go to stderr.
    """
    source = Path(args.file)
    if source.suffix.lower() not in READ_FORMATS:
        raise UsageError(f"cannot import {source.name!r}: supported formats are "
                         f"{', '.join(READ_FORMATS)}")
    if not source.is_file():
        raise UserError(f"{source}: no such file")
    if not Path(args.workspace).exists():
        _parse_map(source, Workspace())  # a bad file must not leave an empty workspace
    with WorkspaceFile.open(args.workspace, create=True) as ws_file:
        doc = Document(ws_file)
        imported = _parse_map(source, doc.workspace)
        journey_map = imported.map
        if args.name:
            journey_map.name = args.name
        if doc.workspace.map_named(journey_map.name) is not None:
            raise UserError(f"{args.workspace}: already has a map named {journey_map.name!r}; "
                            "use --name to import it under another name")
        doc.execute(AddMapCommand(journey_map, imported.personas))
        for warning in imported.warnings:
            print(f"{PROG}: note: {warning}", file=sys.stderr)
        print(journey_map.name)
    return 0


def cmd_personas(args: argparse.Namespace) -> int:
    """Print one line per persona, by name: name, role, number of maps showing it."""
    with WorkspaceFile.open(_existing(args.workspace), read_only=True) as ws_file:
        ws = ws_file.load()
    for persona in sorted(ws.personas.values(), key=lambda p: p.name):
        maps = sum(persona.id in m.persona_ids for m in ws.maps.values())
        print(f"{_one_line(persona.name)}\t{_one_line(persona.role)}\t{maps} maps")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a map or a persona to a file whose format follows its extension."""
    out = Path(args.output)
    suffix = out.suffix.lower()
    formats = MAP_EXPORT_FORMATS if args.map is not None else PERSONA_EXPORT_FORMATS
    if suffix not in formats:
        what = "a map" if args.map is not None else "a persona"
        raise UsageError(f"cannot export {what} to {out.name!r}: supported formats are "
                         f"{', '.join(formats)}")
    if args.map is None and (args.scale or args.dpi or args.pages):
        raise UsageError("--scale, --dpi and --pages apply to map pictures only")
    if args.dataset and (args.map is None or suffix != ".xlsx"):
        raise UsageError("--dataset applies to map exports to .xlsx (the Metrics sheet)")
    metrics = None
    with WorkspaceFile.open(_existing(args.workspace), read_only=True) as ws_file:
        if args.map is not None and suffix in PICTURE_FORMATS:
            _export_map_picture(ws_file, args, out)
            return 0
        ws = ws_file.load()
        if args.dataset:
            metrics = _metrics_json(ws_file, _find_map(ws, args.map, args.workspace),
                                    args.dataset, args.workspace)
    try:
        if args.map is not None:
            journey_map = _find_map(ws, args.map, args.workspace)
            write_map(journey_map, ws, out, metrics=metrics)
            return 0
        persona = _find_persona(ws, args.persona, args.workspace)
        if suffix == ".json":
            write_atomic(out, json_persona.dumps_persona(persona))
        else:
            render_persona_page = _gui_function("persona_page", "render_persona_page", suffix)
            render_persona_page(persona, ws, out)
    except OSError as exc:
        raise UserError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    return 0


def _export_map_picture(ws_file: WorkspaceFile, args: argparse.Namespace, out: Path) -> None:
    suffix = out.suffix.lower()
    if args.scale and args.dpi:
        raise UsageError("give --scale or --dpi, not both")
    if (args.scale or args.dpi) and suffix != ".png":
        raise UsageError("--scale and --dpi apply to .png pictures")
    if args.pages and suffix != ".pdf":
        raise UsageError("--pages applies to .pdf files")
    export_picture = _gui_function("map_picture", "export_picture", suffix)
    document = Document(ws_file)
    journey_map = _find_map(document.workspace, args.map, args.workspace)
    try:
        export_picture(document, journey_map.id, out, scale=args.scale, dpi=args.dpi,
                       pages=args.pages or "fit")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{out}: cannot be written ({exc.strerror or exc})") from None


def _gui_function(module: str, name: str, suffix: str):  # noqa: ANN202
    """A drawing function from journeydesk.gui, loaded only when a picture is asked for."""
    import importlib

    try:
        return getattr(importlib.import_module(f"journeydesk.gui.{module}"), name)
    except ImportError as exc:  # Qt or a system library it needs is missing
        raise UserError(f"cannot write {suffix} files here: Qt did not load ({exc})") from None


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the desktop app on a workspace (the default workspace when none is named)."""
    from journeydesk.gui.app import run_app

    if args.screenshot and not args.screenshot.lower().endswith(".png"):
        raise UsageError("--screenshot writes a .png file")
    path = Path(args.workspace) if args.workspace else default_workspace_path()
    create = args.workspace is None
    if args.workspace and not path.exists():
        if path.suffix.lower() != ".jdesk":
            raise UserError(f"{path}: no such workspace file")
        if not path.parent.is_dir():
            raise UserError(f"{path.parent}: no such folder")
        create = True  # a new workspace under the name given, as File > New workspace does
    first_start = args.workspace is None and not path.exists()
    if first_start:
        # The demo workspace, so there is a real map with real numbers to see.
        from journeydesk.demo import build_demo

        path.parent.mkdir(parents=True, exist_ok=True)
        build_demo(path)
    return run_app(path, create=create, map_name=args.map,
                   screenshot=Path(args.screenshot) if args.screenshot else None,
                   theme=args.theme, welcome=first_start)


# --------------------------------------------------------------------------- event data
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
    name = args.name.strip() if args.name else _dataset_name(source)
    if not name:
        raise UsageError("--name must not be empty")
    if args.time_format is not None:
        try:
            timeformats.from_user(args.time_format)
        except ValueError as exc:
            raise UsageError(f"--time-format: {exc}") from None
    workspace = Path(args.workspace)
    if workspace.exists() and not args.replace:  # fail before the long part
        with WorkspaceFile.open(workspace, read_only=True) as ws_file:
            if any(d.name == name for d in datasets.list_datasets(ws_file)):
                raise UserError(f"{workspace}: already has a dataset named {name!r}; use "
                                "--replace to replace it or --name to import under another")
    mapping = ColumnMapping(user=args.user, event=args.event, time=args.time,
                            time_format=args.time_format)
    try:
        result = load_events(source, mapping, skip_bad_rows=args.skip_bad_rows)
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
    with WorkspaceFile.open(workspace, create=True) as ws_file:
        try:
            datasets.add_dataset(
                ws_file, name, result.parquet, source=source.name, row_count=result.row_count,
                user_column=result.mapping.user, event_column=result.mapping.event,
                time_column=result.mapping.time, attributes=result.attributes,
                replace=args.replace)
        except datasets.DatasetExistsError as exc:
            raise UserError(f"{exc}; use --replace to replace it") from None
    for line in notes:
        print(line, file=sys.stderr)
    print(summary)
    return 0


def cmd_add_source(args: argparse.Namespace) -> int:
    """Add a database source: a table or view of events where the metrics are computed.

    The URL is stored without its password (one given in the URL is used for the check and
    dropped).  Unless --no-check, the server is reached, the table found and the columns
    checked (detected from their names when not given) before anything is written.
    """
    from journeydesk.analytics.warehouse import SourceError, strip_password

    name = args.name.strip()
    if not name:
        raise UsageError("--name must not be empty")
    try:
        url, password = strip_password(args.url)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    if password is not None:
        print(f"{PROG}: note: the password in the URL is used for this check only and not "
              "stored", file=sys.stderr)
    if password is None and args.password_env:
        password = os.environ.get(args.password_env) or None
    workspace = Path(args.workspace)
    if workspace.exists():  # fail before reaching the server
        with WorkspaceFile.open(workspace, read_only=True) as ws_file:
            taken = {c.name: c.kind for c in event_data_names(ws_file)}
            if name in taken and not (args.replace and taken[name] == "database"):
                raise UserError(f"{workspace}: already has a "
                                f"{'source' if taken[name] == 'database' else 'dataset'} "
                                f"named {name!r}"
                                + ("; use --replace to replace it"
                                   if taken[name] == "database" else ""))
    mapping = {"user": args.user, "event": args.event, "time": args.time}
    # stored as given; none given: every column but the user, event and time, when queried
    attributes = tuple(a.strip() for a in (args.attributes or "").split(",") if a.strip())
    summary = ""
    if args.no_check:
        defaults = {"user": "user_id", "event": "event", "time": "timestamp"}
        mapping = {role: column or defaults[role] for role, column in mapping.items()}
    else:
        try:
            mapping, summary = _check_source(url, password, args, mapping, attributes)
        except SourceError as exc:
            raise UserError(f"{exc} (nothing was added; --no-check adds the source without "
                            "reaching the server)") from None
    with WorkspaceFile.open(workspace, create=True) as ws_file:
        try:
            info = sources.add_source(
                ws_file, name, url=url, table=args.table, user_column=mapping["user"],
                event_column=mapping["event"], time_column=mapping["time"],
                attributes=attributes, password_env=args.password_env,
                timeout_seconds=args.timeout, replace=args.replace)
        except datasets.DatasetExistsError as exc:
            raise UserError(str(exc)) from None
    print(f"{info.name}: {info.table} at {info.display_url()} (user {info.user_column}, "
          f"event {info.event_column}, time {info.time_column}){summary}")
    return 0


def _check_source(url: str, password: str | None, args: argparse.Namespace,
                  mapping: dict[str, str | None], attributes: tuple[str, ...]
                  ) -> tuple[dict[str, str], str]:
    """Reach the server, find the table, detect the columns not given and count the events.

    Returns the complete mapping and a summary for the output line; raises SourceError.
    """
    from journeydesk.analytics.events import detect_mapping
    from journeydesk.analytics.warehouse import (
        AuthenticationError,
        QueryTimeout,
        TableSource,
        Warehouse,
    )

    probe = TableSource(url, args.table, "", "", "", timeout_seconds=args.timeout)
    while True:
        try:
            with Warehouse(probe, password=password) as warehouse:
                columns = [c for c, _ in warehouse.table_columns()]
            break
        except AuthenticationError as exc:
            if password is not None or not sys.stdin.isatty():
                raise
            import getpass

            print(f"{PROG}: {exc}", file=sys.stderr)
            password = getpass.getpass(f"Password for {probe.display_url()}: ") or None
            if password is None:
                raise
    detected = detect_mapping(columns)
    found = {role: column or getattr(detected, role) for role, column in mapping.items()}
    missing = [role for role, column in found.items() if not column]
    if missing:
        raise UserError(f"table {args.table!r}: cannot tell which column holds the "
                        f"{' and the '.join(missing)} (columns: {', '.join(columns)}); "
                        f"name it with {' '.join('--' + m for m in missing)}")
    source = TableSource(url, args.table, found["user"], found["event"], found["time"],
                         attributes, args.password_env, min(args.timeout, COUNT_TIMEOUT))
    with Warehouse(source, password=password) as warehouse:
        offered = warehouse.check()
        try:  # a courtesy: on a table of billions of rows it may take too long
            counts = warehouse.event_counts()
            counted = f"{sum(counts.values()):,} events of {len(counts):,} kinds"
        except QueryTimeout:
            counted = f"events not counted (more than {COUNT_TIMEOUT:g} s)"
    return found, f"; {counted}, attributes: {', '.join(offered) or 'none'}"


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo workspace (the membership map, its personas, a generated event log)."""
    from journeydesk.demo import build_demo

    path = Path(args.workspace) if args.workspace else default_workspace_path()
    if path.exists():
        raise UserError(f"{path}: already exists; name another file for the demo")
    if args.workspace is None:
        path.parent.mkdir(parents=True, exist_ok=True)  # the first run on this machine
    if not path.parent.is_dir():
        raise UserError(f"{path.parent}: no such folder")
    build_demo(path)
    print(path)
    return 0


def cmd_import_metrics(args: argparse.Namespace) -> int:
    """Import a table of stage, metric, value[, date] (NPS, CSAT...) for metrics lanes."""
    from journeydesk.analytics.stage_metrics import (
        StageMetricsError,
        read_stage_metrics,
        to_parquet,
    )

    source = Path(args.file)
    if source.suffix.lower() not in (".csv", ".tsv", ".txt", ".xlsx"):
        raise UsageError(f"cannot import metrics from {source.name!r}: supported formats are "
                         ".csv, .tsv, .txt, .xlsx")
    if not source.is_file():
        raise UserError(f"{source}: no such file")
    try:
        rows = read_stage_metrics(source)
    except (StageMetricsError, OSError) as exc:
        raise UserError(str(exc)) from None
    name = args.name.strip() if args.name else source.stem
    with WorkspaceFile.open(args.workspace, create=True) as ws_file:
        try:
            datasets.add_dataset(ws_file, name, to_parquet(rows), source=source.name,
                                 row_count=len(rows), kind="metrics", replace=args.replace)
        except datasets.DatasetExistsError as exc:
            raise UserError(f"{exc}; use --replace to replace it") from None
    stages = len({r.stage for r in rows})
    metrics = len({r.metric for r in rows})
    print(f"{name}: {len(rows)} values of {metrics} metrics for {stages} stages")
    return 0


def _dataset_name(source: Path) -> str:
    name = source.name
    for suffix in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[:-len(suffix)] or name
    return source.stem


def _import_notes(result: LoadResult, *, explicit_format: bool) -> list[str]:
    """The lines for stderr about an import: the columns and time format used, a warning
    when every date could be read either way and day-first was taken, the rows skipped."""
    m = result.mapping
    attrs = ", ".join(result.attributes) or "none"
    lines = [f"{PROG}: note: columns user={m.user!r}, event={m.event!r}, time={m.time!r} "
             f"({result.time_format}); attributes: {attrs}"]
    month_first = (None if explicit_format
                   else timeformats.unproven_day_first(result.time_format, result.parquet))
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


def cmd_bind(args: argparse.Namespace) -> int:
    """Bind a stage of a map to event names (an empty list unbinds it).

    With --dataset, names that the dataset does not have are warned about on stderr (the
    binding is made all the same: the data may come later).
    """
    events = [e.strip() for e in args.events.split(",") if e.strip()]
    with WorkspaceFile.open(_existing(args.workspace)) as ws_file:
        document = Document(ws_file)
        journey_map = _find_map(document.workspace, args.map, args.workspace)
        stage = journey_map.stage_named(args.stage)
        if stage is None:
            names = ", ".join(s.name for s in journey_map.stages) or "none"
            raise UserError(f"map {journey_map.name!r} has no stage named {args.stage!r} "
                            f"(stages: {names})")
        unknown: list[str] = []
        if args.dataset is not None:
            with _opened_data(ws_file, args.dataset) as data:
                known = event_counts(data)
            unknown = [e for e in events if e not in known]
        document.execute(EditStageCommand(journey_map.id, stage.id, events=events))
    if unknown:
        print(f"{PROG}: warning: dataset {args.dataset!r} has no events named "
              f"{', '.join(unknown)}", file=sys.stderr)
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    """Print the funnel of a map's stages over a dataset (a table, or JSON with --json)."""
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError("--from is after --to")
    where = _where(args.where or [])
    with WorkspaceFile.open(_existing(args.workspace), read_only=True) as ws_file:
        journey_map = _find_map(ws_file.load(), args.map, args.workspace)
        name = _pick_dataset(ws_file, args.dataset, args.workspace)
        stages = [(s.name, s.events) for s in journey_map.stages]
        with _opened_data(ws_file, name) as data:
            result = funnel(data, stages, date_from=args.date_from, date_to=args.date_to,
                            where=where)
    if args.json:
        print(json.dumps({"map": journey_map.name, "dataset": name,
                          "users_total": result.users_total,
                          "stages": [s.as_dict() for s in result.stages]},
                         indent=2, ensure_ascii=False))
    else:
        print(_metrics_table(journey_map.name, name, result, args, where))
    return 0


@contextlib.contextmanager
def _opened_data(ws_file: WorkspaceFile, name: str) -> Iterator[Any]:
    """The event data named ``name`` (a dataset or a database source), closed afterwards;
    a metrics error becomes a UserError naming the dataset."""
    try:
        data = event_data(ws_file, name, ask=_ask_password)
    except MetricsError as exc:
        raise UserError(f"source {name!r}: {exc}") from None
    try:
        yield data
    except MetricsError as exc:
        raise UserError(f"dataset {name!r}: {exc}") from None
    finally:
        close_data(data)


def _ask_password(info: sources.SourceInfo, reason: str) -> str | None:
    """Ask for a source's password at the terminal (None when there is no terminal)."""
    if not sys.stdin.isatty():
        return None
    import getpass

    print(f"{PROG}: {reason}", file=sys.stderr)
    hint = f" (or set {info.password_env})" if info.password_env else ""
    answer = getpass.getpass(f"Password for {info.display_url()}{hint}: ")
    return answer or None


def _metrics_json(ws_file: WorkspaceFile, journey_map: JourneyMap, dataset: str,
                  workspace: str) -> dict:
    """The map's funnel over ``dataset`` in the ``metrics --json`` form."""
    name = _pick_dataset(ws_file, dataset, workspace)
    with _opened_data(ws_file, name) as data:
        result = funnel(data, [(s.name, s.events) for s in journey_map.stages])
    return {"map": journey_map.name, "dataset": name, "users_total": result.users_total,
            "stages": [s.as_dict() for s in result.stages]}


def _pick_dataset(ws_file: WorkspaceFile, name: str | None, workspace: str) -> str:
    """The name of the event data to use: ``name``, else the workspace's only one."""
    if name is not None:
        return name
    found = event_data_names(ws_file)
    if not found:
        raise UserError(f"{workspace}: has no event datasets; import one with "
                        f"'{PROG} import-events' or add a database with '{PROG} add-source'")
    if len(found) > 1:
        raise UserError(f"{workspace}: has several datasets "
                        f"({', '.join(d.name for d in found)}); choose one with --dataset")
    return found[0].name


def _where(items: list[str]) -> dict[str, str]:
    where: dict[str, str] = {}
    for item in items:
        column, sep, value = item.partition("=")
        column = column.strip()
        if not sep or not column:
            raise UsageError(f"--where takes COLUMN=VALUE, not {item!r}")
        if column in where and where[column] != value.strip():
            raise UsageError(f"--where gives {column!r} twice")
        where[column] = value.strip()
    return where


def _metrics_table(map_name: str, dataset: str, result: FunnelResult,
                   args: argparse.Namespace, where: dict[str, str]) -> str:
    filters = []
    if args.date_from or args.date_to:
        filters.append(f"{args.date_from or '...'} to {args.date_to or '...'}")
    filters += [f"{k}={v}" for k, v in where.items()]
    title = f"{_one_line(map_name)} | dataset {_one_line(dataset)} | {result.users_total} users"
    if filters:
        title += " | " + " | ".join(filters)
    header = ["Stage", "Users", "From previous", "From first", "Dropped", "Median time"]
    rows = [header]
    for s in result.stages:
        rows.append([_one_line(s.stage), _num(s.users), _percent(s.conversion_from_previous),
                     _percent(s.conversion_from_first), _num(s.dropped),
                     _duration(s.median_seconds_from_previous)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [title]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                        strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _duration(seconds: float | None) -> str:
    """A median time for people: 42s, 3m 20s, 2h 05m, 1d 04h."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def _iso_date(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


# --------------------------------------------------------------------------- helpers
def _existing(workspace: str) -> Path:
    path = Path(workspace)
    if not path.exists():
        raise UserError(f"{path}: no such workspace file")
    return path


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def _parse_map(source: Path, ws: Workspace) -> ImportedMap:
    try:
        return read_map(source, ws)
    except FormatError as exc:
        raise UserError(f"{source}: {exc}") from None
    except OSError as exc:
        raise UserError(f"{source}: cannot be read ({exc.strerror or exc})") from None


def _one_line(text: str) -> str:
    """``text`` with tabs and line breaks as spaces, so that each record stays one line."""
    return " ".join(text.replace("\t", " ").splitlines()) if text else ""


def _find_persona(ws: Workspace, name: str, workspace: str) -> Persona:
    persona = ws.persona_named(name)
    if persona is None:
        names = ", ".join(sorted(p.name for p in ws.personas.values())) or "none"
        raise UserError(f"{workspace}: has no persona named {name!r} (personas: {names})")
    return persona


def _find_map(ws: Workspace, name: str, workspace: str) -> JourneyMap:
    journey_map = ws.map_named(name)
    if journey_map is None:
        names = ", ".join(sorted(m.name for m in ws.maps.values())) or "none"
        raise UserError(f"{workspace}: has no map named {name!r} (maps: {names})")
    return journey_map


# --------------------------------------------------------------------------- parsing
def _column_options(p: argparse.ArgumentParser) -> None:
    """--user, --event and --time: which columns hold what (detected when not given)."""
    p.add_argument("--user", metavar="COL", help="the column of user ids (default: detected)")
    p.add_argument("--event", metavar="COL",
                   help="the column of event names (default: detected)")
    p.add_argument("--time", metavar="COL", help="the column of times (default: detected)")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[..., int]]]:
    """The sub-command parser and the function behind each sub-command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Journey maps joined to real behavioural data. "
                    f"Run '{PROG} [WORKSPACE]' to start the app.",
    )
    parser.add_argument("--version", action="version", version=f"JourneyDesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("maps", help="list the maps of a workspace (name, stages, cards)")
    p.add_argument("workspace", metavar="WORKSPACE")

    p = sub.add_parser("personas", help="list the personas of a workspace (name, role, maps)")
    p.add_argument("workspace", metavar="WORKSPACE")

    p = sub.add_parser("import-map", help="import a map file (.json, .xlsx, .mmd) into a workspace")
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="import under this name instead of the file's")

    p = sub.add_parser("export", help="export a map (.json, .xlsx, .mmd, .csv, .png, .svg, .pdf) "
                                      "or a persona (.json, .pdf, .png); the format follows "
                                      "the extension")
    p.add_argument("workspace", metavar="WORKSPACE")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--map", metavar="NAME", help="the map to export")
    which.add_argument("--persona", metavar="NAME",
                       help="the persona to export: data (.json) or a one-page sheet (.pdf, .png)")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--scale", type=_positive, metavar="S",
                   help="map pictures (.png): pixels per canvas unit (default 2)")
    p.add_argument("--dpi", type=_positive, metavar="D",
                   help="map pictures (.png): resolution; 96 dpi is the canvas at 100 %%")
    p.add_argument("--dataset", metavar="D",
                   help="map exports to .xlsx: add a Metrics sheet with this dataset's funnel")
    p.add_argument("--pages", choices=["fit", "tile"],
                   help="map PDFs: fit the map on one page (default) or tile it at full size")

    p = sub.add_parser("demo", help="build the demo workspace: the membership sign-up map, "
                                    "its personas and a generated event log")
    p.add_argument("workspace", metavar="WORKSPACE", nargs="?",
                   help="where to build it (default: your default workspace, if it is new)")

    p = sub.add_parser("import-metrics",
                       help="import stage metrics (columns stage, metric, value[, date]) from "
                            ".csv or .xlsx; metrics lanes show the latest values")
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="the dataset's name (default: the file's name)")
    p.add_argument("--replace", action="store_true",
                   help="replace a dataset of the same name")

    p = sub.add_parser("import-events",
                       help="import an event log (.csv, .tsv, .csv.gz, .tsv.gz, .parquet, "
                            ".jsonl, .ndjson, .xlsx) into a workspace as a dataset")
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="the dataset's name (default: the file's name)")
    _column_options(p)
    p.add_argument("--time-format", metavar="FORMAT",
                   help="how the times are written (default: detected): iso, iso_tz, "
                        "epoch_s, epoch_ms, epoch_us, a date order such as MM/DD/YYYY "
                        "(with or without a time of day), or a strptime pattern such as "
                        "'%%m/%%d/%%Y %%H:%%M'")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good rows when some are bad (they are reported)")
    p.add_argument("--replace", action="store_true",
                   help="replace a dataset of the same name")

    p = sub.add_parser("add-source",
                       help="add a database source: a table or view of events in PostgreSQL "
                            "or a warehouse, where the metrics are computed")
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("--name", required=True, help="the source's name (used as --dataset NAME)")
    p.add_argument("--url", required=True,
                   help="a SQLAlchemy URL, e.g. postgresql+psycopg://user@host:5432/db "
                        "(stored without a password)")
    p.add_argument("--table", required=True, metavar="T", help="table or view (schema.name)")
    _column_options(p)
    p.add_argument("--attributes", metavar="A,B",
                   help="columns offered for --where segments (default: all other columns)")
    p.add_argument("--password-env", metavar="VAR",
                   help="read the password from this environment variable (else asked for)")
    p.add_argument("--timeout", type=_positive, default=sources.DEFAULT_TIMEOUT, metavar="S",
                   help="cancel a query that runs longer than S seconds (default 120)")
    p.add_argument("--no-check", action="store_true",
                   help="add it without reaching the server")
    p.add_argument("--replace", action="store_true", help="replace a source of the same name")

    p = sub.add_parser("bind", help="bind a stage of a map to event names")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--stage", required=True, metavar="STAGE")
    p.add_argument("--events", required=True, metavar="A,B",
                   help="comma-separated event names (empty to unbind)")
    p.add_argument("--dataset", metavar="D",
                   help="warn about event names this dataset does not have")

    p = sub.add_parser("metrics", help="the funnel of a map's stages over a dataset")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--dataset", metavar="D",
                   help="the dataset (default: the only one of the workspace)")
    p.add_argument("--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD",
                   help="only events on or after this day")
    p.add_argument("--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD",
                   help="only events on or before this day")
    p.add_argument("--where", action="extend", nargs="+", metavar="COL=VALUE",
                   help="only events whose attribute COL is VALUE (all must hold)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    handlers = {"maps": cmd_maps, "personas": cmd_personas, "import-map": cmd_import_map,
                "export": cmd_export, "import-events": cmd_import_events,
                "import-metrics": cmd_import_metrics, "demo": cmd_demo, "bind": cmd_bind,
                "metrics": cmd_metrics, "add-source": cmd_add_source}
    return parser, handlers


def build_gui_parser(commands: Sequence[str]) -> argparse.ArgumentParser:
    """The parser for starting the app: ``journeydesk [WORKSPACE] [options]``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Journey maps joined to real behavioural data.",
        epilog=f"Commands: {', '.join(commands)} (see '{PROG} COMMAND --help').",
    )
    parser.add_argument("--version", action="version", version=f"JourneyDesk {__version__}")
    parser.add_argument("workspace", nargs="?", metavar="WORKSPACE",
                        help="the workspace file to open (default: your default workspace)")
    parser.add_argument("--map", metavar="NAME", help="open this map")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="write a picture of the whole window to OUT.png and exit")
    parser.add_argument("--theme", choices=["light", "dark"], help="the canvas theme")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, handlers = build_parser()
    if not args_list or args_list[0] not in handlers:
        gui_parser = build_gui_parser(list(handlers))
        if args_list and _looks_like_a_command(args_list[0]):
            gui_parser.print_usage(sys.stderr)
            close = difflib.get_close_matches(args_list[0], list(handlers), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            print(f"{PROG}: error: {args_list[0]!r} is neither a command nor a workspace file "
                  f"(commands: {', '.join(handlers)}){hint}", file=sys.stderr)
            return 2
        gui_args = gui_parser.parse_args(args_list)
        return _guarded(gui_parser, lambda: cmd_gui(gui_args))
    args = parser.parse_args(args_list)
    return _guarded(parser, lambda: handlers[args.command](args))


def _looks_like_a_command(word: str) -> bool:
    """A first word that is no option, no existing file and has no extension or folder: a
    mistyped command rather than a workspace to open (which would start the app)."""
    return (not word.startswith("-") and not Path(word).exists() and not Path(word).suffix
            and "/" not in word and os.sep not in word)


def _guarded(parser: argparse.ArgumentParser, action: Callable[[], int]) -> int:
    try:
        return action()
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (UserError, WorkspaceError, DomainError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of our output went away (``journeydesk maps W | head``): not an error
        # worth a traceback; point stdout at nothing so the exit's flush cannot fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
