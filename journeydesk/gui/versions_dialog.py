"""Map versions in the window: Map > Save version… and Map > Versions….

:class:`VersionsUi` is the window's part behind both commands.  Save version asks a label in a
small dialog (Esc cancels, nothing is saved); Versions opens :class:`VersionsDialog`, the list
of the map's versions (label, date, author, cards, why it was taken) with Compare with now,
Compare two selected (:mod:`.version_compare`), Restore (asked first; one undoable edit run
through the editor, after a "before restore" version) and Save version.  A version is a record,
not an edit: saving one is not undone.  See :mod:`journeydesk.app.versions`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app import versions
from journeydesk.app.session import WorkspaceError, WorkspaceSession
from journeydesk.domain.model import DomainError
from journeydesk.gui.author import author_name
from journeydesk.gui.editing import Editor
from journeydesk.gui.line_dialog import LineDialog
from journeydesk.gui.listening import follow
from journeydesk.gui.version_compare import VersionCompareDialog

# Errors a version operation reports (in the window's warning) instead of raising.
_FAILURES = (DomainError, WorkspaceError, versions.VersionError)
COLUMNS = ("Label", "Date", "Author", "Cards", "Reason")


def describe(info: versions.VersionInfo) -> str:
    """A version as a title names it: "version 3 'Before workshop'"."""
    return f"version {info.seq} {info.label!r}"


class SaveVersionDialog(LineDialog):
    """Asks the label of the version to save (``self.label``)."""

    def __init__(self, map_name: str, parent: QWidget | None = None):
        super().__init__("Save version", "Label:",
                         f"Keeps {map_name!r} as it is now, to compare with or restore later. "
                         "Without a label it is called \"Version n\".",
                         max_length=versions.MAX_LABEL_CHARS,
                         ok=QDialogButtonBox.StandardButton.Save, parent=parent)
        self.setObjectName("saveVersionDialog")
        self.label = self.line
        self.label.setAccessibleName("Version label")
        self.label.setPlaceholderText("e.g. After the workshop")


class VersionsUi(QObject):
    """The window's version commands on the map on show."""

    status = Signal(str, int)
    refused = Signal(str)

    def __init__(self, session: WorkspaceSession, editor: Editor,
                 current_map_id: Callable[[], str | None], dialog_parent: QWidget):
        super().__init__(dialog_parent)
        self.session = session
        self.editor = editor
        self.current_map_id = current_map_id
        self.parent_widget = dialog_parent
        self.save_dialog: SaveVersionDialog | None = None
        self.dialog: VersionsDialog | None = None

    def save_version(self, map_id: str | None = None) -> SaveVersionDialog | None:
        """Map > Save version…: ask a label (window-modal), save on OK."""
        map_id = map_id or self.current_map_id()
        if map_id is None or map_id not in self.session.workspace.maps:
            return None
        dialog = SaveVersionDialog(self.session.workspace.maps[map_id].name,
                                   self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.save(map_id, dialog.label.text()))
        dialog.setModal(True)
        dialog.open()
        self.save_dialog = dialog
        return dialog

    def save(self, map_id: str, label: str) -> versions.VersionInfo | None:
        """Save the map as it is now under ``label``; None (and ``refused``) on failure."""
        try:
            info = versions.save_version(self.session, map_id, label, author=author_name())
        except _FAILURES as exc:
            self.refused.emit(f"The version could not be saved: {exc}")
            return None
        self.status.emit(f"Saved {describe(info)}", 5000)
        if self.dialog is not None and self.dialog.map_id == map_id:
            self.dialog.refresh()
        return info

    def show_versions(self, map_id: str | None = None) -> VersionsDialog | None:
        """Map > Versions…: the map's versions (one window, brought to the front)."""
        map_id = map_id or self.current_map_id()
        if map_id is None or map_id not in self.session.workspace.maps:
            return None
        if self.dialog is not None:
            self.dialog.close()
        dialog = VersionsDialog(self, map_id, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: self._forget(dialog))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()  # Esc closes it at once
        self.dialog = dialog
        return dialog

    def _forget(self, dialog: VersionsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def restore(self, version_id: str) -> bool:
        """Restore a version as one undoable edit (after a "before restore" version)."""
        try:
            command = versions.restore_command(self.session, version_id, author=author_name())
        except _FAILURES as exc:
            self.refused.emit(f"The version could not be restored: {exc}")
            return False
        if not self.editor.run(command):
            return False
        self.status.emit(f"{command.label} (Edit > Undo takes it back)", 8000)
        return True


class VersionsDialog(QDialog):
    """The versions of one map, newest first, with compare, restore and save."""

    def __init__(self, ui: VersionsUi, map_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = ui
        self.map_id = map_id
        self.setObjectName("versionsDialog")
        self.compare_dialog: VersionCompareDialog | None = None
        self.title = QLabel()
        self.list = QTreeWidget()
        self.list.setObjectName("versionList")
        self.list.setAccessibleName("Versions")
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setColumnWidth(0, 240)
        self.list.setColumnWidth(1, 130)
        self.compare_now = QPushButton("Compare with &now")
        self.compare_two = QPushButton("Compare &two selected")
        self.restore_button = QPushButton("&Restore…")
        self.save_button = QPushButton("&Save version…")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.compare_now, self.compare_two, self.restore_button,
                       self.save_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addWidget(self.list, 1)
        column.addLayout(buttons)
        self._connect_signals()
        self.refresh()
        self.resize(720, 420)

    def _connect_signals(self) -> None:
        follow(self, self.ui.session.document, self._on_document_changed)
        self.list.itemSelectionChanged.connect(self._on_selection_changed)
        self.list.itemDoubleClicked.connect(lambda _item, _col: self.compare_with_now())
        self.compare_now.clicked.connect(lambda _c=False: self.compare_with_now())
        self.compare_two.clicked.connect(lambda _c=False: self.compare_selected())
        self.restore_button.clicked.connect(lambda _c=False: self.ask_restore())
        self.save_button.clicked.connect(lambda _c=False: self.ui.save_version(self.map_id))

    def _on_document_changed(self, changes: frozenset) -> None:
        """An edit of this map may have saved a version first (a bulk delete), or renamed it."""
        if any(len(key) > 1 and key[1] == self.map_id for key in changes):
            self.refresh()

    # ------------------------------------------------------------------ the list
    def refresh(self) -> None:
        """Read the versions again (newest first), keeping the selection."""
        ws = self.ui.session.workspace
        name = ws.maps[self.map_id].name if self.map_id in ws.maps else "a deleted map"
        self.setWindowTitle(f"Versions of {name}")
        chosen = set(self.selected_ids())
        self.list.clear()
        try:
            found = versions.list_versions(self.ui.session, self.map_id)
        except _FAILURES as exc:
            found = []
            self.ui.refused.emit(str(exc))
        for info in found:
            local = info.created_at.astimezone()
            item = QTreeWidgetItem([info.label, local.strftime("%Y-%m-%d %H:%M"),
                                    info.author or "—", str(info.card_count), info.reason])
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(0, f"Version {info.seq}, {info.size:,} bytes stored")
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
            item.setSelected(info.id in chosen)
        count = "1 version" if len(found) == 1 else f"{len(found)} versions"
        self.title.setText(f"{count} of {name!r}, newest first. Select one to "
                           "compare it with now or restore it, or two to compare them."
                           if found else f"{name!r} has no saved version yet.")
        self._on_selection_changed()

    def selected_ids(self) -> list[str]:
        """The ids of the selected versions, in list order (newest first)."""
        return [self.list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.list.topLevelItemCount())
                if self.list.topLevelItem(i).isSelected()]

    def _on_selection_changed(self) -> None:
        n = len(self.selected_ids())
        writable = not self.ui.session.read_only
        self.compare_now.setEnabled(n == 1)
        self.compare_two.setEnabled(n == 2)
        self.restore_button.setEnabled(n == 1 and writable)
        self.save_button.setEnabled(writable)

    # ------------------------------------------------------------------ compare
    def compare_with_now(self, version_id: str | None = None) -> VersionCompareDialog | None:
        """Compare a version (the selected one) with the map as it is now."""
        ids = [version_id] if version_id else self.selected_ids()
        if len(ids) != 1:
            return None
        return self._compare(ids[0], None)

    def compare_selected(self) -> VersionCompareDialog | None:
        """Compare the two selected versions, the older one first."""
        ids = self.selected_ids()
        if len(ids) != 2:
            return None
        return self._compare(ids[1], ids[0])  # the list is newest first

    def _compare(self, old_id: str, new_id: str | None) -> VersionCompareDialog | None:
        session = self.ui.session
        try:
            old_info, old = versions.version_map(session, old_id)
            if new_id is None:
                new = session.workspace.map(self.map_id)
                new_title = "now"
            else:
                new_info, new = versions.version_map(session, new_id)
                new_title = describe(new_info)
        except _FAILURES as exc:
            self.ui.refused.emit(f"Cannot compare: {exc}")
            return None
        dialog = VersionCompareDialog(old, new, dict(session.workspace.personas),
                                      (describe(old_info), new_title), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.compare_dialog = dialog
        return dialog

    # ------------------------------------------------------------------ restore
    def ask_restore(self) -> QMessageBox | None:
        """Ask whether to restore the selected version (window-modal); restore on yes."""
        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        item = self.list.selectedItems()[0]
        box = QMessageBox(QMessageBox.Icon.Question, "Restore version",
                          f"Make the map as it was in {item.text(0)!r}?\n\nA version of the map "
                          "as it is now is saved first, and Edit > Undo takes the restore back.",
                          QMessageBox.StandardButton.Cancel, self)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(restore)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self._restore(ids[0]) if button is restore else None)
        box.open()
        return box

    def _restore(self, version_id: str) -> None:
        self.ui.restore(version_id)
        self.refresh()
