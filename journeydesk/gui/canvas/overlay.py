"""The data overlay: funnel numbers drawn on the map (stage headers, cards bound to events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OVERLAY_HEADER_EXTRA = 84.0


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
    source: str = ""  # "membership events, all users, 2026-09-01 to 2026-09-30": for cards


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


@dataclass(frozen=True)
class HeaderTexts:
    """What a stage header's data band says, each slot as variants from the most explicit to
    the shortest: the painter shows the first that fits, so every number keeps its label
    as long as there is room for it."""

    users: str
    badge: str  # "Largest drop-off", or "" (drawn as a red pill)
    flow: tuple[str, ...]  # conversion from the previous stage and people dropped
    timing: tuple[str, ...]  # median time from the previous stage
    share: tuple[str, ...]  # share of the first stage: what the bar shows
    change: tuple[str, ...]  # change since the snapshot compared with


def header_texts(numbers: StageNumbers, largest_drop: bool = False,
                 since: str = "") -> HeaderTexts:
    """The texts of one stage header's data band (``since``: "since 2026-08-01" or "")."""
    flow: tuple[str, ...] = ()
    if numbers.conversion_from_previous is not None:
        rate = f"{numbers.conversion_from_previous:.0%}"
        dropped = f"{numbers.dropped or 0:,} dropped"
        flow = (f"{rate} from previous · {dropped}", f"{rate} · {dropped}", rate)
    elif numbers.users is not None:
        flow = ("first stage of the funnel", "first stage")
    timing: tuple[str, ...] = ()
    if numbers.median_seconds_from_previous is not None:
        took = format_duration(numbers.median_seconds_from_previous)
        timing = (f"median {took} from previous", f"median {took}", took)
    share: tuple[str, ...] = ()
    if numbers.share_of_first is not None and numbers.conversion_from_previous is not None:
        part = f"{numbers.share_of_first:.0%}"
        share = (f"{part} of first stage", f"{part} of first", part)
    change: tuple[str, ...] = ()
    if numbers.users_change is not None:
        value = numbers.users_change
        arrow = "▲" if value > 0 else "▼" if value < 0 else "="
        short = f"{arrow} {abs(value):,}"
        change = (f"{short} {since}", short) if since else (short,)
    users = "" if numbers.users is None else f"{numbers.users:,} users"
    return HeaderTexts(users, "Largest drop-off" if largest_drop else "", flow, timing, share,
                       change)
