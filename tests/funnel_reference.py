"""The funnel definition of docs/data.md ("The funnel"), user by user in plain Python.

A brute force to compare the engines with: no SQL, no cleverness.  For each user it tries every
possible entry (every event of the first bound stage in the period), follows the greedy chain
from it (each later stage at the earliest event at or after the previous link and within the
window of the entry), keeps the longest chain and, among those, the one that starts earliest.
:func:`longest_chain_exhaustive` checks the greedy step itself against every possible chain on
small logs.

Events are (user, event name, time[, {attribute: value or None}]).  Times are datetimes;
differences are whole microseconds, medians are taken of those and divided by 10**6, as the
engines do.  Importable by the tests as ``funnel_reference`` (tests/ is on sys.path).
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hypothesis import strategies as st

from journeydesk.analytics.funnel import FunnelResult, StageNumbers

Event = tuple  # (user, event, time) or (user, event, time, attributes)
Stages = Sequence[tuple[str, Sequence[str]]]
NONE_LABEL, OTHER_LABEL = "(none)", "other"


# --------------------------------------------------------------------------- bindings
def glob_regex(pattern: str) -> re.Pattern[str]:
    """``*`` any run, ``?`` one character, everything else literal (brackets too)."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def belongs(name: str, binding: Sequence[str]) -> bool:
    """Whether an event called ``name`` belongs to a stage bound to ``binding``."""
    for entry in binding:
        if "*" in entry or "?" in entry:
            if glob_regex(entry).fullmatch(name):
                return True
        elif entry == name:
            return True
    return False


# --------------------------------------------------------------------------- options
@dataclass(frozen=True)
class Options:
    date_from: date | None = None
    date_to: date | None = None
    where: Mapping[str, str] | None = None
    window_seconds: float | None = None

    def in_period(self, t: datetime) -> bool:
        if self.date_from is not None and t < datetime.combine(self.date_from, datetime.min.time()):
            return False
        end = None if self.date_to is None else \
            datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())
        return end is None or t < end

    @property
    def window_us(self) -> int | None:
        return None if self.window_seconds is None else round(self.window_seconds * 1_000_000)


def _micros(a: datetime, b: datetime) -> int:
    """b - a in whole microseconds."""
    d = b - a
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def _attrs(ev: Event) -> Mapping[str, str | None]:
    return ev[3] if len(ev) > 3 else {}


def user_attributes(events: Sequence[Event], opts: Options) -> dict[str, dict[str, str | None]]:
    """The users in scope (an event in the period) and their attributes (rule 1, before the
    segment): per column the smallest non-empty value among their first events in the period."""
    first: dict[str, datetime] = {}
    for u, _, t, *_ in events:
        if opts.in_period(t) and (u not in first or t < first[u]):
            first[u] = t
    out: dict[str, dict[str, str | None]] = {u: {} for u in first}
    for ev in events:
        u, t = ev[0], ev[2]
        if u in first and t == first[u]:
            for column, value in _attrs(ev).items():
                have = out[u].get(column)
                if column not in out[u] or value is not None and (
                        have is None or value.encode() < have.encode()):
                    out[u][column] = value
    return out


def in_scope(events: Sequence[Event], opts: Options) -> dict[str, dict[str, str | None]]:
    """The users in scope after the segment, with their attributes."""
    users = user_attributes(events, opts)
    where = {k.lower(): v for k, v in (opts.where or {}).items()}
    keep = {}
    for u, attrs in users.items():
        lower = {k.lower(): v for k, v in attrs.items()}
        if all(lower.get(k) == v for k, v in where.items()):
            keep[u] = attrs
    return keep


# --------------------------------------------------------------------------- chains
def greedy_chain(times: list[list[datetime]], start: datetime, window_us: int | None
                 ) -> list[datetime]:
    """From an entry at ``start``: each later stage at its earliest time at or after the
    previous link and within the window of the entry.  ``times[k]``: the user's times of
    bound stage k (k >= 1 used)."""
    chain = [start]
    for k in range(1, len(times)):
        options = [t for t in times[k] if t >= chain[-1]
                   and (window_us is None or _micros(start, t) <= window_us)]
        if not options:
            break
        chain.append(min(options))
    return chain


def best_chain(user_events: Sequence[Event], bindings: list[Sequence[str]], opts: Options
               ) -> list[datetime]:
    """The reach times of one user's chain (rule 4); empty when they never enter."""
    times = [[t for _, e, t, *_ in user_events if belongs(e, names)] for names in bindings]
    if not bindings:
        return []
    best: list[datetime] = []
    for start in sorted(t for t in times[0] if opts.in_period(t)):  # every possible entry
        chain = greedy_chain(times, start, opts.window_us)
        if len(chain) > len(best):  # sorted: the earliest of the longest wins ties
            best = chain
    return best


