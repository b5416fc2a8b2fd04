"""The analytics dock on a real window: charts of the overlay's dataset that drive its filters."""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
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


def _compared(dock, group: int) -> list[tuple[int, int]]:  # noqa: ANN001
    """(users, users of the previous stage) per compared stage of segment 1 or 2."""
    return [(t.x1, t.n1) if group == 1 else (t.x2, t.n2) for t in dock.comparison]


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

    # (f) All users against the first persona's segment (mobile, new): the conversion from
    # the previous stage of each (users 6, 5, 3, 1 against 2, 2, 1, 1), with its n
    qtbot.waitUntil(lambda: _compared(dock, 2) == [(2, 2), (1, 2), (1, 1)], timeout=20000)
    assert _compared(dock, 1) == [(5, 6), (3, 5), (1, 3)]
    assert [t.stage for t in dock.comparison] == ["Sign up", "Confirm e-mail", "First use"]
    assert list(dock.compare_bars[0].opts["x"]) == [-0.19, 0.81, 1.81]
    assert [round(h, 1) for h in dock.compare_bars[0].opts["height"]] == [83.3, 60.0, 33.3]
    assert [round(h, 1) for h in dock.compare_bars[1].opts["height"]] == [100.0, 50.0, 100.0]
    assert {t.verdict for t in dock.comparison} == {"too few users (< 30)"}

    # (c) time to reach Sign up (60, 120, 300, 600 and 1800 s) in 5 bins of 348 s;
    # (d) daily volume; (b) weekly lines
    qtbot.waitUntil(lambda: dock.histogram.counts == [3, 1, 0, 0, 1], timeout=20000)
    assert dock.histogram.edges == [60.0, 408.0, 756.0, 1104.0, 1452.0, 1800.0]
    assert _heights(dock.histogram_bars) == [3, 1, 0, 0, 1]
    assert dock.stage_combo.currentText() == "Sign up"
    qtbot.waitUntil(lambda: len(dock.volume_bars.opts["height"]) == 7, timeout=20000)
    qtbot.waitUntil(lambda: len(dock.weekly_lines) == 3, timeout=20000)  # its own query
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
    qtbot.waitUntil(lambda: _compared(dock, 1) == [(3, 3), (1, 3), (1, 1)], timeout=20000)

    # "Clear date filter" clears the range
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.clear_dates_button.click()
    assert window.data_overlay.date_from is None and window.data_overlay.date_to is None
    assert _heights(dock.funnel_bars) == [6, 5, 3, 1]

    # the second comparison segment can be changed
    daniel = dock.compare_b.findText(labels[desktop])
    dock.compare_b.setCurrentIndex(daniel)
    qtbot.waitUntil(lambda: _compared(dock, 2) == [(2, 3), (1, 2), (0, 1)], timeout=20000)


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
    qtbot.waitUntil(lambda: len(dock.weekly_lines) == 3, timeout=20000)  # its own query
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
    qtbot.waitUntil(lambda: len(dock.weekly_lines) == 3, timeout=20000)  # its own query

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


# ---------------------------------------------------------------------------- computing once
CHART_FUNCTIONS = ("daily_volume", "weekly_series", "time_to_next_histogram", "funnel")


def _count_computations(monkeypatch) -> Counter:  # noqa: ANN001
    """Count the calls of the metrics functions the dock imports (lazily) from app.metrics."""
    from journeydesk.app import metrics

    calls: Counter = Counter()

    def counting(name: str):  # noqa: ANN202
        real = getattr(metrics, name)

        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls[name] += 1
            return real(*args, **kwargs)

        return counted

    for name in CHART_FUNCTIONS:
        monkeypatch.setattr(metrics, name, counting(name))
    return calls


def _settle(qtbot, dock: AnalyticsDock) -> None:  # noqa: ANN001
    """Wait until the dock computes nothing, and a little more: a late request would show."""
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: not dock.busy(), timeout=20000)
    for _ in range(6):
        QApplication.processEvents()
        qtbot.wait(40)
    assert not dock.busy()


