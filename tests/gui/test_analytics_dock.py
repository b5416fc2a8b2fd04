"""The analytics dock on a real window: charts of the overlay's dataset that drive its filters."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from journeydesk.analytics.events import load_events
from journeydesk.gui.analytics_dock import AnalyticsDock
from journeydesk.store.datasets import add_dataset

# Stages of the template: Discover (landing_view), Sign up (form_start, form_submit),
# Confirm e-mail (email_confirmed), First use (first_benefit_used).
#   all users          Discover 6, Sign up 5 (not u4), Confirm e-mail 3 (u1, u5, u6), First use 1
#   mobile + new (u1, u3)               2, 2, 1, 1
#   desktop (u2, u4, u6)                3, 2, 1, 0
#   1-2 October only (u1, u2, u3)       3, 3, 1, 1
EVENTS = """user_id,event,timestamp,platform,customer_type
u1,landing_view,2026-10-01 09:00:00,mobile,new
u1,form_start,2026-10-01 09:01:00,mobile,new
u1,form_submit,2026-10-01 09:03:00,mobile,new
u1,email_confirmed,2026-10-01 10:03:00,mobile,new
u1,first_benefit_used,2026-10-02 10:00:00,mobile,new
u2,landing_view,2026-10-01 11:00:00,desktop,returning
u2,form_start,2026-10-01 11:02:00,desktop,returning
u3,landing_view,2026-10-02 08:00:00,mobile,new
u3,form_start,2026-10-02 08:05:00,mobile,new
u3,form_submit,2026-10-02 08:06:00,mobile,new
u4,landing_view,2026-10-05 12:00:00,desktop,new
u5,landing_view,2026-10-08 09:00:00,mobile,returning
u5,form_start,2026-10-08 09:10:00,mobile,returning
u5,email_confirmed,2026-10-08 12:00:00,mobile,returning
u6,landing_view,2026-10-09 10:00:00,desktop,returning
u6,form_start,2026-10-09 10:30:00,desktop,returning
u6,email_confirmed,2026-10-10 10:30:00,desktop,returning
u6,landing_view,2026-10-13 10:00:00,desktop,returning
"""


def _seconds(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _heights(item) -> list[int]:  # noqa: ANN001
    return [int(h) for h in item.opts["height"]]


def _users(window) -> dict[str, int]:  # noqa: ANN001
    return {s["stage"]: s["users"] for s in window.data_overlay.metrics["stages"]}


def test_analytics_dock_charts_and_drives_the_overlay(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    log = tmp_path / "signups.csv"
    log.write_text(EVENTS, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, "signups", loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay.trigger()

    dock = AnalyticsDock(window.document, window.data_overlay, window)
    qtbot.addWidget(dock)
    dock.resize(1180, 820)
    dock.show()
    qtbot.waitExposed(dock)

    # (a) the funnel bars are the users per stage
    assert _heights(dock.funnel_bars) == [6, 5, 3, 1]
    ticks = dock.funnel_plot.getAxis("bottom")._tickLevels[0]
    assert [name for _, name in ticks] == ["Discover", "Sign up", "Confirm e-mail", "First use"]

    # (f) All users against the first persona's segment (mobile, new)
    qtbot.waitUntil(lambda: _heights(dock.compare_bars[1]) == [2, 2, 1, 1], timeout=20000)
    assert _heights(dock.compare_bars[0]) == [6, 5, 3, 1]
    assert list(dock.compare_bars[0].opts["x"]) == [-0.19, 0.81, 1.81, 2.81]

    # (c) time to reach Sign up (60, 120, 300, 600 and 1800 s) in 5 bins of 348 s;
    # (d) daily volume; (b) weekly lines
    qtbot.waitUntil(lambda: dock.histogram.counts == [3, 1, 0, 0, 1], timeout=20000)
    assert dock.histogram.edges == [60.0, 408.0, 756.0, 1104.0, 1452.0, 1800.0]
    assert _heights(dock.histogram_bars) == [3, 1, 0, 0, 1]
    assert dock.stage_combo.currentText() == "Sign up"
    qtbot.waitUntil(lambda: len(dock.volume_bars.opts["height"]) == 7, timeout=20000)
    assert _heights(dock.volume_bars) == [6, 4, 1, 3, 2, 1, 1]
    assert set(dock.weekly_lines) == {"Sign up", "Confirm e-mail", "First use"}
    assert dock.region.isVisible()
    assert dock.region.getRegion() == (_seconds(date(2026, 10, 1)), _seconds(date(2026, 10, 14)))

    png = Path(os.environ.get("JOURNEYDESK_DOCK_PNG", tmp_path / "analytics-dock.png"))
    image = dock.grab().toImage()
    assert image.width() > 800
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20  # charts, not a blank widget
    assert dock.grab().save(str(png))
    # bars are rectangles (pens are cosmetic): inside the "First use" bar (1 user) is blue,
    # just above it is white
    plot = dock.funnel_plot
    vb = plot.getPlotItem().getViewBox()
    picture = plot.grab().toImage()

    def colour_at(x: float, y: float):  # noqa: ANN202
        point = plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
        return QColor(picture.pixel(point.x(), point.y()))

    assert colour_at(3, 0.5).name() == "#3b6fd8"
    assert colour_at(3, 1.6).name() == "#ffffff"

    # (e) the segment picker lists the personas' segments and filters the overlay
    labels = [dock.segment_combo.itemText(i) for i in range(dock.segment_combo.count())]
    assert labels == [label for label, _ in window.segment_choices()]
    assert labels[0] == "All users" and any("platform = desktop" in x for x in labels)
    desktop = next(i for i, x in enumerate(labels) if "platform = desktop" in x)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.segment_combo.setCurrentIndex(desktop)
    assert window.data_overlay.segment == {"platform": "desktop"}
    assert _users(window)["Discover"] == 3 and _users(window)["Sign up"] == 2
    assert _heights(dock.funnel_bars) == [3, 2, 1, 0]

    # back to everybody, then (d) a drag of the range ends on 1-2 October
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.segment_combo.setCurrentIndex(0)
    dock.region.setRegion((_seconds(date(2026, 10, 1)) + 3000, _seconds(date(2026, 10, 3)) - 900))
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.region.sigRegionChangeFinished.emit(dock.region)
    assert (window.data_overlay.date_from, window.data_overlay.date_to) == (
        date(2026, 10, 1), date(2026, 10, 2))
    assert _heights(dock.funnel_bars) == [3, 3, 1, 1]
    assert dock.region.getRegion() == (_seconds(date(2026, 10, 1)), _seconds(date(2026, 10, 3)))
    # the comparison follows the dates too
    qtbot.waitUntil(lambda: _heights(dock.compare_bars[0]) == [3, 3, 1, 1], timeout=20000)

    # "All dates" clears the range
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.all_dates_button.click()
    assert window.data_overlay.date_from is None and window.data_overlay.date_to is None
    assert _heights(dock.funnel_bars) == [6, 5, 3, 1]

    # the second comparison segment can be changed
    daniel = dock.compare_b.findText(labels[desktop])
    dock.compare_b.setCurrentIndex(daniel)
    qtbot.waitUntil(lambda: _heights(dock.compare_bars[1]) == [3, 2, 1, 0], timeout=20000)


def test_the_dock_opens_from_the_view_menu(qtbot, tmp_path: Path) -> None:
    from journeydesk.gui.analytics_dock import AnalyticsDock

    window = open_window(qtbot, tmp_path)
    assert window.analytics is None  # pyqtgraph is not loaded until the dock is shown
    window.act_analytics.trigger()
    assert window.analytics_dock.isVisible()
    assert isinstance(window.analytics_dock.widget(), AnalyticsDock)
