"""Re-open a workspace holding a large event log and show the data overlay (goal: <= 2 s).

The floor is opening the same workspace file with bare sqlite3 and reading the dataset's
bytes, measured in the same run, so the ratio says what the app adds on top.
Rows: JOURNEYDESK_BENCH_EVENT_ROWS (default 5,000,000), as for bench_events.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_events import EVENTS, ROWS, make_csv  # noqa: E402
from harness import Result  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[1] / "resources" / "templates" / \
    "membership-signup.json"


def _prepare(folder: Path) -> Path:
    from journeydesk.analytics.events import load_events
    from journeydesk.domain.commands import AddMapCommand, EditStageCommand
    from journeydesk.exchange.json_map import loads_map
    from journeydesk.store.datasets import add_dataset
    from journeydesk.store.document import Document
    from journeydesk.store.workspace_file import WorkspaceFile

    csv_path = folder / "events.csv"
    make_csv(csv_path)
    loaded = load_events(csv_path)
    path = folder / "bench.jdesk"
    doc = Document(WorkspaceFile.open(path, create=True))
    m, personas = loads_map(TEMPLATE.read_text("utf-8"), doc.workspace)
    doc.execute(AddMapCommand(m, personas))
    for stage, event in zip(m.stages, EVENTS, strict=False):
        doc.execute(EditStageCommand(m.id, stage.id, events=[event]))
    add_dataset(doc.file, "events", loaded.parquet, source=csv_path.name,
                row_count=loaded.row_count)
    doc.close()
    return path


def _open_and_overlay(path: Path) -> float:
    """Seconds from opening the file to the overlay's numbers on the canvas."""
    from PySide6.QtCore import QEventLoop, QTimer

    from journeydesk.gui.app import application, open_document
    from journeydesk.gui.main_window import MainWindow

    app = application()
    start = time.perf_counter()
    document = open_document(path)
    window = MainWindow(document, remember_settings=False)
    window.show()
    window.open_map(next(iter(document.workspace.maps)))
    loop = QEventLoop()
    window.data_overlay.ready.connect(lambda *_: loop.quit())
    QTimer.singleShot(60_000, loop.quit)
    window.show_overlay("events")
    loop.exec()
    app.processEvents()
    elapsed = time.perf_counter() - start
    assert window.scene.overlay is not None, "the overlay did not arrive"
    window.close()
    return elapsed


def _floor(path: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("SELECT parquet FROM datasets").fetchone()
    conn.close()
    return time.perf_counter() - start


def run() -> list[Result]:
    """Open + overlay, median of 3, against the bare read of the same file."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-") as tmp:
        path = _prepare(Path(tmp))
        ours = sorted(_open_and_overlay(path) for _ in range(3))[1]
        floor = sorted(_floor(path) for _ in range(3))[1]
        return [Result(f"re-open + overlay ({ROWS:,} events)", ours, floor, max_median=2.0)]
