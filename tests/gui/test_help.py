"""Help menu (guide, shortcuts, about) and the first start's welcome band."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest


def test_user_guide_shortcuts_and_about(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    guide = window._show_help("user_guide")
    text = guide.findChild(object, "userGuide").toPlainText()
    assert "A first look" in text and "Data overlay" in text
    guide.close()
    sheet = window._show_help("shortcuts")
    table = sheet.findChild(object, "shortcutsTable")
    rows = {(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    assert ("Undo", "Ctrl+Z") in rows and ("Data overlay", "Ctrl+Shift+O") in rows
    sheet.close()
    about = window._show_help("about")
    info = about.findChild(object, "about").toPlainText()
    assert "JourneyDesk" in info and "PySide6-Essentials" in info and "6.11.3" in info
    about.close()


def test_welcome_band_shows_once_and_can_turn_the_overlay_on(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    assert window.show_welcome()
    assert window.welcome.isVisible()
    QTest.mouseClick(window.welcome.close_button, Qt.MouseButton.LeftButton)
    assert not window.welcome.isVisible()
    assert QSettings().value("welcome/dismissed") in (True, "true")
    assert not window.show_welcome()  # dismissed for good