def longest_chain_exhaustive(user_events: Sequence[Event], bindings: list[Sequence[str]],
                             opts: Options) -> int:
    """The length of the longest chain, trying every choice of events (small logs only)."""
    times = [sorted({t for _, e, t, *_ in user_events if belongs(e, names)})
             for names in bindings]
    longest = 0
    for k in range(1, len(bindings) + 1):
        for choice in itertools.product(*times[:k]):
            if not opts.in_period(choice[0]):
                continue
            if any(a > b for a, b in itertools.pairwise(choice)):
                continue
            if opts.window_us is not None and _micros(choice[0], choice[-1]) > opts.window_us:
                continue
            longest = k
            break
    return longest


def chains(events: Sequence[Event], stages: Stages, opts: Options) -> dict[str, list[datetime]]:
    """Every user in scope -> the reach times of their chain (empty: never entered)."""
    bindings = [list(names) for _, names in stages if list(names)]
    scope = in_scope(events, opts)
    per_user: dict[str, list[Event]] = {u: [] for u in scope}
    for ev in events:
        if ev[0] in per_user:
            per_user[ev[0]].append(ev)
    return {u: best_chain(evs, bindings, opts) for u, evs in per_user.items()}


# --------------------------------------------------------------------------- numbers
def _median_seconds(micros: list[int]) -> float | None:
    return None if not micros else float(statistics.median(micros)) / 1e6


def numbers(stages: Stages, reach: Mapping[str, list[datetime]], users_total: int
            ) -> FunnelResult:
    """The FunnelResult of users' chains."""
    out: list[StageNumbers] = []
    k = 0
    first = previous = None
    for name, names in stages:
        if not list(names):
            out.append(StageNumbers(name, None, None, None, None, None))
            continue
        reached = [c for c in reach.values() if len(c) > k]
        n = len(reached)
        if first is None:
            out.append(StageNumbers(name, n, None, 1.0 if n else None, 0, None))
            first = n
        else:
            gaps = [_micros(c[k - 1], c[k]) for c in reached]
            out.append(StageNumbers(name, n, n / previous if previous else None,
                                    n / first if first else None, previous - n,
                                    _median_seconds(gaps)))
        previous = n
        k += 1
    return FunnelResult(users_total, out)


def funnel(events: Sequence[Event], stages: Stages, **options) -> FunnelResult:
    """The funnel of ``stages`` over ``events`` (options as the engine's keywords)."""
    reach = chains(events, stages, Options(**options))
    return numbers(stages, reach, len(reach))


def funnel_breakdown(events: Sequence[Event], stages: Stages, column: str, *, top: int = 10,
                     **options) -> list[tuple[str, FunnelResult]]:
    """One funnel per value of ``column`` (top ``top`` by users, ties by label), then other."""
    opts = Options(**options)
    scope = in_scope(events, opts)
    reach = chains(events, stages, opts)
    value_of = {u: {k.lower(): v for k, v in a.items()}.get(column.lower())
                for u, a in scope.items()}
    counts: dict[str | None, int] = {}
    for v in value_of.values():
        counts[v] = counts.get(v, 0) + 1

    def label(v: str | None) -> str:
        return NONE_LABEL if v is None else v

    ranked = sorted(counts, key=lambda v: (-counts[v], label(v).encode(), v is None))
    out = []
    for v in ranked[:top]:
        part = {u: c for u, c in reach.items() if value_of[u] == v}
        out.append((label(v), numbers(stages, part, len(part))))
    if len(ranked) > top:
        rest = set(ranked[top:])
        part = {u: c for u, c in reach.items() if value_of[u] in rest}
        out.append((OTHER_LABEL, numbers(stages, part, len(part))))
    return out


def _position(stages: Stages, stage: int) -> int:
    return [i for i, (_, names) in enumerate(stages) if list(names)].index(stage)


def users_at_stage(events: Sequence[Event], stages: Stages, stage: int, **options) -> list[str]:
    p = _position(stages, stage)
    return sorted(u for u, c in chains(events, stages, Options(**options)).items() if len(c) > p)


def dropped_users(events: Sequence[Event], stages: Stages, stage: int, **options) -> list[str]:
    p = _position(stages, stage)
    if p == 0:
        return []
    return sorted(u for u, c in chains(events, stages, Options(**options)).items()
                  if len(c) == p)


