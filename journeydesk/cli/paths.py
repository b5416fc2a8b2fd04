"""``paths`` (what the users who dropped off after a stage did instead) and ``flows`` (how
users moved between a map's stages).

The definitions are in docs/data.md, "What people did instead, and flows".  Both take the
options of ``metrics`` (``flows`` refuses ``--window``: it does not apply) and print a table,
or JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from journeydesk.app.metrics import MetricsError, duration_text, stages_of
from journeydesk.app.paths import (
    DEFAULT_STEPS,
    MAX_STEPS,
    MapFlows,
    MapPaths,
    drop_off_after,
    event_label,
    map_flows,
    map_paths,
    path_label,
)
from journeydesk.app.session import WorkspaceSession, find_map, find_stage
from journeydesk.app.text import one_line
from journeydesk.cli.common import (
    UsageError,
    UserError,
    existing,
    opened_data,
    pick_dataset,
    table,
)
from journeydesk.cli.metrics import add_metrics_options, metrics_options


def cmd_paths(args: argparse.Namespace) -> int:
    """Print what the users who reached a stage but not the next bound one did instead."""
    options = metrics_options(args)
    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps takes a whole number of events from 1 to {MAX_STEPS}")
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.load(), args.map, args.workspace)
        stage = find_stage(journey_map, args.after_stage)
        try:  # the map's own mistakes first, before any data is read
            drop_off_after(stages_of(journey_map), journey_map.stage_index(stage.id))
        except MetricsError as exc:
            raise UserError(f"map {journey_map.name!r}: {exc}") from None
        name = pick_dataset(session, args.dataset, args.workspace)
        with opened_data(session, name) as data:
            found = map_paths(data, journey_map, name, journey_map.stage_index(stage.id),
                              options, steps=args.steps, hide=args.hide or ())
    if args.json:
        print(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        print(_paths_text(found))
    return 0


def cmd_flows(args: argparse.Namespace) -> int:
    """Print the flows between a map's bound stages."""
    options = metrics_options(args)
    if options.window_seconds is not None:
        raise UsageError("--window does not apply to flows: they follow the whole journey")
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.load(), args.map, args.workspace)
        name = pick_dataset(session, args.dataset, args.workspace)
        with opened_data(session, name) as data:
            found = map_flows(data, journey_map, name, options)
    if args.json:
        print(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        print(_flows_text(found))
    return 0


# --------------------------------------------------------------------------- tables
def _filters(found: MapPaths | MapFlows) -> str:
    options = found.options
    parts = [f"dataset {one_line(found.dataset)}"]
    if options.date_from or options.date_to:
        parts.append(f"{options.date_from or '...'} to {options.date_to or '...'}")
    if options.window_seconds is not None:
        parts.append(f"window {duration_text(options.window_seconds)}")
    if options.segment:
        parts.append(", ".join(f"{k}={v}" for k, v in options.segment))
    return " | ".join(parts)


def _share(users: int, share: float | None) -> list[str]:
    return [str(users), "-" if share is None else f"{share * 100:.1f}%"]


def _paths_text(found: MapPaths) -> str:
    r = found.result
    title = f"{one_line(found.map_name)} | {_filters(found)} | {one_line(found.describe())}"
    if found.hide:
        title += f" | hiding {', '.join(one_line(h) for h in found.hide)}"
    nexts = [[one_line(event_label(e.event)), *_share(e.users, e.share)]
             for e in r.next_events]
    if r.other_next:
        nexts.append(["other", *_share(r.other_next, r.other_next / r.users)])
    paths = [[one_line(path_label(p.path)), *_share(p.users, p.share)] for p in r.paths]
    if r.other_paths:
        paths.append(["other", *_share(r.other_paths, r.other_paths / r.users)])
    return "\n\n".join([
        table(title, ["Next event", "Users", "Share"], nexts),
        table(f"Next {r.steps} events", ["Path", "Users", "Share"], paths)])


def _flows_text(found: MapFlows) -> str:
    r = found.result
    share = "-" if r.share_in_order is None else f"{r.share_in_order * 100:.1f}%"
    title = (f"{one_line(found.map_name)} | {_filters(found)} | {r.users} users | "
             f"in planned order {r.in_order} ({share}) | skipped ahead {r.skipped} | "
             f"went back {r.went_back}")
    stages = [[one_line(s.stage), str(s.starts), str(s.exits)] for s in r.stages]
    moves = [[one_line(t.source), one_line(t.target), t.kind, str(t.users)]
             for t in r.transitions]
    return "\n\n".join([
        table(title, ["Stage", "Start here", "Exit here"], stages),
        table("Moves (users, once per pair)", ["From", "To", "Kind", "Users"], moves)])


# --------------------------------------------------------------------------- parsers
def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME")
    p.add_argument("--dataset", metavar="D",
                   help="the dataset (default: the only one of the workspace)")


def add_paths_parser(sub: Any) -> None:
    """The sub-command ``paths``."""
    p = sub.add_parser("paths", help="what the users who dropped off after a stage did "
                                     "instead: their next events and paths")
    _common(p)
    p.add_argument("--after-stage", required=True, metavar="STAGE",
                   help="the stage they reached (the drop-off is before the next bound stage)")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS, metavar="N",
                   help=f"events per path (default {DEFAULT_STEPS})")
    p.add_argument("--hide", action="extend", nargs="+", metavar="EVENT",
                   help="leave these event names out of the next events and paths")
    add_metrics_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")


def add_flows_parser(sub: Any) -> None:
    """The sub-command ``flows``."""
    p = sub.add_parser("flows", help="how users moved between a map's stages: forward, "
                                     "skipping ahead, back, and where they left")
    _common(p)
    add_metrics_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
