"""Retention and churn (docs/data.md, "Retention and churn"), user by user in plain Python.

A brute force to compare the engines with: the anchor times come from the funnel reference's
chains (tests/funnel_reference.py), then for every anchored user and every period n the
reference looks at each of their events: is it in [A + n P, A + (n + 1) P)?  at or after
A + n P?  is A + (n + 1) P within the data?  No SQL, no capping, no grouping trick.  Times are
compared as datetimes (exact to the microsecond, as the engines' whole microseconds).

Importable by the tests as ``retention_reference`` (tests/ is on sys.path).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import funnel_reference as ref
from hypothesis import strategies as st

from journeydesk.analytics.retention import (
    Cohort,
    Retention,
    RetentionCell,
    RetentionSpec,
)

Event = tuple


def cohort_of(t: datetime, cohort: str) -> date:
    """The Monday of the ISO week, or the first of the month, of ``t``."""
    day = t.date()
    return day - timedelta(days=day.weekday()) if cohort == "week" else day.replace(day=1)


def next_cohort(start: date, cohort: str) -> date:
    if cohort == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def retention(events: Sequence[Event], stages: Sequence[tuple[str, Sequence[str]]],
              anchor: int, *, every="week", periods=12, events_of=None, cohort="week",
              churn_at=None, **options) -> Retention:
    """Retention after stage ``anchor``; ``events_of`` the qualifying event set (None: any);
    the other keywords are the funnel's options."""
    spec = RetentionSpec.make(anchor, every=every, periods=periods, events=events_of,
                              cohort=cohort, churn_at=churn_at)
    position = [i for i, (_, names) in enumerate(stages) if list(names)].index(anchor)
    reach = ref.chains(events, stages, ref.Options(**options))
    anchors = {u: c[position] for u, c in reach.items() if len(c) > position}
    end = max((ev[2] for ev in events), default=None)
    step = timedelta(seconds=spec.period_seconds)

    def qualifies(name: str) -> bool:
        return spec.events is None or ref.belongs(name, spec.events)

    times = {u: [ev[2] for ev in events if ev[0] == u and qualifies(ev[1])] for u in anchors}
    # per user and n: (observable, in period n, n or later)
    found: dict[str, list[tuple[bool, bool, bool]]] = {}
    for u, a in anchors.items():
        cells = []
        for n in range(1, spec.periods + 1):
            start, stop = a + n * step, a + (n + 1) * step
            cells.append((stop <= end,
                          any(start <= t < stop for t in times[u]),
                          any(t >= start for t in times[u])))
        found[u] = cells

    def cell(users: list[str], n: int) -> RetentionCell:
        seen = [found[u][n - 1] for u in users if found[u][n - 1][0]]
        return RetentionCell(n, len(users), len(seen), sum(1 for s in seen if s[1]),
                             sum(1 for s in seen if s[2]))

    members: dict[date, list[str]] = {}
    for u, a in anchors.items():
        members.setdefault(cohort_of(a, spec.cohort), []).append(u)
    cohorts = []
    if members:
        at, last = min(members), max(members)
        while at <= last:
            users = members.get(at, [])
            cohorts.append(Cohort(at, len(users), tuple(cell(users, n)
                                                       for n in range(1, spec.periods + 1))))
            at = next_cohort(at, spec.cohort)
    everyone = list(anchors)
    overall = tuple(cell(everyone, n) for n in range(1, spec.periods + 1))
    return Retention(stages[anchor][0], spec, len(anchors), end, overall, tuple(cohorts))


# --------------------------------------------------------------------------- made-up logs
@st.composite
def spread_logs(draw) -> list[tuple]:
    """The funnel reference's logs with each user moved by days or weeks (several week and
    month cohorts, periods that end after the data)."""
    rows = draw(ref.logs)
    shift = {u: timedelta(days=draw(st.sampled_from([0, 0, 1, 6, 27, 35])))
             for u in sorted({r[0] for r in rows})}
    return [(u, e, t + shift[u], a) for u, e, t, a in rows]


everies = st.sampled_from(["day", "day", "week", "month", 3600, 6 * 3600, 1, 90 * 60])
period_counts = st.integers(1, 6)
event_sets = st.one_of(st.none(), st.none(), st.lists(
    st.one_of(st.sampled_from(["a", "b", "c"]), st.sampled_from(ref.NAMES + ref.PATTERNS)),
    min_size=1, max_size=2, unique=True))
# often no funnel options at all: more users reach the anchor, across more cohorts
funnel_options = st.one_of(st.just({}), ref.options())


@st.composite
def cases(draw) -> dict:
    """A log, its stages, an anchor among the bound ones (or None when none is bound), the
    funnel's options and the retention's keywords (``events`` as the engine names it)."""
    stages = [(f"S{i}", names) for i, names in enumerate(draw(ref.bindings))]
    bound = [i for i, (_, names) in enumerate(stages) if names]
    periods = draw(period_counts)
    return {"rows": draw(spread_logs()), "stages": stages,
            "anchor": bound[draw(st.integers(0, 10)) % len(bound)] if bound else None,
            "options": draw(funnel_options),
            "keywords": {"every": draw(everies), "periods": periods,
                         "events": draw(event_sets), "cohort": draw(cohorts),
                         "churn_at": min(draw(st.integers(1, 6)), periods)}}
cohorts = st.sampled_from(["week", "month"])
