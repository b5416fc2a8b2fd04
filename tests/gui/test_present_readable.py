"""Present on a 1280x720 projector: the walk-through paints the stage's cards in full (every
line, at least 18 px), a stage wider than the screen a screenful at a time; Down scrolls to the
lanes below, the "more below" note sits in the title band, never over the map; the room sees
no selection outline nor the keyboard's cell marker.  And on the working canvas, the cell
marker goes with a deleted card, Esc, or a click beside the cards.

Lines are counted on grabs of the viewport: card texts are capitals only, so each painted
line is one run of rows with dark pixels.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage
from PySide6.QtTest import QTest

from journeydesk.domain.commands import AddMapCommand, RemoveCardCommand
from journeydesk.exchange.json_map import loads_map
from journeydesk.gui.canvas.items import selection_shown
from journeydesk.gui.canvas.text import (
    PRESENT_SCREEN_PX,
    font_px,
    full_text,
    full_text_zoom,
    text_width,
    wrap,
)
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.presenting import TITLE_H
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

LONG = "HHH HHHH HH HHHHH HHH HHHH HHH HH HHHHH HHH HHHH"  # three or four lines at 14 px
LANES = [("Actions", "actions"), ("Touchpoints", "touchpoints"), ("Thoughts", "thoughts"),
         ("Pain points", "pain_points"), ("Opportunities", "opportunities"),
         ("Backstage", "backstage")]


def _map(stage_steps: list[int], lanes: list[tuple[str, str]] = LANES) -> str:
    """A map whose stages have ``stage_steps`` steps, a long card of capitals in every lane
    of every step."""
    stages, cards = [], []
    for i, count in enumerate(stage_steps):
        name = f"Stage {i + 1}"
        steps = [f"Step {i + 1}.{j + 1}" for j in range(count)] if count > 1 else []
        stage = {"name": name, "description": "", "events": []}
        if steps:
            stage["steps"] = [{"name": s, "events": []} for s in steps]
        stages.append(stage)
        for step in steps or [None]:
            for lane, _type in lanes:
                card = {"stage": name, "lane": lane, "text": LONG}
                if step is not None:
                    card["step"] = step
                cards.append(card)
    return json.dumps({
        "format": "journeydesk.map", "version": 1, "name": "Projector map", "description": "",
        "scale": {"min": -2, "max": 2}, "personas": [], "stages": stages,
        "lanes": [{"name": n, "type": t} for n, t in lanes], "cards": cards, "emotions": []})


def _window(qtbot, tmp_path: Path, text: str) -> MainWindow:  # noqa: ANN001
    doc = Document(WorkspaceFile.open(tmp_path / "present.jdesk", create=True))
    m, personas = loads_map(text, doc.workspace)
    doc.execute(AddMapCommand(m, personas))
    window = MainWindow(doc, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()  # shortcuts need the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.open_map(m.id)
    window.view.setFocus()
    return window


def _present(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    """F5, then the projector's size: full screen is the offscreen test screen's size (800
    px square), so the window leaves that state and takes 1280x720 (Present stays on)."""
    QTest.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.presentation.active, timeout=3000)
    qtbot.wait(50)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.setGeometry(0, 0, 1280, 720)
    qtbot.waitUntil(lambda: window.view.viewport().width() >= 1270, timeout=3000)
    qtbot.wait(100)
    assert window.presentation.active and window.view.width() == 1280
    qtbot.waitUntil(lambda: not window.presentation.animating, timeout=3000)


def _key(qtbot, window: MainWindow, key: Qt.Key) -> None:  # noqa: ANN001
    QTest.keyClick(window.view, key)
    qtbot.waitUntil(lambda: not window.presentation.animating, timeout=3000)
    qtbot.wait(20)


def _lines(image: QImage, rect: QRect) -> list[int]:
    """The height of each run of rows with dark (text) pixels inside ``rect``."""
    runs, start = [], None
    for y in range(rect.top(), rect.bottom() + 2):
        dark = y <= rect.bottom() and any(QColor(image.pixel(x, y)).lightness() < 120
                                          for x in range(rect.left(), rect.right() + 1))
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            runs.append(y - start)
            start = None
    return runs


def _on_screen(window: MainWindow, card_id: str) -> QRect:
    """A card's text area on the viewport: inside its border and its colour strip."""
    view = window.view
    rect = view.mapFromScene(window.scene.layout.card_rects[card_id]).boundingRect()
    return rect.adjusted(max(4, round(10 * view.zoom)), 3, -3, -3)


