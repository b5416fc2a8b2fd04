"""Which columns of an event file hold the user, the event name and the time (see
:mod:`journeydesk.analytics.events`): the column mapping, its detection from column names, and
the attribute names of the other columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from journeydesk.analytics.sources import EventImportError, unique_names

OUTPUT_COLUMNS = ("user", "event", "ts")

# Column names that mean each role, best first (compared lower-case, with spaces, dashes and
# dots as underscores).
USER_NAMES = ("user_id", "userid", "user", "customer_id", "customerid", "customer",
              "visitor_id", "visitorid", "visitor", "distinct_id", "anonymous_id", "client_id",
              "account_id", "member_id", "person_id", "contact_id", "uid", "user_name",
              "username")
EVENT_NAMES = ("event", "event_name", "eventname", "event_type", "event_action", "action",
               "action_name", "activity", "type", "name")
TIME_NAMES = ("timestamp", "time", "ts", "event_time", "eventtime", "event_timestamp",
              "event_ts", "created_at", "createdat", "occurred_at", "datetime", "date_time",
              "event_date", "time_stamp", "date", "at")


class MappingError(EventImportError):
    """A required column (user, event or time) is missing or named wrongly."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which file columns hold the user, the event name and the time.

    A field left None is detected from the column names.  ``time_format`` is 'iso', 'iso_tz',
    'epoch_s', 'epoch_ms' or a strptime format (``%d/%m/%Y %H:%M``); None detects it.
    """

    user: str | None = None
    event: str | None = None
    time: str | None = None
    time_format: str | None = None


# --------------------------------------------------------------------------- mapping
def _norm(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", name.strip().lower())


def detect_mapping(columns: Sequence[str]) -> ColumnMapping:
    """The user, event and time columns guessed from ``columns``' names (None: no guess)."""
    normed = {_norm(c): c for c in reversed(columns)}  # first of equal names wins
    taken: set[str] = set()

    def pick(names: Sequence[str], fragments: Sequence[str]) -> str | None:
        for name in names:
            column = normed.get(name)
            if column is not None and column not in taken:
                taken.add(column)
                return column
        for column in columns:
            if column not in taken and any(f in _norm(column) for f in fragments):
                taken.add(column)
                return column
        return None

    user = pick(USER_NAMES, ("user", "customer", "visitor"))
    event = pick(EVENT_NAMES, ("event",))
    time = pick(TIME_NAMES, ("timestamp", "time", "date"))
    return ColumnMapping(user, event, time)


def _resolve(mapping: ColumnMapping | None, columns: list[str], file: str) -> ColumnMapping:
    mapping = mapping or ColumnMapping()
    detected = detect_mapping(columns)
    chosen: dict[str, str] = {}
    for role in ("user", "event", "time"):
        wanted = getattr(mapping, role)
        if wanted is not None:
            column = _find_column(wanted, columns)
            if column is None:
                raise MappingError(f"{file}: has no column {wanted!r} (columns: "
                                   f"{', '.join(columns)})")
            chosen[role] = column
    for role in ("user", "event", "time"):
        if role not in chosen:
            guess = getattr(detected, role)
            if guess is None or guess in chosen.values():
                guess = None
                for column in columns:  # another column with a known name
                    if column not in chosen.values() and _norm(column) in _role_names(role):
                        guess = column
                        break
            if guess is None:
                raise MappingError(f"{file}: no {role} column found (columns: "
                                   f"{', '.join(columns)}); say which column holds the "
                                   f"{role}")
            chosen[role] = guess
    if len(set(chosen.values())) < 3:
        raise MappingError(f"{file}: user, event and time must be three different columns")
    return ColumnMapping(chosen["user"], chosen["event"], chosen["time"], mapping.time_format)


def _role_names(role: str) -> tuple[str, ...]:
    return {"user": USER_NAMES, "event": EVENT_NAMES, "time": TIME_NAMES}[role]


def _find_column(wanted: str, columns: list[str]) -> str | None:
    if wanted in columns:
        return wanted
    lowered = [c for c in columns if c.lower() == wanted.strip().lower()]
    return lowered[0] if lowered else None


def _attribute_names(columns: list[str], mapping: ColumnMapping) -> list[tuple[str, str]]:
    """(file column, attribute name) for every column that is not user, event or time."""
    others = [c for c in columns if c not in (mapping.user, mapping.event, mapping.time)]
    names = unique_names([*OUTPUT_COLUMNS, *others])[len(OUTPUT_COLUMNS):]
    return list(zip(others, names, strict=True))
