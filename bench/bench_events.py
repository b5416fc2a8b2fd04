"""Event-data benchmarks: importing a large event log, and a 6-stage funnel over it.

The data is made here: JOURNEYDESK_BENCH_EVENT_ROWS rows (default 5,000,000; ~200,000 users,
8 event names, a platform attribute) as a CSV file.  Floors and peers, measured in the same run:

- import: DuckDB's own ``read_csv`` of the same file into a table (types sniffed), against
  ``load_events`` (columns mapped, times parsed, every row checked, Parquet bytes out, users
  and events counted); a second line puts ``journeydesk import-events`` (the command, run
  in-process: the file read and checked, the dataset stored in a workspace) against DuckDB's
  own CSV -> Parquet (``COPY (SELECT * FROM read_csv(...)) TO 'x.parquet'``);
- funnel: a hand-written DuckDB query over the same Parquet computing the same numbers (users
  and median time per stage, distinct users), against ``funnel`` given the dataset's bytes;
- funnel with a 7-day conversion window: ClickHouse's own ``windowFunnel(604800)`` (run in
  process by the ``chdb`` package, ``pip install -e ".[bench]"``) over the same Parquet file,
  against ``funnel`` with ``MetricsOptions(window_seconds=604800)`` over the dataset's cached
  Parquet file, as the app reads it.  Both must give the same users per stage (docs/data.md:
  with no period, ours *is* windowFunnel in its default mode).  Without chdb the line is
  skipped, with a note saying so.

The peak memory of an import (ru_maxrss of a child process doing only that) is printed too.
Quick run: JOURNEYDESK_BENCH_EVENT_ROWS=500000 .venv/bin/python bench/run.py events
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import Result

from journeydesk.analytics import engine
from journeydesk.analytics.events import load_events
from journeydesk.analytics.funnel import funnel
from journeydesk.app.metrics import MetricsOptions

ROWS = int(os.environ.get("JOURNEYDESK_BENCH_EVENT_ROWS", "5000000"))
USERS = max(ROWS // 25, 1)
EVENTS = ["home", "search", "product", "cart", "checkout", "payment", "confirm", "support"]
STAGES = [(name.capitalize(), [name]) for name in EVENTS[:6]]
REPEAT = 3
WINDOW_SECONDS = 7 * 86400


def make_csv(path: Path) -> None:
    """ROWS events of USERS users over 90 days, in no particular order."""
    names = ", ".join(f"'{e}'" for e in EVENTS)
    con = engine.connect(path.parent)
    try:
        con.execute(f"""
            COPY (SELECT 'u' || (hash(i) % {USERS}) AS user_id,
                         ([{names}])[1 + (hash(i * 7) % 8)::INTEGER] AS event,
                         strftime(TIMESTAMP '2024-01-01' + to_seconds(hash(i * 13) % 7776000),
                                  '%Y-%m-%d %H:%M:%S') AS timestamp,
                         (['ios', 'android', 'web'])[1 + (hash(i * 3) % 3)::INTEGER] AS platform
                  FROM range({ROWS}) t(i))
            TO '{path}' (HEADER, DELIMITER ',')""")
    finally:
        con.close()


def floor_import(path: Path) -> None:
    """DuckDB reading the CSV into a table by itself."""
    con = engine.connect(path.parent)
    try:
        con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{path}')")
    finally:
        con.close()


def floor_csv_to_parquet(path: Path) -> None:
    """DuckDB converting the CSV to Parquet by itself (types sniffed, nothing checked)."""
    con = engine.connect(path.parent)
    try:
        con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{path}.parquet' "
                    "(FORMAT parquet)")
    finally:
        con.close()


def floor_same_work(path: Path, store: Path) -> None:
    """What an import does besides converting, done with the bare libraries: DuckDB's CSV ->
    Parquet, the summary the command prints and stores (rows, users, events, time range), and
    the Parquet stored in an SQLite file with a durable commit, as the workspace keeps it."""
    import sqlite3

    out = Path(f"{path}.parquet")
    con = engine.connect(path.parent)
    try:
        con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{out}' (FORMAT parquet)")
        con.execute(f"SELECT count(*), min(timestamp), max(timestamp), histogram(event), "
                    f"count(DISTINCT user_id) FROM read_parquet('{out}')").fetchall()
    finally:
        con.close()
    db = sqlite3.connect(store)
    try:
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, data BLOB)")
        db.execute("INSERT OR REPLACE INTO blobs VALUES ('events', ?)", [out.read_bytes()])
        db.commit()
    finally:
        db.close()


def floor_funnel(parquet: Path) -> list[tuple]:
    """The funnel numbers as one would write the query by hand."""
    source = f"read_parquet('{parquet}')"
    ctes = []
    for k, (_, events) in enumerate(STAGES):
        names = ", ".join(f"'{e}'" for e in events)
        if k == 0:
            ctes.append(f"s0 AS (SELECT \"user\", min(ts) AS t, NULL::TIMESTAMP AS prev "
                        f"FROM {source} WHERE event IN ({names}) GROUP BY \"user\")")
        else:
            ctes.append(f"s{k} AS (SELECT e.\"user\", min(e.ts) AS t, p.t AS prev "
                        f"FROM {source} e JOIN s{k - 1} p ON e.\"user\" = p.\"user\" "
                        f"AND e.ts >= p.t WHERE e.event IN ({names}) GROUP BY e.\"user\", p.t)")
    parts = [f"SELECT {k}, count(*), median(epoch(t) - epoch(prev)) FROM s{k}"
             for k in range(len(STAGES))]
    parts.append(f"SELECT -1, count(DISTINCT \"user\"), NULL FROM {source}")
    con = engine.connect(parquet.parent)
    try:
        return con.execute(f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}").fetchall()
    finally:
        con.close()


def import_events_command(csv_path: Path, workspace: Path) -> None:
    """``journeydesk import-events WORKSPACE FILE --replace``, run in this process (the command's
    printed summary and notes are swallowed)."""
    import contextlib
    import io

    from journeydesk.cli.main import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(["import-events", str(workspace), str(csv_path), "--name", "events",
                       "--replace"])
    assert status == 0, f"import-events exited with {status}"


def chdb_query() -> Callable[[str], str] | None:
    """chdb's ``query`` returning CSV text, or None when chdb is not installed."""
    try:
        import chdb
    except ImportError:
        return None
    return lambda sql: str(chdb.query(sql, "CSV"))


