"""Comparing two states of a map: a saved version with another, or with the map as it is now.

The dialog shows the summary sentence (:meth:`MapDiff.summary`), the two states side by side
and the newer one overlaid with marks, and a list of the changes.  The pictures are the map's
own rendering (the export scene of :mod:`.map_picture`, light theme, no editing affordances)
of each state; the marks are outlines drawn at the rectangles the canvas layout gives the
changed cards and stage headers: added green, changed amber, moved blue, removed red (on the
older picture, and struck through in the overlaid view's list, since a removed card has no
place in the newer state).  The marks are part of the pictures, so they stay on their cards at
every zoom: "Fit to window" (on by default) shows each picture as wide as its pane (never above
100 %), "100 %" at full size, and Ctrl+wheel zooms.  Side by side, the two panes scroll together
by proportion, so they show the same part of both maps even when the pictures differ in size.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QScrollBar,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from journeydesk.domain.map_diff import CardChange, MapDiff, compare_maps
from journeydesk.domain.model import JourneyMap, Persona, Workspace
from journeydesk.gui.screens import fitted

ADDED, CHANGED, MOVED, REMOVED = "added", "changed", "moved", "removed"
COLOURS = {ADDED: "#2e9e44", CHANGED: "#e0a100", MOVED: "#2f6fdf", REMOVED: "#d33a2c"}
# Pictures larger than this many pixels are drawn smaller (a 2,000-card map stays light).
MAX_PIXELS = 12_000_000
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.05, 2.0, 1.25  # Ctrl+wheel: one notch is ZOOM_STEP


@dataclass
class Marks:
    """What to outline on one state's picture: card ids and stage ids by kind of change."""

    cards: dict[str, list[str]] = field(default_factory=dict)
    stages: dict[str, list[str]] = field(default_factory=dict)

    def add_card(self, card_id: str, kind: str) -> None:
        """Mark a card (a card can be moved and changed: two outlines)."""
        self.cards.setdefault(card_id, []).append(kind)


def state_marks(old: JourneyMap, new: JourneyMap, diff: MapDiff) -> tuple[Marks, Marks]:
    """The marks of the older picture (removed, moved away) and of the newer one (added,
    changed, moved in)."""
    before, after = Marks(), Marks()
    for change in diff.cards_removed:
        before.add_card(change.card_id, REMOVED)
    for change in diff.cards_moved:
        before.add_card(change.card_id, MOVED)
        after.add_card(change.card_id, MOVED)
    for change in diff.cards_added:
        after.add_card(change.card_id, ADDED)
    for change in diff.cards_changed:
        after.add_card(change.card_id, CHANGED)
    old_stages = {s.id: s for s in old.stages}
    new_stages = {s.id: s for s in new.stages}
    for stage in old.stages:
        if stage.id not in new_stages:
            before.stages.setdefault(stage.id, []).append(REMOVED)
    for stage in new.stages:
        was = old_stages.get(stage.id)
        if was is None:
            after.stages.setdefault(stage.id, []).append(ADDED)
        elif was.name != stage.name or [(s.id, s.name) for s in was.steps] != \
                [(s.id, s.name) for s in stage.steps]:
            after.stages.setdefault(stage.id, []).append(CHANGED)
    return before, after


class _FrozenDocument:
    """A document of one map state, for drawing only: it is never edited, so nobody hears
    of changes (the export scene's editor runs no command)."""

    read_only = True

    def __init__(self, journey_map: JourneyMap, personas: dict[str, Persona]):
        self.workspace = Workspace(maps={journey_map.id: journey_map}, personas=personas)

    def subscribe(self, _listener: Callable[[object], None]) -> None:
        """Nothing changes: nobody is told."""

    def unsubscribe(self, _listener: Callable[[object], None]) -> None:
        """Nothing to stop."""


