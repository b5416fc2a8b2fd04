"""The persona editor: the form of ``ui/persona_editor.ui``, bound to one persona.

Every field is saved when it is finished (Enter, leaving the field, ticking a channel), as one
undoable command on the window's undo stack; Ctrl+Z works inside the dialog too.  The form follows
the document, so an undo made elsewhere shows here at once; it stops following when the dialog
finishes (Esc, Close) or is destroyed, never only in ``closeEvent``, which Esc does not call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QFile, QIODevice, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journeydesk.domain.commands import Changes, EditPersonaCommand
from journeydesk.domain.model import DomainError, Persona
from journeydesk.gui.actions import redo_keys
from journeydesk.gui.avatar import avatar_pixmap
from journeydesk.gui.editing import Editor
from journeydesk.gui.listening import follow
from journeydesk.gui.persona_photo import PhotoError, load_photo
from journeydesk.resources import ui_path

UI_FILE = ui_path("persona_editor.ui")
CHANNELS = ("web", "email", "mobile app", "phone", "store", "social", "chat", "sms")
LIST_FIELDS = {"goalsEdit": "goals", "frustrationsEdit": "frustrations", "needsEdit": "needs",
               "motivationsEdit": "motivations"}
TEXT_FIELDS = {"nameEdit": "name", "roleEdit": "role", "ageRangeEdit": "age_range",
               "locationEdit": "location", "quoteEdit": "quote"}
PLAIN_FIELDS = {"bioEdit": "bio", "notesEdit": "notes"}
FIELD_LINES = 5  # the bio and the list fields show this many lines without scrolling


def load_form(parent: QWidget) -> QWidget:
    """The Designer form, built as a child widget of ``parent``."""
    ui_file = QFile(str(UI_FILE))
    if not ui_file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError(f"cannot read {UI_FILE}")
    try:
        form = QUiLoader().load(ui_file, parent)
    finally:
        ui_file.close()
    if form is None:
        raise RuntimeError(f"cannot build the form in {UI_FILE}")
    return form


def lines_height(edit: QPlainTextEdit, lines: int) -> int:
    """The height in which ``edit`` shows ``lines`` lines of its font without scrolling."""
    text = edit.fontMetrics().lineSpacing() * lines + 2 * edit.document().documentMargin()
    return math.ceil(text) + 2 * edit.frameWidth()


def parse_segment(text: str) -> dict[str, str]:
    """``column = value`` lines as a segment; DomainError naming the first bad line."""
    segment: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        column, sep, value = line.partition("=")
        if not sep or not column.strip() or not value.strip():
            raise DomainError(f"segment line {number}: write it as 'attribute = value'")
        segment[column.strip()] = value.strip()
    return segment


def format_segment(segment: dict[str, str]) -> str:
    """The segment as ``column = value`` lines."""
    return "\n".join(f"{column} = {value}" for column, value in segment.items())


class PersonaEditorDialog(QDialog):
    """Edits one persona of the document; changes are saved field by field."""

    def __init__(self, editor: Editor, persona_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.persona_id = persona_id
        self._loading = False
        self._stop_following: Callable[[], None] | None = None
        self.setObjectName("personaEditor")
        self.form = load_form(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        self.setWindowTitle("Persona")

        find = self.form.findChild
        self.name_edit: QLineEdit = find(QLineEdit, "nameEdit")
        self.photo_label: QLabel = find(QLabel, "photoLabel")
        self.choose_photo: QPushButton = find(QPushButton, "choosePhotoButton")
        self.remove_photo: QPushButton = find(QPushButton, "removePhotoButton")
        self.tech_comfort: QSpinBox = find(QSpinBox, "techComfortSpin")
        self.tags_edit: QLineEdit = find(QLineEdit, "tagsEdit")
        self.channels: QListWidget = find(QListWidget, "channelsList")
        self.segment_edit: QPlainTextEdit = find(QPlainTextEdit, "segmentEdit")
        self.lines = {key: find(QLineEdit, name) for name, key in TEXT_FIELDS.items()}
        self.plains = {key: find(QPlainTextEdit, name)
                       for name, key in {**PLAIN_FIELDS, **LIST_FIELDS}.items()}
        find(QDialogButtonBox, "buttonBox").rejected.connect(self.close)
        # Enter finishes a field; it must not press a button (a dialog's buttons are "auto
        # default", so Enter in a line edit would open the photo chooser or close the editor).
        for button in self.form.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self._size_text_fields()
        self.resize(self.form.size().expandedTo(self.minimumSizeHint()))

        self._add_undo_actions()
        self._connect_signals()
        self._load()

    def _size_text_fields(self) -> None:
        """Bio and the list fields show ``FIELD_LINES`` lines (measured in their font)."""
        bio = self.plains["bio"]
        bio.setFixedHeight(lines_height(bio, FIELD_LINES))
        for key in LIST_FIELDS.values():
            self.plains[key].setMinimumHeight(lines_height(self.plains[key], FIELD_LINES))

    # -- wiring --------------------------------------------------------------------------
    def _add_undo_actions(self) -> None:
        undo = QAction("Undo", self)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.triggered.connect(self.editor.group.undo)  # the active history, whichever
        redo = QAction("Redo", self)
        redo.setShortcuts(redo_keys())  # each key once, as in the main window
        redo.triggered.connect(self.editor.group.redo)
        self.addActions([undo, redo])

    def _connect_signals(self) -> None:
        for key, edit in self.lines.items():
            edit.editingFinished.connect(lambda k=key, e=edit: self._save(k, e.text()))
        for key, edit in self.plains.items():
            edit.installEventFilter(self)
            edit.setProperty("personaField", key)
        self.segment_edit.installEventFilter(self)
        self.tags_edit.editingFinished.connect(
            lambda: self._save("tags", [t.strip() for t in self.tags_edit.text().split(",")]))
        self.tech_comfort.valueChanged.connect(lambda v: self._save("tech_comfort", v or None))
        self.channels.itemChanged.connect(self._on_channel_changed)
        self.choose_photo.clicked.connect(lambda _checked=False: self.choose_photo_file())
        self.remove_photo.clicked.connect(lambda: self._save("photo", None))
        self.finished.connect(self._on_finished)
        self._follow_document()

    def _follow_document(self) -> None:
        # Until the dialog finishes or is destroyed (see listening.follow).
        if self._stop_following is None:
            self._stop_following = follow(self, self.editor.document, self._on_document_changed)

    def _on_finished(self, _result: int) -> None:
        self._stop_following = None  # follow() has unsubscribed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FocusOut:
            if watched is self.segment_edit:
                self._save_segment()
            elif isinstance(watched, QPlainTextEdit):
                key = watched.property("personaField")
                text = watched.toPlainText()
                self._save(key, text.splitlines() if key in LIST_FIELDS.values() else text)
        return super().eventFilter(watched, event)

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if self._stop_following is None:
            # Shown again after it finished: it heard nothing meanwhile, so catch up first.
            self._load()
            self._follow_document()
        super().showEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        focused = self.focusWidget()
        if isinstance(focused, QPlainTextEdit):
            focused.clearFocus()  # saves what is being typed
        super().closeEvent(event)

    # -- model -> form -------------------------------------------------------------------
    @property
    def persona(self) -> Persona | None:
        """The persona being edited (None once it was deleted)."""
        return self.editor.document.workspace.personas.get(self.persona_id)

    def _on_document_changed(self, changes: Changes) -> None:
        if ("persona", self.persona_id) in changes:
            if self.persona is None:
                self.close()
            else:
                self._load()

    def _load(self) -> None:
        persona = self.persona
        if persona is None:
            return
        self._loading = True
        try:
            self.setWindowTitle(f"Persona: {persona.name}")
            for key, edit in self.lines.items():
                if edit.text() != getattr(persona, key):
                    edit.setText(getattr(persona, key))
            for key, edit in self.plains.items():
                value = getattr(persona, key)
                text = "\n".join(value) if isinstance(value, list) else value
                if edit.toPlainText() != text:
                    edit.setPlainText(text)
            tags = ", ".join(persona.tags)
            if self.tags_edit.text() != tags:
                self.tags_edit.setText(tags)
            self.tech_comfort.setValue(persona.tech_comfort or 0)
            segment = format_segment(persona.segment)
            if self.segment_edit.toPlainText() != segment:
                self.segment_edit.setPlainText(segment)
            self._load_channels(persona)
            self.photo_label.setPixmap(avatar_pixmap(persona, 128))
            self.remove_photo.setEnabled(persona.photo is not None)
        finally:
            self._loading = False

    def _load_channels(self, persona: Persona) -> None:
        wanted = [*CHANNELS, *(c for c in persona.channels if c not in CHANNELS)]
        if [self.channels.item(i).text() for i in range(self.channels.count())] != wanted:
            self.channels.clear()
            for channel in wanted:
                item = QListWidgetItem(channel, self.channels)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                # An item shows a check box only once it has a check state, even unticked.
                item.setCheckState(Qt.CheckState.Unchecked)
        for i in range(self.channels.count()):
            item = self.channels.item(i)
            state = Qt.CheckState.Checked if item.text() in persona.channels else \
                Qt.CheckState.Unchecked
            if item.data(Qt.ItemDataRole.CheckStateRole) is None or item.checkState() != state:
                item.setCheckState(state)

    # -- form -> model -------------------------------------------------------------------
    def _save(self, key: str, value: Any) -> bool:
        persona = self.persona
        if self._loading or persona is None:
            return False
        if isinstance(value, str) and key not in {"bio", "notes"}:
            value = value.strip()
        if isinstance(value, list):
            value = [v.strip() for v in value if v.strip()]
        if getattr(persona, key) == value:
            return False
        try:
            command = EditPersonaCommand(self.persona_id, **{key: value})
        except DomainError as exc:
            self._refuse(str(exc))
            return False
        if not self.editor.run(command):
            self._load()  # show the stored value again
            return False
        return True

    def _save_segment(self) -> None:
        try:
            segment = parse_segment(self.segment_edit.toPlainText())
        except DomainError as exc:
            self._refuse(str(exc))
            return
        self._save("segment", segment)

    def _on_channel_changed(self, _item: QListWidgetItem) -> None:
        if self._loading:
            return
        checked = [self.channels.item(i).text() for i in range(self.channels.count())
                   if self.channels.item(i).checkState() == Qt.CheckState.Checked]
        self._save("channels", checked)

    def choose_photo_file(self, path: str | None = None) -> bool:
        """Ask for a picture (or take ``path``) and store it as the persona's photo."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a photo", "",
                                                  "Pictures (*.png *.jpg *.jpeg)")
            if not path:
                return False
        try:
            photo = load_photo(path)
        except PhotoError as exc:
            self._refuse(str(exc))
            return False
        return self._save("photo", photo)

    def _refuse(self, message: str) -> None:
        QMessageBox.warning(self, "Persona", message)


def open_persona_editor(editor: Editor, persona_id: str, parent: QWidget | None,
                        registry: dict[str, PersonaEditorDialog]) -> PersonaEditorDialog:
    """Show the editor of a persona, reusing an open one (one window per persona).

    A closed editor is never shown again: it is deleted, and the next call makes a new one.
    """
    dialog = registry.get(persona_id)
    if dialog is None or not dialog.isVisible():
        dialog = PersonaEditorDialog(editor, persona_id, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        registry[persona_id] = dialog
        dialog.destroyed.connect(lambda *_, d=dialog: _forget(registry, persona_id, d))
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def _forget(registry: dict[str, PersonaEditorDialog], persona_id: str,
            dialog: PersonaEditorDialog) -> None:
    # A closed editor is deleted later (WA_DeleteOnClose); a new one may hold its place by then.
    if registry.get(persona_id) is dialog:
        del registry[persona_id]
