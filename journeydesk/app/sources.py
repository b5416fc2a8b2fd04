"""Database sources being added: what both front ends check before one is stored.

A database source is a table or view of events in PostgreSQL or a warehouse, where the metrics
are computed.  The command line's ``add-source`` and the app's File > Add database source both
take a password out of the URL (:func:`strip_password`: the URL is stored without it, and one
with another secret in its query is refused with :class:`UnsafeURLError`), check the query
timeout (:func:`check_timeout`), list the table's columns (:func:`table_columns`) and guess
which hold the user, the event and the time (:func:`guess_columns`); the command line then
checks the source as the metrics will query it and counts its events (:func:`check_source`).
Stored sources are kept and opened through the session's event data
(:class:`~journeydesk.app.event_data.EventDataCatalog`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from journeydesk.analytics.events import detect_mapping
from journeydesk.analytics.warehouse import (
    AuthenticationError,
    QueryTimeout,
    SourceError,
    TableSource,
    UnsafeURLError,
    Warehouse,
    strip_password,
)
from journeydesk.store.sources import DEFAULT_TIMEOUT, MAX_TIMEOUT, MIN_TIMEOUT, check_timeout

COUNT_TIMEOUT = 30.0  # seconds spent counting a source's events when it is checked
ROLES = ("user", "event", "time")
DEFAULT_COLUMNS = {"user": "user_id", "event": "event", "time": "timestamp"}  # unchecked source

__all__ = ["COUNT_TIMEOUT", "DEFAULT_COLUMNS", "DEFAULT_TIMEOUT", "MAX_TIMEOUT", "MIN_TIMEOUT",
           "ROLES", "AuthenticationError", "MissingColumns", "SourceCheck", "SourceError",
           "UnsafeURLError", "check_source", "check_timeout", "guess_columns", "strip_password",
           "table_columns"]

AskPassword = Callable[[str, str], "str | None"]  # (URL for people, reason) -> password or None


class MissingColumns(ValueError):
    """The table has no column whose name says it holds the user, the event or the time."""

    def __init__(self, table: str, missing: Sequence[str], columns: Sequence[str]):
        self.table = table
        self.missing = list(missing)  # roles, in the order of ROLES
        self.columns = list(columns)
        super().__init__(f"table {table!r}: cannot tell which column holds the "
                         f"{' and the '.join(self.missing)} (columns: {', '.join(self.columns)})")


@dataclass(frozen=True)
class SourceCheck:
    """What checking a source found: its column mapping, the attributes offered for segments
    and its events (None when counting them took longer than :data:`COUNT_TIMEOUT`)."""

    mapping: dict[str, str]
    attributes: list[str]
    events: int | None
    kinds: int | None


def _probe(url: str, table: str, timeout: float) -> TableSource:
    """The table alone, without a column mapping (SourceError for a bad URL or table name)."""
    return TableSource(url, table, "", "", "", timeout_seconds=timeout)


def table_columns(url: str, table: str, *, password: str | None = None,
                  timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """The names of the table's columns: reaches the server (slow: the app calls it on a
    worker thread).  SourceError says what went wrong (AuthenticationError: the password)."""
    with Warehouse(_probe(url, table, timeout), password=password) as warehouse:
        return [name for name, _ in warehouse.table_columns()]


def guess_columns(columns: Sequence[str]) -> dict[str, str | None]:
    """The user, event and time columns guessed from the names in ``columns`` (None: no
    guess), by role."""
    detected = detect_mapping(columns)
    return {role: getattr(detected, role) for role in ROLES}


def check_source(url: str, table: str, *, password: str | None = None,
                 mapping: Mapping[str, str | None] | None = None,
                 attributes: Sequence[str] = (), password_env: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, ask: AskPassword | None = None
                 ) -> SourceCheck:
    """Reach the server, find the table, guess the columns ``mapping`` does not name, check
    them as the metrics will query them and count the events (giving up counting after
    :data:`COUNT_TIMEOUT` seconds: on a table of billions of rows it is only a courtesy).

    When no password is given and the server asks for one, ``ask(url, reason)`` is asked once
    (None gives up).  Raises SourceError, or MissingColumns when a column cannot be guessed.
    """
    while True:
        try:
            columns = table_columns(url, table, password=password, timeout=timeout)
            break
        except AuthenticationError as exc:
            answer = None
            if password is None and ask is not None:
                answer = ask(_probe(url, table, timeout).display_url(), str(exc))
            if answer is None:
                raise
            password = answer
    detected = guess_columns(columns)
    chosen = {role: (mapping or {}).get(role) or detected[role] for role in ROLES}
    missing = [role for role, column in chosen.items() if not column]
    if missing:
        raise MissingColumns(table, missing, columns)
    found = {role: str(column) for role, column in chosen.items()}
    source = TableSource(url, table, found["user"], found["event"], found["time"],
                         tuple(attributes), password_env, min(timeout, COUNT_TIMEOUT))
    with Warehouse(source, password=password) as warehouse:
        offered = warehouse.check()
        try:
            counts = warehouse.event_counts()
        except QueryTimeout:
            return SourceCheck(found, offered, None, None)
    return SourceCheck(found, offered, sum(counts.values()), len(counts))
