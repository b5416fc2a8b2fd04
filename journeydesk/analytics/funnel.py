"""Funnel metrics of a map's stages over an event dataset (DuckDB SQL over its Parquet).

The definition is docs/data.md, "The funnel" (users quote these numbers); in short:

- a user is in scope when they have an event in the entry period (all time without one); their
  attributes are those of their first event in the period (on a tie, per attribute the smallest
  non-empty value); a segment keeps the users whose attributes match; ``users_total`` counts
  the users in scope;
- a chain of length k is events e1..ek of one user, ei belonging to the k-th bound stage, e1 in
  the period, time(e1) <= ... <= time(ek) and time(ek) - time(e1) <= the window (one event may
  be two consecutive links); events after the period count;
- ``users`` of a stage = users in scope with a chain reaching it (ClickHouse's
  ``windowFunnel(W)``, default mode, with the period in the first condition);
  ``conversion_from_previous`` = users / users of the previous bound stage (None for the first
  bound stage and when the previous has none); ``conversion_from_first`` = users / users of
  the first bound stage (None when that is 0); ``dropped`` = users of the previous bound stage
  - users (0 for the first bound stage);
- reach times come from each user's longest chain that starts earliest, each stage at its
  earliest continuing event; ``median_seconds_from_previous`` = median over the users reaching
  the stage of (reach time - reach time of the previous bound stage), in whole microseconds /
  10**6 (None for the first bound stage and when no user reached it);
- a stage bound to no events has every number None and is skipped: the next bound stage
  compares with the bound stage before it.

Without a window only a user's earliest entry matters (it always starts a longest chain): the
query then follows one chain per user, as fast as the plain ordered funnel.  With one, every
entry is followed (each stage at the earliest event continuing it within the window) and the
longest, earliest chain kept.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from journeydesk.analytics.engine import (
    Cancelled,
    Interruptible,
    connect,
    ident,
    literal,
    parquet_path,
)
from journeydesk.analytics.patterns import LIKE_ESCAPE, like_pattern, split_binding

Stages = Sequence[tuple[str, Sequence[str]]]
# A dataset's Parquet (bytes or a file), or a live database source (analytics.warehouse
# .Warehouse), which computes the same numbers in SQL where its data lives.
ParquetData = bytes | str | os.PathLike[str]
RESERVED = ("user", "event", "ts")
NONE_LABEL = "(none)"  # a breakdown value for users whose attribute is empty
OTHER_LABEL = "other"  # the users of the values after the top ones, together
DEFAULT_TOP = 10


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


# --------------------------------------------------------------------------- options
@dataclass(frozen=True)
class FunnelOptions:
    """The options of every metric: the entry period, the segment and the window."""

    date_from: date | None = None
    date_to: date | None = None
    where: Mapping[str, str] | None = None
    window_seconds: float | None = None

    def __post_init__(self) -> None:
        w = self.window_seconds
        if w is not None and (isinstance(w, bool) or not isinstance(w, int | float)
                              or not math.isfinite(w) or w < 0):
            raise MetricsError(f"the conversion window must be a duration of 0 seconds or "
                               f"more, not {w!r}")

    @property
    def start(self) -> datetime | None:
        """The period's first instant (None: open)."""
        return None if self.date_from is None else datetime.combine(self.date_from, time())

    @property
    def end(self) -> datetime | None:
        """The instant after the period (exclusive; None: open).  A period to the last day
        there is (9999-12-31, whose next day no timestamp can hold) is open at the end."""
        if self.date_to is None or self.date_to >= date.max:
            return None
        return datetime.combine(self.date_to + timedelta(days=1), time())

    @property
    def window_us(self) -> int | None:
        """The window in whole microseconds (None: unlimited)."""
        return None if self.window_seconds is None else round(self.window_seconds * 1e6)

    @property
    def segmented(self) -> bool:
        """Whether a segment limits the users."""
        return bool(self.where)


def _options(date_from: date | None, date_to: date | None, where: Mapping[str, str] | None,
             window_seconds: float | None) -> FunnelOptions:
    return FunnelOptions(date_from, date_to, dict(where) if where else None, window_seconds)