def peer_window_funnel(query: Callable[[str], str], parquet: Path) -> tuple[int, list[int]]:
    """ClickHouse's ``windowFunnel`` over the Parquet file: the users, and for each stage k the
    users whose level is at least k (a user with no stage-1 event has level 0)."""
    conditions = ", ".join(" OR ".join(f"event = '{e}'" for e in events)
                           for _, events in STAGES)
    text = query(f"""
        SELECT level, count() FROM (
            SELECT windowFunnel({WINDOW_SECONDS})(toDateTime(ts), {conditions}) AS level
            FROM file('{parquet}', Parquet) GROUP BY `user`)
        GROUP BY level""")
    levels = {int(k): int(n) for k, n in (line.split(",") for line in text.split())}
    return (sum(levels.values()),
            [sum(n for k, n in levels.items() if k >= stage) for stage in range(1, 7)])


def interleaved(ours: Callable[[], object], floor: Callable[[], object]) -> tuple[float, float]:
    """Medians of ours and the floor, run in turns (after one untimed run each), so that a
    noisy spell of the machine hits both alike."""
    ours()
    floor()
    mine, theirs = [], []
    for _ in range(REPEAT):
        for fn, times in ((ours, mine), (floor, theirs)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(theirs)


def window_funnel_against_clickhouse(parquet: Path) -> list[Result]:
    """The 6-stage funnel with a 7-day window against chdb's windowFunnel (same counts)."""
    query = chdb_query()
    name = f"funnel 6 stages 7d, {ROWS:,} ev"
    if query is None:
        print(f"{name:<32} skipped: chdb is not installed (pip install -e '.[bench]' or "
              "make bench installs it)", flush=True)
        return []
    options = MetricsOptions.make(window_seconds=WINDOW_SECONDS).query()
    mine = funnel(parquet, STAGES, **options)
    users_total, levels = peer_window_funnel(query, parquet)
    assert mine.users_total == users_total, (mine.users_total, users_total)
    assert [s.users for s in mine.stages] == levels, ([s.users for s in mine.stages], levels)
    ours, peer = interleaved(lambda: funnel(parquet, STAGES, **options),
                             lambda: peer_window_funnel(query, parquet))
    return [Result(name, ours, peer, max_ratio=1.0)]


CHILD_IMPORT = """
import sys
from journeydesk.analytics.events import load_events
load_events(sys.argv[1])
"""
CHILD_FLOOR = """
import sys
from journeydesk.analytics import engine
con = engine.connect()
con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{sys.argv[1]}')")
"""


# A child made straight from this (large) process starts with its peak as ru_maxrss: Linux
# carries the parent's high-water mark over fork (vfork) and exec.  So a small launcher starts
# the measured process and reports its children's ru_maxrss.
LAUNCHER = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], check=True,
               stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_memory_mb(code: str, path: Path) -> float:
    """ru_maxrss of a child process running ``code`` on ``path``, in MB."""
    result = subprocess.run([sys.executable, "-c", LAUNCHER, code, str(path)],
                            capture_output=True, text=True, check=True, cwd=path.parent)
    return int(result.stdout.strip().splitlines()[-1]) / 1024  # Linux reports KiB


