"""Present's stage walk veils the other stages' headers too, pinned or not (they stayed bright
over the veiled cards once the walk scrolled down a stage)."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from journeydesk.gui.canvas.sticky import DIMMED


def test_the_walk_dims_the_other_stages_headers_and_home_brings_them_back(
        qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    stages = scene.map.stages
    QTest.keyClick(view, Qt.Key.Key_F5)
    qtbot.wait(200)  # Present shows the whole map once the window has its full size
    QTest.keyClick(view, Qt.Key.Key_Right)  # the first stage
    qtbot.waitUntil(lambda: not window.presentation.animating, timeout=3000)
    shown, other = stages[0], stages[1]
    assert scene.stages[shown.id].opacity() == 1.0
    assert scene.stages[other.id].opacity() == DIMMED
    assert all(scene.steps[st.id].opacity() == DIMMED for st in other.steps)
    QTest.keyClick(view, Qt.Key.Key_Down)  # scrolled down: the headers are pinned
    qtbot.waitUntil(lambda: view.verticalScrollBar().value() > 0, timeout=3000)
    assert scene.stages[other.id].opacity() == DIMMED  # still dim above the veil
    QTest.keyClick(view, Qt.Key.Key_Home)  # the whole map: nothing veiled
    assert all(scene.stages[s.id].opacity() == 1.0 for s in stages)
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert all(scene.stages[s.id].opacity() == 1.0 for s in stages)
