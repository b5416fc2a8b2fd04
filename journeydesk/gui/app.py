"""Starting the desktop app: the QApplication, opening the workspace, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from journeydesk import __version__
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile


def application() -> QApplication:
    """The process's QApplication, created with our names on first use."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("JourneyDesk")
    app.setOrganizationName("JourneyDesk")
    app.setApplicationVersion(__version__)
    return app  # type: ignore[return-value]


def open_document(path: Path, *, create: bool = False,
                  parent: QWidget | None = None) -> Document | None:
    """Open the workspace at ``path``; on failure show why in a dialog and return None."""
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        return Document(WorkspaceFile.open(path, create=create))
    except (WorkspaceError, OSError) as exc:
        QMessageBox.critical(parent, "JourneyDesk",
                             f"The workspace could not be opened.\n\n{exc}")
        return None


def run_app(path: Path, *, create: bool = False) -> int:
    """Show the main window on the workspace at ``path``; returns the exit status."""
    from journeydesk.gui.main_window import MainWindow

    app = application()
    document = open_document(path, create=create)
    if document is None:
        return 1
    window = MainWindow(document)
    window.show()
    try:
        return app.exec()
    finally:
        document.close()
