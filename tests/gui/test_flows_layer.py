"""View > Flows between stages: arcs over the stage headers, against the engine's numbers.

Driven as people use it: the shortcut on the canvas, a tooltip asked for by the mouse resting
on an arc (a QHelpEvent on the viewport), a click on an arc that lists its users, the
overlay's options changing under the layer, the theme, Fit, and the PNG export.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from canvas_helpers import open_window
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from test_data_overlay import add_log, overlay_on

from journeydesk.analytics.events import load_events
from journeydesk.app.metrics import MetricsOptions, stages_of
from journeydesk.app.paths import flow_users, stage_flows
from journeydesk.gui.canvas.flows_layer import (
    LABEL_PX,
    WORST_LABEL_PX,
    FlowArcItem,
    kind_colour,
)
from journeydesk.gui.canvas.text import MIN_SCREEN_PX, readable_px, readable_zoom
from journeydesk.gui.canvas.theme import CARD_MIN_H

# The membership template: Discover (landing_view), Sign up (form_start, form_submit),
# Confirm e-mail (email_confirmed), First use (first_benefit_used).
LOG = """user_id,event,timestamp,platform
a1,landing_view,2026-10-01 09:00:00,web
a1,form_start,2026-10-01 09:01:00,web
a1,email_confirmed,2026-10-01 09:30:00,web
a1,first_benefit_used,2026-10-01 10:00:00,web
a2,landing_view,2026-10-01 11:00:00,web
a2,form_start,2026-10-01 11:01:00,web
a2,landing_view,2026-10-01 11:05:00,web
a2,form_submit,2026-10-01 11:09:00,web
a2,email_confirmed,2026-10-01 12:00:00,web
a3,landing_view,2026-10-02 09:00:00,ios
a3,email_confirmed,2026-10-02 09:10:00,ios
a4,landing_view,2026-10-02 10:00:00,ios
a4,form_start,2026-10-02 10:02:00,ios
a5,form_start,2026-10-05 09:00:00,web
a5,landing_view,2026-10-05 09:03:00,web
a6,landing_view,2026-10-05 10:00:00,ios
a6,first_benefit_used,2026-10-05 10:20:00,ios
a6,landing_view,2026-10-05 10:40:00,ios
"""


def flows_on(qtbot, window) -> None:  # noqa: ANN001
    """Ctrl+Shift+F on the canvas; wait for the arcs."""
    with qtbot.waitSignal(window.data.flows.ready, timeout=20000):
        QTest.keyClick(window.view.viewport(), Qt.Key.Key_F,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def expected(window, segment: dict[str, str] | None = None):  # noqa: ANN001, ANN201
    """The engine's flows of the window's map over the log, computed directly."""
    data = window.session.data.get("signups").data()
    options = MetricsOptions.make(None, None, segment or {}, None)
    return data, stages_of(window.current_map()), options


@pytest.fixture
def window(qtbot, tmp_path: Path):  # noqa: ANN001, ANN201
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path, LOG)
    overlay_on(qtbot, window)
    return window


def label_point(window, arc: FlowArcItem) -> QPoint:  # noqa: ANN001
    """Where an arc's count label is on the viewport (scrolled into view)."""
    centre = arc.geometry.label_centre()
    window.view.ensureVisible(centre.x() - 5, centre.y() - 5, 10, 10, 80, 80)
    QApplication.processEvents()
    return window.view.mapFromScene(centre)