def _remote(data: Any) -> bool:
    """Whether ``data`` is a database source rather than Parquet bytes or a file."""
    return not isinstance(data, bytes | bytearray | memoryview | str | os.PathLike)


def _bound(stages: Stages) -> list[int]:
    return [i for i, (_, events) in enumerate(stages) if list(events)]


def _check_bound(stages: Stages, stage: int) -> None:
    if not 0 <= stage < len(stages):
        raise MetricsError(f"there is no stage {stage} (the map has {len(stages)})")
    if not stages[stage][1]:
        raise MetricsError(f"stage {stages[stage][0]!r} is bound to no events")


def _listed(stages: Stages) -> list[tuple[str, list[str]]]:
    return [(name, list(events)) for name, events in stages]


def unknown_attribute(column: str, attributes: Sequence[str], purpose: str) -> MetricsError:
    """The error for a segment or breakdown column the data does not have."""
    return MetricsError(f"no attribute {column!r} to {purpose} (attributes: "
                        f"{', '.join(attributes) or 'none'})")


# --------------------------------------------------------------------------- the SQL
def _ts(value: datetime) -> str:
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


def _match(binding: Sequence[str], column: str = "event") -> str:
    """SQL: the event in ``column`` belongs to a stage bound to ``binding``."""
    names, patterns = split_binding(binding)
    parts = []
    if names:
        parts.append(f"{column} IN ({', '.join(literal(n) for n in names)})")
    parts += [f"{column} LIKE {literal(like_pattern(p))} ESCAPE {literal(LIKE_ESCAPE)}"
              for p in patterns]
    return "(" + " OR ".join(parts) + ")"


