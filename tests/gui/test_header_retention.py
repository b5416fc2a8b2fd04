"""A retention figure on a stage's header (issue 17) on a real window: the stage header's menu
and the Retention panel turn it on and off, it is the app layer's headline for the overlay's
options, computed again when they change (the superseded computation dropped), readable in
Present and drawn in picture exports."""

from __future__ import annotations

import os
import re
import threading
from datetime import date
from html import unescape
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from test_paths_panel import open_dock, window_with_overlay

from journeydesk.app.metrics import MetricsOptions
from journeydesk.app.retention import map_retention
from journeydesk.gui.canvas.retention_line import RETENTION_LINE_H
from journeydesk.gui.canvas.stage_data_menu import HEADER_RETENTION_TEXT
from journeydesk.gui.canvas.text import PRESENT_SCREEN_PX


def headline(window, anchor: str, *, churn_at: int | None = 4, **settings) -> str:  # noqa: ANN001, ANN003
    """What the app layer says the header should show, with the overlay's options."""
    return map_retention(window.data_overlay.data(), window.current_map(), "signups",
                         window.data_overlay.options(), anchor=anchor, churn_at=churn_at,
                         **settings).headline()


_MENUS: list[object] = []  # the menus built, alive while their actions are used


def header_action(window, stage_name: str):  # noqa: ANN001, ANN201
    """The stage header's context menu entry, as the right-click builds it."""
    scene = window.scene
    stage = window.current_map().stage_named(stage_name)
    menu = scene.interactions.build_context_menu(
        scene.stages[stage.id].sceneBoundingRect().center())
    _MENUS[:] = [menu]
    return next(a for a in menu.actions() if a.text() == HEADER_RETENTION_TEXT)


def shown_figure(qtbot, window, stage_name: str, expected: str):  # noqa: ANN001, ANN201
    """Wait until ``stage_name``'s header shows the figure ``expected``."""
    stage = window.current_map().stage_named(stage_name)
    item = window.scene.stages[stage.id]
    qtbot.waitUntil(lambda: item.retention is not None and item.retention.headline == expected,
                    timeout=20000)
    return item.retention


def painted_texts(scene, source: QRectF, scale: float = 1.0) -> list[tuple[str, float]]:  # noqa: ANN001
    """The texts painted in ``source`` of ``scene`` at ``scale`` (screen pixels per scene
    unit) with their font size on screen: the scene drawn into an SVG, which keeps text."""
    from PySide6.QtSvg import QSvgGenerator

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    size = QSize(int(source.width() * scale) + 1, int(source.height() * scale) + 1)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    return svg_texts(bytes(data).decode("utf-8"), scale)


def svg_texts(svg: str, scale: float = 1.0) -> list[tuple[str, float]]:
    found = []
    for attributes, text in re.findall(r"<text([^>]*)>([^<]*)</text>", svg):
        size = re.search(r'font-size="([\d.]+)"', attributes)
        found.append((unescape(text).strip(), float(size.group(1)) * scale if size else 0.0))
    return found


