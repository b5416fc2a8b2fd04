"""A canvas a room can read: text size on rendered grabs at Fit and in Present, card text never
cut, sticky headers, and Present mode's title, walk-through and way back.

Text size is measured on the grab itself: cards say "HHH ...", capitals only, so the height
of a line's dark pixels is the font's cap height on screen, compared with the cap height of
the font at the size the rule asks for (12 px, 18 px in Present).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter
from PySide6.QtTest import QTest

from journeydesk.domain.commands import AddMapCommand
from journeydesk.exchange.json_map import loads_map
from journeydesk.gui.canvas.layout import card_height
from journeydesk.gui.canvas.text import draw_text, font_px, line_height, text_width, wrap
from journeydesk.gui.main_window import MainWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

CAPS = "HHH HHH HHHH HH HHH HHHHH HHH"
LANES = [("Actions", "actions"), ("Touchpoints", "touchpoints"), ("Thoughts", "thoughts"),
         ("Emotions", "emotions"), ("Pain points", "pain_points"),
         ("Opportunities", "opportunities"), ("Backstage", "backstage")]


def map_json(stages: int) -> str:
    """A map of ``stages`` stages and the usual lanes, with cards of capitals."""
    names = [f"Stage {i + 1}" for i in range(stages)]
    cards = []
    for name in names:
        cards.append({"stage": name, "lane": "Actions", "text": "HHH HHH"})
        cards.append({"stage": name, "lane": "Touchpoints", "text": CAPS})
        cards.append({"stage": name, "lane": "Pain points", "text": CAPS + " " + CAPS})
    return json.dumps({
        "format": "journeydesk.map", "version": 1, "name": f"Workshop map {stages}",
        "description": "", "scale": {"min": -2, "max": 2}, "personas": [],
        "stages": [{"name": n, "description": "", "events": []} for n in names],
        "lanes": [{"name": n, "type": t} for n, t in LANES], "cards": cards, "emotions": []})


def open_map_window(qtbot, tmp_path: Path, stages: int, size=(1280, 720)) -> MainWindow:  # noqa: ANN001
    doc = Document(WorkspaceFile.open(tmp_path / f"readable{stages}.jdesk", create=True))
    m, personas = loads_map(map_json(stages), doc.workspace)
    doc.execute(AddMapCommand(m, personas))
    window = MainWindow(doc, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()  # shortcuts need the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.open_map(m.id)
    window.view.setFocus()
    return window


def cap_height(pixels: float) -> float:
    """The cap height of canvas text ``pixels`` high, in pixels."""
    return QFontMetricsF(font_px(round(pixels))).capHeight()


def _dark(image: QImage, x: int, y: int) -> bool:
    return QColor(image.pixel(x, y)).lightness() < 120


def text_rows(image: QImage, rect: QRect) -> list[tuple[int, int]]:
    """(first row, height) of each run of rows with dark (text) pixels inside ``rect``."""
    runs: list[tuple[int, int]] = []
    start = None
    for y in range(rect.top(), rect.bottom() + 1):
        dark = any(_dark(image, x, y) for x in range(rect.left(), rect.right() + 1))
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            runs.append((start, y - start))
            start = None
    if start is not None:
        runs.append((start, rect.bottom() + 1 - start))
    return runs


def visible_cards(window: MainWindow) -> list[tuple[str, QRect]]:
    """The cards wholly in the viewport, with their rectangle there (inside the border and the
    colour strip)."""
    view, scene = window.view, window.scene
    port = view.viewport().rect()
    found = []
    for card_id, rect in scene.layout.card_rects.items():
        on_screen = view.mapFromScene(rect).boundingRect()
        if port.contains(on_screen):
            strip = max(4, round(10 * view.zoom))
            found.append((card_id, on_screen.adjusted(strip, 3, -3, -3)))
    return found


def assert_cards_readable(window: MainWindow, pixels: float) -> int:
    """Every card on screen shows a first text line at least ``pixels`` high; returns how
    many cards were measured."""
    image = window.view.viewport().grab().toImage()
    cards = visible_cards(window)
    assert cards, "no card is wholly on screen"
    wanted = cap_height(pixels) - 1.0  # a row of antialiasing either way
    for card_id, rect in cards:
        rows = text_rows(image, rect)
        assert rows, f"card {window.scene.map.card(card_id).text!r} shows no text"
        assert rows[0][1] >= wanted, (window.view.zoom, rows, wanted)
    return len(cards)


@pytest.mark.parametrize("stages", [4, 6, 8])
def test_card_text_is_at_least_12_px_at_fit_on_a_projector(qtbot, tmp_path: Path,
                                                          stages: int) -> None:
    window = open_map_window(qtbot, tmp_path, stages)
    window.act_zoom_fit.trigger()
    qtbot.wait(50)
    assert window.view.zoom < 0.86  # zoomed out: plain text would be under 12 px
    assert assert_cards_readable(window, 12) >= 3


def test_present_shows_a_six_stage_map_at_18_px_with_its_title(qtbot, tmp_path: Path) -> None:
    window = open_map_window(qtbot, tmp_path, 6)
    window.view.set_zoom(1.5)
    window.view.verticalScrollBar().setValue(200)
    before = (window.view.zoom, window.view.verticalScrollBar().value())
    QTest.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.presentation.active, timeout=3000)
    window.setGeometry(0, 0, 1280, 720)  # the projector (the test screen is another size)
    qtbot.wait(100)
    title = window.presentation.title
    assert title.isVisible() and title.text() == "Workshop map 6"
    assert not window.scene.add_stage_button.isVisible()
    assert not window.scene.add_lane_button.isVisible()
    assert window.view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert not window.toolbar.isVisible() and not window.statusBar().isVisible()
    assert not window.welcome.isVisible() and not window.data.bar.isVisible()
    assert assert_cards_readable(window, 18) >= 3
    bar = window.view.verticalScrollBar()  # a map taller than 18 px text lets the screen show
    assert window.presentation.more.isVisible() == (bar.value() < bar.maximum())

    # the walk-through: Right pans to the first stage and veils the others, Home comes back
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    first = window.scene.map.stages[0]
    assert window.scene.focus_stage == first.id
    qtbot.waitUntil(lambda: not window.presentation.animating, timeout=3000)
    shown = window.view.visible_scene_rect()
    assert shown.contains(window.scene.layout.stage_rects[first.id].center())
    QTest.keyClick(window.view, Qt.Key.Key_PageDown)
    assert window.scene.focus_stage == window.scene.map.stages[1].id
    QTest.keyClick(window.view, Qt.Key.Key_Home)
    assert window.scene.focus_stage is None

    # leaving gives back the view as it was
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.presentation.active, timeout=3000)
    assert not title.isVisible()
    assert window.scene.add_stage_button.isVisible()
    assert window.view.zoom == pytest.approx(before[0])
    assert window.view.verticalScrollBar().value() == before[1]
    assert window.toolbar.isVisible()


def test_card_height_is_measured_as_the_text_is_painted(qtbot) -> None:
    """The issue's card: its last word only just wraps.  The layout measures and the card
    paints the same lines, so no line is cut off (on main, measured 2 px wider than painted)."""
    metrics = QFontMetricsF(font_px(14))
    text = "Adds two items to the cart"
    while metrics.horizontalAdvance(text + " x") < text_width() - 1:
        text += " x"
    text += " cart"  # a last word that only just wraps
    lines = wrap(text, text_width())
    assert len(lines) == 2 and lines[-1].endswith("cart")
    from journeydesk.domain.model import Card, LaneType

    height = card_height(Card("s", "l", text), LaneType.ACTIONS,
                         lambda t, w: len(wrap(t, w)) * line_height())
    image = QImage(300, 200, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QColor("black"))
    painted = draw_text(painter, QRectF(12, 9, text_width(), height - 19), text)
    painter.end()
    assert painted == len(lines)
    assert len(text_rows(image, QRect(12, 0, int(text_width()), int(height)))) == len(lines)


def test_headers_stick_when_the_map_is_scrolled(qtbot, tmp_path: Path) -> None:
    window = open_map_window(qtbot, tmp_path, 8)
    view, scene = window.view, window.scene
    view.set_zoom(1.5)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum() // 2)
    qtbot.wait(20)
    shown = view.visible_scene_rect()
    stage = next(scene.stages[s.id] for s in scene.map.stages  # right of the lane headers
                 if scene.layout.stage_rects[s.id].left() > shown.left() + 200)
    lane = scene.lanes[scene.map.lanes[0].id]
    assert stage.scenePos().y() == pytest.approx(shown.top())  # at the top of the view
    assert lane.scenePos().x() == pytest.approx(shown.left())  # at its left
    # what is under the top row of the view is the header, not a card
    top_left = view.mapFromScene(QPointF(stage.scenePos().x() + 40, stage.scenePos().y() + 10))
    assert view.itemAt(top_left) is stage
    # an opaque band behind the pinned headers: between two stage headers no card shows
    image = view.viewport().grab().toImage()
    gap = view.mapFromScene(QPointF(stage.scenePos().x() + 1, stage.scenePos().y() + 1))
    assert QColor(image.pixel(gap)) == QColor(scene.theme.background)
    view.verticalScrollBar().setValue(view.verticalScrollBar().minimum())
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().minimum())
    assert stage.scenePos() == scene.layout.stage_rects[stage.item_id].topLeft()
    assert lane.scenePos() == scene.layout.lane_rects[lane.item_id].topLeft()


# ---------------------------------------------------------------- the keyboard's current cell
def _marker_pixels(window: MainWindow) -> int:
    """How many pixels of the selection colour the marker's slot shows on screen."""
    slot = window.scene.cell_marker()
    assert slot is not None
    image = window.view.viewport().grab().toImage()
    rect = window.view.mapFromScene(slot).boundingRect()
    blue = QColor(window.scene.theme.selection)
    return sum(1 for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1)
               if 0 <= x < image.width() and 0 <= y < image.height()
               and abs(QColor(image.pixel(x, y)).hue() - blue.hue()) < 12
               and QColor(image.pixel(x, y)).saturation() > 120)


