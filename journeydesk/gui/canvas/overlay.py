"""The data overlay: funnel numbers drawn on the map (stage headers, cards bound to events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OVERLAY_HEADER_EXTRA = 66.0


@dataclass(frozen=True)
class StageNumbers:
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

    stages: dict[str, StageNumbers] = field(default_factory=dict)
    largest_drop_stage: str | None = None
    card_counts: dict[str, int] = field(default_factory=dict)
    caption: str = ""
    event_counts: dict[str, int] = field(default_factory=dict)  # every event of the data
    baseline_label: str = ""  # "since 2026-08-01" when compared with a snapshot


def overlay_from_metrics(stage_ids: list[str], metrics: dict[str, Any],
                         card_counts: dict[str, int] | None = None,
                         caption: str = "", *, baseline: dict[str, Any] | None = None,
                         baseline_label: str = "") -> DataOverlay:
    """Build the overlay from the metrics JSON form (``journeydesk metrics --json``).

    ``stage_ids`` are the map's stages in order, matching ``metrics["stages"]``.
    ``baseline`` (the same form, from a snapshot) adds each stage's change in users; stages
    are matched by name, so renamed or new stages show no change.
    """
    overlay = DataOverlay(card_counts=dict(card_counts or {}), caption=caption,
                          baseline_label=baseline_label)
    before = {entry["stage"]: entry.get("users") for entry in (baseline or {}).get("stages", [])}
    first: int | None = None
    worst: tuple[int, str] | None = None
    for stage_id, entry in zip(stage_ids, metrics["stages"], strict=True):
        users = entry.get("users")
        if users is not None and first is None:
            first = users
        share = users / first if users is not None and first else None
        old = before.get(entry["stage"])
        change = users - old if users is not None and old is not None else None
        numbers = StageNumbers(users, entry.get("conversion_from_previous"),
                               entry.get("dropped"), share,
                               entry.get("median_seconds_from_previous"), change)
        overlay.stages[stage_id] = numbers
        if numbers.dropped and (worst is None or numbers.dropped > worst[0]):
            worst = (numbers.dropped, stage_id)
    overlay.largest_drop_stage = worst[1] if worst else None
    return overlay


def format_duration(seconds: float | None) -> str:
    """A median time as people say it: 45 s, 12 min, 3.5 h, 2.1 d."""
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
