"""Dialogs that stop listening however they close, a canvas that repaints under the minimap, and
an undo history that stays true to the file when a write is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from canvas_helpers import click, key, open_window
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QColor, QImage, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from journeydesk.gui.canvas.view import MiniMapView
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.persona_editor import PersonaEditorDialog
from journeydesk.gui.persona_gallery import PersonaGalleryWidget
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    """A shown, active window on the membership template map (the minimap is on show)."""
    return open_window(qtbot, tmp_path)


def undo_stack(window: MainWindow) -> QUndoStack:
    """The undo stack that the window's Undo acts on."""
    group = getattr(window.editor, "group", None)  # one stack per map, when there is a group
    return group.activeStack() if group is not None else window.editor.stack


def activate(qtbot, widget: QWidget) -> None:  # noqa: ANN001
    """Wait until ``widget`` is shown and is the active window (shortcuts need that)."""
    qtbot.waitExposed(widget)
    widget.windowHandle().requestActivate()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)


def destroyed_flag(widget: QWidget) -> list[bool]:
    """A list that holds True once ``widget`` is destroyed (ask before events run)."""
    gone: list[bool] = []
    widget.destroyed.connect(lambda *_: gone.append(True))
    return gone


def wait_destroyed(qtbot, gone: list[bool]) -> None:  # noqa: ANN001
    """Run the deferred deletes until the widget of ``gone`` (see destroyed_flag) is gone."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)


def delete_card_by_keyboard(window: MainWindow, card_id: str) -> None:
    """Click a card on the canvas and press Delete."""
    click(window.view, window.scene.layout.card_rects[card_id].center())
    assert window.scene.selected_card_ids() == [card_id]
    key(window.view, Qt.Key.Key_Delete)


# --------------------------------------------------------------------------- listeners
def test_compare_personas_closed_with_esc_stops_listening(qtbot, window: MainWindow) -> None:
    m = window.current_map()
    older, newer = (c.id for c in m.ordered_cards()[:2])
    delete_card_by_keyboard(window, older)  # an older edit Ctrl+Z must not reach
    key(window.view, Qt.Key.Key_P, CTRL | SHIFT)  # Map > Compare personas
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QDialog) and w.objectName() == "comparePersonas"
                  and w.isVisible())
    activate(qtbot, dialog)
    gone = destroyed_flag(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # done(), never closeEvent
    assert not dialog.isVisible()
    wait_destroyed(qtbot, gone)
    activate(qtbot, window)
    stack = undo_stack(window)
    steps = stack.count()

    with qtbot.captureExceptions() as exceptions:
        delete_card_by_keyboard(window, newer)
    assert not exceptions, exceptions[0][1]
    assert newer not in m.cards and older not in m.cards
    assert (stack.count(), stack.undoText()) == (steps + 1, "Delete card")

    key(window.view, Qt.Key.Key_Z, CTRL)
    assert newer in m.cards  # the new edit was undone ...
    assert older not in m.cards  # ... not the older one


def test_persona_editor_closed_with_esc_stops_listening(qtbot, window: MainWindow) -> None:
    persona = window.document.workspace.persona_named("Daniel Okafor")
    role = persona.role
    dialog = open_persona_editor(qtbot, window, persona.id)
    type_into(dialog.lines["location"], "Leeds")  # an older edit Ctrl+Z must not reach
    assert persona.location == "Leeds"
    gone = destroyed_flag(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    wait_destroyed(qtbot, gone)
    assert persona.id not in window.persona_editors
    stack = undo_stack(window)
    steps = stack.count()

    with qtbot.captureExceptions() as exceptions:
        again = open_persona_editor(qtbot, window, persona.id)  # a new editor on the persona
        type_into(again.lines["role"], "Night nurse")
    assert not exceptions, exceptions[0][1]
    assert persona.role == "Night nurse"
    assert (stack.count(), stack.undoText()) == (steps + 1, "Edit persona (role)")

    QTest.keyClick(again, Qt.Key.Key_Z, CTRL)  # the editor's own Undo
    assert persona.role == role and again.lines["role"].text() == role
    assert persona.location == "Leeds"


def test_an_editor_reopened_before_the_closed_one_is_deleted_is_kept(qtbot,
                                                                      window: MainWindow) -> None:
    persona = window.document.workspace.persona_named("Daniel Okafor")
    closed = open_persona_editor(qtbot, window, persona.id)
    gone = destroyed_flag(closed)
    qtbot.keyClick(closed, Qt.Key.Key_Escape)
    again = open_persona_editor(qtbot, window, persona.id)  # the closed one is not deleted yet
    assert again is not closed
    wait_destroyed(qtbot, gone)
    assert window.persona_editors.get(persona.id) is again  # still the persona's editor
    assert open_persona_editor(qtbot, window, persona.id) is again  # one window per persona


def test_a_persona_editor_shown_again_catches_up_and_follows(qtbot, window: MainWindow) -> None:
    persona = window.document.workspace.persona_named("Daniel Okafor")
    role = persona.role
    dialog = PersonaEditorDialog(window.editor, persona.id, window)  # kept when closed
    dialog.show()
    activate(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    other = open_persona_editor(qtbot, window, persona.id)  # an edit while it is closed
    type_into(other.lines["role"], "Night nurse")
    qtbot.keyClick(other, Qt.Key.Key_Escape)

    dialog.show()
    activate(qtbot, dialog)
    assert dialog.lines["role"].text() == "Night nurse"  # caught up ...
    QTest.keyClick(dialog, Qt.Key.Key_Z, CTRL)
    assert persona.role == role
    assert dialog.lines["role"].text() == role  # ... and follows again


def test_a_destroyed_gallery_stops_listening(qtbot, window: MainWindow) -> None:
    other = PersonaGalleryWidget(window.editor)  # deleted without close_gallery()
    gone = destroyed_flag(other)
    other.deleteLater()
    wait_destroyed(qtbot, gone)
    gallery = window.gallery
    gallery.select(window.document.workspace.persona_named("Noor Haddad").id)
    with qtbot.captureExceptions() as exceptions:
        QTest.mouseClick(gallery.duplicate_button, Qt.MouseButton.LeftButton)
    assert not exceptions, exceptions[0][1]
    assert window.document.workspace.persona_named("Noor Haddad copy") is not None
    assert undo_stack(window).undoText() == "Add persona"


# --------------------------------------------------------------------------- refused undo/redo
class _Writes:
    """Make the window's workspace file refuse writes, and accept them again."""

    def __init__(self, window: MainWindow, monkeypatch: pytest.MonkeyPatch):
        self.file = window.document.file
        self.persist = self.file.persist
        self.monkeypatch = monkeypatch

    def refuse(self) -> None:
        def persist(*_args: object, **_kwargs: object) -> None:
            raise WorkspaceError("the disk is full")

        self.monkeypatch.setattr(self.file, "persist", persist)

    def accept(self) -> None:
        self.monkeypatch.setattr(self.file, "persist", self.persist)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages the app would show in a warning box (none is shown)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda _parent, _title, text, *_args: shown.append(text) or QMessageBox.StandardButton.Ok))
    return shown


