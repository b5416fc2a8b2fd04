"""Driving the canvas like a user: a window on a sample map, clicks, drags and keys on the view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from journeydesk.domain.commands import AddMapCommand
from journeydesk.exchange.json_map import loads_map
from journeydesk.gui.canvas.view import MapView
from journeydesk.gui.main_window import MainWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

TEMPLATE = Path(__file__).parents[2] / "resources" / "templates" / "membership-signup.json"


def open_window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    """A shown, active main window with the membership template map on the canvas."""
    doc = Document(WorkspaceFile.open(tmp_path / "canvas.jdesk", create=True))
    m, personas = loads_map(TEMPLATE.read_text(encoding="utf-8"), doc.workspace)
    doc.execute(AddMapCommand(m, personas))
    window = MainWindow(doc)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()  # shortcuts need the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.open_map(m.id)
    window.view.setFocus()
    return window


def view_point(view: MapView, scene_point: QPointF) -> QPoint:
    """Where a scene point is on the viewport, scrolling it into view first."""
    view.ensureVisible(scene_point.x() - 5, scene_point.y() - 5, 10, 10, 60, 60)
    return view.mapFromScene(scene_point)


def click(view: MapView, scene_point: QPointF,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifiers,
                     view_point(view, scene_point))


def double_click(view: MapView, scene_point: QPointF) -> None:
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, view_point(view, scene_point))


def drag(view: MapView, start: QPointF, end: QPointF, steps: int = 8,
         button: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    a = view_point(view, start)
    b = view.mapFromScene(end)
    QTest.mousePress(view.viewport(), button, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(view.viewport(), p)
    QTest.mouseRelease(view.viewport(), button, Qt.KeyboardModifier.NoModifier, b)


def type_text(view: MapView, text: str) -> None:
    QTest.keyClicks(view.viewport(), text)


def key(view: MapView, k: Qt.Key,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(view.viewport(), k, modifiers)


def name_new_lane(window: MainWindow, name: str, qtbot=None) -> None:  # noqa: ANN001
    """Type ``name`` into the "Add lane" dialog that "+" (or Add lane) opened and press
    Return; with ``qtbot``, wait for the window to be active again (the app asks for the
    activation back, so that its shortcuts work at once)."""
    from journeydesk.gui.lane_dialog import AddLaneDialog

    dialog = next(d for d in window.findChildren(AddLaneDialog) if d.isVisible())
    dialog.name_field.setFocus()
    QTest.keyClicks(dialog.name_field, name)
    QTest.keyClick(dialog.name_field, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    if qtbot is not None:
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
