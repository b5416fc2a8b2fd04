"""Funnel metrics of a map's stages over an event dataset (DuckDB SQL over its Parquet).

The definition (DESIGN.md, "Funnel semantics"; users quote these numbers):

- a date range keeps only events on those calendar days (both ends inclusive), and a segment
  filter only events whose attributes equal the given values (all of them), before anything
  else; ``users_total`` is the number of distinct users left;
- a user reaches the first bound stage at their first event of its set, and each later bound
  stage at their first event of its set whose time is >= the time they reached the previous
  bound stage (ties count as reached);
- ``users`` = users reaching the stage; ``conversion_from_previous`` = users / users of the
  previous bound stage (None for the first bound stage and when the previous has none);
  ``conversion_from_first`` = users / users of the first bound stage (None when that is 0);
  ``dropped`` = users of the previous bound stage - users (0 for the first bound stage);
  ``median_seconds_from_previous`` = median over users of (reach time - reach time of the
  previous bound stage) (None for the first bound stage and when no user reached it);
- a stage bound to no events has every number None and is skipped: the next bound stage
  compares with the bound stage before it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from journeydesk.analytics.engine import connect, ident, literal, parquet_path

Stages = Sequence[tuple[str, Sequence[str]]]
# A dataset's Parquet (bytes or a file), or a live database source (analytics.warehouse
# .Warehouse), which computes the same numbers in SQL where its data lives.
ParquetData = bytes | str | os.PathLike[str]
RESERVED = ("user", "event", "ts")


class MetricsError(ValueError):
    """Metrics that cannot be computed as asked (an unknown attribute...); one line."""


@dataclass(frozen=True)
class StageNumbers:
    """The funnel numbers of one stage (all None for a stage bound to no events)."""

    stage: str
    users: int | None
    conversion_from_previous: float | None
    conversion_from_first: float | None
    dropped: int | None
    median_seconds_from_previous: float | None

    def as_dict(self) -> dict[str, Any]:
        """The numbers under their public names (the ``metrics --json`` stage objects)."""
        return asdict(self)


@dataclass(frozen=True)
class FunnelResult:
    """The funnel of one map over one dataset."""

    users_total: int
    stages: list[StageNumbers]


# --------------------------------------------------------------------------- filters
def _filters(columns: Sequence[str], date_from: date | None, date_to: date | None,
             where: Mapping[str, str] | None) -> tuple[str, list[Any]]:
    """A WHERE clause (maybe empty) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if date_from is not None:
        clauses.append("ts >= CAST(? AS TIMESTAMP)")
        params.append(date_from.isoformat())
    if date_to is not None:
        clauses.append("ts < CAST(? AS TIMESTAMP)")
        params.append((date_to + timedelta(days=1)).isoformat())
    attributes = [c for c in columns if c not in RESERVED]
    known = {a.lower() for a in attributes}  # SQL names ignore case
    for column, value in (where or {}).items():
        if column.lower() not in known:
            raise MetricsError(f"no attribute {column!r} to filter on (attributes: "
                               f"{', '.join(attributes) or 'none'})")
        clauses.append(f"{ident(column)} = ?")
        params.append(str(value))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _columns(con: Any, source: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


class _Query:
    """A connection on one dataset file, with the filtered events as ``{events}``."""

    def __init__(self, data: ParquetData, date_from: date | None, date_to: date | None,
                 where: Mapping[str, str] | None):
        self._stack = contextlib.ExitStack()
        try:
            path = self._stack.enter_context(parquet_path(data))
            tmp = self._stack.enter_context(
                tempfile.TemporaryDirectory(prefix="journeydesk-metrics-"))
            self.con = connect(Path(tmp) / "spill")
            self._stack.callback(self.con.close)
            source = f"read_parquet({literal(str(path))})"
            try:
                columns = _columns(self.con, source)
            except Exception as exc:  # noqa: BLE001 - DuckDB says what is wrong with the file
                raise MetricsError("the dataset cannot be read "
                                   f"({str(exc).splitlines()[0]})") from None
            missing = [c for c in RESERVED if c not in columns]
            if missing:
                raise MetricsError(f"the dataset has no {', '.join(missing)} column; it is "
                                   "not an event dataset")
            clause, self.params = _filters(columns, date_from, date_to, where)
            self.events = f"(SELECT \"user\", event, ts FROM {source}{clause})"
        except BaseException:
            self._stack.close()
            raise

    def __enter__(self) -> _Query:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def rows(self, sql: str) -> list[tuple]:
        """Rows of ``sql``, in which every ``{events}`` is the filtered events."""
        count = sql.count("{events}")
        return self.con.execute(sql.replace("{events}", self.events),
                                self.params * count).fetchall()


def _remote(data: Any) -> bool:
    """Whether ``data`` is a database source rather than Parquet bytes or a file."""
    return not isinstance(data, bytes | bytearray | memoryview | str | os.PathLike)


def _bound(stages: Stages) -> list[int]:
    return [i for i, (_, events) in enumerate(stages) if list(events)]


def _chain(stages: Stages, upto: int | None = None) -> tuple[str, list[str]]:
    """WITH-clause CTEs ``r0``, ``r1``... of the users reaching each bound stage.

    Each ``rK`` holds ("user", t, prev): when the user reached bound stage K and the previous
    bound stage (NULL for the first).  ``{events}`` stands for the filtered events.
    """
    bound = _bound(stages)
    if upto is not None:
        bound = bound[:bound.index(upto) + 1]
    all_events = sorted({e for i in bound for e in stages[i][1]})
    ctes = [f"ev AS MATERIALIZED (SELECT \"user\", event, ts FROM {{events}} "
            f"WHERE event IN ({_in_list(all_events)}))"]
    names = []
    for k, index in enumerate(bound):
        events = _in_list(sorted(set(stages[index][1])))
        if k == 0:
            body = (f"SELECT \"user\", min(ts) AS t, CAST(NULL AS TIMESTAMP) AS prev FROM ev "
                    f"WHERE event IN ({events}) GROUP BY \"user\"")
        else:
            body = (f"SELECT e.\"user\", min(e.ts) AS t, p.t AS prev FROM ev e "
                    f"JOIN r{k - 1} p ON e.\"user\" = p.\"user\" AND e.ts >= p.t "
                    f"WHERE e.event IN ({events}) GROUP BY e.\"user\", p.t")
        ctes.append(f"r{k} AS MATERIALIZED ({body})")
        names.append(f"r{k}")
    return "WITH " + ", ".join(ctes), names


def _in_list(values: Sequence[str]) -> str:
    return ", ".join(literal(v) for v in values)


# --------------------------------------------------------------------------- metrics
def funnel(parquet: ParquetData, stages: Stages, *, date_from: date | None = None,
           date_to: date | None = None, where: Mapping[str, str] | None = None
           ) -> FunnelResult:
    """The ordered, first-occurrence funnel of ``stages`` ((name, event names) in map order).

    See the module docstring for the exact definition of every number.
    """
    if _remote(parquet):
        return parquet.funnel(stages, date_from=date_from, date_to=date_to, where=where)
    stages = [(name, list(events)) for name, events in stages]
    bound = _bound(stages)
    with _Query(parquet, date_from, date_to, where) as q:
        users_total = q.rows("SELECT count(DISTINCT \"user\") FROM {events}")[0][0]
        per_bound: list[tuple[int, float | None]] = []
        if bound:
            with_clause, names = _chain(stages)
            parts = [f"SELECT {k} AS k, count(*) AS users, "
                     f"median(epoch_us(t) - epoch_us(prev)) / 1e6 AS med FROM {name}"
                     for k, name in enumerate(names)]
            rows = q.rows(f"{with_clause} {' UNION ALL '.join(parts)} ORDER BY k")
            per_bound = [(int(users), None if med is None else float(med))
                         for _, users, med in rows]
    return assemble_funnel(stages, bound, per_bound, int(users_total))


def assemble_funnel(stages: Stages, bound: list[int], per_bound: list[tuple[int, float | None]],
                    users_total: int) -> FunnelResult:
    """The stage numbers from (users, median seconds) of each bound stage, in order."""
    numbers: list[StageNumbers] = []
    first: int | None = None
    previous: int | None = None
    reached = dict(zip(bound, per_bound, strict=True))
    for index, (name, _) in enumerate(stages):
        if index not in reached:
            numbers.append(StageNumbers(name, None, None, None, None, None))
            continue
        users, median = reached[index]
        if first is None:
            first = users
            numbers.append(StageNumbers(name, users, None, 1.0 if users else None, 0, None))
        else:
            numbers.append(StageNumbers(
                name, users,
                users / previous if previous else None,
                users / first if first else None,
                (previous or 0) - users,
                median))
        previous = users
    return FunnelResult(int(users_total), numbers)


def event_counts(parquet: ParquetData, *, date_from: date | None = None,
                 date_to: date | None = None, where: Mapping[str, str] | None = None
                 ) -> dict[str, int]:
    """How many events of each name the filtered dataset has, most frequent first."""
    if _remote(parquet):
        return parquet.event_counts(date_from=date_from, date_to=date_to, where=where)
    with _Query(parquet, date_from, date_to, where) as q:
        rows = q.rows("SELECT event, count(*) AS n FROM {events} GROUP BY event "
                      "ORDER BY n DESC, event")
    return {str(event): int(n) for event, n in rows}


def users_at_stage(parquet: ParquetData, stages: Stages, stage: int, *,
                   date_from: date | None = None, date_to: date | None = None,
                   where: Mapping[str, str] | None = None) -> list[str]:
    """The users who reached stage ``stage`` (an index into ``stages``), sorted."""
    if _remote(parquet):
        return parquet.users_at_stage(stages, stage, date_from=date_from, date_to=date_to,
                                      where=where)
    stages = [(name, list(events)) for name, events in stages]
    _check_bound(stages, stage)
    with _Query(parquet, date_from, date_to, where) as q:
        with_clause, names = _chain(stages, stage)
        rows = q.rows(f"{with_clause} SELECT \"user\" FROM {names[-1]} ORDER BY \"user\"")
    return [r[0] for r in rows]


def dropped_users(parquet: ParquetData, stages: Stages, stage: int, *,
                  date_from: date | None = None, date_to: date | None = None,
                  where: Mapping[str, str] | None = None) -> list[str]:
    """The users who reached the bound stage before ``stage`` but not ``stage``, sorted.

    Empty for the first bound stage (nobody drops before the funnel starts).
    """
    if _remote(parquet):
        return parquet.dropped_users(stages, stage, date_from=date_from, date_to=date_to,
                                     where=where)
    stages = [(name, list(events)) for name, events in stages]
    _check_bound(stages, stage)
    if _bound(stages)[0] == stage:
        return []
    with _Query(parquet, date_from, date_to, where) as q:
        with_clause, names = _chain(stages, stage)
        rows = q.rows(f"{with_clause} SELECT \"user\" FROM {names[-2]} "
                      f"WHERE \"user\" NOT IN (SELECT \"user\" FROM {names[-1]}) "
                      "ORDER BY \"user\"")
    return [r[0] for r in rows]


def _check_bound(stages: Stages, stage: int) -> None:
    if not 0 <= stage < len(stages):
        raise MetricsError(f"there is no stage {stage} (the map has {len(stages)})")
    if not stages[stage][1]:
        raise MetricsError(f"stage {stages[stage][0]!r} is bound to no events")


def user_timeline(parquet: ParquetData, user: str, *, limit: int = 1000
                  ) -> list[tuple[datetime, str]]:
    """One user's events, oldest first (at most ``limit``): what did this person do?"""
    if _remote(parquet):
        return parquet.user_timeline(user, limit=limit)
    with _Query(parquet, None, None, None) as q:
        rows = q.con.execute(
            f"SELECT ts, event FROM {q.events} WHERE \"user\" = ? ORDER BY ts, event LIMIT ?",
            [*q.params, user, int(limit)]).fetchall()
    return [(ts, str(event)) for ts, event in rows]
