"""Maps and personas: ``maps``, ``set-review``, ``personas``, ``import-map`` and ``export``.

Listings print one tab-separated line per map or persona.  Exports choose the format from the
output file's extension; pictures (.png, .svg, .pdf, and persona sheets) are drawn by Qt, which
is loaded only for them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from journeydesk.app.exports import (
    MAP_EXPORT_FORMATS,
    PERSONA_EXPORT_FORMATS,
    export_map,
    export_persona_json,
    funnel_caption,
    is_picture,
)
from journeydesk.app.imports import MAP_READ_FORMATS, read_map_file
from journeydesk.app.metrics import MetricsOptions, map_metrics
from journeydesk.app.overlay import OverlayRequest, compute_overlay
from journeydesk.app.paths import map_flows
from journeydesk.app.review import map_reviews, review_statuses
from journeydesk.app.session import WorkspaceSession, find_map, find_persona
from journeydesk.app.text import one_line
from journeydesk.app.versions import replace_map_command
from journeydesk.cli.common import (
    PROG,
    UsageError,
    UserError,
    existing,
    gui_function,
    input_file,
    opened_data,
    pick_dataset,
    positive,
)
from journeydesk.cli.metrics import add_metrics_options, metrics_options
from journeydesk.cli.versions import author_of
from journeydesk.domain.commands import AddMapCommand, EditMapCommand
from journeydesk.domain.commands_maps import REVIEW_DAYS_RANGE
from journeydesk.domain.model import JourneyMap, Workspace


def cmd_maps(args: argparse.Namespace) -> int:
    """Print one line per map: name, stage count, card count, owner, review-by date and
    review status (tab-separated; "-" for no owner or date)."""
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        summaries = session.map_summaries()  # (reads every text: a damaged file fails here)
        reviews = {r.name: r for r in map_reviews(session)}
    for name, stages, cards in summaries:
        review = reviews.get(name)
        columns = [one_line(name), f"{stages} stages", f"{cards} cards"]
        if review is not None:
            columns += [one_line(review.owner) or "-", review.review_by or "-",
                        str(review.status)]
        print("\t".join(columns))
    return 0


def cmd_set_review(args: argparse.Namespace) -> int:
    """Set a map's owner, review-by date and review interval (what is not given is kept;
    "" clears a date or an owner, 0 an interval)."""
    fields: dict[str, Any] = {}
    if args.owner is not None:
        fields["owner"] = args.owner
    if args.review_by is not None:
        fields["review_by"] = args.review_by or None
    if args.every is not None:
        fields["review_days"] = args.every or None
    if not fields:
        raise UsageError("give --owner, --review-by or --every")
    with WorkspaceSession.open(existing(args.workspace)) as session:
        journey_map = find_map(session.workspace, args.map, args.workspace)
        session.document.execute(EditMapCommand(journey_map.id, **fields))
        status = review_statuses(session).get(journey_map.id)
    print(f"{one_line(journey_map.name)}\t{status}")
    return 0


def cmd_import_map(args: argparse.Namespace) -> int:
    """Import a map file into the workspace (created if missing); print the map's name.

    Notes about the import (guessed lane types, clamped scores...) go to stderr.
    """
    source = input_file(args.file, MAP_READ_FORMATS)
    if args.replace is not None:
        return _import_over(args, source)
    early = None
    if not Path(args.workspace).exists():  # a bad file must not leave an empty workspace
        early = read_map_file(source, Workspace(), name=str(source))
    with WorkspaceSession.open(args.workspace, create=True) as session:
        ws = session.workspace
        # Read against an empty workspace, the file is read as it would be against this one
        # while it is still empty: no need to read a large file twice.
        imported = (early if early is not None and not ws.maps and not ws.personas
                    else read_map_file(source, ws, name=str(source)))
        journey_map = imported.map
        if args.name:
            journey_map.name = args.name
        if session.workspace.map_named(journey_map.name) is not None:
            raise UserError(f"{args.workspace}: already has a map named {journey_map.name!r}; "
                            "use --name to import it under another name")
        session.document.execute(AddMapCommand(journey_map, imported.personas))
        for warning in imported.warnings:
            print(f"{PROG}: note: {warning}", file=sys.stderr)
        print(journey_map.name)
    return 0


def _import_over(args: argparse.Namespace, source: Path) -> int:
    """``import-map --replace NAME``: the map takes the file's content (after a "before
    import" version of it, which ``restore-version`` brings back); print the map's name."""
    with WorkspaceSession.open(existing(args.workspace)) as session:
        ws = session.workspace
        target = find_map(ws, args.replace, args.workspace)
        imported = read_map_file(source, ws, name=str(source))
        if args.name:
            other = ws.map_named(args.name.strip())
            if other is not None and other.id != target.id:
                raise UserError(f"{args.workspace}: already has a map named {other.name!r}; "
                                "choose another --name")
            imported.map.name = args.name
        command = replace_map_command(session, target.id, imported.map, source.name,
                                      author=author_of(args))
        session.document.execute(command)
        notes = list(imported.warnings)
        notes += [f"persona {p.name!r} is not in the workspace and was left out (import-map "
                  "without --replace brings it in)" for p in imported.personas]
        for note in notes:
            print(f"{PROG}: note: {note}", file=sys.stderr)
        print(ws.maps[target.id].name)
    return 0


