"""The overlay and the analytics dock on an open window, against their bare queries.

One workspace holds JOURNEYDESK_BENCH_EVENT_ROWS events (default 5,000,000, made as for
bench_events) and a 6-stage map bound to them (the membership template with two more stages;
its personas' segments are ``platform = ios / android / web``, which the data has).  A
MainWindow is opened on it offscreen with the overlay on, then:

- change the overlay's period, or its segment (View > Overlay period and window, View > Overlay
  segment: :meth:`DataPanel.set_overlay_dates` / :meth:`DataPanel.set_overlay_segment`): the
  time from the change to the new numbers painted on the canvas (the controller's ``ready``,
  then the view's viewport painted), against the bare query: :func:`map_metrics` with the same
  MetricsOptions over the same cached Parquet file, run in turns with the GUI changes.  Goal:
  ratio <= 1.5.
- open the analytics dock (View > Analytics) on data whose charts are not computed yet (the
  segment and period are changed while it is hidden): the time until every chart is computed
  and painted, against the sum of the queries the dock makes, run directly with the same
  arguments: daily volume, conversion by week, the time-to-next histogram of the first stage it
  offers and the two funnels of "Compare segments" (its funnel chart draws the overlay's
  numbers, which are already there: no query).  Goal: ratio <= 1.5.  The first opening of the
  session (pyqtgraph imported, the dock built) is printed on its own line.

Quick run: JOURNEYDESK_BENCH_EVENT_ROWS=300000 .venv/bin/python bench/run.py overlay_live
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_events import EVENTS, ROWS, make_csv  # noqa: E402
from harness import Result  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[1] / "resources" / "templates" / \
    "membership-signup.json"
REPEAT = 5
DOCK_REPEAT = 3
TIMEOUT_S = int(os.environ.get("JOURNEYDESK_BENCH_TIMEOUT", "120"))
# (segment, period) pairs the benchmark moves between; each differs from the one before it in
# both, so every chart of the dock has something new to compute
SETTINGS: list[tuple[dict[str, str], tuple[date | None, date | None]]] = [
    ({"platform": "ios"}, (date(2024, 1, 15), date(2024, 2, 14))),
    ({"platform": "web"}, (date(2024, 2, 1), date(2024, 3, 15))),
    ({"platform": "android"}, (date(2024, 1, 1), date(2024, 1, 31))),
    ({}, (date(2024, 1, 10), date(2024, 3, 20))),
]


def _map_json() -> str:
    """The membership template with six stages bound to the bench's first six events."""
    data = json.loads(TEMPLATE.read_text("utf-8"))
    data["stages"] += [{"name": "Checkout", "description": ""},
                       {"name": "Payment", "description": ""}]
    for stage, event in zip(data["stages"], EVENTS[:6], strict=True):
        stage["events"] = [event]
    for persona, platform in zip(data["personas"], ("ios", "android", "web"), strict=False):
        persona["segment"] = {"platform": platform}
    return json.dumps(data)


def _prepare(folder: Path) -> Path:
    from journeydesk.analytics.events import load_events
    from journeydesk.domain.commands import AddMapCommand
    from journeydesk.exchange.json_map import loads_map
    from journeydesk.store.datasets import add_dataset
    from journeydesk.store.document import Document
    from journeydesk.store.workspace_file import WorkspaceFile

    csv_path = folder / "events.csv"
    make_csv(csv_path)
    loaded = load_events(csv_path)
    csv_path.unlink()
    path = folder / "bench.jdesk"
    doc = Document(WorkspaceFile.open(path, create=True))
    m, personas = loads_map(_map_json(), doc.workspace)
    doc.execute(AddMapCommand(m, personas))
    add_dataset(doc.file, "events", loaded.parquet, source=csv_path.name,
                row_count=loaded.row_count, attributes=loaded.attributes)
    doc.close()
    return path


