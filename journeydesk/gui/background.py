"""Work off the GUI thread without Qt calls from worker threads.

A worker thread only runs the function and puts the outcome into a Python queue; a timer on
the GUI thread collects it and calls back.  No signal is ever emitted from a worker: a Qt signal
emitted from a Python thread while the GUI thread, holding the GIL, destroys a connected object
deadlocks (the emitter holds Qt's connection lock and waits for the GIL; the destructor waits
for the lock).  When the owner is destroyed, its timer goes with it and late results are
simply dropped.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

Done = Callable[[Any, BaseException | None], None]


class BackgroundJobs(QObject):
    """Runs functions on daemon threads; ``done(result, error)`` runs on the GUI thread."""

    POLL_MS = 20

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._results: queue.SimpleQueue[tuple[Done, Any, BaseException | None]] = \
            queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self.poll)

    def submit(self, work: Callable[[], Any], done: Done, name: str = "journeydesk-work") -> None:
        """Run ``work()`` on a worker thread; later ``done(result, error)`` on this thread."""
        results = self._results

        def run() -> None:
            try:
                outcome = work()
            except Exception as exc:  # handed to ``done``: never lost in the thread
                results.put((done, None, exc))
            else:
                results.put((done, outcome, None))

        thread = threading.Thread(target=run, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()
        self._timer.start()

    def poll(self) -> None:
        """Deliver finished work (the timer calls this; tests may too)."""
        while True:
            try:
                done, outcome, error = self._results.get_nowait()
            except queue.Empty:
                break
            done(outcome, error)
        if not self.busy():
            self._timer.stop()

    def busy(self) -> bool:
        """True while some work is running or waiting to be delivered."""
        return any(t.is_alive() for t in self._threads) or not self._results.empty()

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the running work has finished (for closing and for tests)."""
        for thread in list(self._threads):
            thread.join(timeout)
