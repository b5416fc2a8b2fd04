"""What people did instead of a stage, and the flows between a map's stages; one JSON form.

The definitions are docs/data.md, "What people did instead, and flows".  :func:`map_paths` and
:func:`map_flows` are the one way both front ends compute them; their ``to_json`` is the one
``paths --json`` / ``flows --json`` form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from journeydesk.analytics.funnel import DEFAULT_TOP, MetricsError
from journeydesk.analytics.paths import (
    DEFAULT_STEPS,
    LEFT_LABEL,
    MAX_STEPS,
    DropOffPaths,
    Flows,
    flows,
    move_users,
    next_events,
)
from journeydesk.app.metrics import MetricsOptions, Stages, stages_of
from journeydesk.domain.model import JourneyMap

__all__ = ["DEFAULT_STEPS", "LEFT_LABEL", "MAX_STEPS", "DropOffPaths", "Flows", "MapFlows",
           "MapPaths", "drop_off_after", "event_label", "flow_users", "map_flows", "map_paths",
           "path_label", "stage_flows", "stage_paths"]


def event_label(event: str | None) -> str:
    """A next event for people: its name, or ``(left)`` for no later event."""
    return LEFT_LABEL if event is None else event


def path_label(path: Sequence[str | None]) -> str:
    """A path for people: ``search > faq > (left)``."""
    return " > ".join(event_label(e) for e in path)


def drop_off_after(stages: Stages, index: int) -> int:
    """The bound stage after stage ``index`` (the one the users who reached ``index`` did not
    reach): MetricsError when ``index`` is unbound or the last bound stage."""
    name = stages[index][0]
    if not stages[index][1]:
        raise MetricsError(f"stage {name!r} is bound to no events")
    later = [i for i in range(index + 1, len(stages)) if stages[i][1]]
    if not later:
        raise MetricsError(f"{name!r} is the last bound stage of the funnel: nobody drops off "
                           "after it")
    return later[0]


@dataclass(frozen=True)
class MapPaths:
    """What the users who reached one stage of a map but not the next bound one did instead."""

    map_name: str
    dataset: str
    options: MetricsOptions
    hide: tuple[str, ...]
    result: DropOffPaths

    def describe(self) -> str:
        """Who they are, in words: "4 people reached Cart but not Buy within 1d"."""
        r = self.result
        within = f" {self.options.window_text()}" if self.options.window_seconds else ""
        return (f"{r.users:,} {'person' if r.users == 1 else 'people'} reached {r.previous} "
                f"but not {r.stage}{within}")

    def to_json(self) -> dict[str, Any]:
        """The public ``paths --json`` form (left is ``null``)."""
        found = self.result.to_json()
        definition = self.options.definition()
        definition.update(after_stage=found.pop("previous"), stage=found.pop("stage"),
                          steps=found.pop("steps"), hide=list(self.hide))
        return {"map": self.map_name, "dataset": self.dataset, "definition": definition,
                **found}


def map_paths(data: Any, journey_map: JourneyMap, dataset: str, after_index: int,
              options: MetricsOptions | None = None, *, steps: int = DEFAULT_STEPS,
              hide: Sequence[str] = (), top: int = DEFAULT_TOP) -> MapPaths:
    """What the users who reached stage ``after_index`` of ``journey_map`` but not the next
    bound stage did instead: their top next events and paths of ``steps`` events."""
    options = options or MetricsOptions()
    hidden = tuple(sorted(set(hide)))
    result = stage_paths(data, stages_of(journey_map), after_index, options, steps=steps,
                         hide=hidden, top=top)
    return MapPaths(journey_map.name, dataset, options, hidden, result)


def stage_paths(data: Any, stages: Stages, after_index: int,
                options: MetricsOptions | None = None, *, steps: int = DEFAULT_STEPS,
                hide: Sequence[str] = (), top: int = DEFAULT_TOP) -> DropOffPaths:
    """What the users who reached stage ``after_index`` of ``stages`` (a map's stages as
    :func:`stages_of` gives them: a copy, safe on a worker thread while the map is edited)
    but not the next bound stage did instead."""
    options = options or MetricsOptions()
    stage = drop_off_after(stages, after_index)
    return next_events(data, stages, stage, steps=steps, hide=tuple(sorted(set(hide))),
                       top=top, **options.query())


@dataclass(frozen=True)
class MapFlows:
    """How the users moved between a map's bound stages (no conversion window)."""

    map_name: str
    dataset: str
    options: MetricsOptions
    result: Flows

    def to_json(self) -> dict[str, Any]:
        """The public ``flows --json`` form."""
        return {"map": self.map_name, "dataset": self.dataset,
                "definition": self.options.definition(), **self.result.to_json()}


def map_flows(data: Any, journey_map: JourneyMap, dataset: str,
              options: MetricsOptions | None = None) -> MapFlows:
    """The flows between ``journey_map``'s bound stages over ``data``.  The conversion window
    does not apply to flows: a window in ``options`` is left out (the result's options have
    none)."""
    options = replace(options or MetricsOptions(), window_seconds=None)
    return MapFlows(journey_map.name, dataset, options,
                    stage_flows(data, stages_of(journey_map), options))


def stage_flows(data: Any, stages: Stages, options: MetricsOptions | None = None) -> Flows:
    """The flows between the bound stages of ``stages`` (a map's stages as :func:`stages_of`
    gives them: a copy, safe on a worker thread while the map is edited); the conversion
    window of ``options`` does not apply."""
    options = options or MetricsOptions()
    return flows(data, stages, date_from=options.date_from, date_to=options.date_to,
                 where=options.where)


def flow_users(data: Any, stages: Stages, source: int, target: int,
               options: MetricsOptions | None = None) -> list[str]:
    """The users of :func:`stage_flows` (same stages and options) who moved from stage
    ``source`` straight to stage ``target`` (indexes in ``stages``) at least once, sorted:
    the users one of its transitions counts.  The window of ``options`` does not apply."""
    options = options or MetricsOptions()
    return move_users(data, stages, source, target, date_from=options.date_from,
                      date_to=options.date_to, where=options.where)
