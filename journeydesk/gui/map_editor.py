"""The map editor: the canvas of one map with its minimap, find, clipboard and undo history.

The main window hosts one :class:`MapEditorWidget`; the widget shows one map at a time (or a
placeholder) and makes that map's undo stack the active one in the editor's undo group, so Undo
acts on the map on screen.  It never reaches the file: every change is a domain command run
through the :class:`~journeydesk.gui.editing.Editor`.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journeydesk.domain.model import JourneyMap, LaneType
from journeydesk.gui.canvas import clipboard
from journeydesk.gui.canvas.pictures import has_picture
from journeydesk.gui.canvas.scene import MapScene
from journeydesk.gui.canvas.theme import LIGHT, Theme
from journeydesk.gui.canvas.view import MapView, MiniMapView
from journeydesk.gui.editing import Editor


class MapEditorWidget(QWidget):
    """One map on the canvas, or a placeholder saying how to get one."""

    map_changed = Signal(object)  # the map id on show, or None
    selection_changed = Signal(list)  # the scene's selected items
    status = Signal(str, int)  # a message for the status bar and its timeout (ms)
    who_dropped_requested = Signal(str)  # stage id
    pain_point_requested = Signal(str)  # stage id

    def __init__(self, editor: Editor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.document = editor.document
        self.scene: MapScene | None = None
        self.theme: Theme = LIGHT
        self.view = MapView()
        self.minimap = MiniMapView(self.view, self.view)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack)

        self.find_bar = QLineEdit()  # the window puts it in its toolbar
        self.find_bar.setObjectName("findBar")
        self.find_bar.setPlaceholderText("Find cards (Ctrl+F)")
        self.find_bar.setClearButtonEnabled(True)
        self.find_bar.setMaximumWidth(280)
        self.find_bar.setAccessibleName("Find cards")
        self._matches: list[str] = []
        self._match_index = -1
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.find_bar.textChanged.connect(self._on_find_text_changed)
        self.find_bar.returnPressed.connect(self.find_next)
        self.find_bar.installEventFilter(self)

    # ------------------------------------------------------------------ the map on show
    @property
    def map_id(self) -> str | None:
        """The id of the map on show."""
        return self.scene.map_id if self.scene is not None else None

    def current_map(self) -> JourneyMap | None:
        """The map on show, if any."""
        if self.scene is None:
            return None
        return self.document.workspace.maps.get(self.scene.map_id)

    def open_map(self, map_id: str) -> None:
        """Show a map on the canvas (its undo history becomes the active one)."""
        if self.scene is not None:
            if self.scene.map_id == map_id:
                return
            self._close_scene()
        self.scene = MapScene(self.editor, map_id, self.theme)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.status.connect(lambda text: self.status.emit(text, 4000))
        self.scene.layout_changed.connect(self.minimap.refit)
        self.scene.who_dropped_requested.connect(self.who_dropped_requested)
        self.scene.pain_point_requested.connect(self.pain_point_requested)
        self.editor.set_current_map(map_id)
        self.view.setScene(self.scene)
        self.minimap.setScene(self.scene)
        self.stack.setCurrentWidget(self.view)
        self.view.zoom_reset()
        self.view.horizontalScrollBar().setValue(self.view.horizontalScrollBar().minimum())
        self.view.verticalScrollBar().setValue(self.view.verticalScrollBar().minimum())
        self.minimap.refit()
        self.view.setFocus()
        self._on_find_text_changed(self.find_bar.text())
        self.map_changed.emit(map_id)

    def close_map(self) -> None:
        """Show the placeholder instead of a map."""
        if self.scene is not None:
            self._close_scene()
            self.map_changed.emit(None)

    def _close_scene(self) -> None:
        scene, self.scene = self.scene, None
        if scene is None:
            return
        scene.close()
        self.view.setScene(None)
        self.minimap.setScene(None)
        scene.deleteLater()
        self.stack.setCurrentWidget(self.placeholder)
        self._matches, self._match_index = [], -1

    def make_zoom_button(self) -> QToolButton:
        """A toolbar button showing the zoom, with Fit and 25-200 % in its menu."""
        button = QToolButton()
        button.setObjectName("zoomButton")
        button.setText("100 %")
        button.setToolTip("Zoom: the map's size now; click for other sizes")
        button.setAccessibleName("Zoom")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        menu.addAction("Fit to window", self.view.fit)
        for percent in (25, 50, 75, 100, 150, 200):
            menu.addAction(f"{percent} %", lambda z=percent / 100: self.view.set_zoom(z))
        button.setMenu(menu)
        return button

    def set_placeholder(self, text: str) -> None:
        """What the canvas says while no map is shown."""
        self.placeholder.setText(text)

    def set_theme(self, theme: Theme) -> None:
        """Draw the canvas in ``theme``."""
        self.theme = theme
        if self.scene is not None:
            self.scene.set_theme(theme)
        self.view.resetCachedContent()
        self.view.viewport().update()
        self.minimap.redraw()

    def finish_editing(self) -> None:
        """Commit an inline edit in progress (the window is closing)."""
        if self.scene is not None:
            self.scene.interactions.finish_editing(commit=True)

    def _on_selection_changed(self) -> None:
        if self.scene is None or not shiboken6.isValid(self.scene):
            return  # a scene being destroyed (at exit) clears its selection
        items = self.scene.selectedItems()
        if len(items) == 1 and hasattr(items[0], "accessible_name"):
            self.view.setAccessibleDescription(items[0].accessible_name())
        self.selection_changed.emit(items)

    def selected_card_ids(self) -> list[str]:
        """The selected cards of the map on show."""
        return self.scene.selected_card_ids() if self.scene is not None else []

    # ------------------------------------------------------------------ adding
    def add_stage(self) -> None:
        """Add a stage at the end of the map."""
        if self.scene is not None:
            self.scene.interactions.add_stage()

    def add_lane(self) -> None:
        """Add a lane at the bottom of the map."""
        if self.scene is not None:
            self.scene.interactions.add_lane()

    def add_card(self) -> None:
        """Open an editor for a new card in the current cell (after the selected card)."""
        cell = self._target_cell()[0]
        if cell is not None and self.scene is not None:
            self.scene.interactions.new_card(*cell)

    def _target_cell(self) -> tuple[tuple[str, str] | None, int | None]:
        """Where new cards go: after the last selected card, else the keyboard's cell, else
        the first cell; and the index in that cell (None: at the end)."""
        if self.scene is None:
            return None, None
        selected = self.scene.selected_card_ids()
        if selected:
            last = self.scene.map.card(selected[-1])
            return (last.step_id, last.lane_id), last.position + 1
        cell = self.scene.interactions.current_cell
        lay = self.scene.layout
        if cell is None and lay.column_steps and lay.lane_ids:
            cell = (lay.column_steps[0], lay.lane_ids[0])
        return cell, None

    # ------------------------------------------------------------------ clipboard
    def copy(self) -> bool:
        """Copy the selected cards."""
        if self.scene is None:
            return False
        cards = [self.scene.map.card(cid) for cid in self.scene.selected_card_ids()]
        if not cards:
            return False
        QGuiApplication.clipboard().setMimeData(clipboard.cards_to_mime(cards))
        self.status.emit(f"Copied {len(cards)} card(s)", 3000)
        return True

    def cut(self) -> None:
        """Copy the selected cards, then delete them."""
        if self.copy() and self.scene is not None:
            self.scene.interactions.delete_selection()

    def paste(self) -> None:
        """Paste cards into the current cell (after the selected card, if any).

        A picture on the clipboard (not our own cards) goes to a storyboard lane: it becomes
        the picture of the one selected storyboard card, or a new card in a storyboard cell;
        anywhere else the clipboard's text is pasted as cards, as always."""
        if self.scene is None:
            return
        cell, index = self._target_cell()
        if cell is None:
            return
        data = QGuiApplication.clipboard().mimeData()
        if self._paste_picture(data, cell, index):
            return
        cards = clipboard.cards_from_mime(data, *cell)
        if cards and self.editor.run(clipboard.paste_command(
                self.scene.map, cards, index)):
            self.scene.select_only(self.scene.cards[c.id] for c in cards)

    def _paste_picture(self, data: QMimeData | None, cell: tuple[str, str],
                       index: int | None) -> bool:
        """Paste the clipboard's picture into a storyboard lane; False when it is not for one
        (no picture, our own cards, not a storyboard lane), the text paste then goes on."""
        scene = self.scene
        if (scene is None or data is None or data.hasFormat(clipboard.MIME_TYPE)
                or not has_picture(data)
                or scene.layout.lane_types.get(cell[1]) is not LaneType.STORYBOARD):
            return False
        selected = scene.selected_card_ids()
        if len(selected) == 1:
            return scene.interactions.paste_picture(selected[0], data) or True
        return scene.interactions.paste_picture_cards(*cell, index, data) or True

    def duplicate(self) -> None:
        """Duplicate the selected cards."""
        if self.scene is not None:
            self.scene.interactions.duplicate_selection()

    def delete(self) -> None:
        """Delete the selection."""
        if self.scene is not None:
            self.scene.interactions.delete_selection()

    def select_all(self) -> None:
        """Select every card of the map."""
        if self.scene is not None:
            for item in self.scene.cards.values():
                item.setSelected(True)

    # ------------------------------------------------------------------ find
    def start_find(self) -> None:
        """Focus the find box."""
        self.find_bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_bar.selectAll()

    def _on_find_text_changed(self, text: str) -> None:
        self._matches = []
        self._match_index = -1
        if self.scene is None:
            return
        needle = text.strip().casefold()
        for card in self.scene.map.ordered_cards():
            hit = bool(needle) and needle in card.text.casefold()
            item = self.scene.cards[card.id]
            if item.highlighted != hit:
                item.highlighted = hit
                item.update()
            if hit:
                self._matches.append(card.id)
        if needle:
            self.status.emit(f"{len(self._matches)} matching card(s)", 4000)

    def find_next(self) -> None:
        """Select the next matching card (Enter in the find box)."""
        if not self._matches or self.scene is None:
            return
        self._match_index = (self._match_index + 1) % len(self._matches)
        self.scene.interactions.select_card(self._matches[self._match_index])

    def clear_find(self) -> None:
        """Drop the highlights and leave the find box (Esc)."""
        self.find_bar.clear()
        if self.scene is not None:
            self.view.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (watched is self.find_bar and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape):  # type: ignore[attr-defined]
            self.clear_find()
            return True
        return super().eventFilter(watched, event)
