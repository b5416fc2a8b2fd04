"""Funnel numbers of a map over event data, with their options; one JSON form.

The definition of every number is in docs/data.md.  :func:`map_metrics` is the one way both
front ends compute a map's funnel; :meth:`MapMetrics.to_json` is the one ``metrics --json``
form (also what a snapshot keeps and the Excel Metrics sheet reads).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from journeydesk.analytics.funnel import (
    FunnelResult,
    MetricsError,
    StageNumbers,
    dropped_users,
    event_counts,
    funnel,
    rest_of,
    user_timeline,
)
from journeydesk.analytics.patterns import is_pattern, matches
from journeydesk.analytics.series import (
    Histogram,
    daily_volume,
    time_to_next_histogram,
    weekly_conversion,
    weekly_counts,
)
from journeydesk.domain.model import JourneyMap

__all__ = ["DroppedReport", "FunnelResult", "Histogram", "MapMetrics", "MetricsError",
           "MetricsOptions", "StageNumbers", "WeeklySeries", "daily_volume", "data_days",
           "dropped_users", "duration_text", "event_counts", "funnel", "funnel_from_json",
           "is_pattern", "map_metrics", "matches", "metrics_json", "parse_duration",
           "parse_where", "rest_of", "stages_of", "time_to_next_histogram", "user_timeline",
           "weekly_conversion", "weekly_counts", "weekly_series", "who_dropped"]

Stages = list[tuple[str, list[str]]]


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> float:
    """A conversion window such as ``30m``, ``12h``, ``7d``, ``2w`` or ``90s``, in seconds;
    ValueError says what is accepted."""
    value = text.strip().lower()
    number, unit = value[:-1], value[-1:]
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if unit not in DURATION_UNITS or not 0 < amount < math.inf:
        raise ValueError(f"{text!r} is not a duration: give a number and a unit, "
                         "s, m, h, d or w (for example 30m, 12h, 7d)")
    return amount * DURATION_UNITS[unit]


def duration_text(seconds: float) -> str:
    """A window for people and for ``--window``: 7d, 12h, 30m, 90s (the largest whole unit up
    to days)."""
    for unit in ("d", "h", "m"):  # 14d rather than 2w: as people set windows
        size = DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@dataclass(frozen=True)
class MetricsOptions:
    """Which users and journeys count (docs/data.md): an entry period (calendar days, both
    ends included; None: open), a conversion window in seconds (None: unlimited) and a segment
    (attribute = value conditions on the user, all of which must hold)."""

    date_from: date | None = None
    date_to: date | None = None
    segment: tuple[tuple[str, str], ...] = ()
    window_seconds: float | None = None

    @classmethod
    def make(cls, date_from: date | None = None, date_to: date | None = None,
             segment: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
             window_seconds: float | None = None) -> MetricsOptions:
        """Options from a segment given as a dict or pairs (kept in a stable order)."""
        pairs = dict(segment or {})
        return cls(date_from, date_to, tuple(sorted(pairs.items())), window_seconds)

    @property
    def where(self) -> dict[str, str] | None:
        """The segment as the analytics functions take it (None: everybody)."""
        return dict(self.segment) or None

    def query(self) -> dict[str, Any]:
        """Keyword arguments of the analytics functions (the window only when there is one)."""
        query: dict[str, Any] = {"date_from": self.date_from, "date_to": self.date_to,
                                 "where": self.where}
        if self.window_seconds is not None:
            query["window_seconds"] = self.window_seconds
        return query

    def filters(self) -> dict[str, Any]:
        """The options as a snapshot stores them (a window only when there is one, so that
        snapshots taken before windows existed compare equal to options without one)."""
        filters: dict[str, Any] = {
            "segment": dict(self.segment),
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None}
        if self.window_seconds is not None:
            filters["window_seconds"] = self.window_seconds
        return filters

    def definition(self) -> dict[str, Any]:
        """Every option, as the ``metrics --json`` output names them."""
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "window_seconds": self.window_seconds,
                "segment": dict(self.segment)}

    def window_text(self) -> str:
        """The window for people ("within 7d"), "" when there is none."""
        return f"within {duration_text(self.window_seconds)}" if self.window_seconds else ""

    def segment_text(self) -> str:
        """The segment for people ("plan = pro, platform = ios", or "all users")."""
        return ", ".join(f"{k} = {v}" for k, v in self.segment) or "all users"

    def dates_text(self) -> str:
        """The period for people ("2026-09-01 to …"), "" when there is none."""
        if not (self.date_from or self.date_to):
            return ""
        return (f"{self.date_from.isoformat() if self.date_from else '…'} to "
                f"{self.date_to.isoformat() if self.date_to else '…'}")


def parse_where(items: Sequence[str]) -> dict[str, str]:
    """``COLUMN=VALUE`` conditions as a segment; ValueError names a malformed one."""
    where: dict[str, str] = {}
    for item in items:
        column, sep, value = item.partition("=")
        column = column.strip()
        if not sep or not column:
            raise ValueError(f"--where takes COLUMN=VALUE, not {item!r}")
        if column in where and where[column] != value.strip():
            raise ValueError(f"--where gives {column!r} twice")
        where[column] = value.strip()
    return where


def data_days(data: Any) -> tuple[date, date] | None:
    """The first and last calendar day with events in ``data`` (None: no events)."""
    days = daily_volume(data)
    return (days[0][0], days[-1][0]) if days else None


@dataclass(frozen=True)
class WeeklySeries:
    """Each bound stage's conversion (after the first) by ISO week of entry: points of
    (Monday, share or None when nobody entered, n = the users of that week reaching the
    previous stage); the weeks from index ``open_from`` on may still rise (None: none)."""

    points: dict[str, list[tuple[date, float | None, int]]]
    open_from: int | None


def weekly_series(data: Any, stages: Stages, *, date_from: date | None = None,
                  date_to: date | None = None, where: Mapping[str, str] | None = None,
                  window_seconds: float | None = None) -> WeeklySeries:
    """The weekly conversion with its n and the weeks that are not complete.

    With a conversion window W, a week is complete when its last moment plus W is before
    the last day with data begins (its users have all had the whole window); without one a
    user may always convert later, and only the last week is marked (it has had the least
    time).
    """
    counts = weekly_counts(data, stages, date_from=date_from, date_to=date_to, where=where,
                           window_seconds=window_seconds)
    points = {name: [(w, reached / n if n else None, n) for w, n, reached in weeks]
              for name, weeks in counts.items()}
    weeks = [w for w, _, _ in next(iter(counts.values()), [])]
    if not weeks:
        return WeeklySeries(points, None)
    if window_seconds is None:
        return WeeklySeries(points, len(weeks) - 1)
    days = data_days(data)
    observed = datetime.combine(days[1], time()) if days else datetime.min
    wait = timedelta(days=7, seconds=window_seconds)
    open_from = next((i for i, w in enumerate(weeks)
                      if datetime.combine(w, time()) + wait > observed), None)
    return WeeklySeries(points, open_from)


def stages_of(journey_map: JourneyMap) -> Stages:
    """The map's stages in order with the events bound to each."""
    return [(s.name, list(s.events)) for s in journey_map.stages]


