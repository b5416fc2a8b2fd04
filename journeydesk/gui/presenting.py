"""Present mode (View > Present, F5): the map alone, full screen, for a room to read.

What presenting changes, and gives back when it ends (F5 or Esc): the window's docks, bars
and state; the minimap; the view's zoom and scroll position; its scroll bars and the "+"
buttons (no edit affordances on a projector); the text size (card text at least 18 px on
screen, numbers and names with it: semantic zoom).  A title band names the map.

The walk-through: Right or PageDown pans smoothly to the next stage and veils the others,
Left or PageUp to the previous one, Home shows the whole map again.  A stage is shown from the
top of the map, at a zoom that paints its cards in full (every line, at least 18 px: no
one-line compact form), larger while the stage with half a column of its neighbours on each
side still fits across, never larger than 160 %; the sticky lane headers stay at the left.  A
stage wider than the screen at that zoom is shown a screenful of steps at a time (Right goes
on to its next steps before the next stage).  Lanes that do not fit below are reached with
Down (the next lane at the top; Up goes back) or the wheel; a "More below" note in the title
band says so, never over the map.

The whole map is shown as large as it fits (up to 160 %): with its text in full when it fits
at that size, else smaller with compact cards, or its top when even that is too small.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEasingCurve, QPointF, QRectF, Qt, QVariantAnimation
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QDockWidget, QLabel

from journeydesk.gui.canvas.emotion_legend import EmotionLegendItem
from journeydesk.gui.canvas.text import MIN_SCREEN_PX, PRESENT_SCREEN_PX, full_text_zoom
from journeydesk.gui.canvas.theme import COLUMN_W, LANE_HEADER_W

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.main_window import MainWindow

TITLE_H = 56  # the title band's height, px
PAN_MS = 450  # how long the walk-through's pan to a stage takes
MAX_PRESENT_ZOOM = 1.6  # neither a stage nor a small map is shown larger
# Right and Left (and a presenter's clicker, which sends PageDown and PageUp) walk the stages;
# Down and Up scroll to the next lane below and back, for a map taller than the screen.
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown)
PREVIOUS_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp)
SCROLL_KEYS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}


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
        self.stage_part = 0  # which screenful of a stage wider than the screen
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
        # "more below": the map is taller than the screen shows; in the title band, at its
        # right, so it never covers the map
        self.more = QLabel(window.view)
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
        # the keys of the walk-through (and Esc) go to the view: the field that had the focus
        # (in the Inspector, say) is hidden now, and keys sent there would do nothing
        view.setFocus(Qt.FocusReason.OtherFocusReason)
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
        if key in NEXT_KEYS or key in PREVIOUS_KEYS:
            self._walk(1 if key in NEXT_KEYS else -1)
            return True
        if key in SCROLL_KEYS:
            self.scroll_lanes(SCROLL_KEYS[key])
            return True
        if key == Qt.Key.Key_Home:
            self.whole_map()
            return True
        return False

    def whole_map(self) -> None:
        """The whole map, no stage emphasised: as large as it fits (up to
        :data:`MAX_PRESENT_ZOOM`), or its top as far as 18 px text allows."""
        self._animation.stop()
        self.stage_index = None
        self.stage_part = 0
        scene, view = self.window.scene, self.window.view
        if scene is not None:
            scene.set_focus_stage(None)
        view.fit()  # at most 100 %; a map too big for 18 px text shows its top
        if scene is not None:
            rect, port = scene.sceneRect(), view.viewport().rect()
            fits = min(port.width() / max(rect.width(), 1.0),
                       port.height() / max(rect.height(), 1.0))
            if fits > 1.0:  # a small map: larger, in full once fits reaches full_text_zoom
                zoom = min(fits, MAX_PRESENT_ZOOM)
                view.setTransform(QTransform.fromScale(zoom, zoom))
                view.centerOn(rect.center())
                view.pin_headers()
                view.zoom_changed.emit(view.zoom)
        self._update_more()

    def stage_zoom(self, index: int) -> float:
        """The walk-through's zoom for the ``index``-th stage: its cards painted in full at
        least 18 px (:func:`full_text_zoom`), larger while the stage and half a column of each
        neighbour fit across, at most :data:`MAX_PRESENT_ZOOM`."""
        scene, port = self.window.scene, self.window.view.viewport().rect()
        assert scene is not None
        rect = scene.layout.stage_rects[scene.map.stages[index].id]
        across = port.width() / (LANE_HEADER_W + rect.width() + COLUMN_W)
        return max(full_text_zoom(PRESENT_SCREEN_PX), min(MAX_PRESENT_ZOOM, across))

    def stage_spans(self, index: int) -> list[tuple[float, float]]:
        """The walk-through's screenfuls of the ``index``-th stage: (left, right) in the
        scene of the steps each shows; one span, the whole stage, when it fits across."""
        scene, port = self.window.scene, self.window.view.viewport().rect()
        assert scene is not None
        rect = scene.layout.stage_rects[scene.map.stages[index].id]
        room = port.width() / self.stage_zoom(index) - LANE_HEADER_W
        if rect.width() <= room + 0.5:
            return [(rect.left(), rect.right())]
        per = max(1, int(room // COLUMN_W)) * COLUMN_W  # whole steps a screen shows
        spans, left = [], rect.left()
        while left + per < rect.right() - 0.5:
            spans.append((left, left + per))
            left += per
        spans.append((max(rect.left(), rect.right() - per), rect.right()))  # the last steps
        return spans

    def _walk(self, direction: int) -> None:
        """On to the next screenful of the stage or the next stage (``direction`` 1), or back
        (-1); the whole map goes to the first stage (or, backwards, the last one's end)."""
        scene = self.window.scene
        assert scene is not None
        count = len(scene.map.stages)
        if not count:
            return
        if self.stage_index is None:
            index = 0 if direction > 0 else count - 1
            part = 0 if direction > 0 else -1
        else:
            index, part = self.stage_index, self.stage_part + direction
            if not 0 <= part < len(self.stage_spans(index)):
                index += direction
                if not 0 <= index < count:
                    return  # the last stage's end (or the first's start): stay
                part = 0 if direction > 0 else -1
        self.show_stage(index, part)

    def show_stage(self, index: int, part: int = 0) -> None:
        """Pan (smoothly) to the ``index``-th stage (its ``part``-th screenful, -1: the last)
        and veil the others."""
        scene, view = self.window.scene, self.window.view
        if scene is None or not 0 <= index < len(scene.map.stages):
            return
        stage = scene.map.stages[index]
        if stage.id not in scene.layout.stage_rects:
            return
        spans = self.stage_spans(index)
        part = len(spans) - 1 if part < 0 else min(part, len(spans) - 1)
        self.stage_index, self.stage_part = index, part
        scene.set_focus_stage(stage.id)
        self._update_more()  # its words follow the walk
        port = view.viewport().rect()
        zoom = self.stage_zoom(index)
        # the steps in the middle of what the sticky lane headers leave free, from the top
        left, right = spans[part]
        room = port.width() / zoom - LANE_HEADER_W
        left = left - LANE_HEADER_W - (room - (right - left)) / 2
        top = min(scene.sceneRect().top(), -4.0)
        self._pan_to(QPointF(left + port.width() / zoom / 2, top + port.height() / zoom / 2),
                     zoom)

    def scroll_lanes(self, direction: int) -> None:
        """Scroll (smoothly) so that the next lane down (``direction`` 1) or up (-1) is the
        top one under the sticky headers; a lane taller than the screen a screenful at a
        time."""
        scene, view = self.window.scene, self.window.view
        if scene is None or not scene.layout.lane_y:
            return
        lay, rect = scene.layout, scene.sceneRect()
        shown = view.visible_scene_rect()
        under = shown.top() + lay.top  # the first row the pinned headers leave free
        room = max(shown.height() - lay.top, 1.0)
        lanes = lay.lane_y
        if direction > 0:
            target = next((y for y in [*lanes[1:], lay.height] if y > under + 1), lay.height)
            target = min(target, under + room)
        else:
            target = next((y for y in reversed(lanes) if y < under - 1), rect.top())
            target = max(target, under - room)
        top = rect.top() if target <= lanes[0] + 1 else target - lay.top
        top = max(rect.top(), min(top, _map_bottom(lay.height, rect) - shown.height()))
        if abs(top - shown.top()) < 0.5:
            return
        self._pan_to(QPointF(shown.center().x(), top + shown.height() / 2), view.zoom)

    def _pan_to(self, centre: QPointF, zoom: float) -> None:
        """Pan and zoom smoothly from what the view shows to ``centre`` at ``zoom``."""
        view = self.window.view
        start = view.mapToScene(view.viewport().rect().center())
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
            scene.set_affordances(shown)
            for item in scene.selectedItems():  # cards keep their pixels: paint them afresh
                item.update()
            scene.refresh_marker()

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
        """Show "more below" while presenting and part of the map (its last lane) is below
        the view: at the title band's right end (the title keeps clear of it), never over
        the map."""
        view, scene = self.window.view, self.window.scene
        shown = self.active and scene is not None and view.visible_scene_rect().bottom() < \
            scene.layout.height - 1
        self.more.setVisible(shown)
        if shown:
            walk = "" if self.stage_index is not None else "  ·  Right: stage by stage"
            self.more.setText(f"More below: Down or scroll{walk}")
            self.more.adjustSize()
            self.more.move(view.width() - self.more.width() - 16,
                           (TITLE_H - self.more.height()) // 2)
            self.more.raise_()
        self.title.setContentsMargins(0, 0, self.more.width() + 32 if shown else 0, 0)

    def resized(self) -> None:
        """The window changed size: the title band follows, and the whole map refits."""
        if self.active:
            self._place_title()
            if self.stage_index is None:
                self.whole_map()
            else:
                self.show_stage(self.stage_index, self.stage_part)


def _map_bottom(lanes_bottom: float, scene_rect: QRectF) -> float:
    """How far down Present scrolls: a little below the last lane (the "+" button's room
    under it is empty while presenting), within the scene."""
    return min(scene_rect.bottom(), lanes_bottom + 12.0)
