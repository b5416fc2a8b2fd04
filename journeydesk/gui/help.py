"""Help: the user guide, the keyboard shortcuts of the window, the about box."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from journeydesk import __version__
from journeydesk.resources import docs_path

DOCS = docs_path()


def _dialog(parent: QWidget, title: str, body: QWidget, size: tuple[int, int]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body, 1)
    layout.addWidget(buttons)
    dialog.resize(*size)
    return dialog


def user_guide(parent: QWidget) -> QDialog:
    """docs/user-guide.md, shown in the app (links to the other docs work too)."""
    browser = QTextBrowser()
    browser.setObjectName("userGuide")
    browser.setOpenLinks(True)
    browser.setSearchPaths([str(DOCS)])
    guide = DOCS / "user-guide.md"
    browser.setSource(QUrl.fromLocalFile(str(guide)))
    if not browser.toPlainText().strip():  # the docs folder did not ship with this install
        browser.setMarkdown("The user guide is not installed here.")
    return _dialog(parent, "JourneyDesk user guide", browser, (760, 720))


# Keys of the canvas that no menu command has (journeydesk/gui/canvas: Interactions.key_press,
# MapView's pan and zoom, InlineEditor).  Keep in step with that code and docs/canvas.md.
CANVAS_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Canvas", "Next / previous card in reading order", "Tab, Shift+Tab"),
    ("Canvas", "Move between cards and cells (an empty cell can be selected)", "Arrow keys"),
    ("Canvas", "Edit the selected card or header; on an empty cell, add a card", "Enter, F2"),
    ("Canvas", "Delete the selection (like Edit > Delete)", "Backspace"),
    ("Canvas", "Clear the selection", "Esc"),
    ("Canvas", "Pan the map (hold Space and drag)", "Space+drag"),
    ("Canvas", "Zoom in or out", "Ctrl+wheel"),
    ("Editing text", "Keep the text", "Enter"),
    ("Editing text", "New line in a card", "Shift+Enter"),
    ("Editing text", "Cancel the edit", "Esc"),
)


def action_keys(action: QAction) -> str:
    """An action's key sequences as text, each once, in the action's order."""
    keys = dict.fromkeys(k.toString() for k in action.shortcuts() if not k.isEmpty())
    return ", ".join(keys)


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(where, command, keys): every menu command of the window with keys, then the canvas keys.

    The menu rows are read from the actions themselves, so they always show the keys that work.
    """
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for action in menu.actions() if menu else []:
            keys = action_keys(action)
            if keys and action.text():
                rows.append((menu_action.text().replace("&", ""),
                             action.text().replace("&", "").replace("…", ""), keys))
    return rows + list(CANVAS_KEYS)


def shortcuts(window: QMainWindow) -> QDialog:
    """Every menu command of the window with its keys, and the canvas's own keys."""
    rows = shortcut_rows(window)
    table = QTableWidget(len(rows), 3)
    table.setObjectName("shortcutsTable")
    table.setHorizontalHeaderLabels(["Where", "Command", "Keys"])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.resizeColumnsToContents()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    return _dialog(window, "Keyboard shortcuts", table, (720, 700))


def versions() -> list[tuple[str, str]]:
    """JourneyDesk and the libraries it runs on, with their versions."""
    out = [("JourneyDesk", __version__), ("Python", platform.python_version())]
    for package in ("PySide6-Essentials", "SQLAlchemy", "duckdb", "openpyxl", "pyqtgraph"):
        try:
            out.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            out.append((package, "not installed"))
    return out


def about(parent: QWidget) -> QDialog:
    """The about box: what this is and the versions."""
    browser = QTextBrowser()
    browser.setObjectName("about")
    lines = "".join(f"<tr><td>{name}</td><td>{version}</td></tr>" for name, version in versions())
    browser.setHtml("<h2>JourneyDesk</h2><p>Journey maps joined to real behavioural data, "
                    f"fully offline.</p><table cellpadding='3'>{lines}</table>")
    return _dialog(parent, "About JourneyDesk", browser, (420, 360))
