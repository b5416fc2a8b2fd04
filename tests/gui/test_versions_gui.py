"""Issue 19's versions in the window: Map > Save version… with a typed label, a version taken
before a bulk delete, the Versions dialog's compare (summary, pictures, change list) and
restore (one undoable edit), and File > Import over this map."""

from __future__ import annotations

import json
from pathlib import Path

from canvas_helpers import click, key, open_window
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QMessageBox

from journeydesk.app import versions
from journeydesk.exchange.json_map import dumps_map
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.version_compare import VersionCompareDialog
from journeydesk.gui.versions_dialog import SaveVersionDialog, VersionsDialog


def listed(window: MainWindow) -> list[versions.VersionInfo]:
    return versions.list_versions(window.session, window.current_map().id)


def save_via_menu(qtbot, window: MainWindow, label: str) -> None:  # noqa: ANN001
    """Ctrl+Alt+S, type the label, Enter."""
    key(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier)
    dialog = window.versions.save_dialog
    assert isinstance(dialog, SaveVersionDialog)
    qtbot.waitUntil(dialog.isVisible)
    QTest.keyClicks(dialog.label, label)
    QTest.keyClick(dialog.label, Qt.Key.Key_Return)


def delete_two_cards(window: MainWindow) -> list[str]:
    """Click one card, Ctrl+click another, press Delete; the two cards' ids."""
    scene, view = window.scene, window.view
    ids = list(window.current_map().cards)[:2]
    click(view, scene.layout.card_rects[ids[0]].center())
    click(view, scene.layout.card_rects[ids[1]].center(), Qt.KeyboardModifier.ControlModifier)
    assert set(scene.selected_card_ids()) == set(ids)
    key(view, Qt.Key.Key_Delete)
    return ids


