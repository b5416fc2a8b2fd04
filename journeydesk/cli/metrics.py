"""The numbers: ``metrics`` (a map's funnel over a dataset, with its options) and ``dropped``
(who dropped off before a stage).

The definition of every number and option is in docs/data.md.  ``metrics`` prints the funnel
as a table, or in the one JSON form (``--json``) that snapshots and the Excel Metrics sheet
share, with every option under ``definition``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from journeydesk.app.metrics import (
    MapMetrics,
    MetricsOptions,
    duration_text,
    map_metrics,
    parse_duration,
    parse_where,
    rest_of,
)
from journeydesk.app.session import WorkspaceSession, find_map
from journeydesk.app.significance import compare_stages
from journeydesk.app.text import format_duration, one_line
from journeydesk.cli.common import (
    PROG,
    UsageError,
    UserError,
    existing,
    iso_date,
    opened_data,
    pick_dataset,
    table,
)


def cmd_metrics(args: argparse.Namespace) -> int:
    """Print the funnel of a map's stages over a dataset (a table, or JSON with --json)."""
    options = _options(args)
    compare = _compare(args.compare) if args.compare else None
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.load(), args.map, args.workspace)
        name = pick_dataset(session, args.dataset, args.workspace)
        with opened_data(session, name) as data:
            metrics = map_metrics(data, journey_map, name, options, breakdown=args.breakdown)
            group = None
            if compare is not None:
                group = map_metrics(data, journey_map, name, MetricsOptions.make(
                    options.date_from, options.date_to, {**dict(options.segment), **compare},
                    options.window_seconds))
    comparison = _comparison(metrics, group, compare) if group is not None else None
    if args.json:
        found = metrics.to_json()
        if comparison is not None:
            found["comparison"] = comparison
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        print(_metricstable(metrics))
        if metrics.breakdown_column is not None:
            print()
            print(_breakdowntable(metrics))
        if comparison is not None:
            print()
            print(_comparisontable(comparison))
    return 0


def metrics_options(args: argparse.Namespace) -> MetricsOptions:
    """The options of :func:`add_metrics_options` (UsageError for a malformed one)."""
    return _options(args)


def _options(args: argparse.Namespace) -> MetricsOptions:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError("--from is after --to")
    try:
        where = parse_where(args.where or [])
        window = parse_duration(args.window) if args.window else None
    except ValueError as exc:
        raise UsageError(str(exc) if "--where" in str(exc) else f"--window: {exc}") from None
    return MetricsOptions.make(args.date_from, args.date_to, where, window)


