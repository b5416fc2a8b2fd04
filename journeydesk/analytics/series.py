"""Time series behind the analytics dock: daily volume, weekly conversion, time to next stage.

Same filters and funnel semantics as :mod:`journeydesk.analytics.funnel` (its query helpers are
reused): a user reaches a bound stage at their first event of its set at or after the time they
reached the previous bound stage; stages bound to no events are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from journeydesk.analytics.funnel import (
    ParquetData,
    Stages,
    _bound,
    _chain,
    _check_bound,
    _Query,
    _remote,
)

MIN_BINS, MAX_BINS = 4, 20  # a time-to-next histogram has min(20, max(4, n)) bins


@dataclass(frozen=True)
class Histogram:
    """Equal-width bins of a distribution: ``len(edges) == len(counts) + 1`` (or both empty)."""

    edges: list[float]
    counts: list[int]

    @property
    def total(self) -> int:
        """How many values the histogram counts."""
        return sum(self.counts)


def daily_volume(parquet: ParquetData, *, where: Mapping[str, str] | None = None
                 ) -> list[tuple[date, int]]:
    """Events per calendar day (UTC), oldest first; days without events are left out.

    Not date-filtered (the timeline shows everything); ``where`` is the segment filter.
    """
    if _remote(parquet):
        return parquet.daily_volume(where=where)
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
    if _remote(parquet):
        return parquet.weekly_conversion(stages, date_from=date_from, date_to=date_to,
                                         where=where)
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
    return weekly_from_rows(stages, bound, len(names), rows)


def weekly_from_rows(stages: Stages, bound: list[int], chain_length: int,
                     rows: list[tuple]) -> dict[str, list[tuple[date, float | None]]]:
    """The weekly conversion from rows of (chain index k >= 1, Monday, users, reached)."""
    names = range(chain_length)
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
    if _remote(parquet):
        raise TypeError("a database source gives time_to_next_histogram, not every value")
    with _Query(parquet, date_from, date_to, where) as q:
        with_clause, names = _chain(stages, stage_index)
        rows = q.rows(f"{with_clause} SELECT (epoch_us(t) - epoch_us(prev)) / 1e6 AS s "
                      f"FROM {names[-1]} ORDER BY s")
    return [float(r[0]) for r in rows]


def time_to_next_histogram(parquet: ParquetData, stages: Stages, stage_index: int, *,
                           date_from: date | None = None, date_to: date | None = None,
                           where: Mapping[str, str] | None = None) -> Histogram:
    """The distribution of :func:`time_to_next` in min(20, max(4, n)) equal bins, in seconds.

    A database source bins in SQL and sends only the counts; a dataset bins the same way here.
    """
    if _remote(parquet):
        return parquet.time_to_next_histogram(stages, stage_index, date_from=date_from,
                                              date_to=date_to, where=where)
    return histogram(time_to_next(parquet, stages, stage_index, date_from=date_from,
                                  date_to=date_to, where=where))


def histogram(values: list[float]) -> Histogram:
    """``values`` in min(20, max(4, n)) equal-width bins from the smallest to the largest.

    A value falls in bin floor((v - lo) / ((hi - lo) / bins)), the largest in the last bin;
    when all values are equal they share one bin, as in the SQL of a database source.
    """
    if not values:
        return Histogram([], [])
    lo, hi = min(values), max(values)
    bins = min(MAX_BINS, max(MIN_BINS, len(values)))
    width = (hi - lo) / bins
    found: dict[int, int] = {}
    for v in values:
        i = 0 if hi == lo else min(math.floor((v - lo) / width), bins - 1)
        found[i] = found.get(i, 0) + 1
    return histogram_from_bins(lo, hi, len(values), found)


def histogram_from_bins(lo: float, hi: float, n: int, found: Mapping[int, int]) -> Histogram:
    """A Histogram from the range, the count and {bin index: count} (empty bins left out)."""
    if hi == lo:  # one value, or all alike: a single bin one second wide around it
        return Histogram([lo - 0.5, hi + 0.5], [sum(found.values())])
    bins = min(MAX_BINS, max(MIN_BINS, n))
    width = (hi - lo) / bins
    return Histogram([lo + i * width for i in range(bins)] + [hi],
                     [found.get(i, 0) for i in range(bins)])
