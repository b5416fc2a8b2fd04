"""The analytics dock: charts of the overlay's dataset, drawn with pyqtgraph.

Six views of the numbers behind the data overlay: the funnel (users per stage), conversion by
week, the time it takes to reach a stage, the daily event volume with a draggable date range
that drives the overlay, a segment picker, and two segments compared stage by stage (conversion
with its n and whether the difference is real).  The funnel comes from the overlay controller's
latest metrics; every other chart is a query on a worker thread (:mod:`.background`), so the
window stays responsive.  pyqtgraph is imported here only, when the dock is created.

**Each chart is computed once per change of what it shows.**  A chart's *key* is everything
its numbers depend on (the data, the stages and their bindings, the segment, the dates, the
chosen stage or segments); asking again with the same key does nothing, so opening the dock,
showing it, a new overlay result with the same inputs, or a card edit cost no query.  The charts
wait for the overlay's own numbers (they are computed after it, not against it), and a hidden
dock computes nothing.  A newer request supersedes an older one of the same chart: a request
that has not started yet is replaced, a running one is cancelled (a database source's query is
interrupted; a local DuckDB query cannot be yet, so it runs out and its result is dropped), and
at most one query per chart runs at a time.  Results are drawn only when they are the latest.

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
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
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

from journeydesk.app.event_data import was_cancelled
from journeydesk.app.metrics import Histogram
from journeydesk.app.session import Document
from journeydesk.app.significance import REAL, TOO_FEW, StageTest, compare_stages
from journeydesk.app.text import format_duration
from journeydesk.gui.background import BackgroundJobs, Job
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
KINDS = ("volume", "weekly", "histogram", "compare")  # the charts computed off the GUI thread
LOG_DECADES = 1.5  # bins spanning more than this many powers of ten are drawn on a log axis
DURATION_LABEL_PX = 56  # room for one duration label ("30 min") and the gap after it
# durations a log axis may put a tick on, in seconds: readable round numbers of each unit
DURATION_TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
                  6 * 3600, 12 * 3600, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
                  60 * DAY, 90 * DAY, 182 * DAY, 365 * DAY, 730 * DAY)
INCOMPLETE_TEXT = ("Hollow points: the last week may be incomplete (its users may still "
                   "convert)")
ERROR_TEXT = {"light": "#b42318", "dark": "#ff9b91"}  # a chart's "could not compute" line
COMPARE_LABELS_PX = 36  # above a 100 % bar: its label and the verdict, in pixels
VERDICT_SHORT = {REAL: "real difference", TOO_FEW: "too few users"}  # else "could be chance"


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


# --------------------------------------------------------------------------- durations
def _duration_unit(median: float | None) -> tuple[float, str]:
    """The unit durations around ``median`` (seconds) read best in: the largest unit the
    median has at least one of (seconds, minutes, hours or days)."""
    for size, name in ((DAY, "days"), (3600.0, "hours"), (60.0, "minutes")):
        if median is not None and median >= size:
            return size, name
    return 1.0, "seconds"


def _log_spaced(edges: Sequence[float]) -> bool:
    """Whether histogram ``edges`` grow by a constant factor (a first edge of 0 allowed: the
    bin of the durations below the smallest positive one)."""
    positive = list(edges[1:]) if edges and edges[0] == 0 else list(edges)
    if len(positive) < 3 or positive[0] <= 0:
        return False
    ratios = [b / a for a, b in zip(positive[:-1], positive[1:], strict=True)]
    return ratios[0] > 1.0001 and all(abs(r / ratios[0] - 1) < 1e-3 for r in ratios)


def _log_positions(edges: Sequence[float]) -> list[float]:
    """The x of log-spaced ``edges`` on a log axis (log10 of seconds); an edge of 0 sits one
    bin to the left of the next edge."""
    xs = [math.log10(e) if e > 0 else math.nan for e in edges]
    if edges and edges[0] <= 0 and len(xs) > 2:
        xs[0] = 2 * xs[1] - xs[2]
    return xs


def _grouped_median(histogram: Histogram) -> float | None:
    """The median read off the bins (interpolated inside the bin holding it; geometrically
    in log-spaced bins): enough to choose a unit when the exact one is not known."""
    if not histogram.counts or histogram.total == 0:
        return None
    log = _log_spaced(histogram.edges)
    half, seen = histogram.total / 2, 0
    for i, count in enumerate(histogram.counts):
        if count and seen + count >= half:
            lo, hi = histogram.edges[i], histogram.edges[i + 1]
            share = (half - seen) / count
            if log and lo > 0:
                return lo * (hi / lo) ** share
            return lo + (hi - lo) * share
        seen += count
    return histogram.edges[-1]


def _duration_tick(seconds: float) -> str:
    """A round duration as a tick label: "30 s", "5 min", "2 h", "3 d"."""
    for size, unit in ((DAY, "d"), (3600.0, "h"), (60.0, "min")):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def _duration_ticks(lo: float, hi: float, pixels: float) -> list[float]:
    """Round durations (log10 of seconds) between ``lo`` and ``hi`` whose labels fit in
    ``pixels``: every other one, every third... of :data:`DURATION_TICKS` as needed."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    inside = [math.log10(t) for t in DURATION_TICKS if lo <= math.log10(t) <= hi]
    fits = max(1, int(pixels // DURATION_LABEL_PX))
    step = 1
    while len(inside[::step]) > fits:
        step += 1
    return inside[::step]


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


@cache
def _duration_axis_class() -> type:
    """The histogram's bottom axis: plain numbers in one unit, or round durations on a log
    scale ("1 min", "1 h", "1 d")."""
    import pyqtgraph as pg

    class DurationAxis(pg.AxisItem):
        """Linear: numbers in the unit the title names.  ``log``: x is log10(seconds) and
        the ticks are round durations with their own units."""

        def __init__(self) -> None:
            super().__init__("bottom")
            self.enableAutoSIPrefix(False)
            self.log = False
            # on a log axis, the bin of 0 s: (its middle, its right edge), or None
            self.zero: tuple[float, float] | None = None

        def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
            if not self.log:
                return super().tickValues(minVal, maxVal, size)
            if self.zero is None:
                return [(1.0, _duration_ticks(minVal, maxVal, size))]
            middle, right = self.zero
            rest = _duration_ticks(right, maxVal, size - DURATION_LABEL_PX)
            return [(1.0, [middle, *rest])]

        def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                        spacing: float) -> list[str]:
            if not self.log:
                return super().tickStrings(values, scale, spacing)
            zero = self.zero[0] if self.zero is not None else None
            # each tick is one of DURATION_TICKS: name that one (10 ** log10(86400) < 86400)
            return ["0 s" if v == zero else
                    _duration_tick(min(DURATION_TICKS, key=lambda t, v=v: abs(math.log10(t) - v)))
                    for v in values]

    return DurationAxis


def _pen(colour: QColor, width: float, style: Qt.PenStyle | None = None) -> QPen:
    """A pen whose width is in pixels whatever the plot's scale (built without keywords)."""
    pen = make_pen(colour, width)
    pen.setCosmetic(True)
    if style is not None:
        pen.setStyle(style)
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


def _weekly_point(point: Sequence[Any]) -> tuple[date, float | None, int | None]:
    """A point of the weekly conversion: (Monday, conversion, n); n (the users entering that
    week) is None when the series does not give it."""
    n = point[2] if len(point) > 2 else getattr(point, "n", None)
    return point[0], point[1], None if n is None else int(n)


@dataclass
class _Slot:
    """One chart's background work: the key of what it shows or is computing, the token of
    the latest request, the job running (one at a time) and the newest request waiting."""

    key: Any = None
    token: int = 0
    job: Job | None = None
    job_token: int | None = None
    pending: Callable[[], None] | None = None


@dataclass(frozen=True)
class _Inputs:
    """What the charts are computed from, read on the GUI thread."""

    data: Any  # a Parquet path, or a database source's view
    ident: tuple[str, str]  # the data's identity in a key (a file, or a source's name)
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    segment: tuple[tuple[str, str], ...]
    dates: tuple[date | None, date | None]

    @property
    def stage_list(self) -> list[tuple[str, list[str]]]:
        return [(name, list(events)) for name, events in self.stages]

    @property
    def where(self) -> dict[str, str] | None:
        return dict(self.segment) or None

    @property
    def filters(self) -> dict[str, Any]:
        return {"date_from": self.dates[0], "date_to": self.dates[1]}


class AnalyticsDock(QWidget):
    """Charts of the data overlay's dataset; drives the overlay's segment and dates."""

    # a chart was redrawn: "funnel", "volume", "weekly", "histogram", "compare"
    updated = Signal(str)
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
        self._slots = {kind: _Slot() for kind in KINDS}
        self.errors: dict[str, QLabel] = {}  # chart -> why it could not be computed
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

        # (f) two segments compared: conversion from the previous stage, n, significance
        self.compare_a = QComboBox()
        self.compare_b = QComboBox()
        for combo in (self.compare_a, self.compare_b):
            combo.setMinimumWidth(90)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.currentIndexChanged.connect(self._compute_comparison)
        self.compare_plot = self._plot()
        self.compare_plot.setLabel("left", "Conversion", units="%")
        self.compare_bars = (
            pg.BarGraphItem(x=[], height=[], width=0.36, brush=BLUE, pen=_pen(BLUE, 1)),
            pg.BarGraphItem(x=[], height=[], width=0.36, brush=ORANGE,
                            pen=_pen(ORANGE, 1)))
        for item in self.compare_bars:
            self.compare_plot.addItem(item)
        self.compare_plot.getAxis("bottom").setHeight(40)  # two lines: the stage, its n
        self.compare_plot.getAxis("bottom").setTicks([[]])
        # the labels above the bars keep their room in pixels when the dock is resized
        self.compare_plot.getPlotItem().getViewBox().sigResized.connect(self._fit_comparison)
        self._compare_labels: list[Any] = []
        self.comparison: list[StageTest] = []  # the stages compared on show
        self._compare_names = ("", "")  # the two segments' labels
        controls = QHBoxLayout()
        controls.addWidget(self._swatch(BLUE))
        controls.addWidget(self.compare_a, 1)
        versus = QLabel("vs")
        versus.setObjectName("hint")
        controls.addWidget(versus)
        controls.addWidget(self._swatch(ORANGE))
        controls.addWidget(self.compare_b, 1)
        self.compare_note = QLabel()
        self.compare_note.setObjectName("hint")
        self.compare_note.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        self.compare_note.setMinimumWidth(1)
        grid.addWidget(self._card("Compare segments",
                                  "Conversion from the previous stage, same dates",
                                  self.compare_plot, controls, self.compare_note,
                                  kind="compare"), 0, 1)

        # (b) conversion by week
        self.weekly_plot = self._plot(day_axis={"weeks": True})
        self.weekly_plot.setLabel("left", "Conversion", units="%")
        self.weekly_plot.setYRange(0, 100, padding=0.04)
        self.weekly_lines: dict[str, Any] = {}  # stage -> its line
        self.weekly_points: dict[str, Any] = {}  # stage -> its points (tooltips: n)
        self._weekly_items: list[Any] = []
        self._weekly_result: dict[str, list[Sequence[Any]]] | None = None
        self.weekly_legend = QLabel()
        self.weekly_legend.setObjectName("hint")
        self.weekly_legend.setSizePolicy(QSizePolicy.Policy.Ignored,
                                         QSizePolicy.Policy.Preferred)
        self.weekly_legend.setMinimumWidth(1)
        self.weekly_note = QLabel()
        self.weekly_note.setObjectName("hint")
        self.weekly_note.setSizePolicy(QSizePolicy.Policy.Ignored,
                                       QSizePolicy.Policy.Preferred)
        self.weekly_note.setMinimumWidth(1)
        controls = QHBoxLayout()
        controls.addWidget(self.weekly_legend, 1)
        grid.addWidget(self._card("Conversion by week",
                                  "From the previous stage, by week of entry",
                                  self.weekly_plot, controls, self.weekly_note,
                                  kind="weekly"), 1, 0)

        # (c) time to reach a stage
        self.stage_combo = QComboBox()
        self.stage_combo.currentIndexChanged.connect(self._compute_histogram)
        self.histogram_plot = self._plot(duration_axis=True)
        self.histogram_plot.setLabel("left", "Users")
        self.histogram_bars = pg.BarGraphItem(x=[], height=[], width=1, brush=TEAL,
                                              pen=_pen(_surface(self.theme), 1))
        self.histogram_plot.addItem(self.histogram_bars)
        self.median_line = pg.InfiniteLine(angle=90, movable=False,
                                           pen=_pen(self.theme.text, 1, Qt.PenStyle.DashLine),
                                           label="", labelOpts={"position": 0.92,
                                                                "anchors": [(0, 0.5),
                                                                            (0, 0.5)]})
        self.median_line.setZValue(20)
        self.median_line.setVisible(False)
        self.histogram_plot.addItem(self.median_line)
        self.histogram: Histogram = Histogram([], [])  # the time-to-next chart on show
        self.histogram_median: float | None = None  # its median, in seconds
        controls = QHBoxLayout()
        label = QLabel("Stage")
        label.setObjectName("hint")
        controls.addWidget(label)
        controls.addWidget(self.stage_combo, 1)
        grid.addWidget(self._card("Time to reach stage", "From the previous stage",
                                  self.histogram_plot, controls, kind="histogram"), 1, 1)

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
                                  self.volume_plot, kind="volume"), 2, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)

        self.set_theme(self.theme)
        self.jobs = BackgroundJobs(self)
        self._connect_signals()
        self.refresh()
        app = QCoreApplication.instance()
        if app is not None:  # quitting: nothing waiting starts, what runs is cancelled
            app.aboutToQuit.connect(self.close_dock)

    def _connect_signals(self) -> None:
        self.controller.ready.connect(self._on_ready)
        self.controller.started.connect(self._on_started)
        self.controller.shown_changed.connect(self._on_shown_changed)  # off: the dock empties

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

    def _plot(self, *, day_axis: dict[str, bool] | None = None,
              duration_axis: bool = False) -> Any:
        pg = self._pg
        axes = {"bottom": _day_axis_class()(**day_axis)} if day_axis is not None else {}
        if duration_axis:
            axes = {"bottom": _duration_axis_class()()}
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
              controls: QHBoxLayout | None = None, note: QLabel | None = None, *,
              kind: str | None = None) -> QFrame:
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
        sub.setToolTip(hint)
        head.addWidget(sub, 1)
        layout.addLayout(head)
        if controls is not None:
            layout.addLayout(controls)
        if kind is not None:  # why the chart could not be computed (hidden until then)
            error = QLabel()
            error.setObjectName("chartError")
            error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            error.setMinimumWidth(1)
            error.hide()
            self.errors[kind] = error
            layout.addWidget(error)
        layout.addWidget(body, 1)
        if note is not None:
            layout.addWidget(note)
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
        error = ERROR_TEXT.get(theme.name, ERROR_TEXT["light"])
        self.setStyleSheet(
            f"QLabel {{ color: {theme.text.name()}; }}"  # also outside the app's palette
            f"#analyticsDock, #charts, #emptyState {{ background: {theme.background.name()}; }}"
            "#chartsScroll { background: transparent; border: none; }"
            f"QFrame#card {{ background: {surface.name()}; border: 1px solid "
            f"{theme.grid.name()}; border-radius: 6px; }}"
            f"QLabel#title {{ color: {theme.text.name()}; font-weight: 600; font-size: 14px; }}"
            f"QLabel#hint {{ color: {theme.muted_text.name()}; font-size: 12px; }}"
            f"QLabel#status {{ color: {theme.muted_text.name()}; }}"
            f"QLabel#chartError {{ color: {error}; font-size: 12px; }}"
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
        self.median_line.setPen(_pen(theme.text, 1, Qt.PenStyle.DashLine))
        self.median_line.label.setColor(theme.text)
        self.median_line.label.fill = self._pg.mkBrush(surface)  # readable over the bars
        self.median_line.label.update()
        if self._weekly_result is not None:  # the points' outlines are the surface's
            self._draw_weekly(self._weekly_result)
        if self.comparison:
            self._label_comparison()

    # ------------------------------------------------------------------ state
    def _map(self) -> Any:
        return self.document.workspace.maps.get(self.controller.map_id or "")

    def _stages(self) -> list[tuple[str, list[str]]]:
        m = self._map()
        return [(s.name, list(s.events)) for s in m.stages] if m is not None else []

    def _parquet(self) -> Any:
        """The event data on show: a Parquet path, or a new view of the session's database
        source (one per job, so that each can be cancelled on its own)."""
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
        """Refill the segment and stage lists, draw the funnel and compute the charts whose
        inputs changed (nothing is computed twice for the same inputs)."""
        self._show_state()
        self._fill_segments()
        self._fill_stages()
        if self.controller.metrics is not None:
            self._draw_funnel(self.controller.metrics)
        self._compute_charts()

    def busy(self) -> bool:
        """Whether a chart is being computed or waits to be."""
        return any(slot.job is not None or slot.pending is not None
                   for slot in self._slots.values())

    def close_dock(self) -> None:
        """Stop for good (the window is closing): cancel every chart's work and deliver
        nothing more.  A local DuckDB query still runs out on its worker, which Python joins
        before it exits."""
        self._cancel(KINDS)
        self.jobs.shutdown()

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
    def _overlay_current(self) -> bool:
        """Whether the overlay's numbers on show are those of its current settings (the
        charts are computed after them, never against them)."""
        c = self.controller
        result = getattr(c, "result", None)
        return (c.shown and result is not None and result.dataset == c.dataset
                and result.map_id == c.map_id and result.options == c.options())

    def _inputs(self, *, waiting: bool = True) -> _Inputs | None:
        """What the charts would be computed from now; None when there is nothing to compute
        (``waiting``: also while the dock is hidden or the overlay's numbers are not there)."""
        if waiting and not (self.isVisible() and self._overlay_current()):
            return None
        data = self._parquet()
        if data is None:
            return None
        local = isinstance(data, str | os.PathLike)
        ident = ("file", os.fspath(data)) if local else ("source", self.controller.dataset)
        return _Inputs(data, ident,
                       tuple((name, tuple(events)) for name, events in self._stages()),
                       tuple(sorted(self.controller.segment.items())),
                       (self.controller.date_from, self.controller.date_to))

    def _keys(self, inputs: _Inputs) -> dict[str, Any]:
        """Each chart's key: everything its numbers depend on."""
        segments = self._compare_segments()
        return {
            "volume": (inputs.ident, inputs.segment),
            "weekly": (inputs.ident, inputs.stages, inputs.segment, inputs.dates),
            "histogram": (inputs.ident, inputs.stages, inputs.segment, inputs.dates,
                          self.stage_combo.currentData()),
            "compare": (inputs.ident, inputs.stages, inputs.dates,
                        tuple(tuple(sorted(s.items())) for _, s in segments or ())),
        }

    def _data_for_job(self, inputs: _Inputs) -> Any:
        """The data one job computes over: the Parquet file, or a new view of the database
        source (a view per job, so that cancelling one stops only its query)."""
        if inputs.ident[0] == "file":
            return inputs.data
        return self._parquet()

    def _request(self, kind: str, key: Any, work: Callable[[Any], Any],
                 data: Callable[[], Any]) -> bool:
        """Compute chart ``kind`` for ``key`` with ``work(data)`` unless it already shows or
        computes that key.  A running older computation is cancelled and this one waits for
        its worker; an older one still waiting is replaced."""
        slot = self._slots[kind]
        if key == slot.key:
            return False
        slot.key = key
        slot.token += 1
        start = partial(self._start, kind, slot.token, work, data)
        if slot.job is not None:  # one worker per chart: the newest request waits for it
            slot.job.cancel()
            slot.pending = start
        else:
            slot.pending = None
            start()
        return True

    def _start(self, kind: str, token: int, work: Callable[[Any], Any],
               data: Callable[[], Any]) -> None:
        slot = self._slots[kind]
        source = data()
        if source is None:
            slot.key = None
            return
        cancel = getattr(source, "cancel", None)  # a database view: interrupts its query
        slot.job_token = token
        slot.job = self.jobs.submit(partial(work, source),
                                    partial(self._on_delivered, kind, token),
                                    name=f"journeydesk-analytics-{kind}",
                                    cancel=cancel if callable(cancel) else None)

    def _on_delivered(self, kind: str, token: int, result: object, error: object) -> None:
        slot = self._slots[kind]
        if token == slot.job_token:
            slot.job, slot.job_token = None, None
            if slot.pending is not None:  # the worker is free: start the newest request
                start, slot.pending = slot.pending, None
                start()
        if token != slot.token:
            return  # an older computation finished after a newer one was asked for
        if error is not None:
            self._show_error(kind, error)
            return
        self._show_error(kind, None)
        {"volume": self._draw_volume, "weekly": self._draw_weekly,
         "histogram": self._draw_histogram, "compare": self._draw_comparison}[kind](result)
        self.updated.emit(kind)

    def _show_error(self, kind: str, error: object) -> None:
        """Say in the chart's card why it could not be computed (None: hide that).  A
        cancelled query is no error: it is asked for again at the next request; any other
        error stands until the chart's inputs change."""
        label = self.errors[kind]
        if error is None:
            label.hide()
            return
        if isinstance(error, BaseException) and was_cancelled(error):
            self._slots[kind].key = None
            return
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        label.setText(f"⚠ Could not compute this chart: {text}")
        label.setToolTip(str(error))
        label.show()
        # no numbers of other inputs next to the message
        if kind == "volume":
            self._draw_volume([])
        elif kind == "weekly":
            self._draw_weekly({})
        elif kind == "histogram":
            self._draw_histogram((self.stage_combo.currentText(), Histogram([], []), None))
        else:
            self._draw_comparison([])

    def _cancel(self, kinds: Sequence[str]) -> None:
        """Forget the charts ``kinds``' requests: nothing waiting starts, what runs is
        cancelled and its result dropped."""
        for kind in kinds:
            slot = self._slots[kind]
            slot.key = None
            slot.token += 1
            slot.pending = None
            if slot.job is not None:
                slot.job.cancel()

    def _on_started(self, *_: object) -> None:
        """The overlay recomputes: cancel the charts whose inputs have changed now rather
        than when its numbers are there (their new requests follow them)."""
        inputs = self._inputs(waiting=False)
        if inputs is None:
            self._cancel(KINDS)
            return
        keys = self._keys(inputs)
        self._cancel([kind for kind in KINDS
                      if self._slots[kind].key not in (None, keys[kind])])

    def _on_shown_changed(self, shown: bool) -> None:
        if not shown:
            self._cancel(KINDS)
        self._show_state()

    def _compute_charts(self) -> None:
        inputs = self._inputs()
        if inputs is None:
            return
        self._compute_volume(inputs)
        self._compute_weekly(inputs)
        self._compute_histogram(inputs=inputs)
        self._compute_comparison(inputs=inputs)

    def _compute_volume(self, inputs: _Inputs) -> None:
        from journeydesk.app.metrics import daily_volume

        where = inputs.where
        self._request("volume", self._keys(inputs)["volume"],
                      lambda data: daily_volume(data, where=where),
                      partial(self._data_for_job, inputs))

    def _compute_weekly(self, inputs: _Inputs) -> None:
        from journeydesk.app.metrics import weekly_conversion

        stages, where, dates = inputs.stage_list, inputs.where, inputs.filters
        self._request("weekly", self._keys(inputs)["weekly"],
                      lambda data: weekly_conversion(data, stages, where=where, **dates),
                      partial(self._data_for_job, inputs))

    def _compute_histogram(self, *_: object, inputs: _Inputs | None = None) -> None:
        from journeydesk.app.metrics import time_to_next_histogram

        inputs = inputs or self._inputs()
        index = self.stage_combo.currentData()
        if inputs is None or index is None:
            return
        stages, where, dates = inputs.stage_list, inputs.where, inputs.filters
        name = self.stage_combo.currentText()
        median = self._known_median(name, inputs)
        self._request("histogram", self._keys(inputs)["histogram"],
                      lambda data: (name, time_to_next_histogram(
                          data, stages, index, where=where, **dates), median),
                      partial(self._data_for_job, inputs))

    def _known_median(self, stage: str, inputs: _Inputs) -> float | None:
        """The overlay's median time to ``stage`` when its numbers were computed with exactly
        the options the histogram is (not when the overlay has more, such as a conversion
        window the charts are not given), or None."""
        from journeydesk.app.metrics import MetricsOptions

        result = self.controller.result
        same = MetricsOptions.make(*inputs.dates, dict(inputs.segment))
        if not self._overlay_current() or result.options != same:
            return None
        for entry in (self.controller.metrics or {}).get("stages", []):
            if entry.get("stage") == stage:
                return entry.get("median_seconds_from_previous")
        return None

    def _compare_segments(self) -> list[tuple[str, dict[str, str]]] | None:
        a, b = self.compare_a.currentIndex(), self.compare_b.currentIndex()
        if not (0 <= a < len(self._choices) and 0 <= b < len(self._choices)):
            return None
        return [self._choices[a], self._choices[b]]

    def _compute_comparison(self, *_: object, inputs: _Inputs | None = None) -> None:
        from journeydesk.app.metrics import funnel

        inputs = inputs or self._inputs()
        picked = self._compare_segments()
        if inputs is None or picked is None:
            return
        stages, dates = inputs.stage_list, inputs.filters

        def work(data: Any) -> list[tuple[str, Any]]:
            return [(label, funnel(data, stages, where=segment or None, **dates))
                    for label, segment in picked]

        self._request("compare", self._keys(inputs)["compare"], work,
                      partial(self._data_for_job, inputs))

    # ------------------------------------------------------------------ drawing
    def _on_ready(self, _overlay: object, metrics: dict[str, Any]) -> None:
        self._show_state()
        self._fill_segments()  # the dock may have opened before the overlay had a map
        self._fill_stages()
        self._draw_funnel(metrics)
        self._compute_charts()

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

    def _draw_volume(self, volume: list[tuple[date, int]]) -> None:
        self._volume_days = [d for d, _ in volume]
        xs = [_day_seconds(d) + DAY / 2 for d, _ in volume]
        heights = [n for _, n in volume]
        self.volume_bars.setOpts(x=xs, height=heights)
        if xs:
            self.volume_plot.setXRange(xs[0] - DAY, xs[-1] + DAY, padding=0.01)
            self.volume_plot.setYRange(0, max(heights) * 1.1, padding=0)
            _count_axis(self.volume_plot, max(heights))
        self._show_dates()

    def _draw_weekly(self, weekly: dict[str, list[Sequence[Any]]]) -> None:
        """One line per stage; each point's tooltip gives its week, conversion and n (the
        users entering that week, when the series gives it).  The last week may still be
        open (its users have had less time to convert): its point is hollow and the line to
        it dashed."""
        import numpy as np

        pg = self._pg
        self._weekly_result = weekly
        for item in self._weekly_items:
            self.weekly_plot.removeItem(item)
        self._weekly_items = []
        self.weekly_lines = {}
        self.weekly_points = {}
        legend = []
        surface = _surface(self.theme)
        for i, (stage, raw) in enumerate(weekly.items()):
            colour = QColor(SERIES[i % len(SERIES)])
            points = [_weekly_point(p) for p in raw]
            x = np.array([_day_seconds(w) for w, _, _ in points], dtype=float)
            y = np.array([np.nan if v is None else v * 100 for _, v, _ in points], dtype=float)
            done = len(points) - 1  # the complete weeks: all but the last
            line = self.weekly_plot.plot(x[:done] if done > 1 else x[:0],
                                         y[:done] if done > 1 else y[:0],
                                         pen=_pen(colour, 2), connect="finite")
            self._weekly_items.append(line)
            known = [j for j in range(done) if not math.isnan(y[j])]
            if done >= 1 and known and not math.isnan(y[done]):
                j = known[-1]  # the last complete week with a value, to the open one
                tail = self.weekly_plot.plot(x[[j, done]], y[[j, done]],
                                             pen=_pen(colour, 2, Qt.PenStyle.DashLine))
                self._weekly_items.append(tail)
            tips = [self._weekly_tip(stage, w, v, n, last=k == done)
                    for k, (w, v, n) in enumerate(points)]
            keep = ~np.isnan(y)
            brushes = [pg.mkBrush(surface if k == done else colour)
                       for k in range(len(points)) if keep[k]]
            pens = [_pen(colour, 2) if k == done else _pen(surface, 1)
                    for k in range(len(points)) if keep[k]]
            scatter = pg.ScatterPlotItem(
                x=x[keep], y=y[keep], size=7, brush=brushes, pen=pens,
                data=[t for t, k in zip(tips, keep, strict=True) if k], hoverable=True,
                tip=lambda x, y, data: data, name=stage)
            scatter.setZValue(5)
            self.weekly_plot.addItem(scatter)
            self._weekly_items.append(scatter)
            self.weekly_lines[stage] = line
            self.weekly_points[stage] = scatter
            legend.append(f'<span style="color:{colour.name()}; font-size:16px">&#9679;</span>'
                          f'&nbsp;{html.escape(stage)}')
        self.weekly_legend.setText("&nbsp;&nbsp;&nbsp;".join(legend) or "Bind two stages to "
                                   "see their conversion by week")
        weeks = [_weekly_point(p)[0] for points in weekly.values() for p in points]
        self.weekly_note.setText(INCOMPLETE_TEXT if weeks else "")
        self.weekly_note.setToolTip(
            "A user counts in the week they entered the funnel; those who entered in the last "
            "week have had less time to go on, so its conversion may still rise." if weeks
            else "")
        if weeks:  # the axis puts its ticks on Mondays, the weeks' first days
            lo, hi = _day_seconds(min(weeks)), _day_seconds(max(weeks))
            self.weekly_plot.setXRange(lo - 3 * DAY, hi + 3 * DAY, padding=0)
        self.weekly_plot.setYRange(0, 100, padding=0.04)

    @staticmethod
    def _weekly_tip(stage: str, week: date, value: float | None, n: int | None, *,
                    last: bool) -> str:
        text = f"{stage}, week of {_day_label(week)} {week.year}: "
        if value is None:
            text += "nobody reached the previous stage"
        else:
            text += f"{value:.0%}"
            if n is not None:
                text += f" of {n:,} user{'s' if n != 1 else ''} entering that week"
        if last:
            text += "\n(the last week: it may be incomplete)"
        return text

    def _draw_histogram(self, result: Any) -> None:
        """Bins as the series gives them: a log axis when they are log-spaced and span
        more than 1.5 decades, else a linear one in the unit the median reads best in."""
        name, histogram, median = result
        self.histogram = histogram
        if median is None:
            median = getattr(histogram, "median", None)
        if median is None:
            median = _grouped_median(histogram)
        self.histogram_median = median
        size, unit = _duration_unit(median)
        edges = list(histogram.edges)
        positive = [e for e in edges if e > 0]
        log = (_log_spaced(edges) and len(positive) >= 2
               and math.log10(positive[-1] / positive[0]) > LOG_DECADES)
        axis = self.histogram_plot.getAxis("bottom")
        axis.log = log
        title = f"Time to reach {name}" if log else f"{unit.capitalize()} to reach {name}"
        self.histogram_plot.setLabel("bottom", title)
        self.histogram_plot.setToolTip(
            f"{histogram.total:,} users reached {name}; median "
            f"{format_duration(self.histogram_median)}" if histogram.counts else "")
        if not histogram.counts:
            self.histogram_bars.setOpts(x=[], height=[], width=1)
            self.median_line.setVisible(False)
            return
        xs = _log_positions(edges) if log else [e / size for e in edges]
        axis.zero = ((xs[0] + xs[1]) / 2, xs[1]) if log and edges[0] <= 0 else None
        lefts, rights = xs[:-1], xs[1:]
        widths = [(b - a) or 1.0 for a, b in zip(lefts, rights, strict=True)]
        middles = [a + w / 2 for a, w in zip(lefts, widths, strict=True)]
        self.histogram_bars.setOpts(x=middles, height=list(histogram.counts), width=widths)
        self.histogram_plot.setXRange(min(lefts), max(a + w for a, w in zip(lefts, widths,
                                                                            strict=True)),
                                      padding=0.03)
        top = max(*histogram.counts, 1)
        self.histogram_plot.setYRange(0, top * 1.15, padding=0)
        _count_axis(self.histogram_plot, top)
        if median is not None and (median > 0 or not log):
            self.median_line.setPos(math.log10(median) if log else median / size)
            self.median_line.setVisible(True)  # first: a hidden label does not take text
            self.median_line.label.setFormat(f"median {format_duration(median)}")
        else:
            self.median_line.setVisible(False)

    def _draw_comparison(self, result: list[tuple[str, Any]]) -> None:
        """Per stage after the first bound one: each segment's conversion from the previous
        stage (a bar and its %), the n of each under the stage's name, and whether the
        difference is real (a two-proportion z-test) above the pair."""
        if result:
            (label_a, first), (label_b, second) = result
            self.comparison = [t for t in compare_stages(first, second) if t is not None]
            self._compare_names = (label_a, label_b)
        else:  # nothing to show (the comparison could not be computed)
            self.comparison, label_a, label_b = [], "", ""
        for offset, item, rates, label in (
                (-0.19, self.compare_bars[0], [t.rate1 for t in self.comparison], label_a),
                (0.19, self.compare_bars[1], [t.rate2 for t in self.comparison], label_b)):
            item.setOpts(x=[i + offset for i in range(len(rates))],
                         height=[100 * (r or 0.0) for r in rates])
            item.setToolTip(label)
        axis = self.compare_plot.getAxis("bottom")
        axis.setTicks([[(i, f"{t.stage}\nn {t.n1:,} vs {t.n2:,}")
                        for i, t in enumerate(self.comparison)]])
        self.compare_plot.setXRange(-0.6, len(self.comparison) - 0.4, padding=0)
        self.compare_plot.getAxis("left").setTicks([[(v, str(v)) for v in (0, 50, 100)],
                                                    [(v, "") for v in (25, 75)]])
        self._label_comparison()
        real = [t.stage for t in self.comparison if t.real]
        self.compare_note.setText(
            (f"Real difference (p < 0.05) at {', '.join(real)}" if real else
             "No difference shown to be real (p < 0.05)") if self.comparison else "")
        self.compare_note.setToolTip("\n".join(self._comparison_line(t)
                                               for t in self.comparison))

    def _comparison_line(self, t: StageTest) -> str:
        a, b = self._compare_names

        def rate(x: int, n: int) -> str:
            return f"{x / n:.0%} of {n:,}" if n else "no users"

        p = "" if t.p_value is None else f", p = {t.p_value:.3g}"
        return f"{t.stage}: {a} {rate(t.x1, t.n1)} vs {b} {rate(t.x2, t.n2)}: {t.verdict}{p}"

    def _comparison_top(self) -> float:
        """The top of the comparison's y range: above 100 % room for a bar's label and the
        verdict, in pixels whatever the plot's height."""
        height = self.compare_plot.getPlotItem().getViewBox().height()
        room = 100 * COMPARE_LABELS_PX / max(height - COMPARE_LABELS_PX, 40.0)
        return 100 + room

    def _fit_comparison(self, *_: object) -> None:
        top = self._comparison_top()
        self.compare_plot.setYRange(0, top, padding=0)
        for flag in self._compare_labels[2::3]:
            flag.setPos(flag.pos().x(), top)

    def _label_comparison(self) -> None:
        """Each bar's conversion, and each stage's verdict above its pair."""
        pg = self._pg
        for item in self._compare_labels:
            self.compare_plot.removeItem(item)
        self._compare_labels = []
        text, muted = self.theme.text.name(), self.theme.muted_text.name()
        top = self._comparison_top()
        for i, t in enumerate(self.comparison):
            for offset, x, n in ((-0.19, t.x1, t.n1), (0.19, t.x2, t.n2)):
                label = pg.TextItem(f"{x / n:.0%}" if n else "–", color=text,
                                    anchor=(0.5, 1.0))
                label.setPos(i + offset, 100 * (x / n if n else 0.0))
                label.setToolTip(self._comparison_line(t))
                self.compare_plot.addItem(label)
                self._compare_labels.append(label)
            verdict = VERDICT_SHORT.get(t.verdict, "could be chance")
            style = f"color:{text}; font-weight:600" if t.real else f"color:{muted}"
            mark = "✔ " if t.real else ""
            flag = pg.TextItem(html=f'<span style="{style}; font-size:11px">{mark}'
                               f'{html.escape(verdict)}</span>', anchor=(0.5, 0.0))
            flag.setPos(i, top)
            flag.setToolTip(self._comparison_line(t))
            self.compare_plot.addItem(flag)
            self._compare_labels.append(flag)
        self.compare_plot.setYRange(0, top, padding=0)