def _stage_cards(window: MainWindow, index: int) -> list[str]:
    """The cards of the ``index``-th stage wholly on screen, right of the lane headers."""
    view, scene = window.view, window.scene
    port = view.viewport().rect()
    steps = {s.id for s in scene.map.stages[index].steps}
    headers_right = view.mapFromScene(view.visible_scene_rect().topLeft()).x() + round(
        168 * view.zoom)
    return [c.id for c in scene.map.ordered_cards() if c.step_id in steps
            and port.contains(view.mapFromScene(scene.layout.card_rects[c.id]).boundingRect())
            and view.mapFromScene(scene.layout.card_rects[c.id]).boundingRect().left()
            > headers_right]


def _assert_full(window: MainWindow, card_ids: list[str]) -> None:
    """Every card shows all its lines, each at least 18 px text (cap height), none elided."""
    assert card_ids, "no card of the stage is on screen"
    image = window.view.viewport().grab().toImage()
    wanted = QFontMetricsF(font_px(round(PRESENT_SCREEN_PX))).capHeight() - 1.0
    lines = len(wrap(LONG, text_width()))
    assert lines >= 3
    for card_id in card_ids:
        runs = _lines(image, _on_screen(window, card_id))
        assert len(runs) == lines, (window.view.zoom, runs)  # compact would paint fewer
        assert all(height >= wanted for height in runs), (runs, wanted)


def _blue(image: QImage, rect: QRect, colour: QColor) -> int:
    """How many pixels of ``rect`` are the selection colour."""
    return sum(1 for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1))
               for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1))
               if abs(QColor(image.pixel(x, y)).hue() - colour.hue()) < 12
               and QColor(image.pixel(x, y)).saturation() > 150)


# ---------------------------------------------------------------- the walk-through
def test_walk_paints_a_stages_cards_in_full_and_down_reaches_the_last_lane(
        qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, _map([1, 2, 1, 2, 1, 1]))
    view, scene = window.view, window.scene
    _present(qtbot, window)
    # the whole map is too large for full text on a projector: compact cards, 18 px
    assert not full_text(view.zoom, scene.min_text_px)
    first_lane = scene.map.lanes[0].id
    walk = window.presentation
    for index in (0, 1):
        _key(qtbot, window, Qt.Key.Key_Right)
        assert walk.stage_index == index and scene.focus_stage == scene.map.stages[index].id
        # the card's own paint decision, with the view's scale: full text, >= 18 px
        assert full_text(view.transform().m11(), scene.min_text_px)
        assert view.zoom * 14 >= PRESENT_SCREEN_PX
        assert view.zoom >= full_text_zoom(PRESENT_SCREEN_PX)
        # the stage across the screen, right of the lane headers, from the map's top
        shown = view.visible_scene_rect()
        stage = scene.layout.stage_rects[scene.map.stages[index].id]
        assert shown.left() + 168 <= stage.left() and stage.right() <= shown.right()
        assert shown.top() <= 0
        cards = _stage_cards(window, index)
        assert {scene.map.card(c).lane_id for c in cards} >= {first_lane}
        _assert_full(window, cards)

    # not every lane fits below: the note says so, in the title band, not over the map
    more = walk.more
    assert more.isVisible() and "Down" in more.text()
    assert more.geometry().bottom() < TITLE_H
    assert not more.geometry().intersects(view.viewport().geometry())
    last = scene.layout.lane_rects[scene.map.lanes[-1].id]
    assert view.visible_scene_rect().bottom() < last.bottom()
    # Down scrolls to the lanes below (it is no "next stage"), until the last lane is in full
    for _ in range(len(scene.map.lanes)):
        if not more.isVisible():
            break
        _key(qtbot, window, Qt.Key.Key_Down)
        assert walk.stage_index == 1
    assert not more.isVisible()
    port = view.viewport().rect()
    on_screen = view.mapFromScene(last).boundingRect()
    assert port.contains(QRect(port.left(), on_screen.top(), port.width(), on_screen.height()))
    bottom_cards = [c for c in _stage_cards(window, 1)
                    if scene.map.card(c).lane_id == scene.map.lanes[-1].id]
    assert len(bottom_cards) == 2  # both steps' cards of the last lane, in full
    _assert_full(window, bottom_cards)
    # Up goes back to the top; Right walks on to the next stage, from the top
    for _ in range(len(scene.map.lanes)):
        _key(qtbot, window, Qt.Key.Key_Up)
    assert view.visible_scene_rect().top() <= 0
    _key(qtbot, window, Qt.Key.Key_Right)
    assert walk.stage_index == 2 and view.visible_scene_rect().top() <= 0
    _key(qtbot, window, Qt.Key.Key_Home)
    assert walk.stage_index is None


