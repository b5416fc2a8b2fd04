"""Retention and churn after a stage of the funnel (DuckDB SQL over a dataset's Parquet).

The definition is docs/data.md, "Retention and churn"; in short:

- the users are those whose funnel chain reaches the anchor stage (the funnel's period, window
  and segment, :mod:`journeydesk.analytics.funnel`); a user's anchor time A is their reach
  time of that stage (the chain of the whole map, rule 4);
- period n (n = 1..N) of a user is [A + n P, A + (n + 1) P), P = 1 day, 7 days or 30 days (or
  a number of seconds), all in whole microseconds;
- retained *in period n*: a qualifying event (any, or one of an event set) in period n;
  *n or later*: one at or after A + n P;
- period n is observable when A + (n + 1) P <= the end of the data (the dataset's last event
  time); a share counts only the observable users (a cell with none is None, a cell with some
  is partial);
- cohorts: the ISO week (Monday) or calendar month of A; churn at H = 1 - "H or later" among
  the users observable at H.

Both engines (this one and :mod:`journeydesk.analytics.warehouse_retention`) return the same
small rows, which :func:`assemble_retention` turns into the numbers: per cohort, how many users
have each (last observable period o, last period with an event m) pair, and how many are
retained in each observable period n.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from journeydesk.analytics.funnel import (
    MetricsError,
    ParquetData,
    Stages,
    _check_bound,
    _listed,
    _match,
    _options,
    _prepare,
    _Query,
    _remote,
)

EVERY = {"day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}  # fixed lengths, seconds
COHORTS = ("week", "month")
DEFAULT_EVERY, DEFAULT_PERIODS, DEFAULT_COHORT = "week", 12, "week"
MAX_PERIODS = 1000


# --------------------------------------------------------------------------- the numbers
def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class RetentionCell:
    """Period ``period``'s numbers for a group of ``users`` (all anchored users, or a
    cohort's): ``observable`` of them have had the whole period, ``in_period`` of those have a
    qualifying event in it and ``or_later`` one at or after its start."""

    period: int
    users: int
    observable: int
    in_period: int
    or_later: int

    @property
    def in_period_share(self) -> float | None:
        """Retained in period n, among the observable users (None: nobody observable)."""
        return _share(self.in_period, self.observable)

    @property
    def or_later_share(self) -> float | None:
        """Retained in period n or later, among the observable users (None: nobody)."""
        return _share(self.or_later, self.observable)

    @property
    def complete(self) -> bool:
        """Every user of the group has had the whole period."""
        return self.observable == self.users

    def as_dict(self) -> dict[str, Any]:
        """The public JSON form (``complete`` only means something for a cohort)."""
        return {"period": self.period, "observable": self.observable,
                "in_period": self.in_period, "in_period_share": self.in_period_share,
                "or_later": self.or_later, "or_later_share": self.or_later_share}


@dataclass(frozen=True)
class Cohort:
    """The users who reached the anchor in one week (its Monday) or month (its first day)."""

    start: date
    users: int
    cells: tuple[RetentionCell, ...]

    def as_dict(self) -> dict[str, Any]:
        """The public JSON form."""
        return {"cohort": self.start.isoformat(), "users": self.users,
                "periods": [{**c.as_dict(), "complete": c.complete} for c in self.cells]}


@dataclass(frozen=True)
class Churn:
    """Churn at horizon ``period``: of the ``observable`` users, ``churned`` have no qualifying
    event from the start of that period on."""

    period: int
    observable: int
    churned: int

    @property
    def share(self) -> float | None:
        """churned / observable (None: nobody observable yet)."""
        return _share(self.churned, self.observable)

    def as_dict(self) -> dict[str, Any]:
        """The public JSON form."""
        return {"period": self.period, "observable": self.observable,
                "churned": self.churned, "share": self.share}


@dataclass(frozen=True)
class RetentionSpec:
    """What to compute: the anchor (an index into the stages), the period length, how many
    periods, the qualifying events (None: any), the cohorts and the churn horizon."""

    anchor: int
    every: str | int
    period_seconds: int
    periods: int
    events: tuple[str, ...] | None
    cohort: str
    churn_at: int

    @property
    def period_us(self) -> int:
        """The period length in microseconds."""
        return self.period_seconds * 1_000_000

    @classmethod
    def make(cls, anchor: int, *, every: str | int = DEFAULT_EVERY,
             periods: int = DEFAULT_PERIODS, events: Sequence[str] | None = None,
             cohort: str = DEFAULT_COHORT, churn_at: int | None = None) -> RetentionSpec:
        """Checked options (MetricsError says what is wrong)."""
        if isinstance(every, str) and every in EVERY:
            seconds = EVERY[every]
        elif isinstance(every, int) and not isinstance(every, bool) and every > 0:
            seconds = every
        else:
            raise MetricsError(f"every is day, week, month or a whole number of seconds above "
                               f"0, not {every!r}")
        if isinstance(periods, bool) or not isinstance(periods, int) \
                or not 1 <= periods <= MAX_PERIODS:
            raise MetricsError(f"periods is a whole number from 1 to {MAX_PERIODS}, "
                               f"not {periods!r}")
        if cohort not in COHORTS:
            raise MetricsError(f"cohort is week or month, not {cohort!r}")
        horizon = periods if churn_at is None else churn_at
        if isinstance(horizon, bool) or not isinstance(horizon, int) \
                or not 1 <= horizon <= periods:
            raise MetricsError(f"the churn horizon is a period from 1 to {periods}, "
                               f"not {churn_at!r}")
        names = None
        if events is not None:
            names = tuple(str(e) for e in events if str(e))
            names = names or None  # an empty set: any event
        return cls(anchor, every, seconds, periods, names, cohort, horizon)


@dataclass(frozen=True)
class Retention:
    """Retention after the anchor stage: the overall curve, the cohort triangle and churn."""

    anchor: str
    spec: RetentionSpec
    users: int
    data_end: datetime | None
    overall: tuple[RetentionCell, ...]
    cohorts: tuple[Cohort, ...]

    @property
    def churn(self) -> Churn:
        """Churn at the spec's horizon (1 - "H or later" among the observable users)."""
        cell = self.overall[self.spec.churn_at - 1]
        return Churn(cell.period, cell.observable, cell.observable - cell.or_later)

    def definition(self) -> dict[str, Any]:
        """The retention options as the JSON names them."""
        spec = self.spec
        return {"anchor": self.anchor, "every": spec.every,
                "period_seconds": spec.period_seconds, "periods": spec.periods,
                "events": list(spec.events) if spec.events else None, "cohort": spec.cohort,
                "churn_at": spec.churn_at}

    def to_json(self) -> dict[str, Any]:
        """The numbers in the public JSON form (``retention --json`` adds the map, the data
        and the funnel options)."""
        return {"definition": self.definition(),
                "data_end": self.data_end.isoformat() if self.data_end else None,
                "users": self.users,
                "retention": [c.as_dict() for c in self.overall],
                "cohorts": [c.as_dict() for c in self.cohorts],
                "churn": self.churn.as_dict()}


