"""Flows over the map: arcs between the stage headers, planned order against what people did.

The numbers are :class:`~journeydesk.app.paths.Flows` (docs/data.md, "Flows"): for each pair
of bound stages, the users who moved from one straight to the other.  Each move is one arc
(:class:`FlowArcItem`) above the stage header row, from a point right of the source header's
middle to a point left of the target's, so the arc of a move and the arc of the move back
never share a line:

- **forward** (to the next bound stage): solid, in the selection blue;
- **skip** (further ahead): solid, in the metrics purple;
- **back** (to an earlier stage): dashed, in the pain-point red; it starts right of the later
  stage and ends left of the earlier one, so it wraps the forward arc of the same pair.

All arcs stay above the headers (below them they would hide the cards of the first lane).  An
arc is as high as the arcs it spans plus one level, and a level higher again when its count
label would meet another label on its level, so labels never overlap, also at Fit where the
labels are drawn larger (semantic zoom: ``scene.min_text_px``).  The width of an arc grows with
its users, the largest move drawn widest.  Hovering shows the users and their share in a
tooltip; a click asks for the list of users (:attr:`FlowsLayer.users_requested`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from journeydesk.app.paths import Flows
from journeydesk.domain.model import LaneType
from journeydesk.gui.canvas.text import font_px, readable_px, screen_scale
from journeydesk.gui.canvas.theme import Theme

LABEL_PX = 12  # the count labels in scene units at 100 %
WORST_LABEL_PX = 30  # how large a label may be drawn at Fit: what level spacing allows for
LEVEL_H = 40.0  # the height between two levels of arcs
FIRST_LEVEL = 34.0  # the peak of the lowest arcs above the headers
ARC_FOOT = 2.0  # where arcs meet the headers (their painted top is 4 below the row's top)
MIN_WIDTH, MAX_WIDTH = 1.5, 9.0  # arc widths of the smallest and the largest move
HIT_WIDTH = 12.0  # how wide an arc is for the mouse
ARC_Z = 6.0  # above unpinned headers (their arrows touch them), below cards' drag and pins
KIND_WORDS = {"forward": "forward", "skip": "skipping ahead", "back": "going back"}


def kind_colour(theme: Theme, kind: str) -> QColor:
    """The colour of a move of ``kind`` in ``theme``."""
    if kind == "forward":
        return QColor(theme.selection)
    if kind == "skip":
        return QColor(theme.look(LaneType.METRICS).accent)
    return QColor(theme.look(LaneType.PAIN_POINTS).accent)


@cache
def _metrics(pixels: int) -> QFontMetricsF:
    return QFontMetricsF(font_px(pixels, True))


def share_text(share: float | None) -> str:
    """The share of users who followed the planned order, for the overlay's band."""
    if share is None:
        return "no users in the flows"
    return f"{share:.0%} followed the planned order"


@dataclass(frozen=True)
class ArcGeometry:
    """Where one move's arc goes (scene coordinates)."""

    start: QPointF
    end: QPointF
    peak: float  # how far above the headers the arc's middle is

    def path(self) -> QPainterPath:
        """The arc: a cubic whose middle is ``peak`` above the feet."""
        lift = self.peak / 0.75  # a symmetric cubic reaches 3/4 of its control points' lift
        path = QPainterPath(self.start)
        path.cubicTo(QPointF(self.start.x(), self.start.y() - lift),
                     QPointF(self.end.x(), self.end.y() - lift), self.end)
        return path

    def label_centre(self) -> QPointF:
        return QPointF((self.start.x() + self.end.x()) / 2, self.start.y() - self.peak)


