"""What people did instead, and flows: the engine against hand-written DuckDB queries.

The data is made here as a dataset's Parquet: JOURNEYDESK_BENCH_PATHS_ROWS events (default
JOURNEYDESK_BENCH_EVENT_ROWS, else 5,000,000; ~25 events a user, 8 event names over 90 days,
a platform attribute).  Peers, measured in the same run (interleaved, medians):

- next events: the next events and 3-event paths of the users who dropped off before
  Checkout in a 6-stage funnel, written by hand for this log (each stage one event name: the
  chain as plain min() joins, the later events with lag() and row_number()), against
  ``next_events`` given the Parquet file;
- flows: each user's collapsed stage sequence and the moves between stages, written by hand
  (one stage per event name: a CASE), against ``flows``.

Both peers must give the same numbers.  Quick run:
JOURNEYDESK_BENCH_PATHS_ROWS=1000000 .venv/bin/python bench/run.py paths
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
from journeydesk.analytics.paths import flows, next_events

ROWS = int(os.environ.get("JOURNEYDESK_BENCH_PATHS_ROWS",
                          os.environ.get("JOURNEYDESK_BENCH_EVENT_ROWS", "5000000")))
USERS = max(ROWS // 25, 1)
EVENTS = ["home", "search", "product", "cart", "checkout", "payment", "confirm", "support"]
STAGES = [(name.capitalize(), [name]) for name in EVENTS[:6]]
DROP = 4  # the drop-off before Checkout (after Cart)
STEPS, TOP = 3, 10
REPEAT = 5


def make_parquet(path: Path) -> None:
    """ROWS events of USERS users over 90 days, as a dataset's Parquet (user, event, ts,
    platform)."""
    names = ", ".join(f"'{e}'" for e in EVENTS)
    con = engine.connect(path.parent)
    try:
        con.execute(f"""
            COPY (SELECT 'u' || (hash(i) % {USERS}) AS "user",
                         ([{names}])[1 + (hash(i * 7) % 8)::INTEGER] AS event,
                         TIMESTAMP '2024-01-01' + to_seconds(hash(i * 13) % 7776000) AS ts,
                         (['ios', 'android', 'web'])[1 + (hash(i * 3) % 3)::INTEGER] AS platform
                  FROM range({ROWS}) t(i))
            TO '{path}' (FORMAT parquet)""")
    finally:
        con.close()


def _run(path: Path, sql: str) -> list[tuple]:
    con = engine.connect(path.parent)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def hand_next_events(path: Path) -> tuple[int, list[tuple], list[tuple]]:
    """The dropped users, their top next events and top paths, as one would write it."""
    src = f"read_parquet('{path}')"
    ctes = [f"s0 AS (SELECT \"user\", min(ts) AS t FROM {src} WHERE event = 'home' "
            "GROUP BY \"user\")"]
    for k in range(1, DROP + 1):
        ctes.append(f"s{k} AS (SELECT e.\"user\", min(e.ts) AS t FROM {src} e JOIN s{k - 1} p "
                    f"ON e.\"user\" = p.\"user\" AND e.ts >= p.t WHERE e.event = "
                    f"'{EVENTS[k]}' GROUP BY e.\"user\")")
    ctes += [
        f"dropped AS (SELECT s.\"user\", s.t FROM s{DROP - 1} s ANTI JOIN s{DROP} x "
        "ON s.\"user\" = x.\"user\")",
        f"nxt AS (SELECT e.\"user\", e.event, e.ts, lag(e.event) OVER (PARTITION BY e.\"user\" "
        f"ORDER BY e.ts, e.event) AS prev FROM {src} e JOIN dropped d "
        "ON e.\"user\" = d.\"user\" AND e.ts > d.t)",
        "steps AS (SELECT \"user\", event, row_number() OVER (PARTITION BY \"user\" "
        "ORDER BY ts, event) AS n FROM nxt WHERE prev IS DISTINCT FROM event)",
        "paths AS (SELECT d.\"user\", " + ", ".join(
            f"max(s.event) FILTER (WHERE s.n = {i}) AS e{i}" for i in range(1, STEPS + 1))
        + " FROM dropped d LEFT JOIN steps s ON s.\"user\" = d.\"user\" AND s.n <= "
        f"{STEPS} GROUP BY d.\"user\")"]
    sql = (f"WITH {', '.join(ctes)} SELECT 0, count(*), NULL, NULL, NULL FROM paths "
           "UNION ALL SELECT * FROM (SELECT 1, count(*) AS n, e1, NULL, NULL FROM paths "
           f"GROUP BY e1 ORDER BY n DESC, e1 NULLS LAST LIMIT {TOP}) "
           "UNION ALL SELECT * FROM (SELECT 2, count(*) AS n, e1, e2, e3 FROM paths "
           "GROUP BY e1, e2, e3 ORDER BY n DESC, e1 NULLS LAST, e2 NULLS LAST, e3 NULLS LAST "
           f"LIMIT {TOP})")
    rows = _run(path, sql)
    users = next(int(r[1]) for r in rows if r[0] == 0)
    firsts = sorted(((r[2], int(r[1])) for r in rows if r[0] == 1),
                    key=lambda r: (-r[1], r[0] is None, r[0] or ""))
    paths = sorted(((tuple(r[2:]), int(r[1])) for r in rows if r[0] == 2),
                   key=lambda r: (-r[1], [(e is None, e or "") for e in r[0]]))
    return users, firsts, paths


def hand_flows(path: Path) -> list[tuple]:
    """The flows' counts (users, in order, starts, exits, moves), as one would write it."""
    case = " ".join(f"WHEN '{e}' THEN {k}" for k, (_, (e,)) in enumerate(STAGES))
    names = ", ".join(f"'{e}'" for _, (e,) in STAGES)
    sql = f"""
        WITH b AS (SELECT "user", ts, CASE event {case} END AS s FROM read_parquet('{path}')
                   WHERE event IN ({names})),
             o AS (SELECT "user", ts, s, lag(s) OVER (PARTITION BY "user" ORDER BY ts, s) AS p
                   FROM b),
             per AS (SELECT "user", arg_min(s, (ts, s)) AS first, arg_max(s, (ts, s)) AS last,
                            bool_or(s > p + 1) AS skip, bool_or(s < p) AS back
                     FROM o GROUP BY "user"),
             pairs AS (SELECT DISTINCT "user", p, s FROM o WHERE p <> s)
        SELECT 0, 0, 0, count(*) FROM per
        UNION ALL SELECT 0, 1, 0, count(*) FROM per
            WHERE first = 0 AND NOT coalesce(skip, false) AND NOT coalesce(back, false)
        UNION ALL SELECT 1, first, 0, count(*) FROM per GROUP BY first
        UNION ALL SELECT 2, last, 0, count(*) FROM per GROUP BY last
        UNION ALL SELECT 3, p, s, count(*) FROM pairs GROUP BY p, s"""
    return _run(path, sql)


