"""What every command group shares: the two kinds of user error, argument types and options,
opening a workspace's event data with a terminal password prompt, and Qt functions loaded by
name (only when a picture is asked for, so that the command line runs without Qt).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from journeydesk.app.event_data import DatabaseSource
from journeydesk.app.metrics import MetricsError
from journeydesk.app.session import WorkspaceSession, on_note

PROG = "journeydesk"


def _print_note(text: str) -> None:
    """Say on stderr what opening a workspace had to say (a repaired file, its backup)."""
    print(f"{PROG}: note: {text}", file=sys.stderr)


on_note(_print_note)


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 1."""


class UsageError(Exception):
    """A wrong command line: printed with the usage hint, exit status 2."""


# --------------------------------------------------------------------------- arguments
def existing(workspace: str) -> Path:
    """The workspace named on the command line, which must exist."""
    path = Path(workspace)
    if not path.exists():
        raise UserError(f"{path}: no such workspace file")
    return path


def input_file(file: str, formats: Sequence[str], what: str = "") -> Path:
    """The file to import: one of ``formats`` (else a usage error), which must exist."""
    source = Path(file)
    if source.suffix.lower() not in formats:
        raise UsageError(f"cannot import {what}{source.name!r}: supported formats are "
                         f"{', '.join(formats)}")
    if not source.is_file():
        raise UserError(f"{source}: no such file")
    return source


def import_arguments(p: argparse.ArgumentParser) -> None:
    """WORKSPACE, FILE and --name: what an import command takes first."""
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="the dataset's name (default: the file's name)")


def positive(text: str) -> float:
    """An argument type: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def iso_date(text: str) -> date:
    """An argument type: a calendar day written YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def column_options(p: argparse.ArgumentParser) -> None:
    """--user, --event and --time: which columns hold what (detected when not given)."""
    p.add_argument("--user", metavar="COL", help="the column of user ids (default: detected)")
    p.add_argument("--event", metavar="COL",
                   help="the column of event names (default: detected)")
    p.add_argument("--time", metavar="COL", help="the column of times (default: detected)")


# --------------------------------------------------------------------------- event data
def ask_password(url: str, reason: str, hint: str = "") -> str | None:
    """Ask for a database's password at the terminal (None when there is no terminal or
    nothing was typed); ``reason`` is the server's refusal, said first."""
    if not sys.stdin.isatty():
        return None
    import getpass

    print(f"{PROG}: {reason}", file=sys.stderr)
    return getpass.getpass(f"Password for {url}{hint}: ") or None


def _ask_source_password(info: Any, reason: str) -> str | None:
    hint = f" (or set {info.password_env})" if info.password_env else ""
    return ask_password(info.display_url(), reason, hint)


@contextlib.contextmanager
def opened_data(session: WorkspaceSession, name: str) -> Iterator[Any]:
    """The event data named ``name`` (a dataset, or a database source connected now and
    asking for its password at the terminal), closed afterwards; a metrics error becomes a
    UserError naming the data."""
    item = session.data.get(name)
    try:
        if isinstance(item, DatabaseSource):
            try:
                item.connect(_ask_source_password)
            except MetricsError as exc:
                raise UserError(f"source {name!r}: {exc}") from None
        try:
            yield item.data()
        except MetricsError as exc:
            raise UserError(f"dataset {name!r}: {exc}") from None
    finally:
        item.close()


def pick_dataset(session: WorkspaceSession, name: str | None, workspace: str) -> str:
    """The name of the event data to use: ``name``, else the workspace's only one."""
    if name is not None:
        return name
    found = session.data.choices()
    if not found:
        raise UserError(f"{workspace}: has no event datasets; import one with "
                        f"'{PROG} import-events' or add a database with '{PROG} add-source'")
    if len(found) > 1:
        raise UserError(f"{workspace}: has several datasets "
                        f"({', '.join(d.name for d in found)}); choose one with --dataset")
    return found[0].name


# --------------------------------------------------------------------------- Qt, by name
def gui_function(module: str, name: str, suffix: str) -> Callable[..., Any]:
    """A drawing function from journeydesk.gui, loaded only when a picture is asked for."""
    try:
        return getattr(importlib.import_module(f"journeydesk.gui.{module}"), name)
    except ImportError as exc:  # Qt or a system library it needs is missing
        raise UserError(f"cannot write {suffix} files here: Qt did not load ({exc})") from None


def table(title: str, header: list[str], rows: list[list[str]]) -> str:
    """An aligned table under ``title``: the first column left, the others right."""
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [title]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                        strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
