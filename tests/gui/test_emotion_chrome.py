"""The emotions lane as a room and a reader see it: a clean legend in Present and in exported
pictures (no eyes, "+" mark, highlight or hint; hidden curves not listed; no focus), its text,
the score axis's labels and the points' labels at least 12 px on screen at Fit on a 1280x720
projector, and the points' labels never on another face or curve nor cut by the lane's edge.

Sizes are measured on the rendered grabs (the height of a text's dark pixels against the cap
height of the font the rule asks for) as well as from the view's scale and the size painted.
"""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, open_window
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainterPathStroker
from PySide6.QtTest import QTest

from journeydesk.gui.canvas.emotion_items import (
    AXIS_PX,
    LABEL_PX,
    EmotionPointItem,
    grown_px,
    scale_labels,
)
from journeydesk.gui.canvas.emotion_legend import EmotionLegendItem, legend_of
from journeydesk.gui.canvas.text import MIN_SCREEN_PX, font_px
from journeydesk.gui.canvas.theme import LANE_HEADER_W
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.map_picture import export_scene, map_rect, title_height, write_png

PROJECTOR = (1280, 720)


def emotions_lane(window: MainWindow) -> str:
    return window.current_map().lane_named("Emotions").id


def the_legend(scene, lane_id: str) -> EmotionLegendItem:  # noqa: ANN001
    legend = legend_of(scene.lanes[lane_id])
    assert legend is not None
    return legend


def at_fit_on_a_projector(qtbot, window: MainWindow) -> float:  # noqa: ANN001
    """Fit on a 1280x720 window; returns the view's scale."""
    window.resize(*PROJECTOR)
    qtbot.wait(50)
    window.act_zoom_fit.trigger()
    qtbot.wait(50)
    return window.view.transform().m11()


def presenting(qtbot, window: MainWindow) -> float:  # noqa: ANN001
    """Present (F5) on a 1280x720 projector; returns the view's scale."""
    QTest.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.presentation.active, timeout=3000)
    window.setGeometry(0, 0, *PROJECTOR)
    qtbot.wait(100)
    window.presentation.whole_map()
    qtbot.wait(50)
    return window.view.transform().m11()


def text_rows(image: QImage, rect: QRect, background: QColor) -> list[tuple[int, int]]:
    """(first row, height) of each run of rows inside ``rect`` with pixels clearly darker
    than ``background`` (text)."""
    rect = rect.intersected(image.rect())
    limit = background.lightness() - 70

    def dark(y: int) -> bool:
        return any(QColor(image.pixel(x, y)).lightness() < limit
                   for x in range(rect.left(), rect.right() + 1))

    runs: list[tuple[int, int]] = []
    start = None
    for y in range(rect.top(), rect.bottom() + 2):
        if y <= rect.bottom() and dark(y):
            start = y if start is None else start
        elif start is not None:
            runs.append((start, y - start))
            start = None
    return runs


def cap_height(pixels: float) -> float:
    return QFontMetricsF(font_px(round(pixels))).capHeight()


def on_screen(window: MainWindow, scene_rect: QRectF) -> QRect:
    return window.view.mapFromScene(scene_rect).boundingRect()


