"""The entry of the command line: the parsers, ``main``, the guarded error handling, the
"mistyped command" suggestion, ``journeydesk [WORKSPACE]`` starting the app, and ``demo``.

The commands themselves are in :mod:`.maps`, :mod:`.events` and :mod:`.sources`.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from journeydesk import __version__
from journeydesk.app.demo import build_demo
from journeydesk.app.event_data import sweep_scratch
from journeydesk.app.imports import ImportFailed
from journeydesk.app.session import (
    LookupFailed,
    WorkspaceError,
    default_workspace_path,
    is_workspace_name,
)
from journeydesk.cli import events, maps, metrics, paths, sources
from journeydesk.cli.common import PROG, UsageError, UserError
from journeydesk.domain.model import DomainError


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the desktop app on a workspace (the default workspace when none is named)."""
    run_app = importlib.import_module("journeydesk.gui.app").run_app

    if args.screenshot and not args.screenshot.lower().endswith(".png"):
        raise UsageError("--screenshot writes a .png file")
    path = Path(args.workspace) if args.workspace else default_workspace_path()
    create = args.workspace is None
    if args.workspace and not path.exists():
        if not is_workspace_name(path):
            raise UserError(f"{path}: no such workspace file")
        if not path.parent.is_dir():
            raise UserError(f"{path.parent}: no such folder")
        create = True  # a new workspace under the name given, as File > New workspace does
    first_start = args.workspace is None and not path.exists()
    if first_start:
        # The demo workspace, so there is a real map with real numbers to see.
        path.parent.mkdir(parents=True, exist_ok=True)
        build_demo(path)
    return run_app(path, create=create, map_name=args.map,
                   screenshot=Path(args.screenshot) if args.screenshot else None,
                   theme=args.theme, welcome=first_start)


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo workspace (the membership map, its personas, a generated event log)."""
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


def _add_demo_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="build the demo workspace: the membership sign-up map, "
                                    "its personas and a generated event log")
    p.add_argument("workspace", metavar="WORKSPACE", nargs="?",
                   help="where to build it (default: your default workspace, if it is new)")


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
    maps.add_parsers(sub)  # maps, set-review, personas, import-map, export
    _add_demo_parser(sub)
    events.add_import_parsers(sub)  # import-metrics, import-events
    sources.add_parsers(sub)  # add-source
    events.add_bind_parser(sub)  # bind
    metrics.add_metrics_parser(sub)  # metrics
    metrics.add_dropped_parser(sub)  # dropped
    paths.add_paths_parser(sub)  # paths
    paths.add_flows_parser(sub)  # flows
    from journeydesk.cli import retention  # its own line: other commands register beside it

    retention.add_retention_parser(sub)  # retention
    from journeydesk.cli import workshop  # its own line: other commands register beside it

    workshop.add_workshop_parser(sub)  # workshop
    from journeydesk.cli import opportunities  # its own line: other commands register beside it

    opportunities.add_opportunities_parser(sub)  # opportunities
    from journeydesk.cli import versions  # its own line: other commands register beside it

    versions.add_versions_parsers(sub)  # versions, save-version, compare-versions, ...

    handlers = {"maps": maps.cmd_maps, "set-review": maps.cmd_set_review,
                "personas": maps.cmd_personas,
                "import-map": maps.cmd_import_map, "export": maps.cmd_export,
                "import-events": events.cmd_import_events,
                "import-metrics": events.cmd_import_metrics, "demo": cmd_demo,
                "bind": events.cmd_bind, "metrics": metrics.cmd_metrics,
                "dropped": metrics.cmd_dropped, "paths": paths.cmd_paths,
                "flows": paths.cmd_flows,
                "retention": retention.cmd_retention,
                "workshop": workshop.cmd_workshop,
                "add-source": sources.cmd_add_source,
                "opportunities": opportunities.cmd_opportunities,
                "versions": versions.cmd_versions, "save-version": versions.cmd_save_version,
                "compare-versions": versions.cmd_compare_versions,
                "restore-version": versions.cmd_restore_version}
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
    sweep_scratch()  # what killed runs left in the temporary folder
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
    args = parser.parse_args(_attach_dashed_values(args_list))
    return _guarded(parser, lambda: handlers[args.command](args))


# Options whose value may start with "-" (a mistaken negative duration): argparse would take
# "-1d" for an option and say "expected one argument"; given as --window=-1d, the value
# reaches the option's own check, which says what a duration is.
_DASHED_VALUE_OPTIONS = ("--window",)


def _attach_dashed_values(args: list[str]) -> list[str]:
    """``--window -1d`` as ``--window=-1d`` (see _DASHED_VALUE_OPTIONS)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        if (args[i] in _DASHED_VALUE_OPTIONS and i + 1 < len(args)
                and args[i + 1].startswith("-") and not args[i + 1].startswith("--")
                and len(args[i + 1]) > 1):
            out.append(f"{args[i]}={args[i + 1]}")
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


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
    except (UserError, LookupFailed, ImportFailed, WorkspaceError, DomainError) as exc:
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