def render_state(journey_map: JourneyMap, personas: dict[str, Persona],
                 marks: Marks | None = None, *,
                 scale: float = 1.0) -> tuple[QImage, dict[str, QRectF]]:
    """A picture of one state of a map with ``marks`` outlined (drawn as the map's exports
    draw it, smaller when it would be very large), and where each card is on it (pixels)."""
    from journeydesk.gui.map_picture import export_scene, map_rect

    document = _FrozenDocument(copy.deepcopy(journey_map), personas)
    with export_scene(document, journey_map.id) as scene:  # type: ignore[arg-type]
        source = map_rect(scene)
        pixels = max(1.0, source.width() * source.height() * scale * scale)
        if pixels > MAX_PIXELS:
            scale *= math.sqrt(MAX_PIXELS / pixels)
        image = QImage(max(1, math.ceil(source.width() * scale)),
                       max(1, math.ceil(source.height() * scale)), QImage.Format.Format_ARGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.scale(scale, scale)
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.translate(-source.left(), -source.top())
        if marks is not None:
            lay = scene.layout
            for stage_id, kinds in marks.stages.items():
                if stage_id in lay.stage_rects:
                    _outline(painter, lay.stage_rects[stage_id], kinds)
            for card_id, kinds in marks.cards.items():
                if card_id in lay.card_rects:
                    _outline(painter, lay.card_rects[card_id], kinds)
        painter.end()
        places = {card_id: QRectF((rect.left() - source.left()) * scale,
                                  (rect.top() - source.top()) * scale,
                                  rect.width() * scale, rect.height() * scale)
                  for card_id, rect in scene.layout.card_rects.items()}
    return image, places


def _outline(painter: QPainter, rect: QRectF, kinds: list[str]) -> None:
    """One outline per kind, each a little outside the one before."""
    for i, kind in enumerate(kinds):
        colour = QColor(COLOURS[kind])
        pen = QPen(colour, 3.0)
        if kind == REMOVED:
            pen.setStyle(Qt.PenStyle.DashLine)
            fill = QColor(colour)
            fill.setAlpha(40)
            painter.fillRect(rect, fill)
            painter.setPen(QPen(colour, 2.0))
            painter.drawLine(rect.topLeft(), rect.bottomRight())  # struck out
        painter.setPen(pen)
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        grow = 2.0 + 4.0 * i
        painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 6, 6)


def change_lines(diff: MapDiff) -> list[tuple[str, str, str | None]]:
    """(kind, text, card id or None) of every change, for the list under the pictures."""
    lines: list[tuple[str, str, str | None]] = []
    lines += [(ADDED, f"Stage {name!r} added", None) for name in diff.stages_added]
    lines += [(REMOVED, f"Stage {name!r} removed", None) for name in diff.stages_removed]
    lines += [(CHANGED, f"Stage {old!r} renamed {new!r}", None)
              for old, new in diff.stages_renamed]
    lines += [(MOVED, f"Stage {name!r} reordered", None) for name in diff.stages_moved]
    lines += [(CHANGED, f"Steps of {name!r} changed", None) for name in diff.steps_changed]
    lines += [(ADDED, f"Lane {name!r} added", None) for name in diff.lanes_added]
    lines += [(REMOVED, f"Lane {name!r} removed", None) for name in diff.lanes_removed]
    lines += [(CHANGED, f"Lane {old!r} renamed {new!r}", None)
              for old, new in diff.lanes_renamed]
    for kind, changes in ((ADDED, diff.cards_added), (REMOVED, diff.cards_removed),
                          (MOVED, diff.cards_moved), (CHANGED, diff.cards_changed)):
        lines += [(kind, _card_line(kind, change), change.card_id) for change in changes]
    if diff.emotions_changed:
        lines.append((CHANGED, f"{diff.emotions_changed} emotion point(s) changed", None))
    if diff.map_fields:
        lines.append((CHANGED, "Map " + ", ".join(diff.map_fields) + " changed", None))
    return lines


def _card_line(kind: str, change: CardChange) -> str:
    text = " ".join(change.text.split()) or "(no text)"
    if len(text) > 60:
        text = text[:59] + "…"
    where = f" in {change.stage}" if change.stage else ""
    what = f" ({', '.join(change.fields)})" if change.fields else ""
    return f"Card {kind}{where}: {text}{what}"