# ----------------------------------------------------------------------- Present and exports
def test_present_shows_a_clean_legend_that_takes_no_focus(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    lane_id = emotions_lane(window)
    margaret = window.document.workspace.persona_named("Margaret Lindqvist").id
    window.show_curve(margaret, False)  # a hidden curve: listed, struck through, here only
    legend = the_legend(scene, lane_id)
    working = legend.layout()
    assert [line.owner for line in working.lines][-1] == margaret
    assert working.hint_lines and all(line.eye for line in working.lines)
    assert legend.flags() & legend.GraphicsItemFlag.ItemIsFocusable
    working_bounds = legend.boundingRect()
    assert working_bounds.contains(working.hint)
    QTest.keyClick(view, Qt.Key.Key_P)  # the legend has the focus when Present starts
    assert scene.focusItem() is legend

    zoom = presenting(qtbot, window)
    assert not scene.affordances and scene.focusItem() is not legend
    shown = legend.layout(zoom, scene.min_text_px)
    assert margaret not in [line.owner for line in shown.lines]  # not listed at all
    assert [line.name for line in shown.lines] == ["Noor Haddad", "Daniel Okafor"]
    assert all(line.shown and not line.eye and line.eye_rect().isEmpty()
               for line in shown.lines)
    assert shown.hint.isEmpty() and not shown.hint_lines and not shown.more
    assert shown.pixels * zoom >= 18 - 1e-6  # Present's text size
    bounds = legend.boundingRect()  # follow_header gave it bounds without the hint
    assert bounds.height() < working_bounds.height()
    for line in shown.lines:
        assert bounds.contains(line.rect)
    assert scene.items(legend.mapRectToScene(bounds)).count(legend) == 1  # the index knows

    # nothing painted under the names: no hint
    image = view.viewport().grab().toImage()
    last = shown.lines[-1].rect
    below = legend.mapRectToScene(QRectF(last.left(), last.bottom() + 2, last.width(),
                                         bounds.bottom() - last.bottom() - 5))
    assert not text_rows(image, on_screen(window, below), scene.theme.lane_header_fill)
    # ... and no highlight of the curve new points join: its row's end is the header's fill
    row = legend.mapRectToScene(shown.lines[0].rect)
    end = on_screen(window, QRectF(row.right() - 3, row.center().y(), 1, 1)).topLeft()
    assert QColor(image.pixel(end)) == scene.theme.lane_header_fill

    # the legend takes no focus: P and clicks leave the walk-through its keys
    assert not legend.flags() & legend.GraphicsItemFlag.ItemIsFocusable
    QTest.keyClick(view, Qt.Key.Key_P)
    assert not isinstance(scene.focusItem(), EmotionLegendItem)
    active = legend.active
    click(view, legend.mapToScene(shown.lines[1].rect.center()))
    assert not isinstance(scene.focusItem(), EmotionLegendItem) and legend.active == active
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert scene.focus_stage == scene.map.stages[0].id

    QTest.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.presentation.active, timeout=3000)
    assert scene.affordances and legend.boundingRect() == working_bounds
    assert legend.flags() & legend.GraphicsItemFlag.ItemIsFocusable
    assert legend.layout().hint_lines


