"""Scene items: thin views that paint one domain object each and report the user's intent.

Items never change the model: they read the domain object they show and leave every edit to the
scene's interactions, which build commands.  Geometry comes from the layout (``set_rect``).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from journeydesk.domain.model import Card, Lane, LaneType, Stage, Step
from journeydesk.gui.canvas.card_marks import evidence_pen
from journeydesk.gui.canvas.emotion_items import (  # noqa: F401 - the emotion items live there
    EmotionCurveItem,
    EmotionPointItem,
    face_smile,
    smooth_path,
)
from journeydesk.gui.canvas.layout import (
    BADGE_ROW_H,
    BADGED,
    PICTURE_INSET,
    THUMB_ROW_H,
    caption_shown,
    picture_height,
)
from journeydesk.gui.canvas.overlay import OVERLAY_HEADER_EXTRA, StageOverlay, header_texts
from journeydesk.gui.canvas.pictures import display_image
from journeydesk.gui.canvas.retention_line import HeaderRetention, paint_retention
from journeydesk.gui.canvas.text import (
    COMPACT_INSET,
    COUNT_ROOM,
    TEXT_INSETS,
    compact,
    compact_lines,
    draw_line,
    draw_name,
    draw_text,
    full_text,
    readable_px,
    screen_scale,
)
from journeydesk.gui.canvas.theme import (
    LANE_TYPE_LABELS,
    card_accent,
    card_tint,
    header_font,
    make_pen,
    scene_font,
)

if TYPE_CHECKING:
    from journeydesk.gui.canvas.scene import MapScene

PRIORITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}
# text sizes in scene units (points * 96 / 72), for semantic zoom
NAME_PX, STEP_PX, LANE_PX, SMALL_PX = 12.5 * 4 / 3, 10 * 4 / 3, 11 * 4 / 3, 8.5 * 4 / 3


class _ViewItem(QGraphicsRectItem):
    """Common base: a rectangle set by the layout, and an accessible name.

    A rect item so that Qt answers ``boundingRect`` and ``shape`` in C++: Qt asks for them
    several times for every item it moves or paints, and a Python override made moving the
    cards below a grown lane cost more than laying them out.  The pen is never painted
    (``paint`` is ours); its width makes the bounds 3 units wider than the rect all round,
    room for the selection outline and antialiasing.
    """

    kind = "item"
    z_level = 0.0  # where it stacks; a drag lifts it, being placed puts it back
    _BOUNDS_PEN = QPen(QColor(0, 0, 0, 0), 6.0)
    _cached = False  # whether the item keeps its pixels (set with its cache mode)

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self.setPen(self._BOUNDS_PEN)
        self.setZValue(self.z_level)

    def map_scene(self) -> MapScene:
        return self.scene()  # type: ignore[return-value]

    def set_rect(self, rect: QRectF) -> None:
        """Place the item: position at the rect's corner, local geometry from (0, 0)."""
        if self.zValue() != self.z_level:  # lifted by a drag
            self.setZValue(self.z_level)
        local = QRectF(0, 0, rect.width(), rect.height())
        if local != self._rect:
            self._rect = local
            self.setRect(local)  # repaints the item
        x, y = rect.x(), rect.y()
        old = self.pos()
        if x != old.x() or y != old.y():
            self.setPos(x, y)
            if self._cached and not ((x - old.x()).is_integer() and (y - old.y()).is_integer()):
                # A cached picture moved by a fraction of a pixel would show off by that
                # fraction: paint it afresh (when it is next seen).  The layout keeps cards
                # on whole units, so at 100 % a moved card keeps its picture.
                self.update()

    def accessible_name(self) -> str:
        """What a screen reader says for this item."""
        return self.kind


def selection_shown(item: _ViewItem) -> bool:
    """Whether ``item`` paints its selection outline: it is selected and its scene shows
    edit affordances (not in Present, nor in an export, which a room or a reader sees)."""
    return item.isSelected() and bool(getattr(item.scene(), "affordances", True))


