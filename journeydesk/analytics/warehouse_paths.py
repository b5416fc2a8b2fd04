"""What people did instead, and flows, for a database source (SQLAlchemy Core).

The same numbers as :mod:`journeydesk.analytics.paths` (docs/data.md, "What people did
instead, and flows"), built on the chains and scope of
:class:`~journeydesk.analytics.warehouse_sql.Plan`: every event name, hidden name, date and
window is a bound parameter, text is ordered by its code points (``BinaryText``), and only the
top rows and the counts come back (and the users of one move, a list asked for by name).
:class:`~journeydesk.analytics.warehouse.Warehouse` runs the statements.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from journeydesk.analytics.warehouse_sql import BinaryText, Plan, _k


def next_events_statement(plan: Plan, bindings: list[list[str]], steps: int,
                          hide: list[str], top: int) -> sa.CompoundSelect:
    """Rows (kind, users, e1..eN): kind 0 the users who reached the second-to-last bound
    stage of ``bindings`` but not the last, 1 the top next events (e1), 2 the top paths."""
    cols = plan.cols
    chain = plan.stage_chains(bindings)
    before, here = chain[-2], chain[-1]
    dropped = (sa.select(before.c.user, before.c.t)
               .where(before.c.user.not_in(sa.select(here.c.user))).cte("dropped"))
    keep = list(plan.valid)
    if hide:
        keep.append(cols.event.not_in([sa.bindparam(None, h, type_=sa.String) for h in hide]))
    later = (sa.select(cols.user.label("user"), cols.event.label("event"),
                       cols.ts.label("ts"))
             .select_from(cols.table.join(dropped, sa.and_(cols.user == dropped.c.user,
                                                           cols.ts > dropped.c.t)))
             .where(*keep).cte("later"))
    order = (later.c.ts, BinaryText(later.c.event))
    marked = sa.select(later.c.user, later.c.event, later.c.ts, sa.func.lag(later.c.event).over(
        partition_by=later.c.user, order_by=order).label("prev")).cte("marked")
    # repeats collapsed: a row counts when the one before it (in time, then name) differs
    kept = (sa.select(marked.c.user, marked.c.event, sa.func.row_number().over(
        partition_by=marked.c.user, order_by=(marked.c.ts, BinaryText(marked.c.event)))
        .label("n")).where(sa.or_(marked.c.prev.is_(None), marked.c.prev != marked.c.event))
        .cte("kept"))
    columns = [sa.func.max(sa.case((kept.c.n == i, kept.c.event))).label(f"e{i}")
               for i in range(1, steps + 1)]
    paths = (sa.select(dropped.c.user, *columns)
             .select_from(dropped.outerjoin(kept, sa.and_(kept.c.user == dropped.c.user,
                                                          kept.c.n <= steps)))
             .group_by(dropped.c.user).cte("paths"))
    es = [paths.c[f"e{i}"] for i in range(1, steps + 1)]
    null_text = sa.cast(sa.null(), sa.String)
    total = sa.select(_k(0).label("kind"), sa.func.count().label("n"),
                      *(null_text.label(f"e{i}") for i in range(1, steps + 1))
                      ).select_from(paths)
    n = sa.func.count()
    firsts = (sa.select(_k(1).label("kind"), n.label("n"), es[0].label("e1"),
                        *(null_text.label(f"e{i}") for i in range(2, steps + 1)))
              .group_by(es[0]).order_by(n.desc(), BinaryText(es[0]).asc().nulls_last())
              .limit(top).subquery("firsts"))
    whole = (sa.select(_k(2).label("kind"), n.label("n"), *es)
             .group_by(*es).order_by(n.desc(), *(BinaryText(e).asc().nulls_last() for e in es))
             .limit(top).subquery("whole"))
    return sa.union_all(total, sa.select(*firsts.c), sa.select(*whole.c))


def stage_moves(plan: Plan, bindings: list[list[str]], *, ends: bool = True) -> sa.CTE:
    """CTE ``o`` (user, s, p[, rn, rl]): each user's bound stages in order, from their first
    bound event in the period on (``s`` the stage's position, ``p`` the one before it; with
    ``ends`` also ``rn``/``rl``, the row's number from the first and from the last), as
    :func:`journeydesk.analytics.paths._flows_ctes` makes them."""
    cols = plan.cols
    scope = plan.scope().users if plan.opts.segmented else None
    parts = []
    for k, binding in enumerate(bindings):
        conditions = [*plan.valid, plan.match(binding, cols.event)]
        if scope is not None:
            conditions.append(cols.user.in_(sa.select(scope.c.user)))
        parts.append(sa.select(cols.user.label("user"), cols.ts.label("ts"),
                               _k(k).label("s")).where(*conditions))
    b = sa.union_all(*parts).cte("b")
    fst = (sa.select(b.c.user, sa.func.min(b.c.ts).label("t0")).where(*plan.period(b.c.ts))
           .group_by(b.c.user).cte("fst"))
    seq = (sa.select(b.c.user, b.c.ts, b.c.s)
           .select_from(b.join(fst, sa.and_(b.c.user == fst.c.user, b.c.ts >= fst.c.t0)))
           .cte("seq"))
    in_order = (seq.c.ts, seq.c.s)
    columns = [seq.c.user, seq.c.s,
               sa.func.lag(seq.c.s).over(partition_by=seq.c.user, order_by=in_order).label("p")]
    if ends:  # only the flows' first and last stages need them (the second a sort of its own)
        columns += [
            sa.func.row_number().over(partition_by=seq.c.user, order_by=in_order).label("rn"),
            sa.func.row_number().over(partition_by=seq.c.user,
                                      order_by=(seq.c.ts.desc(), seq.c.s.desc())).label("rl")]
    return sa.select(*columns).cte("o")


def stage_pairs(o: sa.CTE) -> sa.Subquery:
    """The distinct moves (user, p, s) of each user from one bound stage straight to
    another, from :func:`stage_moves`' ``o``: what a transition of the flows counts."""
    return sa.select(o.c.user, o.c.p, o.c.s).where(o.c.p != o.c.s).distinct().subquery("pairs")


def flows_statement(plan: Plan, bindings: list[list[str]]) -> sa.CompoundSelect:
    """Rows (kind, a, b, n) as :func:`journeydesk.analytics.paths.flows_from_rows` reads."""
    o = stage_moves(plan, bindings)
    one, zero = _k(1), _k(0)
    per = sa.select(
        o.c.user,
        sa.func.max(sa.case((o.c.rn == 1, o.c.s))).label("first"),
        sa.func.max(sa.case((o.c.rl == 1, o.c.s))).label("last"),
        sa.func.max(sa.case((o.c.s > o.c.p + 1, one), else_=zero)).label("skip"),
        sa.func.max(sa.case((o.c.s < o.c.p, one), else_=zero)).label("back"),
    ).group_by(o.c.user).cte("per")
    pairs = stage_pairs(o)
    count = sa.func.count()
    rows: list[sa.Select[Any]] = [
        sa.select(zero.label("kind"), zero.label("a"), zero.label("b"), count.label("n"))
        .select_from(per),
        sa.select(zero, one, zero, count).select_from(per)
        .where(per.c.first == 0, per.c.skip == 0, per.c.back == 0),
        sa.select(zero, _k(2), zero, count).select_from(per).where(per.c.skip == 1),
        sa.select(zero, _k(3), zero, count).select_from(per).where(per.c.back == 1),
        sa.select(one, per.c.first, zero, count).group_by(per.c.first),
        sa.select(_k(2), per.c.last, zero, count).group_by(per.c.last),
        sa.select(_k(3), pairs.c.p, pairs.c.s, count).group_by(pairs.c.p, pairs.c.s),
    ]
    return sa.union_all(*rows)


def move_users_statement(plan: Plan, bindings: list[list[str]], source: int,
                         target: int) -> sa.Select[Any]:
    """The users (one row each) who moved from bound position ``source`` straight to bound
    position ``target`` at least once: those the flows' transition (source, target) counts."""
    pairs = stage_pairs(stage_moves(plan, bindings, ends=False))
    return sa.select(pairs.c.user).where(pairs.c.p == _k(source), pairs.c.s == _k(target))
