"""The emotions lane's legend keeps the scene's index true when curves come and go.

Its lines depend on the lane header's curves and size: a change of either that did not go
through ``prepareGeometryChange`` left the legend in the scene's index where it no longer
was, and when the legend was then taken away (the last persona unlinked, or a link undone)
the next paint read a deleted item: the app died (segmentation fault) at Fit in a workshop.
"""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from journeydesk.gui.canvas.emotion_legend import legend_of


def _paint(window) -> None:  # noqa: ANN001
    """Paint the canvas now, as the screen would (the index is read while painting)."""
    window.view.viewport().repaint()
    window.view.grab()


def _legend_rect(scene, lane_id: str):  # noqa: ANN001, ANN202
    legend = legend_of(scene.lanes[lane_id])
    return None if legend is None else legend.mapRectToScene(legend.boundingRect())


def test_linking_unlinking_and_undo_at_fit_keep_the_legend_in_the_index(qtbot,  # noqa: ANN001
                                                                        tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, gallery = window.scene, window.gallery
    m = window.current_map()
    lane_id = m.lane_named("Emotions").id
    QTest.keyClick(window.view, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)  # Fit
    for persona_id in list(m.persona_ids):  # no curve left: no legend
        gallery.select(persona_id)
        QTest.mouseClick(gallery.link_button, Qt.MouseButton.LeftButton)
        _paint(window)
    for _round in range(3):
        for persona in list(window.document.workspace.personas.values()):
            gallery.select(persona.id)
            QTest.mouseClick(gallery.link_button, Qt.MouseButton.LeftButton)
            _paint(window)
            rect = _legend_rect(scene, lane_id)
            assert rect is not None
            # the index finds the legend where it is painted
            assert legend_of(scene.lanes[lane_id]) in scene.items(rect)
        linked = list(m.persona_ids)
        for _ in linked:  # undo every link: the legend goes with the last curve
            window.act_undo.trigger()
            _paint(window)
        assert not m.persona_ids and legend_of(scene.lanes[lane_id]) is None
        for _ in linked:
            window.act_redo.trigger()
            _paint(window)
        assert list(m.persona_ids) == linked
        while m.persona_ids:
            gallery.select(m.persona_ids[0])
            QTest.mouseClick(gallery.link_button, Qt.MouseButton.LeftButton)
            _paint(window)
    assert legend_of(scene.lanes[lane_id]) is None