class _Painted:
    """Records when each watched widget was last painted (an event filter)."""

    def __init__(self, widgets: list[Any]):
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        last: dict[int, float] = {}

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt
                if event.type() == paint:
                    last[id(watched)] = time.perf_counter()
                return False

        self.last = last
        self.widgets = widgets
        self.filter = Filter()
        for widget in widgets:
            widget.installEventFilter(self.filter)

    def all_since(self, moments: dict[int, float]) -> bool:
        """Whether every watched widget that shows on screen (a chart scrolled out of the
        dock's view is not painted) has been painted since its moment in ``moments`` (by
        position in the widgets watched)."""
        return all(self.last.get(id(w), 0.0) >= moments[i] for i, w in enumerate(self.widgets)
                   if not w.visibleRegion().isEmpty())

    def remove(self) -> None:
        for widget in self.widgets:
            widget.removeEventFilter(self.filter)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Run the event loop (sleeping, not spinning: the workers need the cores) until
    ``condition()`` holds."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(2)
    check.timeout.connect(lambda: loop.quit() if condition() else None)
    check.start()
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(TIMEOUT_S * 1000)
    loop.exec()
    check.stop()
    if not condition():
        raise TimeoutError(f"{what}: not done within {TIMEOUT_S} s")


class _Bench:
    """One window on the workspace, with the overlay on."""

    def __init__(self, path: Path):
        from journeydesk.gui.app import application, open_document
        from journeydesk.gui.main_window import MainWindow

        self.app = application()
        self.window = MainWindow(open_document(path), remember_settings=False)
        self.window.resize(1400, 900)
        self.window.show()
        self.map = next(iter(self.window.document.workspace.maps.values()))
        self.window.open_map(self.map.id)
        self.panel = self.window.data
        self.controller = self.window.data_overlay
        self._ready_at = 0.0
        self.controller.ready.connect(self._on_ready)
        self.painted = _Painted([self.window.view.viewport()])
        self._timed(lambda: self.panel.show_overlay("events"))

    def _on_ready(self, *_: object) -> None:
        self._ready_at = time.perf_counter()

    def data(self) -> Any:
        """The cached Parquet file the overlay computes over."""
        return self.controller.data()

    def _timed(self, change: Callable[[], object]) -> float:
        """Seconds from ``change()`` to the new numbers painted on the canvas."""
        self._ready_at = 0.0
        start = time.perf_counter()
        change()
        _wait_until(lambda: self._ready_at > 0 and self.painted.all_since({0: self._ready_at}),
                    "the overlay's numbers")
        elapsed = time.perf_counter() - start
        assert self.window.scene.overlay is not None, "no overlay on the canvas"
        return elapsed

    def set_segment(self, segment: dict[str, str]) -> float:
        return self._timed(lambda: self.panel.set_overlay_segment(segment))

    def set_period(self, period: tuple[date | None, date | None]) -> float:
        return self._timed(lambda: self.panel.set_overlay_dates(*period))

    def bare_overlay(self) -> float:
        """The bare query of the overlay's current options (map_metrics, cached Parquet)."""
        from journeydesk.app.metrics import map_metrics

        data, options = self.data(), self.controller.options()
        start = time.perf_counter()
        found = map_metrics(data, self.map, "events", options)
        elapsed = time.perf_counter() - start
        assert found.to_json() == self.controller.metrics, "the overlay shows other numbers"
        return elapsed

    def settle(self, segment: dict[str, str], period: tuple[date | None, date | None]) -> None:
        """Segment and period both changed, one overlay computation."""
        c = self.controller
        c.segment, (c.date_from, c.date_to) = dict(segment), period
        self._timed(c.refresh)

    # ------------------------------------------------------------------ the dock
    def open_dock(self) -> float:
        """Seconds from View > Analytics to every chart computed and painted."""
        from journeydesk.gui.charts import KINDS

        updated: dict[str, float] = {}  # chart -> when it was drawn
        start = time.perf_counter()
        self.window.act_analytics.trigger()  # the dock is built at its first showing
        _wait_until(lambda: self.window.analytics is not None, "the analytics dock")
        dock = self.window.analytics

        def on_updated(kind: str) -> None:
            updated[kind] = time.perf_counter()

        dock.updated.connect(on_updated)  # results come through the event loop: none yet
        kinds = ["funnel", *KINDS]  # the funnel is drawn at once, from the overlay's numbers
        painted = _Painted([plot.viewport() for plot in (
            dock.funnel_plot, dock.volume_plot, dock.weekly_plot, dock.histogram_plot,
            dock.compare_plot)])
        updated["funnel"] = start

        def done() -> bool:
            return (len(updated) == len(kinds) and not dock.busy()
                    and painted.all_since({i: updated[k] for i, k in enumerate(kinds)}))

        _wait_until(done, "the analytics dock's charts")
        elapsed = time.perf_counter() - start
        painted.remove()
        dock.updated.disconnect(on_updated)
        for kind in KINDS:
            assert not dock.errors[kind].isVisibleTo(dock), dock.errors[kind].text()
        return elapsed

    def close_dock(self) -> None:
        self.window.act_analytics.trigger()
        _wait_until(lambda: not self.window.analytics.isVisible(), "the dock hidden")

    def bare_dock(self) -> float:
        """The dock's queries for the current settings, run one after the other."""
        from journeydesk.app.metrics import (
            daily_volume,
            funnel,
            stages_of,
            time_to_next_histogram,
            weekly_conversion,
        )

        c, dock = self.controller, self.window.analytics
        data, stages, where = self.data(), stages_of(self.map), dict(c.segment) or None
        dates = {"date_from": c.date_from, "date_to": c.date_to}
        picked = dock._compare_segments()
        index = dock.stage_combo.currentData()
        start = time.perf_counter()
        daily_volume(data, where=where)
        weekly_conversion(data, stages, where=where, **dates)
        found = time_to_next_histogram(data, stages, index, where=where, **dates)
        for _, segment in picked:
            funnel(data, stages, where=segment or None, **dates)
        elapsed = time.perf_counter() - start
        assert found == dock.histogram, "the dock shows another histogram"
        return elapsed

    def close(self) -> None:
        self.painted.remove()
        self.window.close()
        self.app.processEvents()


