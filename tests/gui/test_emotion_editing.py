"""Editing the emotion curves like a facilitator: labels written in place, the legend as the
picker of the curve new points join, and curves that never leave the scale."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, double_click, key, open_window, type_text, view_point
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath
from PySide6.QtTest import QTest

from journeydesk.gui.canvas.emotion_items import smooth_path
from journeydesk.gui.canvas.emotion_legend import EmotionLegendItem, legend_of
from journeydesk.gui.canvas.inline_editor import InlineEditor
from journeydesk.gui.main_window import MainWindow
from journeydesk.store.workspace_file import WorkspaceFile


def reopen(window: MainWindow):  # noqa: ANN201
    """The workspace as stored on disk."""
    with WorkspaceFile.open(window.document.file.path, read_only=True) as ws_file:
        return ws_file.load()


def point_of(window: MainWindow, persona: str, stage: str, step: int = 0):  # noqa: ANN201
    m = window.current_map()
    persona_id = window.document.workspace.persona_named(persona).id
    return m.emotion_at(m.stage_named(stage).steps[step].id, persona_id)


def face(window: MainWindow, point) -> QPointF:  # noqa: ANN001
    return window.scene.points[point.id].scenePos()


def legend(window: MainWindow) -> EmotionLegendItem:
    m = window.current_map()
    found = legend_of(window.scene.lanes[m.lane_named("Emotions").id])
    assert found is not None and found.isVisible()
    return found


def legend_line(window: MainWindow, persona: str) -> QRectF:
    """The scene rect of a persona's line in the legend."""
    persona_id = window.document.workspace.persona_named(persona).id
    item = legend(window)
    line = next(line for line in item.lines() if line.owner == persona_id)
    return item.mapRectToScene(line.rect)


def band_point(window: MainWindow, stage: str, score: float, step: int = 0) -> QPointF:
    """Where in the emotions band a score sits at a step (a little left of the faces)."""
    m = window.current_map()
    scene = window.scene
    top, bottom = scene.layout.curve_band(m.lane_named("Emotions").id)
    t = (score - m.scale_min) / (m.scale_max - m.scale_min)
    x = scene.layout.column_center(m.stage_named(stage).steps[step].id) - 40
    return QPointF(x, bottom - t * (bottom - top))


def editor(window: MainWindow) -> InlineEditor | None:
    return window.scene.interactions.editor_item


