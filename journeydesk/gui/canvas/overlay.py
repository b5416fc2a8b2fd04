"""The data overlay on the canvas: the texts of each stage header's data band.

The numbers themselves (:class:`~journeydesk.app.overlay.DataOverlay`, one
:class:`~journeydesk.app.overlay.StageOverlay` per stage id) are computed in
:mod:`journeydesk.app.overlay`; this module decides how they read on a header.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeydesk.app.overlay import DataOverlay, StageOverlay, overlay_from_metrics
from journeydesk.app.text import format_duration

__all__ = ["OVERLAY_HEADER_EXTRA", "DataOverlay", "HeaderTexts", "StageOverlay",
           "format_duration", "header_texts", "overlay_from_metrics"]

OVERLAY_HEADER_EXTRA = 84.0


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


def header_texts(numbers: StageOverlay, largest_drop: bool = False,
                 since: str = "", *, first: bool | None = None) -> HeaderTexts:
    """The texts of one stage header's data band (``since``: "since 2026-08-01" or "").

    ``first``: whether this is the funnel's first bound stage.  When not given it is told
    from the numbers: only the first bound stage has users and no conversion from a previous
    one.  A stage with 0 users is then never called the first (after a stage with 0 users
    there is no conversion either); it reads "0 users" and says why there is no rate.
    """
    if first is None:
        first = bool(numbers.users) and numbers.conversion_from_previous is None
    flow: tuple[str, ...] = ()
    if numbers.conversion_from_previous is not None:
        rate = f"{numbers.conversion_from_previous:.0%}"
        dropped = f"{numbers.dropped or 0:,} dropped"
        flow = (f"{rate} from previous · {dropped}", f"{rate} · {dropped}", rate)
    elif numbers.users is not None and first:
        flow = ("first stage of the funnel", "first stage")
    elif numbers.users is not None and numbers.share_of_first is None:
        # the first bound stage has 0 users, so every stage has: this may be the first one
        flow = ("no users entered the funnel", "no users", "–")
    elif numbers.users is not None:  # the previous bound stage has 0 users: no rate to give
        flow = ("0 users at the previous stage", "0 at previous", "–")
    timing: tuple[str, ...] = ()
    if numbers.median_seconds_from_previous is not None:
        took = format_duration(numbers.median_seconds_from_previous)
        timing = (f"median {took} from previous", f"median {took}", took)
    share: tuple[str, ...] = ()
    if numbers.share_of_first is not None and not first:
        part = f"{numbers.share_of_first:.0%}"
        share = (f"{part} of first stage", f"{part} of first", part)
    change: tuple[str, ...] = ()
    if numbers.users_change is not None:
        value = numbers.users_change
        arrow = "▲" if value > 0 else "▼" if value < 0 else "="
        short = f"{arrow} {abs(value):,}"
        change = (f"{short} {since}", short) if since else (short,)
    users = "" if numbers.users is None else (
        f"{numbers.users:,} user" if numbers.users == 1 else f"{numbers.users:,} users")
    return HeaderTexts(users, "Largest drop-off" if largest_drop else "", flow, timing, share,
                       change)