def dropped_who_did_next(events: Sequence[Event], stages: Stages, stage: int, *,
                         since: str = "previous", **options) -> int:
    p = _position(stages, stage)
    if p == 0:
        return 0
    reach = chains(events, stages, Options(**options))
    names = stages[stage][1]
    count = 0
    for u, c in reach.items():
        if len(c) != p:
            continue
        after = c[p - 1] if since == "previous" else c[0]
        if any(ev[0] == u and belongs(ev[1], names) and ev[2] >= after for ev in events):
            count += 1
    return count


def event_counts(events: Sequence[Event], **options) -> dict[str, int]:
    opts = Options(**options)
    scope = in_scope(events, opts)
    counts: dict[str, int] = {}
    for u, e, t, *_ in events:
        if u in scope and opts.in_period(t):
            counts[e] = counts.get(e, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode())))


def weekly_counts(events: Sequence[Event], stages: Stages, **options
                  ) -> dict[str, list[tuple[date, int, int]]]:
    """Per bound stage after the first: (Monday of the entry week, n, reached) per week."""
    reach = chains(events, stages, Options(**options))
    bound = [name for name, names in stages if list(names)]
    if len(bound) < 2:
        return {}
    entered = [c for c in reach.values() if c]
    if not entered:
        return {name: [] for name in bound[1:]}
    monday = {id(c): c[0].date() - timedelta(days=c[0].weekday()) for c in entered}
    first, last = min(monday.values()), max(monday.values())
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    out = {}
    for k, name in enumerate(bound[1:], start=1):
        out[name] = [(w, sum(1 for c in entered if monday[id(c)] == w and len(c) >= k),
                      sum(1 for c in entered if monday[id(c)] == w and len(c) > k))
                     for w in weeks]
    return out