def test_flow_users_are_the_users_each_transition_counts(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    data = load_events(log).parquet
    stages = [("Discover", ["landing_view"]), ("Sign up", ["form_start", "form_submit"]),
              ("Help", []), ("Confirm e-mail", ["email_confirmed"]),
              ("First use", ["first_benefit_used"])]
    names = [name for name, _ in stages]
    for options in (MetricsOptions(), MetricsOptions.make(None, None, {"platform": "ios"}),
                    MetricsOptions.make(None, None, {}, 3600)):  # the window never applies
        found = stage_flows(data, stages, options)
        assert found.transitions
        for move in found.transitions:
            users = flow_users(data, stages, names.index(move.source),
                               names.index(move.target), options)
            assert len(users) == move.users and users == sorted(users)
    assert flow_users(data, stages, 1, 0) == ["a2", "a5"]  # Sign up -> Discover, back
    assert flow_users(data, stages, 0, 3) == ["a3"]  # Discover -> Confirm e-mail, a skip
    assert flow_users(data, stages, 0, 4, MetricsOptions.make(None, None,
                                                              {"platform": "ios"})) == ["a6"]
    assert flow_users(data, stages, 3, 0) == []  # nobody went so
    from journeydesk.analytics.funnel import MetricsError

    with pytest.raises(MetricsError, match="bound to no events"):
        flow_users(data, stages, 2, 0)


def test_the_shortcut_draws_the_engine_s_flows_and_the_band_names_the_planned_order(
        qtbot, window) -> None:  # noqa: ANN001
    assert not window.act_flows.isChecked()
    flows_on(qtbot, window)
    assert window.act_flows.isChecked()
    data, stages, options = expected(window)
    found = stage_flows(data, stages, options)
    layer = window.scene.flows_layer
    shown = {(a.move.source, a.move.target): (a.move.kind, a.label) for a in layer.arcs}
    assert shown == {(t.source, t.target): (t.kind, f"{t.users:,}") for t in found.transitions}
    assert ("Sign up", "Discover") in shown and shown[("Discover", "Sign up")] == ("forward",
                                                                                    "3")
    # a1 and a4 followed the planned order: 2 of 6
    assert found.in_order == 2 and found.users == 6
    caption = window.overlay_bar.caption.text()
    assert caption.endswith("· 33% followed the planned order")
    # widest for the largest move; every arc above the header row, landing on its target
    widest = max(layer.arcs, key=lambda a: a.width)
    assert widest.move.users == max(t.users for t in found.transitions)
    m = window.current_map()
    for arc in layer.arcs:
        assert arc.geometry.label_centre().y() < 0
        target = window.scene.layout.stage_rects[arc.target_id]
        assert target.left() < arc.geometry.end.x() < target.right()
        assert m.stage(arc.target_id).name == arc.move.target
    # the arcs are inside the scene: Fit shows them
    assert window.scene.sceneRect().contains(layer.extent())
    # the same shortcut takes them off; the band no longer speaks of the order
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not window.act_flows.isChecked()
    assert window.scene.flows is None and not layer.isVisible()
    assert "planned order" not in window.overlay_bar.caption.text()


def test_hovering_an_arc_shows_its_users_and_share(qtbot, window) -> None:  # noqa: ANN001
    flows_on(qtbot, window)
    arc = window.scene.flows_layer.arc("Sign up", "Discover")
    assert arc.toolTip() == ("Sign up → Discover (going back): 2 users, 33% of the 6 in the "
                             "flows. Click to list them.")
    viewport = window.view.viewport()
    point = label_point(window, arc)
    QTest.mouseMove(viewport, point)
    event = QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(lambda: QToolTip.text() == arc.toolTip(), timeout=3000)
    QToolTip.hideText()


def test_a_click_on_an_arc_lists_its_users_and_exports_them(qtbot, window,  # noqa: ANN001
                                                          tmp_path: Path) -> None:
    flows_on(qtbot, window)
    arc = window.scene.flows_layer.arc("Sign up", "Discover")
    point = label_point(window, arc)
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, point)
    qtbot.waitUntil(lambda: window.data.flows.dialog is not None, timeout=20000)
    dialog = window.data.flows.dialog
    assert dialog.windowTitle() == "Who went from Sign up to Discover"
    data, stages, options = expected(window)
    assert dialog.users == flow_users(data, stages, 1, 0, options) == ["a2", "a5"]
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["a2", "a5"]
    out = tmp_path / "moved.csv"
    assert dialog.export_ids(out)
    with out.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == [["user"], ["a2"], ["a5"]]
    assert not window.scene.selectedItems()  # a click on an arc selects nothing
    dialog.close()


def test_the_layer_follows_the_overlay_s_segment_and_drops_superseded_results(
        qtbot, window) -> None:  # noqa: ANN001
    flows_on(qtbot, window)
    delivered = []
    window.data.flows.ready.connect(delivered.append)
    window.data.set_overlay_segment({"platform": "ios"})  # superseded at once
    window.data.set_overlay_segment({"platform": "web"})
    qtbot.waitUntil(lambda: bool(delivered) and not window.data.flows.jobs.busy(),
                    timeout=20000)
    qtbot.wait(100)
    data, stages, options = expected(window, {"platform": "web"})
    web = stage_flows(data, stages, options)
    assert delivered == [web]  # only the newest request's flows were drawn
    assert window.scene.flows == web
    assert {(a.move.source, a.move.target, a.move.users)
            for a in window.scene.flows_layer.arcs} == {
        (t.source, t.target, t.users) for t in web.transitions}
    assert f"{web.in_order / web.users:.0%} followed the planned order" in \
        window.overlay_bar.caption.text()
    # a period computes them again; a conversion window does not (it does not apply)
    window.data.overlay.window_seconds = 3600
    window.data.overlay.refresh()
    qtbot.waitUntil(lambda: not window.data.overlay.busy(), timeout=20000)
    qtbot.wait(100)
    assert delivered == [web] and not window.data.flows.jobs.busy()
    # the overlay off takes the layer off too
    window.act_overlay.trigger()
    assert not window.data.flows.shown and not window.act_flows.isChecked()
    assert window.scene.flows is None


