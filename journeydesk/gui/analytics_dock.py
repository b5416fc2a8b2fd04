"""The analytics dock: charts of the overlay's dataset, drawn with pyqtgraph.

Six views of the numbers behind the data overlay: the funnel (users per stage), conversion by
week, the time it takes to reach a stage, the daily event volume with a draggable date range
that drives the overlay, a segment picker, and two segments side by side.  The funnel comes
from the overlay controller's latest metrics; every other query runs with DuckDB on a worker
thread and comes back through a queued signal, so the window stays responsive.  pyqtgraph is
imported here only, when the dock is created.

Every pen drawn in a plot is cosmetic (:func:`_pen`): a plain QPen's width is in data units,
so a 1-unit outline on a bar of users is one *user* thick and the bars melt into polygons.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from journeydesk.analytics.series import Histogram
from journeydesk.gui.background import BackgroundJobs
from journeydesk.gui.canvas.theme import make_pen
from journeydesk.store.document import Document

DAY = 86400.0
INK = QColor("#2b2f36")
MUTED = QColor("#6b7280")
GRID = QColor("#e5e7eb")
BLUE = QColor("#3b6fd8")
ORANGE = QColor("#e08a2c")
TEAL = QColor("#2a9d8f")
WHITE = QColor("white")
SERIES = ["#3b6fd8", "#e08a2c", "#2a9d8f", "#c2417a", "#7b61c9", "#8a9a2b", "#d1495b"]
REGION = QColor(59, 111, 216, 40)


def _day_seconds(day: date) -> float:
    """``day``'s midnight (UTC) in seconds since the epoch: the x of the date axes."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _day_of(seconds: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(round(seconds / DAY)))


def _pen(colour: QColor, width: float) -> QPen:
    """A pen whose width is in pixels whatever the plot's scale (built without keywords)."""
    pen = make_pen(colour, width)
    pen.setCosmetic(True)
    return pen


def _count_axis(plot: Any, top: float) -> None:
    """Whole-number ticks on a small count axis (no "2.5 users")."""
    axis = plot.getAxis("left")
    if top <= 8:
        axis.setTickSpacing(1, 1)
    else:
        axis.setTickSpacing()