def test_a_stage_wider_than_the_screen_is_walked_a_screenful_at_a_time(
        qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, _map([1, 6, 1], LANES[:2]))
    view, scene = window.view, window.scene
    _present(qtbot, window)
    walk = window.presentation
    wide = scene.map.stages[1]
    rect = scene.layout.stage_rects[wide.id]
    _key(qtbot, window, Qt.Key.Key_Right)
    _key(qtbot, window, Qt.Key.Key_Right)
    assert (walk.stage_index, walk.stage_part) == (1, 0)
    assert full_text(view.transform().m11(), scene.min_text_px)
    spans = walk.stage_spans(1)
    assert len(spans) >= 2 and spans[-1][1] == rect.right()
    seen = set()
    for part in range(len(spans)):
        assert (walk.stage_index, walk.stage_part) == (1, part)
        assert full_text(view.transform().m11(), scene.min_text_px)
        cards = _stage_cards(window, 1)
        _assert_full(window, cards)
        seen |= {scene.map.card(c).step_id for c in cards}
        _key(qtbot, window, Qt.Key.Key_Right)
    assert seen == {s.id for s in wide.steps}  # every step was shown, readable
    assert walk.stage_index == 2
    _key(qtbot, window, Qt.Key.Key_Left)  # back: the wide stage's last screenful
    assert (walk.stage_index, walk.stage_part) == (1, len(spans) - 1)
    assert view.visible_scene_rect().right() >= rect.right()


def test_a_map_that_fits_at_full_size_shows_its_whole_self_in_full(
        qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, _map([1, 1, 1], LANES[:2]))
    view, scene = window.view, window.scene
    _present(qtbot, window)
    assert window.presentation.stage_index is None
    assert view.visible_scene_rect().contains(QRectF(0, 0, scene.layout.width,
                                                     scene.layout.height))
    assert full_text(view.transform().m11(), scene.min_text_px)
    assert not window.presentation.more.isVisible()
    _assert_full(window, list(scene.layout.card_rects))


# ---------------------------------------------------------------- no edit affordances
def test_present_paints_no_selection_outline_nor_cell_marker(qtbot, tmp_path: Path) -> None:
    from canvas_helpers import click

    window = _window(qtbot, tmp_path, _map([1, 2, 1], LANES[:3]))
    view, scene, m = window.view, window.scene, window.current_map()
    blue = QColor(scene.theme.selection)
    card = next(c for c in m.ordered_cards() if c.lane_id == m.lanes[1].id)  # teal, no blue
    click(view, scene.layout.card_rects[card.id].center())
    assert scene.selected_card_ids() == [card.id]
    item = scene.cards[card.id]

    def card_blue() -> int:
        rect = view.mapFromScene(scene.layout.card_rects[card.id]).boundingRect()
        return _blue(view.viewport().grab().toImage(), rect.adjusted(-3, -3, 3, 3), blue)

    assert selection_shown(item) and card_blue() > 20
    _present(qtbot, window)
    assert item.isSelected() and not selection_shown(item)
    assert card_blue() == 0
    QTest.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.presentation.active, timeout=3000)
    assert selection_shown(item)
    qtbot.waitUntil(lambda: card_blue() > 20, timeout=3000)

    # a selected stage header
    stage = scene.stages[m.stages[1].id]
    click(view, scene.layout.stage_rects[m.stages[1].id].center())
    assert stage.isSelected() and selection_shown(stage)
    _present(qtbot, window)
    assert not selection_shown(stage)
    shown = view.mapFromScene(scene.layout.stage_rects[m.stages[1].id]).boundingRect()
    assert _blue(view.viewport().grab().toImage(), shown.adjusted(-3, -3, 3, 3), blue) == 0
    QTest.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.presentation.active, timeout=3000)

    # the keyboard's cell marker on an empty cell
    scene.clearSelection()
    cell = (m.stages[0].steps[0].id, m.lanes[0].id)
    window.editor.run(RemoveCardCommand(m.id, m.cards_in(*cell)[0].id))
    click(view, scene.layout.cell_rect(*cell).center())
    assert scene.cell_marker() is not None
    _present(qtbot, window)
    assert scene.cell_marker() is None
    shown = view.mapFromScene(scene.layout.cell_rect(*cell)).boundingRect()
    assert _blue(view.viewport().grab().toImage(), shown, blue) == 0
    QTest.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.presentation.active, timeout=3000)
    assert scene.cell_marker() is not None  # back on the working canvas


