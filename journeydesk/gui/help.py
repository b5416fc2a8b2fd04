"""Help: the user guide, the keyboard shortcuts of the window, the about box."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
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


def shortcuts(window: QMainWindow) -> QDialog:
    """Every menu command of the window with its keys, read from the actions themselves."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for action in menu.actions() if menu else []:
            keys = ", ".join(k.toString() for k in action.shortcuts())
            if keys and action.text():
                rows.append((menu_action.text().replace("&", ""),
                             action.text().replace("&", "").replace("…", ""), keys))
    table = QTableWidget(len(rows), 3)
    table.setObjectName("shortcutsTable")
    table.setHorizontalHeaderLabels(["Menu", "Command", "Keys"])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return _dialog(window, "Keyboard shortcuts", table, (560, 640))


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
