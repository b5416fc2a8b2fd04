"""View > Flows between stages on an open window, against the bare query.

One workspace holds JOURNEYDESK_BENCH_FLOWS_ROWS events (default JOURNEYDESK_BENCH_EVENT_ROWS,
else 5,000,000; made as for bench_events) and the 6-stage map of bench_overlay_live.  A
MainWindow is opened on it offscreen with the data overlay on; then the flows layer is toggled
on (``act_flows``, as Ctrl+Shift+F does) and timed until the arcs are on the canvas and the
view's viewport has been painted after them, against the bare query: ``stage_flows`` (the app
layer) with the overlay's options over the same cached Parquet file, run in turns with the GUI
toggles.  The segment changes between turns so every toggle computes.  Goal: ratio <= 1.5.

Quick run: JOURNEYDESK_BENCH_FLOWS_ROWS=1000000 .venv/bin/python bench/run.py flows_layer
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if "JOURNEYDESK_BENCH_FLOWS_ROWS" in os.environ:  # bench_events reads its size at import
    os.environ["JOURNEYDESK_BENCH_EVENT_ROWS"] = os.environ["JOURNEYDESK_BENCH_FLOWS_ROWS"]

from bench_overlay_live import _Bench, _Painted, _prepare, _wait_until  # noqa: E402
from harness import Result  # noqa: E402

ROWS = int(os.environ.get("JOURNEYDESK_BENCH_EVENT_ROWS", "5000000"))
REPEAT = 5
SEGMENTS = [{}, {"platform": "ios"}, {"platform": "web"}, {"platform": "android"}]


class _FlowsBench(_Bench):
    """The window of bench_overlay_live, with the flows layer toggled."""

    def toggle_on(self) -> float:
        """Seconds from View > Flows between stages to the arcs painted on the canvas."""
        flows = self.panel.flows
        ready_at: list[float] = []

        def on_ready(_flows: object) -> None:
            ready_at.append(time.perf_counter())

        flows.ready.connect(on_ready)
        painted = _Painted([self.window.view.viewport()])
        start = time.perf_counter()
        self.window.act_flows.trigger()
        _wait_until(lambda: bool(ready_at) and painted.all_since({0: ready_at[0]}),
                    "the flows on the canvas")
        elapsed = time.perf_counter() - start
        painted.remove()
        flows.ready.disconnect(on_ready)
        assert self.window.scene.flows_layer.arcs, "no arcs on the canvas"
        return elapsed

    def toggle_off(self) -> None:
        self.window.act_flows.trigger()
        assert self.window.scene.flows is None

    def bare_flows(self) -> float:
        """The bare query of the overlay's options: stage_flows on the cached Parquet."""
        from journeydesk.app.metrics import stages_of
        from journeydesk.app.paths import stage_flows

        data, options = self.data(), self.controller.options()
        start = time.perf_counter()
        found = stage_flows(data, stages_of(self.map), options)
        elapsed = time.perf_counter() - start
        assert found == self.window.scene.flows, "the canvas shows other flows"
        return elapsed


def run() -> list[Result]:
    """Toggling the flows layer on, against the bare query; medians."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-") as tmp:
        bench = _FlowsBench(_prepare(Path(tmp)))
        try:
            return _run(bench)
        finally:
            bench.close()


def _run(bench: _FlowsBench) -> list[Result]:
    gui, bare = [], []
    for i in range(REPEAT + 1):
        bench.settle(SEGMENTS[i % len(SEGMENTS)], (None, None))  # the overlay, not timed
        took = bench.toggle_on()
        base = bench.bare_flows()
        bench.toggle_off()
        if i:  # the first turn is a warm-up (the file cache, the layer's first build)
            gui.append(took)
            bare.append(base)
    result = Result(f"flows layer on ({ROWS:,})", statistics.median(gui),
                    statistics.median(bare), max_ratio=1.5)
    print(f"{'  (flows layer: ratio':<32} {result.ratio:.2f} of the bare stage_flows)",
          flush=True)
    return [result]
