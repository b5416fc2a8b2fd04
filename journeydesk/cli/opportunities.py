"""``opportunities``: the workspace's opportunity portfolio as a table, JSON, CSV or Excel.

The table prints one tab-separated line per opportunity: map, stage, value, effort, priority,
status, owner, text (one line) and how many pain points it addresses.  ``--csv`` writes the
columns an issue tracker imports (Summary, Description, Priority, Labels, Status), ``--xlsx``
an "Opportunities" sheet; the priority rule is in :mod:`journeydesk.app.portfolio`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from journeydesk.app.portfolio import (
    NO_STATUS,
    SORT_KEYS,
    export_portfolio_xlsx,
    export_tracker_csv,
    filter_opportunities,
    list_opportunities,
    sort_opportunities,
    to_json,
)
from journeydesk.app.session import WorkspaceSession, find_map
from journeydesk.app.text import one_line
from journeydesk.cli.common import UsageError, UserError, existing
from journeydesk.domain.model import OPPORTUNITY_STATUSES

HEADER = ("map", "stage", "value", "effort", "priority", "status", "owner", "opportunity",
          "addresses")


def add_opportunities_parser(sub: Any) -> None:
    """Register ``opportunities``."""
    p = sub.add_parser(
        "opportunities", help="list the opportunities of every map (value, effort, status, "
                              "owner); export them for an issue tracker (CSV) or Excel")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", metavar="NAME", help="only this map's opportunities")
    p.add_argument("--status", choices=[*OPPORTUNITY_STATUSES, NO_STATUS],
                   help="only those with this status (none: no status set)")
    p.add_argument("--owner", metavar="NAME", help="only those of this owner")
    p.add_argument("--sort", choices=SORT_KEYS, default="priority",
                   help="the order (default: priority, 2 x value - effort, highest first)")
    p.add_argument("--csv", metavar="FILE",
                   help="write Summary, Description, Priority, Labels, Status for an issue "
                        "tracker's CSV import")
    p.add_argument("--xlsx", metavar="FILE", help="write an Excel sheet of the portfolio")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")


def cmd_opportunities(args: argparse.Namespace) -> int:
    """Print (or write) the opportunities that pass the filters, in the order asked."""
    for option, suffix in (("csv", ".csv"), ("xlsx", ".xlsx")):
        target = getattr(args, option)
        if target is not None and Path(target).suffix.lower() != suffix:
            raise UsageError(f"--{option} writes a {suffix} file")
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        ws = session.load()
    if args.map is not None:
        find_map(ws, args.map, args.workspace)  # a map that is not there: say which are
    items = filter_opportunities(list_opportunities(ws), map_name=args.map,
                                 status=args.status, owner=args.owner)
    items = sort_opportunities(items, args.sort)
    wrote = False
    for target, write in ((args.csv, export_tracker_csv), (args.xlsx, export_portfolio_xlsx)):
        if target is None:
            continue
        try:
            write(items, target)
        except OSError as exc:
            raise UserError(f"{target}: cannot be written ({exc.strerror or exc})") from None
        wrote = True
    if args.json:
        print(json.dumps([to_json(o) for o in items], ensure_ascii=False, indent=2))
    elif not wrote:
        print("\t".join(HEADER))
        for o in items:
            print("\t".join([one_line(o.map_name), one_line(o.stage), _number(o.value),
                             _number(o.effort), o.priority or "-", o.status or "-",
                             one_line(o.owner or "") or "-", one_line(o.text),
                             str(len(o.addresses))]))
    return 0


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)
