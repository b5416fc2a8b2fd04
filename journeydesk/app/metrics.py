"""Funnel numbers of a map over event data, with their options; one JSON form.

The definition of every number is in docs/data.md.  :func:`map_metrics` is the one way both
front ends compute a map's funnel; :meth:`MapMetrics.to_json` is the one ``metrics --json``
form (also what a snapshot keeps and the Excel Metrics sheet reads).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from journeydesk.analytics.funnel import (
    FunnelResult,
    MetricsError,
    StageNumbers,
    dropped_users,
    event_counts,
    funnel,
    user_timeline,
)
from journeydesk.analytics.series import (
    Histogram,
    daily_volume,
    time_to_next_histogram,
    weekly_conversion,
)
from journeydesk.domain.model import JourneyMap

__all__ = ["FunnelResult", "Histogram", "MapMetrics", "MetricsError", "MetricsOptions",
           "StageNumbers", "daily_volume", "dropped_users", "event_counts", "funnel",
           "funnel_from_json", "map_metrics", "metrics_json", "parse_where", "stages_of",
           "time_to_next_histogram", "user_timeline", "weekly_conversion"]

Stages = list[tuple[str, list[str]]]


@dataclass(frozen=True)
class MetricsOptions:
    """Which events count: calendar days (both ends included; None: open) and a segment
    (attribute = value conditions, all of which must hold)."""

    date_from: date | None = None
    date_to: date | None = None
    segment: tuple[tuple[str, str], ...] = ()

    @classmethod
    def make(cls, date_from: date | None = None, date_to: date | None = None,
             segment: Mapping[str, str] | Sequence[tuple[str, str]] | None = None
             ) -> MetricsOptions:
        """Options from a segment given as a dict or pairs (kept in a stable order)."""
        pairs = dict(segment or {})
        return cls(date_from, date_to, tuple(sorted(pairs.items())))

    @property
    def where(self) -> dict[str, str] | None:
        """The segment as the analytics functions take it (None: everybody)."""
        return dict(self.segment) or None

    def query(self) -> dict[str, Any]:
        """Keyword arguments of the analytics functions."""
        return {"date_from": self.date_from, "date_to": self.date_to, "where": self.where}

    def filters(self) -> dict[str, Any]:
        """The options as a snapshot stores them."""
        return {"segment": dict(self.segment),
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None}

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

    @property
    def users_total(self) -> int:
        """The users in scope."""
        return self.result.users_total

    def to_json(self) -> dict[str, Any]:
        """The public ``metrics --json`` form."""
        return metrics_json(self.map_name, self.dataset, self.result)


def metrics_json(map_name: str, dataset: str, result: FunnelResult) -> dict[str, Any]:
    """A funnel in the public ``metrics --json`` form."""
    return {"map": map_name, "dataset": dataset, "users_total": result.users_total,
            "stages": [numbers.as_dict() for numbers in result.stages]}


def funnel_from_json(numbers: Mapping[str, Any]) -> FunnelResult:
    """A funnel back from the ``metrics --json`` form (a snapshot, a test)."""
    stages = [StageNumbers(str(e.get("stage", "")), e.get("users"),
                           e.get("conversion_from_previous"), e.get("conversion_from_first"),
                           e.get("dropped"), e.get("median_seconds_from_previous"))
              for e in numbers.get("stages", [])]
    return FunnelResult(int(numbers.get("users_total") or 0), stages)


def map_metrics(data: Any, journey_map: JourneyMap, dataset: str,
                options: MetricsOptions | None = None) -> MapMetrics:
    """The funnel of ``journey_map``'s stages over ``data`` (an EventData's ``data()``)."""
    options = options or MetricsOptions()
    result = funnel(data, stages_of(journey_map), **options.query())
    return MapMetrics(journey_map.id, journey_map.name, dataset, options, result,
                      tuple(s.id for s in journey_map.stages))
