"""Pictures on cards, as gestures: add from a file, paste, drop, remove.

Each gesture is one command, so one undo step: a card's picture set or removed is
``EditCardCommand(picture=...)`` ("Edit card (picture)" in the History); pictures dropped on
an empty storyboard cell become new cards, all of them one step.  Bytes are made by
:mod:`~journeydesk.gui.canvas.pictures` (checked from the header before Qt decodes them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QGraphicsSceneDragDropEvent, QMenu

from journeydesk.domain.commands import AddCardCommand, CompositeCommand, EditCardCommand
from journeydesk.domain.model import Card, LaneType
from journeydesk.gui.canvas.items import CardItem
from journeydesk.gui.canvas.pictures import (
    FILE_FILTER,
    PictureError,
    has_picture,
    load_picture,
    pictures_from_mime,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData

    from journeydesk.gui.canvas.scene import MapScene


class PictureEditing:
    """The picture gestures of :class:`~journeydesk.gui.canvas.interactions.Interactions`."""

    scene: MapScene
    map_id: str

    def _refuse(self, message: str) -> None:
        self.scene.editor.refused.emit(message)

    # -- one card -------------------------------------------------------------------------
    def set_picture(self, card_id: str, picture: bytes | None) -> bool:
        """Give a card this picture (None: take it away): one undo step."""
        return self.scene.editor.run(EditCardCommand(self.map_id, card_id, picture=picture))

    def add_picture_from_file(self, card_id: str, path: str | None = None) -> bool:
        """Ask for a PNG or JPEG file (or take ``path``) and make it the card's picture."""
        path = path or self._ask_file()
        if not path:
            return False
        try:
            picture = load_picture(path)
        except PictureError as exc:
            self._refuse(str(exc))
            return False
        return self.set_picture(card_id, picture)

    def paste_picture(self, card_id: str, mime: QMimeData | None = None) -> bool:
        """The clipboard's picture (``mime``'s) as the card's picture."""
        pictures = self._pictures(mime if mime is not None else _clipboard())
        return bool(pictures) and self.set_picture(card_id, pictures[0])

    def remove_picture(self, card_id: str) -> bool:
        """Take the card's picture away (undo brings it back)."""
        return self.set_picture(card_id, None)

    # -- new cards --------------------------------------------------------------------------
    def add_picture_cards(self, step_id: str, lane_id: str, pictures: list[bytes],
                          index: int | None = None) -> list[Card]:
        """New cards with these pictures (no caption yet) in a cell, as one undo step; they
        are selected."""
        if not pictures:
            return []
        start = self.scene.map.cell_size(step_id, lane_id) if index is None else index
        cards = [Card(step_id, lane_id, "", picture=picture) for picture in pictures]
        adds = [AddCardCommand(self.map_id, card, start + i) for i, card in enumerate(cards)]
        command = adds[0] if len(adds) == 1 else CompositeCommand(
            f"Add {len(adds)} picture cards", adds)
        if not self.scene.editor.run(command):
            return []
        self.scene.select_only(self.scene.cards[c.id] for c in cards)
        return cards

    def add_picture_card_from_file(self, step_id: str, lane_id: str) -> bool:
        """Ask for a picture file and make a new card of it in the cell."""
        path = self._ask_file()
        if not path:
            return False
        try:
            picture = load_picture(path)
        except PictureError as exc:
            self._refuse(str(exc))
            return False
        return bool(self.add_picture_cards(step_id, lane_id, [picture]))

    def paste_picture_cards(self, step_id: str, lane_id: str, index: int | None = None,
                            mime: QMimeData | None = None) -> bool:
        """The clipboard's pictures as new cards in a cell."""
        pictures = self._pictures(mime if mime is not None else _clipboard())
        return bool(self.add_picture_cards(step_id, lane_id, pictures, index))

    # -- dragging pictures in ------------------------------------------------------------------
    def _drop_target(self, pos: QPointF) -> tuple[str, object] | None:
        """("card", item) for a card under ``pos``; ("cell", (step, lane)) for a storyboard
        cell; None where a picture cannot go."""
        for item in self.scene.items(pos):
            if getattr(item, "opaque_band", False):
                return None
            if isinstance(item, CardItem):
                return "card", item
        cell = self.scene.layout.cell_at(pos)
        if cell is not None and self.scene.layout.lane_types.get(cell[1]) is LaneType.STORYBOARD:
            return "cell", cell
        return None

    def drag_move(self, event: QGraphicsSceneDragDropEvent) -> bool:
        """Accept a drag of pictures over a card or a storyboard cell (and show where)."""
        if self.scene.editor.document.read_only or not has_picture(event.mimeData()):
            return False
        target = self._drop_target(event.scenePos())
        if target is None:
            self.scene.drop_indicator.hide()
            return False
        if target[0] == "cell":
            step_id, lane_id = target[1]  # type: ignore[misc]
            lay = self.scene.layout
            index = lay.insert_index(step_id, lane_id, event.scenePos().y())
            x = lay.column_x[lay.column_index[step_id]] + 10.0
            self.scene.drop_indicator.show_at(x, lay.indicator_y(step_id, lane_id, index),
                                              lay.cell_rect(step_id, lane_id).width() - 20.0)
        else:
            self.scene.drop_indicator.hide()
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        return True

    def drop(self, event: QGraphicsSceneDragDropEvent) -> bool:
        """Pictures dropped: on a card, the first becomes its picture; on a storyboard cell,
        each becomes a new card there."""
        self.scene.drop_indicator.hide()
        if self.scene.editor.document.read_only:
            return False
        target = self._drop_target(event.scenePos())
        if target is None:
            return False
        pictures = self._pictures(event.mimeData())
        if not pictures:
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if target[0] == "card":
            item = target[1]
            assert isinstance(item, CardItem)
            if self.set_picture(item.item_id, pictures[0]):
                self.scene.select_only([self.scene.cards[item.item_id]])
            return True
        step_id, lane_id = target[1]  # type: ignore[misc]
        index = self.scene.layout.insert_index(step_id, lane_id, event.scenePos().y())
        self.add_picture_cards(step_id, lane_id, pictures, index)
        return True

    # -- menus ---------------------------------------------------------------------------------
    def add_card_picture_actions(self, menu: QMenu, item: CardItem) -> None:
        """Add, paste, remove: a card's picture entries of its context menu."""
        card_id = item.item_id
        has = item.card.picture is not None
        menu.addAction("Replace picture…" if has else "Add picture…",
                       lambda: self.add_picture_from_file(card_id))
        if has_picture(_clipboard()):
            menu.addAction("Paste picture", lambda: self.paste_picture(card_id))
        if has:
            menu.addAction("Remove picture", lambda: self.remove_picture(card_id))

    def add_cell_picture_actions(self, menu: QMenu, cell: tuple[str, str]) -> None:
        """A storyboard cell's entries: a new card from a picture file or the clipboard."""
        if self.scene.layout.lane_types.get(cell[1]) is not LaneType.STORYBOARD:
            return
        menu.addAction("Add picture here…", lambda: self.add_picture_card_from_file(*cell))
        if has_picture(_clipboard()):
            menu.addAction("Paste picture here", lambda: self.paste_picture_cards(*cell))

    # -- helpers -------------------------------------------------------------------------------
    def _pictures(self, mime: QMimeData | None) -> list[bytes]:
        try:
            return pictures_from_mime(mime)
        except PictureError as exc:
            self._refuse(str(exc))
            return []

    def _ask_file(self) -> str:
        views = self.scene.views()
        path, _ = QFileDialog.getOpenFileName(views[0].window() if views else None,
                                              "Choose a picture", "", FILE_FILTER)
        return path


def _clipboard() -> QMimeData | None:
    return QGuiApplication.clipboard().mimeData()
