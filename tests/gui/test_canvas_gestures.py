"""Canvas gestures driven through the view's viewport, checked in the workspace, then undone."""

from __future__ import annotations

import copy
from pathlib import Path

from canvas_helpers import click, double_click, drag, key, open_window, type_text
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt

from journeydesk.gui.main_window import MainWindow
from journeydesk.store.workspace_file import WorkspaceFile


def reopen(window: MainWindow):
    """The workspace as stored on disk (read-only, alongside the open window)."""
    with WorkspaceFile.open(window.document.file.path, read_only=True) as ws_file:
        return ws_file.load()


def cell_point(window: MainWindow, stage: str, lane: str, step: int = 0) -> tuple:
    m = window.current_map()
    step_id = m.stage_named(stage).steps[step].id
    lane_id = m.lane_named(lane).id
    return step_id, lane_id


def test_double_click_empty_cell_creates_a_card_and_undo_removes_it(qtbot, tmp_path: Path):
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    step_id, lane_id = cell_point(window, "Use" if m.stage_named("Use") else "First use",
                                  "Thoughts")
    before = copy.deepcopy(window.document.workspace)
    rect = scene.layout.cell_rect(step_id, lane_id)
    double_click(view, QPointF(rect.center().x(), rect.bottom() - 12))
    assert scene.interactions.editor_item is not None
    type_text(view, "Where is my discount?")
    key(view, Qt.Key.Key_Return)
    cards = m.cards_in(step_id, lane_id)
    assert [c.text for c in cards][-1] == "Where is my discount?"
    assert reopen(window) == window.document.workspace  # committed at once
    window.act_undo.trigger()
    assert window.document.workspace == before
    window.act_redo.trigger()
    assert m.cards_in(step_id, lane_id)[-1].text == "Where is my discount?"


def card_named(window: MainWindow, text: str):
    return next(c for c in window.current_map().cards.values() if c.text == text)


def card_center(window: MainWindow, text: str) -> QPointF:
    return window.scene.layout.card_rects[card_named(window, text).id].center()


