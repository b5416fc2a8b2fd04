"""The analytics dock on a real window: charts of the overlay's dataset that drive its filters."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from canvas_helpers import open_window
from PySide6.QtCore import QPointF, Qt
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

    # "Clear date filter" clears the range
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.clear_dates_button.click()
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


# ---------------------------------------------------------------------------- design review
def _window_with_overlay(qtbot, tmp_path: Path):  # noqa: ANN001, ANN202
    """A main window on the template with the sign-up events imported and the overlay on."""
    window = open_window(qtbot, tmp_path)
    log = tmp_path / "signups.csv"
    log.write_text(EVENTS, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, "signups", loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay.trigger()
    return window


def _open_dock(qtbot, window) -> AnalyticsDock:  # noqa: ANN001
    """View > Analytics, as a user opens it."""
    window.act_analytics.trigger()
    qtbot.waitUntil(lambda: window.analytics is not None and window.analytics.isVisible(),
                    timeout=5000)
    return window.analytics


def test_the_dock_fits_a_720_pixel_projector(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    window = _window_with_overlay(qtbot, tmp_path)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.height() == 720, timeout=5000)
    dock = _open_dock(qtbot, window)
    assert dock.pages.currentWidget() is dock.charts_page  # the tall page, not the empty one
    qtbot.waitUntil(lambda: len(dock.volume_bars.opts["height"]) == 7, timeout=20000)
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)

    assert dock.minimumSizeHint().height() <= 260
    assert window.minimumSizeHint().height() <= 720
    assert window.height() <= 720
    assert window.view.height() >= 200  # the map is not squeezed to a strip
    assert dock.scroll.widgetResizable()  # the charts scroll inside the short dock


def _plot_background(dock: AnalyticsDock) -> QColor:
    """The colour of the funnel plot's empty top-left corner, on a grab of the whole dock."""
    plot = dock.funnel_plot
    corner = plot.getPlotItem().getViewBox().sceneBoundingRect().topLeft() + QPointF(6, 3)
    point = plot.mapTo(dock, plot.mapFromScene(corner))
    image = dock.grab().toImage()
    assert image.rect().contains(point)
    return QColor(image.pixel(point))


def test_the_dock_follows_the_dark_theme(qtbot, tmp_path: Path) -> None:
    from journeydesk.gui.canvas.theme import DARK, LIGHT

    window = _window_with_overlay(qtbot, tmp_path)
    dock = _open_dock(qtbot, window)
    assert dock.pages.currentWidget() is dock.charts_page
    assert _plot_background(dock).lightness() > 200

    dock.set_theme(DARK)
    background = _plot_background(dock)
    assert background.lightness() < 80, background.name()
    assert dock.funnel_plot.getAxis("left").textPen().color() == DARK.text
    assert dock.funnel_plot.getAxis("left").labelStyle["color"] == DARK.muted_text.name()
    assert all(label.color == DARK.text for label in dock._funnel_labels)
    png = Path(os.environ.get("JOURNEYDESK_DOCK_DARK_PNG", tmp_path / "dock-dark.png"))
    assert dock.grab().save(str(png))

    dock.set_theme(LIGHT)
    assert _plot_background(dock).lightness() > 200


