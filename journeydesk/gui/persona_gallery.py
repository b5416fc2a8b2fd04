"""The persona gallery dock: cards with avatar, name, role and quote; search; persona actions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journeydesk.domain.commands import (
    AddPersonaCommand,
    Changes,
    LinkPersonaCommand,
    RemovePersonaCommand,
    UnlinkPersonaCommand,
    copy_persona,
    maps_using_persona,
)
from journeydesk.domain.model import Persona, unique_name
from journeydesk.gui.avatar import paint_avatar
from journeydesk.gui.editing import Editor
from journeydesk.gui.file_dialogs import ask_save_path
from journeydesk.gui.listening import follow

ID_ROLE = Qt.ItemDataRole.UserRole
CARD_HEIGHT = 92


class PersonaCardDelegate(QStyledItemDelegate):
    """Paints a persona as a card: avatar, name, role, quote, and where it is used."""

    def __init__(self, gallery: PersonaGalleryWidget):
        super().__init__(gallery)
        self.gallery = gallery

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        # as wide as the list: the cards fill the dock instead of scrolling sideways
        return QSize(max(200, self.gallery.list.viewport().width() - 6), CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:
        persona = self.gallery.persona(index.data(ID_ROLE))
        if persona is None:
            return
        palette = option.palette
        rect = QRectF(option.rect).adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = palette.highlight().color() if selected else palette.mid().color()
        pen = QPen(border)
        pen.setWidthF(2.0 if selected else 1.0)
        painter.setPen(pen)
        painter.setBrush(palette.base())
        painter.drawRoundedRect(rect, 8, 8)
        paint_avatar(painter, QRectF(rect.left() + 10, rect.top() + 12, 56, 56), persona)
        x = rect.left() + 78
        width = rect.right() - x - 8
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 1)
        painter.setFont(font)
        painter.setPen(palette.text().color())
        metrics = painter.fontMetrics()
        painter.drawText(QRectF(x, rect.top() + 8, width, 20), int(Qt.AlignmentFlag.AlignLeft),
                         metrics.elidedText(persona.name, Qt.TextElideMode.ElideRight,
                                            int(width)))
        small = QFont(option.font)
        painter.setFont(small)
        muted = QColor(palette.text().color())
        muted.setAlpha(160)
        painter.setPen(muted)
        role = " · ".join(p for p in (persona.role, persona.age_range) if p)
        painter.drawText(QRectF(x, rect.top() + 29, width, 18), int(Qt.AlignmentFlag.AlignLeft),
                         painter.fontMetrics().elidedText(role, Qt.TextElideMode.ElideRight,
                                                          int(width)))
        if persona.quote:
            quote = QFont(option.font)
            quote.setItalic(True)
            painter.setFont(quote)
            painter.setPen(palette.text().color())
            painter.drawText(QRectF(x, rect.top() + 48, width, 34),
                             int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop),
                             painter.fontMetrics().elidedText(f"“{persona.quote}”",
                                                              Qt.TextElideMode.ElideRight,
                                                              int(width * 2 - 20)))
        used = self.gallery.usage(persona.id)
        if used:
            painter.setFont(small)
            painter.setPen(muted)
            painter.drawText(QRectF(rect.left() + 6, rect.bottom() - 18, 66, 16),
                             int(Qt.AlignmentFlag.AlignCenter),
                             f"{used} map{'s' if used != 1 else ''}")
        painter.restore()


class PersonaGalleryWidget(QWidget):
    """Every persona of the workspace as a card; double-click (or Enter) opens the editor."""

    open_requested = Signal(str)

    def __init__(self, editor: Editor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.current_map_id: str | None = None
        self.setObjectName("personaGallery")
        self.search = QLineEdit()
        self.search.setObjectName("personaSearch")
        self.search.setPlaceholderText("Search personas")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search personas")
        self.list = _HintedList("No personas yet.\nNew makes one; Import… reads a persona file.",
                                "No persona matches the search.")
        self.list.setObjectName("personaList")
        self.list.setAccessibleName("Personas")
        self.list.setItemDelegate(PersonaCardDelegate(self))
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setSpacing(2)

        self.new_button = self._button("New", "Create a persona", self.new_persona)
        self.duplicate_button = self._button("Duplicate", "Copy the selected persona",
                                             self.duplicate_selected)
        self.delete_button = self._button("Delete", "Delete the selected persona",
                                          self.delete_selected)
        self.link_button = self._button("Link to map", "Show this persona on the open map",
                                        self.toggle_link)
        self.import_button = self._button("Import…", "Import a persona file", self.import_file)
        self.export_button = self._button("Export…", "Export the persona (file, PDF, PNG)",
                                          self.export_selected)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        for button in (self.new_button, self.duplicate_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons2 = QHBoxLayout()
        buttons2.setSpacing(2)
        for button in (self.link_button, self.import_button, self.export_button):
            buttons2.addWidget(button)
        buttons2.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(buttons)
        layout.addLayout(buttons2)
        layout.addWidget(self.list, 1)

        self._connect_signals()
        self.refresh()

    def _button(self, text: str, tip: str, slot) -> QToolButton:  # noqa: ANN001
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(lambda _t: self._apply_filter())
        self.list.itemActivated.connect(
            lambda item: self.open_requested.emit(item.data(ID_ROLE)))
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        # Until the gallery is destroyed, however that comes (its window may never be closed).
        self._stop_following = follow(self, self.editor.document, self._on_document_changed)

    def close_gallery(self) -> None:
        """Stop following the document (it stops by itself when the gallery is destroyed)."""
        self._stop_following()

    # -- model ---------------------------------------------------------------------------
    @property
    def ws(self):  # noqa: ANN201
        return self.editor.document.workspace

    def persona(self, persona_id: str | None) -> Persona | None:
        """The persona with this id, if it still exists."""
        return self.ws.personas.get(persona_id) if persona_id else None

    def usage(self, persona_id: str) -> int:
        """On how many maps a persona is used."""
        return len(maps_using_persona(self.ws, persona_id))

    def selected_id(self) -> str | None:
        """The selected persona's id."""
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def select(self, persona_id: str) -> None:
        """Select a persona's card."""
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == persona_id:
                self.list.setCurrentRow(i)
                return

    def set_current_map(self, map_id: str | None) -> None:
        """The map that "Link to map" applies to."""
        self.current_map_id = map_id
        self._update_buttons()

    def _on_document_changed(self, changes: Changes) -> None:
        if any(key[0] in ("persona", "map") for key in changes):
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the cards from the workspace, keeping the selection."""
        selected = self.selected_id()
        self.list.clear()
        for persona in sorted(self.ws.personas.values(), key=lambda p: p.name.casefold()):
            item = QListWidgetItem(persona.name)
            item.setData(ID_ROLE, persona.id)
            item.setToolTip(persona.quote or persona.role)
            self.list.addItem(item)
        if selected:
            self.select(selected)
        self._apply_filter()
        self._update_buttons()

    def _apply_filter(self) -> None:
        needle = self.search.text().strip().casefold()
        for i in range(self.list.count()):
            item = self.list.item(i)
            persona = self.persona(item.data(ID_ROLE))
            haystack = " ".join([persona.name, persona.role, persona.quote, persona.location,
                                 *persona.tags]).casefold() if persona else ""
            item.setHidden(bool(needle) and needle not in haystack)

    def _update_buttons(self) -> None:
        persona_id = self.selected_id()
        has = persona_id is not None
        writable = not self.editor.document.read_only
        for button in (self.duplicate_button, self.delete_button):
            button.setEnabled(has and writable)
        self.export_button.setEnabled(has)
        self.new_button.setEnabled(writable)
        self.import_button.setEnabled(writable)
        m = self.ws.maps.get(self.current_map_id) if self.current_map_id else None
        self.link_button.setEnabled(has and writable and m is not None)
        linked = m is not None and persona_id in m.persona_ids
        self.link_button.setText("Unlink from map" if linked else "Link to map")

    # -- actions -------------------------------------------------------------------------
    def new_persona(self) -> str | None:
        """Create a persona and open it in the editor."""
        name = unique_name("New persona", {p.name for p in self.ws.personas.values()})
        persona = Persona(name=name)
        if not self.editor.run(AddPersonaCommand(persona)):
            return None
        self.select(persona.id)
        self.open_requested.emit(persona.id)
        return persona.id

    def duplicate_selected(self) -> str | None:
        """Copy the selected persona under a free name."""
        original = self.persona(self.selected_id())
        if original is None:
            return None
        copy = copy_persona(original, unique_name(f"{original.name} copy",
                                                  {p.name for p in self.ws.personas.values()}))
        if not self.editor.run(AddPersonaCommand(copy)):
            return None
        self.select(copy.id)
        return copy.id

    def delete_selected(self, confirm: bool = True) -> bool:
        """Delete the selected persona, saying first on which maps it is used (undoable)."""
        persona = self.persona(self.selected_id())
        if persona is None:
            return False
        maps = maps_using_persona(self.ws, persona.id)
        if confirm:
            where = (f"\n\nIt is used on {len(maps)} map(s): "
                     + ", ".join(sorted(m.name for m in maps))
                     + ".\nIts emotion curves there will be removed too.") if maps else ""
            answer = QMessageBox.question(
                self, "Delete persona",
                f"Delete the persona “{persona.name}”?{where}\n\nYou can undo this.")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        return self.editor.run(RemovePersonaCommand(persona.id))

    def toggle_link(self) -> bool:
        """Link the selected persona to the open map, or unlink it."""
        persona_id = self.selected_id()
        m = self.ws.maps.get(self.current_map_id) if self.current_map_id else None
        if persona_id is None or m is None:
            return False
        if persona_id in m.persona_ids:
            return self.editor.run(UnlinkPersonaCommand(m.id, persona_id))
        return self.editor.run(LinkPersonaCommand(m.id, persona_id))

    def import_file(self, path: Path | None = None) -> str | None:
        """Import a persona file (.json), e.g. one exported from another workspace."""
        from journeydesk.app.imports import ImportFailed, read_persona_file

        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Import persona", "",
                                                  "JourneyDesk personas (*.json)")
            if not name:
                return None
            path = Path(name)
        try:
            persona = read_persona_file(path, self.ws)
        except ImportFailed as exc:
            QMessageBox.warning(self, "Import persona", str(exc))
            return None
        if not self.editor.run(AddPersonaCommand(persona)):
            return None
        self.select(persona.id)
        return persona.id

    def export_selected(self, path: Path | None = None) -> bool:
        """Export the selected persona: .json (to copy it), .pdf or .png (the one-pager)."""
        persona = self.persona(self.selected_id())
        if persona is None:
            return False
        if path is None:
            path = ask_save_path(
                self, "Export persona", f"{persona.name}.pdf",
                "One-pager PDF (*.pdf);;One-pager picture (*.png);;Persona file (*.json)")
            if path is None:
                return False
        try:
            export_persona(persona, self.ws, path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export persona", f"{path.name}: {exc}")
            return False
        return True


def export_persona(persona: Persona, ws, path: Path) -> None:  # noqa: ANN001
    """Write a persona as .json (a persona file) or as a one-pager (.pdf, .png)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        from journeydesk.app.exports import export_persona_json

        export_persona_json(persona, path)
        return
    from journeydesk.gui.persona_page import render_persona_page

    render_persona_page(persona, ws, path)


class _HintedList(QListWidget):
    """A list that says what to do when it has nothing to show."""

    def __init__(self, empty: str, no_match: str):
        super().__init__()
        self.empty_hint, self.no_match_hint = empty, no_match

    def hint(self) -> str:
        """The text shown now: none while a row is visible."""
        if any(not self.item(i).isHidden() for i in range(self.count())):
            return ""
        return self.no_match_hint if self.count() else self.empty_hint

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().paintEvent(event)
        text = self.hint()
        if text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                 | Qt.TextFlag.TextWordWrap), text)
            painter.end()