def cmd_personas(args: argparse.Namespace) -> int:
    """Print one line per persona, by name: name, role, number of maps showing it."""
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        ws = session.load()
    for persona in sorted(ws.personas.values(), key=lambda p: p.name):
        maps = sum(persona.id in m.persona_ids for m in ws.maps.values())
        print(f"{one_line(persona.name)}\t{one_line(persona.role)}\t{maps} maps")
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
    if args.dataset and (args.map is None or suffix not in (".xlsx", ".pptx", ".png", ".svg",
                                                            ".pdf")):
        raise UsageError("--dataset applies to map exports to .xlsx (the Metrics sheet), "
                         ".pptx (the funnel slide) and .png, .svg, .pdf (the numbers on the "
                         "stage headers)")
    if args.flows and (not args.dataset or suffix not in (".pptx", ".png", ".svg", ".pdf")):
        raise UsageError("--flows applies with --dataset to map exports to .pptx, .png, .svg "
                         "and .pdf")
    options = metrics_options(args)
    if (options != MetricsOptions() or args.breakdown) and not args.dataset:
        raise UsageError("--from, --to, --window, --where and --breakdown apply with "
                         "--dataset")
    metrics = flows = None
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        if args.map is not None and is_picture(out):
            _export_map_picture(session, args, out, options)
            return 0
        ws = session.load()
        if args.dataset:
            metrics, flows = _metrics_json(session, find_map(ws, args.map, args.workspace),
                                           args.dataset, args.workspace, options,
                                           breakdown=args.breakdown, flows=args.flows)
    try:
        if args.map is not None:
            try:
                export_map(find_map(ws, args.map, args.workspace), ws, out, metrics=metrics,
                           flows=flows)
            except ValueError as exc:  # a map the format has no room for (Excel's grid)
                raise UserError(f"{out}: {exc}") from None
            return 0
        persona = find_persona(ws, args.persona, args.workspace)
        if suffix == ".json":
            export_persona_json(persona, out)
        else:
            render_persona_page = gui_function("persona_page", "render_persona_page", suffix)
            render_persona_page(persona, ws, out)
    except OSError as exc:
        raise UserError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    return 0


def _export_map_picture(session: WorkspaceSession, args: argparse.Namespace, out: Path,
                        options: MetricsOptions) -> None:
    """Draw the map; with ``--dataset`` its funnel's numbers on the stage headers and bound
    cards (the data overlay's) and a caption naming the data under the title."""
    suffix = out.suffix.lower()
    if args.scale and args.dpi:
        raise UsageError("give --scale or --dpi, not both")
    if (args.scale or args.dpi) and suffix != ".png":
        raise UsageError("--scale and --dpi apply to .png pictures")
    if args.pages and suffix != ".pdf":
        raise UsageError("--pages applies to .pdf files")
    if args.breakdown:
        raise UsageError("--breakdown applies to .xlsx exports")
    export_picture = gui_function("map_picture", "export_picture", suffix)
    document = session.document
    journey_map = find_map(document.workspace, args.map, args.workspace)
    layers: dict[str, Any] = {}
    if args.dataset:
        name = pick_dataset(session, args.dataset, args.workspace)
        with opened_data(session, name) as data:
            overlay, metrics = compute_overlay(data, OverlayRequest.of(journey_map, name,
                                                                       options))
            if args.flows:  # the arcs above the headers, as View > Flows draws them
                layers["flows"] = map_flows(data, journey_map, name, options).result
        layers.update(overlay=overlay, caption=funnel_caption(metrics.to_json()))
    try:
        export_picture(document, journey_map.id, out, scale=args.scale, dpi=args.dpi,
                       pages=args.pages or "fit", **layers)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{out}: cannot be written ({exc.strerror or exc})") from None