# ---------------------------------------------------------------- the cell marker
def test_the_cell_marker_goes_with_a_deleted_card_esc_and_a_click_beside_cards(
        qtbot, tmp_path: Path) -> None:
    from canvas_helpers import click, key, open_window

    window = open_window(qtbot, tmp_path)
    view, scene, m = window.view, window.scene, window.current_map()
    blue = QColor(scene.theme.selection)

    def marker_blue(cell: tuple[str, str]) -> int:
        shown = view.mapFromScene(scene.layout.cell_rect(*cell)).boundingRect()
        return _blue(view.viewport().grab().toImage(), shown, blue)

    # Tab to the first card, Delete: the Inspector shows the map, and no card or cell is
    # outlined
    key(view, Qt.Key.Key_Tab)
    first = m.card(scene.selected_card_ids()[0])
    cell = (first.step_id, first.lane_id)
    key(view, Qt.Key.Key_Delete)
    assert first.id not in m.cards and scene.selected_card_ids() == []
    assert scene.cell_marker() is None
    qtbot.wait(20)
    assert marker_blue(cell) == 0
    # the arrows go on from where the card was
    key(view, Qt.Key.Key_Down)
    assert scene.interactions.current_cell is not None
    assert scene.interactions.current_cell[0] == cell[0]

    # Esc after a card: no marker around the card's cell
    key(view, Qt.Key.Key_Tab)
    chosen = m.card(scene.selected_card_ids()[0])
    key(view, Qt.Key.Key_Escape)
    assert scene.selected_card_ids() == [] and scene.cell_marker() is None
    qtbot.wait(20)
    assert marker_blue((chosen.step_id, chosen.lane_id)) == 0

    # a click beside the cards of a cell clears the selection and marks nothing
    filled, below = next(
        (cell, bottom) for cell in scene.layout.cells if scene.layout.cells[cell]
        and scene.layout.cell_rect(*cell).bottom()
        - (bottom := scene.layout.card_rects[scene.layout.cells[cell][-1].id].bottom()) > 20)
    scene.interactions.select_card(scene.layout.cells[filled][0].id)
    rect = scene.layout.cell_rect(*filled)
    click(view, QPointF(rect.center().x(), (below + rect.bottom()) / 2))
    assert scene.selected_card_ids() == [] and scene.cell_marker() is None
    qtbot.wait(20)
    assert marker_blue(filled) == 0
    # ... and a click off the map too
    key(view, Qt.Key.Key_Tab)
    click(view, QPointF(scene.layout.width + 10, scene.layout.height + 40))
    assert scene.selected_card_ids() == [] and scene.cell_marker() is None

    # an empty cell clicked is still marked (where Enter writes a new card)
    empty = next((s.id, lane.id) for s in m.all_steps() for lane in m.lanes
                 if lane.type != "emotions" and not m.cards_in(s.id, lane.id))
    click(view, scene.layout.cell_rect(*empty).center())
    assert scene.cell_marker() is not None
    qtbot.wait(20)
    assert marker_blue(empty) > 50