def test_the_header_menu_shows_and_hides_the_retention_figure(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    scene, m = window.scene, window.current_map()
    sign_up = m.stage_named("Sign up")
    plain_height = scene.layout.stage_rects[sign_up.id].height()
    action = header_action(window, "Sign up")
    assert action.isCheckable() and not action.isChecked()
    action.trigger()
    expected = headline(window, "Sign up")
    # the log spans 20 days: nobody has had a whole week 4 yet, and the figure says so
    assert expected == "week 4 or later: - of 0"
    figure = shown_figure(qtbot, window, "Sign up", expected)
    assert figure.texts[0] == (f"Retention, {expected}",)
    assert figure is scene.retention
    # on that header only; the header row grew by the line
    assert [s.name for s in m.stages if scene.stages[s.id].retention is not None] == ["Sign up"]
    assert scene.layout.stage_rects[sign_up.id].height() == plain_height + RETENTION_LINE_H
    item = scene.stages[sign_up.id]
    assert item.accessible_name().endswith(f"retention {expected}")
    # what is painted on the header, at 100 %: the most explicit variant
    painted = [text for text, _px in painted_texts(scene, item.sceneBoundingRect())]
    assert f"Retention, {expected}" in painted
    assert header_action(window, "Sign up").isChecked()
    assert not header_action(window, "Confirm e-mail").isChecked()

    # another stage: the figure moves there (one per map)
    header_action(window, "Confirm e-mail").trigger()
    expected = headline(window, "Confirm e-mail")
    shown_figure(qtbot, window, "Confirm e-mail", expected)
    assert scene.stages[sign_up.id].retention is None

    # the same entry again: off, and the header row is as it was
    action = header_action(window, "Confirm e-mail")
    assert action.isChecked()
    action.trigger()
    assert scene.retention is None
    assert all(i.retention is None for i in scene.stages.values())
    assert scene.layout.stage_rects[sign_up.id].height() == plain_height
    assert window.data.header_retention.anchor() is None


def test_the_figure_follows_the_overlay_options_and_drops_a_superseded_one(
        qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from journeydesk.gui import retention_header

    window = window_with_overlay(qtbot, tmp_path)
    header_action(window, "Sign up").trigger()
    shown_figure(qtbot, window, "Sign up", headline(window, "Sign up"))
    controller = window.data.header_retention

    # every day: the overlay's period makes the figure computed again (a slow computation
    # superseded by a newer period is dropped, never drawn)
    release, started = threading.Event(), threading.Event()
    real = retention_header.stage_retention
    calls: list[MetricsOptions] = []

    def slow(data, stages, index, options, **kwargs):  # noqa: ANN001, ANN003, ANN202
        calls.append(options)
        if len(calls) == 1:
            started.set()
            release.wait(10)
        return real(data, stages, index, options, **kwargs)

    monkeypatch.setattr(retention_header, "stage_retention", slow)
    drawn: list[object] = []
    controller.ready.connect(drawn.append)
    window.set_overlay_dates(date(2026, 10, 1), date(2026, 10, 5))
    qtbot.waitUntil(started.is_set, timeout=20000)
    assert controller.work.busy()
    window.set_overlay_dates(date(2026, 10, 2), date(2026, 10, 20))
    release.set()
    expected = headline(window, "Sign up")
    figure = shown_figure(qtbot, window, "Sign up", expected)
    assert window.data_overlay.options() == MetricsOptions.make(date(2026, 10, 2),
                                                                date(2026, 10, 20))
    qtbot.waitUntil(lambda: not controller.work.busy(), timeout=20000)
    assert drawn == [figure]  # the first period's figure never reached the header
    assert [c.date_from for c in calls] == [date(2026, 10, 1), date(2026, 10, 2)]

    # a segment: computed again with it
    window.set_overlay_segment({"platform": "desktop"})
    shown_figure(qtbot, window, "Sign up", headline(window, "Sign up"))
    assert window.data_overlay.options().segment == (("platform", "desktop"),)

    # the overlay off takes it away; on again brings it back (kept for the map)
    window.act_overlay.trigger()
    assert window.scene.retention is None
    assert controller.anchor() == window.current_map().stage_named("Sign up").id
    window.act_overlay.trigger()
    shown_figure(qtbot, window, "Sign up", headline(window, "Sign up"))


def test_the_retention_panel_puts_its_figure_on_the_anchor_header(qtbot,  # noqa: ANN001
                                                                  tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    dock = open_dock(qtbot, window)
    panel = dock.retention_panel
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "retention",
                          timeout=20000):
        panel.anchor_combo.setCurrentIndex(panel.anchor_combo.findText("Sign up"))
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "retention",
                          timeout=20000):
        panel.every_combo.setCurrentIndex(panel.every_combo.findData("day"))
    button = panel.header_button
    assert button.text() == HEADER_RETENTION_TEXT and not button.isChecked()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked()
    # the panel's settings: every day, churn at the last period (12)
    expected = headline(window, "Sign up", every="day", periods=12, churn_at=None)
    assert expected.startswith("day 12 or later: ")
    shown_figure(qtbot, window, "Sign up", expected)
    assert header_action(window, "Sign up").isChecked()
    # the panel's horizon changes: the figure follows
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "retention",
                          timeout=20000):
        panel.churn_at.setValue(3)
    expected = headline(window, "Sign up", every="day", periods=12, churn_at=3)
    assert expected.startswith("day 3 or later: ")
    shown_figure(qtbot, window, "Sign up", expected)
    assert f"Churn at day 3: {panel.result.churn.share:.1%}" in panel.summary.text()
    # another anchor in the panel: the button says that one's header shows nothing
    panel.anchor_combo.setCurrentIndex(panel.anchor_combo.findText("Discover"))
    assert not button.isChecked()
    panel.anchor_combo.setCurrentIndex(panel.anchor_combo.findText("Sign up"))
    assert button.isChecked()
    # off from the stage header's menu: the button follows
    header_action(window, "Sign up").trigger()
    assert window.scene.retention is None and not button.isChecked()


