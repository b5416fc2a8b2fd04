"""The analytics dock's "What they did instead": after a drop-off, the dropped users' top next
events and top paths of the next events (docs/data.md, "What they did instead"), with the
overlay's period, window and segment, computed off the GUI thread and cancellable."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QTableWidgetItem

from journeydesk.app.metrics import MetricsOptions
from journeydesk.app.paths import DEFAULT_STEPS, DropOffPaths, event_label, path_label
from journeydesk.gui.dock_panel import (
    SHARE_ROLE,
    DockPanel,
    control_label,
    hint_label,
    make_table,
    share_column,
)
from journeydesk.gui.drop_off_card import previous_bound

NO_DROP_OFF_TEXT = "Bind two stages to see what people did after a drop-off."


def describe(result: DropOffPaths, options: MetricsOptions) -> str:
    """Who the numbers are about: "4 people reached Cart but not Buy within 1d"."""
    within = f" {options.window_text()}" if options.window_seconds else ""
    people = "person" if result.users == 1 else "people"
    return f"{result.users:,} {people} reached {result.previous} but not {result.stage}{within}"


class PathsPanel(DockPanel):
    """The dropped users of one drop-off: their next events and paths, with share bars."""

    kind = "paths"

    def __init__(self, dock: Any):
        super().__init__(dock, "What they did instead",
                         "After a drop-off: the next events of those who did not go on")
        self.result: DropOffPaths | None = None  # the numbers on show
        self.stage_combo = QComboBox()
        self.stage_combo.setAccessibleName("Drop-off before")
        self.stage_combo.setMinimumContentsLength(14)
        self.stage_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.steps = QSpinBox()
        self.steps.setRange(1, 10)
        self.steps.setValue(DEFAULT_STEPS)
        self.steps.setAccessibleName("Steps in a path")
        self.steps.setToolTip("How many of the next events a path shows")
        self.controls.addWidget(control_label("Drop-off before"))
        self.controls.addWidget(self.stage_combo, 1)
        self.controls.addWidget(control_label("Steps"))
        self.controls.addWidget(self.steps)
        self.summary = QLabel(NO_DROP_OFF_TEXT)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        tables = QHBoxLayout()
        self.next_table = make_table(["Next event", "Users", "Share"], "nextEvents")
        self.paths_table = make_table(["Path", "Users", "Share"], "nextPaths")
        for table in (self.next_table, self.paths_table):
            share_column(table, 2, self.accent())
        tables.addWidget(self.next_table, 2)
        tables.addWidget(self.paths_table, 3)
        self.body.addLayout(tables, 1)
        self.note = hint_label()
        self.body.addWidget(self.note)
        self.stage_combo.currentIndexChanged.connect(self.compute)
        self.steps.valueChanged.connect(self.compute)

    # ------------------------------------------------------------------ choosing
    def show_drop_off(self, stage_index: int) -> bool:
        """Show the drop-off before stage ``stage_index`` (of the map); False when it has
        none (unbound, or the first bound stage)."""
        self._fill_stages()
        found = self.stage_combo.findData(stage_index)
        if found < 0:
            return False
        self.stage_combo.setCurrentIndex(found)
        self.compute()
        return True

    def _fill_stages(self) -> None:
        """The stages with a drop-off before them: each bound stage after the first bound
        one ("Buy (after Cart)"); at first the one losing most people."""
        stages = self.dock._stages()
        keep = self.stage_combo.currentData()
        self.stage_combo.blockSignals(True)
        self.stage_combo.clear()
        for i, (name, events) in enumerate(stages):
            before = previous_bound(stages, i) if events else None
            if before is not None:
                self.stage_combo.addItem(f"{name} (after {stages[before][0]})", i)
        found = self.stage_combo.findData(keep) if keep is not None else -1
        if found < 0:
            found = self._largest_drop()
        self.stage_combo.setCurrentIndex(max(found, 0) if self.stage_combo.count() else -1)
        self.stage_combo.blockSignals(False)

    def _largest_drop(self) -> int:
        entries = (self.controller.metrics or {}).get("stages", [])
        dropped = {e.get("stage"): e.get("dropped") or 0 for e in entries}
        best, most = -1, 0
        for row in range(self.stage_combo.count()):
            name = self.dock._stages()[self.stage_combo.itemData(row)][0]
            if dropped.get(name, 0) > most:
                best, most = row, dropped[name]
        return best

    # ------------------------------------------------------------------ computing
    def key(self, inputs: Any) -> Any:
        index = self.stage_combo.currentData()
        if index is None:
            return None
        return (inputs.ident, inputs.stages, inputs.segment, inputs.dates, inputs.window,
                index, self.steps.value())

    def compute(self, *_: object) -> None:
        from journeydesk.app.paths import stage_paths

        inputs = self.inputs()
        if inputs is None:
            return
        if self.stage_combo.count() == 0 or self.sender() is not self.stage_combo:
            self._fill_stages()
        index = self.stage_combo.currentData()
        if index is None:
            self._draw(None)
            return
        stages = inputs.stage_list
        after = previous_bound(stages, index)
        if after is None:
            return
        options = MetricsOptions.make(*inputs.dates, dict(inputs.segment), inputs.window)
        steps = self.steps.value()
        self.request(inputs, lambda data: stage_paths(data, stages, after, options,
                                                      steps=steps),
                     lambda result, error: self._delivered(result, error, options))

    def _delivered(self, result: Any, error: BaseException | None,
                   options: MetricsOptions) -> None:
        if not self.delivered(error):
            self._draw(None)
            return
        self._draw(result, options)
        self.drawn()

    # ------------------------------------------------------------------ drawing
    def _draw(self, result: DropOffPaths | None,
              options: MetricsOptions | None = None) -> None:
        self.result = result
        if result is None:
            self.summary.setText(NO_DROP_OFF_TEXT if not self.stage_combo.count() else "")
            self.next_table.setRowCount(0)
            self.paths_table.setRowCount(0)
            self.note.setText("")
            return
        self.summary.setText(describe(result, options or MetricsOptions()) + (
            "; what they did next:" if result.users else "."))
        self._fill(self.next_table, [(event_label(e.event), e.users, e.share)
                                     for e in result.next_events])
        self._fill(self.paths_table, [(path_label(p.path), p.users, p.share)
                                      for p in result.paths])
        others = []
        if result.other_next:
            others.append(f"{result.other_next:,} had another next event")
        if result.other_paths:
            others.append(f"{result.other_paths:,} another path")
        self.note.setText(("Not in the top ten: " + ", ".join(others) + ". ") * bool(others)
                          + "(left): no later event.")

    @staticmethod
    def _fill(table: Any, rows: list[tuple[str, int, float]]) -> None:
        table.setRowCount(len(rows))
        for row, (label, users, share) in enumerate(rows):
            name = QTableWidgetItem(label)
            name.setToolTip(label)
            count = QTableWidgetItem(f"{users:,}")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            bar = QTableWidgetItem(f"{share:.0%}")
            bar.setData(SHARE_ROLE, float(share))
            bar.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, item in enumerate((name, count, bar)):
                table.setItem(row, column, item)
