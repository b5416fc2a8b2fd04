"""Time series behind the analytics dock: daily volume, weekly conversion, time to next stage.

The same options and chains as :mod:`journeydesk.analytics.funnel` (docs/data.md, "The
funnel"): each user in scope has one chain, the longest that starts earliest; a stage's reach
time is its link in that chain, and the user's entry is the chain's first event.  Stages bound
to no events are skipped.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from journeydesk.analytics.funnel import (
    ParquetData,
    Stages,
    _bound,
    _check_bound,
    _keywords,
    _listed,
    _options,
    _prepare,
    _Query,
    _remote,
)

MIN_BINS, MAX_BINS = 4, 20  # a time-to-next histogram has min(20, max(4, n)) bins
LOG_SPAN = 10 ** 1.5  # positive values spanning more than this factor get log-spaced bins
Weekly = dict[str, list[tuple[date, int, int]]]


@dataclass(frozen=True)
class Histogram:
    """Bins of a distribution: ``len(edges) == len(counts) + 1`` (or both empty); equal-width
    or log-spaced (see :func:`histogram`); ``median``: the values' exact median (None: not
    known)."""

    edges: list[float]
    counts: list[int]
    median: float | None = None

    @property
    def total(self) -> int:
        """How many values the histogram counts."""
        return sum(self.counts)


def daily_volume(parquet: ParquetData, *, where: Mapping[str, str] | None = None
                 ) -> list[tuple[date, int]]:
    """Events per calendar day (UTC), oldest first; days without events are left out.

    Not limited to a period (the timeline shows everything); ``where`` is the segment, of
    users by the attributes of their first event ever: all events of the users in it.
    """
    if _remote(parquet):
        return parquet.daily_volume(where=where)
    opts = _options(None, None, where, None)
    with _Query(parquet, opts) as q:
        ctes = q.sql.scope_ctes() if opts.segmented else []
        scoped = " WHERE \"user\" IN (SELECT \"user\" FROM scope)" if opts.segmented else ""
        rows = q.rows(ctes, f"SELECT CAST(ts AS DATE) AS d, count(*) FROM {q.sql.src}{scoped} "
                      "GROUP BY d ORDER BY d")
    return [(d, int(n)) for d, n in rows]


def weekly_counts(parquet: ParquetData, stages: Stages, *, date_from: date | None = None,
                  date_to: date | None = None, where: Mapping[str, str] | None = None,
                  window_seconds: float | None = None) -> Weekly:
    """For each bound stage after the first: (Monday, n, reached) per ISO week of entry.

    A user counts in the week of their entry (the first event of their chain); ``n`` = the
    users of that week reaching the previous bound stage, ``reached`` = those reaching this
    one.  Every stage gets the same weeks, each Monday from the first to the last week with
    an entry (weeks without one have n = 0).
    """
    opts = _options(date_from, date_to, where, window_seconds)
    if _remote(parquet):
        return parquet.weekly_counts(stages, **_keywords(opts))
    stages = _listed(stages)
    bound, bindings = _prepare(stages)
    if len(bound) < 2:
        return {}
    with _Query(parquet, opts) as q:
        ctes = (q.sql.scope_ctes() if opts.segmented else []) + \
            q.sql.chain_ctes(bindings, scoped=opts.segmented)
        parts = [f"SELECT {k} AS k, CAST(date_trunc('week', e.t) AS DATE) AS w, "
                 f"count(*) AS n, count(c.\"user\") AS reached "
                 f"FROM r{k - 1} p JOIN r0 e ON e.\"user\" = p.\"user\" "
                 f"LEFT JOIN r{k} c ON c.\"user\" = p.\"user\" GROUP BY w"
                 for k in range(1, len(bound))]
        rows = q.rows(ctes, " UNION ALL ".join(parts) + " ORDER BY k, w")
    return weekly_from_rows(stages, bound, rows)


def weekly_conversion(parquet: ParquetData, stages: Stages, *, date_from: date | None = None,
                      date_to: date | None = None, where: Mapping[str, str] | None = None,
                      window_seconds: float | None = None
                      ) -> dict[str, list[tuple[date, float | None]]]:
    """For each bound stage after the first: its conversion by ISO week of entry (Monday).

    The share reached / n of :func:`weekly_counts`; None for a week with n = 0.
    """
    counts = weekly_counts(parquet, stages, date_from=date_from, date_to=date_to, where=where,
                           window_seconds=window_seconds)
    return conversion_of(counts)


def conversion_of(counts: Weekly) -> dict[str, list[tuple[date, float | None]]]:
    """Weekly counts as shares (None where n = 0)."""
    return {name: [(w, reached / n if n else None) for w, n, reached in weeks]
            for name, weeks in counts.items()}


def weekly_from_rows(stages: Stages, bound: list[int], rows: Sequence[tuple]) -> Weekly:
    """The weekly counts from rows of (chain index k >= 1, Monday, n, reached)."""
    per_stage: dict[int, dict[date, tuple[int, int]]] = {k: {} for k in range(1, len(bound))}
    for k, week, n, reached in rows:
        per_stage[int(k)][week] = (int(n), int(reached))
    weeks: list[date] = []
    if rows:
        first, last = min(r[1] for r in rows), max(r[1] for r in rows)
        weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return {stages[bound[k]][0]: [(w, *per_stage[k].get(w, (0, 0))) for w in weeks]
            for k in range(1, len(bound))}


def time_to_next(parquet: ParquetData, stages: Stages, stage_index: int, *,
                 date_from: date | None = None, date_to: date | None = None,
                 where: Mapping[str, str] | None = None,
                 window_seconds: float | None = None) -> list[float]:
    """Seconds from the previous bound stage to stage ``stage_index``, one per user reaching it.

    Sorted, shortest first; empty for the first bound stage (nothing comes before it).  The
    reach times are those of the users' chains over all the stages (as in the funnel's
    medians): a later stage may make a later entry the one that counts.
    """
    opts = _options(date_from, date_to, where, window_seconds)
    stages = _listed(stages)
    _check_bound(stages, stage_index)
    if _bound(stages)[0] == stage_index:
        return []
    if _remote(parquet):
        raise TypeError("a database source gives time_to_next_histogram, not every value")
    bound, bindings = _prepare(stages)
    with _Query(parquet, opts) as q:
        ctes = (q.sql.scope_ctes() if opts.segmented else []) + \
            q.sql.chain_ctes(bindings, scoped=opts.segmented)
        rows = q.rows(ctes, f"SELECT (epoch_us(t) - epoch_us(prev)) / 1e6 AS s "
                      f"FROM r{bound.index(stage_index)} ORDER BY s")
    return [float(r[0]) for r in rows]


def time_to_next_histogram(parquet: ParquetData, stages: Stages, stage_index: int, *,
                           date_from: date | None = None, date_to: date | None = None,
                           where: Mapping[str, str] | None = None,
                           window_seconds: float | None = None) -> Histogram:
    """The distribution of :func:`time_to_next` binned by :func:`histogram`, in seconds.

    A database source bins in SQL and sends only the counts; a dataset bins the same way here.
    """
    opts = _options(date_from, date_to, where, window_seconds)
    if _remote(parquet):
        return parquet.time_to_next_histogram(stages, stage_index, **_keywords(opts))
    return histogram(time_to_next(parquet, stages, stage_index, **_keywords(opts)))


def bin_count(n: int) -> int:
    """How many bins ``n`` values get: min(20, max(4, n))."""
    return min(MAX_BINS, max(MIN_BINS, n))


def log_binned(lo: float, hi: float) -> bool:
    """Whether positive values from ``lo`` to ``hi`` are binned on a log scale (they span
    more than 1.5 powers of ten: a heavy tail would put nearly everyone in the first of
    equal-width bins)."""
    return 0 < lo < hi and hi / lo > LOG_SPAN


def log_bin(v: float, lo: float, hi: float, bins: int) -> int:
    """The bin of ``v`` among log-spaced bins from ``lo`` to ``hi``: -1 for v <= 0, else
    floor(ln(v / lo) / ln(hi / lo) * bins), the largest in the last (the SQL computes the
    same expression in the same order, so both engines agree bit for bit)."""
    if v <= 0:
        return -1
    return min(math.floor(math.log(v / lo) / math.log(hi / lo) * bins), bins - 1)


def histogram(values: list[float]) -> Histogram:
    """``values`` (seconds, >= 0) binned to show their shape, with their exact median.

    When the positive values span more than 1.5 powers of ten (:func:`log_binned`), bins are
    log-spaced: min(20, max(4, number of positive values)) bins from the smallest positive
    value to the largest, edge i at lo * (hi / lo) ** (i / bins), and, when some values are
    0, a first bin [0, lo) holding them.  Otherwise min(20, max(4, n)) equal-width bins from
    the smallest to the largest: a value falls in floor((v - lo) / ((hi - lo) / bins)), the
    largest in the last; all values equal share one bin.  The median is that of the values
    in whole microseconds, / 10**6 (as the funnel's).
    """
    if not values:
        return Histogram([], [])
    median = statistics.median(round(v * 1e6) for v in values) / 1e6
    positive = [v for v in values if v > 0]
    found: dict[int, int] = {}
    if positive and log_binned(min(positive), max(positive)):
        lo, hi = min(positive), max(positive)
        bins = bin_count(len(positive))
        for v in values:
            i = log_bin(v, lo, hi, bins)
            found[i] = found.get(i, 0) + 1
        return log_histogram_from_bins(lo, hi, len(positive), found, median)
    lo, hi = min(values), max(values)
    bins = bin_count(len(values))
    width = (hi - lo) / bins
    for v in values:
        i = 0 if hi == lo else min(math.floor((v - lo) / width), bins - 1)
        found[i] = found.get(i, 0) + 1
    return histogram_from_bins(lo, hi, len(values), found, median)


def histogram_from_bins(lo: float, hi: float, n: int, found: Mapping[int, int],
                        median: float | None = None) -> Histogram:
    """Equal-width bins from the range, the count and {bin index: count} (empty bins left
    out)."""
    if hi == lo:  # one value, or all alike: a single bin one second wide around it
        return Histogram([lo - 0.5, hi + 0.5], [sum(found.values())], median)
    bins = bin_count(n)
    width = (hi - lo) / bins
    return Histogram([lo + i * width for i in range(bins)] + [hi],
                     [found.get(i, 0) for i in range(bins)], median)


def log_histogram_from_bins(lo: float, hi: float, n_positive: int, found: Mapping[int, int],
                            median: float | None = None) -> Histogram:
    """Log-spaced bins from the positive range, their count and {bin index: count}; index -1
    is the bin [0, lo) of the values 0, present only when it holds some."""
    bins = bin_count(n_positive)
    edges = [lo * (hi / lo) ** (i / bins) for i in range(bins)] + [hi]
    counts = [found.get(i, 0) for i in range(bins)]
    if found.get(-1):
        edges, counts = [0.0, *edges], [found[-1], *counts]
    return Histogram(edges, counts, median)
