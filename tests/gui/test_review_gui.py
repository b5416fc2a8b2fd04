"""Issue 19's owner and review in the window: the inspector's map page sets them (undoable),
and the navigator marks a map whose review is due or whose data is stale."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDateEdit, QTreeWidgetItem, QWidget
from test_data_overlay import add_log, overlay_on

from journeydesk.gui.main_window import MainWindow

PAST = (date.today() - timedelta(days=7)).isoformat()
FUTURE = (date.today() + timedelta(days=60)).isoformat()


def map_item(window: MainWindow) -> QTreeWidgetItem:
    maps = window.navigator.topLevelItem(0)
    m = window.current_map()
    return next(maps.child(i) for i in range(maps.childCount())
                if maps.child(i).data(0, Qt.ItemDataRole.UserRole) == ("map", m.id))


def marked(window: MainWindow) -> bool:
    return not map_item(window).icon(0).isNull()


def type_into(widget: QWidget, text: str) -> None:
    """Click into a field, replace its text and press Enter, as a user does."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def type_date(edit: QDateEdit, day: str) -> None:
    """Type a date into a date edit from its year on, as after clicking on the year."""
    edit.setFocus()
    if edit.date().year() > 2000:  # (over "Not set", typing starts at the year by itself)
        edit.setSelectedSection(QDateEdit.Section.YearSection)
    QTest.keyClicks(edit, day.replace("-", ""))  # each part moves on to the next
    QTest.keyClick(edit, Qt.Key.Key_Return)


def undo(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_owner_and_review_date_are_set_in_the_inspector_and_undone(qtbot,
                                                                   tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    inspector, rows = window.inspector, window.inspector.review_rows
    assert inspector.pages.currentWidget() is inspector.map_page
    assert rows.review_by.text() == "Not set" and rows.review_days.text() == "Not set"
    assert not rows.clear_review_by.isEnabled() and not marked(window)
    m = window.current_map()
    steps = window.editor.stack.count()

    type_into(rows.owner, "Ana Ruiz")
    assert m.owner == "Ana Ruiz"
    type_date(rows.review_by, PAST)  # typed over "Not set"
    assert m.review_by == PAST
    assert window.editor.stack.count() == steps + 2  # one step each
    assert rows.clear_review_by.isEnabled()
    # the navigator marks the map at once and says why
    assert marked(window)
    tip = map_item(window).toolTip(0)
    assert f"Review due: review was due {PAST}" in tip and "Owner: Ana Ruiz" in tip

    undo(qtbot, window)
    assert m.review_by is None and rows.review_by.text() == "Not set"
    assert not marked(window)
    undo(qtbot, window)
    assert m.owner == "" and rows.owner.text() == ""
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert m.owner == "Ana Ruiz" and rows.owner.text() == "Ana Ruiz"

    type_date(rows.review_by, PAST)
    assert marked(window)
    type_date(rows.review_by, FUTURE)  # a later date: the mark goes
    assert m.review_by == FUTURE and not marked(window)
    assert rows.review_by.date().toString("yyyy-MM-dd") == FUTURE
    type_date(rows.review_by, PAST)
    qtbot.mouseClick(rows.clear_review_by, Qt.MouseButton.LeftButton)  # no date at all
    assert m.review_by is None and rows.review_by.text() == "Not set"
    assert not marked(window)
    undo(qtbot, window)
    assert m.review_by == PAST and marked(window)


def test_a_map_is_stale_until_a_snapshot_is_saved(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.review_rows
    m = window.current_map()
    steps = window.editor.stack.count()
    type_into(rows.review_days, "30")
    assert m.review_days == 30 and window.editor.stack.count() == steps + 1
    assert rows.review_days.text() == "30 days"
    assert marked(window)
    assert "Stale: no data snapshot yet (review every 30 days)" in map_item(window).toolTip(0)

    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    window.save_snapshot()  # today's numbers: fresh again
    assert not marked(window)
    assert "Stale" not in map_item(window).toolTip(0)

    undo(qtbot, window)  # no interval: nothing to be stale against
    assert m.review_days is None and rows.review_days.text() == "Not set"
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert m.review_days == 30 and rows.review_days.value() == 30 and not marked(window)


def test_a_refused_owner_shows_the_models_value_again(qtbot, tmp_path: Path,
                                                     monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    from journeydesk.domain.commands_checks import MAX_OWNER_CHARS

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.review_rows
    type_into(rows.owner, "Ana")
    steps = window.editor.stack.count()
    type_into(rows.owner, "x" * (MAX_OWNER_CHARS + 1))
    assert shown and window.current_map().owner == "Ana" and rows.owner.text() == "Ana"
    assert window.editor.stack.count() == steps  # a refused edit is no undo step