def open_versions(qtbot, window: MainWindow) -> VersionsDialog:  # noqa: ANN001
    window.act_versions.trigger()
    dialog = window.versions.dialog
    assert isinstance(dialog, VersionsDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def select_rows(dialog: VersionsDialog, *rows: int) -> None:
    """Click the first row, Ctrl+click the others."""
    view = dialog.list
    for i, row in enumerate(rows):
        rect = view.visualItemRect(view.topLevelItem(row))
        modifier = (Qt.KeyboardModifier.ControlModifier if i else
                    Qt.KeyboardModifier.NoModifier)
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def press_restore(qtbot, dialog: VersionsDialog) -> None:  # noqa: ANN001
    dialog.restore_button.click()
    box = dialog.findChild(QMessageBox)
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isVisible)
    button = next(b for b in box.buttons() if b.text() == "Restore")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_save_version_with_a_typed_label(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    assert window.act_save_version.shortcut().toString() == "Ctrl+Alt+S"
    save_via_menu(qtbot, window, "Before the workshop")
    found = listed(window)
    assert [(v.label, v.reason, v.card_count) for v in found] == [
        ("Before the workshop", "manual", len(window.current_map().cards))]
    assert "Saved version 1" in window.statusBar().currentMessage()
    assert not window.editor.stack.canUndo()  # a version is a record, not an edit


def test_escape_cancels_saving_and_closes_the_versions_dialog(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    window.act_save_version.trigger()
    dialog = window.versions.save_dialog
    qtbot.waitUntil(dialog.isVisible)
    QTest.keyClicks(dialog.label, "not this one")
    QTest.keyClick(dialog.label, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.versions.save_dialog is None
                    or not window.versions.save_dialog.isVisible())
    assert listed(window) == []
    before = json.loads(dumps_map(window.current_map(), window.document.workspace))
    versions_dialog = open_versions(qtbot, window)
    assert versions_dialog.list.topLevelItemCount() == 0
    assert "no saved version" in versions_dialog.title.text()
    QTest.keyClick(versions_dialog.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.versions.dialog is None)
    assert json.loads(dumps_map(window.current_map(), window.document.workspace)) == before
    assert listed(window) == [] and not window.editor.stack.canUndo()


def test_a_bulk_delete_saves_a_version_first(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    count = len(m.cards)
    ids = delete_two_cards(window)
    assert not set(ids) & set(m.cards)
    found = listed(window)
    assert [(v.reason, v.card_count) for v in found] == [("before delete", count)]
    _info, kept = versions.version_map(window.session, found[0].id)
    assert set(ids) <= set(kept.cards)
    # one card deleted alone is no bulk delete: no version
    one = next(iter(m.cards))
    click(window.view, window.scene.layout.card_rects[one].center())
    key(window.view, Qt.Key.Key_Delete)
    assert one not in m.cards and len(listed(window)) == 1


def test_compare_with_now_shows_the_summary_and_the_changes(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    save_via_menu(qtbot, window, "Start")
    delete_two_cards(window)  # (and a "before delete" version)
    dialog = open_versions(qtbot, window)
    assert dialog.list.topLevelItemCount() == 2
    assert [dialog.list.topLevelItem(i).text(0) for i in range(2)][1] == "Start"
    select_rows(dialog, 1)
    assert dialog.compare_now.isEnabled() and not dialog.compare_two.isEnabled()
    qtbot.mouseClick(dialog.compare_now, Qt.MouseButton.LeftButton)
    compare = dialog.compare_dialog
    assert isinstance(compare, VersionCompareDialog)
    qtbot.waitUntil(compare.isVisible)
    summary = compare.findChild(QLabel, "versionSummary").text()
    assert "removed" in summary and summary == compare.diff.summary()
    changes = compare.findChild(QListWidget, "changeList")
    assert changes.count() == 2
    assert all("removed" in changes.item(i).text() for i in range(2))
    rect = changes.visualItemRect(changes.item(1))
    QTest.mouseClick(changes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert changes.currentRow() == 1  # (its card is brought into view on the older picture)
    removed = compare.findChild(QListWidget, "removedList")
    assert removed.count() == 2 and removed.item(0).font().strikeOut()
    for name in ("olderPicture", "newerPicture", "overlaidPicture"):
        assert not compare.findChild(QLabel, name).pixmap().isNull()
    assert [compare.tabs.tabText(i) for i in range(2)] == ["Side by side", "Overlaid"]
    compare.close()

    select_rows(dialog, 0, 1)  # the two versions: the same cards, nothing changed
    assert dialog.compare_two.isEnabled() and not dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.compare_two, Qt.MouseButton.LeftButton)
    assert dialog.compare_dialog.diff.summary() == "No changes."


def open_compare(qtbot, window: MainWindow) -> VersionCompareDialog:  # noqa: ANN001
    """Save a version, delete two cards, compare the version with now, at 1280x720."""
    save_via_menu(qtbot, window, "Start")
    delete_two_cards(window)
    dialog = open_versions(qtbot, window)
    select_rows(dialog, 1)
    qtbot.mouseClick(dialog.compare_now, Qt.MouseButton.LeftButton)
    compare = dialog.compare_dialog
    qtbot.waitUntil(compare.isVisible)
    compare.resize(1240, 680)  # a 1280x720 screen
    qtbot.waitUntil(lambda: compare.width() == 1240)
    return compare


def fits(picture) -> bool:  # noqa: ANN001
    return (picture.picture.width() <= picture.viewport().width()
            and picture.horizontalScrollBar().maximum() == 0)


def test_compare_pictures_fit_the_window_or_show_at_full_size(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    compare = open_compare(qtbot, window)
    older, newer, overlaid = compare.pictures
    assert compare.fit_button.isChecked()  # on by default: each picture as wide as its pane
    for picture in (older, newer):
        qtbot.waitUntil(lambda p=picture: fits(p))
        assert picture.scale < 1.0
        full = picture.full
        shown = picture.picture.pixmap()  # the aspect ratio kept
        assert abs(shown.height() / shown.width() - full.height() / full.width()) < 0.02
    assert compare.zoom_label.text().endswith("%")

    compare.fit_button.click()  # off: 100 %, the full width, scrolled sideways
    assert not compare.fit_button.isChecked()
    for picture in compare.pictures:
        assert picture.scale == 1.0
        assert picture.picture.width() == picture.full.width()
        assert picture.picture.pixmap().size() == picture.full.size()
    assert older.horizontalScrollBar().maximum() > 0
    assert compare.zoom_label.text() == "100 %"

    compare.fit_button.click()  # on again; and a narrower window fits again
    qtbot.waitUntil(lambda: fits(older) and fits(newer))
    before = older.scale
    compare.resize(900, 600)
    qtbot.waitUntil(lambda: older.scale < before and fits(older))

    # Ctrl+wheel zooms every picture, Fit goes off; the "100 %" button goes back to full size
    centre = QPointF(older.viewport().rect().center())
    wheel = QWheelEvent(centre, older.viewport().mapToGlobal(centre), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    scale = older.scale
    QApplication.sendEvent(older.viewport(), wheel)
    assert not compare.fit_button.isChecked()
    assert abs(older.scale - scale * 1.25) < 0.01 and newer.scale == older.scale
    qtbot.mouseClick(compare.full_button, Qt.MouseButton.LeftButton)
    assert all(p.scale == 1.0 for p in compare.pictures)


def test_side_by_side_panes_scroll_by_proportion_and_changes_scroll_to_cards(
        qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    compare = open_compare(qtbot, window)
    older, newer, _overlaid = compare.pictures
    compare.full_button.click()  # 100 %: both panes scroll
    for bar_of in ("horizontalScrollBar", "verticalScrollBar"):
        a, b = getattr(older, bar_of)(), getattr(newer, bar_of)()
        if a.maximum() == 0 or b.maximum() == 0:
            continue
        a.setValue(a.maximum())  # to the end: the other pane is at its end too
        assert b.value() == b.maximum()
        b.setValue(b.maximum() // 2)
        assert abs(a.value() - a.maximum() / 2) <= 1
        a.setValue(0)
        assert b.value() == 0

    # a change in the list scrolls its card into view, at 100 % and fitted
    changes = compare.findChild(QListWidget, "changeList")
    for fit in (False, True):
        compare.set_fit(fit)
        older.horizontalScrollBar().setValue(older.horizontalScrollBar().maximum())
        older.verticalScrollBar().setValue(older.verticalScrollBar().maximum())
        changes.setCurrentRow(-1)
        rect = changes.visualItemRect(changes.item(0))
        QTest.mouseClick(changes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        card_id = changes.item(0).data(Qt.ItemDataRole.UserRole)
        place = compare._old_places[card_id]  # noqa: SLF001 - where the card is drawn
        centre = QPointF(place.center().x() * older.scale, place.center().y() * older.scale)
        shown = older.picture.mapTo(older.viewport(), centre.toPoint())
        assert older.viewport().rect().contains(shown), (fit, shown)


def test_the_removed_list_is_wide_enough_and_wraps(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    compare = open_compare(qtbot, window)
    compare.tabs.setCurrentIndex(1)
    removed = compare.findChild(QListWidget, "removedList")
    qtbot.waitUntil(removed.isVisible)
    assert removed.wordWrap()
    assert removed.width() >= 240
    for row in range(removed.count()):  # each line whole: wrapped, never cut
        item = removed.item(row)
        assert removed.visualItemRect(item).width() <= removed.viewport().width()
        assert item.text() in item.toolTip() or item.toolTip().startswith("Card removed: ")
    texts = {c.text for c in compare.diff.cards_removed}
    assert {removed.item(r).toolTip().removeprefix("Card removed: ")
            for r in range(removed.count())} == texts


def test_restore_is_one_undoable_edit(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    original = set(m.cards)
    save_via_menu(qtbot, window, "Full map")
    dialog = open_versions(qtbot, window)
    assert dialog.list.topLevelItemCount() == 1
    ids = delete_two_cards(window)  # the open list shows the version saved first
    assert dialog.list.topLevelItemCount() == 2
    assert dialog.list.topLevelItem(0).text(4) == "before delete"
    select_rows(dialog, 1)  # "Full map" (newest first: "before delete", then it)
    assert dialog.list.selectedItems()[0].text(0) == "Full map"
    press_restore(qtbot, dialog)
    assert set(m.cards) == original
    assert dialog.list.topLevelItemCount() == 3  # "before restore" joined the list
    assert dialog.list.topLevelItem(0).text(4) == "before restore"
    dialog.close()
    window.view.setFocus()
    key(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not set(ids) & set(m.cards) and set(m.cards) == original - set(ids)
    key(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.ShiftModifier)
    assert set(m.cards) == original
    assert window.document.file.load().maps[m.id].cards.keys() == original


def test_restore_can_be_cancelled(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    save_via_menu(qtbot, window, "One")
    delete_two_cards(window)
    cards = set(window.current_map().cards)
    dialog = open_versions(qtbot, window)
    select_rows(dialog, 1)
    dialog.restore_button.click()
    box = dialog.findChild(QMessageBox)
    qtbot.waitUntil(box.isVisible)
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert set(window.current_map().cards) == cards and len(listed(window)) == 2


def test_import_over_this_map_saves_a_version_and_is_undone(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    original = set(m.cards)
    exported = tmp_path / "other.json"
    data = json.loads(dumps_map(m, window.document.workspace))
    data["cards"] = data["cards"][:3]
    exported.write_text(json.dumps(data), encoding="utf-8")
    assert window.act_import_over.isEnabled()
    assert window.maps.import_over_map(exported)
    # the file's cards are three of the map's own: they keep their identity, the rest went
    assert len(m.cards) == 3 and set(m.cards) < original
    assert [v.reason for v in listed(window)] == ["before import"]
    key(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(m.cards) == original


def test_import_over_a_bad_file_is_refused_and_changes_nothing(qtbot, tmp_path: Path,  # noqa: ANN001
                                                               monkeypatch) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _parent, _title, text, *a: warned.append(text)))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    cards = set(window.current_map().cards)
    assert not window.maps.import_over_map(bad)
    assert warned and "bad.json" in warned[0]
    assert set(window.current_map().cards) == cards and listed(window) == []
    assert not window.editor.stack.canUndo()


def test_a_version_that_cannot_be_saved_refuses_the_delete_aloud(qtbot, tmp_path: Path,  # noqa: ANN001
                                                                 monkeypatch) -> None:  # noqa: ANN001
    from journeydesk.app.session import WorkspaceError
    from journeydesk.gui import editing

    window = open_window(qtbot, tmp_path)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _parent, _title, text, *a: warned.append(text)))

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise WorkspaceError("canvas.jdesk: could not be saved (disk full)")

    monkeypatch.setattr(editing, "version_before", full_disk)
    cards = set(window.current_map().cards)
    delete_two_cards(window)
    assert set(window.current_map().cards) == cards  # not deleted without its version
    assert warned == ["canvas.jdesk: could not be saved (disk full)"]
    assert not window.editor.stack.canUndo()
