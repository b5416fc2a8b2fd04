"""Database sources: ``add-source``, a table or view of events where the metrics are computed.

The source's URL is stored without a password and without any query option that may hold a
secret (refused by name, docs/warehouses.md "Secrets"); the check before it is stored (reach the
server, find the table, detect the columns, count the events) is
:func:`journeydesk.app.sources.check_source`, which the app's dialog shares.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from journeydesk.app.event_data import DatasetExistsError, password_from_environment
from journeydesk.app.session import WorkspaceSession
from journeydesk.app.sources import (
    COUNT_TIMEOUT,
    DEFAULT_COLUMNS,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    MissingColumns,
    SourceError,
    UnsafeURLError,
    check_source,
    strip_password,
)
from journeydesk.cli.common import (
    PROG,
    UsageError,
    UserError,
    ask_password,
    column_options,
)


def cmd_add_source(args: argparse.Namespace) -> int:
    """Add a database source: a table or view of events where the metrics are computed.

    The URL is stored without its password (one given in the URL is used for the check and
    dropped).  Unless --no-check, the server is reached, the table found and the columns
    checked (detected from their names when not given) before anything is written.
    """
    name = args.name.strip()
    if not name:
        raise UsageError("--name must not be empty")
    args.timeout = _timeout(args.timeout)
    try:
        url, password = strip_password(args.url)
    except UnsafeURLError as exc:
        raise UserError(str(exc)) from None
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    if password is not None:
        print(f"{PROG}: note: the password in the URL is used for this check only and not "
              "stored", file=sys.stderr)
    if password is None:
        password = password_from_environment(args.password_env)
    workspace = Path(args.workspace)
    if workspace.exists():  # fail before reaching the server
        with WorkspaceSession.open(workspace, read_only=True) as session:
            taken = {c.name: c.kind for c in session.data.choices()}
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
        mapping = {role: column or DEFAULT_COLUMNS[role] for role, column in mapping.items()}
    else:
        mapping, summary = _check(url, password, args, mapping, attributes)
    with WorkspaceSession.open(workspace, create=True) as session:
        try:
            info = session.data.add_source(
                name, url=url, table=args.table, user_column=mapping["user"],
                event_column=mapping["event"], time_column=mapping["time"],
                attributes=attributes, password_env=args.password_env,
                timeout_seconds=args.timeout, replace=args.replace)
        except DatasetExistsError as exc:
            raise UserError(str(exc)) from None
    print(f"{info.name}: {info.table} at {info.display_url()} (user {info.user_column}, "
          f"event {info.event_column}, time {info.time_column}){summary}")
    return 0


def _timeout(text: str) -> float:
    """--timeout as seconds: a finite number within the bounds a source accepts."""
    try:
        seconds = float(text)
    except ValueError:
        raise UserError(f"--timeout {text!r}: not a number of seconds") from None
    if not (math.isfinite(seconds) and MIN_TIMEOUT <= seconds <= MAX_TIMEOUT):
        raise UserError(f"--timeout {text!r}: give a number of seconds from {MIN_TIMEOUT:g} to "
                        f"{MAX_TIMEOUT:g} (a day)")
    return seconds


def _check(url: str, password: str | None, args: argparse.Namespace,
           mapping: dict[str, str | None], attributes: tuple[str, ...]
           ) -> tuple[dict[str, str], str]:
    """The complete mapping and the summary for the output line (see check_source)."""
    try:
        check = check_source(url, args.table, password=password, mapping=mapping,
                             attributes=attributes, password_env=args.password_env,
                             timeout=args.timeout, ask=ask_password)
    except MissingColumns as exc:
        raise UserError(f"{exc}; name it with {' '.join('--' + m for m in exc.missing)}"
                        ) from None
    except SourceError as exc:
        raise UserError(f"{exc} (nothing was added; --no-check adds the source without "
                        "reaching the server)") from None
    if check.events is None:
        counted = f"events not counted (more than {COUNT_TIMEOUT:g} s)"
    else:
        counted = f"{check.events:,} events of {check.kinds:,} kinds"
    return check.mapping, f"; {counted}, attributes: {', '.join(check.attributes) or 'none'}"


def add_parsers(sub: Any) -> None:
    """The sub-command ``add-source``."""
    p = sub.add_parser("add-source",
                       help="add a database source: a table or view of events in PostgreSQL "
                            "or a warehouse, where the metrics are computed")
    p.add_argument("workspace", metavar="WORKSPACE", help="created when it does not exist")
    p.add_argument("--name", required=True, help="the source's name (used as --dataset NAME)")
    p.add_argument("--url", required=True,
                   help="a SQLAlchemy URL, e.g. postgresql+psycopg://user@host:5432/db "
                        "(stored without a password)")
    p.add_argument("--table", required=True, metavar="T", help="table or view (schema.name)")
    column_options(p)
    p.add_argument("--attributes", metavar="A,B",
                   help="columns offered for --where segments (default: all other columns)")
    p.add_argument("--password-env", metavar="VAR",
                   help="read the password from this environment variable (else asked for)")
    p.add_argument("--timeout", default=str(DEFAULT_TIMEOUT), metavar="S",
                   help="cancel a query that runs longer than S seconds (default 120, at "
                        "most 86400)")
    p.add_argument("--no-check", action="store_true",
                   help="add it without reaching the server")
    p.add_argument("--replace", action="store_true", help="replace a source of the same name")