def test_the_empty_cell_enter_would_fill_is_marked(qtbot, tmp_path: Path) -> None:
    from canvas_helpers import click, open_window

    window = open_window(qtbot, tmp_path)
    view, scene, m = window.view, window.scene, window.current_map()
    backstage = m.lane_named("Backstage")
    step = m.stages[0].steps[0]
    cell = scene.layout.cell_rect(step.id, backstage.id)
    assert not scene.layout.cells.get((step.id, backstage.id))  # an empty cell
    click(view, cell.center())
    qtbot.wait(20)
    assert scene.cell_marker() is not None
    assert _marker_pixels(window) > 50  # the dashed outline is on screen
    # Right moves the marker to the next empty cell (no card there either)
    QTest.keyClick(view, Qt.Key.Key_Right)
    qtbot.wait(20)
    moved = scene.cell_marker()
    assert moved is not None and moved.left() > cell.left()
    assert _marker_pixels(window) > 50
    # Enter writes a card in the marked cell; then the marker gives way to the new card
    QTest.keyClick(view, Qt.Key.Key_Left)
    QTest.keyClick(view, Qt.Key.Key_Return)
    QTest.keyClicks(view, "Night shift")
    QTest.keyClick(view, Qt.Key.Key_Return)
    card = next(c for c in m.cards.values() if c.text == "Night shift")
    assert (card.step_id, card.lane_id) == (step.id, backstage.id)
    assert scene.cell_marker() is None  # the new card is selected


