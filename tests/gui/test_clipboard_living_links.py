"""Copy and paste keep a card's living fields; the cards an opportunity addresses follow the
copies when they were copied along, stay when they are on the map pasted into, and are dropped
otherwise."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, key, open_window
from PySide6.QtCore import QPointF, Qt

from journeydesk.domain.commands import EditCardCommand
from journeydesk.gui.main_window import MainWindow

PAIN = "Phone number is required but its use is not explained"
IDEA = "Ask only for e-mail and password; the rest later"


def card_named(window: MainWindow, text: str):
    return next(c for c in window.current_map().cards.values() if c.text == text)


def card_center(window: MainWindow, text: str) -> QPointF:
    return window.scene.layout.card_rects[card_named(window, text).id].center()


def link_idea_to_pain(window: MainWindow) -> None:
    m = window.current_map()
    idea, pain = card_named(window, IDEA), card_named(window, PAIN)
    assert window.editor.run(EditCardCommand(
        m.id, idea.id, addresses=[pain.id], evidence="research", source="interviews",
        value=4, effort=2, status="planned", owner="Bo"))


def paste_into_new_map(window: MainWindow, name: str) -> None:
    window.new_map(name)
    window.view.setFocus()
    key(window.view, Qt.Key.Key_Tab)  # empty map: nothing to select, paste goes to cell 1
    key(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_links_follow_cards_copied_together(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    link_idea_to_pain(window)
    view = window.view
    click(view, card_center(window, PAIN))
    click(view, card_center(window, IDEA), Qt.KeyboardModifier.ControlModifier)
    assert len(window.scene.selected_card_ids()) == 2
    key(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)

    paste_into_new_map(window, "Copy of both")
    m = window.current_map()
    assert len(m.cards) == 2
    idea, pain = card_named(window, IDEA), card_named(window, PAIN)
    assert idea.addresses == [pain.id]  # the copy of the pain point, on this map
    assert (idea.evidence, idea.source, idea.value, idea.effort, idea.status, idea.owner) == (
        "research", "interviews", 4, 2, "planned", "Bo")
    window.act_undo.trigger()
    assert len(m.cards) == 0


def test_a_link_to_a_card_not_copied_stays_on_its_map_and_is_dropped_elsewhere(
        qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    link_idea_to_pain(window)
    view = window.view
    first = window.current_map()
    pain_id = card_named(window, PAIN).id
    click(view, card_center(window, IDEA))
    key(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)

    # pasted on the same map: the copy addresses the same pain point
    click(view, card_center(window, "Membership conditions are hard to find"))
    key(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    copies = [c for c in first.cards.values() if c.text == IDEA]
    assert len(copies) == 2
    assert all(c.addresses == [pain_id] for c in copies)

    # pasted on another map, where that pain point is not: the link is dropped, not refused
    paste_into_new_map(window, "Copy of the idea")
    pasted = list(window.current_map().cards.values())
    assert [(c.text, c.addresses, c.value) for c in pasted] == [(IDEA, [], 4)]
    window.act_undo.trigger()
    assert window.current_map().cards == {}
