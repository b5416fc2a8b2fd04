"""What people did instead of a stage, and how they flowed between the stages.

The definitions are docs/data.md, "What people did instead, and flows"; in short:

- :func:`next_events`: for the users who dropped off before a bound stage (exactly those of
  :func:`~journeydesk.analytics.funnel.dropped_users`, with the same period, window and
  segment), their events strictly after their reach time of the previous bound stage, of any
  name and at any later time (the window decides who dropped, not what came next), without
  the ``hide`` names, in time order (equal times by name, code point order), consecutive
  repeats collapsed.  The first is the *next event* (None: *left*, no later event); the first
  ``steps`` are the *path* (a shorter one ends with None).  The ``top`` of each, most users
  first (ties by name, step by step, left last), with their share of the dropped users.
- :func:`flows`: for the users in scope with a bound event in the period, their sequence of
  bound stages from their first bound event in the period on (later events count also after
  the period; an event bound to several stages counts for each, in stage order at one
  instant; equal times in stage order), consecutive repeats collapsed; then per stage the
  users starting and ending there, per pair the users moving forward (to the next bound
  stage), skipping ahead or going back, and how many followed the planned order.  The
  conversion window does not apply.

The local engine is DuckDB SQL over the dataset's Parquet (the chains of
:mod:`journeydesk.analytics.funnel`); a database source (``Warehouse``) computes the same in
its own SQL (:mod:`journeydesk.analytics.warehouse_paths`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from journeydesk.analytics.engine import literal
from journeydesk.analytics.funnel import (
    DEFAULT_TOP,
    MetricsError,
    ParquetData,
    Stages,
    _bound,
    _check_bound,
    _check_top,
    _listed,
    _match,
    _options,
    _prepare,
    _Query,
    _remote,
)
from journeydesk.analytics.patterns import split_binding

DEFAULT_STEPS = 3
MAX_STEPS = 10  # a path longer than this is not read by anyone (and costs memory per user)
LEFT_LABEL = "(left)"  # how a table shows "no later event" (None in the API, null in JSON)
KINDS = ("forward", "skip", "back")
Path = tuple[str | None, ...]


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class NextEvent:
    """A next event after the drop-off (None: left) and the dropped users whose it is."""

    event: str | None
    users: int
    share: float


@dataclass(frozen=True)
class NextPath:
    """A path of the next events (ending with None when the user left before ``steps``)."""

    path: Path
    users: int
    share: float


@dataclass(frozen=True)
class DropOffPaths:
    """What the users who dropped off before ``stage`` (after ``previous``) did instead."""

    stage: str
    previous: str
    steps: int
    users: int
    next_events: list[NextEvent]
    paths: list[NextPath]

    @property
    def other_next(self) -> int:
        """The dropped users whose next event is not among :attr:`next_events`."""
        return self.users - sum(e.users for e in self.next_events)

    @property
    def other_paths(self) -> int:
        """The dropped users whose path is not among :attr:`paths`."""
        return self.users - sum(p.users for p in self.paths)

    def to_json(self) -> dict[str, Any]:
        """The numbers as JSON (left is ``null``)."""
        return {"stage": self.stage, "previous": self.previous, "steps": self.steps,
                "users": self.users,
                "next_events": [{"event": e.event, "users": e.users, "share": e.share}
                                for e in self.next_events],
                "other_next": self.other_next,
                "paths": [{"path": list(p.path), "users": p.users, "share": p.share}
                          for p in self.paths],
                "other_paths": self.other_paths}


@dataclass(frozen=True)
class StageFlow:
    """A bound stage of the flows: the users whose sequence starts and ends there."""

    stage: str
    index: int  # the stage's index in the map
    starts: int
    exits: int


@dataclass(frozen=True)
class Transition:
    """Users moving from one bound stage straight to another at least once."""

    source: str
    target: str
    kind: str  # forward (to the next bound stage), skip (further ahead) or back
    users: int


@dataclass(frozen=True)
class Flows:
    """How the users moved between a map's bound stages (docs/data.md, "Flows")."""

    users: int
    in_order: int
    skipped: int
    went_back: int
    stages: list[StageFlow]
    transitions: list[Transition]

    @property
    def share_in_order(self) -> float | None:
        """The share of the users who followed the planned order (None: no users)."""
        return self.in_order / self.users if self.users else None

    def to_json(self) -> dict[str, Any]:
        """The numbers as JSON."""
        return {"users": self.users, "in_order": self.in_order,
                "share_in_order": self.share_in_order, "skipped": self.skipped,
                "went_back": self.went_back,
                "stages": [{"stage": s.stage, "starts": s.starts, "exits": s.exits}
                           for s in self.stages],
                "transitions": [{"from": t.source, "to": t.target, "kind": t.kind,
                                 "users": t.users} for t in self.transitions]}


