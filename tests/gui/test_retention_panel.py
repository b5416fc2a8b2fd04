"""Retention in the analytics dock (issue 17) on a real window: the anchor, the curve, the
cohort triangle and the churn match the app layer's numbers; the stage header opens it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from test_paths_panel import open_dock, window_with_overlay

from journeydesk.app.metrics import MetricsOptions
from journeydesk.app.retention import map_retention


def _retention(window, anchor: str, **options):  # noqa: ANN001, ANN003, ANN202
    return map_retention(window.data_overlay.data(), window.current_map(), "signups",
                         window.data_overlay.options(), anchor=anchor, **options).result


def _wait_drawn(qtbot, dock, change) -> None:  # noqa: ANN001
    """Make ``change`` and wait until the retention is drawn again."""
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "retention",
                          timeout=20000):
        change()


def test_retention_in_the_dock_matches_the_app_layer(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    dock = open_dock(qtbot, window)
    panel = dock.retention_panel
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    # the anchors are the bound stages; at first the last one, every week, 12 periods
    anchors = [panel.anchor_combo.itemText(i) for i in range(panel.anchor_combo.count())]
    assert anchors == ["Discover", "Sign up", "Confirm e-mail", "First use"]
    assert panel.anchor_combo.currentText() == "First use"
    assert panel.result == _retention(window, "First use")
    assert panel.periods.value() == 12

    # Sign up, every day, 12 periods: the table is the app's triangle
    _wait_drawn(qtbot, dock, lambda: panel.anchor_combo.setCurrentIndex(1))
    _wait_drawn(qtbot, dock, lambda: panel.every_combo.setCurrentIndex(
        panel.every_combo.findData("day")))
    kept = _retention(window, "Sign up", every="day", periods=12)
    assert panel.result == kept
    assert kept.users == 6
    table = panel.table
    assert table.rowCount() == len(kept.cohorts) == 2  # the weeks of 28 Sep and 5 Oct
    assert table.columnCount() == 2 + 12
    assert table.horizontalHeaderItem(2).text() == "D1"
    partial_seen = False
    for row, cohort in enumerate(kept.cohorts):
        assert table.item(row, 0).text() == f"{cohort.start.day} {cohort.start:%b %Y}"
        assert table.item(row, 1).text() == str(cohort.users)
        for column, cell in enumerate(cohort.cells, start=2):
            item = table.item(row, column)
            share = cell.in_period_share
            if share is None:
                assert item.text() == "–"
                continue
            mark = "" if cell.complete else "*"
            partial_seen |= not cell.complete
            assert item.text() == f"{share:.0%}{mark}"
            assert item.data(0x100) == share  # Qt.UserRole
            assert f"({cell.in_period} of {cell.observable})" in item.toolTip()
    assert partial_seen  # the data ends on 20 Oct: u6 has not had days 10-12
    # coloured by share: a higher share is a deeper colour
    shares = {}
    for row in range(table.rowCount()):
        for column in range(2, table.columnCount()):
            value = table.item(row, column).data(0x100)
            if value is not None:
                shares[value] = table.item(row, column).background().color().lightness()
    if len(shares) > 1:
        low, high = min(shares), max(shares)
        assert shares[high] < shares[low]

    # the overall curve: a point per observable period, its n in the tooltip, open ones hollow
    points = panel.points["in_period"].points()
    observable = [c for c in kept.overall if c.observable]
    assert len(points) == len(observable)
    for point, cell in zip(points, observable, strict=True):
        assert point.pos().x() == cell.period
        assert abs(point.pos().y() - 100 * cell.in_period_share) < 1e-9
        assert f"of {cell.observable:,})" in point.data()
        assert ("open:" in point.data()) == (cell.observable < cell.users)
        hollow = point.brush().color() == panel.surface()
        assert hollow == (cell.observable < cell.users)

    # the table "or later", the churn at day 3
    panel.measure_combo.setCurrentIndex(1)
    cell = kept.cohorts[0].cells[0]
    assert table.item(0, 2).text().rstrip("*") == f"{cell.or_later_share:.0%}"
    _wait_drawn(qtbot, dock, lambda: panel.churn_at.setValue(3))
    churn = _retention(window, "Sign up", every="day", periods=12, churn_at=3).churn
    assert panel.result.churn == churn
    assert f"Churn at day 3: {churn.share:.1%}" in panel.summary.text()

    # qualifying events: only pricing counts as coming back
    def only_pricing() -> None:
        panel.events.setText("pricing")
        panel.events.editingFinished.emit()

    _wait_drawn(qtbot, dock, only_pricing)
    assert panel.result == _retention(window, "Sign up", every="day", periods=12,
                                      churn_at=3, events=["pricing"])

    # the overlay's period: the numbers follow
    from datetime import date

    _wait_drawn(qtbot, dock, lambda: window.set_overlay_dates(date(2026, 10, 1),
                                                              date(2026, 10, 5)))
    assert window.data_overlay.options() == MetricsOptions.make(date(2026, 10, 1),
                                                                date(2026, 10, 5))
    assert panel.result == _retention(window, "Sign up", every="day", periods=12,
                                      churn_at=3, events=["pricing"])
    assert panel.result.users == 4  # u1-u4 entered in those days

    png = Path(os.environ.get("JOURNEYDESK_RETENTION_PNG", tmp_path / "retention.png"))
    panel.reveal()
    assert panel.grab().save(str(png))


def test_the_stage_header_opens_the_retention_after_it(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    scene, m = window.scene, window.current_map()
    confirm = m.stage_named("Confirm e-mail")
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[confirm.id].center())
    action = next(a for a in menu.actions() if a.text() == "Retention after this stage…")
    action.trigger()
    qtbot.waitUntil(lambda: window.analytics is not None and window.analytics.isVisible(),
                    timeout=5000)
    panel = window.analytics.retention_panel
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.anchor == "Confirm e-mail",
                    timeout=20000)
    assert panel.anchor_combo.currentText() == "Confirm e-mail"
    assert panel.result == _retention(window, "Confirm e-mail")
    # the first stage has no drop-off, but people come back after it too
    discover = m.stage_named("Discover")
    # (the headers stick to the top of the view, which the dock made shorter)
    menu = scene.interactions.build_context_menu(
        scene.stages[discover.id].sceneBoundingRect().center())
    assert "Retention after this stage…" in [a.text() for a in menu.actions()]


def test_closing_while_retention_computes_delivers_nothing(qtbot, tmp_path: Path,
                                                           monkeypatch) -> None:
    """The dock's quit-while-computing safety covers the new panels: closing cancels them,
    the worker finishes, nothing is drawn afterwards."""
    from journeydesk.app import retention

    window = window_with_overlay(qtbot, tmp_path)
    release, started = threading.Event(), threading.Event()
    real = retention.stage_retention

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(retention, "stage_retention", slow)
    dock = open_dock(qtbot, window)
    panel = dock.retention_panel
    qtbot.waitUntil(started.is_set, timeout=20000)
    assert panel.busy()
    drawn: list[str] = []
    dock.updated.connect(drawn.append)
    dock.close_dock()
    release.set()
    assert panel.work.jobs.wait(10)
    qtbot.wait(100)
    assert "retention" not in drawn and panel.result is None
