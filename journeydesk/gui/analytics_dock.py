"""The analytics dock: charts of the overlay's dataset, drawn with pyqtgraph.

Six views of the numbers behind the data overlay: the funnel (users per stage), conversion by
week, the time it takes to reach a stage, the daily event volume with a draggable date range
that drives the overlay, a segment picker, and two segments side by side.  The funnel comes
from the overlay controller's latest metrics; every other query runs with DuckDB on a worker
thread and comes back through a queued signal, so the window stays responsive.  pyqtgraph is
imported here only, when the dock is created.

Without metrics (the overlay is off) the dock shows an empty state whose button asks the window
to turn the overlay on (:attr:`AnalyticsDock.overlay_requested`).  The charts sit in a scroll
area, so the dock can be short (a 720-pixel projector) without pushing the window off screen.
Colours come from the canvas theme (:meth:`AnalyticsDock.set_theme`).

Every pen drawn in a plot is cosmetic (:func:`_pen`): a plain QPen's width is in data units,
so a 1-unit outline on a bar of users is one *user* thick and the bars melt into polygons.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.metrics import Histogram
from journeydesk.app.session import Document
from journeydesk.gui.background import BackgroundJobs
from journeydesk.gui.canvas.theme import LIGHT, LaneType, Theme, make_pen

DAY = 86400.0
MONDAY = 4  # 5 January 1970, the first Monday after the epoch, in days since the epoch
BLUE = QColor("#3b6fd8")
ORANGE = QColor("#e08a2c")
TEAL = QColor("#2a9d8f")
VOLUME = QColor("#9aa5b8")
SERIES = ["#3b6fd8", "#e08a2c", "#2a9d8f", "#c2417a", "#7b61c9", "#8a9a2b", "#d1495b"]
REGION = QColor(59, 111, 216, 40)
PLOT_MIN_W, PLOT_MIN_H = 200, 120  # small: the grid scrolls rather than the window growing
EMPTY_TEXT = "Charts show the numbers of the data overlay."
COMPUTING_TEXT = "Computing the numbers of the data overlay…"
DAY_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)  # days between date ticks, smallest first
DAY_LABEL_PX = 52  # room for one date label ("30 Sep") and the gap after it


def _day_seconds(day: date) -> float:
    """``day``'s midnight (UTC) in seconds since the epoch: the x of the date axes."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _day_of(seconds: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(round(seconds / DAY)))


def _day_label(day: date) -> str:
    """How both date axes write a day: "1 Sep"."""
    return f"{day.day} {day:%b}"


def _day_ticks(lo: float, hi: float, pixels: float, *,
               weeks: bool = False) -> tuple[float, list[float]]:
    """Midnights between ``lo`` and ``hi`` (seconds) far enough apart for their labels to fit
    in ``pixels``: every day, every other day, or Mondays every week or more (always Mondays
    with ``weeks``).  Returns the spacing and the ticks, in seconds."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return DAY, []
    first, last = math.ceil(lo / DAY), math.floor(hi / DAY)
    if last < first:
        return DAY, []
    fits = max(1, int(pixels // DAY_LABEL_PX))
    span = last - first + 1
    steps = [s for s in DAY_STEPS if s >= 7] if weeks else list(DAY_STEPS)
    step = next((s for s in steps if span / s <= fits), math.ceil(span / fits / 364) * 364)
    if step >= 7:
        first += (MONDAY - first) % 7
    return step * DAY, [d * DAY for d in range(first, last + 1, step)]


def _day_labels(ticks: list[float]) -> list[str]:
    """``_day_label`` of each tick, with the year where it changes ("28 Dec", "4 Jan 2027")."""
    labels: list[str] = []
    year = None
    for x in ticks:
        day = _day_of(x)
        labels.append(_day_label(day) + (f" {day.year}" if year not in (None, day.year) else ""))
        year = day.year
    return labels


@cache
def _day_axis_class() -> type:
    """The date axis of both date charts (built on first use: pyqtgraph loads with the dock)."""
    import pyqtgraph as pg

    class DayAxis(pg.AxisItem):
        """A bottom axis of days written "1 Sep"; ``centre`` puts each tick in the middle of
        its day (under a daily bar), ``weeks`` keeps ticks on Mondays (weekly points)."""

        def __init__(self, *, centre: bool = False, weeks: bool = False):
            super().__init__("bottom")
            self.enableAutoSIPrefix(False)  # seconds since 1970 are not "x1e9"
            self.shift = DAY / 2 if centre else 0.0
            self.weeks = weeks

        def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
            spacing, ticks = _day_ticks(minVal - self.shift, maxVal - self.shift, size,
                                        weeks=self.weeks)
            return [(spacing, [t + self.shift for t in ticks])]

        def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                        spacing: float) -> list[str]:
            return _day_labels([v - self.shift for v in values])

    return DayAxis


def _pen(colour: QColor, width: float) -> QPen:
    """A pen whose width is in pixels whatever the plot's scale (built without keywords)."""
    pen = make_pen(colour, width)
    pen.setCosmetic(True)
    return pen