# --------------------------------------------------------------------------- cards
class CardItem(_ViewItem):
    """A card in a cell; its look follows its lane's type."""

    kind = "card"
    z_level = 10.0

    def __init__(self, card: Card):
        super().__init__()
        self.card = card
        self.lane_type = LaneType.ACTIONS
        self.highlighted = False
        self.count: int | None = None  # event count while the data overlay is on
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        # Cards are the bulk of every repaint: keep each one's pixels until it changes or the
        # zoom does (device-coordinate caching re-renders at the new scale, so text stays crisp).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._cached = True

    @property
    def item_id(self) -> str:
        return self.card.id

    def accessible_name(self) -> str:
        lane = LANE_TYPE_LABELS[self.lane_type].lower()
        extra = f", severity {self.card.severity}" if self.card.severity else ""
        if self.card.picture is not None:
            extra += ", with a picture"
        return f"{lane} card: {self.card.text or '(empty)'}{extra}"

    def refresh(self, lane_type: LaneType) -> None:
        """Repaint after the card or its lane changed."""
        self.lane_type = lane_type
        self.setToolTip(self.card.text)
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.map_scene().theme
        look = theme.look(self.lane_type)
        rect = self._rect
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(look.fill)
        accent = QColor(look.accent)
        if self.lane_type is LaneType.PAIN_POINTS and self.card.severity:
            fill = _severity_fill(look.fill, look.accent, self.card.severity)
        if self.card.colour:  # the card's own colour: a soft fill (text stays readable)
            fill = card_tint(theme, self.card.colour)
            accent = card_accent(theme, self.card.colour)
        selected = selection_shown(self)
        border = theme.selection if selected else theme.card_border
        if self.highlighted:
            border = theme.find_highlight
        emphasised = selected or self.highlighted
        painter.setPen(evidence_pen(QPen(border, 2.2 if emphasised else 1.0), self.card,
                                    emphasised))
        painter.setBrush(fill)
        storyboard = self.lane_type is LaneType.STORYBOARD
        if self.lane_type is LaneType.THOUGHTS:
            painter.drawPath(_bubble_path(rect))
        elif self.lane_type is LaneType.NOTES:
            painter.drawPath(_note_path(rect))
        elif storyboard:  # a print with a border: the picture is the card's colour
            painter.drawRoundedRect(rect, 6, 6)
        else:
            painter.drawRoundedRect(rect, 6, 6)
            # accent strip on the left edge
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            painter.drawPath(_accent_strip(rect.width(), rect.height()))

        left, top, right, bottom = TEXT_INSETS
        if storyboard:  # the picture on top; the text below it is the caption
            frame = QRectF(PICTURE_INSET, PICTURE_INSET, rect.width() - 2 * PICTURE_INSET,
                           picture_height(self.card))
            paint_picture(painter, frame, self.card.picture, theme, accent)
            rect = rect.adjusted(0, frame.bottom(), 0, 0)
        text_rect = rect.adjusted(left, top, -right, -bottom)
        if storyboard and not caption_shown(self.card):  # only the badge rows, if any
            text_rect = QRectF(text_rect.left(), rect.top(), text_rect.width(), 0.0)
        thumbnail = self.card.picture is not None and not storyboard
        if thumbnail:
            text_rect.setBottom(text_rect.bottom() - THUMB_ROW_H)
        minimum = self.map_scene().min_text_px
        if self.count is not None:  # the data overlay: how often the card's events happened
            width = _pill_width(painter, self.count)
            _pill(painter, QPointF(rect.right() - width - 5, rect.top() + 5), 16,
                  f"{self.count:,}", QColor("#2f3b52"))
            if self.card.events:  # the layout measured the text beside the pill's room
                text_rect.setRight(text_rect.right() - COUNT_ROOM)
        badges = self.lane_type in BADGED and bool(
            self.card.severity or self.card.priority or self.card.channel)
        if not (storyboard and not caption_shown(self.card)):
            if badges:
                text_rect.setBottom(text_rect.bottom() - BADGE_ROW_H)
            if self.card.tags:
                text_rect.setBottom(text_rect.bottom() - BADGE_ROW_H)
        painter.setPen(theme.text if self.card.text else theme.muted_text)
        if storyboard and not caption_shown(self.card):
            pass  # a picture without a caption
        elif not full_text(screen_scale(painter), minimum):
            # zoomed out: larger text; the badge rows stay while a line of it fits beside
            # them, else the text alone fills the card
            above = text_rect.adjusted(0, 0, 0, COMPACT_INSET - bottom)  # clear of the badges
            if not compact_lines(painter, above, minimum):
                room = COUNT_ROOM if self.count is not None else 0.0
                draw_text(painter, rect.adjusted(left, top, -right - room, -bottom),
                          self.card.text or "Empty card", minimum=minimum)
                return
            draw_text(painter, above, self.card.text or "Empty card", minimum=minimum)
        else:
            draw_text(painter, text_rect, self.card.text or "Empty card")
        y = text_rect.bottom() + 3
        if thumbnail:
            self._paint_thumbnail(painter, QRectF(text_rect.left(), y, text_rect.width(),
                                                  THUMB_ROW_H - 6), theme)
            y += THUMB_ROW_H
        if badges:
            self._paint_badges(painter, QRectF(text_rect.left(), y, text_rect.width(),
                                               BADGE_ROW_H - 3), accent)
            y += BADGE_ROW_H
        if self.card.tags:
            painter.setFont(_small_font())
            painter.setPen(theme.muted_text)
            painter.drawText(QRectF(text_rect.left(), y, text_rect.width(), BADGE_ROW_H - 3),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             "  ".join(f"#{t}" for t in self.card.tags))

    def _paint_thumbnail(self, painter: QPainter, row: QRectF, theme) -> None:  # noqa: ANN001
        """A card's picture in a lane that is no storyboard: a small copy and the word."""
        box = QRectF(row.left(), row.top(), row.height() * 4 / 3, row.height())
        shown = paint_picture(painter, box, self.card.picture, theme, theme.muted_text,
                              radius=3.0)
        painter.setFont(_small_font())
        painter.setPen(theme.muted_text)
        painter.drawText(QRectF(shown.right() + 6, row.top(), row.width(), row.height()),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         "Picture")

    def _paint_badges(self, painter: QPainter, row: QRectF, accent: QColor) -> None:
        painter.setFont(_small_font(bold=True))
        x = row.left()
        if self.lane_type is LaneType.PAIN_POINTS and self.card.severity:
            for level in range(1, 6):
                painter.setPen(Qt.PenStyle.NoPen)
                colour = QColor(accent) if level <= self.card.severity else QColor(accent.red(),
                                                                                  accent.green(),
                                                                                  accent.blue(), 50)
                painter.setBrush(colour)
                painter.drawRoundedRect(QRectF(x, row.center().y() - 4, 12, 8), 2, 2)
                x += 15
            painter.setPen(accent)
            painter.drawText(QRectF(x + 4, row.top(), 100, row.height()),
                             int(Qt.AlignmentFlag.AlignVCenter), f"Severity {self.card.severity}")
        if self.lane_type is LaneType.OPPORTUNITIES and self.card.priority:
            label = f"{PRIORITY_LABELS.get(self.card.priority, self.card.priority)} priority"
            _pill(painter, QPointF(x, row.top()), row.height(), label, accent)
        if self.lane_type is LaneType.TOUCHPOINTS and self.card.channel:
            _channel_icon(painter, QRectF(x, row.top() + 1, row.height() - 2,
                                          row.height() - 2), self.card.channel, accent)
            painter.setPen(accent)
            painter.drawText(QRectF(x + row.height() + 4, row.top(), row.width() - 30,
                                    row.height()),
                             int(Qt.AlignmentFlag.AlignVCenter), self.card.channel)


