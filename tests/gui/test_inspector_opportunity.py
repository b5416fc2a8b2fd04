"""The inspector's opportunity rows: value, effort, status, owner and the pain points an
opportunity addresses, each edit undoable; hidden on other cards."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, open_window
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from journeydesk.gui.main_window import MainWindow


def select(window: MainWindow, text: str):  # noqa: ANN201
    card = next(c for c in window.current_map().cards.values() if c.text.startswith(text))
    click(window.view, window.scene.layout.card_rects[card.id].center())
    return card


def undo(window: MainWindow) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_opportunity_fields_are_edited_and_undone(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.opportunity_rows
    card = select(window, "Ask only for e-mail")
    form = window.inspector.card_page.layout()
    assert all(form.isRowVisible(w) for w in rows.rows)

    rows.value.setFocus()
    QTest.keyClick(rows.value, Qt.Key.Key_Up)
    QTest.keyClick(rows.value, Qt.Key.Key_Up)
    assert card.value == 2
    rows.effort.setValue(4)
    assert card.effort == 4
    rows.status.setCurrentIndex(3)
    rows.status.activated.emit(3)
    assert card.status == "in_progress"
    rows.owner.setFocus()
    rows.owner.selectAll()
    QTest.keyClicks(rows.owner, "Ana")
    QTest.keyClick(rows.owner, Qt.Key.Key_Return)
    assert card.owner == "Ana"

    texts = [rows.addresses.item(i).text() for i in range(rows.addresses.count())]
    assert any(t.startswith("Phone number is required") for t in texts)
    assert not any(t.startswith("Ask only") for t in texts)  # never itself
    phone = next(i for i, t in enumerate(texts) if t.startswith("Phone number"))
    item = rows.addresses.item(phone)
    rect = rows.addresses.visualItemRect(item)
    # tick the box at the row's left edge, as a user does
    QTest.mouseClick(rows.addresses.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(rect.left() + 10, rect.center().y()))
    assert item.checkState() == Qt.CheckState.Checked
    pain = next(c for c in window.current_map().cards.values()
                if c.text.startswith("Phone number is required"))
    assert card.addresses == [pain.id]

    undo(window)
    assert card.addresses == []
    undo(window)
    assert card.owner is None
    undo(window)
    assert card.status is None
    assert rows.status.currentIndex() == 0  # the field shows the model again


def test_rows_are_hidden_on_other_cards(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.opportunity_rows
    select(window, "Phone number is required")
    form = window.inspector.card_page.layout()
    assert not any(form.isRowVisible(w) for w in rows.rows)
