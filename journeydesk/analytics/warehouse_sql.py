"""The SQL of every metric for a database source, built with SQLAlchemy Core.

The same queries as the local engine (:mod:`journeydesk.analytics.funnel`, docs/data.md "The
funnel"), written once more for any dialect: every event name, pattern, filter value, date and
window is a bound parameter.  :class:`Plan` builds the statements of one set of options over
one table; :class:`~journeydesk.analytics.warehouse.Warehouse` runs them.

The few expressions SQL does not spell the same way everywhere (microseconds between two
times, a time plus microseconds, a median, the Monday of a week, text compared byte by byte)
are constructs compiled per dialect; PostgreSQL is tested against a real server, the others
are written from their documentation (docs/warehouses.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import expression

from journeydesk.analytics.funnel import NONE_LABEL, FunnelOptions, unknown_attribute
from journeydesk.analytics.patterns import LIKE_ESCAPE, like_pattern, split_binding


# --------------------------------------------------------------------------- dialect constructs
class MicrosBetween(expression.FunctionElement[int]):
    """``MicrosBetween(start, end)``: end - start in whole microseconds (the local engine's
    unit: medians and seconds come out the same, bit for bit)."""

    type = sa.BigInteger()
    name = "micros_between"
    inherit_cache = True


class PlusMicros(expression.FunctionElement[datetime]):
    """``PlusMicros(time, n)``: the time n whole microseconds later (exact)."""

    type = sa.DateTime()
    name = "plus_micros"
    inherit_cache = True


class Median(expression.FunctionElement[float]):
    """The median of a numeric expression (the mean of the two middle values when even)."""

    type = sa.Float()
    name = "median"
    inherit_cache = True


class WeekStart(expression.FunctionElement[date]):
    """The Monday of a time's ISO week, as a date."""

    type = sa.Date()
    name = "week_start"
    inherit_cache = True


class BinaryText(expression.FunctionElement[str]):
    """Text compared by its bytes (code points), as the local engine compares: the smallest
    of tied first-event values and the order of breakdown values must not follow a locale."""

    type = sa.String()
    name = "binary_text"
    inherit_cache = True


# SQL of each construct per dialect (None: every other dialect); {start}/{end} or {x} stand for
# the compiled arguments.
SQL_FORMS: dict[type, dict[str | None, str]] = {
    MicrosBetween: {
        None: "CAST(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000 AS BIGINT)",
        "duckdb": "(epoch_us({end}) - epoch_us({start}))",
        "sqlite": "CAST(ROUND((julianday({end}) - julianday({start})) * 86400000000) "
                  "AS INTEGER)",
        "trino": "(date_diff('millisecond', {start}, {end}) * 1000)",
        "clickhouse": "dateDiff('microsecond', {start}, {end})",
        "snowflake": "DATEDIFF('microsecond', {start}, {end})",
        "bigquery": "TIMESTAMP_DIFF({end}, {start}, MICROSECOND)",
        "mysql": "TIMESTAMPDIFF(MICROSECOND, {start}, {end})",
    },
    PlusMicros: {
        None: "({start} + {end} * INTERVAL '1 microsecond')",
        "duckdb": "({start} + to_microseconds({end}))",
        "sqlite": "strftime('%Y-%m-%d %H:%M:%f', julianday({start}) + {end} / 86400000000.0)",
        "trino": "date_add('millisecond', {end} / 1000, {start})",
        "clickhouse": "addMicroseconds({start}, {end})",
        "snowflake": "DATEADD('microsecond', {end}, {start})",
        "bigquery": "TIMESTAMP_ADD({start}, INTERVAL {end} MICROSECOND)",
        "mysql": "TIMESTAMPADD(MICROSECOND, {end}, {start})",
    },
    Median: {
        None: "percentile_cont(0.5) WITHIN GROUP (ORDER BY {x})",
        "duckdb": "median({x})",
        "trino": "approx_percentile({x}, 0.5)",  # Trino has only an approximate percentile
        "clickhouse": "quantileExactInclusive(0.5)({x})",
        # BigQuery's PERCENTILE_CONT is analytic only; APPROX_QUANTILES is its aggregate
        "bigquery": "APPROX_QUANTILES({x}, 2)[OFFSET(1)]",
        "snowflake": "MEDIAN({x})",
    },
    WeekStart: {
        None: "CAST(date_trunc('week', {x}) AS DATE)",
        "clickhouse": "toMonday({x})",
        "bigquery": "DATE_TRUNC(DATE({x}), ISOWEEK)",
        # Snowflake's WEEK follows the WEEK_START parameter; DAYOFWEEKISO is always Monday = 1
        "snowflake": "DATEADD('day', 1 - DAYOFWEEKISO({x}), CAST({x} AS DATE))",
    },
    BinaryText: {
        None: "{x}",  # byte order where that is the default (DuckDB, ClickHouse, BigQuery...)
        "postgresql": "({x} COLLATE \"C\")",
        "sqlite": "({x} COLLATE BINARY)",
        "mysql": "(CONVERT({x} USING utf8mb4) COLLATE utf8mb4_bin)",
        "snowflake": "COLLATE({x}, 'utf8')",
    },
}


