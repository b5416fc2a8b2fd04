"""The main window on a workspace, and the dialog for a file that cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand, EditMapCommand
from journeydesk.gui.app import open_document
from journeydesk.gui.main_window import MainWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


@pytest.fixture
def document(tmp_path: Path):
    doc = Document(WorkspaceFile.open(tmp_path / "team.jdesk", create=True))
    m, personas = sample_map()
    doc.execute(AddMapCommand(m, personas))
    yield doc
    doc.close()


def navigator_texts(window: MainWindow) -> list[list[str]]:
    nav = window.navigator
    return [[nav.topLevelItem(i).text(0)]
            + [nav.topLevelItem(i).child(j).text(0)
               for j in range(nav.topLevelItem(i).childCount())]
            for i in range(nav.topLevelItemCount())]


def test_window_lists_maps_and_personas_and_follows_edits(qtbot, document: Document) -> None:
    window = MainWindow(document)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "team.jdesk — JourneyDesk"
    assert navigator_texts(window) == [["Maps", "Membership sign-up"], ["Personas", "Maria"],
                                       ["Datasets"]]
    m = document.workspace.map_named("Membership sign-up")
    document.execute(EditMapCommand(m.id, name="Sign-up v2"))
    assert navigator_texts(window)[0] == ["Maps", "Sign-up v2"]


def test_read_only_workspace_says_so(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "ro.jdesk"
    WorkspaceFile.open(path, create=True).close()
    path.chmod(0o444)
    try:
        doc = open_document(path)
        assert doc is not None and doc.read_only
        window = MainWindow(doc)
        qtbot.addWidget(window)
        assert window.windowTitle().endswith("[read-only]")
        assert "read-only" in window.statusBar().currentMessage()
        doc.close()
    finally:
        path.chmod(0o644)


def test_bad_file_shows_a_dialog_and_is_left_alone(qtbot, tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "other.jdesk"
    bad.write_bytes(b"PK\x03\x04 a zip file, not ours")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    assert open_document(bad) is None
    assert len(shown) == 1 and "is not a JourneyDesk workspace" in shown[0]
    assert bad.read_bytes() == b"PK\x03\x04 a zip file, not ours"


def test_default_workspace_is_created_in_the_data_folder(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "workspace.jdesk"
    doc = open_document(path, create=True)
    assert doc is not None and path.exists()
    doc.close()


def test_new_from_template_and_map_menu_actions(qtbot, document: Document,
                                                monkeypatch) -> None:
    from journeydesk.gui.main_window import builtin_templates

    assert list(builtin_templates()) == ["Blank journey", "E-commerce purchase",
                                         "Membership sign-up", "SaaS trial to paid"]
    window = MainWindow(document)
    qtbot.addWidget(window)
    ws = document.workspace
    map_id = window.new_map_from_template("SaaS trial to paid")
    assert window.current_map().id == map_id and ws.maps[map_id].name == "SaaS trial to paid"
    # the membership template's name is taken by the sample map: the copy gets a free name
    second = window.new_map_from_template("Membership sign-up")
    assert ws.maps[second].name == "Membership sign-up (2)"
    copy_id = window.duplicate_map()
    assert ws.maps[copy_id].name == "Membership sign-up (2) copy"
    assert len(ws.maps[copy_id].cards) == len(ws.maps[second].cards)
    window.rename_map("Renamed copy")
    assert ws.maps[copy_id].name == "Renamed copy"
    window.delete_map(confirm=False)
    assert copy_id not in ws.maps and window.scene is None
    window.act_undo.trigger()
    assert ws.maps[copy_id].name == "Renamed copy"
    blank = window.new_map("Workshop")
    assert [s.name for s in ws.maps[blank].stages] == ["Discover", "Decide", "Use"]


def test_window_state_theme_and_recent_files_are_remembered(qtbot, document: Document,
                                                            tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    assert QSettings().allKeys() == []  # isolated by tests/gui/conftest.py
    window = MainWindow(document)
    qtbot.addWidget(window)
    window.resize(761, 543)  # the offscreen screen is 800 x 600
    window.set_theme("dark")
    window.inspector_dock.hide()
    window.close()
    other = Document(WorkspaceFile.open(tmp_path / "other.jdesk", create=True))
    again = MainWindow(other)
    qtbot.addWidget(again)
    assert again.theme.name == "dark" and again.act_dark.isChecked()
    assert (again.width(), again.height()) == (761, 543)
    assert again.inspector_dock.isHidden()
    recent = [a.text() for a in again.recent_menu.actions()]
    assert recent[:2] == [str(tmp_path / "other.jdesk"), str(document.file.path)]
    again.close()


def test_a_single_recent_file_is_read_back_as_one_entry(qtbot, document: Document) -> None:
    from PySide6.QtCore import QSettings

    QSettings().setValue("files/recent", "/somewhere/team.jdesk")  # how a lone entry comes back
    window = MainWindow(document, remember_settings=False)
    qtbot.addWidget(window)
    assert [a.text() for a in window.recent_menu.actions()] == ["/somewhere/team.jdesk"]


def _menu_windows(qtbot, tmp_path):  # noqa: ANN001, ANN202
    from canvas_helpers import open_window

    return open_window(qtbot, tmp_path)


def test_every_menu_has_distinct_access_keys(qtbot, tmp_path: Path) -> None:
    import re

    window = _menu_windows(qtbot, tmp_path)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        menu.aboutToShow.emit()  # menus filled on demand
        letters = []
        for action in menu.actions():
            if action.isSeparator():
                continue
            match = re.search(r"&(\w)", action.text())
            assert match, f"{menu.title()}: {action.text()!r} has no access key"
            letters.append(match.group(1).lower())
        assert len(letters) == len(set(letters)), (menu.title(), letters)


def test_present_shows_the_map_alone_and_esc_comes_back(qtbot, tmp_path: Path) -> None:
    from canvas_helpers import key
    from PySide6.QtCore import Qt

    window = _menu_windows(qtbot, tmp_path)
    key(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.minimap.isVisible() and window.inspector_dock.isVisible()
    key(window.view, Qt.Key.Key_F5)
    assert window.isFullScreen() and window.act_present.isChecked()
    assert not window.inspector_dock.isVisible() and not window.navigator_dock.isVisible()
    assert not window.toolbar.isVisible() and not window.menuBar().isVisible()
    # the whole map, or as much as the screen shows with its text at least 18 px: from the
    # map's top left corner (the test screen is 800 px square)
    from journeydesk.gui.canvas.text import PRESENT_SCREEN_PX, readable_zoom
    from journeydesk.gui.canvas.theme import CARD_MIN_H

    floor = readable_zoom(PRESENT_SCREEN_PX, CARD_MIN_H)
    qtbot.waitUntil(lambda: window.view.visible_scene_rect().contains(
        window.scene.layout.stage_rects[window.scene.map.stages[0].id].topLeft())
        and (window.view.zoom == pytest.approx(floor) or window.view.visible_scene_rect()
             .contains(window.scene.itemsBoundingRect())))
    assert not window.minimap.isVisible()
    key(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # menu keys still work
    assert window.view.zoom == 1.0
    key(window.view, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and not window.act_present.isChecked()
    assert window.inspector_dock.isVisible() and window.navigator_dock.isVisible()
    assert window.toolbar.isVisible() and window.menuBar().isVisible()
    assert window.minimap.wanted


def test_toolbar_buttons_stay_put_and_show_the_zoom(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QToolButton

    window = _menu_windows(qtbot, tmp_path)
    buttons = [w for w in window.toolbar.findChildren(QToolButton) if w.isVisible()]
    undo = next(b for b in buttons if b.text() == "Undo")
    place = [b.geometry() for b in buttons]
    assert not undo.isEnabled()
    window.act_add_lane.trigger()
    from canvas_helpers import name_new_lane

    name_new_lane(window, "Staff", qtbot)
    assert undo.isEnabled() and undo.text() == "Undo"
    assert undo.toolTip().startswith("Undo ")
    assert [b.geometry() for b in buttons] == place  # nothing moved along
    window.view.set_zoom(0.5)
    assert window.zoom_button.text() == "50 %"
    fit = next(a for a in window.zoom_button.menu().actions() if a.text() == "Fit to window")
    fit.trigger()
    assert window.zoom_button.text() == f"{round(window.view.zoom * 100)} %"


def test_an_empty_workspace_says_how_to_begin(qtbot, tmp_path: Path) -> None:
    doc = Document(WorkspaceFile.open(tmp_path / "empty.jdesk", create=True))
    window = MainWindow(doc, remember_settings=False)
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.placeholder
    assert "no map yet" in window.placeholder.text()
    assert "New from template" in window.placeholder.text()
    assert window.gallery.list.hint().startswith("No personas yet")
    window.new_map("First")
    assert window.placeholder.text().startswith("Double-click a map")
    window.gallery.new_persona()
    assert window.gallery.list.hint() == ""
    qtbot.keyClicks(window.gallery.search, "zzz")
    qtbot.waitUntil(lambda: window.gallery.list.hint() == "No persona matches the search.")


def test_present_takes_the_keys_even_when_a_field_had_the_focus(qtbot, tmp_path: Path) -> None:
    """F5 pressed while typing in the Inspector: that field is hidden by Present, and Right and
    Esc sent to it did nothing (the facilitator was stuck in Present)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window = _menu_windows(qtbot, tmp_path)
    field = window.inspector.map_name
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    QTest.keyClick(field, Qt.Key.Key_F5)
    assert window.act_present.isChecked()
    assert QApplication.focusWidget() is window.view
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert window.presentation.stage_index == 0
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not window.act_present.isChecked() and not window.isFullScreen()