def test_tab_in_the_card_editor_moves_on_to_the_next_card(qtbot, tmp_path: Path) -> None:
    from canvas_helpers import open_window

    window = open_window(qtbot, tmp_path)
    view, scene, m = window.view, window.scene, window.current_map()
    cards = m.ordered_cards()
    first, second = cards[0], cards[1]
    scene.interactions.select_card(first.id)
    QTest.keyClick(view, Qt.Key.Key_Return)  # edit the selected card
    QTest.keyClick(view, Qt.Key.Key_End)
    QTest.keyClicks(view, " today")
    QTest.keyClick(view, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: scene.interactions.editor_item is not None
                    and scene.selected_card_ids() == [second.id], timeout=3000)
    assert m.card(first.id).text.endswith(" today") and "\t" not in m.card(first.id).text
    QTest.keyClick(view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: scene.selected_card_ids() == [first.id], timeout=3000)
    assert scene.interactions.editor_item is not None
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert scene.interactions.editor_item is None
    assert "\t" not in m.card(second.id).text
    window.act_undo.trigger()  # one undo step for the one edit
    assert not m.card(first.id).text.endswith(" today")


def test_esc_in_present_cancels_the_editor_first(qtbot, tmp_path: Path) -> None:
    """Esc while a card is edited in Present leaves the edit, not Present; the next Esc
    leaves Present.  A map name with "&" shows as it is in the title."""
    window = open_map_window(qtbot, tmp_path, 4)
    from journeydesk.domain.commands import EditMapCommand

    window.editor.run(EditMapCommand(window.current_map().id, name="Sign-up & onboarding"))
    QTest.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.presentation.active, timeout=3000)
    assert window.presentation.title.text().startswith("Sign-up &amp; onboarding")
    assert window.presentation.title.textFormat() == Qt.TextFormat.RichText
    scene = window.scene
    card = window.current_map().ordered_cards()[0]
    scene.interactions.select_card(card.id)
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert scene.interactions.editor_item is not None
    QTest.keyClicks(window.view, "typed")
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert scene.interactions.editor_item is None and window.presentation.active
    assert window.current_map().card(card.id).text == card.text  # Esc kept nothing
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.presentation.active


def test_the_window_starts_within_the_screen(qtbot, tmp_path: Path) -> None:
    """On a 1280x720 projector the first window must not be cut off (it was 1400x860)."""
    from PySide6.QtWidgets import QApplication

    from journeydesk.gui.main_window import first_size

    free = QApplication.primaryScreen().availableGeometry()
    width, height = first_size()
    assert width <= free.width() and height <= free.height()
    assert first_size((5000, 5000)) == (free.width(), free.height())
    assert first_size((300, 200)) == (300, 200)