def test_exported_pictures_show_a_clean_legend(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    lane_id = emotions_lane(window)
    working = the_legend(window.scene, lane_id).layout()  # the canvas: eyes, "+", hint
    assert working.hint_lines and all(line.eye for line in working.lines)

    with export_scene(window.document, window.current_map().id) as scene:
        legend = the_legend(scene, lane_id)
        painted = legend.layout()  # what the picture paints (exports: as laid out)
        assert [line.name for line in painted.lines] == [
            "Noor Haddad", "Daniel Okafor", "Margaret Lindqvist"]
        assert not any(line.eye for line in painted.lines)
        assert painted.hint.isEmpty() and not painted.hint_lines
        # where the canvas puts its hint, its eyes and the highlighted (first) line
        hint = legend.mapRectToScene(working.hint)
        eyes = [legend.mapRectToScene(line.eye_rect()) for line in working.lines]
        names = [legend.mapRectToScene(line.rect) for line in painted.lines]
        source = map_rect(scene)
        fill = scene.theme.lane_header_fill
    path = tmp_path / "map.png"
    write_png(window.document, window.current_map().id, path, scale=1.0)
    image = QImage(str(path))
    top = title_height()

    def in_picture(rect: QRectF) -> QRect:
        return rect.translated(-source.left(), top - source.top()).toAlignedRect()

    assert not text_rows(image, in_picture(hint), fill)  # no hint
    for eye in eyes:  # no (grey) eye: where it was, only the curve's coloured stroke
        box = in_picture(eye)
        dark = [QColor(image.pixel(x, y)) for x in range(box.left(), box.right() + 1)
                for y in range(box.top(), box.bottom() + 1)]
        dark = [c for c in dark if c.lightness() < fill.lightness() - 100]
        assert dark and all(c.hslSaturation() > 70 for c in dark), [c.name() for c in dark]
    # no highlight: the end of the first line (no text there) is the header's fill
    end = in_picture(QRectF(names[0].right() - 4, names[0].center().y(), 1, 1))
    assert QColor(image.pixel(end.topLeft())) == fill
    for name in names:  # but each curve's line and name are there
        assert text_rows(image, in_picture(name), fill), name


# ----------------------------------------------------------------------- 12 px at Fit
def test_legend_and_axis_labels_are_at_least_12_px_at_fit(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    zoom = at_fit_on_a_projector(qtbot, window)
    minimum = scene.min_text_px
    assert minimum == MIN_SCREEN_PX and zoom < 0.7  # zoomed out: as laid out, 6-8 px
    lane_id = emotions_lane(window)
    m, lay = scene.map, scene.layout
    image = view.viewport().grab().toImage()
    wanted = cap_height(MIN_SCREEN_PX) - 1.0  # a row of antialiasing either way

    # the score axis's labels: the size painted, and their glyphs on screen
    pixels = grown_px(AXIS_PX, zoom, minimum)
    assert AXIS_PX * zoom < 12 <= pixels * zoom
    top, bottom = lay.curve_band(lane_id)
    labels = scale_labels(top, bottom, m.scale_min, m.scale_max, pixels=pixels,
                          left=LANE_HEADER_W + 4)
    assert [text for text, _box in labels] == ["+2", "-2", "0"]
    for i, (text, box) in enumerate(labels):
        assert not any(box.intersects(other) for _t, other in labels[i + 1:])
        rows = text_rows(image, on_screen(window, box), scene.theme.look("emotions").band)
        assert rows and max(h for _y, h in rows) >= wanted, (text, rows, wanted)

    # the legend's names and hint, within the header, one line under the other
    legend = the_legend(scene, lane_id)
    shown = legend.layout(zoom, minimum)
    assert shown.pixels * zoom >= 12 and len(shown.lines) == 3 and not shown.more
    room = legend.mapRectFromScene(lay.lane_rects[lane_id])
    for i, line in enumerate(shown.lines):
        assert room.contains(line.rect) and legend.boundingRect().contains(line.rect)
        assert all(not line.rect.intersects(other.rect) for other in shown.lines[i + 1:])
        words = line.name_rect(shown.pixels)  # past the eye and the colour's stroke
        rows = text_rows(image, on_screen(window, legend.mapRectToScene(words)),
                         scene.theme.lane_header_fill)
        assert rows and rows[-1][0] + rows[-1][1] - rows[0][0] >= wanted, (line.name, rows)
    assert shown.hint_lines and room.contains(shown.hint)
    assert shown.hint.top() >= shown.lines[-1].rect.bottom()
    metrics = QFontMetricsF(font_px(int(shown.pixels)))
    assert len(shown.hint_lines) * metrics.lineSpacing() <= shown.hint.height() + 1
    assert all(metrics.horizontalAdvance(t) <= shown.hint.width() for t in shown.hint_lines)

    # the points' labels
    assert grown_px(LABEL_PX, zoom, minimum) * zoom >= 12


# ----------------------------------------------------------------------- where labels go
def _curve_strokes(scene) -> list:  # noqa: ANN001
    stroker = QPainterPathStroker()
    stroker.setWidth(3)  # the curve's pen
    return [stroker.createStroke(curve.curve_path())
            for curve in scene.curves.values() if curve.isVisible()]


def assert_labels_hide_nothing(scene, lane_id: str, scale: float, minimum: float,  # noqa: ANN001
                               curves: bool = True) -> int:
    """Every label at this zoom: on no other face or label, nor on a curve (``curves``),
    inside the emotions band (where neither the lane's edge nor a tiled page's cut goes).
    Returns how many."""
    lay = scene.layout
    lane = lay.lane_rects[lane_id]
    band = QRectF(LANE_HEADER_W, lane.top(), lay.width - LANE_HEADER_W,
                  lay.cards_top(lane_id) - 7 - lane.top())
    faces = [item for item in scene.points.values() if item.isVisible()]
    strokes = _curve_strokes(scene)
    boxes: list[QRectF] = []
    for item in faces:
        if not item.point.label:
            continue
        box = item.label_box(scale, minimum).translated(item.pos())
        r = EmotionPointItem.RADIUS
        for other in faces:
            face = QRectF(other.pos().x() - r, other.pos().y() - r, 2 * r, 2 * r)
            assert other is item or not box.intersects(face), (item.point.label, scale)
        assert band.contains(box), (item.point.label, box, band, scale)
        assert not curves or not any(box.intersects(stroke.boundingRect())
                                     and stroke.intersects(box)
                                     for stroke in strokes), (item.point.label, scale)
        assert not any(box.intersects(other) for other in boxes), (item.point.label, scale)
        assert item.boundingRect().contains(item.label_box(scale, minimum))
        boxes.append(box)
    return len(boxes)


def test_the_demo_labels_hide_no_face_or_curve_and_stay_in_the_lane(qtbot,  # noqa: ANN001
                                                                    tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)  # the built-in demo's map
    scene = window.scene
    lane_id = emotions_lane(window)
    labels = {p.label for p in scene.map.emotions.values() if p.label}
    assert {"curious", "too long", "gives up", "unsure"} <= labels
    with export_scene(window.document, window.current_map().id) as exported:  # as laid out
        assert assert_labels_hide_nothing(exported, lane_id, 1.0, 0.0) == len(labels)
    assert assert_labels_hide_nothing(scene, lane_id, 1.0, MIN_SCREEN_PX) == len(labels)
    zoom = at_fit_on_a_projector(qtbot, window)
    assert assert_labels_hide_nothing(scene, lane_id, zoom, scene.min_text_px) == len(labels)
    # "curious" (Noor, +1) no longer lies on Margaret's face (0) of the same stage at Fit
    noor = window.document.workspace.persona_named("Noor Haddad").id
    curious = next(i for i in scene.points.values() if i.point.label == "curious")
    assert curious.point.persona_id == noor
    zoom = presenting(qtbot, window)
    assert assert_labels_hide_nothing(scene, lane_id, zoom, scene.min_text_px) == len(labels)


def test_a_label_moves_off_a_curve_and_the_lane_bottom(qtbot, tmp_path: Path) -> None:
    """A label under a face at the bottom of the scale would be cut by the lane's edge; one
    under a face its own curve leaves steeply would have the curve through its words."""
    from journeydesk.domain.commands import EditEmotionCommand

    window = open_window(qtbot, tmp_path)
    scene, m = window.scene, window.current_map()
    lane_id = emotions_lane(window)
    margaret = window.document.workspace.persona_named("Margaret Lindqvist").id
    # Daniel's "too long" sits at the bottom (-2): under the face it would leave the lane
    too_long = next(p for p in m.emotions.values() if p.label == "too long")
    assert too_long.score == m.scale_min
    item = scene.points[too_long.id]
    assert item.label_rect().translated(item.pos()).bottom() <= scene.layout.cards_top(
        lane_id) - 7
    # Margaret's high point, her curve falling steeply to its right: "delighted"
    peak = m.emotion_at(m.stage_named("Confirm e-mail").steps[0].id, margaret)
    assert window.editor.run(EditEmotionCommand(m.id, peak.id, label="delighted"))
    labels = 1 + sum(1 for p in m.emotions.values() if p.label and p.id != peak.id)
    assert assert_labels_hide_nothing(scene, lane_id, 1.0, MIN_SCREEN_PX) == labels
    with export_scene(window.document, m.id) as exported:
        assert assert_labels_hide_nothing(exported, lane_id, 1.0, 0.0) == labels
    zoom = at_fit_on_a_projector(qtbot, window)
    assert assert_labels_hide_nothing(scene, lane_id, zoom, scene.min_text_px) == labels


def test_template_labels_stay_in_the_band_off_other_faces(qtbot, tmp_path: Path) -> None:
    """Every template's labels, as laid out and at Fit; a large label in a busy lane may have
    to cross a curve (the least it can hide), never a face or the band's edge."""
    from journeydesk.gui.main_window import builtin_templates

    window = open_window(qtbot, tmp_path)
    zoom = at_fit_on_a_projector(qtbot, window)
    checked = 0
    for template in builtin_templates():
        window.open_map(window.new_map_from_template(template))
        lanes = [lane.id for lane in window.current_map().lanes if lane.type == "emotions"]
        if not lanes:
            continue
        for scale, minimum in ((1.0, 0.0), (1.0, MIN_SCREEN_PX), (zoom, MIN_SCREEN_PX)):
            checked += assert_labels_hide_nothing(window.scene, lanes[0], scale, minimum,
                                                  curves=minimum == 0.0)
    assert checked >= 10