@dataclass(frozen=True)
class MapMetrics:
    """The funnel of one map over one dataset, each stage's numbers under its stage id."""

    map_id: str
    map_name: str
    dataset: str
    options: MetricsOptions
    result: FunnelResult
    stage_ids: tuple[str, ...] = field(default=())
    breakdown_column: str | None = None
    breakdown: tuple[tuple[str, FunnelResult], ...] = ()

    @property
    def users_total(self) -> int:
        """The users in scope."""
        return self.result.users_total

    def to_json(self) -> dict[str, Any]:
        """The public ``metrics --json`` form (with the breakdown when there is one)."""
        found = metrics_json(self.map_name, self.dataset, self.result, self.options)
        if self.breakdown_column is not None:
            found["definition"]["breakdown"] = self.breakdown_column
            found["breakdown"] = [{"value": value, "users_total": part.users_total,
                                   "stages": [n.as_dict() for n in part.stages]}
                                  for value, part in self.breakdown]
        return found


def metrics_json(map_name: str, dataset: str, result: FunnelResult,
                 options: MetricsOptions | None = None) -> dict[str, Any]:
    """A funnel in the public ``metrics --json`` form: the map, the data, every option it was
    computed with (``definition``), the users in scope and each stage's numbers."""
    return {"map": map_name, "dataset": dataset,
            "definition": (options or MetricsOptions()).definition(),
            "users_total": result.users_total,
            "stages": [numbers.as_dict() for numbers in result.stages]}