class FlowArcItem(QGraphicsItem):
    """One move between two stages: an arc with an arrow into the target and its count."""

    minimap_skip = True  # the minimap shows the map itself

    def __init__(self, layer: FlowsLayer, move: Any, ends: tuple[str, str], *,
                 share: float, width: float):
        super().__init__(layer)
        self.layer = layer
        self.move = move
        self.source_id, self.target_id = ends  # the stage ids
        self.share = share
        self.width = width
        self.hovered = False
        self.geometry = ArcGeometry(QPointF(), QPointF(), FIRST_LEVEL)
        self._path = QPainterPath()
        self._shape = QPainterPath()
        self._bounds = QRectF()
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tooltip())

    @property
    def label(self) -> str:
        return f"{self.move.users:,}"

    def tooltip(self) -> str:
        """Users and their share, in words."""
        m = self.move
        return (f"{m.source} → {m.target} ({KIND_WORDS[m.kind]}): {m.users:,} "
                f"{'user' if m.users == 1 else 'users'}, {self.share:.0%} of the "
                f"{self.layer.flows.users:,} in the flows. Click to list them.")

    def accessible_name(self) -> str:
        return f"flow: {self.tooltip()}"

    def set_geometry(self, geometry: ArcGeometry) -> None:
        self.prepareGeometryChange()
        self.geometry = geometry
        self._path = geometry.path()
        stroker = QPainterPathStroker()
        stroker.setWidth(max(HIT_WIDTH, self.width + 4))
        shape = stroker.createStroke(self._path)
        shape.addRect(self._label_rect(WORST_LABEL_PX))
        self._shape = shape.simplified()
        self._bounds = self._shape.boundingRect().adjusted(-MAX_WIDTH, -MAX_WIDTH, MAX_WIDTH,
                                                           MAX_WIDTH)

    def _label_rect(self, pixels: int) -> QRectF:
        metrics = _metrics(pixels)
        w = metrics.horizontalAdvance(self.label) + pixels * 0.9
        h = metrics.height() + pixels * 0.25
        c = self.geometry.label_centre()
        return QRectF(c.x() - w / 2, c.y() - h / 2, w, h)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        scene = self.scene()
        theme: Theme = scene.theme  # type: ignore[attr-defined]
        scale = screen_scale(painter)
        minimum = getattr(scene, "min_text_px", 0.0)
        colour = kind_colour(theme, self.move.kind)
        if not self.hovered:
            colour.setAlpha(205)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = max(self.width + (2 if self.hovered else 0), 1.2 / scale)
        pen = QPen(colour, width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if self.move.kind == "back":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        # the arrow into the target header: pointing down, as wide as the arc and then some
        head = max(width * 1.6, 7.0, 5.0 / scale)
        end = self.geometry.end
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(QPolygonF([QPointF(end.x() - head / 2, end.y() - head),
                                       QPointF(end.x() + head / 2, end.y() - head),
                                       QPointF(end.x(), end.y() + 1)]))
        pixels = readable_px(LABEL_PX, scale, minimum)
        rect = self._label_rect(pixels)
        painter.setPen(QPen(kind_colour(theme, self.move.kind), max(1.2, 1.2 / scale)))
        painter.setBrush(theme.background)
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(theme.text)
        painter.setFont(font_px(pixels, True))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self.label)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.hovered = True
        self.setZValue(1)  # above the other arcs while pointed at
        self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.hovered = False
        self.setZValue(0)
        self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        event.accept()  # the release lists the users (no rubber band starts here)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self.contains(event.pos()):
            self.layer.users_requested.emit(self.source_id, self.target_id)


class FlowsLayer(QGraphicsObject):
    """The flows of one map as arcs above its stage headers (a holder: its arcs paint)."""

    users_requested = Signal(str, str)  # source and target stage ids: list who moved so
    minimap_skip = True

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(ARC_Z)
        self.flows = Flows(0, 0, 0, 0, [], [])
        self.arcs: list[FlowArcItem] = []

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF()

    def paint(self, *_args: object) -> None:
        """Nothing: its arcs paint."""

    def set_flows(self, flows: Flows, stage_ids: dict[str, str]) -> None:
        """Show ``flows``; ``stage_ids`` names each bound stage's id by its name (moves
        between stages no longer on the map are left out)."""
        scene = self.scene()
        for arc in self.arcs:
            arc.setParentItem(None)
            if scene is not None:
                scene.removeItem(arc)
        self.flows = flows
        moves = [t for t in flows.transitions if t.source in stage_ids and t.target in stage_ids]
        largest = max((t.users for t in moves), default=0)
        self.arcs = [
            FlowArcItem(self, t, (stage_ids[t.source], stage_ids[t.target]),
                        share=t.users / flows.users if flows.users else 0.0,
                        width=MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * t.users / largest)
            for t in moves]

    def arc(self, source: str, target: str) -> FlowArcItem | None:
        """The arc of the move from stage name ``source`` to ``target``, if shown."""
        return next((a for a in self.arcs if (a.move.source, a.move.target)
                     == (source, target)), None)

    def place(self, stage_rects: dict[str, QRectF]) -> None:
        """Lay the arcs out over the stage headers at ``stage_rects`` (layout coordinates)."""
        spans = []
        for arc in self.arcs:
            source, target = stage_rects.get(arc.source_id), stage_rects.get(arc.target_id)
            if source is None or target is None:
                arc.hide()
                continue
            arc.show()
            start = QPointF(source.center().x() + _offset(source), source.top() + ARC_FOOT)
            end = QPointF(target.center().x() - _offset(target), target.top() + ARC_FOOT)
            spans.append((abs(end.x() - start.x()), arc, start, end))
        spans.sort(key=lambda s: s[0])
        placed: list[tuple[float, float, int]] = []  # each placed arc's span and level
        labels: list[QRectF] = []  # the labels placed, as large as Fit may draw them
        for _, arc, start, end in spans:
            lo, hi = sorted((start.x(), end.x()))
            level = 1 + max((lv for a, b, lv in placed if lo <= a and b <= hi), default=0)
            while True:  # up a level while the label would meet one placed before
                arc.set_geometry(ArcGeometry(start, end, _peak(level)))
                label = arc._label_rect(WORST_LABEL_PX).adjusted(-4, -2, 4, 2)
                if not any(label.intersects(other) for other in labels):
                    break
                level += 1
            labels.append(label)
            placed.append((lo, hi, level))

    def extent(self) -> QRectF:
        """What the arcs cover (scene coordinates; empty without arcs)."""
        rect = QRectF()
        for arc in self.arcs:
            if arc.isVisible():
                rect = rect.united(arc.mapRectToScene(arc.boundingRect()))
        return rect


def _offset(header: QRectF) -> float:
    """How far from a header's middle the arcs leave (right) and arrive (left)."""
    return min(40.0, header.width() / 5)


def _peak(level: int) -> float:
    return FIRST_LEVEL + (level - 1) * LEVEL_H
