"""Help menu (guide, shortcuts, about) and the first start's welcome band."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import key, open_window, type_text
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QTableWidget

from journeydesk.gui.main_window import MainWindow


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


def open_shortcuts_from_the_help_menu(window: MainWindow) -> QTableWidget:
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "&Keyboard shortcuts").trigger()
    sheet = next(d for d in window.findChildren(QDialog)
                 if d.windowTitle() == "Keyboard shortcuts" and d.isVisible())
    return sheet.findChild(QTableWidget, "shortcutsTable")


def table_rows(table: QTableWidget) -> list[tuple[str, str, str]]:
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def test_shortcuts_sheet_lists_each_key_once_and_the_canvas_keys(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    table = open_shortcuts_from_the_help_menu(window)
    rows = table_rows(table)
    for where, command, keys in rows:
        sequences = keys.split(", ")
        assert len(sequences) == len(set(sequences)), (where, command, keys)
    redo = next(keys for where, command, keys in rows if (where, command) == ("Edit", "Redo"))
    assert redo.split(", ").count("Ctrl+Y") == 1
    assert ("Edit", "Undo", "Ctrl+Z") in rows
    assert not table.verticalHeader().isVisible()  # no row numbers
    assert table.horizontalHeader().stretchLastSection()
    canvas = {keys: command for where, command, keys in rows if where == "Canvas"}
    assert set(canvas) == {"Tab, Shift+Tab", "Arrow keys", "Enter, F2", "Backspace", "Esc",
                           "Space+drag", "Ctrl+wheel"}
    assert "Delete" in canvas["Backspace"] and "Pan" in canvas["Space+drag"]
    editing = {keys: command for where, command, keys in rows if where == "Editing text"}
    assert set(editing) == {"Enter", "Shift+Enter", "Esc"}
    # the menu commands come first, the canvas keys after them
    assert [r[0] for r in rows].index("Canvas") > max(
        i for i, r in enumerate(rows) if r[0] not in ("Canvas", "Editing text"))


def test_the_canvas_keys_of_the_sheet_do_what_it_says(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    order = [c.id for c in m.ordered_cards()]
    key(view, Qt.Key.Key_Tab)  # Tab, Shift+Tab
    key(view, Qt.Key.Key_Tab)
    assert scene.selected_card_ids() == [order[1]]
    key(view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert scene.selected_card_ids() == [order[0]]
    key(view, Qt.Key.Key_Down)  # arrow keys
    assert scene.selected_card_ids() not in ([], [order[0]])
    key(view, Qt.Key.Key_Up)
    assert scene.selected_card_ids() == [order[0]]
    key(view, Qt.Key.Key_F2)  # Enter, F2: edit; while editing, Esc cancels
    assert scene.interactions.editor_item is not None
    type_text(view, "changed")
    key(view, Qt.Key.Key_Escape)
    assert scene.interactions.editor_item is None and m.card(order[0]).text != "changed"
    key(view, Qt.Key.Key_Return)  # editing: Shift+Enter adds a line, Enter keeps the text
    type_text(view, "one")
    key(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(view, "two")
    key(view, Qt.Key.Key_Return)
    assert m.card(order[0]).text == "one\ntwo"
    key(view, Qt.Key.Key_Backspace)  # Backspace deletes the selection
    assert order[0] not in m.cards
    key(view, Qt.Key.Key_Tab)
    key(view, Qt.Key.Key_Escape)  # Esc clears the selection
    assert scene.selected_card_ids() == []
    bar = view.horizontalScrollBar()  # Space+drag pans
    bar.setValue(bar.maximum() // 2)
    start, centre = bar.value(), view.viewport().rect().center()
    QTest.keyPress(view.viewport(), Qt.Key.Key_Space)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, centre)
    for step in range(1, 9):
        QTest.mouseMove(view.viewport(), centre - QPoint(25 * step, 0))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier, centre - QPoint(200, 0))
    QTest.keyRelease(view.viewport(), Qt.Key.Key_Space)
    assert bar.value() > start
    zoom = view.zoom  # Ctrl+wheel zooms
    wheel = QWheelEvent(QPointF(centre), QPointF(view.viewport().mapToGlobal(centre)),
                        QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom > zoom
    assert window.editor.stack.count() == 2  # the two-line edit and the delete


def test_welcome_band_shows_once_and_can_turn_the_overlay_on(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    assert window.show_welcome()
    assert window.welcome.isVisible()
    QTest.mouseClick(window.welcome.close_button, Qt.MouseButton.LeftButton)
    assert not window.welcome.isVisible()
    assert QSettings().value("welcome/dismissed") in (True, "true")
    assert not window.show_welcome()  # dismissed for good
