"""Present mode (View > Present, F5): the map alone, full screen, for a room to read.

What presenting changes, and gives back when it ends (F5 or Esc): the window's docks, bars
and state; the minimap; the view's zoom and scroll position; its scroll bars and the "+"
buttons (no edit affordances on a projector); the text size (card text at least 18 px on
screen, numbers and names with it: semantic zoom).  A title band names the map.

The walk-through: Right or PageDown pans smoothly to the next stage and veils the others,
Left or PageUp to the previous one, Home shows the whole map again.  A stage is shown from the
top of the map, as wide as fits with half a column of its neighbours on each side, never
larger than 125 %; the sticky lane headers stay at the left.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEasingCurve, QPointF, Qt, QVariantAnimation
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QDockWidget, QLabel

from journeydesk.gui.canvas.emotion_legend import EmotionLegendItem
from journeydesk.gui.canvas.text import MIN_SCREEN_PX, PRESENT_SCREEN_PX, readable_zoom
from journeydesk.gui.canvas.theme import CARD_MIN_H, COLUMN_W, LANE_HEADER_W

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.main_window import MainWindow

TITLE_H = 56  # the title band's height, px
PAN_MS = 450  # how long the walk-through's pan to a stage takes
MAX_STAGE_ZOOM = 1.25
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Down)
PREVIOUS_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up)


@dataclass
class _Saved:
    """What presenting changed, to give it back."""

    state: Any
    window_state: Any
    minimap: bool
    transform: QTransform
    scroll: tuple[int, int]
    policies: tuple[Any, Any]
    band: bool  # whether the data overlay's band was shown


class Presentation:
    """Present mode of one main window (its view, scene and bars)."""

    def __init__(self, window: MainWindow):
        self.window = window
        self._saved: _Saved | None = None
        self.stage_index: int | None = None  # the walk-through's stage (None: whole map)
        self.title = QLabel(window.view)
        self.title.setObjectName("presentTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)  # the name is escaped: "&" shows
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.title.hide()
        self._animation = QVariantAnimation(window)
        self._animation.setDuration(PAN_MS)
        self._animation.setEasingCurve(QEasingCurve.Type.InOutCubic)
        self._animation.valueChanged.connect(self._animate)
        self._path: tuple[QPointF, float, QPointF, float] | None = None
        window.view.resized.connect(self._place_title)
        # "more below": the map is taller than 18 px text lets the screen show
        self.more = QLabel("More below: scroll, or Right to walk through the stages", window.view)
        self.more.setObjectName("presentMore")
        self.more.setStyleSheet("QLabel#presentMore { color: white; background: "
                                "rgba(47, 59, 82, 210); border-radius: 12px; padding: 5px 14px; "
                                "font-size: 15px; }")
        self.more.hide()
        window.view.verticalScrollBar().valueChanged.connect(self._update_more)
        window.view.verticalScrollBar().rangeChanged.connect(self._update_more)
        self.frame_times: list[float] = []  # seconds between the last pan's frames
        self._last_frame: float | None = None

    @property
    def animating(self) -> bool:
        """Whether a walk-through pan is under way."""
        return self._animation.state() == QVariantAnimation.State.Running

    @property
    def active(self) -> bool:
        """Whether the window presents."""
        return self._saved is not None

    def toggle(self) -> None:
        """Start presenting, or stop."""
        if self._saved is None:
            self.start()
        else:
            self.stop()

    def start(self) -> None:
        """Full screen, the map alone, with its title; text sized for a room."""
        w, view = self.window, self.window.view
        self._saved = _Saved(w.saveState(), w.windowState(), w.minimap.wanted,
                             view.transform(), (view.horizontalScrollBar().value(),
                                                view.verticalScrollBar().value()),
                             (view.horizontalScrollBarPolicy(), view.verticalScrollBarPolicy()),
                             w.data.bar.isVisible())
        for dock in w.findChildren(QDockWidget):
            dock.hide()
        for bar in (w.toolbar, w.menuBar(), w.statusBar()):
            bar.hide()
        w.minimap.set_wanted(False)
        w.data.bar.held_back = True  # its caption goes into the title band
        w.data.bar.hide()
        w.welcome.held_back = True
        w.welcome.refresh()
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.set_min_text_px(PRESENT_SCREEN_PX)
        self._set_affordances(False)
        self._show_title()
        w.showFullScreen()
        w.act_present.setChecked(True)
        self.stage_index = None
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self.whole_map)  # once the window has its full size

    def stop(self) -> None:
        """Give back the window, the view and the text size as they were."""
        saved, self._saved = self._saved, None
        if saved is None:
            return
        w, view = self.window, self.window.view
        self._animation.stop()
        self.stage_index = None
        if w.scene is not None:
            w.scene.set_focus_stage(None)
        w.setWindowState(saved.window_state)
        for bar in (w.menuBar(), w.toolbar, w.statusBar()):
            bar.show()
        w.restoreState(saved.state)
        w.minimap.set_wanted(saved.minimap)
        w.data.bar.held_back = False
        w.welcome.held_back = False
        w.welcome.refresh()
        w.data.bar.setVisible(saved.band or w.data.overlay.shown)
        self.title.hide()
        self.more.hide()
        view.setViewportMargins(0, 0, 0, 0)
        view.setHorizontalScrollBarPolicy(saved.policies[0])
        view.setVerticalScrollBarPolicy(saved.policies[1])
        view.set_min_text_px(MIN_SCREEN_PX)
        self._set_affordances(True)
        view.setTransform(saved.transform)
        view.horizontalScrollBar().setValue(saved.scroll[0])
        view.verticalScrollBar().setValue(saved.scroll[1])
        view.zoom_changed.emit(view.zoom)
        view.pin_headers()
        w.act_present.setChecked(False)

    def numbers_changed(self, *_: object) -> None:
        """The overlay's numbers changed: the title band names what they are."""
        if self.active:
            self._show_title()

    def map_changed(self) -> None:
        """Another map (or none) is on the canvas: its title, no stage emphasised."""
        if self.active:
            self._set_affordances(False)
            self._show_title()
            self.whole_map()

    # ------------------------------------------------------------------ the walk-through
    def key(self, key: int) -> bool:
        """A key pressed on the canvas while presenting: True when the walk-through took it."""
        if not self.active or self.window.scene is None:
            return False
        scene = self.window.scene
        if scene.interactions.editor_item is not None or isinstance(scene.focusItem(),
                                                                    EmotionLegendItem):
            return False  # Esc, arrows and Home belong to the editor or the focused legend
        if key == Qt.Key.Key_Escape:  # not a shortcut: an editor's Esc must stay the editor's
            self.stop()
            return True
        stages = scene.map.stages
        if key in NEXT_KEYS:
            start = -1 if self.stage_index is None else self.stage_index
            self.show_stage(min(start + 1, len(stages) - 1))
            return True
        if key in PREVIOUS_KEYS:
            start = len(stages) if self.stage_index is None else self.stage_index
            self.show_stage(max(start - 1, 0))
            return True
        if key == Qt.Key.Key_Home:
            self.whole_map()
            return True
        return False

    def whole_map(self) -> None:
        """The whole map, no stage emphasised."""
        self._animation.stop()
        self.stage_index = None
        scene = self.window.scene
        if scene is not None:
            scene.set_focus_stage(None)
        self.window.view.fit()  # the whole map, or its top as far as 18 px text allows
        self._update_more()

    def show_stage(self, index: int) -> None:
        """Pan (smoothly) to the ``index``-th stage and veil the others."""
        scene, view = self.window.scene, self.window.view
        if scene is None or not 0 <= index < len(scene.map.stages):
            return
        stage = scene.map.stages[index]
        rect = scene.layout.stage_rects.get(stage.id)
        if rect is None:
            return
        self.stage_index = index
        scene.set_focus_stage(stage.id)
        port = view.viewport().rect()
        lay = scene.layout
        whole = min(port.width() / max(lay.width, 1.0), port.height() / max(lay.height, 1.0))
        # as wide as fits with half a column of the neighbours, every lane in sight
        zoom = min(MAX_STAGE_ZOOM, port.width() / (LANE_HEADER_W + rect.width() + COLUMN_W),
                   port.height() / max(lay.height + 8.0, 1.0))
        zoom = max(zoom, whole, readable_zoom(PRESENT_SCREEN_PX, CARD_MIN_H))
        # the stage in the middle of what the sticky lane headers leave free, from the top
        room = port.width() / zoom - LANE_HEADER_W
        left = rect.left() - LANE_HEADER_W - (room - rect.width()) / 2
        top = min(scene.sceneRect().top(), -4.0)
        centre = QPointF(left + port.width() / zoom / 2, top + port.height() / zoom / 2)
        start = view.mapToScene(port.center())
        self._path = (QPointF(start), view.zoom, centre, zoom)
        self.frame_times = []
        self._last_frame = None
        self._animation.stop()
        self._animation.setStartValue(0.0)
        self._animation.setEndValue(1.0)
        self._animation.start()

    def _animate(self, value: object) -> None:
        import time

        if self._path is None:
            return
        now = time.perf_counter()
        if self._last_frame is not None:
            self.frame_times.append(now - self._last_frame)
        t = float(value)  # type: ignore[arg-type]
        (a, za, b, zb), view = self._path, self.window.view
        zoom = za * (zb / za) ** t  # zoom changes evenly to the eye
        view.setTransform(QTransform.fromScale(zoom, zoom))
        view.centerOn(a + (b - a) * t)
        view.pin_headers()
        view.zoom_changed.emit(view.zoom)
        self._last_frame = time.perf_counter()

    # ------------------------------------------------------------------ pieces
    def _set_affordances(self, shown: bool) -> None:
        scene = self.window.scene
        if scene is not None:
            scene.add_stage_button.setVisible(shown)
            scene.add_lane_button.setVisible(shown)

    def _show_title(self) -> None:
        w = self.window
        view, scene = w.view, w.scene
        theme = scene.theme if scene is not None else None
        name = scene.map.name if scene is not None else ""
        text, background = ("#1f2430", "#ffffff") if theme is None or theme.name == "light" \
            else ("#f2f4f8", "#161a22")
        self.title.setStyleSheet(f"QLabel#presentTitle {{ color: {text}; background: "
                                 f"{background}; font-size: 28px; font-weight: 600; "
                                 f"padding-left: 24px; }}")
        caption = w.data.bar.caption.text() if w.data.overlay.shown else ""
        self.title.setText(f"{html.escape(name)}<span style='font-size: 17px; font-weight: 400;'>"
                           f"&nbsp;&nbsp;&nbsp;{html.escape(caption)}</span>" if caption
                           else html.escape(name))
        view.setViewportMargins(0, TITLE_H, 0, 0)
        self.title.show()
        self._place_title()

    def _place_title(self) -> None:
        """The title band spans the view, whatever its size."""
        if self.title.isVisible():
            self.title.setGeometry(0, 0, self.window.view.width(), TITLE_H)
            self.title.raise_()
        self._update_more()

    def _update_more(self, *_: object) -> None:
        """Show "more below" while presenting and part of the map is below the view."""
        bar, view = self.window.view.verticalScrollBar(), self.window.view
        shown = self.active and bar.value() < bar.maximum()
        self.more.setVisible(shown)
        if shown:
            self.more.adjustSize()
            self.more.move((view.width() - self.more.width()) // 2,
                           view.height() - self.more.height() - 14)
            self.more.raise_()

    def resized(self) -> None:
        """The window changed size: the title band follows, and the whole map refits."""
        if self.active:
            self._place_title()
            if self.stage_index is None:
                self.whole_map()
            else:
                self.show_stage(self.stage_index)
