"""``retention``: for the users who reached a stage, the share who came back in each following
day, week or month, by cohort, and churn at a horizon (docs/data.md, "Retention and churn").

Prints the overall curve, the cohort triangles and the churn as tables, or with ``--json``
the one JSON form of :meth:`journeydesk.app.retention.MapRetention.to_json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from journeydesk.app.retention import (
    COHORTS,
    EVERY,
    MapRetention,
    RetentionCell,
    map_retention,
    parse_events,
    period_name,
)
from journeydesk.app.session import WorkspaceSession, find_map, missing_events
from journeydesk.app.text import one_line
from journeydesk.cli.common import (
    PROG,
    UsageError,
    existing,
    opened_data,
    pick_dataset,
    table,
)
from journeydesk.cli.metrics import add_metrics_options, metrics_options

MAX_PERIODS = 1000


def cmd_retention(args: argparse.Namespace) -> int:
    """Print retention after a stage of a map over a dataset (tables, or JSON with --json)."""
    options = metrics_options(args)
    if not 1 <= args.periods <= MAX_PERIODS:
        raise UsageError(f"--periods is a number from 1 to {MAX_PERIODS}")
    if args.churn_at is not None and not 1 <= args.churn_at <= args.periods:
        raise UsageError(f"--churn-at is a period from 1 to --periods ({args.periods})")
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.load(), args.map, args.workspace)
        name = pick_dataset(session, args.dataset, args.workspace)
        events = parse_events(args.events)
        with opened_data(session, name) as data:
            found = map_retention(data, journey_map, name, options, anchor=args.anchor,
                                  every=args.every, periods=args.periods, events=events,
                                  cohort=args.cohort, churn_at=args.churn_at)
            unknown = missing_events(data, events) if events else []
    if unknown:  # a typo would read as nobody coming back
        print(f"{PROG}: warning: dataset {name!r} has no events named {', '.join(unknown)}; "
              "nobody can come back with them", file=sys.stderr)
    if args.json:
        print(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        print(retention_text(found))
    return 0


def retention_text(found: MapRetention) -> str:
    """The curve, the two cohort triangles and the churn, for people."""
    result = found.result
    spec = result.spec
    unit = period_name(spec.every)
    options = found.options
    filters = [f"{options.dates_text()}"] if options.dates_text() else []
    if options.window_seconds is not None:
        filters.append(options.window_text())
    filters += [f"{k}={v}" for k, v in options.segment]
    events = ", ".join(spec.events) if spec.events else "any event"
    end = result.data_end.isoformat(sep=" ") if result.data_end else "no events"
    title = (f"{one_line(found.map_name)} | dataset {one_line(found.dataset)} | after "
             f"{one_line(result.anchor)}, by {unit.lower()} | {result.users} users | "
             f"{one_line(events)} | data until {end}")
    if filters:
        title += " | " + " | ".join(filters)
    periods = [f"{unit} {n}" for n in range(1, spec.periods + 1)]
    curve = [["in the period", *[_share(c.in_period_share) for c in result.overall]],
             ["in it or later", *[_share(c.or_later_share) for c in result.overall]],
             ["users (had it)", *[str(c.observable) for c in result.overall]]]
    blocks = [table(title, ["All users", *periods], curve)]
    partial = False
    for heading, share in (("in the period", "in_period_share"),
                           ("in it or later", "or_later_share")):
        rows = []
        for cohort in result.cohorts:
            cells = [_cell(c, share) for c in cohort.cells]
            partial = partial or any(0 < c.observable < c.users for c in cohort.cells)
            rows.append([cohort.start.isoformat(), str(cohort.users), *cells])
        blocks.append(table(f"By {spec.cohort} of reaching {one_line(result.anchor)}: "
                             f"{heading}", ["Cohort", "Users", *periods], rows))
    notes = ["- not yet: nobody of the cohort has had the whole period (not counted as lost)"]
    if partial:
        notes.insert(0, "* partial: only some of the cohort have had the whole period (the "
                        "share is of those)")
    churn = result.churn
    churned = ("-" if churn.share is None else
               f"{_share(churn.share)} ({churn.churned} of {churn.observable} users with "
               f"no event from {unit.lower()} {churn.period} on)")
    blocks.append("\n".join(notes))
    blocks.append(f"Retained in {found.headline()}\n"
                  f"Churn at {unit.lower()} {churn.period}: {churned}")
    return "\n\n".join(blocks)


def _cell(cell: RetentionCell, share: str) -> str:
    value = getattr(cell, share)
    if value is None:
        return "-"
    return _share(value) + ("*" if not cell.complete else "")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def add_retention_parser(sub: Any) -> None:
    """The sub-command ``retention``."""
    p = sub.add_parser("retention", help="who came back after a stage: retention by period "
                                         "and cohort, and churn")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--anchor", required=True, metavar="STAGE",
                   help="the stage the users reached (a purchase, a first use)")
    p.add_argument("--dataset", metavar="D",
                   help="the dataset (default: the only one of the workspace)")
    p.add_argument("--every", choices=list(EVERY), default="week",
                   help="the period: day, week (7 days) or month (30 days); default week")
    p.add_argument("--periods", type=int, default=12, metavar="N",
                   help="how many periods after the anchor (default 12)")
    p.add_argument("--events", metavar="A,B",
                   help="only these events (names or glob patterns) count as coming back "
                        "(default: any event)")
    p.add_argument("--cohort", choices=list(COHORTS), default="week",
                   help="cohorts by week or month of reaching the anchor (default week)")
    p.add_argument("--churn-at", type=int, metavar="H",
                   help="churn = no event from period H on (default: the last period)")
    add_metrics_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
