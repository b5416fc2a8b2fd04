"""The opportunity portfolio window: matrix drags, Ctrl+Z, table edits, exports, navigation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox

from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage
from journeydesk.gui import portfolio as portfolio_module
from journeydesk.gui.editing import Editor
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.portfolio import EFFORT, OWNER, STATUS, TEXT, VALUE, PortfolioWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


def build_maps(doc: Document) -> tuple[JourneyMap, JourneyMap]:
    """"Renewal": two opportunities (one scored 4/1) and a pain point; "Other": one card."""
    stages = [Stage(name="Notice"), Stage(name="Renew")]
    pains = Lane(name="Pains", type=LaneType.PAIN_POINTS)
    ideas = Lane(name="Ideas", type=LaneType.OPPORTUNITIES)
    renewal = JourneyMap(name="Renewal", stages=stages, lanes=[pains, ideas])
    pain = Card(stages[0].steps[0].id, pains.id, "Price surprise")
    scored = Card(stages[0].steps[0].id, ideas.id, "Remind a month before", value=4,
                  effort=1, status="planned", owner="Ana", addresses=[pain.id])
    unscored = Card(stages[1].steps[0].id, ideas.id, "Loyalty gift")
    for card in (pain, scored, unscored):
        renewal.cards[card.id] = card
    other = JourneyMap(name="Other", stages=[Stage(name="A")],
                       lanes=[Lane(name="Doing", type=LaneType.ACTIONS)])
    doc.execute(AddMapCommand(renewal, []))
    doc.execute(AddMapCommand(other, []))
    return renewal, other


@pytest.fixture
def setup(qtbot, tmp_path: Path):  # noqa: ANN001, ANN201
    doc = Document(WorkspaceFile.open(tmp_path / "p.jdesk", create=True))
    renewal, other = build_maps(doc)
    editor = Editor(doc)
    editor.set_current_map(other.id)  # another map is on show
    window = PortfolioWindow(editor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    yield window, renewal, editor
    doc.file.close()


def card_of(renewal: JourneyMap, text: str) -> Card:
    return next(c for c in renewal.cards.values() if c.text == text)


def drag(window: PortfolioWindow, start: QPointF, end: QPointF) -> None:
    view = window.matrix
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     a)
    for i in range(1, 7):
        QTest.mouseMove(view.viewport(), a + (b - a) * i / 6)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier, b)


def test_dragging_a_card_in_the_matrix_rescores_it_and_ctrl_z_undoes(qtbot, setup) -> None:
    window, renewal, editor = setup
    card = card_of(renewal, "Remind a month before")
    key = (renewal.id, card.id)
    drag(window, window.matrix.place_of(key), window.matrix.cell_centre(2, 5))
    assert (card.value, card.effort) == (2, 5)
    assert editor.stack_for(renewal.id).count() == 1  # on its map's history, one step
    qtbot.waitUntil(lambda: window.matrix.cell_centre(2, 5) is not None
                    and window.matrix.items_by_key[key].opportunity.value == 2)
    QTest.keyClick(window.matrix.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (card.value, card.effort) == (4, 1)  # the map on show is another one
    QTest.keyClick(window.matrix.viewport(), Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert (card.value, card.effort) == (2, 5)


def test_dragging_from_the_tray_scores_and_back_unscores(qtbot, setup) -> None:
    window, renewal, _editor = setup
    card = card_of(renewal, "Loyalty gift")
    key = (renewal.id, card.id)
    assert window.matrix.place_of(key).x() > window.matrix.cell_centre(3, 5).x()  # the tray
    drag(window, window.matrix.place_of(key), window.matrix.cell_centre(5, 2))
    assert (card.value, card.effort) == (5, 2)
    qtbot.waitUntil(lambda: window.matrix.items_by_key[key].opportunity.scored)
    drag(window, window.matrix.place_of(key), window.matrix.cell_centre(None, None))
    assert (card.value, card.effort) == (None, None)
    qtbot.waitUntil(lambda: not window.matrix.items_by_key[key].opportunity.scored)
    drag(window, window.matrix.place_of(key), QPointF(-500, -500))  # off the matrix: no edit
    assert (card.value, card.effort) == (None, None)


def row_of(window: PortfolioWindow, text: str) -> int:
    table = window.table
    return next(r for r in range(table.rowCount()) if table.item(r, TEXT).text() == text)


def edit_cell(qtbot, window: PortfolioWindow, row: int, column: int, typed) -> None:  # noqa: ANN001
    table = window.table
    table.setCurrentCell(row, column)
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    if isinstance(editor, QSpinBox):
        editor.setValue(typed)
    elif isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findText(typed))
    else:
        editor.selectAll()
        QTest.keyClicks(editor, typed)
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits in a queued call


def test_table_edits_value_effort_status_and_owner(qtbot, setup) -> None:
    window, renewal, editor = setup
    card = card_of(renewal, "Loyalty gift")
    edit_cell(qtbot, window, row_of(window, "Loyalty gift"), VALUE, 3)
    qtbot.waitUntil(lambda: card.value == 3)
    qtbot.waitUntil(lambda: window.table.item(row_of(window, "Loyalty gift"), VALUE).text()
                    == "3")
    edit_cell(qtbot, window, row_of(window, "Loyalty gift"), EFFORT, 2)
    qtbot.waitUntil(lambda: card.effort == 2)
    edit_cell(qtbot, window, row_of(window, "Loyalty gift"), STATUS, "In progress")
    qtbot.waitUntil(lambda: card.status == "in_progress")
    edit_cell(qtbot, window, row_of(window, "Loyalty gift"), OWNER, "Bo")
    qtbot.waitUntil(lambda: card.owner == "Bo")
    assert editor.stack_for(renewal.id).count() == 4
    qtbot.waitUntil(lambda: window.matrix.items_by_key[(renewal.id, card.id)]
                    .opportunity.scored)  # the matrix follows
    window.undo()
    assert card.owner is None and card.status == "in_progress"


def test_filters_narrow_table_and_matrix(qtbot, setup) -> None:
    window, renewal, _editor = setup
    assert window.table.rowCount() == 2
    window.status_filter.setCurrentIndex(window.status_filter.findData("planned"))
    window.status_filter.activated.emit(window.status_filter.currentIndex())
    assert window.table.rowCount() == 1 and len(window.matrix.items_by_key) == 1
    window.status_filter.setCurrentIndex(0)
    window.status_filter.activated.emit(0)
    QTest.keyClicks(window.search, "gift")
    assert [o.text for o in window.items] == ["Loyalty gift"]
    assert "1 of 2 opportunities" in window.count_label.text()


def test_export_buttons_write_csv_and_excel(qtbot, setup, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    window, _renewal, _editor = setup
    target = tmp_path / "out.csv"
    monkeypatch.setattr(portfolio_module, "ask_save_path", lambda *a, **k: target)
    QTest.mouseClick(window.csv_button, Qt.MouseButton.LeftButton)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Summary", "Description", "Priority", "Labels", "Status"]
    assert rows[1][0] == "Remind a month before" and rows[1][2] == "Highest"
    target = tmp_path / "out.xlsx"
    QTest.mouseClick(window.xlsx_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes()[:2] == b"PK"


def test_menu_opens_portfolio_and_double_click_shows_the_card(qtbot, tmp_path: Path) -> None:
    doc = Document(WorkspaceFile.open(tmp_path / "m.jdesk", create=True))
    renewal, other = build_maps(doc)
    window = MainWindow(doc, remember_settings=False)
    qtbot.addWidget(window)
    window.show()
    window.open_map(other.id)
    window.act_portfolio.trigger()
    portfolio = window.portfolio_window
    assert portfolio.isVisible() and portfolio.table.rowCount() == 2
    card = card_of(renewal, "Loyalty gift")
    view = portfolio.matrix
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier,
                      view.mapFromScene(view.place_of((renewal.id, card.id))))
    assert window.current_map() is renewal
    assert window.map_editor.selected_card_ids() == [card.id]
    portfolio.close()
    window.close()


def test_esc_cancels_a_cell_edit_first_then_closes_the_window(qtbot, setup) -> None:
    window, renewal, _editor = setup
    card = card_of(renewal, "Remind a month before")
    table = window.table
    table.setCurrentCell(row_of(window, "Remind a month before"), OWNER)
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_F2)
    cell_editor = QApplication.focusWidget()
    QTest.keyClicks(cell_editor, "Zed")
    QTest.keyClick(cell_editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    assert window.isVisible() and card.owner == "Ana"
    QTest.keyClick(table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert card.owner == "Ana"