def test_inline_edit_commits_on_enter_and_cancels_on_escape(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view = window.view
    card = card_named(window, "Opens the sign-up form")
    double_click(view, card_center(window, card.text))
    type_text(view, "Opens the form")
    key(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(view, "on mobile")
    key(view, Qt.Key.Key_Return)
    assert card.text == "Opens the form\non mobile"
    double_click(view, card_center(window, card.text))
    type_text(view, "something else")
    key(view, Qt.Key.Key_Escape)
    assert card.text == "Opens the form\non mobile"
    assert window.editor.stack.count() == 1
    window.act_undo.trigger()
    assert card.text == "Opens the sign-up form"


def test_drag_a_card_to_another_cell_and_position(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    before = copy.deepcopy(window.document.workspace)
    landing = card_named(window, "Landing page")
    target_step = m.stage_named("Confirm e-mail").steps[0].id
    touch = m.lane_named("Touchpoints").id
    top_card = scene.layout.card_rects[m.cards_in(target_step, touch)[0].id]
    drag(view, card_center(window, "Landing page"), QPointF(top_card.center().x(),
                                                           top_card.top() + 4))
    assert (landing.step_id, landing.lane_id, landing.position) == (target_step, touch, 0)
    assert [c.text for c in m.cards_in(target_step, touch)] == ["Landing page",
                                                              "Confirmation e-mail"]
    assert reopen(window) == window.document.workspace
    assert window.editor.stack.count() == 1
    window.act_undo.trigger()
    assert window.document.workspace == before


def test_multi_select_with_ctrl_click_and_drag_moves_both_as_one_step(qtbot,
                                                                     tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    before = copy.deepcopy(window.document.workspace)
    click(view, card_center(window, "Newsletter"))
    click(view, card_center(window, "Landing page"), Qt.KeyboardModifier.ControlModifier)
    assert len(scene.selected_card_ids()) == 2
    backstage = m.lane_named("Backstage").id
    first_use = m.stage_named("First use").steps[0].id
    target = scene.layout.cell_rect(first_use, backstage)
    drag(view, card_center(window, "Newsletter"), QPointF(target.center().x(),
                                                         target.top() + 20))
    assert [c.text for c in m.cards_in(first_use, backstage)] == ["Newsletter", "Landing page"]
    assert window.editor.stack.count() == 1
    window.act_undo.trigger()
    assert window.document.workspace == before


def test_rubber_band_selects_the_cards_it_touches(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    lay = scene.layout
    a = lay.card_rects[card_named(window, "Newsletter").id]
    b = lay.card_rects[card_named(window, "Landing page").id]
    start = QPointF(a.left() - 6, a.top() - 5)  # empty cell space just outside the card
    drag(view, start, QPointF(b.center().x(), b.bottom() - 4))
    assert {scene.map.card(i).text for i in scene.selected_card_ids()} == {"Newsletter",
                                                                           "Landing page"}
    assert window.document.workspace == reopen(window)  # selecting changes nothing


def test_drag_a_stage_header_to_reorder(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    names = [s.name for s in m.stages]
    discover = scene.layout.stage_rects[m.stage_named("Discover").id]
    confirm = scene.layout.stage_rects[m.stage_named("Confirm e-mail").id]
    drag(view, discover.center(), QPointF(confirm.right() - 10, confirm.center().y()))
    assert [s.name for s in m.stages] == ["Sign up", "Confirm e-mail", "Discover", "First use"]
    assert [s.name for s in reopen(window).map_named(m.name).stages] == [
        "Sign up", "Confirm e-mail", "Discover", "First use"]
    window.act_undo.trigger()
    assert [s.name for s in m.stages] == names


def test_drag_a_lane_header_to_reorder(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    names = [lane.name for lane in m.lanes]
    actions = scene.layout.lane_rects[m.lane_named("Actions").id]
    thoughts = scene.layout.lane_rects[m.lane_named("Thoughts").id]
    drag(view, actions.center(), QPointF(thoughts.center().x(), thoughts.bottom() - 5))
    assert [lane.name for lane in m.lanes][:3] == ["Touchpoints", "Thoughts", "Actions"]
    window.act_undo.trigger()
    assert [lane.name for lane in m.lanes] == names


def test_drag_an_emotion_point_snaps_to_the_scale(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    persona = window.document.workspace.persona_named("Daniel Okafor")
    step = m.stage_named("Sign up").steps[1].id
    point = m.emotion_at(step, persona.id)
    assert point.score == -2
    item = scene.points[point.id]
    lane_id = m.lane_named("Emotions").id
    top, bottom = scene.layout.curve_band(lane_id)
    per_unit = (bottom - top) / (m.scale_max - m.scale_min)
    start = item.scenePos()
    drag(view, start, QPointF(start.x() + 3, start.y() - 2.8 * per_unit))  # about +2.8
    assert point.score == 1.0  # -2 + 2.8, snapped to the nearest whole step
    assert reopen(window).map_named(m.name).emotions[point.id].score == 1.0
    assert abs(item.scenePos().y() - (bottom - 3 * per_unit)) < 0.5
    window.act_undo.trigger()
    assert point.score == -2


def test_double_click_in_the_emotion_band_adds_a_point(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    first_use = m.stage_named("First use").steps[0].id
    before = len(m.emotions)
    lane_id = m.lane_named("Emotions").id
    top, bottom = scene.layout.curve_band(lane_id)
    double_click(view, QPointF(scene.layout.column_center(first_use) - 30, top + 2))
    assert len(m.emotions) == before + 1
    (new,) = [p for p in m.emotions.values() if p.step_id == first_use and p.score == 2]
    assert new.persona_id == m.persona_ids[0]
    window.act_undo.trigger()
    assert len(m.emotions) == before


def test_steps_are_added_renamed_dragged_and_deleted_like_stages(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    before = copy.deepcopy(window.document.workspace)
    sign_up = m.stage_named("Sign up")
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[sign_up.id].center())
    next(a for a in menu.actions() if a.text() == "Add step").trigger()
    type_text(view, "Verify phone")
    key(view, Qt.Key.Key_Return)
    assert [s.name for s in sign_up.steps] == ["Start form", "Submit form", "Verify phone"]
    # drag the new step's header before "Start form"
    new_step = sign_up.steps[2]
    start_rect = scene.layout.step_rects[sign_up.steps[0].id]
    drag(view, scene.layout.step_rects[new_step.id].center(),
         QPointF(start_rect.left() + 10, start_rect.center().y()))
    assert [s.name for s in sign_up.steps] == ["Verify phone", "Start form", "Submit form"]
    # double-click renames; Delete removes the selected step
    double_click(view, scene.layout.step_rects[new_step.id].center())
    type_text(view, "Check phone")
    key(view, Qt.Key.Key_Return)
    assert sign_up.steps[0].name == "Check phone"
    click(view, scene.layout.step_rects[new_step.id].center())
    key(view, Qt.Key.Key_Delete)
    assert [s.name for s in sign_up.steps] == ["Start form", "Submit form"]
    assert reopen(window) == window.document.workspace
    while window.editor.stack.canUndo():
        window.act_undo.trigger()
    assert window.document.workspace == before


def test_metrics_lane_shows_numbers_bound_to_stages(qtbot, tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage, QPainter

    from journeydesk.domain.commands import AddCardCommand, AddLaneCommand
    from journeydesk.domain.model import Card, Lane, LaneType
    from journeydesk.gui.canvas.layout import METRIC_ROW_H

    window = open_window(qtbot, tmp_path)
    scene = window.scene
    m = window.current_map()
    lane = Lane(name="Numbers", type=LaneType.METRICS)
    window.editor.run(AddLaneCommand(m.id, lane))
    stage = m.stage_named("Confirm e-mail")
    card = Card(stage.steps[0].id, lane.id, "NPS 31")
    window.editor.run(AddCardCommand(m.id, card))
    top_before = scene.layout.card_rects[card.id].top()
    scene.set_metrics({stage.id: [("Users", "1,240"), ("Conversion", "38 %")]})
    assert scene.layout.card_rects[card.id].top() >= top_before + 2 * METRIC_ROW_H
    lane_rect = scene.layout.lane_rects[lane.id]
    span = scene.layout.stage_rects[stage.id]
    area = QRectF(span.left(), lane_rect.top(), span.width(), 2 * METRIC_ROW_H + 10)
    image = QImage(int(area.width()), int(area.height()), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), area)
    painter.end()
    accent = scene.theme.look(LaneType.METRICS).accent
    coloured = sum(1 for x in range(image.width()) for y in range(image.height())
                   if _close(QColor(image.pixel(x, y)), accent))
    assert coloured > 30  # the two values are drawn in the metrics colour


def _close(a, b, tolerance: int = 40) -> bool:  # noqa: ANN001
    return (abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())
            < tolerance)


def test_every_face_and_emotion_label_of_the_templates_shows(qtbot, tmp_path: Path) -> None:
    from journeydesk.gui.canvas.items import EmotionPointItem
    from journeydesk.gui.main_window import builtin_templates

    radius = EmotionPointItem.RADIUS

    def circle(item: EmotionPointItem) -> QRectF:
        return QRectF(item.pos().x() - radius, item.pos().y() - radius, 2 * radius, 2 * radius)

    window = open_window(qtbot, tmp_path)
    checked = 0
    for template in builtin_templates():
        window.open_map(window.new_map_from_template(template))
        faces = [item for item in window.scene.points.values() if item.isVisible()]

        for item in faces:
            for other in faces:
                if other is item:
                    continue
                assert not circle(item).intersects(circle(other)), (template, item.point)
                if item.point.label:  # the words themselves, not the whole label box
                    words = item.label_rect().translated(item.pos())
                    half = 4 * len(item.point.label)  # ~8 px a letter at 8.5 pt
                    words.setLeft(item.pos().x() - half)
                    words.setRight(item.pos().x() + half)
                    assert not words.intersects(circle(other)), (template, item.point.label)
            checked += 1
    assert checked >= 10


def test_the_curve_follows_a_face_while_it_is_dragged(qtbot, tmp_path: Path) -> None:
    """Under Xvfb the curve stayed at the face's old spot until the drop."""
    from canvas_helpers import view_point
    from PySide6.QtTest import QTest

    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    persona = window.document.workspace.persona_named("Daniel Okafor")
    point = m.emotion_at(m.stage_named("Sign up").steps[1].id, persona.id)
    item, curve = scene.points[point.id], scene.curves[persona.id]
    start = item.scenePos()
    a = view_point(view, start)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 7):
        QTest.mouseMove(view.viewport(), a - QPoint(0, 12 * i))
    moved = item.scenePos()  # still dragging: nothing dropped yet
    assert moved.y() < start.y() - 20
    drawn = curve.curve_path()
    points = [curve.mapToScene(drawn.pointAtPercent(t / 400)) for t in range(401)]
    assert min(abs(p.x() - moved.x()) + abs(p.y() - moved.y()) for p in points) < 3
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier, a - QPoint(0, 72))