class _Sql:
    """The SQL of every metric over one dataset (DuckDB), for one set of options."""

    def __init__(self, source: str, columns: Sequence[str], opts: FunnelOptions):
        self.src = source
        self.opts = opts
        self.attributes = [c for c in columns if c not in RESERVED]
        self._by_lower = {a.lower(): a for a in self.attributes}  # SQL names ignore case
        self.where = [(self._column(c, "filter on"), str(v))
                      for c, v in (opts.where or {}).items()]

    def _column(self, name: str, purpose: str) -> str:
        actual = self._by_lower.get(name.lower())
        if actual is None:
            raise unknown_attribute(name, self.attributes, purpose)
        return actual

    def breakdown_column(self, name: str) -> str:
        """The dataset's column for a breakdown by ``name`` (MetricsError when none)."""
        return self._column(name, "break down by")

    # ---------------------------------------------------------------- scope
    def period(self, column: str = "ts", *, use_period: bool = True) -> list[str]:
        if not use_period:
            return []
        out = []
        if self.opts.start is not None:
            out.append(f"{column} >= {_ts(self.opts.start)}")
        if self.opts.end is not None:
            out.append(f"{column} < {_ts(self.opts.end)}")
        return out

    def scope_ctes(self, breakdown: str | None = None, top: int = DEFAULT_TOP, *,
                   use_period: bool = True) -> list[str]:
        """CTEs ``scope("user"[, v])`` of the users in scope after the segment (their
        breakdown value ``v``), and with a breakdown ``ranked(v, n, rk)`` and
        ``bucketed("user", b)`` (b = the value's rank, top + 1 for the rest)."""
        wanted = [c for c, _ in self.where] + ([breakdown] if breakdown else [])
        columns = list(dict.fromkeys(wanted))
        # min over (ts, value) structs: the earliest time, then the smallest value, NULLs last
        firsts = [f"struct_extract(min({{'t': ts, 'v': CAST({ident(c)} AS VARCHAR)}}), 'v') "
                  f"AS a{i}" for i, c in enumerate(columns)]
        where = [f"a{columns.index(c)} = {literal(v)}" for c, v in self.where]
        conditions = self.period(use_period=use_period)
        attrs = (f"SELECT \"user\"{''.join(', ' + f for f in firsts)} FROM {self.src}"
                 + (" WHERE " + " AND ".join(conditions) if conditions else "")
                 + " GROUP BY \"user\"")
        value = f", a{columns.index(breakdown)} AS v" if breakdown else ""
        ctes = [f"scope AS MATERIALIZED (SELECT \"user\"{value} FROM ({attrs}) a"
                + (" WHERE " + " AND ".join(where) if where else "") + ")"]
        if breakdown:
            ctes.append(
                "ranked AS MATERIALIZED (SELECT v, count(*) AS n, row_number() OVER ("
                f"ORDER BY count(*) DESC, coalesce(v, {literal(NONE_LABEL)}), v IS NULL) AS rk "
                "FROM scope GROUP BY v)")
            ctes.append(
                f"bucketed AS MATERIALIZED (SELECT s.\"user\", least(r.rk, {int(top) + 1}) AS b "
                "FROM scope s JOIN ranked r ON s.v IS NOT DISTINCT FROM r.v)")
        return ctes

    # ---------------------------------------------------------------- chains
    def chain_ctes(self, bindings: list[list[str]], *, scoped: bool) -> list[str]:
        """CTEs ``r0``, ``r1``... of each user's chain: ("user", t, prev) for the users
        reaching the k-th bound stage, t its reach time and prev the previous one's.
        ``r0``'s t is the user's entry.  ``scoped``: starts only for users in ``scope``."""
        opts = self.opts
        window = opts.window_us
        keep = [f"ts >= {_ts(opts.start)}"] if opts.start is not None else []
        if window is not None and opts.end is not None:
            keep.append(f"ts < {_ts(opts.end)} + to_microseconds({window})")
        keep.append(_match([e for b in bindings for e in b]))  # one IN list: pushed down
        ctes = [f"ev AS MATERIALIZED (SELECT \"user\", event, ts FROM {self.src} "
                f"WHERE {' AND '.join(keep)})"]
        entry = [_match(bindings[0]), *self.period()]
        if scoped:
            entry.append("\"user\" IN (SELECT \"user\" FROM scope)")
        if window is None:
            # the earliest entry starts a longest chain: follow that one only
            ctes.append(f"r0 AS MATERIALIZED (SELECT \"user\", min(ts) AS t, "
                        f"CAST(NULL AS TIMESTAMP) AS prev FROM ev WHERE {' AND '.join(entry)} "
                        "GROUP BY \"user\")")
            for k in range(1, len(bindings)):
                ctes.append(
                    f"r{k} AS MATERIALIZED (SELECT e.\"user\", min(e.ts) AS t, p.t AS prev "
                    f"FROM ev e JOIN r{k - 1} p ON e.\"user\" = p.\"user\" AND e.ts >= p.t "
                    f"WHERE {_match(bindings[k], 'e.event')} GROUP BY e.\"user\", p.t)")
            return ctes
        # every entry: c_k ("user", s, prev, t) for the entries s whose chain reaches stage k
        # (a join and min() beat an ASOF join here: a user has few events of each stage)
        ctes.append(f"c0 AS MATERIALIZED (SELECT DISTINCT \"user\", ts AS s, ts AS t FROM ev "
                    f"WHERE {' AND '.join(entry)})")
        for k in range(1, len(bindings)):
            ctes.append(
                f"c{k} AS MATERIALIZED (SELECT p.\"user\", p.s, p.t AS prev, min(e.ts) AS t "
                f"FROM c{k - 1} p JOIN ev e ON e.\"user\" = p.\"user\" AND e.ts >= p.t "
                f"AND e.ts <= p.s + to_microseconds({window}) "
                f"WHERE {_match(bindings[k], 'e.event')} GROUP BY p.\"user\", p.s, p.t)")
        levels = " UNION ALL ".join(f"SELECT \"user\", s, {k} AS n FROM c{k}"
                                    for k in range(len(bindings)))
        # the longest chain, then the earliest entry: min over (-n, s) structs
        ctes.append("best AS MATERIALIZED (SELECT \"user\", "
                    "struct_extract(min({'n': -n, 's': s}), 's') AS s "
                    f"FROM ({levels}) l GROUP BY \"user\")")
        for k in range(len(bindings)):
            prev = ", c.prev" if k else ", CAST(NULL AS TIMESTAMP) AS prev"
            ctes.append(f"r{k} AS (SELECT c.\"user\", c.t{prev} FROM c{k} c "
                        "JOIN best b ON c.\"user\" = b.\"user\" AND c.s = b.s)")
        return ctes


