"""The analytics dock's retention: after an anchor stage, the share of its users who come back
in each following day, week or month (docs/data.md, "Retention and churn"), with the overlay's
period, window and segment: the overall curve, the cohort triangle and the churn at a horizon,
computed off the GUI thread.  "Show retention on this stage's header" puts the figure at the
churn horizon on the anchor's header (:mod:`journeydesk.gui.retention_header`)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
)

from journeydesk.app.metrics import MetricsOptions
from journeydesk.app.retention import EVERY, Retention, RetentionCell, parse_events, period_name
from journeydesk.gui.canvas.stage_data_menu import HEADER_RETENTION_TEXT
from journeydesk.gui.charts import BLUE, ORANGE, _pen
from journeydesk.gui.dock_panel import DockPanel, control_label, hint_label, make_table, mix

DEFAULT_PERIODS = 12
NO_ANCHOR_TEXT = "Bind a stage to see who comes back after it."
MEASURES = (("in that period", "in_period"), ("in that period or later", "or_later"))
OPEN_TEXT = ("Hollow points: open periods (not every user has had the whole period yet); "
             "* in the table: a partial cell (only some of the cohort's users have)")


def cohort_label(start: date, cohort: str) -> str:
    """A cohort's row: "29 Apr 2024" (its Monday) or "Apr 2024"."""
    return f"{start:%b %Y}" if cohort == "month" else f"{start.day} {start:%b %Y}"


def share_of(cell: RetentionCell, measure: str) -> float | None:
    """The cell's share "in period n" or "in n or later" (None: nobody observable)."""
    return cell.in_period_share if measure == "in_period" else cell.or_later_share


