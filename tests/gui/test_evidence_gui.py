"""Issue 19's evidence in the window: the inspector's Evidence and Source fields, the card
borders, View > Highlight assumptions, the coverage band, and cards made from data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from canvas_helpers import click, open_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtTest import QTest
from test_data_overlay import add_log, overlay_on

from journeydesk.domain.commands import EditCardCommand
from journeydesk.domain.model import Card, LaneType
from journeydesk.gui.canvas.card_marks import DIMMED, evidence_pen
from journeydesk.gui.main_window import MainWindow


def card_named(window: MainWindow, text: str) -> Card:
    return next(c for c in window.current_map().cards.values() if c.text.startswith(text))


def select_card(window: MainWindow, text: str,
                modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> Card:
    card = card_named(window, text)
    click(window.view, window.scene.layout.card_rects[card.id].center(), modifiers)
    return card


def undo(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def pain_points(window: MainWindow) -> list[Card]:
    m = window.current_map()
    lanes = {lane.id for lane in m.lanes if lane.type is LaneType.PAIN_POINTS}
    return [c for c in m.ordered_cards() if c.lane_id in lanes]


def test_the_inspector_sets_a_cards_evidence_and_source_undoably(qtbot,
                                                                 tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.evidence_rows
    card = select_card(window, "Opens the sign-up form")
    assert window.inspector.title.text() == "Card"
    assert rows.card_evidence.currentText() == "Assumed"
    assert card.evidence == "assumed"

    rows.card_evidence.setFocus()
    QTest.keyClick(rows.card_evidence, Qt.Key.Key_Down)  # Heard in research
    QTest.keyClick(rows.card_evidence, Qt.Key.Key_Down)  # Observed
    assert card_named(window, "Opens the sign-up form").evidence == "observed"
    rows.card_source.setFocus()
    QTest.keyClicks(rows.card_source, "session recording 14")
    QTest.keyClick(rows.card_source, Qt.Key.Key_Return)
    card = card_named(window, "Opens the sign-up form")
    assert card.source == "session recording 14"
    assert "Evidence: Observed: session recording 14" in window.scene.cards[card.id].toolTip()

    undo(qtbot, window)  # the source
    assert card_named(window, "Opens the sign-up form").source is None
    assert rows.card_source.text() == ""
    undo(qtbot, window)  # Observed
    undo(qtbot, window)  # Heard in research
    assert card_named(window, "Opens the sign-up form").evidence == "assumed"
    assert rows.card_evidence.currentText() == "Assumed"


def test_several_cards_get_one_level_in_one_undo_step(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.evidence_rows
    first = select_card(window, "Opens the sign-up form")
    second = select_card(window, "Fills in 11 fields", Qt.KeyboardModifier.ControlModifier)
    assert window.inspector.title.text() == "2 cards selected"
    assert rows.cards_evidence.currentText() == "Assumed"

    rows.cards_evidence.setFocus()
    for _ in range(3):
        QTest.keyClick(rows.cards_evidence, Qt.Key.Key_Down)  # to "Measured in data"
    m = window.current_map()
    assert {m.cards[first.id].evidence, m.cards[second.id].evidence} == {"measured"}
    undo(qtbot, window)  # each key was one step for both cards
    assert {m.cards[first.id].evidence, m.cards[second.id].evidence} == {"observed"}

    window.editor.run(EditCardCommand(m.id, first.id, evidence="research"))
    assert rows.cards_evidence.currentIndex() == -1  # mixed: nothing chosen
    rows.cards_source.setFocus()
    QTest.keyClicks(rows.cards_source, "interviews, May")
    QTest.keyClick(rows.cards_source, Qt.Key.Key_Return)
    assert m.cards[first.id].source == m.cards[second.id].source == "interviews, May"
    undo(qtbot, window)  # both sources go in one step
    assert m.cards[first.id].source is None and m.cards[second.id].source is None


def test_borders_say_the_level() -> None:
    assumed, measured, observed = (Card("s", "l", "x", evidence=level)
                                   for level in ("assumed", "measured", "observed"))
    assert evidence_pen(QPen(), assumed, False).style() == Qt.PenStyle.CustomDashLine
    assert evidence_pen(QPen(), assumed, True).style() == Qt.PenStyle.SolidLine  # selected
    assert evidence_pen(QPen(), observed, False).style() == Qt.PenStyle.SolidLine
    assert evidence_pen(QPen(QColor("black"), 1.0), measured, False).widthF() == 2.0
    assert evidence_pen(QPen(QColor("black"), 1.0), observed, False).widthF() == 1.0


def test_highlight_assumptions_dims_the_backed_cards(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    rows = window.inspector.evidence_rows
    card = select_card(window, "Opens the sign-up form")
    rows.card_evidence.setFocus()
    QTest.keyClick(rows.card_evidence, Qt.Key.Key_Down)  # Heard in research
    scene = window.scene
    other = card_named(window, "Fills in 11 fields")
    assert scene.cards[card.id].opacity() == 1.0

    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_H,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.act_highlight_assumptions.isChecked()
    assert scene.cards[card.id].opacity() == DIMMED
    assert scene.cards[other.id].opacity() == 1.0  # an assumption stands out
    assert window.evidence.band.isChecked()

    undo(qtbot, window)  # back to assumed: no longer dimmed
    assert scene.cards[card.id].opacity() == 1.0

    # another map opened keeps the highlight; clicking the band turns it off
    window.duplicate_map()
    assert window.scene is not scene and window.scene.highlight_assumptions
    QTest.mouseClick(window.evidence.band, Qt.MouseButton.LeftButton)
    assert not window.act_highlight_assumptions.isChecked()
    assert not window.scene.highlight_assumptions
    assert all(item.opacity() == 1.0 for item in window.scene.cards.values())


def test_the_band_says_how_many_pain_points_are_backed(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    band = window.evidence.band
    pains = pain_points(window)
    assert band.isVisible()
    assert band.text() == "Evidence: 0% of pain points backed by research or data"
    assert f"{len(pains)} pain points" in band.toolTip()

    select_card(window, pains[0].text[:20])
    rows = window.inspector.evidence_rows
    rows.card_evidence.setFocus()
    QTest.keyClick(rows.card_evidence, Qt.Key.Key_End)  # Measured in data
    share = round(100 / len(pains))
    assert band.text() == f"Evidence: {share}% of pain points backed by research or data"
    undo(qtbot, window)
    assert band.text() == "Evidence: 0% of pain points backed by research or data"


def test_a_drop_off_card_is_measured_with_its_source(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    scene = window.scene
    m = window.current_map()
    confirm = m.stage_named("Confirm e-mail")
    pains = m.lane_named("Pain points")
    before = len(m.cards_in(confirm.steps[0].id, pains.id))
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[confirm.id].center())
    next(a for a in menu.actions() if a.text() == "Add drop-off as pain point").trigger()
    qtbot.waitUntil(lambda: len(m.cards_in(confirm.steps[0].id, pains.id)) > before,
                    timeout=20000)
    card = m.cards_in(confirm.steps[0].id, pains.id)[-1]
    assert card.evidence == "measured"
    assert card.source == f"signups, all users; taken {date.today().isoformat()}"
    assert window.inspector.evidence_rows.card_evidence.currentText() == "Measured in data"
