"""The emotion curves: one face per emotion point and a smooth line through each curve's faces.

Thin views like the other scene items (``items.py``, which re-exports these names): the scene
places them, the interactions turn drags, double-clicks and label edits into commands.
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from journeydesk.domain.model import EmotionPoint
from journeydesk.gui.canvas.text import font_px, readable_px, screen_scale
from journeydesk.gui.canvas.theme import make_pen, scene_font

LABEL_PX = 8.5 * 4 / 3  # a label's text in scene units
LABEL_ROOM_W, LABEL_ROOM_H = 240.0, 3 * LABEL_PX * 1.3 + 4  # the most a zoomed-out label takes


@cache
def label_font() -> QFont:
    """The font of a point's label (and of its inline editor, so the word does not jump)."""
    return scene_font(8.5)


class EmotionPointItem(QGraphicsItem):
    """A point on an emotion curve: a face whose mouth follows the score; drag it up or down,
    double-click it (or select it and press Enter or F2) to write its label."""

    kind = "emotion point"
    RADIUS = 11.0

    def __init__(self, point: EmotionPoint, colour: QColor):
        super().__init__()
        self.point = point
        self.colour = colour
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        self.setCursor(Qt.CursorShape.SizeVerCursor)
        self.setToolTip("Drag to change the score; double-click to write how it feels")
        self.setZValue(20)
        self.normalised = 0.5  # 0 = bottom of the scale, 1 = top; set by the scene
        self.label_above = False  # set by the scene when the label would hide another face

    @property
    def item_id(self) -> str:
        return self.point.id

    def accessible_name(self) -> str:
        label = f" ({self.point.label})" if self.point.label else ""
        return f"emotion point: score {self.point.score:g}{label}"

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        r = self.RADIUS + 3  # room for a label up to 3 times its size (semantic zoom)
        return QRectF(-LABEL_ROOM_W / 2, -r - LABEL_ROOM_H, LABEL_ROOM_W, 2 * r + 2 * LABEL_ROOM_H)

    def label_rect(self) -> QRectF:
        """Where the label goes, in the item's coordinates: under the face, or above it."""
        r = self.RADIUS
        return QRectF(-60, -r - 18, 120, 16) if self.label_above else QRectF(-60, r + 2, 120, 16)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), self.RADIUS + 3, self.RADIUS + 3)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.scene().theme  # type: ignore[attr-defined]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.RADIUS
        painter.setPen(QPen(theme.selection if self.isSelected() else self.colour,
                            3 if self.isSelected() else 2))
        painter.setBrush(theme.background)
        painter.drawEllipse(QPointF(0, 0), r, r)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawEllipse(QPointF(-4, -3), 1.6, 1.6)
        painter.drawEllipse(QPointF(4, -3), 1.6, 1.6)
        smile = (self.normalised - 0.5) * 2  # -1 .. 1
        mouth = QPainterPath(QPointF(-5, 4))
        mouth.quadTo(QPointF(0, 4 + 5 * smile), QPointF(5, 4))
        painter.setPen(make_pen(self.colour, 1.6, round_cap=True))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(mouth)
        if self.point.label:
            rect = self.label_rect()
            minimum = getattr(self.scene(), "min_text_px", 0.0)
            pixels = min(readable_px(LABEL_PX, screen_scale(painter), minimum), 3 * LABEL_PX)
            if pixels > LABEL_PX:  # zoomed out: larger, away from the face
                height = pixels * 1.3
                top = r + 2 if not self.label_above else -r - 2 - height
                rect = QRectF(-LABEL_ROOM_W / 2, top, LABEL_ROOM_W, height)
                painter.setFont(font_px(pixels))
            else:
                painter.setFont(label_font())
            width = min(painter.fontMetrics().horizontalAdvance(self.point.label) + 8,
                        rect.width())
            back = QColor(theme.background)
            back.setAlpha(215)  # the curves behind stay visible, the word stays readable
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(back)
            painter.drawRoundedRect(QRectF(-width / 2, rect.top() + 1, width, rect.height() - 1),
                                    4, 4)
            painter.setPen(theme.text)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter), self.point.label)


class EmotionCurveItem(QGraphicsItem):
    """A smooth curve through one persona's (or the map's) emotion points."""

    def __init__(self, colour: QColor):
        super().__init__()
        self.colour = colour
        self._path = QPainterPath()
        self.setZValue(15)

    def set_points(self, points: list[QPointF]) -> None:
        """Redraw through ``points`` (left to right), as a monotone spline (:func:`smooth_path`)."""
        self.prepareGeometryChange()
        self._path = smooth_path(points)

    def curve_path(self) -> QPainterPath:
        """The curve as drawn (item coordinates)."""
        return QPainterPath(self._path)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._path.boundingRect().adjusted(-4, -4, 4, 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(make_pen(self.colour, 3, round_cap=True))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


def monotone_slopes(xs: list[float], ys: list[float]) -> list[float]:
    """Slopes dy/dx at each point for a monotone cubic Hermite spline (Fritsch and Carlson,
    "Monotone Piecewise Cubic Interpolation", SIAM J. Numer. Anal. 17, 1980).

    The spline through these slopes rises, falls or stays flat between two points as they
    do, so it never leaves the band of their two scores: two +2 points are joined by a flat
    line at +2, not by a bump above the scale.  ``xs`` should increase; a step that does not
    (two faces pushed onto one column) gets flat ends and a straight line.
    """
    n = len(xs)
    if n < 2:
        return [0.0] * n
    secants = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) if xs[i + 1] > xs[i] else 0.0
               for i in range(n - 1)]
    slopes = [secants[0], *((a + b) / 2 if a * b > 0 else 0.0
                            for a, b in zip(secants, secants[1:], strict=False)), secants[-1]]
    for i, secant in enumerate(secants):
        if secant == 0.0:  # a flat (or degenerate) step: flat at both ends
            slopes[i] = slopes[i + 1] = 0.0
            continue
        # (alpha, beta) = the end slopes over the secant must lie in the circle of radius 3
        # (then the step is monotone); scaled without dividing by a secant that may be tiny
        norm = math.hypot(slopes[i], slopes[i + 1])
        if norm > 3.0 * abs(secant):
            tau = 3.0 * abs(secant) / norm
            slopes[i], slopes[i + 1] = tau * slopes[i], tau * slopes[i + 1]
    return slopes


def smooth_path(points: list[QPointF]) -> QPainterPath:
    """A smooth path through ``points`` (left to right): a monotone cubic spline
    (:func:`monotone_slopes`), each step drawn as a cubic Bézier.

    Its control points lie between the step's two ends in y (the slopes keep
    ``|slope| <= 3 * secant``), so the path, and even its control polygon, stays inside the
    points' own range: the curve never leaves the emotion scale.
    """
    path = QPainterPath()
    if not points:
        return path
    xs = [p.x() for p in points]
    ys = [p.y() for p in points]
    slopes = monotone_slopes(xs, ys)
    path.moveTo(points[0])
    for i in range(len(points) - 1):
        third = (xs[i + 1] - xs[i]) / 3
        if third <= 0:
            path.lineTo(points[i + 1])
            continue
        path.cubicTo(QPointF(xs[i] + third, ys[i] + slopes[i] * third),
                     QPointF(xs[i + 1] - third, ys[i + 1] - slopes[i + 1] * third),
                     points[i + 1])
    return path


def face_smile(score: float, low: float, high: float) -> float:
    """Where ``score`` lies on the scale, 0 (lowest) .. 1 (highest)."""
    if math.isclose(high, low):
        return 0.5
    return max(0.0, min(1.0, (score - low) / (high - low)))
