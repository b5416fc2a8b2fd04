"""The drop-off's pain-point card with what the dropped users did instead.

"Add drop-off as pain point" finds, off the GUI thread, how many of the dropped users did the
stage anyway (:meth:`DataOverlayController.dropped_users_work`) and their top next events
(:func:`journeydesk.app.paths.stage_paths`, same options), then adds one card saying both:
"2 people drop off between Sign up and Confirm e-mail (only 33% continue); instead: 1 did
form_submit, 1 left; data: signups, all users".  The card is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from journeydesk.app.event_data import was_cancelled
from journeydesk.app.metrics import stages_of
from journeydesk.app.paths import DropOffPaths, stage_paths
from journeydesk.domain.commands import EditCardCommand
from journeydesk.domain.model import Card, JourneyMap, LaneType

TOP_ON_CARD = 3  # next events on a card: more would not be read


def previous_bound(stages: Any, index: int) -> int | None:
    """The bound stage before stage ``index`` (None: there is none)."""
    return next((i for i in range(index - 1, -1, -1) if stages[i][1]), None)


def instead_work(overlay: Any, journey_map: JourneyMap,
                 stage_id: str) -> Callable[[], DropOffPaths] | None:
    """Work for a worker thread: what the users who dropped off before ``stage_id`` did
    next, with the overlay's options; None when there is no such drop-off.  The map and the
    options are read here, on the GUI thread."""
    stages = stages_of(journey_map)
    after = previous_bound(stages, journey_map.stage_index(stage_id))
    if after is None or not stages[journey_map.stage_index(stage_id)][1]:
        return None
    return partial(stage_paths, overlay.data(), stages, after, overlay.options())


def drop_off_work(overlay: Any, journey_map: JourneyMap,
                  stage_id: str) -> Callable[[], tuple[Any, DropOffPaths | None]]:
    """Work for a worker thread: (who dropped and did it anyway, what they did instead).
    What they did instead is left out (None) when it cannot be found; a cancel stops both."""
    dropped = overlay.dropped_users_work(stage_id)
    try:
        paths = instead_work(overlay, journey_map, stage_id)
    except Exception:  # noqa: BLE001 - the card can do without it
        paths = None

    def work() -> tuple[Any, DropOffPaths | None]:
        report = dropped()
        try:
            instead = paths() if paths is not None else None
        except Exception as exc:
            if was_cancelled(exc):
                raise
            instead = None
        return report, instead

    return work


def instead_text(result: DropOffPaths | None, top: int = TOP_ON_CARD) -> str:
    """The top next events for a card: "instead: 41 did catalog, 30 left, 12 did search"
    ("" when nobody dropped)."""
    if result is None or not result.users or not result.next_events:
        return ""
    parts = [f"{e.users:,} left" if e.event is None else f"{e.users:,} did {e.event}"
             for e in result.next_events[:top]]
    return "instead: " + ", ".join(parts)


def _text_with(card: Card, extra: str, source: str) -> str:
    """The card's text with ``extra`` before its "data:" part (after the rest)."""
    tail = f"; data: {source}" if source else ""
    if tail and card.text.endswith(tail):
        return f"{card.text[:-len(tail)]}; {extra}{tail}"
    return f"{card.text}; {extra}"


def add_pain_point_card(scene: Any, stage_id: str, anyway: int | None,
                        instead: DropOffPaths | None, *, read_only: bool = False) -> Card | None:
    """Add the drop-off's pain-point card (the canvas's own card, see
    ``Interactions.add_drop_off_pain_point``) with the top next events in its text: one undo
    step, however many commands."""
    extra = instead_text(instead)
    interactions = scene.interactions
    overlay = scene.overlay
    numbers = overlay.stages.get(stage_id) if overlay is not None else None
    has_lane = any(LaneType(ln.type) is LaneType.PAIN_POINTS for ln in scene.map.lanes)
    if not extra or read_only or numbers is None or not numbers.dropped or not has_lane:
        return interactions.add_drop_off_pain_point(stage_id, anyway)
    editor, map_id = scene.editor, scene.map_id
    stack = editor.stack_for(map_id)
    stack.beginMacro("Add drop-off as pain point")
    try:
        card = interactions.add_drop_off_pain_point(stage_id, anyway)
        if card is not None:
            editor.run(EditCardCommand(map_id, card.id,
                                       text=_text_with(card, extra, overlay.source)))
    finally:
        stack.endMacro()
    if card is None:  # refused: no empty step to undo
        step = stack.command(stack.index() - 1)
        if step is not None and step.childCount() == 0:
            step.setObsolete(True)
            stack.undo()
    return scene.map.cards.get(card.id) if card is not None else None