class ZoomPicture(QScrollArea):
    """A map picture in a scroll area: fitted to the pane's width (never above 100 %), or at
    a zoom.  The picture is the one rendered at full size, scaled down smoothly; ``places``
    (full-size pixels) are scaled with it."""

    zoom_asked = Signal(float)  # Ctrl+wheel: the zoom wanted
    rescaled = Signal()  # the scale shown changed (fitted to a new width, zoomed)

    def __init__(self, image: QImage, title: str, object_name: str):
        super().__init__()
        self.full = QPixmap.fromImage(image)
        self.fit = True
        self.zoom = 1.0  # the zoom when not fitted
        self.scale = 1.0  # the scale shown
        self.picture = QLabel()
        self.picture.setObjectName(object_name)
        self.picture.setAccessibleName(title)
        self.setWidget(self.picture)
        self.setBackgroundRole(self.backgroundRole())
        self._show()

    def fit_scale(self) -> float:
        """The scale that makes the picture as wide as the pane (with room for the vertical
        scroll bar when it will be needed), at most 1."""
        width, height = max(1, self.full.width()), max(1, self.full.height())
        room = self.maximumViewportSize()
        scale = min(1.0, room.width() / width)
        if height * scale > room.height():  # a vertical scroll bar takes part of the width
            bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
            scale = min(1.0, (room.width() - bar) / width)
        return max(scale, 0.01)

    def set_fit(self, fit: bool) -> None:
        """Fit to the pane's width (True), or show at :attr:`zoom`."""
        self.fit = fit
        self._show()

    def set_zoom(self, zoom: float) -> None:
        """Show at ``zoom`` (1.0: 100 %), not fitted."""
        self.fit = False
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._show()

    def _show(self) -> None:
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if self.fit
                                          else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scale = self.fit_scale() if self.fit else self.zoom
        size = QSize(max(1, math.floor(self.full.width() * scale)),
                     max(1, math.floor(self.full.height() * scale)))
        if size == self.picture.size() and not self.picture.pixmap().isNull():
            return
        where = [_fraction(bar) for bar in (self.horizontalScrollBar(),
                                            self.verticalScrollBar())]
        self.scale = scale
        pixmap = self.full if size == self.full.size() else self.full.scaled(
            size, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(pixmap)
        self.picture.resize(size)
        for bar, fraction in zip((self.horizontalScrollBar(), self.verticalScrollBar()), where,
                                 strict=True):
            bar.setValue(round(fraction * bar.maximum()))  # the same part stays in view
        self.rescaled.emit()

    def show_place(self, rect: QRectF) -> None:
        """Scroll a place of the full-size picture (a card) into view."""
        s = self.scale
        self.ensureVisible(round(rect.center().x() * s), round(rect.center().y() * s),
                           round(rect.width() * s / 2) + 40, round(rect.height() * s / 2) + 40)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.fit:
            self._show()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            notches = event.angleDelta().y() / 120
            if notches:
                self.zoom_asked.emit(self.scale * ZOOM_STEP ** notches)
            event.accept()
            return
        super().wheelEvent(event)


def _fraction(bar: QScrollBar) -> float:
    return bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0


def _picture(image: QImage, title: str, object_name: str) -> tuple[QWidget, ZoomPicture]:
    """A titled, scrollable picture, and its scroll area."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setBold(True)
    heading.setFont(font)
    scroll = ZoomPicture(image, title, object_name)
    column.addWidget(heading)
    column.addWidget(scroll, 1)
    return box, scroll


def _legend() -> QLabel:
    parts = [f'<span style="color:{COLOURS[kind]}">■</span> {kind}'
             for kind in (ADDED, CHANGED, MOVED, REMOVED)]
    label = QLabel("Marks: " + " &nbsp; ".join(parts))
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class VersionCompareDialog(QDialog):
    """Two states of a map: the summary, side by side, overlaid, and the list of changes."""

    def __init__(self, old: JourneyMap, new: JourneyMap, personas: dict[str, Persona],
                 titles: tuple[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        old_title, new_title = titles
        self.setObjectName("versionCompareDialog")
        self.setWindowTitle(f"Compare {old_title} with {new_title}")
        self.diff = compare_maps(old, new)
        self._full_texts = {change.card_id: f"Card {kind}: {change.text}"  # the tooltips
                            for kind, changes in ((ADDED, self.diff.cards_added),
                                                  (REMOVED, self.diff.cards_removed),
                                                  (MOVED, self.diff.cards_moved),
                                                  (CHANGED, self.diff.cards_changed))
                            for change in changes}
        before, after = state_marks(old, new, self.diff)
        old_image, self._old_places = render_state(old, personas, before)
        new_image, self._new_places = render_state(new, personas, after)

        self.summary = QLabel(self.diff.summary())
        self.summary.setObjectName("versionSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.fit_button = QPushButton("Fit to window")
        self.fit_button.setObjectName("fitPictures")
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.fit_button.setToolTip("Show each picture as wide as its pane (never above 100 %)")
        self.full_button = QPushButton("100 %")
        self.full_button.setObjectName("fullSizePictures")
        self.full_button.setToolTip("Show the pictures at full size (Ctrl+wheel zooms)")
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("pictureZoom")

        self.tabs = QTabWidget()
        side = QSplitter(Qt.Orientation.Horizontal)
        older, self._older_scroll = _picture(old_image, old_title, "olderPicture")
        newer, self._newer_scroll = _picture(new_image, new_title, "newerPicture")
        side.addWidget(older)
        side.addWidget(newer)
        _scroll_together(self._older_scroll, self._newer_scroll)
        self.tabs.addTab(side, "Side by side")
        overlaid = QSplitter(Qt.Orientation.Horizontal)
        overlaid.setObjectName("overlaidSplitter")
        overlaid.setChildrenCollapsible(False)
        marked, self._overlaid_scroll = _picture(new_image, f"{new_title}, changes marked",
                                                 "overlaidPicture")
        overlaid.addWidget(marked)
        overlaid.addWidget(self._removed_box())
        overlaid.setStretchFactor(0, 3)
        overlaid.setStretchFactor(1, 1)
        overlaid.setSizes([700, 300])
        self.tabs.addTab(overlaid, "Overlaid")
        self.pictures = (self._older_scroll, self._newer_scroll, self._overlaid_scroll)

        self.changes = QListWidget()
        self.changes.setObjectName("changeList")
        self.changes.setAccessibleName("Changes")
        self.changes.setWordWrap(True)
        for kind, text, card_id in change_lines(self.diff):
            item = QListWidgetItem(text)
            item.setForeground(QColor(COLOURS[kind]))
            item.setData(Qt.ItemDataRole.UserRole, card_id)
            item.setToolTip(self._full_texts.get(card_id or "", text))
            self.changes.addItem(item)
        self.changes.currentItemChanged.connect(self._on_change_chosen)
        if self.changes.count() == 0:
            self.changes.addItem("No changes.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        zoom_row = QHBoxLayout()
        zoom_row.addWidget(_legend(), 1)
        zoom_row.addWidget(self.zoom_label)
        zoom_row.addWidget(self.fit_button)
        zoom_row.addWidget(self.full_button)
        parts = QSplitter(Qt.Orientation.Vertical)
        parts.addWidget(self.tabs)
        parts.addWidget(self.changes)
        parts.setStretchFactor(0, 4)
        parts.setStretchFactor(1, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addLayout(zoom_row)
        column.addWidget(parts, 1)
        column.addWidget(buttons)
        self.fit_button.toggled.connect(self.set_fit)
        self.full_button.clicked.connect(lambda _checked=False: self.set_zoom(1.0))
        for picture in self.pictures:
            picture.zoom_asked.connect(self.set_zoom)
            picture.rescaled.connect(self._show_zoom)
        self.resize(fitted(1100, 760, margin=20))
        self._show_zoom()

    def _removed_box(self) -> QWidget:
        """The Overlaid tab's list of removed cards and stages: struck through, wrapped, each
        line's full text in its tooltip."""
        self.removed = QListWidget()  # removed cards have no place in the newer picture
        self.removed.setObjectName("removedList")
        self.removed.setAccessibleName("Removed")
        self.removed.setWordWrap(True)
        self.removed.setMinimumWidth(180)
        struck = QFont(self.removed.font())
        struck.setStrikeOut(True)
        for kind, text, card_id in change_lines(self.diff):
            if kind == REMOVED:
                item = QListWidgetItem(text)
                item.setFont(struck)
                item.setForeground(QColor(COLOURS[REMOVED]))
                item.setToolTip(self._full_texts.get(card_id or "", text))
                self.removed.addItem(item)
        if self.removed.count() == 0:
            self.removed.addItem("Nothing removed")
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Removed"))
        column.addWidget(self.removed, 1)
        return box

    def set_fit(self, fit: bool) -> None:
        """Turn "Fit to window" on (each picture as wide as its pane) or off (100 %)."""
        if self.fit_button.isChecked() != fit:
            self.fit_button.setChecked(fit)  # (toggled: back here)
            return
        for picture in self.pictures:
            if fit:
                picture.set_fit(True)
            else:
                picture.set_zoom(1.0)
        self._show_zoom()

    def set_zoom(self, zoom: float) -> None:
        """Show every picture at ``zoom`` (1.0: 100 %); "Fit to window" goes off."""
        self.fit_button.blockSignals(True)
        self.fit_button.setChecked(False)
        self.fit_button.blockSignals(False)
        for picture in self.pictures:
            picture.set_zoom(zoom)
        self._show_zoom()

    def _show_zoom(self) -> None:
        scales = sorted({round(p.scale * 100) for p in self.pictures[:2]})
        self.zoom_label.setText(" / ".join(f"{s} %" for s in scales))

    def _on_change_chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        """Bring the chosen change's card into view on the pictures that show it."""
        card_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not card_id:
            return
        for places, pictures in ((self._old_places, (self._older_scroll,)),
                                 (self._new_places, (self._newer_scroll,
                                                     self._overlaid_scroll))):
            rect = places.get(card_id)
            if rect is None:
                continue
            for picture in pictures:
                picture.show_place(rect)


def _scroll_together(a: QScrollArea, b: QScrollArea) -> None:
    """Side by side, the two pictures scroll as one: by proportion, so the same part of both
    maps shows (the pictures may differ in size) and the panes never drift apart."""
    for bar_of in (QScrollArea.horizontalScrollBar, QScrollArea.verticalScrollBar):
        first, second = bar_of(a), bar_of(b)
        busy: list[bool] = []

        def follow(source: QScrollBar, target: QScrollBar, busy: list[bool] = busy) -> None:
            if busy:
                return
            busy.append(True)
            try:
                target.setValue(round(_fraction(source) * target.maximum()))
            finally:
                busy.clear()

        first.valueChanged.connect(lambda _v, s=first, t=second, f=follow: f(s, t))
        second.valueChanged.connect(lambda _v, s=second, t=first, f=follow: f(s, t))
