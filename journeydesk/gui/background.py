"""Work off the GUI thread without Qt calls from worker threads.

A worker thread only runs the function and puts the outcome into a Python queue; a timer on
the GUI thread collects it and calls back.  No signal is ever emitted from a worker: a Qt signal
emitted from a Python thread while the GUI thread, holding the GIL, destroys a connected object
deadlocks (the emitter holds Qt's connection lock and waits for the GIL; the destructor waits
for the lock).  When the owner is destroyed, its timer goes with it and late results are
simply dropped.

Workers are *not* daemon threads, and every :class:`BackgroundJobs` stops delivering and
cancels what it can when the application is about to quit (:meth:`BackgroundJobs.shutdown`).
A daemon thread still inside DuckDB when Python finalizes is killed the moment the query
returns and asks for the GIL back: CPython ends it with ``pthread_exit``, whose forced unwind
meets DuckDB's C++ ``catch (...)`` handlers ("FATAL: exception not rethrown") and the process
aborts with SIGABRT.  A non-daemon worker is joined by Python before finalization instead, and
a job's cancel hook (a database view's ``cancel``) makes that join short.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

Done = Callable[[Any, BaseException | None], None]


class Job:
    """One piece of submitted work: whether it runs, and a way to ask it to stop.

    :meth:`cancel` sets :attr:`cancelled` (work may poll it) and calls the hook given to
    :meth:`BackgroundJobs.submit` (for example a database view's ``cancel``, which interrupts
    its running query).  The outcome is still delivered, so the owner learns that the worker
    is free; owners that started newer work ignore it.
    """

    def __init__(self, name: str, on_cancel: Callable[[], object] | None = None):
        self.name = name
        self.cancelled = threading.Event()
        self._on_cancel = on_cancel
        self.thread: threading.Thread | None = None

    def cancel(self) -> None:
        """Ask the work to stop (idempotent; the hook runs once, its errors are ignored)."""
        if self.cancelled.is_set():
            return
        self.cancelled.set()
        if self._on_cancel is not None:
            with contextlib.suppress(Exception):  # a hook that fails must not stop a quit
                self._on_cancel()

    def running(self) -> bool:
        """Whether the worker thread is still running the work."""
        return self.thread is not None and self.thread.is_alive()


class BackgroundJobs(QObject):
    """Runs functions on worker threads; ``done(result, error)`` runs on the GUI thread."""

    POLL_MS = 20

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._results: queue.SimpleQueue[tuple[Done, Any, BaseException | None]] = \
            queue.SimpleQueue()
        self._jobs: list[Job] = []
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self.poll)
        app = QCoreApplication.instance()
        if app is not None:  # quitting: stop delivering and cancel before Python tears down
            app.aboutToQuit.connect(self.shutdown)

    def submit(self, work: Callable[[], Any], done: Done, name: str = "journeydesk-work",
               cancel: Callable[[], object] | None = None) -> Job:
        """Run ``work()`` on a worker thread; later ``done(result, error)`` on this thread.

        ``cancel`` is how to stop the work from another thread (see :meth:`Job.cancel`).
        After :meth:`shutdown` nothing runs and ``done`` is never called.
        """
        job = Job(name, cancel)
        if self._closed:
            job.cancel()
            return job
        results = self._results

        def run() -> None:
            try:
                outcome = work()
            except Exception as exc:  # handed to ``done``: never lost in the thread
                results.put((done, None, exc))
            else:
                results.put((done, outcome, None))

        # not a daemon: Python joins it before finalizing (see the module docstring)
        job.thread = threading.Thread(target=run, name=name, daemon=False)
        self._jobs = [j for j in self._jobs if j.running()]
        self._jobs.append(job)
        job.thread.start()
        self._timer.start()
        return job

    def poll(self) -> None:
        """Deliver finished work (the timer calls this; tests may too)."""
        while not self._closed:
            try:
                done, outcome, error = self._results.get_nowait()
            except queue.Empty:
                break
            done(outcome, error)
        if not self.busy():
            self._timer.stop()

    def busy(self) -> bool:
        """True while some work is running or waiting to be delivered."""
        return any(j.running() for j in self._jobs) or (
            not self._closed and not self._results.empty())

    def running(self) -> list[Job]:
        """The jobs whose workers are still running."""
        return [j for j in self._jobs if j.running()]

    def cancel_all(self) -> None:
        """Ask every running job to stop (their outcomes are still delivered)."""
        for job in self.running():
            job.cancel()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the running work has finished (for closing and for tests); False when
        some work was still running after ``timeout`` seconds."""
        for job in list(self._jobs):
            if job.thread is not None:
                job.thread.join(timeout)
        return not any(j.running() for j in self._jobs)

    def shutdown(self, timeout: float | None = None) -> bool:
        """Stop for good: deliver nothing more, cancel the running jobs; with ``timeout``,
        also wait that long for their workers.  Safe to call more than once."""
        self._closed = True
        with contextlib.suppress(RuntimeError):  # the timer may already be deleted
            self._timer.stop()
        self.cancel_all()
        while True:  # drop what was waiting: its callbacks may belong to deleted widgets
            try:
                self._results.get_nowait()
            except queue.Empty:
                break
        return self.wait(timeout) if timeout is not None else not self.running()
