"""Pictures on cards, driven like a user: a storyboard lane, Ctrl+V on the viewport, a file
dropped on a card or an empty storyboard cell, the context menu; each one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest
from canvas_helpers import click, key, open_window, view_point
from pictures import png
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from journeydesk.domain.commands import AddCardCommand, AddLaneCommand
from journeydesk.domain.model import Card, Lane, LaneType
from journeydesk.domain.pictures import check_picture
from journeydesk.gui.canvas.pictures import STORED_SIDE, decode_count

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def board(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """A window on the sample map with a storyboard lane on top holding one captioned card."""
    refusals: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _parent, _title, text, *a: refusals.append(text)))
    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    lane = Lane(name="Storyboard", type=LaneType.STORYBOARD)
    assert window.editor.run(AddLaneCommand(m.id, lane, 0))
    card = Card(m.all_steps()[0].id, lane.id, "Sees the poster at the gym")
    assert window.editor.run(AddCardCommand(m.id, card))
    window.editor.stack.clear()
    window.refusals = refusals
    return window, lane, card


def _scene(window):  # noqa: ANN001, ANN202
    return window.map_editor.scene


def _card_centre(window, card_id: str) -> QPointF:  # noqa: ANN001
    return _scene(window).cards[card_id].sceneBoundingRect().center()


def _put_image_on_clipboard(width: int = 320, height: int = 240) -> None:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#d9682b"))
    QGuiApplication.clipboard().setImage(image)


def _drop_files(window, scene_point: QPointF, paths: list[Path]) -> bool:  # noqa: ANN001
    """Drag files from a file manager onto the canvas: enter, move, drop on the viewport."""
    view = window.view
    at = QPointF(view_point(view, scene_point))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    viewport = view.viewport()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(at.toPoint(), actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(at.toPoint(), actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(at, actions, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def test_ctrl_v_pastes_the_clipboard_image_onto_the_selected_storyboard_card(board) -> None:
    window, _lane, card = board
    view = window.view
    click(view, _card_centre(window, card.id))
    assert _scene(window).selected_card_ids() == [card.id]
    height_before = _scene(window).layout.card_rects[card.id].height()
    _put_image_on_clipboard(320, 240)
    key(view, Qt.Key.Key_V, CTRL)
    assert card.picture is not None
    assert check_picture(card.picture)[1:] == (320, 240)
    assert window.editor.stack.count() == 1
    assert window.editor.stack.undoText() == "Edit card (picture)"
    # the empty frame (16:9) became the picture (4:3) across the card, above the caption
    assert _scene(window).layout.card_rects[card.id].height() == height_before + 37
    key(view, Qt.Key.Key_Z, CTRL)  # one undo step takes it away
    assert card.picture is None
    assert _scene(window).layout.card_rects[card.id].height() == height_before
    window.editor.stack.redo()
    assert check_picture(card.picture)[1:] == (320, 240)


def test_ctrl_v_elsewhere_keeps_pasting_text(board) -> None:
    window, _lane, _card = board
    view = window.view
    m = window.current_map()
    actions = next(ln for ln in m.lanes if ln.type is LaneType.ACTIONS)
    first = m.cards_in(m.all_steps()[0].id, actions.id)[0]
    click(view, _card_centre(window, first.id))
    _put_image_on_clipboard()
    count = len(m.cards)
    key(view, Qt.Key.Key_V, CTRL)  # an image alone is no text: nothing is pasted there
    assert len(m.cards) == count and first.picture is None
    QGuiApplication.clipboard().setText("A pasted note")
    key(view, Qt.Key.Key_V, CTRL)
    assert len(m.cards) == count + 1
    assert any(c.text == "A pasted note" for c in m.cards_in(first.step_id, actions.id))


def test_ctrl_v_in_an_empty_storyboard_cell_makes_a_picture_card(board) -> None:
    window, lane, _card = board
    view = window.view
    m = window.current_map()
    step = m.all_steps()[1]
    cell = _scene(window).layout.cell_rect(step.id, lane.id)
    click(view, cell.center())  # an empty cell: the keyboard's current cell
    assert _scene(window).interactions.current_cell == (step.id, lane.id)
    _put_image_on_clipboard(200, 300)
    key(view, Qt.Key.Key_V, CTRL)
    (made,) = m.cards_in(step.id, lane.id)
    assert check_picture(made.picture)[1:] == (200, 300) and made.text == ""
    assert _scene(window).selected_card_ids() == [made.id]


def test_a_picture_file_dropped_on_a_card_becomes_its_picture(board, tmp_path: Path) -> None:
    window, _lane, card = board
    photo = tmp_path / "poster.png"
    photo.write_bytes(png(400, 300))
    assert _drop_files(window, _card_centre(window, card.id), [photo])
    assert card.picture == png(400, 300)  # small enough: stored as it was
    assert window.editor.stack.undoText() == "Edit card (picture)"
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert card.picture is None


def test_files_dropped_on_an_empty_storyboard_cell_become_cards(board, tmp_path: Path) -> None:
    window, lane, _card = board
    m = window.current_map()
    step = m.all_steps()[2]
    paths = []
    for i, size in enumerate([(300, 200), (200, 300)]):
        paths.append(tmp_path / f"shot{i}.png")
        paths[-1].write_bytes(png(*size))
    cell = _scene(window).layout.cell_rect(step.id, lane.id)
    assert _drop_files(window, cell.center(), paths)
    made = m.cards_in(step.id, lane.id)
    assert [check_picture(c.picture)[1:] for c in made] == [(300, 200), (200, 300)]
    assert window.editor.stack.count() == 1  # two cards, one undo step
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert m.cards_in(step.id, lane.id) == []


def test_a_drop_on_an_empty_cell_of_another_lane_is_refused(board, tmp_path: Path) -> None:
    window, _lane, _card = board
    m = window.current_map()
    steps = m.all_steps()
    lay = _scene(window).layout
    empty = next((s.id, ln.id) for ln in m.lanes if ln.type not in
                 (LaneType.STORYBOARD, LaneType.EMOTIONS) for s in steps
                 if not m.cards_in(s.id, ln.id))
    photo = tmp_path / "p.png"
    photo.write_bytes(png(10, 10))
    count = len(m.cards)
    assert not _drop_files(window, lay.cell_rect(*empty).center(), [photo])
    assert len(m.cards) == count


def test_a_file_that_is_no_picture_is_refused_in_one_line(board, tmp_path: Path) -> None:
    window, _lane, card = board
    fake = tmp_path / "holiday.png"
    fake.write_text("not a picture at all", encoding="utf-8")
    _drop_files(window, _card_centre(window, card.id), [fake])
    assert card.picture is None
    assert window.refusals == ["holiday.png: the picture is not a PNG or JPEG image"]
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png(1, 1, declared=(100_000, 100_000)))
    assert not _scene(window).interactions.add_picture_from_file(card.id, str(bomb))
    assert "100,000 x 100,000 pixels" in window.refusals[-1]
    assert window.editor.stack.count() == 0


def test_a_large_picture_file_is_stored_scaled_down(board, tmp_path: Path) -> None:
    window, _lane, card = board
    image = QImage(3200, 2400, QImage.Format.Format_RGB32)
    image.fill(QColor("#3d6fd1"))
    big = tmp_path / "big.jpg"
    assert image.save(str(big), "JPG", 95)
    assert _scene(window).interactions.add_picture_from_file(card.id, str(big))
    _mime, width, height = check_picture(card.picture)
    assert (width, height) == (STORED_SIDE, STORED_SIDE * 3 // 4)


def test_context_menu_adds_pastes_and_removes_pictures(board) -> None:
    window, lane, card = board
    interactions = _scene(window).interactions
    QGuiApplication.clipboard().setText("no picture")
    menu = interactions.build_context_menu(_card_centre(window, card.id))
    texts = [a.text() for a in menu.actions()]
    assert "Add picture…" in texts and "Paste picture" not in texts
    assert "Remove picture" not in texts
    _put_image_on_clipboard()
    menu = interactions.build_context_menu(_card_centre(window, card.id))
    next(a for a in menu.actions() if a.text() == "Paste picture").trigger()
    assert card.picture is not None
    menu = interactions.build_context_menu(_card_centre(window, card.id))
    texts = [a.text() for a in menu.actions()]
    assert "Replace picture…" in texts
    next(a for a in menu.actions() if a.text() == "Remove picture").trigger()
    assert card.picture is None
    assert window.editor.stack.undoText() == "Edit card (picture)"
    # an empty storyboard cell offers a new picture card
    step = window.current_map().all_steps()[3]
    cell = _scene(window).layout.cell_rect(step.id, lane.id)
    menu = interactions.build_context_menu(cell.center())
    texts = [a.text() for a in menu.actions()]
    assert "Add picture here…" in texts and "Paste picture here" in texts


def test_pictures_are_decoded_once_not_on_every_paint(board) -> None:
    window, _lane, card = board
    assert _scene(window).interactions.set_picture(card.id, png(640, 480, (200, 40, 40)))
    window.view.viewport().grab()
    decoded = decode_count()
    for zoom in (0.5, 1.5, 1.0):
        window.view.set_zoom(zoom)
        window.view.viewport().grab()
    _scene(window).relayout()
    window.view.viewport().grab()
    assert decode_count() == decoded


def test_a_picture_shows_on_the_canvas(board) -> None:
    window, _lane, card = board
    colour = (200, 40, 40)
    assert _scene(window).interactions.set_picture(card.id, png(400, 300, colour))
    window.view.ensureVisible(_scene(window).cards[card.id], 20, 20)
    shot = window.view.viewport().grab().toImage()
    rect = _scene(window).cards[card.id].sceneBoundingRect()
    top_third = QPointF(rect.center().x(), rect.top() + rect.height() / 4)
    at: QPoint = window.view.mapFromScene(top_third)
    assert QColor(shot.pixel(at)).getRgb()[:3] == colour
    # a card with a picture in another lane shows a thumbnail row
    m = window.current_map()
    actions = next(ln for ln in m.lanes if ln.type is LaneType.ACTIONS)
    other = m.cards_in(m.all_steps()[0].id, actions.id)[0]
    before = _scene(window).layout.card_rects[other.id].height()
    assert _scene(window).interactions.set_picture(other.id, png(40, 30))
    assert _scene(window).layout.card_rects[other.id].height() == before + 40


def test_the_lane_dialog_offers_storyboard(qtbot) -> None:
    from journeydesk.gui.lane_dialog import AddLaneDialog

    dialog = AddLaneDialog(set())
    qtbot.addWidget(dialog)
    labels = [dialog.type_combo.itemText(i) for i in range(dialog.type_combo.count())]
    assert "Storyboard" in labels
    dialog.name_field.setText("Photos from the workshop")
    assert dialog.lane_type() is LaneType.STORYBOARD


def test_copied_cards_keep_their_pictures(board) -> None:
    window, lane, card = board
    view = window.view
    assert _scene(window).interactions.set_picture(card.id, png(50, 40))
    click(view, _card_centre(window, card.id))
    key(view, Qt.Key.Key_C, CTRL)
    key(view, Qt.Key.Key_V, CTRL)  # our own cards on the clipboard: pasted as cards
    cell = window.current_map().cards_in(card.step_id, lane.id)
    assert [c.picture for c in cell] == [png(50, 40), png(50, 40)]
    assert cell[0].id != cell[1].id