def run() -> list[Result]:
    """Overlay changes and the dock's opening against their bare queries, medians."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-") as tmp:
        bench = _Bench(_prepare(Path(tmp)))
        try:
            return _run(bench)
        finally:
            bench.close()


def _run(bench: _Bench) -> list[Result]:
    results = []
    bench.bare_overlay()  # the file cache of the Parquet is warm for both sides
    for label, change in (("period", bench.set_period), ("segment", bench.set_segment)):
        gui, bare = [], []
        for i in range(REPEAT + 1):
            segment, period = SETTINGS[i % len(SETTINGS)]
            took = change(period if label == "period" else segment)
            base = bench.bare_overlay()
            if i:  # the first turn is a warm-up
                gui.append(took)
                bare.append(base)
        results.append(Result(f"overlay: new {label} ({ROWS:,})", statistics.median(gui),
                              statistics.median(bare), max_ratio=1.5))

    gui, bare = [], []
    for i in range(DOCK_REPEAT + 1):
        segment, period = SETTINGS[i % len(SETTINGS)]
        bench.settle(segment, period)  # the dock is hidden: it computes nothing yet
        took = bench.open_dock()
        base = bench.bare_dock()
        if i == 0:
            print(f"{'  (first opening of the dock':<32} {took * 1000:9.3f} ms, pyqtgraph "
                  f"imported and the dock built; its queries {base * 1000:.3f} ms)",
                  flush=True)
        else:
            gui.append(took)
            bare.append(base)
        bench.close_dock()
    results.append(Result(f"analytics dock open ({ROWS:,})", statistics.median(gui),
                          statistics.median(bare), max_ratio=1.5))
    return results