# --------------------------------------------------------------------------- labels
def test_double_click_a_face_writes_its_label_as_one_undo_step(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    point = point_of(window, "Daniel Okafor", "Sign up", 0)  # score 0, no label
    assert point.label == ""
    double_click(window.view, face(window, point))
    assert isinstance(editor(window), InlineEditor)
    type_text(window.view, "frustrated")
    assert point.label == ""  # nothing changes while typing
    key(window.view, Qt.Key.Key_Return)
    assert editor(window) is None
    assert point.label == "frustrated"
    assert window.editor.stack.count() == 1
    assert reopen(window).maps[window.current_map().id].emotions[point.id].label == "frustrated"
    assert window.scene.points[point.id].accessible_name() == "emotion point: score 0 (frustrated)"
    window.act_undo.trigger()
    assert point.label == ""
    window.act_redo.trigger()
    assert point.label == "frustrated"


def test_escape_leaves_the_label_as_it_was_and_no_undo_step(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    point = point_of(window, "Noor Haddad", "Discover")
    assert point.label == "curious"
    double_click(window.view, face(window, point))
    assert editor(window).toPlainText() == "curious"
    type_text(window.view, "bored")
    key(window.view, Qt.Key.Key_Escape)
    assert editor(window) is None
    assert point.label == "curious"
    assert window.editor.stack.count() == 0


def test_enter_or_f2_on_a_selected_face_edits_its_label(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    view = window.view
    point = point_of(window, "Daniel Okafor", "Sign up", 1)
    assert point.label == "too long"
    click(view, face(window, point))
    assert window.scene.points[point.id].isSelected()
    key(view, Qt.Key.Key_F2)
    assert editor(window).toPlainText() == "too long"
    type_text(view, "form is too long")  # the text starts selected: typing replaces it
    key(view, Qt.Key.Key_Return)
    assert point.label == "form is too long"
    other = point_of(window, "Margaret Lindqvist", "First use")
    click(view, face(window, other))
    key(view, Qt.Key.Key_Return)
    QTest.keyClick(view.viewport(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    key(view, Qt.Key.Key_Delete)  # an empty label clears it
    key(view, Qt.Key.Key_Return)
    assert other.label == ""
    assert window.editor.stack.count() == 2
    window.act_undo.trigger()
    window.act_undo.trigger()
    assert (point.label, other.label) == ("too long", "unsure")


# --------------------------------------------------------------------------- the legend
def test_the_legend_chooses_the_curve_new_points_join(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    ws = window.document.workspace
    noor, daniel = ws.persona_named("Noor Haddad").id, ws.persona_named("Daniel Okafor").id
    assert legend(window).active == noor  # the first curve until another is chosen
    click(view, legend_line(window, "Daniel Okafor").center())
    assert legend(window).active == daniel
    assert scene.curves[daniel].isVisible()
    assert window.editor.stack.count() == 0  # choosing is a view setting, not an edit
    assert "Daniel Okafor" in window.statusBar().currentMessage()
    first_use = m.stage_named("First use").steps[0].id
    double_click(view, band_point(window, "First use", 1))
    new = m.emotion_at(first_use, daniel)
    assert new is not None and new.score == 1 and m.emotion_at(first_use, noor) is None
    assert window.editor.stack.count() == 1
    window.act_undo.trigger()
    assert m.emotion_at(first_use, daniel) is None


def test_the_chosen_curve_is_highlighted_on_screen(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene = window.scene

    def tinted(rect: QRectF) -> int:
        """Pixels of the line's background that are not the header's plain fill."""
        image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        scene.render(painter, QRectF(image.rect()), rect)
        painter.end()
        plain = QColor(scene.theme.lane_header_fill)
        return sum(1 for x in range(image.width()) for y in (1, image.height() - 2)
                   if _distance(QColor(image.pixel(x, y)), plain) > 30)

    daniel, margaret = (legend_line(window, name) for name in ("Daniel Okafor",
                                                                "Margaret Lindqvist"))
    assert tinted(daniel) < 0.2 * daniel.width()
    click(window.view, daniel.center())
    assert tinted(daniel) > 0.6 * daniel.width()  # a band in Daniel's colour
    assert tinted(margaret) < 0.2 * margaret.width()


def test_the_eye_hides_a_curve_and_new_points_skip_it(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    ws = window.document.workspace
    noor, daniel = ws.persona_named("Noor Haddad").id, ws.persona_named("Daniel Okafor").id
    line = legend_line(window, "Noor Haddad")
    click(view, QPointF(line.left() + 8, line.center().y()))  # Noor's eye
    assert not scene.curves[noor].isVisible()
    assert legend(window).active == daniel  # the first shown curve now
    first_use = m.stage_named("First use").steps[0].id
    double_click(view, band_point(window, "First use", -1))
    assert m.emotion_at(first_use, daniel).score == -1
    click(view, line.center())  # choosing a hidden curve shows it again
    assert scene.curves[noor].isVisible() and legend(window).active == noor
    assert window.editor.stack.count() == 1


def test_the_legend_is_usable_from_the_keyboard(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    owners = list(m.persona_ids)
    key(view, Qt.Key.Key_P)  # P puts the focus on the legend
    assert isinstance(scene.focusItem(), EmotionLegendItem)
    key(view, Qt.Key.Key_Down)
    assert legend(window).active == owners[1]
    key(view, Qt.Key.Key_Down)
    key(view, Qt.Key.Key_Down)  # round to the first again
    assert legend(window).active == owners[0]
    key(view, Qt.Key.Key_Up)
    assert legend(window).active == owners[2]
    assert "Margaret Lindqvist" in legend(window).accessible_name()
    assert "Margaret Lindqvist" in view.accessibleDescription()  # what a screen reader says
    key(view, Qt.Key.Key_Escape)
    assert not isinstance(scene.focusItem(), EmotionLegendItem)
    key(view, Qt.Key.Key_Down)  # arrows walk the cells again, the choice stays
    assert legend(window).active == owners[2]
    assert window.editor.stack.count() == 0


def test_double_clicking_the_legend_does_not_rename_the_lane(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    double_click(window.view, legend_line(window, "Margaret Lindqvist").center())
    assert editor(window) is None
    assert legend(window).active == window.document.workspace.persona_named(
        "Margaret Lindqvist").id


# --------------------------------------------------------------------------- the curve
def test_a_double_click_where_the_curve_has_a_point_moves_it_and_the_curve_stays_on_scale(
        qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    noor = window.document.workspace.persona_named("Noor Haddad").id
    start, submit = (point_of(window, "Noor Haddad", "Sign up", i) for i in (0, 1))
    before = len(m.emotions)
    double_click(view, band_point(window, "Sign up", 2, 0))
    double_click(view, band_point(window, "Sign up", 2, 1))
    assert (start.score, submit.score) == (2, 2)  # Discover +1, +2, +2, Confirm -2
    assert len(m.emotions) == before and window.editor.stack.count() == 2
    top, bottom = scene.layout.curve_band(m.lane_named("Emotions").id)
    path = scene.curves[noor]._path  # noqa: SLF001 - the drawn path itself
    assert path.boundingRect().top() >= top - 1e-6  # no bump above +2 between the two
    assert path.boundingRect().bottom() <= bottom + 1e-6
    for point in (p for p in m.emotions.values() if p.persona_id == noor):
        at = face(window, point)
        assert any((path.pointAtPercent(t / 400) - at).manhattanLength() < 2
                   for t in range(401)), point
    # the pixels agree: nothing of Noor's colour above the +2 line in the grab
    view.centerOn(scene.points[start.id])
    grab = view.viewport().grab().toImage()
    colour = scene.curves[noor].colour
    y_top = view_point(view, QPointF(face(window, start).x(), top)).y()
    x0 = view_point(view, face(window, start)).x()
    x1 = view.mapFromScene(face(window, submit)).x()
    above = [(x, y) for x in range(x0 + 14, x1 - 14) for y in range(max(0, y_top - 25), y_top - 3)
             if _distance(QColor(grab.pixel(x, y)), colour) < 60]
    assert above == []


# --------------------------------------------------------------------------- smooth_path
coordinate = st.floats(min_value=-500, max_value=500, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(min_value=1, max_value=300), coordinate), min_size=1,
                max_size=12), coordinate)
def test_smooth_path_stays_within_its_points_and_passes_through_them(
        qapp, steps: list[tuple[float, float]], x0: float) -> None:
    xs, x = [], x0
    for gap, _y in steps:  # strictly increasing x, as the columns are
        x += gap
        xs.append(x)
    points = [QPointF(px, py) for px, (_gap, py) in zip(xs, steps, strict=True)]
    path = smooth_path(points)
    low = min(p.y() for p in points)
    high = max(p.y() for p in points)
    for box in (path.boundingRect(), path.controlPointRect()):
        assert box.top() >= low - 1e-6 and box.bottom() <= high + 1e-6
    for i in range(1, 101):  # and sampled: between two points it stays between them
        p = path.pointAtPercent(i / 100)
        assert low - 1e-6 <= p.y() <= high + 1e-6
    assert _on_curve(path) == [(p.x(), p.y()) for p in points]


def test_smooth_path_between_two_equal_peaks_is_flat(qapp) -> None:
    # scene y grows downwards: 0 is the +2 line; the old Catmull-Rom bulged 16 units above it
    points = [QPointF(0, 100), QPointF(100, 0), QPointF(200, 0), QPointF(300, 200)]
    path = smooth_path(points)
    assert path.boundingRect().top() >= 0
    for i in range(101):
        p = path.pointAtPercent(i / 100)
        if 100 <= p.x() <= 200:
            assert abs(p.y()) < 1e-6
    assert path.boundingRect().bottom() <= 200


def test_smooth_path_tolerates_faces_pushed_onto_one_column(qapp) -> None:
    points = [QPointF(0, 50), QPointF(100, 10), QPointF(100, 90), QPointF(200, 30)]
    box = smooth_path(points).boundingRect()
    assert box.top() >= 10 and box.bottom() <= 90


def _on_curve(path: QPainterPath) -> list[tuple[float, float]]:
    """The points the path goes through (segment ends, not control points)."""
    ends = []
    for i in range(path.elementCount()):
        element = path.elementAt(i)
        kind = element.type
        if kind in (QPainterPath.ElementType.MoveToElement, QPainterPath.ElementType.LineToElement):
            ends.append((element.x, element.y))
        elif kind == QPainterPath.ElementType.CurveToElement:
            end = path.elementAt(i + 2)
            ends.append((end.x, end.y))
    return ends


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def test_a_face_s_context_menu_edits_its_label(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    point = point_of(window, "Margaret Lindqvist", "Discover")
    menu = window.scene.interactions.build_context_menu(face(window, point))
    next(a for a in menu.actions() if a.text() == "Edit label").trigger()
    type_text(window.view, "calm")
    key(window.view, Qt.Key.Key_Return)
    assert point.label == "calm" and window.editor.stack.count() == 1