def _surface(theme: Theme) -> QColor:
    """The fill of the chart cards and plots: the fill of a plain card on the canvas."""
    return QColor(theme.look(LaneType.ACTIONS).fill)


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
    overlay_requested = Signal()  # the empty state's "Turn on data overlay" was clicked

    def __init__(self, document: Document, controller: Any, panel: Any,
                 parent: QWidget | None = None):
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.document = document
        self.controller = controller
        # the data panel: segment choices, and where a new segment or date range goes
        self.panel = panel
        self.theme: Theme = getattr(panel, "theme", None) or LIGHT
        self._tokens: dict[str, int] = {}
        self._choices: list[tuple[str, dict[str, str]]] = []
        self._volume_days: list[date] = []
        self._plots: list[Any] = []
        self.setObjectName("analyticsDock")
        self.setAutoFillBackground(True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)
        self.empty_page = self._empty_state()
        self.pages.addWidget(self.empty_page)
        self.charts_page = QWidget()
        self.pages.addWidget(self.charts_page)

        page = QVBoxLayout(self.charts_page)
        page.setContentsMargins(10, 10, 10, 10)
        page.setSpacing(8)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Segment"))
        self.segment_combo = QComboBox()
        self.segment_combo.setMinimumWidth(160)
        self.segment_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.segment_combo.setMinimumContentsLength(18)
        self.segment_combo.currentIndexChanged.connect(self._on_segment_chosen)
        bar.addWidget(self.segment_combo)
        bar.addSpacing(12)
        self.clear_dates_button = QPushButton("Clear date filter")
        self.clear_dates_button.setToolTip("Count events on every day again")
        self.clear_dates_button.clicked.connect(self.clear_dates)
        bar.addWidget(self.clear_dates_button)
        bar.addSpacing(12)
        self.status = QLabel()
        self.status.setObjectName("status")
        # a long caption is cut, not a reason for the window to grow (the tooltip has it all)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setMinimumWidth(1)
        bar.addWidget(self.status, 1)
        page.addLayout(bar)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("chartsScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        charts = QWidget()
        charts.setObjectName("charts")
        self.scroll.setWidget(charts)
        page.addWidget(self.scroll, 1)
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)

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
            combo.setMinimumWidth(90)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
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
        self.weekly_plot = self._plot(day_axis={"weeks": True})
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
                                              pen=_pen(_surface(self.theme), 1))
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
        self.volume_plot = self._plot(day_axis={"centre": True})
        self.volume_plot.setLabel("left", "Events")
        self.volume_bars = pg.BarGraphItem(x=[], height=[], width=DAY * 0.8, brush=VOLUME,
                                           pen=_pen(VOLUME, 1))
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

        self.set_theme(self.theme)
        self.jobs = BackgroundJobs(self)
        controller.ready.connect(self._on_ready)
        controller.shown_changed.connect(self._show_state)  # off: the dock empties
        self.refresh()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Open at a height that leaves the map most of a small screen (the grid scrolls)."""
        return QSize(super().sizeHint().width(), 300)

    # ------------------------------------------------------------------ building
    def _empty_state(self) -> QWidget:
        page = QWidget()
        page.setObjectName("emptyState")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addStretch(1)
        self.empty_message = QLabel(EMPTY_TEXT)
        self.empty_message.setObjectName("emptyMessage")
        self.empty_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_message.setWordWrap(True)
        layout.addWidget(self.empty_message)
        self.overlay_button = QPushButton("Turn on data overlay")
        self.overlay_button.setToolTip("Show the numbers of an imported event log on the map "
                                       "and here (View > Data overlay)")
        self.overlay_button.clicked.connect(self.overlay_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.overlay_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _plot(self, *, day_axis: dict[str, bool] | None = None) -> Any:
        pg = self._pg
        axes = {"bottom": _day_axis_class()(**day_axis)} if day_axis is not None else {}
        plot = pg.PlotWidget(axisItems=axes)
        plot.setMinimumSize(PLOT_MIN_W, PLOT_MIN_H)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        plot.showGrid(x=False, y=True, alpha=1.0)  # the grid's colour is the theme's
        font = QFont()
        font.setPixelSize(11)
        for name in ("left", "bottom"):
            plot.getAxis(name).setTickFont(font)
        left = plot.getAxis("left")
        left.setWidth(52)
        left.setZValue(-200)  # below the view box (-100): grid lines behind the bars
        self._plots.append(plot)
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
        sub.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        sub.setMinimumWidth(1)
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

    # ------------------------------------------------------------------ theme
    def set_theme(self, theme: Theme) -> None:
        """Paint the dock, its cards and its charts in the canvas theme ``theme``."""
        self.theme = theme
        surface = _surface(theme)
        self.setStyleSheet(
            f"#analyticsDock, #charts, #emptyState {{ background: {theme.background.name()}; }}"
            "#chartsScroll { background: transparent; border: none; }"
            f"QFrame#card {{ background: {surface.name()}; border: 1px solid "
            f"{theme.grid.name()}; border-radius: 6px; }}"
            f"QLabel#title {{ color: {theme.text.name()}; font-weight: 600; font-size: 14px; }}"
            f"QLabel#hint {{ color: {theme.muted_text.name()}; font-size: 12px; }}"
            f"QLabel#status {{ color: {theme.muted_text.name()}; }}"
            f"QLabel#emptyMessage {{ color: {theme.text.name()}; font-size: 15px; }}")
        self.scroll.viewport().setAutoFillBackground(False)
        for plot in self._plots:
            plot.setBackground(surface)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(_pen(theme.card_border, 1))  # the axis line
                axis.setTickPen(_pen(theme.grid, 1))  # ticks, and the grid lines they extend
                axis.setTextPen(_pen(theme.text, 1))  # tick labels (and, for now, the title)
                text, units = axis.labelText, axis.labelUnits
                axis.setLabel(text or None, units=units or None,
                              color=theme.muted_text.name(), **{"font-size": "12px"})
        for label in self._funnel_labels:
            label.setColor(theme.text)
        self.histogram_bars.setOpts(pen=_pen(surface, 1))  # a gap between touching bins
        for line in self.weekly_lines.values():
            line.setSymbolPen(_pen(surface, 1))

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
            self._set_status(str(exc).splitlines()[0])
            return None

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)

    def _show_state(self, *_: object) -> None:
        """The charts when there are metrics, else the empty state (or "computing")."""
        overlay_on = self.controller.shown
        has_metrics = overlay_on and self.controller.metrics is not None
        computing = overlay_on and self.controller.metrics is None
        self.empty_message.setText(COMPUTING_TEXT if computing else EMPTY_TEXT)
        self.overlay_button.setVisible(not computing)
        self.pages.setCurrentWidget(self.charts_page if has_metrics else self.empty_page)
        self.clear_dates_button.setEnabled(
            self.controller.date_from is not None or self.controller.date_to is not None)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Refill the segment and stage lists and recompute every chart."""
        self._show_state()
        self._fill_segments()
        self._fill_stages()
        if self.controller.metrics is not None:
            self._draw_funnel(self.controller.metrics)
        self._compute_series()
        self._compute_histogram()
        self._compute_comparison()

    def _fill_segments(self) -> None:
        self._choices = list(self.panel.segment_choices())
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
            self.panel.set_overlay_segment(self._choices[index][1])

    def _on_region_finished(self, *_: object) -> None:
        lo, hi = self.region.getRegion()
        date_from = _day_of(lo)
        date_to = max(date_from, _day_of(hi) - timedelta(days=1))
        self._set_region(date_from, date_to)
        self.panel.set_overlay_dates(date_from, date_to)
        self._show_state()

    def clear_dates(self) -> None:
        """Count events on every day again."""
        self.panel.set_overlay_dates(None, None)
        self._show_dates()
        self._show_state()

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
            self._set_status(f"Could not compute the charts: {error}")
            return
        {"series": self._draw_series, "histogram": self._draw_histogram,
         "compare": self._draw_comparison}[kind](result)
        self.updated.emit(kind)

    def _filters(self) -> dict[str, Any]:
        return {"date_from": self.controller.date_from, "date_to": self.controller.date_to}

    def _compute_series(self) -> None:
        from journeydesk.app.metrics import daily_volume, weekly_conversion

        parquet = self._parquet()
        if parquet is None:
            return
        stages, where, dates = self._stages(), dict(self.controller.segment) or None, \
            self._filters()
        self._run("series", lambda: (daily_volume(parquet, where=where),
                                     weekly_conversion(parquet, stages, where=where, **dates)))

    def _compute_histogram(self, *_: object) -> None:
        from journeydesk.app.metrics import time_to_next_histogram

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
        from journeydesk.app.metrics import funnel

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
        self._show_state()
        self._fill_segments()  # the dock may have opened before the overlay had a map
        self._fill_stages()
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
            label = pg.TextItem(text, color=self.theme.text, anchor=(0.5, 1.0))
            label.setPos(i, s["users"] + top * 0.02)
            self.funnel_plot.addItem(label)
            self._funnel_labels.append(label)
        self._stage_ticks(self.funnel_plot, [s["stage"] for s in stages])
        self.funnel_plot.setYRange(0, top * 1.25, padding=0)  # room for the top label
        _count_axis(self.funnel_plot, top)
        segment = ", ".join(f"{k} = {v}" for k, v in self.controller.segment.items())
        caption = f"{metrics.get('dataset', '')} · {segment or 'all users'} · " \
                  f"{metrics.get('users_total', 0):,} users"
        if self.controller.date_from or self.controller.date_to:
            caption += " · " + " to ".join(
                d.isoformat() if d else "…"
                for d in (self.controller.date_from, self.controller.date_to))
        self._set_status(caption)
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
        surface = _surface(self.theme)
        for i, (stage, points) in enumerate(weekly.items()):
            colour = QColor(SERIES[i % len(SERIES)])
            x = np.array([_day_seconds(w) for w, _ in points], dtype=float)
            y = np.array([np.nan if v is None else v * 100 for _, v in points], dtype=float)
            line = self.weekly_plot.plot(
                x, y, pen=_pen(colour, 2), connect="finite", symbol="o", symbolSize=6,
                symbolBrush=colour, symbolPen=_pen(surface, 1), name=stage)
            self.weekly_lines[stage] = line
            legend.append(f'<span style="color:{colour.name()}; font-size:16px">&#9679;</span>'
                          f'&nbsp;{html.escape(stage)}')
        self.weekly_legend.setText("&nbsp;&nbsp;&nbsp;".join(legend) or "Bind two stages to "
                                   "see their conversion by week")
        weeks = [w for points in weekly.values() for w, _ in points]
        if weeks:  # the axis puts its ticks on Mondays, the weeks' first days
            lo, hi = _day_seconds(min(weeks)), _day_seconds(max(weeks))
            self.weekly_plot.setXRange(lo - 3 * DAY, hi + 3 * DAY, padding=0)
        self.weekly_plot.setYRange(0, 100, padding=0.04)

    def _draw_histogram(self, result: Any) -> None:
        name, histogram = result
        self.histogram = histogram
        size, unit = _duration_unit([_middle(histogram)] if histogram.counts else [])
        self.histogram_plot.setLabel("bottom", f"{unit.capitalize()} to reach {name}")
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
