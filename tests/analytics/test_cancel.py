"""A background job's local queries stop when it is cancelled (the analytics dock cancels the
charts whose inputs changed, and everything when the window closes)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from journeydesk.analytics import series
from journeydesk.analytics.engine import Cancelled, Interruptible, connect
from journeydesk.analytics.funnel import funnel

STAGES = [("Visit", ["e0"]), ("Look", ["e1"]), ("Cart", ["e2"]), ("Pay", ["e3"])]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two million events of 200,000 users (slow enough to be stopped midway)."""
    path = tmp_path_factory.mktemp("cancel") / "events.parquet"
    con = connect()
    con.execute(f"""COPY (SELECT 'u' || (i % 200000) AS "user", 'e' || (hash(i) % 5) AS event,
                     TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i * 7) % 8000000 AS BIGINT))
                     AS ts FROM range(2000000) t(i)) TO '{path}' (FORMAT parquet)""")
    con.close()
    return path


def test_a_cancelled_handle_refuses_new_queries(big: Path) -> None:
    handle = Interruptible(big)
    handle.cancel()
    with pytest.raises(Cancelled):
        funnel(handle, STAGES)
    assert funnel(Interruptible(big), STAGES).users_total == 200000  # a new handle works


def test_cancel_stops_a_running_query(big: Path) -> None:
    whole = time.perf_counter()
    funnel(big, STAGES, window_seconds=86400.0)
    whole = time.perf_counter() - whole

    handle = Interruptible(big)
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = series.weekly_counts(handle, STAGES, window_seconds=86400.0)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(min(0.2, whole / 4))
    stopped = time.perf_counter()
    handle.cancel()
    worker.join(30)
    assert not worker.is_alive()
    assert isinstance(outcome.get("error"), Cancelled), outcome
    assert time.perf_counter() - stopped < max(0.5, whole / 2), (whole, outcome)


def test_a_cancel_between_two_queries_stops_the_next(big: Path) -> None:
    """DuckDB drops an interrupt sent while it is idle: the handle remembers it."""
    from journeydesk.analytics import funnel as funnel_module

    handle = Interruptible(big)
    opts = funnel_module.FunnelOptions()
    with funnel_module._Query(handle, opts) as q:  # noqa: SLF001 - two queries, one connection
        assert q.rows([], "SELECT 1") == [(1,)]
        handle.cancel()  # nothing runs at this moment
        with pytest.raises(Cancelled):
            q.rows([], "SELECT count(*) FROM range(100000000)")
