"""The canvas views: the main MapView (zoom, pan, rubber band) and its minimap."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPixmapCache,
    QRegion,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGestureEvent,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QPinchGesture,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from journeydesk.gui.canvas.sticky import home_pos
from journeydesk.gui.canvas.text import MIN_SCREEN_PX, readable_zoom
from journeydesk.gui.canvas.theme import CARD_MIN_H, LANE_HEADER_W

MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
STEP = 1.2


class MapView(QGraphicsView):
    """The canvas: Ctrl+wheel or pinch zooms, middle-drag or Space+drag pans."""

    zoom_changed = Signal(float)
    resized = Signal()  # the view changed size (Present's title band follows it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mapView")
        self.setAccessibleName("Journey map canvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        # Card items cache their pixels; room for a large map's worth at 100 %.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 64 * 1024))
        self._space_down = False
        self._pan_from: QPointF | None = None
        # keys taken before the scene's (Present's walk-through): True when taken
        self.key_hook: Callable[[int], bool] | None = None
        self.min_text_px = MIN_SCREEN_PX

    def set_min_text_px(self, pixels: float) -> None:
        """Never show canvas text smaller than ``pixels`` on screen (semantic zoom: zoomed
        out, cards and headers show less text, larger); repaints."""
        self.min_text_px = float(pixels)
        self._apply_min_text()

    def setScene(self, scene: QGraphicsScene | None) -> None:  # noqa: N802 - Qt override
        super().setScene(scene)
        self._apply_min_text()
        self.pin_headers()

    def _apply_min_text(self) -> None:
        scene = self.scene()
        if scene is None or getattr(scene, "min_text_px", None) == self.min_text_px:
            return
        scene.min_text_px = self.min_text_px  # type: ignore[attr-defined]
        for item in scene.items():
            item.update()  # cached pictures are painted afresh

    # -- zoom -------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        """The current scale (1.0 = 100 %)."""
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor_under_mouse: bool = False) -> None:
        """Zoom to ``zoom`` (clamped to 10 %..400 %)."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        if anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        else:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        factor = zoom / self.zoom
        self.scale(factor, factor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.pin_headers()
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        """One step closer."""
        self.set_zoom(self.zoom * STEP)

    def zoom_out(self) -> None:
        """One step further."""
        self.set_zoom(self.zoom / STEP)

    def zoom_reset(self) -> None:
        """100 %."""
        self.set_zoom(1.0)

    def fit(self, readable: bool = True) -> None:
        """Show the whole map, or (``readable``) as much of it as fits with its text readable.

        ``readable``: never below the zoom at which a one-line card's text is
        :attr:`min_text_px` on screen (:func:`~journeydesk.gui.canvas.text.readable_zoom`): a
        map too big for that shows its top left corner, and the sticky headers name what is
        scrolled to.  Without it (Present's whole map) the cards' text is as large as each
        card allows.
        """
        if self.scene() is None:
            return
        rect = self.scene().sceneRect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        floor = max(MIN_ZOOM, readable_zoom(self.min_text_px, CARD_MIN_H) if readable else 0.0)
        if self.zoom > 1.0:
            self.set_zoom(1.0)
        elif self.zoom < floor:
            self.set_zoom(floor)
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())
            self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
        self.pin_headers()
        self.zoom_changed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.set_zoom(self.zoom * STEP ** steps, anchor_under_mouse=True)
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)  # type: ignore[attr-defined]
            if isinstance(event, QGestureEvent) and isinstance(pinch, QPinchGesture):
                self.set_zoom(self.zoom * pinch.scaleFactor(), anchor_under_mouse=True)
                return True
        if (event.type() == QEvent.Type.NativeGesture and isinstance(event, QNativeGestureEvent)
                and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture):
            self.set_zoom(self.zoom * (1 + event.value()), anchor_under_mouse=True)
            return True
        return super().viewportEvent(event)

    # -- pan --------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self.key_hook is not None and self.key_hook(event.key()):
            event.accept()
            return
        editing = self.scene() is not None and self.scene().focusItem() is not None and hasattr(
            self.scene().focusItem(), "committed")
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and not editing:
            self._space_down = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space_down:
            self._space_down = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space_down):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value()
                                                - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            self._pan_from = None
            if self._space_down:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def focusNextPrevChild(self, next_: bool) -> bool:  # noqa: N802 - Qt override
        return False  # Tab and Shift+Tab move between cards, not out of the canvas

    def ensureVisible(self, *args: object) -> None:  # noqa: N802 - Qt's, headers allowed for
        """QGraphicsView.ensureVisible (a rect, an item, or x, y, w, h; then the margins), with
        room for the sticky headers: what it scrolls to is never left under them."""
        if args and isinstance(args[0], QRectF | QGraphicsItem):
            target, margins = args[0], list(args[1:])
            rect = target if isinstance(target, QRectF) else target.sceneBoundingRect()
        else:
            rect, margins = QRectF(*args[:4]), list(args[4:])  # type: ignore[arg-type]
        lay = getattr(self.scene(), "layout", None)
        if lay is not None:
            rect = rect.adjusted(-LANE_HEADER_W, -lay.top, 0.0, 0.0)
        super().ensureVisible(rect, *margins)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        self.pin_headers()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self.pin_headers()
        self.resized.emit()

    def pin_headers(self) -> None:
        """Keep the scene's headers in sight (sticky headers) of what this view shows."""
        scene = self.scene()
        if scene is not None and hasattr(scene, "pin_headers"):
            scene.pin_headers(self.visible_scene_rect())

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene currently shown."""
        return self.mapToScene(self.viewport().rect()).boundingRect()


class MiniMapView(QGraphicsView):
    """The whole map in small, with the main view's visible area; click or drag to move there.

    It sits in the bottom-right corner of the main view's viewport, at most 240 x 150 and
    about a fifth of the viewport's width, and shows only when wanted (View > Minimap) and
    useful: when the whole map already fits in the view it would only hide cards.

    It paints the scene from a picture of its own, drawing the items *without* their pixmap
    caches.  Qt keeps one cached pixmap per item and view, but one "repaint me" mark per item
    for all views together: when two views draw a changed card through the cache, the first
    one to paint takes the mark and the other blits its old pixmap.  The minimap painted
    first, so the canvas went on showing a card's old look (the selection moved with the
    arrow keys, find highlights) until something repainted that card again.  The picture is
    redrawn only where the scene says it changed (``QGraphicsScene.changed``), so panning the
    canvas merely moves the frame drawn over it; a change covering much of it (a relayout, many
    find highlights) is redrawn once the changes pause, so typing and editing stay quick.
    """

    MAX_SIZE = (240, 150)
    MARGIN = 12
    MANY_CHANGES = 512  # more changed rectangles than this at once: redraw the whole picture
    MANY_RECTS = 32  # a stale region of more rectangles than this is redrawn as its bounding box
    LARGE_CHANGE = 0.2  # a redraw of more of the picture than this waits for a pause
    PAUSE_MS = 150

    def __init__(self, main: MapView, parent: QWidget | None = None):
        super().__init__(parent)
        self.main = main
        self.wanted = True
        self.setObjectName("miniMap")
        self.setAccessibleName("Minimap")
        self.setInteractive(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.setFixedSize(*self.MAX_SIZE)
        main.horizontalScrollBar().valueChanged.connect(self._main_moved)
        main.verticalScrollBar().valueChanged.connect(self._main_moved)
        main.zoom_changed.connect(self._main_moved)
        self._main_viewport = main.viewport()
        self._main_viewport.installEventFilter(self)
        self._picture = QPixmap()
        self._picture_key: tuple[object, ...] | None = None  # what the picture was drawn for
        self._stale = QRegion()  # viewport parts of the picture the scene changed since
        self._pause = QTimer(self, singleShot=True, interval=self.PAUSE_MS)
        self._pause.timeout.connect(lambda: self.viewport().update(self._stale))

    def setScene(self, scene: QGraphicsScene | None) -> None:  # noqa: N802 - Qt override
        """Show ``scene`` (None: nothing), following its changes to redraw the picture."""
        old = self.scene()
        if old is not None:
            old.changed.disconnect(self._on_scene_changed)
        super().setScene(scene)
        if scene is not None:
            # While anyone listens to ``changed``, Qt hands every view its updates through that
            # signal too (its compatibility path): the canvas repaints the same areas as before.
            scene.changed.connect(self._on_scene_changed)
        self._picture_key = None
        self.viewport().update()

    def set_wanted(self, wanted: bool) -> None:
        """Show the minimap whenever it is useful (True), or never (False)."""
        self.wanted = wanted
        self.place()

    def useful(self) -> bool:
        """True when part of the map is outside the main view."""
        scene = self.main.scene()
        if scene is None:
            return False
        visible = self.main.visible_scene_rect().adjusted(-1, -1, 1, 1)
        return not visible.contains(scene.itemsBoundingRect())

    def place(self) -> None:
        """Size and move into the main viewport's corner; show or hide as wanted and useful."""
        viewport = self.main.viewport().geometry()
        width = max(100, min(self.MAX_SIZE[0], viewport.width() // 5))
        height = round(width * self.MAX_SIZE[1] / self.MAX_SIZE[0])
        if (width, height) != (self.width(), self.height()):
            self.setFixedSize(width, height)
        self.move(viewport.x() + viewport.width() - width - self.MARGIN,
                  viewport.y() + viewport.height() - height - self.MARGIN)
        self.setVisible(self.wanted and self.useful())
        self.raise_()

    def _main_moved(self, *_args: object) -> None:
        self.place()
        self.viewport().update()

    def eventFilter(self, watched, event: QEvent) -> bool:  # noqa: N802, ANN001 - Qt override
        if event.type() == QEvent.Type.Resize and watched is self._main_viewport:
            self.place()
        return False

    def refit(self) -> None:
        """Fit the whole scene again (after the layout changed)."""
        if self.scene() is not None:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.place()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self.refit()

    def redraw(self) -> None:
        """Draw the whole picture again (the theme changed: colours outside the map too)."""
        self._picture_key = None
        self.viewport().update()

    # -- painting ------------------------------------------------------------------------------
    def _on_scene_changed(self, rects: list[QRectF]) -> None:
        viewport = self.viewport().rect()
        if len(rects) > self.MANY_CHANGES:
            changed = QRegion(viewport)
        else:
            changed = QRegion()
            for rect in rects:  # two pixels more: antialiased edges reach past the rectangle
                changed += self.mapFromScene(rect).boundingRect().adjusted(-2, -2, 2, 2)
        changed &= QRegion(viewport)
        self._stale += changed
        redraw = sum(rect.width() * rect.height() for rect in self._redraw_rects(changed))
        if redraw > self.LARGE_CHANGE * viewport.width() * viewport.height():
            self._pause.start()  # (again): redraw when the changes pause
        self.viewport().update(changed)

    def _redraw_rects(self, region: QRegion) -> list[QRect]:
        # Each is painted with a rectangular clip: a clip region rounds antialiased edges
        # differently, and the picture would no longer match one drawn whole.
        if region.rectCount() > self.MANY_RECTS:
            return [region.boundingRect()]
        return list(region)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        self._update_picture()
        painter = QPainter(self.viewport())
        painter.drawPixmap(0, 0, self._picture)
        if self.scene() is not None:
            painter.setTransform(self.viewportTransform())
            self.drawForeground(painter, self.mapToScene(event.rect()).boundingRect())
        painter.end()

    def _update_picture(self) -> None:
        """Redraw the stale parts of the picture (all of it after a resize, refit or new scene)."""
        viewport = self.viewport()
        ratio = viewport.devicePixelRatioF()
        key = (viewport.size(), ratio, self.viewportTransform(), self.scene() is None)
        if key != self._picture_key:
            self._picture = QPixmap(viewport.size() * ratio)
            self._picture.setDevicePixelRatio(ratio)
            self._picture_key = key
            self._stale = QRegion(viewport.rect())
        elif self._stale.isEmpty() or self._pause.isActive():
            return  # nothing to redraw, or not yet
        stale, self._stale = self._stale, QRegion()
        painter = QPainter(self._picture)
        painter.setRenderHints(self.renderHints())
        for rect in self._redraw_rects(stale):
            self._paint_scene(painter, rect)
        painter.end()

    def _paint_scene(self, painter: QPainter, area: QRect) -> None:
        """Paint the scene under ``area`` (viewport pixels): its background, then each item,
        straight into ``painter`` and never through the items' caches (see the class notes)."""
        painter.save()
        painter.setClipRect(area)
        viewport = self.viewport()
        painter.fillRect(area, viewport.palette().color(viewport.backgroundRole()))
        scene = self.scene()
        if scene is not None:
            view_transform = self.viewportTransform()
            painter.setTransform(view_transform)
            exposed = self.mapToScene(area.adjusted(-1, -1, 1, 1)).boundingRect()
            self.drawBackground(painter, exposed)
            opacity = painter.opacity()
            option = QStyleOptionGraphicsItem()
            # a map this small has no text to read: painted as laid out, never enlarged
            readable, scene.min_text_px = getattr(scene, "min_text_px", 0.0), 0.0
            try:
                for item in scene.items(exposed, Qt.ItemSelectionMode.IntersectsItemBoundingRect,
                                        Qt.SortOrder.AscendingOrder):
                    if (not item.isVisible() or item.effectiveOpacity() <= 0.0
                            or getattr(item, "minimap_skip", False)):
                        continue  # the sticky headers' bands and the Present veil too
                    option.state = _item_state(item)
                    option.exposedRect = item.boundingRect()
                    painter.save()
                    home = home_pos(item, scene)  # a pinned header: at its place in the map
                    placed = item.sceneTransform()
                    if home is not None:
                        placed = QTransform.fromTranslate(home.x(), home.y())
                    painter.setTransform(placed * view_transform)
                    painter.setOpacity(opacity * item.effectiveOpacity())
                    item.paint(painter, option, viewport)
                    painter.restore()
            finally:
                scene.min_text_px = readable
        painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        visible = self.main.visible_scene_rect()
        painter.setPen(QPen(QColor("#2f80ed"), 2 / max(self.transform().m11(), 1e-3)))
        painter.setBrush(QColor(47, 128, 237, 40))
        painter.drawRect(visible)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.main.centerOn(self.mapToScene(event.position().toPoint()))
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.main.centerOn(self.mapToScene(event.position().toPoint()))
            self.viewport().update()


def _item_state(item) -> QStyle.StateFlag:  # noqa: ANN001 - any QGraphicsItem
    """The style state Qt's own views give an item to paint with."""
    state = QStyle.StateFlag.State_None
    if item.isEnabled():
        state |= QStyle.StateFlag.State_Enabled
    if item.isSelected():
        state |= QStyle.StateFlag.State_Selected
    if item.hasFocus():
        state |= QStyle.StateFlag.State_HasFocus
    if item.isUnderMouse():
        state |= QStyle.StateFlag.State_MouseOver
    return state