def interleaved(ours: Callable[[], object], floor: Callable[[], object]) -> tuple[float, float]:
    """Medians of ours and the peer, run in turns (after one untimed run each)."""
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
    """Run the paths and flows benchmarks and return their results."""
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-paths-") as tmp:
        parquet = Path(tmp) / "events.parquet"
        make_parquet(parquet)

        mine = next_events(parquet, STAGES, DROP, steps=STEPS, top=TOP)
        users, firsts, paths = hand_next_events(parquet)
        assert mine.users == users, (mine.users, users)
        assert [(e.event, e.users) for e in mine.next_events] == firsts
        assert [(p.path + (None,) * (STEPS - len(p.path)), p.users) for p in mine.paths] == \
            paths
        ours, peer = interleaved(lambda: next_events(parquet, STAGES, DROP, steps=STEPS,
                                                     top=TOP),
                                 lambda: hand_next_events(parquet))
        results = [Result(f"next events, {ROWS:,} events", ours, peer, max_ratio=1.5)]

        moves = flows(parquet, STAGES)
        hand = {(int(k), int(a), int(b)): int(n) for k, a, b, n in hand_flows(parquet)}
        assert moves.users == hand[(0, 0, 0)] and moves.in_order == hand[(0, 1, 0)]
        assert [s.exits for s in moves.stages] == [hand.get((2, k, 0), 0)
                                                   for k in range(len(STAGES))]
        assert {(t.source, t.target): t.users for t in moves.transitions} == \
            {(STAGES[a][0], STAGES[b][0]): n for (k, a, b), n in hand.items() if k == 3}
        ours, peer = interleaved(lambda: flows(parquet, STAGES), lambda: hand_flows(parquet))
        results.append(Result(f"flows 6 stages, {ROWS:,} events", ours, peer, max_ratio=1.5))
        print(f"{'paths: dropped users':<32} {mine.users:,} of {USERS:,} users; "
              f"{moves.users:,} users in flows, {moves.in_order:,} in order", flush=True)
    return results
