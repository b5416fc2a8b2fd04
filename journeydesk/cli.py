"""The command line: ``journeydesk [WORKSPACE]`` starts the app; sub-commands script it.

The command names and their output are a public interface that users script against.  Errors go
to stderr as one line: exit status 1 for bad input (a file that is not a workspace, a malformed
map), 2 for a wrong command line.  A user error never prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from journeydesk import __version__
from journeydesk.domain.commands import AddMapCommand
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
from journeydesk.store.document import Document
from journeydesk.store.paths import default_workspace_path
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile

PROG = "journeydesk"
MAP_EXPORT_FORMATS = (*WRITE_FORMATS, *PICTURE_FORMATS)
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
    with WorkspaceFile.open(_existing(args.workspace), read_only=True) as ws_file:
        if args.map is not None and suffix in PICTURE_FORMATS:
            _export_map_picture(ws_file, args, out)
            return 0
        ws = ws_file.load()
    try:
        if args.map is not None:
            write_map(_find_map(ws, args.map, args.workspace), ws, out)
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
    return run_app(path, create=args.workspace is None, map_name=args.map,
                   screenshot=Path(args.screenshot) if args.screenshot else None,
                   theme=args.theme)


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
    p.add_argument("--pages", choices=["fit", "tile"],
                   help="map PDFs: fit the map on one page (default) or tile it at full size")

    handlers = {"maps": cmd_maps, "personas": cmd_personas, "import-map": cmd_import_map,
                "export": cmd_export}
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
        gui_args = gui_parser.parse_args(args_list)
        return _guarded(gui_parser, lambda: cmd_gui(gui_args))
    args = parser.parse_args(args_list)
    return _guarded(parser, lambda: handlers[args.command](args))


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
