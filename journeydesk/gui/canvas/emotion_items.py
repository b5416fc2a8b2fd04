"""The emotion curves: one face per emotion point and a smooth line through each curve's faces.

Thin views like the other scene items (``items.py``, which re-exports these names): the scene
places them, the interactions turn drags, double-clicks and label edits into commands.

A point's label goes where it hides nothing (:class:`LabelPlaces`): under its face, else above
it, else beside it, never over another face or label, off the curves where it can, and inside
the emotions band of its lane (never cut by the lane's edge or a page's).  Labels and the
score axis's "+2 / 0 / -2" grow when zoomed out (semantic zoom, as card text does); where a
label goes is worked out for each text size, so a larger label at Fit hides nothing either.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from journeydesk.domain.model import EmotionPoint
from journeydesk.gui.canvas.text import font_px, readable_px, screen_scale
from journeydesk.gui.canvas.theme import make_pen, scene_font

LABEL_PX = 8.5 * 4 / 3  # a label's text in scene units
AXIS_PX = 8 * 4 / 3  # the score axis's labels ("+2", "0", "-2") in scene units
MAX_GROWTH = 3.0  # zoomed out, these texts grow up to this many times (Fit never needs more)
LABEL_MAX_W = 180.0  # the widest a label's box gets (a longer label is elided)
# the room around a face for its label, in any of its spots, at up to MAX_GROWTH its size
LABEL_ROOM_W, LABEL_ROOM_H = 2 * LABEL_MAX_W + 40, 3 * LABEL_PX * 1.3 + 4


def grown_px(base: float, scale: float, minimum: float) -> float:
    """The size (scene units) to paint text laid out ``base`` high at ``scale``: ``base`` while
    that shows at least ``minimum`` px on screen, else as large as it must be (semantic zoom,
    as card text), at most :data:`MAX_GROWTH` times ``base``."""
    pixels = readable_px(base, scale, minimum)
    return base if pixels <= base else min(float(pixels), MAX_GROWTH * base)


@cache
def label_font(pixels: float = LABEL_PX) -> QFont:
    """The font of a point's label ``pixels`` high (and of its inline editor, so the word does
    not jump)."""
    return scene_font(8.5) if pixels == LABEL_PX else font_px(int(pixels))


@cache
def axis_font(pixels: float = AXIS_PX) -> QFont:
    """The font of the score axis's labels, ``pixels`` high."""
    return scene_font(8) if pixels == AXIS_PX else font_px(int(pixels))


@cache
def _metrics(font: QFont) -> QFontMetricsF:
    return QFontMetricsF(font)


def label_size(text: str, pixels: float) -> tuple[float, float]:
    """(width, height) of the box of a label ``pixels`` high (at most :data:`LABEL_MAX_W`
    wide: a longer one is elided)."""
    width = _metrics(label_font(pixels)).horizontalAdvance(text) + 8
    return min(math.ceil(width), LABEL_MAX_W), max(16.0, math.ceil(pixels * 1.2) + 1)


def label_spots(width: float, height: float, radius: float) -> list[QRectF]:
    """Where a label box may go around a face of ``radius`` at (0, 0), best first: under it,
    above it, then half beside it (under, above) and beside it (level with the face, raised
    or lowered: a face at the top or bottom of the scale)."""
    below, above = radius + 2, -radius - 2 - height
    right, left = radius + 4, -radius - 4 - width
    spots = [(-width / 2, below), (-width / 2, above), (0.0, below), (-width, below),
             (0.0, above), (-width, above)]
    for y in (-height / 2, -height + 4, -4.0):
        spots += [(right, y), (left, y)]
    return [QRectF(x, y, width, height) for x, y in spots]


