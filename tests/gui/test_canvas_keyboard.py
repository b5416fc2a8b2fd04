"""Clipboard, find, keyboard-only use, "+" buttons, zoom and pan on the canvas."""

from __future__ import annotations

import copy
from pathlib import Path

from canvas_helpers import click, drag, key, name_new_lane, open_window, type_text, view_point
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from journeydesk.gui.canvas.clipboard import MIME_TYPE
from journeydesk.gui.main_window import MainWindow


def card_named(window: MainWindow, text: str):
    return next(c for c in window.current_map().cards.values() if c.text == text)


def card_center(window: MainWindow, text: str) -> QPointF:
    return window.scene.layout.card_rects[card_named(window, text).id].center()


def test_copy_paste_within_and_across_maps(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view = window.view
    m = window.current_map()
    click(view, card_center(window, "Phone number is required but its use is not explained"))
    key(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    data = QGuiApplication.clipboard().mimeData()
    assert data.hasFormat(MIME_TYPE)
    assert data.text() == "Phone number is required but its use is not explained"
    click(view, card_center(window, "Membership conditions are hard to find"))
    key(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    target = card_named(window, "Membership conditions are hard to find")
    cell = m.cards_in(target.step_id, target.lane_id)
    assert [c.text for c in cell] == ["Membership conditions are hard to find",
                                      "Phone number is required but its use is not explained"]
    assert cell[1].severity == 3  # our own format keeps every field
    window.act_undo.trigger()
    assert len(m.cards_in(target.step_id, target.lane_id)) == 1

    other = window.new_map("Second map")
    assert window.current_map().id == other
    window.view.setFocus()
    key(window.view, Qt.Key.Key_Tab)  # empty map: nothing to select, paste goes to cell 1
    key(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    pasted = list(window.current_map().cards.values())
    assert [c.text for c in pasted] == ["Phone number is required but its use is not explained"]


def test_cut_removes_and_paste_restores(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view = window.view
    m = window.current_map()
    card = card_named(window, "Newsletter")
    cell = (card.step_id, card.lane_id)
    click(view, card_center(window, "Newsletter"))
    key(view, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert card.id not in m.cards
    click(view, card_center(window, "Landing page"))
    key(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [c.text for c in m.cards_in(*cell)] == ["Landing page", "Newsletter"]


def test_plain_text_from_another_app_becomes_one_card_per_line(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view = window.view
    m = window.current_map()
    before = copy.deepcopy(window.document.workspace)
    data = QMimeData()
    data.setText("Slow page\n\n  Lost password  \nNo guest checkout\n")
    QGuiApplication.clipboard().setMimeData(data)
    click(view, card_center(window, "Opens the sign-up form"))
    key(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    anchor = card_named(window, "Opens the sign-up form")
    assert [c.text for c in m.cards_in(anchor.step_id, anchor.lane_id)] == [
        "Opens the sign-up form", "Slow page", "Lost password", "No guest checkout"]
    assert window.editor.stack.count() == 1  # one paste, one undo step
    window.act_undo.trigger()
    assert window.document.workspace == before


def test_find_highlights_enter_cycles_escape_clears(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene = window.scene
    key(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.hasFocus()
    QTest.keyClicks(window.find_bar, "e-mail")
    highlighted = sorted(i.card.text for i in scene.cards.values() if i.highlighted)
    assert highlighted == ["Ask only for e-mail and password; the rest later",
                           "Confirmation e-mail", "The e-mail lands in spam or arrives late",
                           "Waits for the confirmation e-mail"]
    QTest.keyClick(window.find_bar, Qt.Key.Key_Return)
    first = scene.selected_card_ids()
    QTest.keyClick(window.find_bar, Qt.Key.Key_Return)
    second = scene.selected_card_ids()
    assert len(first) == len(second) == 1 and first != second
    for _ in range(3):
        QTest.keyClick(window.find_bar, Qt.Key.Key_Return)
    assert scene.selected_card_ids() == first  # wrapped around after four matches
    QTest.keyClick(window.find_bar, Qt.Key.Key_Escape)
    assert window.find_bar.text() == ""
    assert not any(i.highlighted for i in scene.cards.values())


def test_keyboard_only_navigation_edit_and_delete(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    before = copy.deepcopy(window.document.workspace)
    key(view, Qt.Key.Key_Tab)
    first = m.ordered_cards()[0]
    assert scene.selected_card_ids() == [first.id]
    key(view, Qt.Key.Key_Down)  # next card down: the Touchpoints lane's first card
    assert m.card(scene.selected_card_ids()[0]).text == "Newsletter"
    key(view, Qt.Key.Key_Down)
    assert m.card(scene.selected_card_ids()[0]).text == "Landing page"
    key(view, Qt.Key.Key_Right)  # Start form column, Touchpoints lane: empty cell
    assert scene.selected_card_ids() == []
    sign_up_form = m.stage_named("Sign up").steps[0].id
    assert scene.interactions.current_cell == (sign_up_form, m.lane_named("Touchpoints").id)
    key(view, Qt.Key.Key_Return)  # Enter on an empty cell: a new card there
    type_text(view, "Form page")
    key(view, Qt.Key.Key_Return)
    assert [c.text for c in m.cards_in(*scene.interactions.current_cell)] == ["Form page"]
    key(view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    key(view, Qt.Key.Key_Tab)
    assert m.card(scene.selected_card_ids()[0]).text == "Form page"
    key(view, Qt.Key.Key_Return)
    type_text(view, "Sign-up form page")
    key(view, Qt.Key.Key_Return)
    assert card_named(window, "Sign-up form page")
    key(view, Qt.Key.Key_Delete)
    assert all(c.text != "Sign-up form page" for c in m.cards.values())
    for _ in range(3):
        window.act_undo.trigger()
    assert window.document.workspace == before


def test_plus_buttons_add_a_stage_and_a_lane_with_inline_names(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    click(view, scene.add_stage_button.sceneBoundingRect().center())
    type_text(view, "Renew")
    key(view, Qt.Key.Key_Return)
    assert m.stages[-1].name == "Renew"
    click(view, scene.add_lane_button.sceneBoundingRect().center())
    name_new_lane(window, "Channels", qtbot)  # asked in a dialog, its type guessed
    assert (m.lanes[-1].name, m.lanes[-1].type) == ("Channels", "touchpoints")
    for _ in range(3):
        window.act_undo.trigger()
    assert m.stages[-1].name == "First use" and m.lanes[-1].name == "Backstage"


def test_double_click_header_renames_and_duplicate_names_are_refused(qtbot, tmp_path: Path,
                                                                    monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: messages.append(text)))
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    stage = m.stage_named("Discover")
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier,
                      view_point(view, scene.layout.stage_rects[stage.id].center()))
    type_text(view, "Sign up")
    key(view, Qt.Key.Key_Return)
    assert stage.name == "Discover"
    assert messages and "already a stage named 'Sign up'" in messages[0]
    assert window.editor.stack.count() == 0


def test_zoom_with_ctrl_wheel_and_keys_and_pan_with_middle_drag(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view = window.view
    assert view.zoom == 1.0
    key(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.zoom - 1.2) < 1e-6
    key(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.0
    window.act_zoom_fit.trigger()
    assert view.zoom < 1.0
    assert window.zoom_label.text() == f"{round(view.zoom * 100)} %"
    window.act_zoom_reset.trigger()
    h = view.horizontalScrollBar()
    h.setValue(h.maximum() // 2)
    start = h.value()
    centre = view.mapToScene(view.viewport().rect().center())
    drag(view, centre, centre + QPointF(-200, 0), button=Qt.MouseButton.MiddleButton)
    assert h.value() > start  # dragging the map left scrolls right
    assert window.editor.stack.count() == 0


def test_every_canvas_item_has_an_accessible_name(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene = window.scene
    named = [*scene.cards.values(), *scene.stages.values(), *scene.steps.values(),
             *scene.lanes.values(), *scene.points.values()]
    assert named
    for item in named:
        assert item.accessible_name().strip()
    click(window.view, card_center(window, "Newsletter"))
    assert window.view.accessibleDescription() == "touchpoints card: Newsletter"


def test_pinch_gesture_zooms_the_canvas(qtbot, tmp_path: Path) -> None:
    from PySide6.QtGui import QNativeGestureEvent, QPointingDevice
    from PySide6.QtWidgets import QApplication

    window = open_window(qtbot, tmp_path)
    view = window.view
    centre = QPointF(view.viewport().rect().center())
    pinch = QNativeGestureEvent(Qt.NativeGestureType.ZoomNativeGesture,
                                QPointingDevice.primaryPointingDevice(), 2, centre, centre,
                                QPointF(view.viewport().mapToGlobal(centre)), 0.5,
                                QPointF(0, 0))
    QApplication.sendEvent(view.viewport(), pinch)
    assert abs(view.zoom - 1.5) < 1e-6
    assert window.zoom_label.text() == "150 %"


def test_minimap_shows_and_moves_the_visible_area(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view, minimap = window.view, window.minimap
    assert minimap.isVisible()
    view.set_zoom(2.0)
    target = window.scene.sceneRect().bottomRight() - QPointF(100, 100)
    QTest.mouseClick(minimap.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, minimap.mapFromScene(target))
    assert view.visible_scene_rect().contains(target)
    key(view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert not minimap.isVisible()
    view.set_zoom(2.0)
    assert not minimap.isVisible()  # switched off stays off, even when it would help
    key(view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert minimap.isVisible()


def test_minimap_never_hides_a_map_that_fits(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view, minimap = window.view, window.minimap
    key(view, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)  # fit to window
    assert view.visible_scene_rect().contains(window.scene.itemsBoundingRect())
    assert not minimap.isVisible()
    key(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # 100 %: part of it is out
    assert minimap.isVisible()
    viewport = view.viewport().geometry()
    assert viewport.contains(minimap.geometry())
    # a narrower window (a projector at 1280 x 720) gets a smaller minimap, still in the corner
    wide = minimap.width()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: minimap.width() < wide)
    assert minimap.width() <= max(100, view.viewport().width() // 5 + 1)
    assert view.viewport().geometry().contains(minimap.geometry())
    assert minimap.geometry().right() == view.viewport().geometry().right() - minimap.MARGIN


def test_navigator_double_click_opens_a_map(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    second = window.new_map("Second journey")
    first = next(m.id for m in window.document.workspace.maps.values() if m.id != second)
    nav = window.navigator
    maps = nav.topLevelItem(0)
    item = next(maps.child(i) for i in range(maps.childCount())
                if maps.child(i).text(0) == "Membership sign-up")
    rect = nav.visualItemRect(item)
    # item views only take a double-click on the index that was pressed first
    QTest.mousePress(nav.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseRelease(nav.viewport(), Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseDClick(nav.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.current_map().id == first


def test_both_redo_keys_redo_on_the_canvas(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    stack = window.editor.stack
    lanes = len(window.current_map().lanes)
    window.act_add_lane.trigger()
    name_new_lane(window, "Staff", qtbot)
    assert len(window.current_map().lanes) == lanes + 1
    for redo in ((Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                  | Qt.KeyboardModifier.ShiftModifier),
                 (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)):
        key(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert len(window.current_map().lanes) == lanes and stack.canRedo()
        key(window.view, *redo)
        assert len(window.current_map().lanes) == lanes + 1, redo