def _duration_unit(values: list[float]) -> tuple[float, str]:
    """A readable unit for durations like ``values`` (the median decides)."""
    middle = sorted(values)[len(values) // 2] if values else 0.0
    for size, name in ((DAY, "days"), (3600.0, "hours"), (60.0, "minutes")):
        if middle >= size:
            return size, name
    return 1.0, "seconds"


def _middle(histogram: Histogram) -> float:
    """The middle of the bin holding the median value (enough to pick a unit)."""
    half, seen = histogram.total / 2, 0
    for i, count in enumerate(histogram.counts):
        seen += count
        if seen >= half:
            return (histogram.edges[i] + histogram.edges[i + 1]) / 2
    return histogram.edges[-1]


class AnalyticsDock(QWidget):
    """Charts of the data overlay's dataset; drives the overlay's segment and dates."""

    updated = Signal(str)  # a chart was redrawn: "funnel", "series", "histogram", "compare"

    def __init__(self, document: Document, controller: Any, window: Any,
                 parent: QWidget | None = None):
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.document = document
        self.controller = controller
        self.window = window
        self._tokens: dict[str, int] = {}
        self._choices: list[tuple[str, dict[str, str]]] = []
        self._volume_days: list[date] = []
        self.setObjectName("analyticsDock")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#analyticsDock { background: #f4f5f7; }"
            "QFrame#card { background: white; border: 1px solid #e1e4e8; border-radius: 6px; }"
            "QLabel#title { color: #2b2f36; font-weight: 600; font-size: 10.5pt; }"
            "QLabel#hint { color: #6b7280; font-size: 9pt; }"
            "QLabel#status { color: #6b7280; }")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 10)
        outer.setSpacing(8)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Segment"))
        self.segment_combo = QComboBox()
        self.segment_combo.setMinimumWidth(220)
        self.segment_combo.currentIndexChanged.connect(self._on_segment_chosen)
        bar.addWidget(self.segment_combo)
        bar.addSpacing(12)
        self.all_dates_button = QPushButton("All dates")
        self.all_dates_button.setToolTip("Count events on every day again")
        self.all_dates_button.clicked.connect(self.clear_dates)
        bar.addWidget(self.all_dates_button)
        bar.addStretch(1)
        self.status = QLabel("Turn on the data overlay to see charts")
        self.status.setObjectName("status")
        bar.addWidget(self.status)
        outer.addLayout(bar)

        grid = QGridLayout()
        grid.setSpacing(8)
        outer.addLayout(grid, 1)

        # (a) the funnel
        self.funnel_plot = self._plot()
        self.funnel_plot.setLabel("left", "Users")
        self.funnel_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=BLUE,
                                           pen=_pen(BLUE.darker(115), 1))
        self.funnel_plot.addItem(self.funnel_bars)
        self._funnel_labels: list[Any] = []
        grid.addWidget(self._card("Funnel", "Users reaching each stage", self.funnel_plot),
                       0, 0)

        # (f) two segments side by side
        self.compare_a = QComboBox()
        self.compare_b = QComboBox()
        for combo in (self.compare_a, self.compare_b):
            combo.setMinimumWidth(150)
            combo.currentIndexChanged.connect(self._compute_comparison)
        self.compare_plot = self._plot()
        self.compare_plot.setLabel("left", "Users")
        self.compare_bars = (
            pg.BarGraphItem(x=[], height=[], width=0.36, brush=BLUE, pen=_pen(BLUE, 1)),
            pg.BarGraphItem(x=[], height=[], width=0.36, brush=ORANGE,
                            pen=_pen(ORANGE, 1)))
        for item in self.compare_bars:
            self.compare_plot.addItem(item)
        controls = QHBoxLayout()
        controls.addWidget(self._swatch(BLUE))
        controls.addWidget(self.compare_a, 1)
        versus = QLabel("vs")
        versus.setObjectName("hint")
        controls.addWidget(versus)
        controls.addWidget(self._swatch(ORANGE))
        controls.addWidget(self.compare_b, 1)
        grid.addWidget(self._card("Compare segments", "Users per stage, same dates",
                                  self.compare_plot, controls), 0, 1)

        # (b) conversion by week
        self.weekly_plot = self._plot(dates=True)
        self.weekly_plot.setLabel("left", "Conversion", units="%")
        self.weekly_plot.setYRange(0, 100, padding=0.04)
        self.weekly_lines: dict[str, Any] = {}
        self.weekly_legend = QLabel()
        self.weekly_legend.setObjectName("hint")
        controls = QHBoxLayout()
        controls.addWidget(self.weekly_legend, 1)
        grid.addWidget(self._card("Conversion by week",
                                  "From the previous stage, by week of reaching it",
                                  self.weekly_plot, controls), 1, 0)

        # (c) time to reach a stage
        self.stage_combo = QComboBox()
        self.stage_combo.currentIndexChanged.connect(self._compute_histogram)
        self.histogram_plot = self._plot()
        self.histogram_plot.setLabel("left", "Users")
        self.histogram_bars = pg.BarGraphItem(x=[], height=[], width=1, brush=TEAL,
                                              pen=_pen(WHITE, 1))
        self.histogram_plot.addItem(self.histogram_bars)
        self.histogram: Histogram = Histogram([], [])  # the time-to-next chart on show
        controls = QHBoxLayout()
        label = QLabel("Stage")
        label.setObjectName("hint")
        controls.addWidget(label)
        controls.addWidget(self.stage_combo, 1)
        grid.addWidget(self._card("Time to reach stage", "From the previous stage",
                                  self.histogram_plot, controls), 1, 1)

        # (d) event volume with a date range
        self.volume_plot = self._plot(dates=True)
        self.volume_plot.setLabel("left", "Events")
        self.volume_plot.setMinimumHeight(170)
        self.volume_bars = pg.BarGraphItem(x=[], height=[], width=DAY * 0.8,
                                           brush=QColor("#9aa5b8"), pen=_pen(
                                               QColor("#9aa5b8"), 1))
        self.volume_plot.addItem(self.volume_bars)
        self.region = pg.LinearRegionItem(values=(0, DAY), brush=pg.mkBrush(REGION),
                                          pen=_pen(BLUE, 2),
                                          hoverBrush=pg.mkBrush(59, 111, 216, 60))
        self.region.setZValue(10)
        self.region.setVisible(False)
        self.region.sigRegionChangeFinished.connect(self._on_region_finished)
        self.volume_plot.addItem(self.region)
        grid.addWidget(self._card("Event volume",
                                  "Drag the shaded range's edges to count only those days",
                                  self.volume_plot), 2, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)

        self.jobs = BackgroundJobs(self)
        controller.ready.connect(self._on_ready)
        self.refresh()

    # ------------------------------------------------------------------ building
    def _plot(self, *, dates: bool = False) -> Any:
        pg = self._pg
        axes = {"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)} if dates else {}
        plot = pg.PlotWidget(background="w", axisItems=axes)
        plot.setMinimumSize(260, 180)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        plot.showGrid(x=False, y=True, alpha=0.25)
        font = QFont()
        font.setPointSizeF(8.5)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(_pen(GRID.darker(120), 1))
            axis.setTextPen(_pen(INK, 1))
            axis.setTickFont(font)
            axis.label.setDefaultTextColor(MUTED)
        plot.getAxis("left").setWidth(52)
        return plot

    def _card(self, title: str, hint: str, body: QWidget,
              controls: QHBoxLayout | None = None) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        head = QHBoxLayout()
        label = QLabel(title)
        label.setObjectName("title")
        head.addWidget(label)
        sub = QLabel(hint)
        sub.setObjectName("hint")
        head.addWidget(sub, 1)
        layout.addLayout(head)
        if controls is not None:
            layout.addLayout(controls)
        layout.addWidget(body, 1)
        card.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        return card

    @staticmethod
    def _swatch(colour: QColor) -> QLabel:
        swatch = QLabel()
        swatch.setFixedSize(12, 12)
        swatch.setStyleSheet(f"background: {colour.name()}; border-radius: 2px;")
        return swatch

    # ------------------------------------------------------------------ state
    def _map(self) -> Any:
        return self.document.workspace.maps.get(self.controller.map_id or "")

    def _stages(self) -> list[tuple[str, list[str]]]:
        m = self._map()
        return [(s.name, list(s.events)) for s in m.stages] if m is not None else []

    def _parquet(self) -> Any:
        """The event data on show: Parquet bytes, or the session's database source."""
        if self._map() is None or not self.controller.dataset:
            return None
        try:
            return self.controller.data()
        except Exception as exc:  # a missing or damaged dataset: say so, keep going
            self.status.setText(str(exc).splitlines()[0])
            return None

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Refill the segment and stage lists and recompute every chart."""
        self._fill_segments()
        self._fill_stages()
        if self.controller.metrics is not None:
            self._draw_funnel(self.controller.metrics)
        self._compute_series()
        self._compute_histogram()
        self._compute_comparison()

    def _fill_segments(self) -> None:
        self._choices = list(self.window.segment_choices())
        labels = [label for label, _ in self._choices]
        current = next((i for i, (_, s) in enumerate(self._choices)
                        if s == self.controller.segment), 0)
        previous_b = self.compare_b.currentText()
        for combo, index in ((self.segment_combo, current), (self.compare_a, 0),
                             (self.compare_b, min(1, len(labels) - 1))):
            keep = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(labels)
            if combo is self.segment_combo:
                combo.setCurrentIndex(index)
            else:
                wanted = previous_b if combo is self.compare_b else keep
                combo.setCurrentIndex(labels.index(wanted) if wanted in labels else index)
            combo.blockSignals(False)

    def _fill_stages(self) -> None:
        stages = self._stages()
        bound = [i for i, (_, events) in enumerate(stages) if events]
        keep = self.stage_combo.currentText()
        self.stage_combo.blockSignals(True)
        self.stage_combo.clear()
        for i in bound[1:]:
            self.stage_combo.addItem(stages[i][0], i)
        found = self.stage_combo.findText(keep)
        self.stage_combo.setCurrentIndex(found if found >= 0 else 0)
        self.stage_combo.blockSignals(False)

    # ------------------------------------------------------------------ user actions
    def _on_segment_chosen(self, index: int) -> None:
        if 0 <= index < len(self._choices):
            self.window.set_overlay_segment(self._choices[index][1])

    def _on_region_finished(self, *_: object) -> None:
        lo, hi = self.region.getRegion()
        date_from = _day_of(lo)
        date_to = max(date_from, _day_of(hi) - timedelta(days=1))
        self._set_region(date_from, date_to)
        self.window.set_overlay_dates(date_from, date_to)

    def clear_dates(self) -> None:
        """Count events on every day again."""
        self.window.set_overlay_dates(None, None)
        self._show_dates()

    def _set_region(self, date_from: date, date_to: date) -> None:
        self.region.blockSignals(True)
        self.region.setRegion((_day_seconds(date_from), _day_seconds(date_to) + DAY))
        self.region.blockSignals(False)

    def _show_dates(self) -> None:
        days = self._volume_days
        if not days:
            self.region.setVisible(False)
            return
        self.region.setVisible(True)
        self._set_region(self.controller.date_from or days[0],
                         self.controller.date_to or days[-1])

    # ------------------------------------------------------------------ background work
    def _run(self, kind: str, work: Callable[[], Any]) -> None:
        token = self._tokens.get(kind, 0) + 1
        self._tokens[kind] = token

        self.jobs.submit(work, lambda result, error: self._on_delivered(kind, token, result,
                                                                        error),
                         name=f"journeydesk-analytics-{kind}")

    def _on_delivered(self, kind: str, token: int, result: object, error: object) -> None:
        if token != self._tokens.get(kind):
            return  # an older computation finished after a newer one started
        if error is not None:
            self.status.setText(f"Could not compute the charts: {error}")
            return
        {"series": self._draw_series, "histogram": self._draw_histogram,
         "compare": self._draw_comparison}[kind](result)
        self.updated.emit(kind)

    def _filters(self) -> dict[str, Any]:
        return {"date_from": self.controller.date_from, "date_to": self.controller.date_to}

    def _compute_series(self) -> None:
        from journeydesk.analytics.series import daily_volume, weekly_conversion

        parquet = self._parquet()
        if parquet is None:
            return
        stages, where, dates = self._stages(), dict(self.controller.segment) or None, \
            self._filters()
        self._run("series", lambda: (daily_volume(parquet, where=where),
                                     weekly_conversion(parquet, stages, where=where, **dates)))

    def _compute_histogram(self, *_: object) -> None:
        from journeydesk.analytics.series import time_to_next_histogram

        index = self.stage_combo.currentData()
        parquet = self._parquet() if index is not None else None
        if parquet is None:
            return
        stages, where, dates = self._stages(), dict(self.controller.segment) or None, \
            self._filters()
        name = self.stage_combo.currentText()
        self._run("histogram", lambda: (name, time_to_next_histogram(
            parquet, stages, index, where=where, **dates)))

    def _compute_comparison(self, *_: object) -> None:
        from journeydesk.analytics.funnel import funnel

        parquet = self._parquet()
        a, b = self.compare_a.currentIndex(), self.compare_b.currentIndex()
        if parquet is None or a < 0 or b < 0:
            return
        stages, dates = self._stages(), self._filters()
        picked = [self._choices[a], self._choices[b]]
        self._run("compare", lambda: [
            (label, funnel(parquet, stages, where=segment or None, **dates))
            for label, segment in picked])

    # ------------------------------------------------------------------ drawing
    def _on_ready(self, _overlay: object, metrics: dict[str, Any]) -> None:
        self._draw_funnel(metrics)
        self._compute_series()
        self._compute_histogram()
        self._compute_comparison()

    def _stage_ticks(self, plot: Any, names: list[str]) -> None:
        plot.getAxis("bottom").setTicks([[(i, name) for i, name in enumerate(names)]])
        plot.setXRange(-0.6, len(names) - 0.4, padding=0)

    def _draw_funnel(self, metrics: dict[str, Any]) -> None:
        pg = self._pg
        stages = [s for s in metrics["stages"] if s["users"] is not None]
        heights = [s["users"] for s in stages]
        self.funnel_bars.setOpts(x=list(range(len(stages))), height=heights)
        for label in self._funnel_labels:
            self.funnel_plot.removeItem(label)
        self._funnel_labels = []
        top = max(heights, default=0) or 1
        for i, s in enumerate(stages):
            share = s["conversion_from_first"]
            text = f"{s['users']:,}" + (f"  ({share:.0%})" if share is not None and i else "")
            label = pg.TextItem(text, color=INK, anchor=(0.5, 1.0))
            label.setPos(i, s["users"] + top * 0.02)
            self.funnel_plot.addItem(label)
            self._funnel_labels.append(label)
        self._stage_ticks(self.funnel_plot, [s["stage"] for s in stages])
        self.funnel_plot.setYRange(0, top * 1.15, padding=0)
        _count_axis(self.funnel_plot, top)
        segment = ", ".join(f"{k} = {v}" for k, v in self.controller.segment.items())
        caption = f"{metrics.get('dataset', '')} · {segment or 'all users'} · " \
                  f"{metrics.get('users_total', 0):,} users"
        if self.controller.date_from or self.controller.date_to:
            caption += " · " + " to ".join(
                d.isoformat() if d else "…"
                for d in (self.controller.date_from, self.controller.date_to))
        self.status.setText(caption)
        self.updated.emit("funnel")

    def _draw_series(self, result: Any) -> None:
        import numpy as np

        volume, weekly = result
        self._volume_days = [d for d, _ in volume]
        xs = [_day_seconds(d) + DAY / 2 for d, _ in volume]
        heights = [n for _, n in volume]
        self.volume_bars.setOpts(x=xs, height=heights)
        if xs:
            self.volume_plot.setXRange(xs[0] - DAY, xs[-1] + DAY, padding=0.01)
            self.volume_plot.setYRange(0, max(heights) * 1.1, padding=0)
            _count_axis(self.volume_plot, max(heights))
        self._show_dates()

        for line in self.weekly_lines.values():
            self.weekly_plot.removeItem(line)
        self.weekly_lines = {}
        legend = []
        for i, (stage, points) in enumerate(weekly.items()):
            colour = QColor(SERIES[i % len(SERIES)])
            x = np.array([_day_seconds(w) for w, _ in points], dtype=float)
            y = np.array([np.nan if v is None else v * 100 for _, v in points], dtype=float)
            line = self.weekly_plot.plot(
                x, y, pen=_pen(colour, 2), connect="finite", symbol="o", symbolSize=6,
                symbolBrush=colour, symbolPen=_pen(WHITE, 1), name=stage)
            self.weekly_lines[stage] = line
            legend.append(f'<span style="color:{colour.name()}; font-size:12pt">&#9679;</span>'
                          f'&nbsp;{html.escape(stage)}')
        self.weekly_legend.setText("&nbsp;&nbsp;&nbsp;".join(legend) or "Bind two stages to "
                                   "see their conversion by week")
        weeks = [w for points in weekly.values() for w, _ in points]
        if weeks:
            lo, hi = _day_seconds(min(weeks)), _day_seconds(max(weeks))
            self.weekly_plot.setXRange(lo - 3 * DAY, hi + 3 * DAY, padding=0)
            mondays = sorted(set(weeks))
            step = max(1, len(mondays) // 8)
            self.weekly_plot.getAxis("bottom").setTicks([[
                (_day_seconds(w), f"{w.day} {w:%b}") for w in mondays[::step]]])
        self.weekly_plot.setYRange(0, 100, padding=0.04)

    def _draw_histogram(self, result: Any) -> None:
        name, histogram = result
        self.histogram = histogram
        size, unit = _duration_unit([_middle(histogram)] if histogram.counts else [])
        self.histogram_plot.setLabel("bottom", f"{unit} to reach {name}")
        if not histogram.counts:
            self.histogram_bars.setOpts(x=[], height=[])
            return
        edges = [e / size for e in histogram.edges]
        width = (edges[1] - edges[0]) or 1.0
        middles = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
        self.histogram_bars.setOpts(x=middles, height=list(histogram.counts), width=width)
        self.histogram_plot.setXRange(edges[0], edges[-1], padding=0.03)
        top = max(*histogram.counts, 1)
        self.histogram_plot.setYRange(0, top * 1.1, padding=0)
        _count_axis(self.histogram_plot, top)

    def _draw_comparison(self, result: Any) -> None:
        names: list[str] = []
        heights: list[list[int]] = []
        for _label, numbers in result:
            stages = [s for s in numbers.stages if s.users is not None]
            names = [s.stage for s in stages]
            heights.append([s.users for s in stages])
        for offset, item, (label, _), values in zip((-0.19, 0.19), self.compare_bars, result,
                                                    heights, strict=True):
            item.setOpts(x=[i + offset for i in range(len(values))], height=values)
            item.setToolTip(label)
        self._stage_ticks(self.compare_plot, names)
        top = max((v for values in heights for v in values), default=0) or 1
        self.compare_plot.setYRange(0, top * 1.15, padding=0)
        _count_axis(self.compare_plot, top)