class RetentionPanel(DockPanel):
    """Retention after one bound stage: the curve, the cohort triangle, the churn."""

    kind = "retention"

    def __init__(self, dock: Any):
        super().__init__(dock, "Retention",
                         "Of those who reached a stage, the share with an event in each "
                         "following period")
        self.result: Retention | None = None  # the numbers on show
        self.points: dict[str, Any] = {}  # measure -> its scatter (tooltips: n)
        self._items: list[Any] = []
        self.anchor_combo = QComboBox()
        self.anchor_combo.setAccessibleName("Anchor stage")
        self.anchor_combo.setMinimumContentsLength(10)
        self.anchor_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.every_combo = QComboBox()
        self.every_combo.setAccessibleName("Every")
        for name in EVERY:
            self.every_combo.addItem(name, name)
        self.every_combo.setCurrentIndex(self.every_combo.findData("week"))
        self.periods = QSpinBox()
        self.periods.setRange(1, 1000)
        self.periods.setValue(DEFAULT_PERIODS)
        self.periods.setAccessibleName("Periods")
        self.cohort_combo = QComboBox()
        self.cohort_combo.setAccessibleName("Cohorts by")
        for name in ("week", "month"):
            self.cohort_combo.addItem(f"by {name}", name)
        self.churn_at = QSpinBox()
        self.churn_at.setRange(0, 1000)
        self.churn_at.setSpecialValueText("last")  # 0: the last period
        self.churn_at.setAccessibleName("Churn at period")
        self.churn_at.setToolTip("The horizon of the churn: no event from this period on")
        self.events = QLineEdit()
        self.events.setPlaceholderText("any event")
        self.events.setAccessibleName("Qualifying events")
        self.events.setToolTip("Only these events count as coming back: names or patterns "
                               "separated by commas (buy, renew*); empty: any event")
        for text, widget, stretch in (("After", self.anchor_combo, 1),
                                      ("every", self.every_combo, 0),
                                      ("periods", self.periods, 0),
                                      ("cohorts", self.cohort_combo, 0),
                                      ("churn at", self.churn_at, 0),
                                      ("events", self.events, 1)):
            self.controls.addWidget(control_label(text))
            self.controls.addWidget(widget, stretch)
        self.summary = QLabel(NO_ANCHOR_TEXT)
        self.summary.setObjectName("retentionSummary")
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        row = QHBoxLayout()
        self.plot = dock._plot()
        self.plot.setLabel("left", "Came back", units="%")
        self.plot.setYRange(0, 100, padding=0.04)
        row.addWidget(self.plot, 2)
        table_side = QHBoxLayout()
        self.table = make_table(["Cohort", "Users"], "cohortTable")
        self.table.setMinimumHeight(180)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        table_side.addWidget(self.table)
        row.addLayout(table_side, 3)
        self.body.addLayout(row, 1)
        legend = QHBoxLayout()
        self.legend = hint_label()
        legend.addWidget(self.legend, 1)
        self.measure_combo = QComboBox()
        self.measure_combo.setAccessibleName("Table shows")
        for text, measure in MEASURES:
            self.measure_combo.addItem(f"Table: {text}", measure)
        legend.addWidget(self.measure_combo)
        self.header_button = QPushButton(HEADER_RETENTION_TEXT)
        self.header_button.setObjectName("headerRetention")
        self.header_button.setCheckable(True)
        self.header_button.setToolTip("The share back at the churn horizon, on the anchor "
                                      "stage's header of the map (one figure per map)")
        legend.addWidget(self.header_button)
        self.body.addLayout(legend)
        self.note = hint_label()
        self.body.addWidget(self.note)
        for combo in (self.anchor_combo, self.every_combo, self.cohort_combo):
            combo.currentIndexChanged.connect(self.compute)
        for spin in (self.periods, self.churn_at):
            spin.valueChanged.connect(self.compute)
        self.events.editingFinished.connect(self.compute)
        self.measure_combo.currentIndexChanged.connect(lambda _i: self._draw_table())
        self.header_button.clicked.connect(self._on_header_clicked)
        self.anchor_combo.currentIndexChanged.connect(lambda _i: self._sync_header_button())
        header = self._header()
        if header is not None:
            header.changed.connect(self._sync_header_button)

    # ------------------------------------------------------------------ the stage's header
    def _header(self) -> Any:
        """The window's header retention controller (None in a dock without a window)."""
        return getattr(getattr(self.dock, "panel", None), "header_retention", None)

    def _anchor_id(self) -> str | None:
        """The stage id of the anchor on show, if any."""
        index = self.anchor_combo.currentData()
        m = self.dock._map()
        if index is None or m is None or not 0 <= index < len(m.stages):
            return None
        return m.stages[index].id

    def _header_settings(self) -> Any:
        from journeydesk.gui.retention_header import RetentionSettings

        every, periods, events, _cohort, churn_at = self._settings()
        return RetentionSettings(every, periods, events, churn_at, from_panel=True)

    def _on_header_clicked(self, checked: bool) -> None:
        header, stage_id = self._header(), self._anchor_id()
        if header is None or stage_id is None:
            self._sync_header_button()
            return
        if checked:
            header.show(stage_id, self._header_settings())
        elif header.anchor() == stage_id:
            header.hide()
        self._sync_header_button()

    def _sync_header_button(self) -> None:
        """Checked while the anchor's header shows the figure."""
        header, stage_id = self._header(), self._anchor_id()
        self.header_button.setEnabled(header is not None and stage_id is not None)
        self.header_button.blockSignals(True)
        self.header_button.setChecked(stage_id is not None and header is not None
                                      and header.anchor() == stage_id)
        self.header_button.blockSignals(False)

    def _follow_settings(self) -> None:
        """The header's figure chosen here follows the panel's settings."""
        header, stage_id = self._header(), self._anchor_id()
        if header is None or stage_id is None or header.anchor() != stage_id:
            return
        settings = header.settings()
        wanted = self._header_settings()
        if settings is not None and settings.from_panel and settings != wanted:
            header.show(stage_id, wanted)

    # ------------------------------------------------------------------ choosing
    def show_anchor(self, stage_index: int) -> bool:
        """Make stage ``stage_index`` (of the map) the anchor; False when it is unbound."""
        self._fill_anchors()
        found = self.anchor_combo.findData(stage_index)
        if found < 0:
            return False
        self.anchor_combo.setCurrentIndex(found)
        self.compute()
        return True

    def _fill_anchors(self) -> None:
        """The bound stages; at first the last one (a purchase, a first use)."""
        stages = self.dock._stages()
        keep = self.anchor_combo.currentText()
        self.anchor_combo.blockSignals(True)
        self.anchor_combo.clear()
        for i, (name, events) in enumerate(stages):
            if events:
                self.anchor_combo.addItem(name, i)
        found = self.anchor_combo.findText(keep) if keep else -1
        self.anchor_combo.setCurrentIndex(found if found >= 0 else self.anchor_combo.count() - 1)
        self.anchor_combo.blockSignals(False)

    # ------------------------------------------------------------------ computing
    def _settings(self) -> tuple[str, int, tuple[str, ...] | None, str, int | None]:
        periods = self.periods.value()
        churn = self.churn_at.value()
        events = parse_events(self.events.text())
        return (self.every_combo.currentData(), periods,
                tuple(events) if events else None, self.cohort_combo.currentData(),
                min(churn, periods) if churn else None)

    def key(self, inputs: Any) -> Any:
        index = self.anchor_combo.currentData()
        if index is None:
            return None
        return (inputs.ident, inputs.stages, inputs.segment, inputs.dates, inputs.window,
                index, self._settings())

    def compute(self, *_: object) -> None:
        from journeydesk.app.retention import stage_retention

        inputs = self.inputs()
        if inputs is None:
            return
        if self.sender() is not self.anchor_combo:
            self._fill_anchors()
        index = self.anchor_combo.currentData()
        self._sync_header_button()
        if index is None:
            self._draw(None)
            return
        self._follow_settings()
        stages = inputs.stage_list
        options = MetricsOptions.make(*inputs.dates, dict(inputs.segment), inputs.window)
        every, periods, events, cohort, churn_at = self._settings()
        self.request(inputs, lambda data: stage_retention(
            data, stages, index, options, every=every, periods=periods, events=events,
            cohort=cohort, churn_at=churn_at), self._delivered)

    def _delivered(self, result: Any, error: BaseException | None) -> None:
        if not self.delivered(error):
            self._draw(None)
            return
        self._draw(result)
        self.drawn()

    # ------------------------------------------------------------------ drawing
    def set_theme(self, theme: Any) -> None:
        super().set_theme(theme)
        if getattr(self, "result", None) is not None:
            self._draw(self.result)

    def _period(self) -> str:
        return period_name(self.result.spec.every) if self.result is not None else "Period"

    def _draw(self, result: Retention | None) -> None:
        self.result = result
        self._draw_curve()
        self._draw_table()
        if result is None:
            self.summary.setText(NO_ANCHOR_TEXT if not self.anchor_combo.count() else "")
            self.note.setText("")
            return
        churn = result.churn
        name = self._period().lower()
        people = "person" if result.users == 1 else "people"
        text = f"{result.users:,} {people} reached {result.anchor}. "
        if churn.share is None:
            text += f"Churn at {name} {churn.period}: nobody has had that long yet."
        else:
            text += (f"Churn at {name} {churn.period}: {churn.share:.1%} ({churn.churned:,} "
                     f"of {churn.observable:,} had no event from {name} {churn.period} on).")
        self.summary.setText(text)
        opened = any(c.observable < c.users for c in result.overall)
        partial = any(0 < c.observable < c.users for co in result.cohorts for c in co.cells)
        self.note.setText(OPEN_TEXT if opened or partial else "")
        self.note.setToolTip(OPEN_TEXT)

    def _draw_curve(self) -> None:
        import numpy as np

        pg = self.dock._pg
        for item in self._items:
            self.plot.removeItem(item)
        self._items, self.points = [], {}
        result = self.result
        self.plot.setLabel("bottom", self._period())
        if result is None:
            self.legend.setText("")
            return
        surface = self.surface()
        legend = []
        for (text, measure), colour in zip(MEASURES, (BLUE, ORANGE), strict=True):
            cells = result.overall
            x = np.array([c.period for c in cells], dtype=float)
            y = np.array([math.nan if share_of(c, measure) is None else
                          100 * share_of(c, measure) for c in cells], dtype=float)
            style = None if measure == "in_period" else Qt.PenStyle.DashLine
            line = self.plot.plot(x, y, pen=_pen(colour, 2, style), connect="finite")
            self._items.append(line)
            keep = [i for i in range(len(cells)) if not math.isnan(y[i])]
            opened = [cells[i].observable < cells[i].users for i in keep]
            scatter = pg.ScatterPlotItem(
                x=x[keep], y=y[keep], size=7,
                brush=[pg.mkBrush(surface if o else colour) for o in opened],
                pen=[_pen(colour, 2) if o else _pen(surface, 1) for o in opened],
                data=[self._tip(cells[i], measure) for i in keep], hoverable=True,
                tip=lambda x, y, data: data, name=measure)
            scatter.setZValue(5)
            self.plot.addItem(scatter)
            self._items.append(scatter)
            self.points[measure] = scatter
            legend.append(f'<span style="color:{colour.name()}; font-size:16px">&#9679;</span>'
                          f"&nbsp;{text}")
        self.legend.setText("&nbsp;&nbsp;&nbsp;".join(legend))
        self.plot.setXRange(0.5, len(result.overall) + 0.5, padding=0)
        self.plot.setYRange(0, 100, padding=0.04)

    def _tip(self, cell: RetentionCell, measure: str, cohort: str = "") -> str:
        """A point's or a cell's tooltip: the share, its n, and whether it is open."""
        name = self._period().lower()
        share = share_of(cell, measure)
        kept = cell.in_period if measure == "in_period" else cell.or_later
        when = f"in {name} {cell.period}" + (" or later" if measure == "or_later" else "")
        text = f"{cohort}{self._period()} {cell.period}: "
        if share is None:
            text += f"nobody has had the whole {name} yet ({cell.users:,} users)"
            return text
        text += f"{share:.1%} came back {when} ({kept:,} of {cell.observable:,})"
        if cell.observable < cell.users:
            text += (f"\nopen: {cell.users - cell.observable:,} of {cell.users:,} users have "
                     f"not had the whole {name} yet")
        return text

    def _draw_table(self) -> None:
        result = self.result
        table = self.table
        measure = self.measure_combo.currentData()
        table.clear()
        if result is None:
            table.setColumnCount(2)
            table.setHorizontalHeaderLabels(["Cohort", "Users"])
            table.setRowCount(0)
            return
        short = self._period()[0]
        periods = result.spec.periods
        table.setColumnCount(2 + periods)
        table.setHorizontalHeaderLabels(["Cohort", "Users",
                                         *(f"{short}{n}" for n in range(1, periods + 1))])
        table.setRowCount(len(result.cohorts))
        surface, accent = self.surface(), self.accent()
        muted = self.theme.muted_text
        italic = QFont()
        italic.setItalic(True)
        for row, cohort in enumerate(result.cohorts):
            label = cohort_label(cohort.start, result.spec.cohort)
            table.setItem(row, 0, QTableWidgetItem(label))
            users = QTableWidgetItem(f"{cohort.users:,}")
            users.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, users)
            for column, cell in enumerate(cohort.cells, start=2):
                share = share_of(cell, measure)
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(self._tip(cell, measure, f"Cohort of {label}, "))
                if share is None:  # nobody of the cohort has had the whole period
                    item.setText("–" if cohort.users else "")
                    item.setForeground(muted)
                else:
                    partial = not cell.complete
                    item.setText(f"{share:.0%}" + ("*" if partial else ""))
                    fill = mix(surface, accent, 0.15 + 0.85 * share)
                    item.setBackground(fill)
                    item.setForeground(QColor("white") if share > 0.5 else self.theme.text)
                    if partial:
                        item.setFont(italic)
                item.setData(Qt.ItemDataRole.UserRole, share)
                table.setItem(row, column, item)