def test_opening_the_dock_computes_each_chart_once(qtbot, tmp_path: Path, monkeypatch) -> None:
    calls = _count_computations(monkeypatch)
    window = _window_with_overlay(qtbot, tmp_path)
    assert not calls  # the overlay's numbers are not the dock's

    # View > Analytics with the overlay on: the dock is built, refreshed and shown (three
    # requests before this change, each computing every chart): one computation per chart
    dock = _open_dock(qtbot, window)
    qtbot.waitUntil(lambda: bool(dock.comparison and dock.histogram.counts
                                 and dock.weekly_lines and dock._volume_days), timeout=20000)
    _settle(qtbot, dock)
    once = {"daily_volume": 1, "weekly_series": 1, "time_to_next_histogram": 1,
            "funnel": 2}  # the comparison: one funnel per compared segment
    assert calls == once

    # the same inputs again: asked for, shown again, a new overlay result of the same numbers
    dock.refresh()
    window.analytics_dock.hide()
    window.analytics_dock.show()
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.data_overlay.refresh()
    _settle(qtbot, dock)
    assert calls == once

    # a segment: the charts of the segment, once each (the comparison has its own segments)
    labels = [dock.segment_combo.itemText(i) for i in range(dock.segment_combo.count())]
    desktop = next(i for i, x in enumerate(labels) if "platform = desktop" in x)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        dock.segment_combo.setCurrentIndex(desktop)
    _settle(qtbot, dock)
    assert calls == {"daily_volume": 2, "weekly_series": 2, "time_to_next_histogram": 2,
                     "funnel": 2}

    # dates: not the daily volume (it shows every day); the comparison follows the dates
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_dates(date(2026, 10, 1), date(2026, 10, 9))
    _settle(qtbot, dock)
    assert calls == {"daily_volume": 2, "weekly_series": 3, "time_to_next_histogram": 3,
                     "funnel": 4}

    # another stage: its histogram only
    dock.stage_combo.setCurrentIndex(dock.stage_combo.findText("Confirm e-mail"))
    qtbot.waitUntil(lambda: "Confirm e-mail" in dock.histogram_plot.getAxis("bottom").labelText,
                    timeout=20000)
    _settle(qtbot, dock)
    assert calls == {"daily_volume": 2, "weekly_series": 3, "time_to_next_histogram": 4,
                     "funnel": 4}