def _register(construct: type, dialect: str | None, form: str) -> None:
    def render(element: Any, compiler: Any, **kw: Any) -> str:
        args = [compiler.process(arg, **kw) for arg in element.clauses]
        if len(args) == 2:
            return form.format(start=args[0], end=args[1])
        return form.format(x=args[0])

    compiles(construct, *((dialect,) if dialect else ()))(render)


for _construct, _forms in SQL_FORMS.items():
    for _dialect, _form in _forms.items():
        _register(_construct, _dialect, _form)


def seconds_between(start: Any, end: Any) -> sa.ColumnElement[float]:
    """end - start in seconds: whole microseconds / 1e6 in double precision, as locally."""
    return sa.cast(MicrosBetween(start, end), sa.Float) / sa.literal_column("1000000.0")


def _k(value: int) -> sa.ColumnElement[Any]:
    """A small whole number as SQL text (row tags and ranks, never user input)."""
    return sa.literal_column(str(int(value)))


# --------------------------------------------------------------------------- the plan
@dataclass
class Columns:
    """The source's table as SQLAlchemy sees it, and its role columns."""

    table: sa.Table
    user: sa.ColumnElement[Any]
    event: sa.ColumnElement[Any]
    ts: sa.ColumnElement[Any]
    attributes: dict[str, sa.ColumnElement[Any]]  # lower-case name -> text expression


@dataclass
class Scope:
    """The CTEs of the users in scope: ``users`` (user[, v]); with a breakdown ``ranked``
    (v, n, rk), ``bucketed`` (user, b) and ``bucket``, the expression of b over ``ranked``."""

    users: sa.CTE
    ranked: sa.CTE | None = None
    bucketed: sa.CTE | None = None
    bucket: sa.ColumnElement[Any] | None = None


