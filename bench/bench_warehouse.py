"""Database-source benchmark: a 6-stage funnel computed in PostgreSQL.

The benchmark starts its own PostgreSQL server (tests/postgres_server.py, Debian's packages) and
makes JOURNEYDESK_BENCH_PG_ROWS events there (default 1,000,000; ~40,000 users, 8 event names,
90 days, a platform column) with generate_series.  Floor, measured in the same run: the same
numbers (distinct users; users and median seconds per stage) by a hand-written PostgreSQL
query, against :func:`journeydesk.analytics.funnel.funnel` on a connected Warehouse (the SQL
that SQLAlchemy Core generates, as the app sends it).  Both fetch only the aggregates.
Quick run: JOURNEYDESK_BENCH_PG_ROWS=200000 .venv/bin/python bench/run.py warehouse
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from harness import Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from postgres_server import start_postgres, stop_postgres  # noqa: E402

from journeydesk.analytics.funnel import funnel  # noqa: E402
from journeydesk.analytics.warehouse import TableSource, Warehouse  # noqa: E402

ROWS = int(os.environ.get("JOURNEYDESK_BENCH_PG_ROWS", "1000000"))
USERS = max(ROWS // 25, 1)
EVENTS = ["home", "search", "product", "cart", "checkout", "payment", "confirm", "support"]
STAGES = [(name.capitalize(), [name]) for name in EVENTS[:6]]
REPEAT = 5


def make_table(engine: sa.Engine) -> None:
    """ROWS events of USERS users over 90 days, in no particular order."""
    names = ", ".join(f"'{e}'" for e in EVENTS)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"""
            CREATE TABLE events AS
            SELECT 'u' || (abs(hashtext(i::text)) %% {USERS}) AS user_id,
                   (ARRAY[{names}])[1 + abs(hashtext((i * 7)::text)) %% 8] AS event,
                   TIMESTAMP '2024-01-01'
                       + (abs(hashtext((i * 13)::text)) %% 7776000) * INTERVAL '1 second'
                       AS timestamp,
                   (ARRAY['ios', 'android', 'web'])[1 + abs(hashtext((i * 3)::text)) %% 3]
                       AS platform
            FROM generate_series(1, {ROWS}) AS i""")
        conn.exec_driver_sql("ANALYZE events")


def hand_written_sql() -> str:
    """The funnel numbers as one would write the query by hand for PostgreSQL."""
    every = ", ".join(f"'{e}'" for _, events in STAGES for e in events)
    ctes = [f"ev AS (SELECT user_id, event, timestamp AS ts FROM events "
            f"WHERE event IN ({every}))"]
    for k, (_, events) in enumerate(STAGES):
        names = ", ".join(f"'{e}'" for e in events)
        if k == 0:
            ctes.append(f"s0 AS (SELECT user_id, min(ts) AS t FROM ev WHERE event IN ({names}) "
                        "GROUP BY user_id)")
        else:
            ctes.append(f"s{k} AS (SELECT e.user_id, min(e.ts) AS t, p.t AS prev FROM ev e "
                        f"JOIN s{k - 1} p ON e.user_id = p.user_id AND e.ts >= p.t "
                        f"WHERE e.event IN ({names}) GROUP BY e.user_id, p.t)")
    parts = ["SELECT -1, count(DISTINCT user_id), NULL::float8 FROM events",
             "SELECT 0, count(*), NULL::float8 FROM s0"]
    parts += [f"SELECT {k}, count(*), percentile_cont(0.5) WITHIN GROUP "
              f"(ORDER BY extract(epoch FROM t - prev)::float8) FROM s{k}"
              for k in range(1, len(STAGES))]
    return f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}"


def interleaved(ours: Callable[[], object], floor: Callable[[], object]) -> tuple[float, float]:
    """Medians of ours and the floor, run in turns after one untimed run each."""
    ours()
    floor()
    mine, theirs = [], []
    for _ in range(REPEAT):
        for fn, times in ((ours, mine), (floor, theirs)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(theirs)


def run() -> list[Result]:
    """Run the database-source benchmark and return its result."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-pg-") as tmp:
        server = start_postgres(Path(tmp))
        try:
            engine = sa.create_engine(server.url())
            started = time.perf_counter()
            make_table(engine)
            print(f"{'  (made the PostgreSQL table':<32} {ROWS:,} rows in "
                  f"{time.perf_counter() - started:.1f} s)", flush=True)
            sql = hand_written_sql()

            def floor() -> dict[int, tuple]:
                with engine.connect() as conn:
                    return {int(k): (int(n), m) for k, n, m in conn.exec_driver_sql(sql)}

            with Warehouse(TableSource(server.url(with_password=False), "events"),
                           password=server.password) as warehouse:
                mine = funnel(warehouse, STAGES)
                hand = floor()
                assert mine.users_total == hand[-1][0]
                assert [s.users for s in mine.stages] == [hand[k][0] for k in range(6)]
                assert [s.median_seconds_from_previous for s in mine.stages[1:]] == \
                    [float(hand[k][1]) for k in range(1, 6)]
                ours, base = interleaved(lambda: funnel(warehouse, STAGES), floor)
            engine.dispose()
        finally:
            stop_postgres(server)
    return [Result(f"funnel 6 stages in PostgreSQL, {ROWS:,} events", ours, base,
                   max_ratio=1.5)]