# --------------------------------------------------------------------------- from rows
def cohort_starts(first: date, last: date, cohort: str) -> list[date]:
    """Every week's Monday (or month's first day) from ``first`` to ``last``."""
    out = []
    at = first
    while at <= last:
        out.append(at)
        if cohort == "week":
            at += timedelta(weeks=1)
        else:
            at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return out


def assemble_retention(anchor_name: str, spec: RetentionSpec, groups: Sequence[tuple],
                       retained: Sequence[tuple], data_end: datetime | None) -> Retention:
    """The numbers from the engines' rows.

    ``groups``: (cohort start, o, m, users): how many users of the cohort have o = their last
    observable period (capped at N; 0 or less: none) and m = their last period with a
    qualifying event (capped at N; 0: none).  ``retained``: (cohort start, n, users) with a
    qualifying event in period n, among those observable at n.
    """
    n_max = spec.periods
    users: dict[date, int] = {}
    observable: dict[tuple[date, int], int] = {}
    later: dict[tuple[date, int], int] = {}
    for row in groups:
        c, o, m, count = _as_date(row[0]), int(row[1]), int(row[2]), int(row[3])
        users[c] = users.get(c, 0) + count
        for n in range(1, min(o, n_max) + 1):
            observable[c, n] = observable.get((c, n), 0) + count
            if m >= n:
                later[c, n] = later.get((c, n), 0) + count
    inside = {(_as_date(c), int(n)): int(count) for c, n, count in retained}
    starts = cohort_starts(min(users), max(users), spec.cohort) if users else []
    cohorts = tuple(
        Cohort(c, users.get(c, 0), tuple(
            RetentionCell(n, users.get(c, 0), observable.get((c, n), 0),
                          inside.get((c, n), 0), later.get((c, n), 0))
            for n in range(1, n_max + 1)))
        for c in starts)
    total = sum(users.values())
    overall = tuple(RetentionCell(n, total, sum(k.cells[n - 1].observable for k in cohorts),
                                  sum(k.cells[n - 1].in_period for k in cohorts),
                                  sum(k.cells[n - 1].or_later for k in cohorts))
                    for n in range(1, n_max + 1))
    return Retention(anchor_name, spec, total, data_end, overall, cohorts)


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