class Plan:
    """The statements of every metric over one table, for one set of options."""

    def __init__(self, cols: Columns, opts: FunnelOptions, attribute_names: Sequence[str]):
        self.cols = cols
        self.opts = opts
        self.attribute_names = list(attribute_names)
        # Rows without a user, an event name or a time are not events (an import leaves them
        # out as bad rows): anonymous visits with a NULL user must not count.
        self.valid: list[sa.ColumnElement[bool]] = [
            cols.user.is_not(None), cols.event.is_not(None), cols.ts.is_not(None),
            sa.func.trim(cols.event) != sa.literal("", sa.String)]
        if isinstance(cols.user.type, sa.String):
            self.valid.append(sa.func.trim(cols.user) != sa.literal("", sa.String))
        self.where = [(self.attribute(c, "filter on"), str(v))
                      for c, v in (opts.where or {}).items()]

    def attribute(self, name: str, purpose: str) -> sa.ColumnElement[Any]:
        """The text expression of attribute ``name`` (MetricsError when there is none)."""
        expr = self.cols.attributes.get(name.lower())
        if expr is None:
            raise unknown_attribute(name, self.attribute_names, purpose)
        return expr

    # ---------------------------------------------------------------- pieces
    def period(self, ts: Any) -> list[sa.ColumnElement[bool]]:
        """``ts`` in the entry period."""
        out = []
        if self.opts.start is not None:
            out.append(ts >= sa.bindparam(None, self.opts.start, type_=sa.DateTime))
        if self.opts.end is not None:
            out.append(ts < sa.bindparam(None, self.opts.end, type_=sa.DateTime))
        return out

    def window(self) -> sa.ColumnElement[Any]:
        return sa.bindparam(None, self.opts.window_us, type_=sa.BigInteger)

    @staticmethod
    def match(binding: Sequence[str], event: Any) -> sa.ColumnElement[bool]:
        """``event`` belongs to a stage bound to ``binding`` (names and glob patterns)."""
        names, patterns = split_binding(binding)
        parts: list[sa.ColumnElement[bool]] = []
        if names:
            parts.append(event.in_([sa.bindparam(None, n, type_=sa.String) for n in names]))
        parts += [event.like(sa.bindparam(None, like_pattern(p), type_=sa.String),
                             escape=LIKE_ESCAPE) for p in patterns]
        return sa.or_(*parts)

    def scope(self, breakdown: str | None = None, top: int = 0, *, use_period: bool = True
              ) -> Scope:
        """The users in scope after the segment (with their breakdown value v), and with a
        breakdown their buckets: b = the value's rank, top + 1 for the others."""
        cols = self.cols
        exprs = [e for e, _ in self.where]
        if breakdown is not None:
            exprs.append(self.attribute(breakdown, "break down by"))
        period = self.period(cols.ts) if use_period else []
        first = (sa.select(cols.user.label("user"), sa.func.min(cols.ts).label("t0"))
                 .where(*self.valid, *period).group_by(cols.user).cte("first"))
        # the attributes of the first event in the period: per column the smallest value
        # among the events at that time (min ignores NULLs: NULL only when all are)
        attrs = (sa.select(cols.user.label("user"),
                           *(sa.func.min(BinaryText(e)).label(f"a{i}")
                             for i, e in enumerate(exprs)))
                 .select_from(cols.table.join(first, sa.and_(cols.user == first.c.user,
                                                             cols.ts == first.c.t0)))
                 .where(*self.valid).group_by(cols.user).cte("attrs"))
        keep = [attrs.c[f"a{i}"] == sa.bindparam(None, v, type_=sa.String)
                for i, (_, v) in enumerate(self.where)]
        chosen = [attrs.c.user]
        if breakdown is not None:
            chosen.append(attrs.c[f"a{len(exprs) - 1}"].label("v"))
        scope = sa.select(*chosen).where(*keep).cte("scope")
        if breakdown is None:
            return Scope(scope)
        order = (sa.func.count().desc(),
                 BinaryText(sa.func.coalesce(scope.c.v,
                                             sa.bindparam(None, NONE_LABEL, type_=sa.String))),
                 scope.c.v.is_(None))
        ranked = (sa.select(scope.c.v, sa.func.count().label("n"),
                            sa.func.row_number().over(order_by=order).label("rk"))
                  .group_by(scope.c.v).cte("ranked"))
        bucket = sa.case((ranked.c.rk <= top, ranked.c.rk), else_=_k(top + 1))
        # v IS NOT DISTINCT FROM v, spelled as equalities a hash join can use
        empty = sa.bindparam(None, "", type_=sa.String)
        same = sa.and_(sa.func.coalesce(scope.c.v, empty) == sa.func.coalesce(ranked.c.v, empty),
                       scope.c.v.is_(None) == ranked.c.v.is_(None))
        bucketed = (sa.select(scope.c.user, bucket.label("b"))
                    .select_from(scope.join(ranked, same)).cte("bucketed"))
        return Scope(scope, ranked, bucketed, bucket)

    def users_total(self, scope: sa.CTE | None) -> sa.Select[Any]:
        """One row: the users in scope."""
        if scope is not None:
            return sa.select(sa.func.count()).select_from(scope)
        return (sa.select(sa.func.count(sa.distinct(self.cols.user)))
                .where(*self.valid, *self.period(self.cols.ts)))

    def chains(self, bindings: list[list[str]], scope: sa.CTE | None) -> list[sa.CTE]:
        """CTEs r0, r1... of each user's chain: (user, t[, prev]) of the users reaching the
        k-th bound stage; r0's t is the user's entry (see funnel._Sql.chain_ctes)."""
        cols, opts = self.cols, self.opts
        keep = [*self.valid, self.match([e for b in bindings for e in b], cols.event)]
        if opts.start is not None:
            keep.append(cols.ts >= sa.bindparam(None, opts.start, type_=sa.DateTime))
        if opts.window_us is not None and opts.end is not None:
            keep.append(cols.ts < PlusMicros(sa.bindparam(None, opts.end, type_=sa.DateTime),
                                             self.window()))
        ev = sa.select(cols.user.label("user"), cols.event.label("event"),
                       cols.ts.label("ts")).where(*keep).cte("ev")
        entry = [self.match(bindings[0], ev.c.event), *self.period(ev.c.ts)]
        if scope is not None:
            entry.append(ev.c.user.in_(sa.select(scope.c.user)))
        chain: list[sa.CTE] = []
        if opts.window_us is None:  # the earliest entry starts a longest chain
            chain.append(sa.select(ev.c.user, sa.func.min(ev.c.ts).label("t"))
                         .where(*entry).group_by(ev.c.user).cte("r0"))
            for k in range(1, len(bindings)):
                e, p = ev.alias(f"e{k}"), chain[-1]
                chain.append(sa.select(e.c.user, sa.func.min(e.c.ts).label("t"),
                                       p.c.t.label("prev"))
                             .select_from(e.join(p, sa.and_(e.c.user == p.c.user,
                                                            e.c.ts >= p.c.t)))
                             .where(self.match(bindings[k], e.c.event))
                             .group_by(e.c.user, p.c.t).cte(f"r{k}"))
            return chain
        # every entry s: c_k (user, s, prev, t) for the entries whose chain reaches stage k
        levels: list[sa.CTE] = [sa.select(ev.c.user, ev.c.ts.label("s"), ev.c.ts.label("t"))
                                .where(*entry).distinct().cte("c0")]
        for k in range(1, len(bindings)):
            e, p = ev.alias(f"e{k}"), levels[-1]
            levels.append(sa.select(p.c.user, p.c.s, p.c.t.label("prev"),
                                    sa.func.min(e.c.ts).label("t"))
                          .select_from(e.join(p, sa.and_(
                              e.c.user == p.c.user, e.c.ts >= p.c.t,
                              e.c.ts <= PlusMicros(p.c.s, self.window()))))
                          .where(self.match(bindings[k], e.c.event))
                          .group_by(p.c.user, p.c.s, p.c.t).cte(f"c{k}"))
        union = sa.union_all(*(sa.select(c.c.user, c.c.s, _k(k).label("n"))
                               for k, c in enumerate(levels))).subquery("l")
        # the longest chain, then the earliest entry
        ranked = sa.select(union.c.user, union.c.s, sa.func.row_number().over(
            partition_by=union.c.user, order_by=(union.c.n.desc(), union.c.s)).label("rn")
        ).subquery("ranked_entries")
        best = sa.select(ranked.c.user, ranked.c.s).where(ranked.c.rn == 1).cte("best")
        for k, c in enumerate(levels):
            columns = [c.c.user, c.c.t] + ([c.c.prev] if k else [])
            chain.append(sa.select(*columns)
                         .select_from(c.join(best, sa.and_(c.c.user == best.c.user,
                                                           c.c.s == best.c.s)))
                         .cte(f"r{k}"))
        return chain

    # ---------------------------------------------------------------- statements
    def funnel(self, bindings: list[list[str]]) -> sa.CompoundSelect:
        """Rows (b, k, users, median µs): k = -1 the users in scope, 0.. the bound stages."""
        scope = self.scope().users if self.opts.segmented else None
        parts: list[sa.Select[Any]] = [sa.select(
            _k(0).label("b"), _k(-1).label("k"),
            self.users_total(scope).scalar_subquery().label("users"),
            sa.cast(sa.null(), sa.Float).label("med"))]
        if bindings:
            for k, r in enumerate(self.chains(bindings, scope)):
                parts.append(sa.select(_k(0), _k(k), sa.func.count(), self._median(r, k))
                             .select_from(r))
        return sa.union_all(*parts)

    @staticmethod
    def _median(r: sa.CTE, k: int) -> sa.ColumnElement[Any]:
        return Median(MicrosBetween(r.c.prev, r.c.t)) if k else sa.cast(sa.null(), sa.Float)

    def breakdown(self, bindings: list[list[str]], column: str, top: int
                  ) -> sa.CompoundSelect:
        """Rows (b, k, users, median µs, value): k = -2 names bucket b, -1 its users."""
        made = self.scope(column, top)
        ranked, bucketed = made.ranked, made.bucketed
        assert ranked is not None and bucketed is not None and made.bucket is not None
        text_null = sa.cast(sa.null(), sa.String)
        parts: list[sa.Select[Any]] = [
            sa.select(made.bucket.label("b"), _k(-2).label("k"), ranked.c.n.label("users"),
                      sa.cast(sa.null(), sa.Float).label("med"), ranked.c.v.label("v"))
            .where(ranked.c.rk <= top + 1),
            sa.select(bucketed.c.b, _k(-1), sa.func.count(), sa.cast(sa.null(), sa.Float),
                      text_null).group_by(bucketed.c.b)]
        if bindings:
            for k, r in enumerate(self.chains(bindings, made.users)):
                parts.append(sa.select(bucketed.c.b, _k(k), sa.func.count(), self._median(r, k),
                                       text_null)
                             .select_from(r.join(bucketed, r.c.user == bucketed.c.user))
                             .group_by(bucketed.c.b))
        return sa.union_all(*parts)

    def stage_chains(self, bindings: list[list[str]]) -> list[sa.CTE]:
        """The chains with the segment applied."""
        return self.chains(bindings, self.scope().users if self.opts.segmented else None)

    def event_counts(self) -> sa.Select[Any]:
        """(event, count) of the events in the period of the users in scope."""
        cols = self.cols
        conditions = [*self.valid, *self.period(cols.ts)]
        if self.opts.segmented:
            conditions.append(cols.user.in_(sa.select(self.scope().users.c.user)))
        return sa.select(cols.event, sa.func.count()).where(*conditions).group_by(cols.event)

    def daily_volume(self) -> sa.Select[Any]:
        """(day, count) of every event of the users in the segment (first event ever)."""
        cols = self.cols
        conditions = list(self.valid)
        if self.opts.segmented:
            scope = self.scope(use_period=False).users
            conditions.append(cols.user.in_(sa.select(scope.c.user)))
        day = sa.cast(cols.ts, sa.Date)
        return sa.select(day.label("d"), sa.func.count()).where(*conditions).group_by(day)

    def weekly(self, bindings: list[list[str]]) -> sa.CompoundSelect:
        """Rows (k, Monday of the entry week, n, reached) for k >= 1."""
        chain = self.stage_chains(bindings)
        parts = []
        for k in range(1, len(chain)):
            p, c, e = chain[k - 1], chain[k], chain[0].alias(f"entry{k}")
            week = WeekStart(e.c.t)
            parts.append(sa.select(_k(k).label("k"), week.label("w"),
                                   sa.func.count().label("n"),
                                   sa.func.count(c.c.user).label("reached"))
                         .select_from(p.join(e, e.c.user == p.c.user)
                                      .outerjoin(c, c.c.user == p.c.user))
                         .group_by(week))
        return sa.union_all(*parts)

    def dropped_who_did_next(self, bindings: list[list[str]], since: str) -> sa.Select[Any]:
        """One row: how many users ending at the second-to-last stage have an event of the
        last at or after their previous reach time (or their entry)."""
        cols = self.cols
        chain = self.stage_chains(bindings)
        before, here, entry = chain[-2], chain[-1], chain[0].alias("entry")
        dropped = (sa.select(before.c.user, before.c.t, entry.c.t.label("s"))
                   .select_from(before.join(entry, entry.c.user == before.c.user))
                   .where(before.c.user.not_in(sa.select(here.c.user))).cte("dropped"))
        after = dropped.c.t if since == "previous" else dropped.c.s
        anyway = sa.exists().where(cols.user == dropped.c.user, cols.ts >= after, *self.valid,
                                   self.match(bindings[-1], cols.event))
        return sa.select(sa.func.count()).select_from(dropped).where(anyway)