def test_without_metrics_the_dock_shows_an_empty_state(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    dock = _open_dock(qtbot, window)
    assert dock.pages.currentWidget() is dock.empty_page
    assert not dock.charts_page.isVisible()
    assert dock.empty_message.text() == "Charts show the numbers of the data overlay."
    assert dock.overlay_button.isVisible()
    assert dock.overlay_button.text() == "Turn on data overlay"

    # the button turns the overlay on in the window: "computing", then the charts
    log = tmp_path / "signups.csv"
    log.write_text(EVENTS, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, "signups", loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000), \
            qtbot.waitSignal(dock.overlay_requested, timeout=2000):
        qtbot.mouseClick(dock.overlay_button, Qt.MouseButton.LeftButton)
        assert window.act_overlay.isChecked()
        assert dock.pages.currentWidget() is dock.empty_page  # nothing delivered yet
        assert dock.empty_message.text().startswith("Computing")
        assert not dock.overlay_button.isVisible()
    assert dock.pages.currentWidget() is dock.charts_page
    assert dock.charts_page.isVisible()
    assert _heights(dock.funnel_bars) == [6, 5, 3, 1]
    assert dock.stage_combo.currentText() == "Sign up"  # stages filled although opened empty
    qtbot.waitUntil(lambda: dock.histogram.counts == [3, 1, 0, 0, 1], timeout=20000)

    # turning the overlay off empties the dock again
    window.act_overlay.trigger()
    assert dock.pages.currentWidget() is dock.empty_page
    assert dock.empty_message.text() == "Charts show the numbers of the data overlay."
    assert dock.overlay_button.isVisible()


def test_chart_text_is_consistent(qtbot, tmp_path: Path) -> None:
    window = _window_with_overlay(qtbot, tmp_path)
    dock = _open_dock(qtbot, window)
    qtbot.waitUntil(lambda: dock.histogram.counts == [3, 1, 0, 0, 1], timeout=20000)
    qtbot.waitUntil(lambda: len(dock.volume_bars.opts["height"]) == 7, timeout=20000)

    # axis titles in sentence case
    titles = [plot.getAxis(name).labelText for plot in dock._plots
              for name in ("left", "bottom") if plot.getAxis(name).labelText]
    assert "Minutes to reach Sign up" in titles
    assert all(title[0].isupper() for title in titles), titles

    # both date axes write days the same way ("1 Oct"), on the days of the data
    def ticks(plot) -> dict[str, float]:  # noqa: ANN001
        axis = plot.getAxis("bottom")
        lo, hi = plot.getPlotItem().getViewBox().viewRange()[0]
        spacing, values = axis.tickValues(lo, hi, axis.width())[0]
        return dict(zip(axis.tickStrings(values, 1.0, spacing), values, strict=True))

    volume = ticks(dock.volume_plot)
    assert list(volume)[:4] == ["30 Sep", "1 Oct", "2 Oct", "3 Oct"] and "13 Oct" in volume
    assert volume["1 Oct"] == dock.volume_bars.opts["x"][0]  # under the middle of its bar
    assert ticks(dock.weekly_plot) == {"28 Sep": _seconds(date(2026, 9, 28)),
                                       "5 Oct": _seconds(date(2026, 10, 5))}

    # the date filter's button says what it does and is off when there is nothing to clear
    button = dock.clear_dates_button
    assert button.text() == "Clear date filter"
    assert not button.isEnabled()
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_dates(date(2026, 10, 1), None)  # e.g. the overlay's date dialog
    assert button.isEnabled()
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.data_overlay.date_from is None
    assert not button.isEnabled()


def test_day_ticks_and_labels() -> None:
    from journeydesk.gui.analytics_dock import DAY, _day_labels, _day_ticks

    sep1 = _seconds(date(2026, 9, 1))
    # a week on a wide axis: every day
    spacing, ticks = _day_ticks(sep1 - 3600, sep1 + 6 * DAY, 800)
    assert spacing == DAY and _day_labels(ticks) == [f"{d} Sep" for d in range(1, 8)]
    # two months on a narrow axis: Mondays, some weeks apart
    spacing, ticks = _day_ticks(sep1, sep1 + 60 * DAY, 260)
    assert spacing >= 7 * DAY and len(ticks) <= 5
    assert all(datetime.fromtimestamp(t, UTC).weekday() == 0 for t in ticks)
    # weekly points: never a tick between Mondays
    spacing, ticks = _day_ticks(sep1, sep1 + 6 * DAY, 800, weeks=True)
    assert _day_labels(ticks) == ["7 Sep"]
    # the year is written where it changes
    dec28 = _seconds(date(2026, 12, 28))
    assert _day_labels([dec28, dec28 + 7 * DAY]) == ["28 Dec", "4 Jan 2027"]
    assert _day_ticks(float("nan"), sep1, 100) == (DAY, [])