def run() -> list[Result]:
    """Run the event-data benchmarks and return their results."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-") as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "events.csv"
        make_csv(csv_path)
        size_mb = csv_path.stat().st_size / 1e6
        result = load_events(csv_path)
        assert result.row_count == ROWS and result.user_count <= USERS
        ours, floor = interleaved(lambda: load_events(csv_path), lambda: floor_import(csv_path))
        results = [Result(f"import {ROWS:,} events (CSV)", ours, floor, max_ratio=1.5)]
        # The command against a floor that also writes Parquet (the import's output is a
        # Parquet blob, which read_csv into a table does not make).
        workspace = tmp / "import.jdesk"
        ours, floor = interleaved(lambda: import_events_command(csv_path, workspace),
                                  lambda: floor_csv_to_parquet(csv_path))
        results.append(Result("import-events vs CSV->Parquet", ours, floor,
                              max_ratio=1.3))
        # The same command against a floor doing the same work with the bare libraries: the
        # conversion, the summary and the durable store (the goal above has only the first).
        ours, floor = interleaved(lambda: import_events_command(csv_path, workspace),
                                  lambda: floor_same_work(csv_path, tmp / "floor.sqlite"))
        results.append(Result("import-events vs same work", ours, floor, max_ratio=1.3))

        parquet = tmp / "events.parquet"
        parquet.write_bytes(result.parquet)
        data = result.parquet
        mine = funnel(data, STAGES)
        hand = {k: (n, med) for k, n, med in floor_funnel(parquet)}
        assert mine.users_total == hand[-1][0]
        assert [s.users for s in mine.stages] == [hand[k][0] for k in range(len(STAGES))]
        ours, floor = interleaved(lambda: funnel(data, STAGES), lambda: floor_funnel(parquet))
        results.append(Result(f"funnel 6 stages, {ROWS:,} events", ours, floor,
                              max_ratio=1.2))
        results += window_funnel_against_clickhouse(parquet)

        ours_mb = peak_memory_mb(CHILD_IMPORT, csv_path)
        floor_mb = peak_memory_mb(CHILD_FLOOR, csv_path)
        print(f"{'import peak memory':<32} {ours_mb:7.0f} MB ru_maxrss (child process; "
              f"floor read_csv into a table {floor_mb:.0f} MB; CSV {size_mb:.0f} MB, "
              f"Parquet {len(data) / 1e6:.0f} MB)", flush=True)
    return results
