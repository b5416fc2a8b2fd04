"""Starting the desktop app: the QApplication, opening the workspace, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from journeydesk import __version__
from journeydesk.app.session import Document, LookupFailed, WorkspaceError, find_map
from journeydesk.app.session import open_document as open_workspace
from journeydesk.resources import app_icon_path


def application() -> QApplication:
    """The process's QApplication, created with our names on first use."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setStyle("Fusion")  # the same look on every platform, and it honours our palettes
        app.setWindowIcon(QIcon(str(app_icon_path())))
        from journeydesk.gui.canvas.clipboard import release_clipboard

        app.aboutToQuit.connect(release_clipboard)
    app.setApplicationName("JourneyDesk")
    app.setOrganizationName("JourneyDesk")
    app.setApplicationVersion(__version__)
    return app  # type: ignore[return-value]


def open_document(path: Path, *, create: bool = False,
                  parent: QWidget | None = None) -> Document | None:
    """Open the workspace at ``path``; on failure show why in a dialog and return None."""
    try:
        return open_workspace(path, create=create)
    except (WorkspaceError, OSError) as exc:
        QMessageBox.critical(parent, "JourneyDesk",
                             f"The workspace could not be opened.\n\n{exc}")
        return None


def run_app(path: Path, *, create: bool = False, map_name: str | None = None,
            screenshot: Path | None = None, theme: str | None = None,
            welcome: bool = False) -> int:
    """Show the main window on the workspace at ``path``; returns the exit status.

    With ``screenshot`` the window is drawn once, saved to that PNG and the app exits (this
    works offscreen, for documentation and checks).
    """
    from journeydesk.gui.main_window import MainWindow

    app = application()
    if screenshot is not None:  # no one to click a dialog away: say it on stderr
        try:
            document = open_workspace(path, create=create)
        except (WorkspaceError, OSError) as exc:
            print(f"journeydesk: error: {exc}", file=sys.stderr)
            return 1
    else:
        document = open_document(path, create=create)
    if document is None:
        return 1
    window = MainWindow(document, remember_settings=screenshot is None)
    if theme:
        window.set_theme(theme)
    if map_name is not None:
        try:
            journey_map = find_map(document.workspace, map_name, str(path))
        except LookupFailed as exc:
            print(f"journeydesk: error: {exc}", file=sys.stderr)
            document.close()
            return 1
        window.open_map(journey_map.id)
    elif document.workspace.maps:  # land on a map rather than an empty canvas
        first = min(document.workspace.maps.values(), key=lambda m: m.name.casefold())
        window.open_map(first.id)
    if welcome:
        window.show_welcome()
    if screenshot is not None:
        return _screenshot(app, window, screenshot)
    window.show()
    return app.exec()


def _screenshot(app: QApplication, window: QMainWindow, out: Path) -> int:
    window.resize(1600, 1000)
    window.show()
    for _ in range(3):
        app.processEvents()
    view = getattr(window, "view", None)
    if view is not None and view.scene() is not None:
        view.fit()  # the whole map, as a reader of the picture wants it
        app.processEvents()
    ok = window.grab().save(str(out), "PNG")
    window.close()
    if not ok:
        print(f"journeydesk: error: {out}: could not be written", file=sys.stderr)
        return 1
    return 0
