"""Issue 16's inspector: colour swatches that fill the card softly and stay readable, fields by
lane type, several cards edited at once, and a "+" lane that asks for its name and type."""

from __future__ import annotations

from pathlib import Path

import pytest
from canvas_helpers import click, open_window, view_point
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

from journeydesk.domain.model import LaneType
from journeydesk.gui.canvas.theme import (
    MIN_CONTRAST,
    SWATCHES,
    THEMES,
    card_accent,
    card_tint,
    contrast_ratio,
)
from journeydesk.gui.lane_dialog import AddLaneDialog
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.swatches import SwatchPicker


def card_named(window: MainWindow, text: str):  # noqa: ANN201
    return next(c for c in window.current_map().cards.values() if c.text.startswith(text))


def select_card(window: MainWindow, text: str,
                modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):  # noqa: ANN201
    card = card_named(window, text)
    click(window.view, window.scene.layout.card_rects[card.id].center(), modifiers)
    return card


def activate(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    """Wait for the window to be active again after a dialog (the app asks for it back, so
    that its shortcuts work at once even without a window manager)."""
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def undo(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    activate(qtbot, window)
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def fill_pixel(window: MainWindow, card_id: str) -> QColor:
    """The painted colour just inside a card's bottom-right corner (padding, never text)."""
    rect = window.scene.layout.card_rects[card_id]
    point = view_point(window.view, QPointF(rect.right() - 6, rect.bottom() - 6))
    window.view.viewport().repaint()
    return window.view.viewport().grab().toImage().pixelColor(point)


def close_to(one: QColor, other: QColor, tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(one.getRgb()[:3], other.getRgb()[:3],
                                                       strict=True))


def refusals(window: MainWindow) -> list[str]:
    shown: list[str] = []
    window.editor.refused.connect(shown.append)
    return shown


# --------------------------------------------------------------------------- colour
@pytest.mark.parametrize("theme_name", ["light", "dark"])
def test_a_clicked_swatch_fills_the_card_softly_and_undoes(qtbot, tmp_path: Path,
                                                           theme_name: str) -> None:
    window = open_window(qtbot, tmp_path)
    window.set_theme(theme_name)
    theme = THEMES[theme_name]
    shown = refusals(window)
    card = select_card(window, "Clicks a promotion")
    plain = fill_pixel(window, card.id)
    picker = window.inspector.card_colour
    red = picker.swatch_named("Red")
    assert red.isVisible() and red.accessibleName() == "Red"
    qtbot.mouseClick(red, Qt.MouseButton.LeftButton)
    assert card.colour == "#cf3b35"
    assert red.isChecked() and not picker.none_swatch.isChecked()
    assert window.editor.stack.count() == 1
    painted = fill_pixel(window, card.id)
    assert close_to(painted, card_tint(theme, "#cf3b35")), painted.name()
    assert not close_to(painted, plain, 10)  # the whole card is tinted, not a stripe
    assert contrast_ratio(painted, theme.text) >= MIN_CONTRAST
    undo(qtbot, window)
    assert card.colour is None
    assert picker.none_swatch.isChecked() and not red.isChecked()
    assert close_to(fill_pixel(window, card.id), plain)
    assert not shown


def test_swatches_are_reached_with_tab_and_picked_with_arrows_and_enter(qtbot,
                                                                         tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    card = select_card(window, "Clicks a promotion")
    inspector = window.inspector
    picker = inspector.card_colour
    names = [b.accessibleName() for b in picker.buttons()]
    assert all(names) and len(set(names)) == len(names) == len(SWATCHES) + 2
    assert all(b.focusPolicy() & Qt.FocusPolicy.TabFocus for b in picker.buttons())
    inspector.card_tags.setFocus()
    QTest.keyClick(inspector.card_tags, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is picker.none_swatch
    for _ in range(5):  # none, Blue, Teal, Amber, Lavender, Red
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert QApplication.focusWidget() is picker.swatch_named("Red")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert card.colour == "#cf3b35"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert card.colour == SWATCHES[5][1]  # Green
    for _ in range(20):  # clamped at the first swatch
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Enter)
    assert card.colour is None
    assert window.editor.stack.count() == 3


def test_custom_colour_comes_from_a_colour_dialog_and_esc_leaves_undo_intact(
        qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    shown = refusals(window)
    card = select_card(window, "Clicks a promotion")
    picker = window.inspector.card_colour
    page_fields = window.inspector.card_page.findChildren(QLineEdit)
    assert not any(f.accessibleName() == "Colour" for f in page_fields)  # nothing to mistype
    qtbot.mouseClick(picker.custom_swatch, Qt.MouseButton.LeftButton)
    dialog = picker.colour_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.setCurrentColor(QColor("yellow"))
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(
        QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert card.colour == "#ffff00"
    assert picker.custom_swatch.isChecked()
    assert "#ffff00" in picker.custom_swatch.accessibleName()
    stack = window.editor.stack
    assert stack.count() == 1

    qtbot.mouseClick(picker.custom_swatch, Qt.MouseButton.LeftButton)
    dialog = picker.colour_dialog
    dialog.setCurrentColor(QColor("#123456"))
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: picker.colour_dialog is None)
    qtbot.waitUntil(picker.custom_swatch.hasFocus)  # the keys are back where they were
    assert card.colour == "#ffff00" and stack.count() == 1 and stack.canUndo()
    undo(qtbot, window)
    assert card.colour is None and stack.canRedo()
    assert not shown and "yellow" not in window.statusBar().currentMessage()


@pytest.mark.parametrize("theme_name", ["light", "dark"])
@pytest.mark.parametrize("colour", [c for _name, c in SWATCHES]
                         + ["#ffff00", "#ffffff", "#000000", "#0000ff", "#00ff00"])
def test_every_tint_keeps_card_text_tags_and_badges_readable(theme_name: str, colour: str) -> None:
    theme = THEMES[theme_name]
    fill = card_tint(theme, colour)
    assert contrast_ratio(fill, theme.text) >= MIN_CONTRAST
    assert contrast_ratio(fill, theme.muted_text) >= MIN_CONTRAST
    assert contrast_ratio(card_accent(theme, colour), fill) >= MIN_CONTRAST  # badge text
    if (colour, theme_name) not in (("#ffffff", "light"), ("#000000", "dark")):
        assert fill != theme.look(LaneType.ACTIONS).fill  # really a tint of the colour


# --------------------------------------------------------------------------- fields by type
def row_shown(window: MainWindow, widget) -> bool:  # noqa: ANN001
    return window.inspector.card_page.layout().isRowVisible(widget) and widget.isVisible()


@pytest.mark.parametrize(("text", "shown"), [
    ("Phone number is required", "severity"), ("Ask only for e-mail", "priority"),
    ("Landing page", "channel"), ("Clicks a promotion", None)])
def test_a_card_shows_the_fields_of_its_lane_type(qtbot, tmp_path: Path, text: str,
                                                  shown: str | None) -> None:
    window = open_window(qtbot, tmp_path)
    select_card(window, text)
    inspector = window.inspector
    for name, widget in (("severity", inspector.card_severity),
                         ("priority", inspector.card_priority),
                         ("channel", inspector.card_channel)):
        assert row_shown(window, widget) == (name == shown), name
    for widget in (inspector.card_text, inspector.card_tags, inspector.card_colour,
                   inspector.card_events):
        assert row_shown(window, widget)


def test_hidden_fields_keep_their_values_and_a_set_value_stays_visible(qtbot,
                                                                        tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    inspector = window.inspector
    card = select_card(window, "Phone number is required")
    lane = window.current_map().lane(card.lane_id)
    click(window.view, window.scene.layout.lane_rects[lane.id].center())
    combo = inspector.lane_type
    index = combo.findData("notes")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what choosing the entry with the mouse emits
    assert lane.type == "notes" and card.severity == 3
    select_card(window, "Phone number is required")
    assert row_shown(window, inspector.card_severity)  # it holds a value: not hidden
    assert inspector.card_severity.value() == 3
    assert not row_shown(window, inspector.card_priority)
    undo(qtbot, window)
    assert lane.type == "pain_points" and card.severity == 3


# --------------------------------------------------------------------------- several cards
def test_several_cards_share_colour_and_tags_in_one_undo_step_each(qtbot,
                                                                   tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    inspector = window.inspector
    shown = refusals(window)
    ctrl = Qt.KeyboardModifier.ControlModifier
    cards = [select_card(window, "The e-mail lands in spam"),
             select_card(window, "Phone number is required", ctrl),
             select_card(window, "Clicks a promotion", ctrl)]
    assert inspector.title.text() == "3 cards selected"
    assert inspector.pages.currentWidget() is inspector.cards_page
    assert not inspector.map_name.isVisible() and not inspector.map_description.isVisible()
    stack = window.editor.stack
    picker: SwatchPicker = inspector.cards_colour
    assert not any(b.isChecked() for b in picker.buttons()[1:])  # none has a colour
    qtbot.mouseClick(picker.swatch_named("Green"), Qt.MouseButton.LeftButton)
    green = SWATCHES[5][1]
    assert [c.colour for c in cards] == [green] * 3
    assert stack.count() == 1 and picker.swatch_named("Green").isChecked()

    tags = inspector.cards_tags
    assert tags.text() == ""  # no tag all three share
    tags.setFocus()
    QTest.keyClicks(tags, "workshop")
    QTest.keyClick(tags, Qt.Key.Key_Return)
    assert [c.tags for c in cards] == [["deliverability", "workshop"], ["workshop"],
                                       ["workshop"]]
    assert stack.count() == 2 and tags.text() == "workshop"
    tags.selectAll()
    QTest.keyClick(tags, Qt.Key.Key_Delete)
    QTest.keyClick(tags, Qt.Key.Key_Return)
    assert [c.tags for c in cards] == [["deliverability"], [], []]  # own tags kept
    assert stack.count() == 3

    undo(qtbot, window)
    assert [c.tags for c in cards] == [["deliverability", "workshop"], ["workshop"],
                                       ["workshop"]]
    assert inspector.cards_tags.text() == "workshop"  # the page follows undo
    undo(qtbot, window)
    undo(qtbot, window)
    assert [c.colour for c in cards] == [None] * 3
    assert [c.tags for c in cards] == [["deliverability"], [], []]
    assert not shown


# --------------------------------------------------------------------------- "+" lane
def open_lane_dialog(qtbot, window: MainWindow) -> AddLaneDialog:  # noqa: ANN001
    click(window.view, window.scene.add_lane_button.sceneBoundingRect().center())
    qtbot.waitUntil(lambda: window.findChild(AddLaneDialog) is not None
                    and window.findChild(AddLaneDialog).isVisible())
    return window.findChild(AddLaneDialog)


def test_plus_asks_for_the_lane_name_and_guesses_its_type(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    lanes = len(m.lanes)
    stack = window.editor.stack
    dialog = open_lane_dialog(qtbot, window)
    qtbot.waitUntil(dialog.name_field.hasFocus)  # type at once
    assert not dialog.ok_button.isEnabled()  # no name yet
    QTest.keyClicks(dialog.name_field, "Staff / backstage")
    assert dialog.lane_type() is LaneType.BACKSTAGE
    assert "Backstage" in dialog.type_hint.text()
    QTest.keyClick(dialog.name_field, Qt.Key.Key_Return)
    assert len(m.lanes) == lanes + 1
    assert (m.lanes[-1].name, m.lanes[-1].type) == ("Staff / backstage", LaneType.BACKSTAGE)
    assert stack.count() == 1  # one undo step
    undo(qtbot, window)
    assert len(m.lanes) == lanes and stack.canRedo()

    dialog = open_lane_dialog(qtbot, window)
    QTest.keyClicks(dialog.name_field, "Ideas")
    assert dialog.lane_type() is LaneType.OPPORTUNITIES
    QTest.keyClick(dialog.name_field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(AddLaneDialog) is None)
    qtbot.waitUntil(window.view.hasFocus)  # back on the canvas: Ctrl+Y works at once
    assert len(m.lanes) == lanes
    assert stack.count() == 1 and stack.canRedo()  # Esc left the history as it was
    activate(qtbot, window)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert m.lanes[-1].name == "Staff / backstage"


def test_a_picked_lane_type_is_kept_and_a_taken_name_is_not_offered(qtbot,
                                                                     tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    lanes = len(m.lanes)
    dialog = open_lane_dialog(qtbot, window)
    QTest.keyClicks(dialog.name_field, "Backstage")
    assert not dialog.ok_button.isEnabled()  # the map has a lane of that name
    QTest.keyClick(dialog.name_field, Qt.Key.Key_Return)
    assert dialog.isVisible() and len(m.lanes) == lanes
    dialog.name_field.clear()
    QTest.keyClicks(dialog.name_field, "Ideas")
    dialog.type_combo.setFocus()
    index = dialog.type_combo.findData("notes")
    dialog.type_combo.setCurrentIndex(index)
    dialog.type_combo.activated.emit(index)  # what choosing the entry emits
    QTest.keyClicks(dialog.name_field, " and pains")  # typing on does not re-guess
    assert dialog.lane_type() is LaneType.NOTES
    QTest.keyClick(dialog.name_field, Qt.Key.Key_Return)
    assert (m.lanes[-1].name, m.lanes[-1].type) == ("Ideas and pains", LaneType.NOTES)


def test_severity_stepped_with_the_arrows_is_one_undo_step(qtbot, tmp_path: Path) -> None:
    """From none to 4 with the spin box's arrow key: one step in the history, not four, and
    the history says which field it changed."""
    from journeydesk.domain.commands import EditCardCommand

    window = open_window(qtbot, tmp_path)
    m = window.current_map()
    pains = m.lane_named("Pain points")
    card = next(c for c in m.cards.values() if c.lane_id == pains.id)
    window.editor.run(EditCardCommand(m.id, card.id, severity=None))
    qtbot.wait(1700)  # an edit of its own, not merged with the steps below
    window.scene.interactions.select_card(card.id)
    spin = window.inspector.card_severity
    stack = window.editor.stack
    before = stack.count()
    spin.setFocus()
    for _ in range(4):
        QTest.keyClick(spin, Qt.Key.Key_Up)
    assert card.severity == 4
    assert stack.count() == before + 1
    assert stack.text(stack.count() - 1) == "Edit card (severity)"
    window.act_undo.trigger()
    assert card.severity is None
    window.act_redo.trigger()
    assert card.severity == 4