def paint_picture(painter: QPainter, frame: QRectF, picture: bytes | None, theme,  # noqa: ANN001
                  accent: QColor, *, radius: float = 4.0) -> QRectF:
    """A card's picture fitted into ``frame`` (aspect kept, centred), clipped to rounded
    corners; an empty dashed frame saying how to add one when there is none, a crossed one
    for a picture that does not decode.  Returns where the picture went."""
    painter.save()
    image = display_image(picture) if picture is not None else None
    if image is not None and not image.isNull():
        size = image.size().scaled(frame.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        shown = QRectF(frame.left() + (frame.width() - size.width()) / 2,
                       frame.top() + (frame.height() - size.height()) / 2,
                       size.width(), size.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.background)  # the bars beside a picture of another shape
        painter.drawRoundedRect(frame, radius, radius)
        painter.setClipPath(_rounded(frame, radius), Qt.ClipOperation.IntersectClip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(shown, image)
        painter.restore()
        return shown
    muted = QColor(theme.muted_text)
    painter.setPen(QPen(muted, 1.2, Qt.PenStyle.DashLine))
    painter.setBrush(theme.background)
    painter.drawRoundedRect(frame.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
    if frame.height() >= 60:  # a storyboard's empty frame: a mountain and a sun, and a hint
        c = frame.center()
        painter.setPen(QPen(accent, 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        icon = QRectF(c.x() - 18, c.y() - 26, 36, 26)
        painter.drawRoundedRect(icon, 3, 3)
        painter.drawPolyline([QPointF(icon.left() + 4, icon.bottom() - 4),
                              QPointF(icon.left() + 14, icon.top() + 10),
                              QPointF(icon.left() + 21, icon.bottom() - 9),
                              QPointF(icon.left() + 25, icon.bottom() - 13),
                              QPointF(icon.right() - 4, icon.bottom() - 4)])
        painter.drawEllipse(QPointF(icon.right() - 8, icon.top() + 7), 3, 3)
        painter.setPen(muted)
        painter.setFont(_small_font())
        hint = "Picture could not be read" if picture is not None else \
            "Drop or paste a picture"
        painter.drawText(QRectF(frame.left() + 4, c.y() + 6, frame.width() - 8, 20),
                         int(Qt.AlignmentFlag.AlignCenter), hint)
    elif picture is not None:  # a thumbnail that does not decode: crossed out
        painter.drawLine(frame.topLeft(), frame.bottomRight())
        painter.drawLine(frame.topRight(), frame.bottomLeft())
    painter.restore()
    return frame


@cache
def _small_font(bold: bool = False) -> QFont:
    return scene_font(8.5, bold=bold)


@cache
def _accent_strip(width: float, height: float) -> QPainterPath:
    """The coloured left edge of a card, clipped to its rounded corners (cached per size)."""
    strip = QPainterPath()
    strip.addRoundedRect(QRectF(0, 0, 8, height), 4, 4)
    return strip.intersected(_rounded(QRectF(0, 0, width, height), 6))


def _rounded(rect: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


def _severity_fill(base: QColor, accent: QColor, severity: int) -> QColor:
    """Pain points get redder with severity (1 = the lane's pale fill, 5 = clearly red)."""
    t = (severity - 1) / 4 * 0.28
    return QColor(round(base.red() + (accent.red() - base.red()) * t),
                  round(base.green() + (accent.green() - base.green()) * t),
                  round(base.blue() + (accent.blue() - base.blue()) * t))


def _bubble_path(rect: QRectF) -> QPainterPath:
    body = rect.adjusted(0, 0, 0, -8)
    path = QPainterPath()
    path.addRoundedRect(body, 14, 14)
    tail = QPainterPath()
    tail.moveTo(body.left() + 18, body.bottom() - 1)
    tail.lineTo(body.left() + 12, rect.bottom())
    tail.lineTo(body.left() + 30, body.bottom() - 1)
    tail.closeSubpath()
    return path.united(tail)


def _note_path(rect: QRectF) -> QPainterPath:
    fold = 12.0
    path = QPainterPath()
    path.moveTo(rect.topLeft())
    path.lineTo(rect.right() - fold, rect.top())
    path.lineTo(rect.right(), rect.top() + fold)
    path.lineTo(rect.bottomRight())
    path.lineTo(rect.bottomLeft())
    path.closeSubpath()
    return path


def _pill_width(painter: QPainter, count: int) -> float:
    painter.setFont(_small_font(bold=True))
    return painter.fontMetrics().horizontalAdvance(f"{count:,}") + 14


def _pill(painter: QPainter, at: QPointF, height: float, label: str, colour: QColor) -> None:
    width = painter.fontMetrics().horizontalAdvance(label) + 14
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(at.x(), at.y(), width, height), height / 2, height / 2)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRectF(at.x(), at.y(), width, height), int(Qt.AlignmentFlag.AlignCenter),
                     label)


def _channel_icon(painter: QPainter, box: QRectF, channel: str, colour: QColor) -> None:
    """A small line icon for common channels (drawn, so no icon font is needed)."""
    painter.save()
    painter.setPen(QPen(colour, 1.4))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    name = channel.lower()
    b = box.adjusted(1, 2, -1, -2)
    if any(w in name for w in ("mail", "newsletter")):
        painter.drawRect(b)
        painter.drawPolyline([b.topLeft(), QPointF(b.center().x(), b.center().y() + 1),
                              b.topRight()])
    elif any(w in name for w in ("phone", "call", "mobile", "app", "sms")):
        phone = QRectF(b.center().x() - b.height() * 0.3, box.top(), b.height() * 0.6,
                       box.height())
        painter.drawRoundedRect(phone, 2, 2)
        painter.drawPoint(QPointF(phone.center().x(), phone.bottom() - 2.5))
    elif any(w in name for w in ("store", "shop", "branch", "office")):
        painter.drawPolyline([QPointF(b.left(), b.center().y()), QPointF(b.center().x(), b.top()),
                              QPointF(b.right(), b.center().y())])
        painter.drawRect(QRectF(b.left() + 2, b.center().y(), b.width() - 4, b.height() / 2))
    elif any(w in name for w in ("social", "chat", "message")):
        painter.drawRoundedRect(b.adjusted(0, 0, 0, -2), 3, 3)
        painter.drawLine(QPointF(b.left() + 3, b.bottom() - 2), QPointF(b.left() + 2, b.bottom()))
    else:  # web and anything else: a globe
        side = min(b.width(), b.height())
        circle = QRectF(b.center().x() - side / 2, b.center().y() - side / 2, side, side)
        painter.drawEllipse(circle)
        painter.drawEllipse(circle.adjusted(side * 0.3, 0, -side * 0.3, 0))
        painter.drawLine(QPointF(circle.left(), circle.center().y()),
                         QPointF(circle.right(), circle.center().y()))
    painter.restore()


# --------------------------------------------------------------------------- headers
class _HeaderItem(_ViewItem):
    """Stage, step and lane headers: selectable, focusable, above the cells."""

    z_level = 5.0

    def __init__(self, draggable: bool = True) -> None:
        super().__init__()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        if draggable:
            self.setCursor(Qt.CursorShape.OpenHandCursor)


class StageHeaderItem(_HeaderItem):
    """The header of a stage, spanning its steps."""

    kind = "stage"

    def __init__(self, stage: Stage):
        super().__init__()
        self.stage = stage
        self.numbers: StageOverlay | None = None  # set while the data overlay is on
        self.largest_drop = False
        self.since = ""  # "since 2026-08-01" while compared with a snapshot
        self.retention: HeaderRetention | None = None  # the map's retention figure, if here

    @property
    def item_id(self) -> str:
        return self.stage.id

    def accessible_name(self) -> str:
        name = f"stage: {self.stage.name}"
        if self.numbers is not None and self.numbers.users is not None:
            texts = header_texts(self.numbers, self.largest_drop, self.since)
            spoken = [texts.users, *(slot[0] for slot in (texts.flow, texts.timing,
                                                          texts.share, texts.change) if slot)]
            if texts.badge:
                spoken.append(texts.badge.lower())
            name += ", " + ", ".join(spoken)
        if self.retention is not None:
            name += f", {self.retention.spoken()}"
        return name

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.map_scene().theme
        r = self._rect.adjusted(2, 4, -2, -4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.selection, 2.5) if selection_shown(self) else Qt.PenStyle.NoPen)
        painter.setBrush(theme.header_fill)
        painter.drawRoundedRect(r, 6, 6)
        data_band = 0.0
        minimum = self.map_scene().min_text_px
        if self.retention is not None:  # the bottom line, under the overlay's band
            r = paint_retention(painter, r, self.retention, theme.header_text, minimum)
        small = compact(painter, SMALL_PX, minimum)
        if self.numbers is not None:
            data_band = OVERLAY_HEADER_EXTRA
            band = QRectF(r.left(), r.bottom() - data_band + 4, r.width(), data_band - 4)
            if small:
                self._paint_numbers_compact(painter, band, theme, minimum)
            else:
                self._paint_numbers(painter, band, theme)
            r = r.adjusted(0, 0, 0, -data_band)
        painter.setPen(theme.header_text)
        if compact(painter, NAME_PX, minimum):  # zoomed out: the name alone, readable
            draw_name(painter, r.adjusted(10, 2, -10, -2), self.stage.name, base_px=NAME_PX,
                      minimum=minimum)
            return
        painter.setFont(header_font(12.5))
        name_rect = r.adjusted(12, 4, -12, -18 if self.stage.description else -4)
        painter.drawText(name_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         painter.fontMetrics().elidedText(self.stage.name,
                                                          Qt.TextElideMode.ElideRight,
                                                          int(name_rect.width())))
        if self.stage.description:
            painter.setFont(_small_font())
            painter.setPen(QColor(theme.header_text.red(), theme.header_text.green(),
                                  theme.header_text.blue(), 190))
            desc_rect = QRectF(r.left() + 12, r.bottom() - 20, r.width() - 24, 16)
            painter.drawText(desc_rect, int(Qt.AlignmentFlag.AlignLeft),
                             painter.fontMetrics().elidedText(self.stage.description,
                                                              Qt.TextElideMode.ElideRight,
                                                              int(desc_rect.width())))


    def _paint_numbers_compact(self, painter: QPainter, band: QRectF, theme,  # noqa: ANN001
                               minimum: float) -> None:
        """The numbers zoomed out: users, then the conversion (one line each while they fit,
        else together), as large as ``minimum`` asks, and the funnel bar."""
        numbers = self.numbers
        assert numbers is not None
        inner = band.adjusted(10, 0, -10, -10)
        painter.setPen(theme.header_text)
        if numbers.users is None:
            draw_line(painter, inner, ("No events bound", "No events", "–"), base_px=SMALL_PX,
                      minimum=minimum)
            return
        texts = header_texts(numbers, self.largest_drop, self.since)
        rate = texts.flow[-1] if texts.flow else ""
        size = readable_px(SMALL_PX, screen_scale(painter), minimum)
        if 2 * size * 1.2 <= inner.height():
            half = inner.height() / 2
            draw_line(painter, QRectF(inner.left(), inner.top(), inner.width(), half),
                      (texts.users, f"{numbers.users:,}"), base_px=SMALL_PX, minimum=minimum,
                      bold=True)
            if rate:
                painter.setPen(QColor("#ffb4ae") if self.largest_drop else theme.header_text)
                draw_line(painter, QRectF(inner.left(), inner.top() + half, inner.width(),
                                          half), texts.flow, base_px=SMALL_PX,
                          minimum=minimum, bold=self.largest_drop)
        else:
            both = f"{numbers.users:,} · {rate}" if rate and rate != "–" else f"{numbers.users:,}"
            draw_line(painter, inner, (both, f"{numbers.users:,}"), base_px=SMALL_PX,
                      minimum=minimum, bold=True)
        bar = QRectF(inner.left(), band.bottom() - 8, inner.width(), 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 90))
        painter.drawRoundedRect(bar, 3, 3)
        fraction = max(0.0, min(1.0, numbers.share_of_first or 0.0))
        painter.setBrush(ALERT_BRIGHT if self.largest_drop else QColor("#5cc46f"))
        painter.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * fraction, 6), 3, 3)

    def _paint_numbers(self, painter: QPainter, band: QRectF, theme) -> None:  # noqa: ANN001
        """Users; conversion and people dropped; median time; share of the first stage with
        its funnel bar; the change since a snapshot.  Every number keeps a label while there
        is room, and the largest drop-off is a red pill, so no number is cut off for it."""
        numbers = self.numbers
        assert numbers is not None
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 30))
        painter.drawRoundedRect(band.adjusted(6, 0, -6, -4), 5, 5)
        inner = band.adjusted(14, 4, -14, -8)
        left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if numbers.users is None:
            painter.setFont(_small_font())
            painter.setPen(theme.header_text)
            painter.drawText(inner, left, "No events bound to this stage")
            return
        texts = header_texts(numbers, self.largest_drop, self.since)
        row1 = QRectF(inner.left(), inner.top(), inner.width(), 22)
        row2 = QRectF(inner.left(), inner.top() + 23, inner.width(), 16)
        row3 = QRectF(inner.left(), inner.top() + 39, inner.width(), 16)
        painter.setFont(header_font(15))
        painter.setPen(theme.header_text)
        users_width = painter.fontMetrics().horizontalAdvance(texts.users)
        painter.drawText(row1, left, texts.users)
        room = row1.adjusted(users_width + 8, 0, 0, 0)
        change, share = texts.change, texts.share
        if texts.badge:
            painter.setFont(_small_font(bold=True))
            badge = _fit(painter, (texts.badge, "Largest drop", "▼"), room.width() - 12)
            if badge:
                width = painter.fontMetrics().horizontalAdvance(badge) + 12
                pill = QRectF(room.right() - width, room.center().y() - 9, width, 18)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(ALERT)
                painter.drawRoundedRect(pill, 9, 9)
                painter.setPen(QColor("white"))
                painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), badge)
        elif change:  # the pill's place is free: the change goes up there
            painter.setFont(_small_font(bold=True))
            painter.setPen(_change_colour(numbers.users_change))
            painter.drawText(room, right, _fit(painter, change, room.width()))
            change = ()
        painter.setFont(_small_font(bold=self.largest_drop))
        painter.setPen(QColor("#ffb4ae") if self.largest_drop else theme.header_text)
        painter.drawText(row2, left, _fit(painter, texts.flow, row2.width(), elide=True))
        painter.setFont(_small_font())
        corner = change or share
        corner_text = _fit(painter, corner, row3.width() * 0.5) if corner else ""
        corner_width = painter.fontMetrics().horizontalAdvance(corner_text)
        if texts.timing:
            painter.setPen(theme.header_text)
            painter.drawText(row3, left, _fit(painter, texts.timing,
                                              row3.width() - corner_width - 8, elide=True))
        if corner_text:
            if change:
                painter.setFont(_small_font(bold=True))
                painter.setPen(_change_colour(numbers.users_change))
            else:
                painter.setPen(theme.header_text)
            painter.drawText(row3, right, corner_text)
        bar = QRectF(inner.left(), inner.bottom() - 6, inner.width(), 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 90))  # a dark track: the bright fill stands out
        painter.drawRoundedRect(bar, 3, 3)
        fraction = max(0.0, min(1.0, numbers.share_of_first or 0.0))
        painter.setBrush(ALERT_BRIGHT if self.largest_drop else QColor("#5cc46f"))
        painter.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * fraction, 6), 3, 3)