def test_a_dock_opened_first_computes_once_the_overlay_is_there(qtbot, tmp_path: Path,
                                                                  monkeypatch) -> None:
    calls = _count_computations(monkeypatch)
    window = open_window(qtbot, tmp_path)
    dock = _open_dock(qtbot, window)
    log = tmp_path / "signups.csv"
    log.write_text(EVENTS, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, "signups", loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay.trigger()
    qtbot.waitUntil(lambda: bool(dock.comparison and dock.histogram.counts), timeout=20000)
    _settle(qtbot, dock)
    assert calls == {"daily_volume": 1, "weekly_series": 1, "time_to_next_histogram": 1,
                     "funnel": 2}


class _View:
    """A stand-in for a database source's view: it counts the cancels of its query."""

    def __init__(self) -> None:
        self.cancelled = 0

    def cancel(self) -> None:
        self.cancelled += 1


def test_superseded_work_is_cancelled_and_never_drawn(qtbot, tmp_path: Path,
                                                      monkeypatch) -> None:
    from journeydesk.app import metrics
    from journeydesk.app.metrics import Histogram

    window = _window_with_overlay(qtbot, tmp_path)
    started: list[tuple[int, threading.Event, _View]] = []

    def slow_histogram(data, stages, index, **_options):  # noqa: ANN001, ANN202
        gate = threading.Event()
        started.append((index, gate, data))
        assert gate.wait(20)
        return Histogram([0.0, 60.0 * index], [index])

    monkeypatch.setattr(metrics, "time_to_next_histogram", slow_histogram)
    monkeypatch.setattr(metrics, "daily_volume", lambda *_a, **_k: [])
    monkeypatch.setattr(metrics, "weekly_series",
                        lambda *_a, **_k: metrics.WeeklySeries({}, None))
    monkeypatch.setattr(window.data_overlay, "data", _View)  # as a database source gives
    dock = _open_dock(qtbot, window)
    qtbot.waitUntil(lambda: len(started) == 1, timeout=5000)
    index, gate, view = started[0]
    assert index == 1 and isinstance(view, _View)  # Sign up, on a view of its own
    assert view.cancelled == 0

    # two more stages chosen while Sign up computes: its query is cancelled at once, the
    # middle request never starts, the newest waits for the worker
    dock.stage_combo.setCurrentIndex(dock.stage_combo.findText("Confirm e-mail"))
    assert view.cancelled == 1
    dock.stage_combo.setCurrentIndex(dock.stage_combo.findText("First use"))
    assert view.cancelled == 1 and dock.busy()
    assert len(started) == 1

    gate.set()  # Sign up's result comes late: dropped, and First use starts
    qtbot.waitUntil(lambda: len(started) == 2, timeout=5000)
    assert started[1][0] == 3 and started[1][2] is not view
    assert dock.histogram.counts != [1]  # Sign up's result was not drawn
    with qtbot.waitSignal(dock.updated, timeout=5000,
                          check_params_cb=lambda kind: kind == "histogram"):
        started[1][1].set()
    assert dock.histogram.counts == [3]
    assert "First use" in dock.histogram_plot.getAxis("bottom").labelText
    _settle(qtbot, dock)
    assert len(started) == 2  # Confirm e-mail was never computed


# ---------------------------------------------------------------------------- reading the charts
def test_duration_helpers() -> None:
    from journeydesk.app.metrics import Histogram
    from journeydesk.gui.analytics_dock import (
        _duration_tick,
        _duration_ticks,
        _duration_unit,
        _grouped_median,
        _log_positions,
        _log_spaced,
    )

    # the unit is the median's: 40 s, 21 min, 5 h, 3 days
    assert [_duration_unit(v)[1] for v in (40, 21 * 60, 5 * 3600, 3 * 86400, None)] == [
        "seconds", "minutes", "hours", "days", "seconds"]
    assert _log_spaced([1, 10, 100, 1000]) and _log_spaced([0, 1, 10, 100, 1000])
    assert not _log_spaced([0, 10, 20, 30]) and not _log_spaced([1, 10])
    assert _log_positions([0, 1, 10, 100]) == [-1.0, 0.0, 1.0, 2.0]
    # 10 values: 6 in [0, 10), 4 in [10, 20): the 5th value is 5/6 into the first bin
    assert _grouped_median(Histogram([0, 10, 20], [6, 4])) == pytest.approx(50 / 6)
    # log-spaced: geometric inside the bin (half of [10, 100) is 10 * sqrt(10))
    assert _grouped_median(Histogram([1, 10, 100, 1000], [0, 4, 0])) == pytest.approx(
        10 * math.sqrt(10))
    assert _grouped_median(Histogram([], [])) is None
    assert [_duration_tick(t) for t in (5, 90, 1800, 7200, 86400, 7 * 86400)] == [
        "5 s", "1.5 min", "30 min", "2 h", "1 d", "7 d"]
    ticks = _duration_ticks(0, math.log10(30 * 86400), 600)  # 1 s to 30 days in 600 px
    assert 4 <= len(ticks) <= 600 // 56 and ticks[0] == 0.0


def test_a_heavy_tail_in_log_bins_reads_on_a_log_axis(qtbot, tmp_path: Path,
                                                       monkeypatch) -> None:
    from journeydesk.app import metrics
    from journeydesk.app.metrics import Histogram

    # as the series gives bins that span 5 decades: 0 s, then 1 s to 100,000 s
    edges = [0.0] + [10.0 ** (i / 2) for i in range(11)]
    counts = [12, 3, 5, 9, 20, 40, 60, 30, 10, 4, 2]
    monkeypatch.setattr(metrics, "time_to_next_histogram",
                        lambda *_a, **_k: Histogram(edges, counts))
    window = _window_with_overlay(qtbot, tmp_path)
    dock = _open_dock(qtbot, window)
    qtbot.waitUntil(lambda: dock.histogram.counts == counts, timeout=20000)
    axis = dock.histogram_plot.getAxis("bottom")
    assert axis.log and axis.labelText == "Time to reach Sign up"
    lo, hi = dock.histogram_plot.getPlotItem().getViewBox().viewRange()[0]
    spacing, values = axis.tickValues(lo, hi, 500)[0]
    labels = axis.tickStrings(values, 1.0, spacing)
    assert labels[:6] == ["0 s", "1 s", "10 s", "1 min", "10 min", "1 h"], labels
    assert len(labels) <= 500 // 56 + 1  # room for each
    # the bars sit on log10 of their edges, each as wide as its bin there
    assert list(dock.histogram_bars.opts["height"]) == counts
    assert dock.histogram_bars.opts["x"][1] == pytest.approx(0.25)
    # the median is the overlay's (60, 120, 300, 600 and 1800 s to Sign up), the unit its
    assert dock.histogram_median == 300.0
    assert dock.histogram_plot.toolTip() == "195 users reached Sign up; median 5 min"
    assert dock.median_line.isVisible()
    assert dock.median_line.label.toPlainText() == "median 5 min"
    assert dock.median_line.value() == pytest.approx(math.log10(300))


def test_weekly_points_say_their_n_and_the_last_week_is_open(qtbot, tmp_path: Path,
                                                            monkeypatch) -> None:
    from journeydesk.app import metrics

    weeks = [date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 12)]
    # the series with n per point: (week, conversion, n); no window, so the last week open
    monkeypatch.setattr(metrics, "weekly_series", lambda *_a, **_k: metrics.WeeklySeries({
        "Sign up": [(weeks[0], 0.5, 4), (weeks[1], None, 0), (weeks[2], 0.25, 8)]}, 2))
    window = _window_with_overlay(qtbot, tmp_path)
    dock = _open_dock(qtbot, window)
    qtbot.waitUntil(lambda: "Sign up" in dock.weekly_points, timeout=20000)
    tips = list(dock.weekly_points["Sign up"].data["data"])
    assert tips == ["Sign up, week of 28 Sep 2026: 50% of 4 users entering that week",
                    "Sign up, week of 12 Oct 2026: 25% of 8 users entering that week\n"
                    "(an open week: its conversion may still rise)"]
    assert dock.weekly_note.text().startswith("Hollow points: the last week")
    brushes = [p.brush().color() for p in dock.weekly_points["Sign up"].points()]
    assert brushes[-1] != brushes[0]  # the open week is hollow
