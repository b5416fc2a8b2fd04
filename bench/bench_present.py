"""Present mode's walk-through: the frames of the pan from one stage to the next.

The map is the canvas benchmark's 2,000-card grid (40 one-step stages x 10 lanes, 5 cards per
cell) in a 1280x720 main window presenting (full screen is 800 px square offscreen, so the
window is given the projector's size after it starts presenting).  Each walk-through step is
driven frame by frame as the animation would (27 frames: 450 ms at 60 per second): one frame is
the animation's step (zoom, centre, sticky headers) plus a synchronous repaint of the whole
viewport.  The floor is a repaint of the same viewport at the step's last position with nothing
moved, in the same run.  Goal: a frame's median under 16.7 ms (60 frames a second).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from harness import Result  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from journeydesk.domain.commands import AddMapCommand  # noqa: E402
from journeydesk.store.document import Document  # noqa: E402
from journeydesk.store.workspace_file import WorkspaceFile  # noqa: E402

FRAMES = 27  # 450 ms at 60 frames a second
STEPS = 6  # walk-through steps measured
FRAME_GOAL = 1 / 60


def run() -> list[Result]:
    """The median frame of the walk-through's pans, against a still repaint."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from bench_canvas import grid_map

    from journeydesk.gui.main_window import MainWindow

    frames: list[float] = []
    still: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        journey = grid_map("Walk-through", 5)
        with WorkspaceFile.open(Path(tmp) / "present.jdesk", create=True) as ws_file:
            doc = Document(ws_file)
            doc.execute(AddMapCommand(journey))
            window = MainWindow(doc, remember_settings=False)
            window.resize(1280, 720)
            window.show()
            window.open_map(journey.id)
            window.toggle_presentation()
            app.processEvents()
            window.setGeometry(0, 0, 1280, 720)
            for _ in range(5):
                app.processEvents()
            presentation, view = window.presentation, window.view
            for step in range(STEPS + 1):
                presentation.show_stage(step)
                presentation._animation.stop()  # driven frame by frame below
                for i in range(1, FRAMES + 1):
                    start = time.perf_counter()
                    presentation._animate(i / FRAMES)
                    view.viewport().repaint()
                    if step:  # the first pan warms the caches up
                        frames.append(time.perf_counter() - start)
                app.processEvents()
                for _ in range(5 if step else 0):
                    start = time.perf_counter()
                    view.viewport().repaint()
                    still.append(time.perf_counter() - start)
            presentation.stop()
            window.close()
    median = statistics.median(frames)
    slow = sorted(frames)[int(len(frames) * 0.95)]
    print(f"  (walk-through: {len(frames)} frames, 95th percentile {slow * 1000:.1f} ms)")
    return [Result("present walk-through frame", median, statistics.median(still),
                   max_median=FRAME_GOAL)]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for result in run():
        print(result.line())