def scale_labels(top: float, bottom: float, low: float, high: float, *, pixels: float,
                 left: float) -> list[tuple[str, QRectF]]:
    """The score axis's labels, (text, box at ``left``), its text ``pixels`` high: the top and
    bottom of the scale and 0 where it lies inside; one that would overlap another is left
    out (a large size on a short scale)."""
    metrics = _metrics(axis_font(pixels))
    height = max(16.0, math.ceil(pixels * 1.25))
    labels: list[tuple[str, QRectF]] = []
    for score in (high, low, 0.0):
        if score == 0.0 and not low < 0.0 < high:
            continue
        y = bottom - face_smile(score, low, high) * (bottom - top)
        text = f"{score:+g}" if score else "0"
        box = QRectF(left, y - height / 2, metrics.horizontalAdvance(text) + 4, height)
        if not any(box.intersects(other) for _, other in labels):
            labels.append((text, box))
    return labels


class _Near:
    """Boxes filed by where they lie across (in strips), to find those near another box
    without going through all of them (a map may have hundreds of faces and labels)."""

    STRIP = 120.0

    def __init__(self) -> None:
        self._strips: dict[int, list[tuple[QRectF, object]]] = {}

    def _span(self, box: QRectF) -> range:
        return range(math.floor(box.left() / self.STRIP), math.floor(box.right() / self.STRIP) + 1)

    def add(self, box: QRectF, thing: object = None) -> None:
        entry = (box, thing)
        for strip in self._span(box):
            self._strips.setdefault(strip, []).append(entry)

    def meeting(self, box: QRectF) -> list[tuple[QRectF, object]]:
        """The boxes (with their things) that ``box`` intersects, each once."""
        found: dict[int, tuple[QRectF, object]] = {}
        for strip in self._span(box):
            for entry in self._strips.get(strip, ()):
                if box.intersects(entry[0]):
                    found[id(entry)] = entry
        return list(found.values())


class LabelPlaces:
    """Where the labels of a scene's emotion points go, for each text size: worked out once a
    size after each layout (:meth:`reset`), so a label grown at Fit avoids what it would hide.

    A label takes the first of its spots (:func:`label_spots`) that hides nothing; else the
    one that hides least: leaving the emotions band (where the lane's edge or a page's cut it)
    weighs most, then another face or label, then a curve or the axis's labels.
    """

    def __init__(self) -> None:
        self._faces: list[EmotionPointItem] = []
        self._face_boxes = _Near()
        self._curves = _Near()  # the curves' strokes, in short pieces (scene coordinates)
        self._area = QRectF()
        self._axis: Callable[[float], list[QRectF]] = lambda _pixels: []
        self._places: dict[tuple[float, float], dict[str, QRectF]] = {}

    def reset(self, faces: list[EmotionPointItem], curves: list[EmotionCurveItem],
              area: QRectF, axis: Callable[[float], list[QRectF]]) -> None:
        """Follow a new layout: the shown ``faces`` and ``curves``, the ``area`` labels stay
        in (the emotions band), the boxes of the axis's labels at a size (``axis``)."""
        self._faces = sorted((face for face in faces if face.isVisible()),
                             key=lambda f: (f.pos().x(), f.pos().y()))
        self._face_boxes = _Near()
        for face in self._faces:
            self._face_boxes.add(_face_rect(face), face)
        self._curves = _Near()
        stroker = QPainterPathStroker()
        stroker.setWidth(5)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        for curve in curves:
            if not curve.isVisible():
                continue
            for polygon in curve.curve_path().toSubpathPolygons(curve.sceneTransform()):
                points = list(polygon)
                for start in range(0, len(points) - 1, 6):  # pieces: a box meets a few only
                    piece = QPainterPath(points[start])
                    for point in points[start + 1:start + 7]:
                        piece.lineTo(point)
                    stroke = stroker.createStroke(piece)
                    self._curves.add(stroke.boundingRect(), stroke)
        self._area = QRectF(area)
        self._axis = axis
        self._places.clear()  # each size is worked out when first painted

    def spot(self, item: EmotionPointItem, pixels: float, axis_pixels: float) -> QRectF:
        """The box of ``item``'s label (item coordinates), its text ``pixels`` high while the
        axis's labels are ``axis_pixels`` high."""
        spot = self.places(pixels, axis_pixels).get(item.point.id)
        if spot is None:  # not placed (hidden, or a label newer than the layout)
            return label_spots(*label_size(item.point.label, pixels), item.RADIUS)[0]
        return QRectF(spot)

    def places(self, pixels: float, axis_pixels: float) -> dict[str, QRectF]:
        """Every label's box (point id -> item coordinates) at these sizes."""
        key = (pixels, axis_pixels)
        places = self._places.get(key)
        if places is not None:
            return places
        places = self._places[key] = {}
        axis = self._axis(axis_pixels)
        taken = _Near()
        for face in self._faces:
            if not face.point.label:
                continue
            pos, bounds = face.pos(), face.boundingRect()
            best: tuple[float, QRectF, QRectF] | None = None
            for index, spot in enumerate(label_spots(*label_size(face.point.label, pixels),
                                                     face.RADIUS)):
                if not bounds.contains(spot):
                    continue
                box = spot.translated(pos)
                cost = self._cost(box, face, taken, axis) + index / 100
                if best is None or cost < best[0]:
                    best = (cost, spot, box)
                if cost < 1:
                    break  # hides nothing
            if best is not None:
                places[face.point.id] = best[1]
                taken.add(best[2])
        return places

    def _cost(self, box: QRectF, face: EmotionPointItem, labels: _Near,
              axis: list[QRectF]) -> float:
        area = self._area
        cost = 0.0
        if not area.contains(box):
            outside = max(area.top() - box.top(), box.bottom() - area.bottom(),
                          area.left() - box.left(), box.right() - area.right(), 0.0)
            cost += 1000 + outside
        cost += 100 * sum(1 for _box, other in self._face_boxes.meeting(box) if other is not face)
        cost += 100 * len(labels.meeting(box))
        cost += 10 * sum(1 for _box, stroke in self._curves.meeting(box)
                         if stroke.intersects(box))  # type: ignore[attr-defined]
        return cost + 10 * sum(box.intersects(other) for other in axis)