class _Query:
    """A connection on one dataset file and the SQL of one set of options."""

    def __init__(self, data: ParquetData, opts: FunnelOptions):
        self._stack = contextlib.ExitStack()
        try:
            path = self._stack.enter_context(parquet_path(data))
            tmp = self._stack.enter_context(
                tempfile.TemporaryDirectory(prefix=f"journeydesk-metrics-{os.getpid()}-"))
            self.con = connect(Path(tmp) / "spill")
            self._stack.callback(self.con.close)
            # a background job's dataset: its cancel interrupts this connection's queries
            self._job = data if isinstance(data, Interruptible) else None
            # a file on disk (not bytes copied out for this query): its users can be remembered
            self.file_key = None if isinstance(data, bytes | bytearray | memoryview) \
                else _file_key(path)
            if self._job is not None:
                self._job.attach(self.con)
                self._stack.callback(self._job.detach, self.con)
            source = f"read_parquet({literal(str(path))})"
            try:
                columns = [r[0] for r in self.con.execute(
                    f"DESCRIBE SELECT * FROM {source}").fetchall()]
            except Exception as exc:  # noqa: BLE001 - DuckDB says what is wrong with the file
                if self._job is not None and self._job.cancelled:
                    raise Cancelled from None
                raise MetricsError("the dataset cannot be read "
                                   f"({str(exc).splitlines()[0]})") from None
            missing = [c for c in RESERVED if c not in columns]
            if missing:
                raise MetricsError(f"the dataset has no {', '.join(missing)} column; it is "
                                   "not an event dataset")
            self.sql = _Sql(source, columns, opts)
        except BaseException:
            self._stack.close()
            raise

    def __enter__(self) -> _Query:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def rows(self, ctes: Sequence[str], select: str) -> list[tuple]:
        """Rows of ``WITH ctes select``."""
        import duckdb

        if self._job is not None and self._job.cancelled:
            raise Cancelled  # DuckDB forgets an interrupt that came while it was idle
        sql = (f"WITH {', '.join(ctes)} {select}" if ctes else select)
        try:
            return self.con.execute(sql).fetchall()
        except duckdb.InterruptException:
            if self._job is not None and self._job.cancelled:
                raise Cancelled from None
            raise

    def users_total_sql(self) -> str:
        """SELECT of the number of users in scope (the scope CTE when segmented); without a
        period or segment, a file's count found before is given, not counted again."""
        if self.sql.opts.segmented:
            return "SELECT count(*) FROM scope"
        period = self.sql.period()
        if not period and self.file_key in _FILE_USERS:
            return f"SELECT {int(_FILE_USERS[self.file_key])}"
        return (f"SELECT count(DISTINCT \"user\") FROM {self.sql.src}"
                + (" WHERE " + " AND ".join(period) if period else ""))

    def remember_users(self, users: int) -> None:
        """The whole file's users, counted by this query (no period, no segment)."""
        if self.file_key is not None and not self.sql.opts.segmented and \
                not self.sql.period():
            if len(_FILE_USERS) >= 64:
                _FILE_USERS.clear()
            _FILE_USERS[self.file_key] = users


# The users of whole dataset files, by (path, inode, size, modification time): a dataset's
# Parquet never changes in place (a replaced dataset is another file), and counting them is a
# scan of the file that every funnel without a period or segment would otherwise repeat.
_FILE_USERS: dict[tuple[str, int, int, int], int] = {}


