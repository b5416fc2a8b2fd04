"""The latest computation of one dock panel, off the GUI thread.

A panel of the analytics dock (what people did instead, retention) shows one result at a time.
:class:`LatestWork` keeps the analytics dock's rules for it: a request is keyed by everything
its numbers depend on and asking again with the same key does nothing; a newer request
supersedes an older one (one still waiting is replaced, a running one is cancelled: a database
source's query is interrupted, a local DuckDB query runs out and its result is dropped); at
most one worker runs at a time; only the latest result is delivered.  Its
:class:`~journeydesk.gui.background.BackgroundJobs` stops delivering and cancels its work when
the application quits, and :meth:`LatestWork.close` does the same when the dock closes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject

from journeydesk.app.event_data import was_cancelled
from journeydesk.gui.background import BackgroundJobs, Job

Delivered = Callable[[Any, BaseException | None], None]


class LatestWork(QObject):
    """One panel's computations: the newest request wins, one worker at a time."""

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.jobs = BackgroundJobs(self)
        self.key: Any = None  # what is on show or being computed
        self._token = 0  # of the latest request
        self._job: Job | None = None
        self._job_token: int | None = None
        self._pending: Callable[[], None] | None = None

    def request(self, key: Any, work: Callable[[Any], Any], data: Callable[[], Any],
                done: Delivered) -> bool:
        """Compute ``work(data())`` for ``key`` unless that key is on show or computing;
        ``done(result, error)`` runs on the GUI thread if this is still the latest request
        then.  A cancelled query is no error: ``done`` is not called and the key is
        forgotten, so the next request computes it again."""
        if key == self.key:
            return False
        self.key = key
        self._token += 1
        start = partial(self._start, self._token, work, data, done)
        if self._job is not None:  # one worker at a time: the newest request waits for it
            self._job.cancel()
            self._pending = start
        else:
            self._pending = None
            start()
        return True

    def _start(self, token: int, work: Callable[[Any], Any], data: Callable[[], Any],
               done: Delivered) -> None:
        source = data()
        if source is None:
            self.key = None
            return
        cancel = getattr(source, "cancel", None)  # a database view: interrupts its query
        self._job_token = token
        self._job = self.jobs.submit(partial(work, source),
                                     partial(self._on_delivered, token, done),
                                     name=f"journeydesk-{self.name}",
                                     cancel=cancel if callable(cancel) else None)

    def _on_delivered(self, token: int, done: Delivered, result: object,
                      error: BaseException | None) -> None:
        if token == self._job_token:
            self._job, self._job_token = None, None
            if self._pending is not None:  # the worker is free: start the newest request
                start, self._pending = self._pending, None
                start()
        if token != self._token:
            return  # an older computation finished after a newer one was asked for
        if error is not None and was_cancelled(error):
            self.key = None
            return
        done(result, error)

    def busy(self) -> bool:
        """Whether a computation runs or waits to."""
        return self._job is not None or self._pending is not None

    def cancel(self) -> None:
        """Forget the latest request: nothing waiting starts, what runs is cancelled and its
        result dropped."""
        self.key = None
        self._token += 1
        self._pending = None
        if self._job is not None:
            self._job.cancel()

    def close(self) -> None:
        """Stop for good (the dock is closing): cancel and deliver nothing more."""
        self.cancel()
        self.jobs.shutdown()
