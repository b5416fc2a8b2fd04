"""Time series behind the analytics dock: daily volume, weekly conversion, time to next stage.

Same filters and funnel semantics as :mod:`journeydesk.analytics.funnel` (its query helpers are
reused): a user reaches a bound stage at their first event of its set at or after the time they
reached the previous bound stage; stages bound to no events are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from journeydesk.analytics.funnel import (
    ParquetData,
    Stages,
    _bound,
    _chain,
    _check_bound,
    _Query,
)


def daily_volume(parquet: ParquetData, *, where: Mapping[str, str] | None = None
                 ) -> list[tuple[date, int]]:
    """Events per calendar day (UTC), oldest first; days without events are left out.

    Not date-filtered (the timeline shows everything); ``where`` is the segment filter.
    """
    with _Query(parquet, None, None, where) as q:
        rows = q.rows("SELECT CAST(ts AS DATE) AS d, count(*) FROM {events} "
                      "GROUP BY d ORDER BY d")
    return [(d, int(n)) for d, n in rows]


def weekly_conversion(parquet: ParquetData, stages: Stages, *, date_from: date | None = None,
                      date_to: date | None = None, where: Mapping[str, str] | None = None
                      ) -> dict[str, list[tuple[date, float | None]]]:
    """For each bound stage after the first: its conversion by ISO week (Monday start).

    A user counts in the week in which they reached the previous bound stage; the value is the
    share of those users who went on to reach this stage.  Every stage gets the same weeks, each
    Monday from the first to the last week in which anybody reached a stage that has a next one;
    a week in which nobody reached the previous stage has None.
    """
    stages = [(name, list(events)) for name, events in stages]
    bound = _bound(stages)
    if len(bound) < 2:
        return {}
    with _Query(parquet, date_from, date_to, where) as q:
        with_clause, names = _chain(stages)
        parts = [f"SELECT {k} AS k, CAST(date_trunc('week', p.t) AS DATE) AS w, "
                 f"count(*) AS n, count(c.\"user\") AS reached "
                 f"FROM {names[k - 1]} p LEFT JOIN {names[k]} c ON c.\"user\" = p.\"user\" "
                 f"GROUP BY w" for k in range(1, len(names))]
        rows = q.rows(f"{with_clause} {' UNION ALL '.join(parts)} ORDER BY k, w")
    per_stage: dict[int, dict[date, float]] = {k: {} for k in range(1, len(names))}
    for k, week, n, reached in rows:
        per_stage[k][week] = int(reached) / int(n)
    weeks: list[date] = []
    if rows:
        first, last = min(r[1] for r in rows), max(r[1] for r in rows)
        weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return {stages[bound[k]][0]: [(w, per_stage[k].get(w)) for w in weeks]
            for k in range(1, len(names))}


def time_to_next(parquet: ParquetData, stages: Stages, stage_index: int, *,
                 date_from: date | None = None, date_to: date | None = None,
                 where: Mapping[str, str] | None = None) -> list[float]:
    """Seconds from the previous bound stage to stage ``stage_index``, one per user reaching it.

    Sorted, shortest first; empty for the first bound stage (nothing comes before it).
    """
    stages = [(name, list(events)) for name, events in stages]
    _check_bound(stages, stage_index)
    if _bound(stages)[0] == stage_index:
        return []
    with _Query(parquet, date_from, date_to, where) as q:
        with_clause, names = _chain(stages, stage_index)
        rows = q.rows(f"{with_clause} SELECT (epoch_us(t) - epoch_us(prev)) / 1e6 AS s "
                      f"FROM {names[-1]} ORDER BY s")
    return [float(r[0]) for r in rows]