def _file_key(path: Path) -> tuple[str, int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns


def _prepare(stages: Stages, upto: int | None = None) -> tuple[list[int], list[list[str]]]:
    """The bound stages' indexes and bindings (up to stage ``upto`` included)."""
    bound = _bound(stages)
    if upto is not None:
        bound = bound[:bound.index(upto) + 1]
    return bound, [list(stages[i][1]) for i in bound]


def _stage_parts(count: int, bucket: str | None) -> list[str]:
    """SELECTs of (bucket, k, users, median µs / 1e6) for each r_k."""
    parts = []
    for k in range(count):
        med = ("median(epoch_us(r.t) - epoch_us(r.prev)) / 1e6" if k
               else "CAST(NULL AS DOUBLE)")
        if bucket is None:
            parts.append(f"SELECT 0 AS b, {k} AS k, count(*) AS users, {med} AS med, "
                         f"CAST(NULL AS VARCHAR) AS v FROM r{k} r")
        else:
            parts.append(f"SELECT x.b, {k}, count(*), {med}, CAST(NULL AS VARCHAR) "
                         f"FROM r{k} r JOIN bucketed x ON r.\"user\" = x.\"user\" GROUP BY x.b")
    return parts


# --------------------------------------------------------------------------- metrics
def funnel(parquet: ParquetData, stages: Stages, *, date_from: date | None = None,
           date_to: date | None = None, where: Mapping[str, str] | None = None,
           window_seconds: float | None = None) -> FunnelResult:
    """The funnel of ``stages`` ((name, event names or glob patterns) in map order).

    ``date_from``/``date_to``: the entry period (calendar days, both included; None: open);
    ``where``: the segment (attribute = value, all must hold; user-level); ``window_seconds``:
    the conversion window (None: unlimited).  See the module docstring and docs/data.md.
    """
    opts = _options(date_from, date_to, where, window_seconds)
    if _remote(parquet):
        return parquet.funnel(stages, **_keywords(opts))
    stages = _listed(stages)
    bound, bindings = _prepare(stages)
    with _Query(parquet, opts) as q:
        ctes = q.sql.scope_ctes() if opts.segmented else []
        parts = [f"SELECT 0 AS b, -1 AS k, ({q.users_total_sql()}) AS users, "
                 "CAST(NULL AS DOUBLE) AS med, CAST(NULL AS VARCHAR) AS v"]
        if bound:
            ctes += q.sql.chain_ctes(bindings, scoped=opts.segmented)
            parts += _stage_parts(len(bound), None)
        rows = {int(k): (int(users), None if med is None else float(med))
                for _, k, users, med, _ in q.rows(ctes, " UNION ALL ".join(parts))}
        q.remember_users(rows[-1][0])
    per_bound = [rows[k] for k in range(len(bound))]
    return assemble_funnel(stages, bound, per_bound, rows[-1][0])


def _keywords(opts: FunnelOptions) -> dict[str, Any]:
    return {"date_from": opts.date_from, "date_to": opts.date_to, "where": opts.where,
            "window_seconds": opts.window_seconds}


def funnel_breakdown(parquet: ParquetData, stages: Stages, column: str, *,
                     date_from: date | None = None, date_to: date | None = None,
                     where: Mapping[str, str] | None = None,
                     window_seconds: float | None = None, top: int = DEFAULT_TOP
                     ) -> list[tuple[str, FunnelResult]]:
    """One funnel per value of the users' attribute ``column`` (rule 1: each user has one).

    The ``top`` values with the most users in scope, most first (ties by value; an empty
    value reads ``(none)``), then ``other``: the users of every other value together, when
    there are more.  The parts' ``users_total`` add up to :func:`funnel`'s.
    """
    opts = _options(date_from, date_to, where, window_seconds)
    top = _check_top(top)
    if _remote(parquet):
        return parquet.funnel_breakdown(stages, column, top=top, **_keywords(opts))
    stages = _listed(stages)
    bound, bindings = _prepare(stages)
    with _Query(parquet, opts) as q:
        ctes = q.sql.scope_ctes(q.sql.breakdown_column(column), top)
        parts = ["SELECT least(rk, " + str(top + 1) + ") AS b, -2 AS k, n AS users, "
                 "CAST(NULL AS DOUBLE) AS med, v FROM ranked WHERE rk <= " + str(top + 1),
                 "SELECT b, -1, count(*), CAST(NULL AS DOUBLE), CAST(NULL AS VARCHAR) "
                 "FROM bucketed GROUP BY b"]
        if bound:
            ctes += q.sql.chain_ctes(bindings, scoped=True)
            parts += _stage_parts(len(bound), "b")
        rows = q.rows(ctes, " UNION ALL ".join(parts))
    return breakdown_from_rows(stages, bound, rows, top)


def _check_top(top: int) -> int:
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise MetricsError(f"top must be a whole number of values, 0 or more, not {top!r}")
    return top


def breakdown_from_rows(stages: Stages, bound: list[int], rows: Sequence[tuple], top: int
                        ) -> list[tuple[str, FunnelResult]]:
    """The breakdown from rows of (bucket, k, users, median, value): k = -2 names a bucket
    (its value), -1 gives its users_total, 0.. its bound stages."""
    labels: dict[int, str] = {}
    totals: dict[int, int] = {}
    stage_rows: dict[int, dict[int, tuple[int, float | None]]] = {}
    for bucket, kind, users, med, value in rows:
        b, k = int(bucket), int(kind)
        if k == -2:
            labels[b] = OTHER_LABEL if b > top else (NONE_LABEL if value is None else value)
        elif k == -1:
            totals[b] = int(users)
        else:
            stage_rows.setdefault(b, {})[k] = (int(users), None if med is None else float(med))
    out = []
    for b in sorted(labels):
        found = stage_rows.get(b, {})
        per_bound = [found.get(k, (0, None)) for k in range(len(bound))]
        out.append((labels[b], assemble_funnel(stages, bound, per_bound, totals.get(b, 0))))
    return out


def rest_of(whole: FunnelResult, part: FunnelResult) -> FunnelResult:
    """The funnel of the users of ``whole`` who are not in ``part``: a breakdown value against
    all the other users, for a significance test.  Each user has one value, so the users of
    every stage subtract; medians do not, and are None.  Both funnels must be of the same
    stages and options."""
    if [s.stage for s in whole.stages] != [s.stage for s in part.stages]:
        raise MetricsError("the two funnels do not have the same stages")
    stages = [(w.stage, [w.stage] if w.users is not None else []) for w in whole.stages]
    bound = [i for i, w in enumerate(whole.stages) if w.users is not None]
    per_bound = [(int(whole.stages[i].users or 0) - int(part.stages[i].users or 0), None)
                 for i in bound]
    return assemble_funnel(stages, bound, per_bound, whole.users_total - part.users_total)


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
    """How many events of each name the users in scope have in the period, most first."""
    opts = _options(date_from, date_to, where, None)
    if _remote(parquet):
        return parquet.event_counts(date_from=date_from, date_to=date_to, where=where)
    with _Query(parquet, opts) as q:
        ctes = q.sql.scope_ctes() if opts.segmented else []
        conditions = q.sql.period()
        if opts.segmented:
            conditions.append("\"user\" IN (SELECT \"user\" FROM scope)")
        rows = q.rows(ctes, f"SELECT event, count(*) AS n FROM {q.sql.src}"
                      + (" WHERE " + " AND ".join(conditions) if conditions else "")
                      + " GROUP BY event ORDER BY n DESC, event")
    return {str(event): int(n) for event, n in rows}


def _stage_users(parquet: ParquetData, stages: Stages, stage: int, opts: FunnelOptions,
                 select: str) -> list[tuple]:
    """Rows of ``select`` over the chains up to ``stage`` (r0..rP; P = its position).

    Truncating the stages keeps who reaches, who drops and their reach times up to there: a
    chain reaching P exists or not whatever the later stages are, and the users whose chain
    ends at P - 1 have the same longest chains either way.
    """
    bound, bindings = _prepare(stages, stage)
    with _Query(parquet, opts) as q:
        ctes = (q.sql.scope_ctes() if opts.segmented else []) + \
            q.sql.chain_ctes(bindings, scoped=opts.segmented)
        return q.rows(ctes, select.format(p=len(bound) - 1, q=len(bound) - 2))


def users_at_stage(parquet: ParquetData, stages: Stages, stage: int, *,
                   date_from: date | None = None, date_to: date | None = None,
                   where: Mapping[str, str] | None = None,
                   window_seconds: float | None = None) -> list[str]:
    """The users who reached stage ``stage`` (an index into ``stages``), sorted."""
    opts = _options(date_from, date_to, where, window_seconds)
    if _remote(parquet):
        return parquet.users_at_stage(stages, stage, **_keywords(opts))
    stages = _listed(stages)
    _check_bound(stages, stage)
    rows = _stage_users(parquet, stages, stage, opts,
                        "SELECT \"user\" FROM r{p} ORDER BY \"user\"")
    return [r[0] for r in rows]


def dropped_users(parquet: ParquetData, stages: Stages, stage: int, *,
                  date_from: date | None = None, date_to: date | None = None,
                  where: Mapping[str, str] | None = None,
                  window_seconds: float | None = None) -> list[str]:
    """The users who reached the bound stage before ``stage`` but not ``stage``, sorted.

    Empty for the first bound stage (nobody drops before the funnel starts).
    """
    opts = _options(date_from, date_to, where, window_seconds)
    if _remote(parquet):
        return parquet.dropped_users(stages, stage, **_keywords(opts))
    stages = _listed(stages)
    _check_bound(stages, stage)
    if _bound(stages)[0] == stage:
        return []
    rows = _stage_users(parquet, stages, stage, opts,
                        "SELECT \"user\" FROM r{q} WHERE \"user\" NOT IN "
                        "(SELECT \"user\" FROM r{p}) ORDER BY \"user\"")
    return [r[0] for r in rows]


SINCE = ("previous", "entry")


def dropped_who_did_next(parquet: ParquetData, stages: Stages, stage: int, *,
                         date_from: date | None = None, date_to: date | None = None,
                         where: Mapping[str, str] | None = None,
                         window_seconds: float | None = None, since: str = "previous") -> int:
    """How many of :func:`dropped_users` have an event of ``stage`` anyway.

    ``since="previous"``: at or after their reach time of the previous bound stage (they did
    it, but outside the window; none without a window).  ``since="entry"``: at or after their
    entry, which also counts those who did it out of order (before the previous stage).
    """
    opts = _options(date_from, date_to, where, window_seconds)
    if since not in SINCE:
        raise MetricsError(f"since is 'previous' or 'entry', not {since!r}")
    if _remote(parquet):
        return parquet.dropped_who_did_next(stages, stage, since=since, **_keywords(opts))
    stages = _listed(stages)
    _check_bound(stages, stage)
    if _bound(stages)[0] == stage:
        return 0
    with _Query(parquet, opts) as q:
        bound, bindings = _prepare(stages, stage)
        p = len(bound) - 1
        ctes = (q.sql.scope_ctes() if opts.segmented else []) + \
            q.sql.chain_ctes(bindings, scoped=opts.segmented)
        after = "d.t" if since == "previous" else "d.s"
        ctes.append(f"dropped AS (SELECT r.\"user\", r.t, e.t AS s FROM r{p - 1} r "
                    "JOIN r0 e ON r.\"user\" = e.\"user\" "
                    f"WHERE r.\"user\" NOT IN (SELECT \"user\" FROM r{p}))")
        rows = q.rows(ctes, f"SELECT count(*) FROM dropped d WHERE EXISTS (SELECT 1 FROM "
                      f"{q.sql.src} x WHERE x.\"user\" = d.\"user\" AND x.ts >= {after} AND "
                      f"{_match(bindings[p], 'x.event')})")
    return int(rows[0][0])


def user_timeline(parquet: ParquetData, user: str, *, limit: int = 1000
                  ) -> list[tuple[datetime, str]]:
    """One user's events, oldest first (at most ``limit``): what did this person do?"""
    if _remote(parquet):
        return parquet.user_timeline(user, limit=limit)
    with _Query(parquet, FunnelOptions()) as q:
        rows = q.con.execute(
            f"SELECT ts, event FROM {q.sql.src} WHERE \"user\" = ? ORDER BY ts, event LIMIT ?",
            [user, int(limit)]).fetchall()
    return [(ts, str(event)) for ts, event in rows]
