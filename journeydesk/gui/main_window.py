"""The main window: workspace navigator dock and the central map area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QTreeWidget,
    QTreeWidgetItem,
)

from journeydesk.domain.commands import Changes
from journeydesk.store.document import Document


class MainWindow(QMainWindow):
    """One window per open workspace."""

    def __init__(self, document: Document):
        super().__init__()
        self.document = document
        self.setObjectName("MainWindow")
        self.resize(1280, 800)

        self.navigator = QTreeWidget()
        self.navigator.setObjectName("navigator")
        self.navigator.setHeaderHidden(True)
        self.navigator.setAccessibleName("Workspace navigator")
        dock = QDockWidget("Workspace", self)
        dock.setObjectName("navigatorDock")
        dock.setWidget(self.navigator)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

        self.placeholder = QLabel("Choose a map in the navigator.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.placeholder)

        self._connect_signals()
        self._refresh_navigator()
        self._update_title()

    def _connect_signals(self) -> None:
        self.document.subscribe(self._on_document_changed)

    def _on_document_changed(self, changes: Changes) -> None:
        if any(key[0] in ("map", "persona", "stages") for key in changes):
            self._refresh_navigator()

    def _refresh_navigator(self) -> None:
        ws = self.document.workspace
        self.navigator.clear()
        maps = QTreeWidgetItem(self.navigator, ["Maps"])
        for m in sorted(ws.maps.values(), key=lambda m: m.name.casefold()):
            item = QTreeWidgetItem(maps, [m.name])
            item.setToolTip(0, f"{len(m.stages)} stages, {len(m.cards)} cards")
            item.setData(0, Qt.ItemDataRole.UserRole, m.id)
        personas = QTreeWidgetItem(self.navigator, ["Personas"])
        for p in sorted(ws.personas.values(), key=lambda p: p.name.casefold()):
            QTreeWidgetItem(personas, [p.name]).setData(0, Qt.ItemDataRole.UserRole, p.id)
        self.navigator.expandAll()

    def _update_title(self) -> None:
        title = f"{self.document.file.path.name} — JourneyDesk"
        if self.document.read_only:
            title += " [read-only]"
            self.statusBar().showMessage("This workspace is read-only: changes cannot be saved.")
        self.setWindowTitle(title)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.document.unsubscribe(self._on_document_changed)
        super().closeEvent(event)
