"""The canvas views: the main MapView (zoom, pan, rubber band) and its minimap."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPen,
    QPixmapCache,
    QWheelEvent,
)
from PySide6.QtWidgets import QGestureEvent, QGraphicsView, QPinchGesture, QWidget

MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
STEP = 1.2


class MapView(QGraphicsView):
    """The canvas: Ctrl+wheel or pinch zooms, middle-drag or Space+drag pans."""

    zoom_changed = Signal(float)

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

    def fit(self) -> None:
        """Show the whole map."""
        if self.scene() is None:
            return
        rect = self.scene().sceneRect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.0:
            self.set_zoom(1.0)
        elif self.zoom < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
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

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene currently shown."""
        return self.mapToScene(self.viewport().rect()).boundingRect()


class MiniMapView(QGraphicsView):
    """The whole map in small, with the main view's visible area; click or drag to move there.

    It sits in the bottom-right corner of the main view's viewport, at most 240 x 150 and
    about a fifth of the viewport's width, and shows only when wanted (View > Minimap) and
    useful: when the whole map already fits in the view it would only hide cards.
    """

    MAX_SIZE = (240, 150)
    MARGIN = 12

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
