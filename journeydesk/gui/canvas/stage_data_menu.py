"""A stage header's data actions beyond the drop-off's pain point and who dropped: what the
dropped users did instead, and the retention after the stage (both in the analytics dock), and
the retention figure on the stage's own header (checked while it is shown there).

The scene's items only emit intent: the actions emit a signal of the scene's
:class:`StageRequests` (one per scene, made on first use, a child of the scene, so it goes with
it), which the window's data panel follows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

INSTEAD_TEXT = "What did they do instead?"
RETENTION_TEXT = "Retention after this stage…"
HEADER_RETENTION_TEXT = "Show retention on this stage's header"


class StageRequests(QObject):
    """What a stage header's data actions ask the window for (a stage id each)."""

    instead_requested = Signal(str)  # the dropped users' next events and paths
    retention_requested = Signal(str)  # the retention with this stage as the anchor
    header_retention_requested = Signal(str)  # its figure on the header: on, or off again


def requests_of(scene: QObject) -> StageRequests:
    """The scene's requests object (made on first use)."""
    found = scene.findChild(StageRequests)
    return found if isinstance(found, StageRequests) else StageRequests(scene)


def add_stage_data_actions(menu: QMenu, scene: Any, item: Any) -> None:
    """With the data overlay on: "What did they do instead?" on a stage with a drop-off, and
    "Retention after this stage…" and "Show retention on this stage's header" on a bound
    stage."""
    if scene.overlay is None:
        return
    stage_id = item.item_id
    numbers = item.numbers
    dropped = numbers is not None and bool(numbers.dropped)
    bound = any(s.id == stage_id and s.events for s in scene.map.stages)
    if not (dropped or bound):
        return
    if not dropped:  # the drop-off's actions opened a section already
        menu.addSeparator()
    requests = requests_of(scene)
    if dropped:
        menu.addAction(INSTEAD_TEXT, lambda: requests.instead_requested.emit(stage_id))
    if bound:
        menu.addAction(RETENTION_TEXT, lambda: requests.retention_requested.emit(stage_id))
        shown = menu.addAction(HEADER_RETENTION_TEXT,
                               lambda: requests.header_retention_requested.emit(stage_id))
        shown.setCheckable(True)
        figure = getattr(scene, "retention", None)
        shown.setChecked(figure is not None and figure.stage_id == stage_id)