def time_to_next(events: Sequence[Event], stages: Stages, stage: int, **options
                 ) -> list[float]:
    p = _position(stages, stage)
    if p == 0:
        return []
    reach = chains(events, stages, Options(**options))
    return sorted(_micros(c[p - 1], c[p]) / 1e6 for c in reach.values() if len(c) > p)


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """The two-sided pooled two-proportion z-test's p-value, written out once more."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


# --------------------------------------------------------------------------- made-up logs
# Hypothesis strategies for the property tests of both engines: rows (user, event, time,
# {"platform": ..., "plan": ...}), stage bindings and options (the engines' keywords).
START = datetime(2024, 5, 1)
NAMES = ["a", "b", "c", "a_b", "a%b", "x[1]", "é"]
PATTERNS = ["a*", "?", "a?b", "*b", "x[*", "a_*", "*"]
PLATFORMS = [None, "ios", "web", "Web", "éa"]

# times over four days, many within the same few minutes (ties, several entries per window)
minutes = st.one_of(st.integers(0, 20), st.integers(60 * 24, 60 * 24 + 20),
                    st.integers(0, 60 * 24 * 4))
times = st.builds(lambda m, us: START + timedelta(minutes=m, microseconds=us),
                  minutes, st.sampled_from([0, 0, 0, 1, 500_000]))
attributes = st.fixed_dictionaries({"platform": st.sampled_from(PLATFORMS),
                                    "plan": st.sampled_from([None, "free", "pro"])})
# mostly a, b, c: chains of several stages (and several entries each) are common
event_names = st.one_of(st.sampled_from(["a", "b", "c"]), st.sampled_from(NAMES))
event_rows = st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3"]), event_names, times, attributes),
    min_size=1, max_size=50)


@st.composite
def sessions(draw) -> list[tuple]:
    """Users with a few sessions of events minutes apart (often the same minute): several
    entries and chains per user, windows that cut some of them."""
    rows = []
    for user in draw(st.lists(st.sampled_from(["u1", "u2", "u3"]), min_size=1, max_size=3,
                              unique=True)):
        for _ in range(draw(st.integers(1, 3))):
            at = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 4)))
            for gap, name, attrs in draw(st.lists(st.tuples(
                    st.sampled_from([0, 0, 1, 2, 5, 30, 90]), event_names, attributes),
                    min_size=1, max_size=8)):
                at += timedelta(minutes=gap)
                rows.append((user, name, at, attrs))
    return draw(st.permutations(rows))


logs = st.one_of(event_rows, sessions())
bindings = st.lists(st.lists(st.one_of(st.sampled_from(["a", "b", "c"]),
                                      st.sampled_from(NAMES + PATTERNS)),
                             max_size=2, unique=True),
                    min_size=1, max_size=4)
days = st.one_of(st.none(), st.integers(0, 3).map(lambda d: date(2024, 5, 1 + d)))
windows = st.one_of(st.none(), st.sampled_from([0, 1e-6, 60, 300, 600, 3600.5, 86_400,
                                                3 * 86_400]))
wheres = st.sampled_from([None, {"platform": "ios"}, {"Platform": "web"},
                          {"platform": "web", "plan": "pro"}, {"plan": "free"}])


@st.composite
def options(draw) -> dict:
    d_from, d_to = draw(days), draw(days)
    if d_from and d_to and d_from > d_to:
        d_from, d_to = d_to, d_from
    return {"date_from": d_from, "date_to": d_to, "where": draw(wheres),
            "window_seconds": draw(windows)}


# --------------------------------------------------------------------------- what they did instead
# docs/data.md, "What people did instead, and flows", user by user.
def next_events(events: Sequence[Event], stages: Stages, stage: int, *, steps: int = 3,
                hide: Sequence[str] = (), top: int = 10, **options):
    """The dropped users' next events and paths of ``steps`` events (a DropOffPaths)."""
    from journeydesk.analytics.paths import DropOffPaths, NextEvent, NextPath

    bound = [i for i, (_, names) in enumerate(stages) if list(names)]
    p = bound.index(stage)
    previous = bound[p - 1] if p else stage
    paths: list[tuple] = []
    if p:
        for user, chain in chains(events, stages, Options(**options)).items():
            if len(chain) != p:
                continue
            dropped_at = chain[p - 1]
            later = sorted((t, e) for u, e, t, *_ in events
                           if u == user and t > dropped_at and e not in set(hide))
            collapsed: list[str] = []
            for _, name in later:
                if not collapsed or collapsed[-1] != name:
                    collapsed.append(name)
            path = tuple(collapsed[:steps])
            paths.append(path if len(path) == steps else (*path, None))
    users = len(paths)

    def key(name):
        return (1, "") if name is None else (0, name)

    def counted(items):
        counts: dict = {}
        for item in items:
            counts[item] = counts.get(item, 0) + 1
        return counts

    firsts = counted(path[0] for path in paths)
    whole = counted(paths)
    top_next = sorted(firsts, key=lambda e: (-firsts[e], key(e)))[:top]
    top_paths = sorted(whole, key=lambda q: (-whole[q], [key(s) for s in q]))[:top]
    return DropOffPaths(stages[stage][0], stages[previous][0], steps, users,
                        [NextEvent(e, firsts[e], firsts[e] / users) for e in top_next],
                        [NextPath(q, whole[q], whole[q] / users) for q in top_paths])


def flows(events: Sequence[Event], stages: Stages, **options):
    """Each user's collapsed sequence of bound stages and the moves between them (a Flows)."""
    from journeydesk.analytics.paths import Flows, StageFlow, Transition

    opts = Options(**options)
    bound = [i for i, (_, names) in enumerate(stages) if list(names)]
    scope = in_scope(events, opts)
    sequences = []
    for user in scope:
        items = sorted((t, k) for u, e, t, *_ in events if u == user
                       for k, i in enumerate(bound) if belongs(e, stages[i][1]))
        starts = [t for t, _ in items if opts.in_period(t)]
        if not starts:
            continue
        sequence: list[int] = []
        for t, k in items:
            if t >= min(starts) and (not sequence or sequence[-1] != k):
                sequence.append(k)
        sequences.append(sequence)
    moves: dict[tuple[int, int], int] = {}
    in_order = skipped = went_back = 0
    for sequence in sequences:
        pairs = set(itertools.pairwise(sequence))
        for pair in pairs:
            moves[pair] = moves.get(pair, 0) + 1
        skipped += any(b > a + 1 for a, b in pairs)
        went_back += any(b < a for a, b in pairs)
        in_order += sequence == list(range(len(sequence)))
    stage_flows = [StageFlow(stages[i][0], i, sum(1 for s in sequences if s[0] == k),
                             sum(1 for s in sequences if s[-1] == k))
                   for k, i in enumerate(bound)]
    transitions = [Transition(stages[bound[a]][0], stages[bound[b]][0],
                              "forward" if b == a + 1 else "skip" if b > a else "back",
                              n)
                   for (a, b), n in sorted(moves.items())]
    return Flows(len(sequences), in_order, skipped, went_back, stage_flows, transitions)