def funnel_from_json(numbers: Mapping[str, Any]) -> FunnelResult:
    """A funnel back from the ``metrics --json`` form (a snapshot, a test)."""
    stages = [StageNumbers(str(e.get("stage", "")), e.get("users"),
                           e.get("conversion_from_previous"), e.get("conversion_from_first"),
                           e.get("dropped"), e.get("median_seconds_from_previous"))
              for e in numbers.get("stages", [])]
    return FunnelResult(int(numbers.get("users_total") or 0), stages)


def map_metrics(data: Any, journey_map: JourneyMap, dataset: str,
                options: MetricsOptions | None = None, *,
                breakdown: str | None = None) -> MapMetrics:
    """The funnel of ``journey_map``'s stages over ``data`` (an EventData's ``data()``), and
    with ``breakdown`` one funnel per value of that user attribute (the 10 largest, then
    "other")."""
    from journeydesk.analytics.funnel import funnel_breakdown

    options = options or MetricsOptions()
    stages = stages_of(journey_map)
    result = funnel(data, stages, **options.query())
    parts = (tuple(funnel_breakdown(data, stages, breakdown, **options.query()))
             if breakdown is not None else ())
    return MapMetrics(journey_map.id, journey_map.name, dataset, options, result,
                      tuple(s.id for s in journey_map.stages), breakdown, parts)


@dataclass(frozen=True)
class DroppedReport:
    """Who reached the bound stage before a stage but not the stage (with the options), and
    how many of them did the stage's event anyway: out of order or outside the window."""

    stage: str
    previous: str
    options: MetricsOptions
    users: tuple[str, ...]
    did_it_anyway: int

    def describe(self) -> str:
        """What the list is, in words: "did not reach Purchase after Payment within 7d"."""
        within = f" {self.options.window_text()}" if self.options.window_seconds else ""
        return f"did not reach {self.stage} after {self.previous}{within}"

    def summary(self) -> str:
        """One line for people: how many, what, and how many did it anyway."""
        line = f"{len(self.users):,} {'person' if len(self.users) == 1 else 'people'} " \
               f"{self.describe()}"
        if self.did_it_anyway:
            line += (f"; {self.did_it_anyway:,} of them did {self.stage} anyway (out of "
                     "order" + (" or outside the window)" if self.options.window_seconds
                                else ")"))
        return line


def who_dropped(data: Any, stages: Stages, index: int,
                options: MetricsOptions | None = None) -> DroppedReport:
    """The users who dropped off before stage ``index`` of ``stages`` (a map's stages as
    :func:`stages_of` gives them: a copy, safe on a worker thread while the map is edited)."""
    from journeydesk.analytics.funnel import dropped_who_did_next

    options = options or MetricsOptions()
    bound = [i for i, (_, events) in enumerate(stages) if events]
    if index not in bound:
        raise MetricsError(f"stage {stages[index][0]!r} is bound to no events")
    earlier = [i for i in bound if i < index]
    if not earlier:
        raise MetricsError(f"{stages[index][0]!r} is the first stage of the funnel: nobody "
                           "drops off before it")
    users = dropped_users(data, stages, index, **options.query())
    anyway = dropped_who_did_next(data, stages, index, since="entry", **options.query())
    return DroppedReport(stages[index][0], stages[earlier[-1]][0], options, tuple(users),
                         anyway)
