"""Headers that stay in sight, and the stage a presentation walks through.

Sticky headers: while the view is scrolled down or right (zoomed in on a big map), the stage
and step headers stay at the top of the view and the lane headers at its left, above the
cards they cover, so every card keeps its column and row names in sight.  They move back to
their places when the view shows the top or the left edge.  Only the main view pins them;
exports build their own scene and the minimap paints each header at its place
(:func:`home_pos`).

The walk-through of Present mode emphasises one stage: :func:`paint_focus` veils the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter

from journeydesk.gui.canvas.theme import LANE_HEADER_W

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QGraphicsItem

    from journeydesk.gui.canvas.scene import MapScene

PINNED_Z = 30.0  # above cards (10) and the emotion curves


def pin_headers(scene: MapScene, visible: QRectF | None) -> None:
    """Place the headers for a view showing ``visible`` (scene coordinates); None: at their
    places in the layout."""
    lay = scene.layout
    dy = dx = 0.0
    if visible is not None:
        dy = min(max(0.0, visible.top()), max(0.0, lay.height - lay.top))
        dx = min(max(0.0, visible.left()), max(0.0, lay.width - LANE_HEADER_W))
    for stage_id, item in scene.stages.items():
        _place(item, lay.stage_rects.get(stage_id), 0.0, dy, PINNED_Z + 2)
    for step_id, item in scene.steps.items():
        _place(item, lay.step_rects.get(step_id), 0.0, dy, PINNED_Z + 2)
    for lane_id, item in scene.lanes.items():
        _place(item, lay.lane_rects.get(lane_id), dx, 0.0, PINNED_Z)


def _place(item: QGraphicsItem, rect: QRectF | None, dx: float, dy: float, z: float) -> None:
    if rect is None:
        return
    pos = QPointF(rect.x() + dx, rect.y() + dy)
    if item.pos() != pos:
        item.setPos(pos)
    wanted = z if (dx or dy) else item.z_level  # type: ignore[attr-defined]
    if item.zValue() != wanted:
        item.setZValue(wanted)


def home_pos(item: QGraphicsItem, scene: MapScene) -> QPointF | None:
    """Where a (possibly pinned) header, or an item on one, sits in the layout; None for
    other items."""
    parent = item.parentItem()
    if parent is not None:
        home = home_pos(parent, scene)
        return None if home is None else home + item.pos()
    lay = scene.layout
    for items, rects in ((scene.stages, lay.stage_rects), (scene.steps, lay.step_rects),
                         (scene.lanes, lay.lane_rects)):
        key = getattr(item, "item_id", None)
        if key in items and items[key] is item and key in rects:
            return rects[key].topLeft()
    return None


def stage_span(scene: MapScene, stage_id: str) -> QRectF:
    """The stage's columns from its header to the last lane (scene coordinates)."""
    lay = scene.layout
    header = lay.stage_rects[stage_id]
    return QRectF(header.left(), 0.0, header.width(), max(lay.height, header.height()))


def paint_focus(painter: QPainter, scene: MapScene, stage_id: str, veil: QColor) -> None:
    """Veil everything but the stage ``stage_id``'s columns (and the lane headers)."""
    lay = scene.layout
    if stage_id not in lay.stage_rects:
        return
    span = stage_span(scene, stage_id)
    lanes = [item.pos().x() for item in scene.lanes.values()]
    start = max([LANE_HEADER_W] + [x + LANE_HEADER_W for x in lanes])  # pinned lane headers
    painter.save()
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(veil)
    whole = scene.sceneRect()
    left = QRectF(start, whole.top(), span.left() - start, whole.height())
    right = QRectF(span.right(), whole.top(), whole.right() - span.right(), whole.height())
    corner = QRectF(whole.left(), whole.top(), start - whole.left(), lay.top - whole.top())
    for part in (left, right, corner):
        if part.width() > 0:
            painter.drawRect(part)
    painter.restore()
