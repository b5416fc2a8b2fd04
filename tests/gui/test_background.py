"""Work off the GUI thread: delivery on the GUI thread, cancelling, and stopping for good."""

from __future__ import annotations

import threading

import pytest

from journeydesk.gui.background import BackgroundJobs


def test_results_and_errors_come_back_on_the_gui_thread(qtbot) -> None:  # noqa: ANN001
    jobs = BackgroundJobs()
    got: list[tuple[object, object, str]] = []

    def done(result: object, error: object) -> None:
        got.append((result, error, threading.current_thread().name))

    job = jobs.submit(lambda: 42, done, name="test-answer")
    assert job.thread is not None and not job.thread.daemon  # joined by Python at exit
    jobs.submit(lambda: 1 / 0, done)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert got[0] == (42, None, threading.main_thread().name)
    assert isinstance(got[1][1], ZeroDivisionError)
    assert not jobs.busy()
    jobs.deleteLater()


def test_cancel_calls_the_hook_once_and_still_delivers(qtbot) -> None:  # noqa: ANN001
    jobs = BackgroundJobs()
    gate = threading.Event()
    hooks: list[str] = []

    def hook() -> None:
        hooks.append("cancel")
        gate.set()  # like a database view: the query stops
        raise RuntimeError("a hook that fails must not stop anything")

    got: list[object] = []
    job = jobs.submit(lambda: gate.wait(10) and "stopped", lambda r, e: got.append(r),
                      cancel=hook)
    assert job.running() and jobs.running() == [job]
    job.cancel()
    job.cancel()
    assert hooks == ["cancel"] and job.cancelled.is_set()
    qtbot.waitUntil(lambda: got == ["stopped"], timeout=5000)  # the owner learns it is free
    jobs.deleteLater()


def test_shutdown_cancels_and_delivers_nothing_more(qtbot) -> None:  # noqa: ANN001
    jobs = BackgroundJobs()
    gate = threading.Event()
    got: list[object] = []
    job = jobs.submit(lambda: gate.wait(10), lambda r, e: got.append(r), cancel=gate.set)
    finished = jobs.submit(lambda: "early", lambda r, e: got.append(r))
    finished.thread.join(5)
    assert jobs.shutdown(timeout=5)  # cancelled (the hook releases it), then joined
    assert job.cancelled.is_set() and not job.running()
    jobs.poll()
    qtbot.wait(3 * BackgroundJobs.POLL_MS)
    assert got == []  # neither the cancelled job nor the one waiting to be delivered
    late = jobs.submit(lambda: pytest.fail("must not run"), lambda r, e: got.append(r))
    assert late.thread is None and late.cancelled.is_set()
    assert jobs.shutdown() and not jobs.busy()
    jobs.deleteLater()
