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

import os
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont
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
from journeydesk.app.significance import StageTest
from journeydesk.gui.background import BackgroundJobs
from journeydesk.gui.canvas.theme import LIGHT, Theme
from journeydesk.gui.chart_drawing import ChartDrawing
from journeydesk.gui.charts import (  # noqa: F401 - private helpers, tested here
    BLUE,
    COMPUTING_TEXT,
    DAY,
    EMPTY_TEXT,
    ERROR_TEXT,
    KINDS,
    ORANGE,
    PLOT_MIN_H,
    PLOT_MIN_W,
    REGION,
    TEAL,
    VOLUME,
    _day_axis_class,
    _day_labels,
    _day_of,
    _day_seconds,
    _day_ticks,
    _duration_axis_class,
    _duration_tick,
    _duration_ticks,
    _duration_unit,
    _grouped_median,
    _Inputs,
    _log_positions,
    _log_spaced,
    _pen,
    _Slot,
    _surface,
)
from journeydesk.gui.paths_panel import PathsPanel
from journeydesk.gui.retention_panel import RetentionPanel


class AnalyticsDock(ChartDrawing, QWidget):
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
        self._weekly_result: Any = None  # the WeeklySeries on show
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
        # (g), (h): retention and what people did instead (own modules, own workers)
        self.retention_panel, self.paths_panel = RetentionPanel(self), PathsPanel(self)
        grid.addWidget(self.retention_panel, 3, 0, 1, 2)
        grid.addWidget(self.paths_panel, 4, 0, 1, 2)

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
        for panel in (self.paths_panel, self.retention_panel):
            panel.set_theme(theme)

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
        """Whether a chart (or a panel) is being computed or waits to be."""
        return any(slot.job is not None or slot.pending is not None
                   for slot in self._slots.values()) or any(
            panel.busy() for panel in (self.paths_panel, self.retention_panel))

    def close_dock(self) -> None:
        """Stop for good (the window is closing): cancel every chart's work and deliver
        nothing more.  A local DuckDB query still runs out on its worker, which Python joins
        before it exits."""
        self._cancel(KINDS)
        self.jobs.shutdown()
        self.paths_panel.close_panel()
        self.retention_panel.close_panel()

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
                       (self.controller.date_from, self.controller.date_to),
                       self.controller.window_seconds)

    def _keys(self, inputs: _Inputs) -> dict[str, Any]:
        """Each chart's key: everything its numbers depend on."""
        segments = self._compare_segments()
        return {
            "volume": (inputs.ident, inputs.segment),
            "weekly": (inputs.ident, inputs.stages, inputs.segment, inputs.dates,
                       inputs.window),
            "histogram": (inputs.ident, inputs.stages, inputs.segment, inputs.dates,
                          inputs.window, self.stage_combo.currentData()),
            "compare": (inputs.ident, inputs.stages, inputs.dates, inputs.window,
                        tuple(tuple(sorted(s.items())) for _, s in segments or ())),
        }

    def _data_for_job(self, inputs: _Inputs) -> Any:
        """The data one job computes over: a new handle of the Parquet file, or a new view of
        the database source (one per job, so that cancelling one stops only its queries);
        None when the data is no longer the one the job was asked for."""
        data = self._parquet()
        if inputs.ident[0] == "file" and (data is None or os.fspath(data) != inputs.ident[1]):
            return None
        return data

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
        from journeydesk.app.metrics import weekly_series

        stages, where, dates = inputs.stage_list, inputs.where, inputs.filters
        self._request("weekly", self._keys(inputs)["weekly"],
                      lambda data: weekly_series(data, stages, where=where, **dates),
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
        the options the histogram is, or None."""
        from journeydesk.app.metrics import MetricsOptions

        result = self.controller.result
        same = MetricsOptions.make(*inputs.dates, dict(inputs.segment), inputs.window)
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