def assert_model_is_the_file(window: MainWindow) -> None:
    """Memory and the workspace file hold the same map."""
    m = window.current_map()
    with WorkspaceFile.open(window.document.file.path, read_only=True) as ws_file:
        assert ws_file.load().maps[m.id] == m


def test_a_refused_undo_is_not_redone_later(qtbot, window: MainWindow, warnings: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    m = window.current_map()
    card = m.ordered_cards()[0]
    delete_card_by_keyboard(window, card.id)
    stack = undo_stack(window)
    steps = stack.count()
    writes = _Writes(window, monkeypatch)

    writes.refuse()
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert warnings == ["the disk is full"]
    assert card.id not in m.cards  # the undo did not happen ...
    assert_model_is_the_file(window)
    # ... and the history does not say it did: nothing to redo, the step is gone.
    assert (stack.canRedo(), stack.redoText()) == (False, "")
    assert (stack.count(), stack.index()) == (steps - 1, steps - 1)

    writes.accept()
    key(window.view, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: nothing to apply a second time
    assert card.id not in m.cards
    assert_model_is_the_file(window)
    assert len(warnings) == 1
    assert (stack.count(), stack.index()) == (steps - 1, steps - 1)


def test_a_refused_redo_is_not_undone_later(qtbot, window: MainWindow, warnings: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    m = window.current_map()
    card = m.ordered_cards()[0]
    cell = [c.id for c in m.cards_in(card.step_id, card.lane_id)]
    delete_card_by_keyboard(window, card.id)
    stack = undo_stack(window)
    steps = stack.count()
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert card.id in m.cards
    writes = _Writes(window, monkeypatch)

    writes.refuse()
    key(window.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert warnings == ["the disk is full"]
    assert card.id in m.cards  # the redo did not happen ...
    assert_model_is_the_file(window)
    # ... and the history does not say it did: the delete is no longer there to undo.
    assert (stack.canRedo(), stack.undoText() == "Delete card") == (False, False)
    assert (stack.count(), stack.index()) == (steps - 1, steps - 1)

    writes.accept()
    key(window.view, Qt.Key.Key_Z, CTRL)  # undoes what came before, if anything
    assert [c.id for c in m.cards_in(card.step_id, card.lane_id)] == cell
    assert_model_is_the_file(window)
    assert len(warnings) == 1


# --------------------------------------------------------------------------- canvas repaints
def test_keyboard_selection_repaints_the_canvas_under_the_minimap(qtbot,
                                                                  window: MainWindow) -> None:
    view, scene = window.view, window.scene
    assert window.minimap.isVisible()  # the map is larger than the view
    key(view, Qt.Key.Key_Tab)
    [first] = scene.selected_card_ids()
    settle(qtbot)
    assert outline_pixels(window, first, scene.theme.selection) > 100
    key(view, Qt.Key.Key_Right)  # the card to the right, as the inspector shows at once
    [second] = scene.selected_card_ids()
    assert second != first
    settle(qtbot)
    # On screen (the window's backing store) and when the viewport paints again:
    for shot in (on_screen, repainted):
        assert outline_pixels(window, second, scene.theme.selection, shot) > 100
        assert outline_pixels(window, first, scene.theme.selection, shot) == 0
    assert_minimap_current(qtbot, window)


def test_find_highlights_repaint_the_canvas_under_the_minimap(qtbot, window: MainWindow) -> None:
    scene = window.scene
    assert window.minimap.isVisible()
    card = next(c for c in window.current_map().ordered_cards() if c.text == "Newsletter")
    settle(qtbot)
    assert outline_pixels(window, card.id, scene.theme.find_highlight) == 0
    window.find_bar.setFocus()
    QTest.keyClicks(window.find_bar, "newsl")
    settle(qtbot)
    for shot in (on_screen, repainted):
        assert outline_pixels(window, card.id, scene.theme.find_highlight, shot) > 100
    assert_minimap_current(qtbot, window)
    QTest.keyClick(window.find_bar, Qt.Key.Key_Escape)  # drops the highlights
    settle(qtbot)
    for shot in (on_screen, repainted):
        assert outline_pixels(window, card.id, scene.theme.find_highlight, shot) == 0


def settle(qtbot) -> None:  # noqa: ANN001
    """Let Qt deliver the scene's updates and paint them."""
    qtbot.wait(50)


def card_area(window: MainWindow, card_id: str) -> QRect:
    """Where a card is on the canvas's viewport (viewport pixels)."""
    view = window.view
    area = view.mapFromScene(window.scene.cards[card_id].sceneBoundingRect()).boundingRect()
    return area & view.viewport().rect()


def on_screen(window: MainWindow, area: QRect) -> QImage:
    """What the window shows in ``area`` of the canvas's viewport: its backing store."""
    viewport = window.view.viewport()
    shot = window.windowHandle().screen().grabWindow(window.winId()).toImage()
    ratio = shot.devicePixelRatio()
    top_left = viewport.mapTo(window, area.topLeft())
    return shot.copy(round(top_left.x() * ratio), round(top_left.y() * ratio),
                     round(area.width() * ratio), round(area.height() * ratio))


def repainted(window: MainWindow, area: QRect) -> QImage:
    """What the canvas's viewport paints in ``area`` when asked to paint it again."""
    return window.view.viewport().grab(area).toImage()


def outline_pixels(window: MainWindow, card_id: str, colour: QColor,
                   shot: Callable[[MainWindow, QRect], QImage] = on_screen) -> int:
    """How many pixels of the card's area have (about) ``colour``: its outline when it is
    selected or highlighted, none otherwise."""
    image = shot(window, card_area(window, card_id))
    assert not image.isNull()
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if _near(image.pixelColor(x, y), colour))


def _near(a: QColor, b: QColor, tolerance: int = 24) -> bool:
    return (abs(a.red() - b.red()) <= tolerance and abs(a.green() - b.green()) <= tolerance
            and abs(a.blue() - b.blue()) <= tolerance)


def assert_minimap_current(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    """The minimap shows (at the latest once the changes pause) what a minimap made just now
    shows: its own picture of the map kept up with the changes."""
    minimap = window.minimap
    fresh = MiniMapView(window.view, window.view)
    try:
        fresh.setScene(window.scene)
        fresh.setFixedSize(minimap.size())
        fresh.refit()
        assert fresh.transform() == minimap.transform()
        expected = fresh.viewport().grab().toImage()
        qtbot.waitUntil(lambda: minimap.viewport().grab().toImage() == expected, timeout=3000)
    finally:
        fresh.setScene(None)
        fresh.hide()
        fresh.deleteLater()


def open_persona_editor(qtbot, window: MainWindow, persona_id: str) -> QDialog:  # noqa: ANN001
    """Double-click the persona's card in the gallery; the editor it opens, active."""
    gallery = window.gallery
    gallery.select(persona_id)
    rect = gallery.list.visualItemRect(gallery.list.currentItem())
    viewport, button = gallery.list.viewport(), Qt.MouseButton.LeftButton
    QTest.mousePress(viewport, button, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseRelease(viewport, button, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseDClick(viewport, button, Qt.KeyboardModifier.NoModifier, rect.center())
    dialog = window.persona_editors[persona_id]
    activate(qtbot, dialog)
    return dialog


def type_into(edit: QWidget, text: str) -> None:
    """Replace a line edit's text by typing, then press Enter (which saves the field)."""
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_the_minimap_follows_a_theme_switch(qtbot, window: MainWindow) -> None:
    """Dark theme and back: the minimap's picture is drawn again, margins included (it kept
    the old theme's colours around the map until another map was opened)."""
    assert window.minimap.isVisible()
    assert_minimap_current(qtbot, window)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_D, CTRL | SHIFT)
    assert window.theme.name == "dark"
    assert_minimap_current(qtbot, window)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_D, CTRL | SHIFT)
    assert window.theme.name == "light"
    assert_minimap_current(qtbot, window)
