"""Start-up: from launch to the first painted canvas on the demo workspace (goal: ratio <= 5).

Both sides are whole child processes timed from start to the first paint of their window:
ours runs ``journeydesk WORKSPACE`` on a demo workspace; the floor is a bare PySide6 window
with a label, started the same way in the same run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Result

QUIT_ON_FIRST_PAINT = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def __init__(self, wanted):
        super().__init__()
        self.wanted = wanted  # a class name, of the widget or of its parent (a viewport's view)
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.wanted in (
                type(obj).__name__, type(obj.parent()).__name__):
            QTimer.singleShot(0, QApplication.instance().quit)
        return False
"""

OURS = QUIT_ON_FIRST_PAINT + """
from journeydesk.gui.app import application
app = application()
watcher = FirstPaint("MapView")  # the canvas's viewport
app.installEventFilter(watcher)
from journeydesk.cli import main
main([sys.argv[1]])
"""

FLOOR = QUIT_ON_FIRST_PAINT + """
from PySide6.QtWidgets import QLabel, QMainWindow
app = QApplication(sys.argv[:1])
watcher = FirstPaint("QLabel")
app.installEventFilter(watcher)
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.resize(1280, 800)
window.show()
app.exec()
"""


def _time(code: str, *args: str, config: str) -> float:
    # XDG_CONFIG_HOME: the app's settings (recent files, window state) stay in the temp folder
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "XDG_CONFIG_HOME": config}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - start


def run() -> list[Result]:
    """Median of 5 starts each, interleaved."""
    from journeydesk.app.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-") as tmp:
        path = build_demo(Path(tmp) / "demo.jdesk")
        ours, floor = [], []
        for _ in range(5):
            ours.append(_time(OURS, str(path), config=tmp))
            floor.append(_time(FLOOR, config=tmp))
        return [Result("start-up to first paint (demo)", statistics.median(ours),
                       statistics.median(floor), max_ratio=5)]