ALERT = QColor("#d93a33")
ALERT_BRIGHT = QColor("#ff6b61")


def _change_colour(change: int | None) -> QColor:
    return QColor("#8fe39c") if (change or 0) >= 0 else QColor("#ffb4ae")


def _fit(painter: QPainter, variants: tuple[str, ...], width: float, *,
         elide: bool = False) -> str:
    """The first of ``variants`` that fits in ``width`` with the painter's font; else the
    last one elided (``elide``) or nothing."""
    metrics = painter.fontMetrics()
    for text in variants:
        if metrics.horizontalAdvance(text) <= width:
            return text
    if elide and variants:
        return metrics.elidedText(variants[-1], Qt.TextElideMode.ElideRight, int(width))
    return ""


class StepHeaderItem(_HeaderItem):
    """The header of one step (column) under its stage's header."""

    kind = "step"

    def __init__(self, step: Step):
        super().__init__()
        self.step = step

    @property
    def item_id(self) -> str:
        return self.step.id

    def accessible_name(self) -> str:
        return f"step: {self.step.name or '(unnamed)'}"

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.map_scene().theme
        r = self._rect.adjusted(2, 0, -2, -3)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.selection, 2) if selection_shown(self) else Qt.PenStyle.NoPen)
        painter.setBrush(theme.step_fill)
        painter.drawRoundedRect(r, 4, 4)
        painter.setPen(theme.text if self.step.name else theme.muted_text)
        minimum = self.map_scene().min_text_px
        if compact(painter, STEP_PX, minimum):
            draw_name(painter, r.adjusted(8, 0, -8, 0), self.step.name or "Unnamed step",
                      base_px=STEP_PX, minimum=minimum, bold=False)
            return
        painter.setFont(header_font(10, bold=False))
        painter.drawText(r.adjusted(10, 0, -10, 0),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         self.step.name or "Unnamed step")