def _face_rect(face: EmotionPointItem) -> QRectF:
    r = face.RADIUS + 1
    return QRectF(face.pos().x() - r, face.pos().y() - r, 2 * r, 2 * r)


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

    @property
    def item_id(self) -> str:
        return self.point.id

    def accessible_name(self) -> str:
        label = f" ({self.point.label})" if self.point.label else ""
        return f"emotion point: score {self.point.score:g}{label}"

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        r = self.RADIUS + 3  # room for a label up to 3 times its size (semantic zoom)
        return QRectF(-LABEL_ROOM_W / 2, -r - LABEL_ROOM_H, LABEL_ROOM_W, 2 * r + 2 * LABEL_ROOM_H)

    def label_box(self, scale: float = 1.0, minimum: float = 0.0) -> QRectF:
        """Where the label goes (item coordinates) when painted at ``scale`` with text at
        least ``minimum`` px on screen (the scene's :class:`LabelPlaces` chose it)."""
        pixels = grown_px(LABEL_PX, scale, minimum)
        places = getattr(self.scene(), "emotion_labels", None)
        if places is None:
            return label_spots(*label_size(self.point.label, pixels), self.RADIUS)[0]
        return places.spot(self, pixels, grown_px(AXIS_PX, scale, minimum))

    def label_rect(self) -> QRectF:
        """Where the label goes as laid out (exports, the inline editor), item coordinates."""
        return self.label_box()

    @property
    def label_above(self) -> bool:
        """Whether the label, as laid out, is above the face (it would hide something under
        it, or leave the lane there)."""
        return self.label_rect().center().y() < 0

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
            scale = screen_scale(painter)
            minimum = getattr(self.scene(), "min_text_px", 0.0)
            box = self.label_box(scale, minimum)
            font = label_font(grown_px(LABEL_PX, scale, minimum))
            back = QColor(theme.background)
            back.setAlpha(215)  # the curves behind stay visible, the word stays readable
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(back)
            painter.drawRoundedRect(box, 4, 4)
            painter.setFont(font)
            painter.setPen(theme.text)
            text = _metrics(font).elidedText(self.point.label, Qt.TextElideMode.ElideRight,
                                             box.width() - 6)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)


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
