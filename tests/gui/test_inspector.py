"""The inspector shows the selected element's fields and edits them (each edit one undo step)."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from journeydesk.gui.main_window import MainWindow


def card_named(window: MainWindow, text: str):
    return next(c for c in window.current_map().cards.values() if c.text == text)


def replace_text(widget, text: str) -> None:  # noqa: ANN001
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def test_card_fields_are_edited_through_the_inspector(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    inspector = window.inspector
    card = card_named(window, "Membership conditions are hard to find")
    click(window.view, window.scene.layout.card_rects[card.id].center())
    assert inspector.title.text() == "Card"
    assert inspector.pages.currentWidget() is inspector.card_page
    assert inspector.card_severity.value() == 2
    inspector.card_severity.setFocus()
    QTest.keyClick(inspector.card_severity, Qt.Key.Key_Up)
    assert card.severity == 3
    replace_text(inspector.card_tags, "terms, pricing")
    assert card.tags == ["terms", "pricing"]
    QTest.mouseClick(inspector.card_colour.swatch_named("Blue"), Qt.MouseButton.LeftButton)
    assert card.colour == "#3d6fd1"
    replace_text(inspector.card_events, "terms_view")
    assert card.events == ["terms_view"]
    assert window.editor.stack.count() == 4
    for _ in range(4):
        window.act_undo.trigger()
    assert (card.severity, card.tags, card.colour, card.events) == (2, [], None, [])
    assert inspector.card_severity.value() == 2  # the inspector follows undo


def test_bad_value_is_refused_and_the_field_shows_the_model_again(qtbot, tmp_path: Path,
                                                                   monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    window = open_window(qtbot, tmp_path)
    card = card_named(window, "Newsletter")
    click(window.view, window.scene.layout.card_rects[card.id].center())
    replace_text(window.inspector.card_events, "signup, signup")
    assert card.events == []
    assert shown and "twice" in shown[0]
    assert window.inspector.card_events.text() == ""
    assert window.editor.stack.count() == 0


def test_stage_and_lane_fields(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, inspector = window.scene, window.inspector
    m = window.current_map()
    stage = m.stage_named("Confirm e-mail")
    click(window.view, scene.layout.stage_rects[stage.id].center())
    assert inspector.pages.currentWidget() is inspector.stage_page
    assert inspector.stage_events.text() == "email_confirmed"
    replace_text(inspector.stage_events, "email_confirmed, email_link_clicked")
    assert stage.events == ["email_confirmed", "email_link_clicked"]
    replace_text(inspector.stage_name, "Confirm address")
    assert stage.name == "Confirm address"
    lane = m.lane_named("Backstage")
    click(window.view, scene.layout.lane_rects[lane.id].center())
    assert inspector.pages.currentWidget() is inspector.lane_page
    combo = inspector.lane_type
    combo.setFocus()
    index = combo.findData("notes")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what choosing the entry with the mouse emits
    assert lane.type == "notes"
    window.act_undo.trigger()
    assert lane.type == "backstage"


def test_nothing_selected_shows_the_map(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.scene.clearSelection()
    assert window.inspector.pages.currentWidget() is window.inspector.map_page
    replace_text(window.inspector.map_name, "Sign-up journey")
    assert window.current_map().name == "Sign-up journey"
    assert window.windowTitle().startswith("Sign-up journey · ")


def test_context_menus_offer_insert_rename_and_delete(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene = window.scene
    m = window.current_map()
    lane = m.lane_named("Thoughts")
    menu = scene.interactions.build_context_menu(scene.layout.lane_rects[lane.id].center())
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Insert lane above", "Insert lane below", "Rename", "Lane type",
                     "Delete lane"]
    next(a for a in menu.actions() if a.text() == "Delete lane").trigger()
    assert m.lane_named("Thoughts") is None
    stage = m.stage_named("Discover")
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[stage.id].center())
    next(a for a in menu.actions() if a.text() == "Insert stage before").trigger()
    scene.interactions.editor_item.commit()
    assert m.stages[0].name == "New stage"
    # committing the unchanged name adds no step: Edit > History lists exactly two
    history = window.history.model()
    assert [history.index(i, 0).data() for i in range(history.rowCount())] == [
        "Opened", "Delete lane", "Add stage"]


def test_fields_sit_under_the_title_and_the_dock_keeps_its_width(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    inspector = window.inspector
    click(window.view, window.scene.layout.card_rects[
        card_named(window, "Membership conditions are hard to find").id].center())
    width = window.inspector_dock.width()
    window.scene.clearSelection()  # the map's two fields: one under the other, not spread
    assert inspector.pages.currentWidget() is inspector.map_page
    qtbot.waitUntil(inspector.map_description.isVisible)
    gap = inspector.map_description.geometry().top() - inspector.map_name.geometry().bottom()
    assert 0 < gap < 24
    assert inspector.map_page.height() < inspector.height() / 2
    assert window.inspector_dock.width() == width