class LaneHeaderItem(_HeaderItem):
    """The header of a lane: its name and type, in the lane type's colour."""

    kind = "lane"

    def __init__(self, lane: Lane):
        super().__init__()
        self.lane = lane
        # emotions lane: (curve owner, name, colour, shown) for each curve
        self.legend: list[tuple[str | None, str, QColor, bool]] = []

    def set_rect(self, rect: QRectF) -> None:
        """Place the header; its legend (a child laid out from the header's size) follows."""
        super().set_rect(rect)
        for child in self.childItems():
            follow = getattr(child, "follow_header", None)  # the emotions legend
            if follow is not None:
                follow()

    @property
    def item_id(self) -> str:
        return self.lane.id

    def accessible_name(self) -> str:
        return f"lane: {self.lane.name} ({LANE_TYPE_LABELS[LaneType(self.lane.type)].lower()})"

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.map_scene().theme
        look = theme.look(self.lane.type)
        r = self._rect.adjusted(4, 2, -4, -2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.selection, 2) if self.isSelected() else Qt.PenStyle.NoPen)
        painter.setBrush(theme.lane_header_fill)
        painter.drawRoundedRect(r, 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(look.accent)
        painter.drawRoundedRect(QRectF(r.left(), r.top(), 5, r.height()), 2, 2)
        painter.setPen(theme.text)
        minimum = self.map_scene().min_text_px
        if compact(painter, LANE_PX, minimum):  # zoomed out: the name, as large as it must be
            room = r.height() - 8 if not self.legend else 30.0  # the legend is below
            draw_name(painter, QRectF(r.left() + 12, r.top() + 4, r.width() - 16, room),
                      self.lane.name, base_px=LANE_PX, minimum=minimum, top=True)
            return
        painter.setFont(header_font(11))
        painter.drawText(QRectF(r.left() + 16, r.top() + 10, r.width() - 24, 40),
                         int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop),
                         self.lane.name)
        type_label = LANE_TYPE_LABELS[LaneType(self.lane.type)]
        if self._shows_type_label():
            painter.setFont(_small_font())
            painter.setPen(look.accent)
            painter.drawText(QRectF(r.left() + 16, r.top() + 50, r.width() - 24, 16),
                             int(Qt.AlignmentFlag.AlignLeft), type_label.upper())
        # The legend's lines are painted by its child item (emotion_legend.py).

    def _shows_type_label(self) -> bool:
        label = LANE_TYPE_LABELS[LaneType(self.lane.type)]
        return label.casefold() != self.lane.name.casefold()

    def legend_rows(self) -> list[tuple[QRectF, str | None]]:
        """(local rect, curve owner) of each legend line (the emotions lane's curves)."""
        r = self._rect.adjusted(4, 2, -4, -2)
        y = r.top() + (74 if self._shows_type_label() else 36)
        rows = []
        for owner, *_rest in self.legend:
            rows.append((QRectF(r.left() + 12, y, r.width() - 16, 18), owner))
            y += 18
        return rows


class DropIndicatorItem(QGraphicsItem):
    """The line that shows where dragged cards, stages or lanes will land."""

    def __init__(self) -> None:
        super().__init__()
        self._length = 0.0
        self._vertical = False
        self.setZValue(100)
        self.hide()

    def show_at(self, x: float, y: float, length: float, *, vertical: bool = False) -> None:
        """Show a line of ``length`` from (x, y), across (default) or down."""
        self.prepareGeometryChange()
        self._length = length
        self._vertical = vertical
        self.setPos(x, y)
        self.show()

    def _end(self) -> QPointF:
        return QPointF(0, self._length) if self._vertical else QPointF(self._length, 0)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(QPointF(0, 0), self._end()).normalized().adjusted(-6, -6, 6, 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colour = self.scene().theme.drop_indicator  # type: ignore[attr-defined]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(make_pen(colour, 3, round_cap=True))
        painter.drawLine(QPointF(0, 0), self._end())
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(QPointF(0, 0), 4, 4)

