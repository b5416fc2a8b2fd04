"""Starting the desktop app: the QApplication, opening the workspace, the main window."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from journeydesk import __version__
from journeydesk.app.session import (
    Document,
    LookupFailed,
    WorkspaceError,
    WorkspaceInUseError,
    find_map,
)
from journeydesk.app.session import open_document as open_workspace
from journeydesk.domain.model import Workspace
from journeydesk.gui import heap
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
    """Open the workspace at ``path``; on failure show why in a dialog and return None.

    A workspace another window or program has open for writing can still be looked at: the
    dialog then offers to open it read-only (or to cancel).
    """
    try:
        return open_workspace(path, create=create)
    except WorkspaceInUseError:
        if not ask_open_read_only(path, parent):
            return None
    except (WorkspaceError, OSError) as exc:
        QMessageBox.critical(parent, "JourneyDesk",
                             f"The workspace could not be opened.\n\n{exc}")
        return None
    try:
        return open_workspace(path, read_only=True)
    except (WorkspaceError, OSError) as exc:
        QMessageBox.critical(parent, "JourneyDesk",
                             f"The workspace could not be opened read-only.\n\n{exc}")
        return None


def ask_open_read_only(path: Path, parent: QWidget | None = None) -> bool:
    """Ask whether to open a workspace that is in use read-only: True for Open read-only."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Workspace in use",
                      f"{path.name} is open in another JourneyDesk window or program.",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("Open it read-only to look at it, present it or export it; "
                           "nothing in it can be changed from this window. To edit it, "
                           "close it there first.")
    read_only = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(read_only)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is read_only


# ---------------------------------------------------------------------------- the last map used
def _last_map_key(workspace_path: Path) -> str:
    # A digest of the absolute path: a QSettings key must hold no slash or backslash.
    digest = hashlib.sha1(str(workspace_path.resolve()).encode("utf-8"), usedforsecurity=False)
    return f"lastMap/{digest.hexdigest()}"


def remember_map(workspace_path: Path, map_id: str) -> None:
    """Note ``map_id`` as the map last shown from the workspace at ``workspace_path``."""
    QSettings().setValue(_last_map_key(workspace_path), map_id)


def map_to_reopen(workspace_path: Path, workspace: Workspace, *,
                  remembered: bool = True) -> str | None:
    """The map to land on when the workspace opens: the one last used (unless not
    ``remembered``) while it is there, else the alphabetically first; None without maps."""
    last = QSettings().value(_last_map_key(workspace_path)) if remembered else None
    if isinstance(last, str) and last in workspace.maps:
        return last
    if not workspace.maps:
        return None
    return min(workspace.maps.values(), key=lambda m: m.name.casefold()).id


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
    elif (start := map_to_reopen(path, document.workspace,
                                 remembered=screenshot is None)) is not None:
        window.open_map(start)  # land on a map rather than an empty canvas
    if welcome:
        window.show_welcome()
    if screenshot is not None:
        return _screenshot(app, window, screenshot)
    heap.settle()  # what the start-up made stays out of the collector's full passes
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
