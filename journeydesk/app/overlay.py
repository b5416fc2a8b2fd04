"""The data overlay's numbers: what each stage header and bound card of a map shows.

Computed from a :class:`~journeydesk.app.metrics.MapMetrics`-like funnel, each stage's numbers
kept under its stage id from the query to the screen.  A snapshot to compare with is matched by
stage name (its numbers are stored in the ``metrics --json`` form), so renamed or new stages
show no change.  No Qt here: the canvas draws a :class:`DataOverlay`, the window shows its
caption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from journeydesk.analytics.funnel import FunnelResult, event_counts, funnel
from journeydesk.app.metrics import MapMetrics, MetricsOptions, funnel_from_json
from journeydesk.domain.model import JourneyMap


@dataclass(frozen=True)
class StageOverlay:
    """What one stage header shows when the overlay is on (None: the stage is not bound)."""

    users: int | None
    conversion_from_previous: float | None = None
    dropped: int | None = None
    share_of_first: float | None = None
    median_seconds_from_previous: float | None = None
    users_change: int | None = None  # since the snapshot compared with, if any


@dataclass
class DataOverlay:
    """Numbers for a map: per stage, the stage that loses most people, counts per card."""

    stages: dict[str, StageOverlay] = field(default_factory=dict)
    largest_drop_stage: str | None = None
    card_counts: dict[str, int] = field(default_factory=dict)
    caption: str = ""
    event_counts: dict[str, int] = field(default_factory=dict)  # every event of the data
    baseline_label: str = ""  # "since 2026-08-01" when compared with a snapshot
    source: str = ""  # "membership events, all users, 2026-09-01 to 2026-09-30": for cards


def overlay_from_funnel(stage_ids: Sequence[str], result: FunnelResult,
                        card_counts: Mapping[str, int] | None = None, caption: str = "", *,
                        baseline: FunnelResult | None = None,
                        baseline_label: str = "") -> DataOverlay:
    """The overlay of a funnel whose stages are the map's ``stage_ids``, in order."""
    overlay = DataOverlay(card_counts=dict(card_counts or {}), caption=caption,
                          baseline_label=baseline_label)
    before = {s.stage: s.users for s in baseline.stages} if baseline is not None else {}
    first: int | None = None
    worst: tuple[int, str] | None = None
    for stage_id, entry in zip(stage_ids, result.stages, strict=True):
        users = entry.users
        if users is not None and first is None:
            first = users
        share = users / first if users is not None and first else None
        old = before.get(entry.stage)
        change = users - old if users is not None and old is not None else None
        numbers = StageOverlay(users, entry.conversion_from_previous, entry.dropped, share,
                               entry.median_seconds_from_previous, change)
        overlay.stages[stage_id] = numbers
        if numbers.dropped and (worst is None or numbers.dropped > worst[0]):
            worst = (numbers.dropped, stage_id)
    overlay.largest_drop_stage = worst[1] if worst else None
    return overlay


def overlay_from_metrics(stage_ids: Sequence[str], metrics: Mapping[str, Any],
                         card_counts: Mapping[str, int] | None = None, caption: str = "", *,
                         baseline: Mapping[str, Any] | None = None,
                         baseline_label: str = "") -> DataOverlay:
    """:func:`overlay_from_funnel` for numbers in the ``metrics --json`` form."""
    return overlay_from_funnel(
        stage_ids, funnel_from_json(metrics), card_counts, caption,
        baseline=funnel_from_json(baseline) if baseline else None,
        baseline_label=baseline_label)


@dataclass(frozen=True)
class OverlayRequest:
    """What to compute: a map's stages and bound cards at one moment, the data, the options.

    A copy, not the map: the computation runs on a worker thread while the map is edited."""

    map_id: str
    map_name: str
    dataset: str
    stages: tuple[tuple[str, str, tuple[str, ...]], ...]  # (stage id, name, events)
    card_events: tuple[tuple[str, tuple[str, ...]], ...]
    options: MetricsOptions = MetricsOptions()

    @classmethod
    def of(cls, journey_map: JourneyMap, dataset: str,
           options: MetricsOptions | None = None) -> OverlayRequest:
        """The request for ``journey_map`` as it is now."""
        return cls(journey_map.id, journey_map.name, dataset,
                   tuple((s.id, s.name, tuple(s.events)) for s in journey_map.stages),
                   tuple((c.id, tuple(c.events)) for c in journey_map.cards.values()
                         if c.events),
                   options or MetricsOptions())

    def describe(self) -> str:
        """The data and filters for people ("events, plan = pro, 2026-09-01 to …")."""
        parts = [self.dataset, self.options.segment_text()]
        if self.options.dates_text():
            parts.append(self.options.dates_text())
        if self.options.window_text():
            parts.append(self.options.window_text())
        return ", ".join(parts)


def compute_overlay(data: Any, request: OverlayRequest, baseline: Any = None
                    ) -> tuple[DataOverlay, MapMetrics]:
    """The overlay and the metrics of one request (runs on a worker thread).

    ``data`` is an EventData's ``data()``; ``baseline`` a stored snapshot (or None).
    """
    options = request.options
    query = options.query()
    result = funnel(data, [(name, list(events)) for _, name, events in request.stages],
                    **query)
    counts = event_counts(data, date_from=options.date_from, date_to=options.date_to,
                          where=options.where)  # events of the users in scope: no window
    card_counts = {card_id: sum(counts.get(e, 0) for e in events)
                   for card_id, events in request.card_events if events}
    metrics = MapMetrics(request.map_id, request.map_name, request.dataset, options, result,
                         tuple(stage_id for stage_id, _, _ in request.stages))
    caption = f"{request.dataset} · {options.segment_text()} · {result.users_total:,} users"
    if options.dates_text():
        caption += f" · entered {options.dates_text()}"
    if options.window_text():
        caption += f" · {options.window_text()}"
    comparable = (baseline is not None and baseline.filters == options.filters()
                  and baseline.numbers.get("dataset") == request.dataset)
    if baseline is not None:
        caption += (f" · compared with the snapshot of {baseline.taken_at:%Y-%m-%d}"
                    if comparable else f" · the snapshot of {baseline.taken_at:%Y-%m-%d} has "
                    "other data or filters: no change shown")
    overlay = overlay_from_funnel(
        metrics.stage_ids, result, card_counts, caption,
        baseline=funnel_from_json(baseline.numbers) if comparable else None,
        baseline_label=f"since {baseline.taken_at:%Y-%m-%d}" if comparable else "")
    overlay.event_counts = counts
    overlay.source = request.describe()
    return overlay, metrics