def _metrics_json(session: WorkspaceSession, journey_map: JourneyMap, dataset: str,
                  workspace: str, options: MetricsOptions, *, breakdown: str | None = None,
                  flows: bool = False) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The map's funnel over ``dataset`` in the ``metrics --json`` form (the same options
    and numbers as ``metrics --json``, with the breakdown when one is asked for) and, when
    ``flows``, its flows in the ``flows --json`` form."""
    name = pick_dataset(session, dataset, workspace)
    with opened_data(session, name) as data:
        metrics = map_metrics(data, journey_map, name, options, breakdown=breakdown).to_json()
        found = map_flows(data, journey_map, name, options).result.to_json() if flows else None
    return metrics, found


def _days(text: str) -> int:
    """An argument type: a whole number of days, 0 (none) or in the domain's range; out of
    range is a usage error like a negative number."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    low, high = REVIEW_DAYS_RANGE
    if value != 0 and not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be 0 (none) or from {low} to {high} days, "
                                         f"not {value}")
    return value


def add_parsers(sub: Any) -> None:
    """The sub-commands ``maps``, ``set-review``, ``personas``, ``import-map`` and
    ``export``."""
    p = sub.add_parser("maps", help="list the maps of a workspace (name, stages, cards, owner, "
                                    "review-by date, review status)")
    p.add_argument("workspace", metavar="WORKSPACE")

    p = sub.add_parser("set-review", help="set a map's owner, review-by date and review "
                                          "interval (how old its data snapshot may get)")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", metavar="NAME", required=True)
    p.add_argument("--owner", metavar="O", help="who owns the map (\"\" clears it)")
    p.add_argument("--review-by", metavar="DATE",
                   help="review the map by this date, YYYY-MM-DD (\"\" clears it)")
    p.add_argument("--every", metavar="DAYS", type=_days,
                   help="the map is stale when its newest data snapshot is older than DAYS "
                        "days (0 clears it)")

    p = sub.add_parser("personas", help="list the personas of a workspace (name, role, maps)")
    p.add_argument("workspace", metavar="WORKSPACE")

    p = sub.add_parser("import-map", help="import a map file (.json, .xlsx, .mmd) into a workspace")
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="import under this name instead of the file's")
    p.add_argument("--replace", metavar="NAME",
                   help="import the file over this map: it takes the file's content, after a "
                        "\"before import\" version of it (see restore-version)")
    p.add_argument("--author", metavar="A",
                   help="with --replace: sign that version with this name")

    p = sub.add_parser("export", help="export a map (.json, .xlsx, .pptx, .mmd, .csv, .png, .svg, "
                                      ".pdf) or a persona (.json, .pdf, .png); the format follows "
                                      "the extension")
    p.add_argument("workspace", metavar="WORKSPACE")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--map", metavar="NAME", help="the map to export")
    which.add_argument("--persona", metavar="NAME",
                       help="the persona to export: data (.json) or a one-page sheet (.pdf, .png)")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--scale", type=positive, metavar="S",
                   help="map pictures (.png): pixels per canvas unit (default 2)")
    p.add_argument("--dpi", type=positive, metavar="D",
                   help="map pictures (.png): resolution; 96 dpi is the canvas at 100 %%")
    p.add_argument("--dataset", metavar="D",
                   help="map exports: add this dataset's funnel as a Metrics sheet (.xlsx), "
                        "a funnel slide (.pptx) or numbers on the stage headers with a "
                        "caption (.png, .svg, .pdf)")
    add_metrics_options(p)
    p.add_argument("--flows", action="store_true",
                   help="with --dataset to .pptx, .png, .svg, .pdf: the flows between the "
                        "stages (users who moved forward, skipped ahead or went back) above "
                        "the stage headers")
    p.add_argument("--breakdown", metavar="COL",
                   help="with --dataset to .xlsx: the Metrics sheet adds one funnel per value "
                        "of the users' attribute COL (10 largest, then other)")
    p.add_argument("--pages", choices=["fit", "tile"],
                   help="map PDFs: fit the map on one page (default) or tile it at full size")