# --------------------------------------------------------------------------- the metric
def retention(data: ParquetData, stages: Stages, anchor: int, *,
              every: str | int = DEFAULT_EVERY, periods: int = DEFAULT_PERIODS,
              events: Sequence[str] | None = None, cohort: str = DEFAULT_COHORT,
              churn_at: int | None = None, date_from: date | None = None,
              date_to: date | None = None, where: Mapping[str, str] | None = None,
              window_seconds: float | None = None) -> Retention:
    """Retention after stage ``anchor`` (an index into ``stages``, which must be bound).

    ``every``: day, week, month (30 days) or a number of seconds; ``periods``: N, the periods
    1..N reported; ``events``: the qualifying events (names or glob patterns; None: any);
    ``cohort``: week or month; ``churn_at``: the churn horizon (default N).  The funnel's
    options choose the users (``date_from``, ``date_to``, ``where``, ``window_seconds``).
    ``data`` is a dataset's Parquet or a database source (the same numbers in its SQL).
    """
    opts = _options(date_from, date_to, where, window_seconds)
    spec = RetentionSpec.make(anchor, every=every, periods=periods, events=events,
                              cohort=cohort, churn_at=churn_at)
    stages = _listed(stages)
    _check_bound(stages, anchor)
    if _remote(data):
        from journeydesk.analytics.warehouse_retention import warehouse_retention

        return warehouse_retention(data, stages, spec, opts)
    bound, bindings = _prepare(stages)
    with _Query(data, opts) as q:
        ctes = (q.sql.scope_ctes() if opts.segmented else []) + \
            q.sql.chain_ctes(bindings, scoped=opts.segmented)
        ctes += retention_ctes(q.sql.src, bound.index(anchor), spec)
        rows = q.rows(ctes, RETENTION_SELECT)
    return _from_rows(stages[anchor][0], spec, rows)


def retention_ctes(source: str, position: int, spec: RetentionSpec) -> list[str]:
    """DuckDB CTEs after the chains (``r{position}``: the anchor's reach times): ``anc``
    ("user", a), ``d`` ("user", n) the periods with a qualifying event (n >= 1, capped at
    N + 1) and ``u`` ("user", c, o, m)."""
    p_us, n_max = spec.period_us, spec.periods
    qualifying = f" AND {_match(spec.events, 'e.event')}" if spec.events else ""
    return [
        f"anc AS MATERIALIZED (SELECT \"user\", t AS a FROM r{position})",
        f"fin AS MATERIALIZED (SELECT max(ts) AS z FROM {source})",
        # the events from period 1 on; a user has few distinct periods
        f"d AS MATERIALIZED (SELECT DISTINCT e.\"user\", "
        f"least((epoch_us(e.ts) - epoch_us(x.a)) // {p_us}, {n_max + 1}) AS n "
        f"FROM {source} e JOIN anc x ON e.\"user\" = x.\"user\" "
        f"WHERE e.ts >= x.a + to_microseconds({p_us}){qualifying})",
        f"u AS MATERIALIZED (SELECT x.\"user\", "
        f"CAST(date_trunc('{spec.cohort}', x.a) AS DATE) AS c, "
        f"least((epoch_us(f.z) - epoch_us(x.a)) // {p_us} - 1, {n_max}) AS o, "
        f"least(coalesce(m.m, 0), {n_max}) AS m "
        "FROM anc x CROSS JOIN fin f LEFT JOIN (SELECT \"user\", max(n) AS m FROM d "
        "GROUP BY \"user\") m ON m.\"user\" = x.\"user\")",
    ]


# rows (kind, cohort, a, b, users, end): kind 0 the groups (c, o, m), 1 the retained (c, n),
# 2 the end of the data
RETENTION_SELECT = (
    "SELECT 0 AS kind, c, o AS a, m AS b, count(*) AS users, CAST(NULL AS TIMESTAMP) AS z "
    "FROM u GROUP BY c, o, m "
    "UNION ALL SELECT 1, u.c, d.n, NULL, count(*), NULL FROM d JOIN u "
    "ON d.\"user\" = u.\"user\" WHERE d.n <= u.o GROUP BY u.c, d.n "
    "UNION ALL SELECT 2, NULL, NULL, NULL, NULL, z FROM fin")


def _from_rows(anchor_name: str, spec: RetentionSpec, rows: Sequence[tuple]) -> Retention:
    groups = [(c, a, b, n) for kind, c, a, b, n, _ in rows if kind == 0]
    retained = [(c, a, n) for kind, c, a, _, n, _ in rows if kind == 1]
    ends = [z for kind, *_, z in rows if kind == 2]
    return assemble_retention(anchor_name, spec, groups, retained, ends[0] if ends else None)
