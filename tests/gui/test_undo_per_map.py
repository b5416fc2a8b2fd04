"""Undo acts on the map on show: each map keeps its own history, the workspace one more."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def undo(window) -> None:  # noqa: ANN001
    """Ctrl+Z on the canvas (after Esc: adding a stage leaves its name being edited)."""
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def redo(window) -> None:  # noqa: ANN001
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def test_undo_acts_on_the_map_on_show(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    ws = window.document.workspace
    first = window.current_map()
    stages_before = len(first.stages)
    window.act_add_stage.trigger()
    assert len(first.stages) == stages_before + 1
    second_id = window.new_map("Second")
    second = ws.maps[second_id]
    assert window.current_map() is second
    window.act_add_stage.trigger()
    window.act_add_stage.trigger()
    assert len(second.stages) == 5
    assert window.history.stack() is window.editor.stack  # History shows this map's steps

    undo(window)  # the second map's last stage, not the first map's
    assert len(second.stages) == 4 and len(first.stages) == stages_before + 1
    window.open_map(first.id)
    assert window.act_undo.text() == "&Undo Add stage"
    undo(window)  # back on the first map: its own stage
    assert len(first.stages) == stages_before and len(second.stages) == 4
    assert not window.editor.stack.canUndo()
    redo(window)
    assert len(first.stages) == stages_before + 1


def test_a_maps_creation_is_undone_and_redone_on_its_history(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    ws = window.document.workspace
    new_id = window.new_map("Workshop")
    undo(window)
    assert new_id not in ws.maps and window.scene is None
    assert window.stack.currentWidget() is window.placeholder
    window.act_redo.trigger()  # the view has no focus now: the menu's Redo
    assert new_id in ws.maps
    assert window.current_map() is ws.maps[new_id]  # back on the canvas


def test_deleting_a_map_is_in_the_workspace_history(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    ws = window.document.workspace
    m = window.current_map()
    window.act_add_stage.trigger()
    stages = len(m.stages)
    window.delete_map(confirm=False)
    assert m.id not in ws.maps and window.scene is None
    assert window.editor.stack is window.editor.workspace_stack
    window.act_undo.trigger()
    assert ws.maps[m.id] is m and len(m.stages) == stages
    window.open_map(m.id)
    window.act_undo.trigger()  # the map's own history came back with it
    assert len(m.stages) == stages - 1
