"""Retention and churn after a map's stage, with the funnel's options; one JSON form.

The definition is docs/data.md, "Retention and churn".  :func:`map_retention` is the one way
both front ends compute it; :meth:`MapRetention.to_json` is the ``retention --json`` form and
:meth:`MapRetention.headline` the figure a post-purchase stage's header can show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from journeydesk.analytics.funnel import MetricsError
from journeydesk.analytics.retention import (
    COHORTS,
    DEFAULT_COHORT,
    DEFAULT_EVERY,
    DEFAULT_PERIODS,
    EVERY,
    Churn,
    Cohort,
    Retention,
    RetentionCell,
    retention,
)
from journeydesk.app.metrics import MetricsOptions, stages_of
from journeydesk.domain.model import JourneyMap

__all__ = ["COHORTS", "EVERY", "Churn", "Cohort", "MapRetention", "Retention",
           "RetentionCell", "map_retention", "parse_events", "period_name", "stage_retention"]


def parse_events(text: str | None) -> list[str] | None:
    """``a,b,checkout/*`` as a qualifying event set (None or nothing but commas: any event)."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    return names or None


def period_name(every: str | int) -> str:
    """What one period is called in a table: Day, Week, Month, or "Period" for seconds."""
    return every.capitalize() if isinstance(every, str) else "Period"


@dataclass(frozen=True)
class MapRetention:
    """Retention after one stage of one map over one dataset, with the funnel options."""

    map_name: str
    dataset: str
    options: MetricsOptions
    result: Retention

    def to_json(self) -> dict[str, Any]:
        """The public ``retention --json`` form: the map, the data, every option
        (``definition``: the funnel's and the retention's) and the numbers."""
        numbers = self.result.to_json()
        definition = {**self.options.definition(), **numbers.pop("definition")}
        return {"map": self.map_name, "dataset": self.dataset, "definition": definition,
                **numbers}

    def headline(self) -> str:
        """One line for a stage's header: "week 4 or later: 35.0% of 120" (at the churn
        horizon; "-" for the share while nobody has had that long)."""
        result = self.result
        cell = result.overall[result.spec.churn_at - 1]
        share = cell.or_later_share
        shown = "-" if share is None else f"{share * 100:.1f}%"
        return (f"{period_name(result.spec.every).lower()} {cell.period} or later: {shown} "
                f"of {cell.observable:,}")


def stage_retention(data: Any, stages: Sequence[tuple[str, Sequence[str]]], anchor: int,
                    options: MetricsOptions | None = None, *,
                    every: str | int = DEFAULT_EVERY, periods: int = DEFAULT_PERIODS,
                    events: Sequence[str] | None = None, cohort: str = DEFAULT_COHORT,
                    churn_at: int | None = None) -> Retention:
    """Retention after stage ``anchor`` of ``stages`` (a map's stages as :func:`stages_of`
    gives them: a copy, safe on a worker thread while the map is edited)."""
    options = options or MetricsOptions()
    return retention(data, stages, anchor, every=every, periods=periods, events=events,
                     cohort=cohort, churn_at=churn_at, **options.query())


def map_retention(data: Any, journey_map: JourneyMap, dataset: str,
                  options: MetricsOptions | None = None, *, anchor: str,
                  every: str | int = DEFAULT_EVERY, periods: int = DEFAULT_PERIODS,
                  events: Sequence[str] | None = None, cohort: str = DEFAULT_COHORT,
                  churn_at: int | None = None) -> MapRetention:
    """Retention after the stage named (or with the id) ``anchor`` of ``journey_map`` over
    ``data`` (an EventData's ``data()``); MetricsError for an unbound stage or bad options,
    LookupFailed for an unknown one."""
    from journeydesk.app.session import find_stage

    stage = next((s for s in journey_map.stages if s.id == anchor), None) \
        or find_stage(journey_map, anchor)
    index = journey_map.stage_index(stage.id)
    if not stage.events:
        raise MetricsError(f"stage {stage.name!r} is bound to no events: bind it to be "
                           "the anchor of a retention")
    options = options or MetricsOptions()
    result = stage_retention(data, stages_of(journey_map), index, options, every=every,
                             periods=periods, events=events, cohort=cohort, churn_at=churn_at)
    return MapRetention(journey_map.name, dataset, options, result)