def test_present_and_exports_show_the_figure(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    plain = tmp_path / "plain.png"
    assert window.export_map(plain, scale=1.0)
    header_action(window, "Sign up").trigger()
    expected = headline(window, "Sign up")
    shown_figure(qtbot, window, "Sign up", expected)
    stage = window.current_map().stage_named("Sign up")

    # Present: the figure on the header, at least 18 px on screen
    window.act_present.trigger()
    qtbot.waitUntil(lambda: window.presentation.active, timeout=5000)
    scene, view = window.scene, window.view
    qtbot.waitUntil(lambda: scene.min_text_px == PRESENT_SCREEN_PX, timeout=5000)
    item = scene.stages[stage.id]
    assert item.retention is not None and item.retention.headline == expected
    scale = view.transform().m11()
    painted = painted_texts(scene, item.sceneBoundingRect(), scale)
    line = [(text, px) for text, px in painted
            if any(text in lines for lines in item.retention.texts)]
    assert line, painted
    assert all(px >= PRESENT_SCREEN_PX - 0.5 for _text, px in line)
    png = Path(os.environ.get("JOURNEYDESK_HEADER_RETENTION_PNG",
                              tmp_path / "present.png"))
    assert window.grab().save(str(png))
    window.act_present.trigger()
    qtbot.waitUntil(lambda: not window.presentation.active, timeout=5000)

    # exports: the SVG has the figure as text, the PNG is taller by its line, the PDF has it
    svg = tmp_path / "map.svg"
    assert window.export_map(svg)
    assert f"Retention, {expected}" in [t for t, _ in svg_texts(svg.read_text("utf-8"))]
    shown = tmp_path / "shown.png"
    assert window.export_map(shown, scale=1.0)
    assert QImage(str(shown)).height() == QImage(str(plain)).height() + RETENTION_LINE_H
    pdf = tmp_path / "map.pdf"
    assert window.export_map(pdf, pages="fit")
    from pypdf import PdfReader

    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(pdf)).pages)
    assert f"Retention, {expected}" in text
    # off: exports go without it
    header_action(window, "Sign up").trigger()
    assert window.export_map(svg)
    assert not any(expected in t for t, _ in svg_texts(svg.read_text("utf-8")))


def test_each_map_keeps_its_figure_for_the_session(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    first = window.current_map()
    header_action(window, "Sign up").trigger()
    expected = headline(window, "Sign up")
    shown_figure(qtbot, window, "Sign up", expected)
    # another map: no figure there (its stages are unbound)
    second = window.new_map("Second journey")
    qtbot.waitUntil(lambda: window.scene.map_id == second, timeout=5000)
    qtbot.wait(300)
    assert window.scene.retention is None
    assert window.data.header_retention.anchor() is None
    # back: the first map's figure again
    window.open_map(first.id)
    qtbot.waitUntil(lambda: window.scene.map_id == first.id, timeout=5000)
    shown_figure(qtbot, window, "Sign up", expected)
    # the anchor unbound: the figure is taken off (once the overlay computes again)
    from journeydesk.domain.commands_maps import EditStageCommand

    sign_up = first.stage_named("Sign up")
    assert window.editor.run(EditStageCommand(first.id, sign_up.id, events=[]))
    qtbot.waitUntil(lambda: window.scene.retention is None, timeout=20000)
    assert window.data.header_retention.anchor() is None
    assert all(i.retention is None for i in window.scene.stages.values())
