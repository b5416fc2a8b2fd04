"""Workshop load in the app: 60 phones against a session started in the window.

The same room of phones as bench_workshop.py (its ``--phones`` mode, in a process of its own:
60 participants from 127.0.0.1, 20 notes each, every fifth sent twice, a vote) talks to a
session started in a real (offscreen) main window.  The window's timer stores what arrives;
the notes stay in the inbox, as they do until the facilitator accepts them.

Measured on the GUI thread, while the app's own event loop runs (QEventLoop.exec, as in the
app), from a second after the session started (its docks opened and the window laid out): a
heartbeat timer fires every 5 ms and records how late each
firing is: the longest lateness is the longest the GUI thread was blocked (goal: under 50
ms).  Also printed: the session's longest tick, notes stored (exactly once: rows counted in
the workspace), the inbox's size, peak RSS growth and the total time (goal: within a minute).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/run.py workshop_gui
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Result

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

PHONES = int(os.environ.get("JOURNEYDESK_BENCH_WORKSHOP_PHONES", "60"))
NOTES = int(os.environ.get("JOURNEYDESK_BENCH_WORKSHOP_NOTES", "20"))
HEARTBEAT_MS = 5
GOAL_BLOCK = 0.050
LIMIT_SECONDS = 60.0


def run() -> list[Result]:
    """The room's load against a session in the window; prints its figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication
    from samples import sample_map

    from journeydesk.app.workshop.record import inbox_notes
    from journeydesk.domain.commands import AddMapCommand
    from journeydesk.gui import heap
    from journeydesk.gui.main_window import MainWindow
    from journeydesk.store.document import Document
    from journeydesk.store.workshops import count_notes
    from journeydesk.store.workspace_file import WorkspaceFile

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        document = Document(WorkspaceFile.open(Path(tmp) / "load.jdesk", create=True))
        journey_map, personas = sample_map("Workshop")
        document.execute(AddMapCommand(journey_map, personas))
        window = MainWindow(document, remember_settings=False)
        window.resize(1280, 720)
        window.show()
        window.open_map(journey_map.id)
        heap.settle()  # as the app does before its window shows
        controller = window.workshop.controller
        url = controller.start("127.0.0.1", 0)
        assert url, "the session did not start"
        shown = document.workspace.maps[journey_map.id]
        controller.room.start_round({c.id: c.text for c in shown.ordered_cards()[:8]}, 3)
        # Starting a session lays the window out anew (the Session and Inbox docks open, the
        # canvas is narrower and repainted): the facilitator's click, before any phone joins.
        # The load is measured once that is done.
        settle = QEventLoop()
        QTimer.singleShot(1000, settle.quit)
        settle.exec()

        lateness: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.nsecsElapsed()]

        def beat() -> None:
            now = clock.nsecsElapsed()
            lateness.append(max(0.0, (now - last[0]) / 1e9 - HEARTBEAT_MS / 1000))
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(beat)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # the phones run niced: in a room they are other machines, not our two cores
        phones = subprocess.Popen(["nice", "-n", "19", sys.executable,
                                   str(HERE / "bench_workshop.py"), "--phones", url],
                                  stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "JOURNEYDESK_BENCH_WORKSHOP_PHONES":
                                       str(PHONES), "JOURNEYDESK_BENCH_WORKSHOP_NOTES":
                                       str(NOTES)})
        began = time.perf_counter()
        heartbeat.start()
        # the app's own event loop runs until the phones are done (as in the app: exec)
        loop = QEventLoop()
        watch = QTimer()
        watch.setInterval(50)
        watch.timeout.connect(lambda: loop.quit() if phones.poll() is not None or (
            time.perf_counter() - began > LIMIT_SECONDS * 2) else None)
        watch.start()
        loop.exec()
        watch.stop()
        app.processEvents()  # what the last tick queued
        total = time.perf_counter() - began
        heartbeat.stop()
        if phones.poll() is None:
            phones.kill()
        out, _ = phones.communicate(timeout=30)
        found = json.loads(out or "{}")
        controller.tick()  # the last votes
        record_id = controller.record.id
        longest_tick = controller.longest_tick
        inbox = len(inbox_notes(window.session, journey_map.id))
        controller.end()
        rows = count_notes(document.file, record_id)
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        window.close()
        document.close()
    expected = PHONES * NOTES
    lateness.sort()
    worst = lateness[-1] if lateness else 0.0
    p99 = lateness[int(len(lateness) * 0.99) - 1] if lateness else 0.0
    print(f"  workshop in the window: {PHONES} phones x {NOTES} notes in {total:.1f} s; "
          f"rows {rows} (expected {expected}), inbox {inbox}; errors "
          f"{len(found.get('errors', []))}")
    print(f"  workshop in the window: GUI thread blocked at most {worst * 1000:.1f} ms "
          f"(p99 {p99 * 1000:.1f} ms over {len(lateness)} heartbeats of {HEARTBEAT_MS} ms); "
          f"longest session tick {longest_tick * 1000:.1f} ms; peak RSS growth "
          f"{rss_growth / 1024:.1f} MB")
    for problem in found.get("errors", [])[:5]:
        print(f"  workshop in the window: PROBLEM: {problem}")
    if rows != expected or inbox != expected:
        print(f"  workshop in the window: PROBLEM: {rows} rows, {inbox} in the inbox for "
              f"{expected} notes")
    if total > LIMIT_SECONDS:
        print(f"  workshop in the window: PROBLEM: took {total:.1f} s")
    return [Result(f"workshop GUI block ({PHONES} phones)", worst, HEARTBEAT_MS / 1000,
                   max_median=GOAL_BLOCK)]


if __name__ == "__main__":
    for result in run():
        print(result.line())
