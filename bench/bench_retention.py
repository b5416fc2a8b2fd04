"""Retention benchmark: a 12-week retention table after a purchase, by week cohort.

The data is made here as Parquet: JOURNEYDESK_BENCH_RETENTION_ROWS rows (default 5,000,000;
~ROWS / 25 users, 6 event names over 180 days).  The floor is a hand-written DuckDB query over
the same file computing the same numbers (each user's first visit, their first purchase after
it, the week periods from it, who is observable, the cohort triangle in period n and n or
later), against ``retention`` given the file (a two-stage map, anchor Purchase, every week,
12 periods).  Both must give the same triangle.

Quick run: JOURNEYDESK_BENCH_RETENTION_ROWS=1000000 .venv/bin/python bench/run.py retention
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import Result

from journeydesk.analytics import engine
from journeydesk.analytics.retention import retention

ROWS = int(os.environ.get("JOURNEYDESK_BENCH_RETENTION_ROWS", "5000000"))
USERS = max(ROWS // 25, 1)
EVENTS = ["home", "search", "product", "purchase", "use", "support"]
STAGES = [("Visit", ["home"]), ("Purchase", ["purchase"])]
PERIODS = 12
WEEK_US = 7 * 86_400 * 1_000_000
REPEAT = 3


def make_parquet(path: Path) -> None:
    """ROWS events of USERS users over 180 days, in no particular order."""
    names = ", ".join(f"'{e}'" for e in EVENTS)
    con = engine.connect(path.parent)
    try:
        con.execute(f"""
            COPY (SELECT 'u' || (hash(i) % {USERS}) AS "user",
                         ([{names}])[1 + (hash(i * 7) % 6)::INTEGER] AS event,
                         TIMESTAMP '2024-01-01' + to_seconds(hash(i * 13) % 15552000) AS ts,
                         (['ios', 'android', 'web'])[1 + (hash(i * 3) % 3)::INTEGER] AS platform
                  FROM range({ROWS}) t(i))
            TO '{path}' (FORMAT parquet)""")
    finally:
        con.close()


def floor_retention(parquet: Path) -> dict[tuple, tuple[int, int, int]]:
    """The week cohort triangle as one would write the query by hand: {(Monday, n):
    (observable, in period n, n or later)}."""
    src = f"read_parquet('{parquet}')"
    sql = f"""
        WITH f AS (SELECT "user", min(ts) AS t FROM {src} WHERE event = 'home'
                   GROUP BY "user"),
        anc AS (SELECT e."user", min(e.ts) AS a FROM {src} e JOIN f ON e."user" = f."user"
                AND e.ts >= f.t WHERE e.event = 'purchase' GROUP BY e."user"),
        fin AS (SELECT max(ts) AS z FROM {src}),
        act AS (SELECT e."user", (epoch_us(e.ts) - epoch_us(x.a)) // {WEEK_US} AS n
                FROM {src} e JOIN anc x ON e."user" = x."user"
                WHERE e.ts >= x.a + INTERVAL 7 DAY),
        per_user AS (SELECT "user", list(DISTINCT n) FILTER (n <= {PERIODS}) AS ns,
                     max(n) AS m FROM act GROUP BY "user"),
        u AS (SELECT x."user", CAST(date_trunc('week', x.a) AS DATE) AS c,
              (epoch_us(fin.z) - epoch_us(x.a)) // {WEEK_US} - 1 AS o,
              coalesce(p.m, 0) AS m, coalesce(p.ns, []) AS ns
              FROM anc x CROSS JOIN fin LEFT JOIN per_user p ON p."user" = x."user")
        SELECT c, n, count(*) FILTER (WHERE o >= n),
               count(*) FILTER (WHERE o >= n AND list_contains(ns, n)),
               count(*) FILTER (WHERE o >= n AND m >= n)
        FROM u CROSS JOIN range(1, {PERIODS + 1}) r(n) GROUP BY c, n"""
    con = engine.connect(parquet.parent)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    return {(c, int(n)): (int(a), int(b), int(d)) for c, n, a, b, d in rows}


def ours(parquet: Path) -> dict[tuple, tuple[int, int, int]]:
    """``retention`` over the file, as the same triangle."""
    found = retention(parquet, STAGES, 1, every="week", periods=PERIODS, cohort="week")
    return {(k.start, c.period): (c.observable, c.in_period, c.or_later)
            for k in found.cohorts for c in k.cells if k.users}


def interleaved(mine: Callable[[], object], floor: Callable[[], object]
                ) -> tuple[float, float]:
    """Medians of ours and the floor, run in turns after one untimed run each."""
    mine()
    floor()
    a, b = [], []
    for _ in range(REPEAT):
        for fn, times in ((mine, a), (floor, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def run() -> list[Result]:
    """The retention table against the hand-written query (same numbers), ratio <= 1.5."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-retention-") as tmp:
        parquet = Path(tmp) / "events.parquet"
        make_parquet(parquet)
        mine, floor = ours(parquet), floor_retention(parquet)
        assert mine == floor, "retention and the hand-written query disagree"
        median, floor_median = interleaved(lambda: ours(parquet),
                                           lambda: floor_retention(parquet))
    return [Result(f"retention 12 weeks, {ROWS:,} ev", median, floor_median, max_ratio=1.5)]


if __name__ == "__main__":
    for result in run():
        print(result.line())
