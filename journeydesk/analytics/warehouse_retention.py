"""Retention and churn on a database source, in SQLAlchemy Core.

The same query as the local engine's (:mod:`journeydesk.analytics.retention`, docs/data.md
"Retention and churn") over the funnel's chains of :class:`~journeydesk.analytics
.warehouse_sql.Plan`: the same integer arithmetic on whole microseconds, the same Monday or
first of the month, the table's last event time as the end of the data.  Only the small rows
of :func:`~journeydesk.analytics.retention.assemble_retention` come back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import expression

from journeydesk.analytics.funnel import FunnelOptions, Stages, _prepare
from journeydesk.analytics.retention import Retention, RetentionSpec, assemble_retention
from journeydesk.analytics.warehouse_sql import MicrosBetween, Plan, PlusMicros, WeekStart


class MonthStart(expression.FunctionElement[date]):
    """The first day of a time's calendar month, as a date."""

    type = sa.Date()
    name = "month_start"
    inherit_cache = True


MONTH_FORMS: dict[str | None, str] = {
    None: "CAST(date_trunc('month', {x}) AS DATE)",
    "clickhouse": "toStartOfMonth({x})",
    "bigquery": "DATE_TRUNC(DATE({x}), MONTH)",
    "sqlite": "date({x}, 'start of month')",
    "mysql": "CAST(DATE_FORMAT({x}, '%%Y-%%m-01') AS DATE)",
}


def _register(dialect: str | None, form: str) -> None:
    def render(element: Any, compiler: Any, **kw: Any) -> str:
        return form.format(x=compiler.process(list(element.clauses)[0], **kw))

    compiles(MonthStart, *((dialect,) if dialect else ()))(render)


for _dialect, _form in MONTH_FORMS.items():
    _register(_dialect, _form)


def _int(value: int) -> sa.ColumnElement[Any]:
    """A whole number computed from checked options (never user text) as SQL text: the
    expressions using it are grouped on, which bound parameters would prevent."""
    return sa.literal_column(str(int(value)), sa.BigInteger)


def retention_statement(plan: Plan, bindings: list[list[str]], position: int,
                        spec: RetentionSpec) -> sa.CompoundSelect:
    """Rows (kind, c, a, b, users, z) as :data:`~journeydesk.analytics.retention
    .RETENTION_SELECT` gives them: kind 0 (cohort, o, m, users), 1 (cohort, n, users), 2 the
    end of the data z."""
    cols = plan.cols
    reach = plan.stage_chains(bindings)[position]
    p_us, n_max = _int(spec.period_us), spec.periods
    anc = sa.select(reach.c.user.label("user"), reach.c.t.label("a")).cte("anc")
    end = sa.select(sa.func.max(cols.ts)).where(*plan.valid).scalar_subquery()
    keep = [*plan.valid, cols.ts >= PlusMicros(anc.c.a, p_us)]
    if spec.events:
        keep.append(plan.match(spec.events, cols.event))
    d = (sa.select(cols.user.label("user"),
                   sa.func.least(MicrosBetween(anc.c.a, cols.ts) // p_us,
                                 _int(n_max + 1)).label("n"))
         .select_from(cols.table.join(anc, cols.user == anc.c.user))
         .where(*keep).distinct().cte("d"))
    last = sa.select(d.c.user, sa.func.max(d.c.n).label("m")).group_by(d.c.user).subquery("mx")
    cohort = WeekStart(anc.c.a) if spec.cohort == "week" else MonthStart(anc.c.a)
    u = (sa.select(anc.c.user, cohort.label("c"),
                   sa.func.least(MicrosBetween(anc.c.a, end) // p_us - _int(1),
                                 _int(n_max)).label("o"),
                   sa.func.least(sa.func.coalesce(last.c.m, _int(0)), _int(n_max)).label("m"))
         .select_from(anc.outerjoin(last, last.c.user == anc.c.user)).cte("u"))
    null_int = sa.cast(sa.null(), sa.BigInteger)
    return sa.union_all(
        sa.select(_int(0).label("kind"), u.c.c, u.c.o.label("a"), u.c.m.label("b"),
                  sa.func.count().label("users"), sa.cast(sa.null(), sa.DateTime).label("z"))
        .group_by(u.c.c, u.c.o, u.c.m),
        sa.select(_int(1), u.c.c, d.c.n, null_int, sa.func.count(),
                  sa.cast(sa.null(), sa.DateTime))
        .select_from(d.join(u, d.c.user == u.c.user)).where(d.c.n <= u.c.o)
        .group_by(u.c.c, d.c.n),
        sa.select(_int(2), sa.cast(sa.null(), sa.Date), null_int, null_int, null_int,
                  end))


def warehouse_retention(warehouse: Any, stages: Stages, spec: RetentionSpec,
                        opts: FunnelOptions) -> Retention:
    """:func:`~journeydesk.analytics.retention.retention` on a
    :class:`~journeydesk.analytics.warehouse.Warehouse` (stages listed, the anchor checked)."""
    from journeydesk.analytics.warehouse import _as_date

    bound, bindings = _prepare(stages)
    plan = warehouse._plan(opts)
    rows = warehouse._rows(retention_statement(plan, bindings, bound.index(spec.anchor), spec))
    groups = [(_as_date(c), a, b, n) for kind, c, a, b, n, _ in rows if int(kind) == 0]
    retained = [(_as_date(c), a, n) for kind, c, a, _, n, _ in rows if int(kind) == 1]
    ends = [_naive_utc(z) for kind, *_, z in rows if int(kind) == 2 and z is not None]
    return assemble_retention(stages[spec.anchor][0], spec, groups, retained,
                              ends[0] if ends else None)


def _naive_utc(value: datetime) -> datetime:
    """A time as the local engine gives it: naive, in UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value