# --------------------------------------------------------------------------- shared helpers
def check_steps(steps: int) -> int:
    """``steps`` as a whole number from 1 to MAX_STEPS (MetricsError otherwise)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise MetricsError(f"steps must be a whole number of events from 1 to {MAX_STEPS}, "
                           f"not {steps!r}")
    return steps


def check_hide(hide: Sequence[str] | str) -> list[str]:
    """The hidden event names, sorted and without repeats."""
    if isinstance(hide, str):
        hide = [hide]
    return sorted({str(h) for h in hide})


def name_key(name: str | None) -> tuple[int, str]:
    """Names in code point order, None (left) after every name."""
    return (1, "") if name is None else (0, name)


def path_of(columns: Sequence[str | None]) -> Path:
    """The path from its step columns e1..eN (None from where the user left on)."""
    steps = list(columns)
    if None in steps:
        return (*steps[:steps.index(None)], None)
    return tuple(steps)


def drop_off_from_rows(stages: Stages, stage: int, steps: int, top: int,
                       rows: Sequence[Sequence[Any]]) -> DropOffPaths:
    """The result from rows of (kind, users, e1..eN): kind 0 the dropped users, 1 a next
    event (e1), 2 a path; at most ``top`` of each, in any order."""
    bound = _bound(stages)
    previous = bound[bound.index(stage) - 1] if bound.index(stage) else stage
    total = 0
    nexts: list[tuple[str | None, int]] = []
    paths: list[tuple[Path, int]] = []
    for kind, n, *columns in rows:
        if int(kind) == 0:
            total = int(n)
        elif int(kind) == 1:
            nexts.append((columns[0], int(n)))
        else:
            paths.append((path_of(columns), int(n)))
    nexts.sort(key=lambda e: (-e[1], name_key(e[0])))
    paths.sort(key=lambda p: (-p[1], [name_key(s) for s in p[0]]))
    return DropOffPaths(
        stages[stage][0], stages[previous][0], steps, total,
        [NextEvent(e, n, n / total) for e, n in nexts[:top]],
        [NextPath(p, n, n / total) for p, n in paths[:top]])


def flows_from_rows(stages: Stages, rows: Sequence[Sequence[Any]]) -> Flows:
    """The flows from rows of (kind, a, b, n): kind 0 the totals (a = 0 users, 1 in order,
    2 skipped, 3 went back), 1 starts at position a, 2 exits at a, 3 moves from a to b."""
    bound = _bound(stages)
    totals = {0: 0, 1: 0, 2: 0, 3: 0}
    starts: dict[int, int] = {}
    exits: dict[int, int] = {}
    moves: dict[tuple[int, int], int] = {}
    for row in rows:
        kind, a, b, n = (int(v) for v in row)
        if kind == 0:
            totals[a] = n
        elif kind == 1:
            starts[a] = n
        elif kind == 2:
            exits[a] = n
        elif n:
            moves[(a, b)] = n
    stage_flows = [StageFlow(stages[i][0], i, starts.get(k, 0), exits.get(k, 0))
                   for k, i in enumerate(bound)]
    transitions = []
    for (a, b), n in sorted(moves.items()):
        kind = "forward" if b == a + 1 else "skip" if b > a else "back"
        transitions.append(Transition(stages[bound[a]][0], stages[bound[b]][0], kind, n))
    return Flows(totals[0], totals[1], totals[2], totals[3], stage_flows, transitions)


# --------------------------------------------------------------------------- what they did instead
def next_events(data: ParquetData, stages: Stages, stage_index: int, *,
                steps: int = DEFAULT_STEPS, hide: Sequence[str] = (), top: int = DEFAULT_TOP,
                date_from: date | None = None, date_to: date | None = None,
                where: Mapping[str, str] | None = None,
                window_seconds: float | None = None) -> DropOffPaths:
    """What the users who dropped off before stage ``stage_index`` did instead: their top
    next events and top paths of ``steps`` events (docs/data.md).  No users for the first
    bound stage (nobody drops off before the funnel starts)."""
    opts = _options(date_from, date_to, where, window_seconds)
    steps, top, hidden = check_steps(steps), _check_top(top), check_hide(hide)
    if _remote(data):
        return data.next_events(stages, stage_index, steps=steps, hide=hidden, top=top,
                                date_from=date_from, date_to=date_to, where=where,
                                window_seconds=window_seconds)
    stages = _listed(stages)
    _check_bound(stages, stage_index)
    if _bound(stages)[0] == stage_index:
        return drop_off_from_rows(stages, stage_index, steps, top, [])
    bound, bindings = _prepare(stages, stage_index)
    p = len(bound) - 1
    with _Query(data, opts) as q:
        ctes = (q.sql.scope_ctes() if opts.segmented else []) + \
            q.sql.chain_ctes(bindings, scoped=opts.segmented)
        ctes += _next_ctes(q.sql.src, p, steps, hidden)
        rows = q.rows(ctes, _next_select(steps, top))
    return drop_off_from_rows(stages, stage_index, steps, top, rows)


def _next_ctes(src: str, p: int, steps: int, hidden: list[str]) -> list[str]:
    """CTEs ``dropped`` ("user", t) and ``paths`` ("user", e1..eN) of the dropped users."""
    hide = (f" AND x.event NOT IN ({', '.join(literal(h) for h in hidden)})"
            if hidden else "")
    picks = ", ".join(f"c[{i}] AS e{i}" for i in range(1, steps + 1))
    return [
        f"dropped AS MATERIALIZED (SELECT r.\"user\", r.t FROM r{p - 1} r WHERE r.\"user\" "
        f"NOT IN (SELECT \"user\" FROM r{p}))",
        # each user's later events in order (equal times by name), repeats collapsed: only
        # the first steps are kept of the collapsed list
        f"later AS (SELECT x.\"user\", list(x.event ORDER BY x.ts, x.event) AS l FROM {src} x "
        f"JOIN dropped d ON x.\"user\" = d.\"user\" AND x.ts > d.t WHERE x.event IS NOT NULL"
        f"{hide} GROUP BY x.\"user\")",
        "collapsed AS (SELECT \"user\", list_filter(l, lambda v, i: i = 1 OR v <> l[i - 1])"
        f"[1:{steps}] AS c FROM later)",
        f"paths AS MATERIALIZED (SELECT d.\"user\", {picks} FROM dropped d "
        "LEFT JOIN collapsed c ON c.\"user\" = d.\"user\")"]


def _next_select(steps: int, top: int) -> str:
    cols = [f"e{i}" for i in range(1, steps + 1)]
    nulls = ", ".join("CAST(NULL AS VARCHAR)" for _ in cols[1:])
    order = ", ".join(f"{c} ASC NULLS LAST" for c in cols)
    first = f"e1{', ' + nulls if nulls else ''}"
    return (f"SELECT 0 AS kind, count(*) AS n, CAST(NULL AS VARCHAR)"
            f"{', ' + nulls if nulls else ''} FROM paths "
            f"UNION ALL SELECT * FROM (SELECT 1, count(*) AS n, {first} FROM paths GROUP BY e1 "
            f"ORDER BY n DESC, e1 ASC NULLS LAST LIMIT {int(top)}) "
            f"UNION ALL SELECT * FROM (SELECT 2, count(*) AS n, {', '.join(cols)} FROM paths "
            f"GROUP BY ALL ORDER BY n DESC, {order} LIMIT {int(top)})")


# --------------------------------------------------------------------------- flows
def flows(data: ParquetData, stages: Stages, *, date_from: date | None = None,
          date_to: date | None = None, where: Mapping[str, str] | None = None) -> Flows:
    """How the users in scope moved between the bound stages of ``stages`` (docs/data.md,
    "Flows"); the conversion window does not apply."""
    opts = _options(date_from, date_to, where, None)
    if _remote(data):
        return data.flows(stages, date_from=date_from, date_to=date_to, where=where)
    stages = _listed(stages)
    bound, bindings = _prepare(stages)
    if not bound:
        return flows_from_rows(stages, [])
    with _Query(data, opts) as q:
        rows = q.rows(_flows_ctes(q, bindings, opts), _flows_select())
    return flows_from_rows(stages, rows)


def move_users(data: ParquetData, stages: Stages, source: int, target: int, *,
               date_from: date | None = None, date_to: date | None = None,
               where: Mapping[str, str] | None = None) -> list[str]:
    """The users of :func:`flows` who moved from bound stage ``source`` straight to bound
    stage ``target`` (indexes in ``stages``) at least once, sorted: those a transition of
    :func:`flows` counts."""
    opts = _options(date_from, date_to, where, None)
    if _remote(data):
        return data.move_users(stages, source, target, date_from=date_from, date_to=date_to,
                               where=where)
    stages = _listed(stages)
    for index in (source, target):
        _check_bound(stages, index)
    bound, bindings = _prepare(stages)
    a, b = bound.index(source), bound.index(target)
    with _Query(data, opts) as q:
        rows = q.rows(_flows_ctes(q, bindings, opts),
                      f"SELECT \"user\" FROM pairs WHERE p = {a} AND s = {b} ORDER BY \"user\"")
    return [str(r[0]) for r in rows]


def _flows_ctes(q: _Query, bindings: list[list[str]], opts: Any) -> list[str]:
    """The CTEs of :func:`flows`: ``o`` (each user's bound stages in order, with the one
    before), ``per`` (per user: first, last, skipped, went back) and ``pairs`` (the
    distinct moves of each user)."""
    ctes = q.sql.scope_ctes() if opts.segmented else []
    keep = [_match([e for b in bindings for e in b])]
    if opts.segmented:
        keep.append("\"user\" IN (SELECT \"user\" FROM scope)")
    period = q.sql.period()
    ctes += [
        f"b AS (SELECT \"user\", ts, {_positions(bindings)} AS s FROM {q.sql.src} "
        f"WHERE {' AND '.join(keep)})"]
    seq = "b"
    if period:  # from each user's first bound event in the period on
        ctes += [f"fst AS (SELECT \"user\", min(ts) AS t0 FROM b WHERE "
                 f"{' AND '.join(period)} GROUP BY \"user\")",
                 "seq AS (SELECT b.* FROM b JOIN fst f ON b.\"user\" = f.\"user\" "
                 "AND b.ts >= f.t0)"]
        seq = "seq"
    ctes += [
        "o AS MATERIALIZED (SELECT \"user\", ts, s, lag(s) OVER (PARTITION BY \"user\" "
        f"ORDER BY ts, s) AS p FROM {seq})",
        "per AS MATERIALIZED (SELECT \"user\", min({'t': ts, 's': s}).s AS first, "
        "max({'t': ts, 's': s}).s AS last, coalesce(bool_or(s > p + 1), false) AS skip, "
        "coalesce(bool_or(s < p), false) AS back FROM o GROUP BY \"user\")",
        "pairs AS (SELECT DISTINCT \"user\", p, s FROM o WHERE p <> s)"]
    return ctes


def _positions(bindings: list[list[str]]) -> str:
    """SQL: the bound positions of the row's event (one row per position).  A CASE when
    the stages are bound to distinct plain names (an event then has one stage), else the
    list of every stage it belongs to, unnested."""
    names = [n for b in bindings for n in b]
    if len(set(names)) == len(names) and not any(split_binding(b)[1] for b in bindings):
        return "CASE " + " ".join(f"WHEN {_match(b)} THEN {k}"
                                  for k, b in enumerate(bindings)) + " END"
    positions = ", ".join(f"CASE WHEN {_match(b)} THEN {k} END" for k, b in enumerate(bindings))
    return f"unnest(list_filter([{positions}], lambda v: v IS NOT NULL))"


def _flows_select() -> str:
    return ("SELECT 0 AS kind, 0 AS a, 0 AS b, count(*) AS n FROM per "
            "UNION ALL SELECT 0, 1, 0, count(*) FROM per WHERE first = 0 AND NOT skip "
            "AND NOT back "
            "UNION ALL SELECT 0, 2, 0, count(*) FROM per WHERE skip "
            "UNION ALL SELECT 0, 3, 0, count(*) FROM per WHERE back "
            "UNION ALL SELECT 1, first, 0, count(*) FROM per GROUP BY first "
            "UNION ALL SELECT 2, last, 0, count(*) FROM per GROUP BY last "
            "UNION ALL SELECT 3, p, s, count(*) FROM pairs GROUP BY p, s")


__all__ = ["DEFAULT_STEPS", "KINDS", "LEFT_LABEL", "MAX_STEPS", "DropOffPaths", "Flows",
           "NextEvent", "NextPath", "StageFlow", "Transition", "flows", "move_users", "next_events"]