def test_turning_flows_on_turns_the_overlay_on(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path, LOG)
    with qtbot.waitSignal(window.data.flows.ready, timeout=20000):
        window.act_flows.trigger()
    assert window.data.shown and window.act_overlay.isChecked() and window.act_flows.isChecked()
    assert window.scene.flows_layer.arcs


def test_dark_theme_and_fit_keep_the_arcs_readable(qtbot, window) -> None:  # noqa: ANN001
    flows_on(qtbot, window)
    window.act_dark.trigger()
    scene = window.scene
    assert scene.theme.name == "dark" and scene.flows_layer.arcs
    arc = scene.flows_layer.arc("Discover", "Sign up")
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    image.fill(QColor("#000000"))
    painter = QPainter(image)
    centre = arc.geometry.label_centre()
    scene.render(painter, source=QRectF(centre.x() - 200, centre.y() - 150, 400, 300))
    painter.end()
    blue = kind_colour(scene.theme, "forward")
    assert blue == QColor("#5aa2ff")
    near = sum(1 for x in range(0, 400, 2) for y in range(0, 300, 2)
               if _close(QColor(image.pixel(x, y)), blue))
    assert near > 20, "the forward arc is not drawn in the dark theme's colour"
    # Fit: the labels are drawn at least min_text_px on screen, and the level spacing was
    # laid out for a label that large, so no two labels on a level meet
    window.view.fit()
    zoom = window.view.zoom
    floor = readable_zoom(MIN_SCREEN_PX, CARD_MIN_H)
    assert zoom >= floor - 1e-9
    assert readable_px(LABEL_PX, floor, MIN_SCREEN_PX) <= WORST_LABEL_PX
    rects = [a._label_rect(WORST_LABEL_PX) for a in scene.flows_layer.arcs]
    assert not any(r.intersects(s) for i, r in enumerate(rects) for s in rects[i + 1:])
    grab = window.view.viewport().grab()
    assert not grab.isNull()


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return (abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())
            <= tolerance)


def test_a_png_export_shows_the_flows_when_they_are_on(qtbot, window,  # noqa: ANN001
                                                      tmp_path: Path) -> None:
    plain = tmp_path / "plain.png"
    assert window.export_map(plain, scale=1.0)
    flows_on(qtbot, window)
    with_flows = tmp_path / "flows.png"
    assert window.export_map(with_flows, scale=1.0)
    a, b = QImage(str(plain)), QImage(str(with_flows))
    assert b.height() > a.height()  # room for the arcs above the headers
    from journeydesk.gui.canvas.theme import LIGHT
    from journeydesk.gui.map_picture import title_height

    blue = kind_colour(LIGHT, "forward")
    band = round(title_height("the overlay's caption"))  # the overlay is on in both
    top = b.height() - a.height() + band  # the arcs: between the title band and the headers
    near = sum(1 for x in range(0, b.width(), 2) for y in range(band, top, 2)
               if _close(QColor(b.pixel(x, y)), blue))
    assert near > 20
    pdf = tmp_path / "flows.pdf"
    assert window.export_map(pdf, pages="fit")
    assert pdf.stat().st_size > 0



def test_a_pptx_export_carries_the_flows_and_numbers_when_they_are_on(  # noqa: ANN001
        qtbot, window, tmp_path: Path) -> None:
    from pptx import Presentation

    def shapes(path: Path) -> dict[str, str]:
        slide = Presentation(str(path)).slides[0]
        return {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame}

    plain = tmp_path / "plain.pptx"
    assert window.export_map(plain)
    before = shapes(plain)
    assert not any(name.startswith("Flows") for name in before)
    assert "users" in before["Stage: Discover"]  # the overlay is on: numbers under the name
    flows_on(qtbot, window)
    deck = tmp_path / "flows.pptx"
    assert window.export_map(deck)
    found = shapes(deck)
    moves = {(t.source, t.target): t for t in window.scene.flows.transitions}
    back = moves["Sign up", "Discover"]
    assert back.kind == "back"
    assert f"← Discover (back): {back.users:,}" in found["Flows from: Sign up"]