def _compare(text: str) -> dict[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise UsageError(f"--compare takes COLUMN=VALUE, not {text!r}")
    return {column.strip(): value.strip()}


def _comparison(metrics: MapMetrics, group: MapMetrics, compare: dict[str, str]
                ) -> dict[str, Any]:
    """Each stage's conversion of the users with ``compare`` against the rest, tested."""
    rest = rest_of(metrics.result, group.result)
    stages = []
    for numbers, test in zip(group.result.stages, compare_stages(group.result, rest),
                             strict=True):
        entry: dict[str, Any] = {"stage": numbers.stage}
        if test is not None:
            entry.update(group_users=test.x1, group_of=test.n1, rest_users=test.x2,
                         rest_of=test.n2, p_value=test.p_value, verdict=test.verdict)
        stages.append(entry)
    return {"segment": compare, "group_users_total": group.users_total,
            "rest_users_total": rest.users_total, "stages": stages}


def _title(metrics: MapMetrics) -> str:
    options = metrics.options
    filters = []
    if options.date_from or options.date_to:
        filters.append(f"{options.date_from or '...'} to {options.date_to or '...'}")
    if options.window_seconds is not None:
        filters.append(f"within {duration_text(options.window_seconds)}")
    filters += [f"{k}={v}" for k, v in options.segment]
    title = (f"{one_line(metrics.map_name)} | dataset {one_line(metrics.dataset)} | "
             f"{metrics.users_total} users")
    return title + (" | " + " | ".join(filters) if filters else "")


def _metricstable(metrics: MapMetrics) -> str:
    header = ["Stage", "Users", "From previous", "From first", "Dropped", "Median time"]
    rows = [[one_line(s.stage), _num(s.users), _percent(s.conversion_from_previous),
             _percent(s.conversion_from_first), _num(s.dropped),
             format_duration(s.median_seconds_from_previous, precise=True)]
            for s in metrics.result.stages]
    return table(_title(metrics), header, rows)


def _breakdowntable(metrics: MapMetrics) -> str:
    """Users per stage for each value of the breakdown column."""
    stages = [s for s in metrics.result.stages if s.users is not None]
    header = [one_line(metrics.breakdown_column or ""), "Users", *[one_line(s.stage)
                                                                   for s in stages]]
    rows = []
    for value, part in metrics.breakdown:
        reached = {s.stage: s for s in part.stages}
        rows.append([one_line(value), str(part.users_total),
                     *[_num(reached[s.stage].users) for s in stages]])
    return table(f"by {one_line(metrics.breakdown_column or '')}", header, rows)


def _comparisontable(comparison: dict[str, Any]) -> str:
    """Conversion from the previous stage, the segment against the rest, with the test."""
    segment = ", ".join(f"{k}={v}" for k, v in comparison["segment"].items())
    header = ["Stage", segment, "rest", "p", "Verdict"]
    rows = []
    for entry in comparison["stages"]:
        if "verdict" not in entry:
            continue
        rows.append([one_line(entry["stage"]),
                     _rate(entry["group_users"], entry["group_of"]),
                     _rate(entry["rest_users"], entry["rest_of"]),
                     _p_value(entry["p_value"]),
                     entry["verdict"]])
    return table(f"{segment} against the rest (conversion from the previous stage)",
                  header, rows)


def _p_value(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _rate(users: int, of: int) -> str:
    return f"{_percent(users / of if of else None)} of {of}"


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def add_metrics_options(p: argparse.ArgumentParser) -> None:
    """--from, --to, --window and --where: which users and journeys count (docs/data.md)."""
    p.add_argument("--from", dest="date_from", type=iso_date, metavar="YYYY-MM-DD",
                   help="count users who enter the funnel on or after this day (their later "
                        "events count too)")
    p.add_argument("--to", dest="date_to", type=iso_date, metavar="YYYY-MM-DD",
                   help="count users who enter the funnel on or before this day")
    p.add_argument("--window", metavar="DURATION",
                   help="conversion window: every stage within this time of the first "
                        "(30m, 12h, 7d, 2w; default: unlimited)")
    p.add_argument("--where", action="extend", nargs="+", metavar="COL=VALUE",
                   help="only users whose attribute COL is VALUE, as of their first event in "
                        "the period (all must hold)")


def add_metrics_parser(sub: Any) -> None:
    """The sub-command ``metrics``."""
    p = sub.add_parser("metrics", help="the funnel of a map's stages over a dataset")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--dataset", metavar="D",
                   help="the dataset (default: the only one of the workspace)")
    add_metrics_options(p)
    p.add_argument("--breakdown", metavar="COL",
                   help="one funnel per value of the users' attribute COL (10 largest, then "
                        "other)")
    p.add_argument("--compare", metavar="COL=VALUE",
                   help="compare the users with COL=VALUE against the rest, stage by stage "
                        "(two-proportion test)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def cmd_dropped(args: argparse.Namespace) -> int:
    """Print the ids of the users who dropped off before a stage (or write them as CSV)."""
    from journeydesk.app.exports import write_atomic
    from journeydesk.app.metrics import stages_of, who_dropped
    from journeydesk.app.session import find_stage

    options = _options(args)
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.load(), args.map, args.workspace)
        stage = find_stage(journey_map, args.stage)
        name = pick_dataset(session, args.dataset, args.workspace)
        with opened_data(session, name) as data:
            report = who_dropped(data, stages_of(journey_map),
                                 journey_map.stage_index(stage.id), options)
    print(f"{PROG}: {report.summary()}", file=sys.stderr)
    if args.output:
        text = "user\n" + "".join(f"{_csv_cell(user)}\n" for user in report.users)
        try:
            write_atomic(Path(args.output), text)
        except OSError as exc:
            raise UserError(f"{args.output}: cannot be written ({exc.strerror or exc})") \
                from None
    else:
        for user in report.users:
            print(user)
    return 0


def _csv_cell(value: str) -> str:
    """One CSV cell: quoted when needed, and never read as a formula by a spreadsheet."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        value = "'" + value
    if any(c in value for c in ',"\n\r'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def add_dropped_parser(sub: Any) -> None:
    """The sub-command ``dropped``."""
    p = sub.add_parser("dropped", help="the users who dropped off before a stage (ids)")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--stage", required=True, metavar="STAGE",
                   help="the stage they did not reach (after the bound stage before it)")
    p.add_argument("--dataset", metavar="D",
                   help="the dataset (default: the only one of the workspace)")
    add_metrics_options(p)
    p.add_argument("-o", "--output", metavar="IDS.csv",
                   help="write the ids to this CSV file instead of printing them")
