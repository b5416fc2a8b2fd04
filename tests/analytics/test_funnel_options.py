"""The funnel with its options (entry period, conversion window, user-level segment, glob
bindings, breakdown), by hand (docs/data.md's worked example) and against the brute-force
reference (tests/funnel_reference.py) on logs made up by hypothesis."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import funnel_reference as ref
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from journeydesk.analytics import engine, series
from journeydesk.analytics.funnel import (
    FunnelResult,
    MetricsError,
    StageNumbers,
    dropped_users,
    dropped_who_did_next,
    event_counts,
    funnel,
    funnel_breakdown,
    rest_of,
    users_at_stage,
)

MakeDataset = Callable[..., bytes]
DAY = 86_400

# docs/data.md, "Worked example: period, window, segment, breakdown"
STAGES = [("Visit", ["home", "landing/*"]), ("Cart", ["cart"]), ("Buy", ["buy"])]
EXAMPLE = [
    ("a", "home", "2024-05-01 10:00:00", "ios"),
    ("a", "cart", "2024-05-02 09:00:00", "web"),
    ("a", "home", "2024-05-02 12:00:00", "web"),
    ("a", "cart", "2024-05-02 13:00:00", "web"),
    ("a", "buy", "2024-05-04 10:00:00", "web"),
    ("b", "landing/promo", "2024-05-02 10:00:00", "android"),
    ("b", "cart", "2024-05-02 10:05:00", "web"),
    ("b", "buy", "2024-05-02 10:30:00", "web"),
    ("c", "home", "2024-05-01 23:00:00", "web"),
    ("c", "home", "2024-05-03 08:00:00", "ios"),
    ("c", "cart", "2024-05-03 08:00:00", "web"),
    ("c", "buy", "2024-05-03 20:00:00", "web"),
    ("d", "home", "2024-05-02 08:00:00", "web"),
    ("d", "cart", "2024-05-02 09:00:00", "web"),
    ("d", "home", "2024-05-03 07:00:00", "web"),
    ("d", "cart", "2024-05-03 08:00:00", "web"),
    ("d", "buy", "2024-05-03 10:00:00", "web"),
    ("e", "home", "2024-04-30 10:00:00", "web"),
    ("e", "cart", "2024-05-02 10:00:00", "web"),
    ("e", "buy", "2024-05-02 11:00:00", "web"),
    ("f", "home", "2024-05-05 10:00:00", "web"),
    ("g", "landing", "2024-05-02 11:00:00", "ios"),
]
PERIOD = {"date_from": date(2024, 5, 2), "date_to": date(2024, 5, 3)}


@pytest.fixture
def example(make_dataset: MakeDataset) -> bytes:
    return make_dataset(EXAMPLE, header=("user", "event", "time", "platform"))


def test_worked_example_with_period_and_window(example: bytes) -> None:
    assert funnel(example, STAGES, **PERIOD, window_seconds=DAY) == FunnelResult(6, [
        StageNumbers("Visit", 4, None, 1.0, 0, None),
        StageNumbers("Cart", 4, 1.0, 1.0, 0, 1950.0),
        StageNumbers("Buy", 3, 0.75, 0.75, 1, 7200.0),
    ])
    assert users_at_stage(example, STAGES, 2, **PERIOD, window_seconds=DAY) == ["b", "c", "d"]
    assert dropped_users(example, STAGES, 2, **PERIOD, window_seconds=DAY) == ["a"]
    assert dropped_who_did_next(example, STAGES, 2, **PERIOD, window_seconds=DAY) == 1
    assert dropped_who_did_next(example, STAGES, 2, **PERIOD) == 0  # nobody drops then


def test_worked_example_without_window(example: bytes) -> None:
    # the period selects entries, it does not cut a's buy on 4 May; d enters at 2 May 08:00
    assert funnel(example, STAGES, **PERIOD) == FunnelResult(6, [
        StageNumbers("Visit", 4, None, 1.0, 0, None),
        StageNumbers("Cart", 4, 1.0, 1.0, 0, 1950.0),
        StageNumbers("Buy", 4, 1.0, 1.0, 0, 66600.0),
    ])
    assert series.time_to_next(example, STAGES, 2, **PERIOD) == [1500.0, 43200.0, 90000.0,
                                                                 162000.0]


def test_worked_example_segment_and_breakdown(example: bytes) -> None:
    options = {**PERIOD, "window_seconds": DAY}
    web = funnel(example, STAGES, where={"platform": "web"}, **options)
    assert web == FunnelResult(3, [  # a, d, e: b is android, c ios (the tie at 3 May 08:00)
        StageNumbers("Visit", 2, None, 1.0, 0, None),
        StageNumbers("Cart", 2, 1.0, 1.0, 0, 3600.0),
        StageNumbers("Buy", 1, 0.5, 0.5, 1, 7200.0),
    ])
    parts = funnel_breakdown(example, STAGES, "platform", **options)
    assert [(label, r.users_total, [s.users for s in r.stages]) for label, r in parts] == [
        ("web", 3, [2, 2, 1]), ("ios", 2, [1, 1, 1]), ("android", 1, [1, 1, 1])]
    assert parts[0][1] == web
    assert funnel_breakdown(example, STAGES, "platform", top=1, **options)[1][0] == "other"
    other = funnel_breakdown(example, STAGES, "platform", top=1, **options)[1][1]
    assert other.users_total == 3 and [s.users for s in other.stages] == [2, 2, 2]
    assert other.stages[2].median_seconds_from_previous == (1500 + 43200) / 2


def test_segment_is_user_level(example: bytes) -> None:
    # b browsed on android and paid on the web: wholly android, with the web cart and buy
    android = funnel(example, STAGES, where={"platform": "android"}, **PERIOD)
    assert [s.users for s in android.stages] == [1, 1, 1]
    assert event_counts(example, where={"platform": "android"}, **PERIOD) == {
        "buy": 1, "cart": 1, "landing/promo": 1}
    # without a period, attributes are those of the first event ever: a is ios (1 May)
    assert users_at_stage(example, STAGES, 0, where={"platform": "ios"}) == ["a"]
    # ... and the daily volume has every event of a and g (ios by their first event)
    assert series.daily_volume(example, where={"platform": "ios"}) == [
        (date(2024, 5, 1), 1), (date(2024, 5, 2), 4), (date(2024, 5, 4), 1)]


def test_weekly_conversion_by_week_of_entry(example: bytes) -> None:
    counts = series.weekly_counts(example, STAGES, **PERIOD, window_seconds=DAY)
    monday = date(2024, 4, 29)
    assert counts == {"Cart": [(monday, 4, 4)], "Buy": [(monday, 4, 3)]}
    assert series.weekly_conversion(example, STAGES, **PERIOD, window_seconds=DAY) == {
        "Cart": [(monday, 1.0)], "Buy": [(monday, 0.75)]}


def test_window_edges_are_inclusive_to_the_microsecond(make_dataset: MakeDataset) -> None:
    data = make_dataset([("u", "a", "2024-05-01 10:00:00"), ("u", "b", "2024-05-01 10:01:00"),
                         ("v", "a", "2024-05-01 10:00:00"),
                         ("v", "b", "2024-05-01 10:01:00.000001")])
    stages = [("A", ["a"]), ("B", ["b"])]
    assert [s.users for s in funnel(data, stages, window_seconds=60).stages] == [2, 1]
    assert [s.users for s in funnel(data, stages, window_seconds=60.000001).stages] == [2, 2]
    assert [s.users for s in funnel(data, stages, window_seconds=0).stages] == [2, 0]
    with pytest.raises(MetricsError, match="conversion window"):
        funnel(data, stages, window_seconds=-1)


def test_the_earliest_of_the_longest_chains_gives_the_reach_times(
        make_dataset: MakeDataset) -> None:
    # entries at 10:00 and 10:01 both reach Buy at 10:02 (within 5 minutes): the earliest
    # counts, so the time to Buy is 120 s, not 60 s; with a 90 s window only the second
    # entry reaches Buy (60 s)
    data = make_dataset([("u", "a", "2024-05-01 10:00:00"), ("u", "a", "2024-05-01 10:01:00"),
                         ("u", "b", "2024-05-01 10:02:00")])
    stages = [("A", ["a"]), ("B", ["b"])]
    assert funnel(data, stages, window_seconds=300).stages[1].median_seconds_from_previous \
        == 120.0
    assert funnel(data, stages).stages[1].median_seconds_from_previous == 120.0
    assert funnel(data, stages, window_seconds=90).stages[1].median_seconds_from_previous \
        == 60.0
    assert series.weekly_counts(data, stages, window_seconds=90) == {
        "B": [(date(2024, 4, 29), 1, 1)]}


def test_one_event_can_be_two_consecutive_links(make_dataset: MakeDataset) -> None:
    # as windowFunnel's default mode: one x reaches both stages bound to it, 0 s apart
    data = make_dataset([("u", "x", "2024-05-01 10:00:00"), ("v", "y", "2024-05-01 10:00:00"),
                         ("v", "x", "2024-05-01 10:00:00")])
    stages = [("One", ["x"]), ("Two", ["x", "y"]), ("Three", ["x"])]
    result = funnel(data, stages, window_seconds=0)
    assert [(s.users, s.median_seconds_from_previous) for s in result.stages] == [
        (2, None), (2, 0.0), (2, 0.0)]
    # a tie between two events counts in either order: v's y and x at the same instant
    assert funnel(data, [("Y", ["y"]), ("X", ["x"])]).stages[1].users == 1
    assert funnel(data, [("X", ["x"]), ("Y", ["y"])]).stages[1].users == 1


def test_globs_are_literal_but_for_star_and_question_mark(make_dataset: MakeDataset) -> None:
    names = ["a_b", "axb", "a%b", "a%%b", "x[1]", "x1", "Checkout/pay", "checkout/pay",
             "checkout/", "checkout", "a\\b"]
    data = make_dataset([(f"u{i}", n, "2024-05-01 10:00:00") for i, n in enumerate(names)])

    def who(pattern: str) -> list[str]:
        return [names[int(u[1:])] for u in users_at_stage(data, [("S", [pattern])], 0)]

    assert sorted(who("a_b")) == ["a_b"]  # _ is not LIKE's one character
    assert sorted(who("a%b")) == ["a%b"]  # nor % any run
    assert sorted(who("a?b")) == sorted(["a_b", "axb", "a%b", "a\\b"])
    assert sorted(who("a*b")) == sorted(["a_b", "axb", "a%b", "a%%b", "a\\b"])
    assert sorted(who("x[*")) == ["x[1]"]  # brackets are plain characters
    assert sorted(who("checkout/*")) == ["checkout/", "checkout/pay"]  # case-sensitive
    assert sorted(who("a\\?")) == ["a\\b"]


def test_unknown_breakdown_column_and_bad_top(example: bytes) -> None:
    with pytest.raises(MetricsError, match="no attribute 'plan' to break down by"):
        funnel_breakdown(example, STAGES, "plan")
    with pytest.raises(MetricsError, match="top"):
        funnel_breakdown(example, STAGES, "platform", top=-1)
    with pytest.raises(MetricsError, match="since"):
        dropped_who_did_next(example, STAGES, 2, since="ever")


# --------------------------------------------------------------------------- against the reference
def write_parquet(rows: Sequence[tuple], path: Path) -> Path:
    """rows of (user, event, time, {"platform": ..., "plan": ...}) as a dataset's Parquet."""
    con = engine.connect(path.parent)
    try:
        con.execute("CREATE TABLE t (\"user\" VARCHAR, event VARCHAR, ts TIMESTAMP, "
                    "platform VARCHAR, plan VARCHAR)")
        if rows:
            con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                            [(u, e, t, a.get("platform"), a.get("plan"))
                             for u, e, t, a in rows])
        con.execute(f"COPY t TO {engine.literal(str(path))} (FORMAT parquet)")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def folder() -> Path:
    with tempfile.TemporaryDirectory(prefix="journeydesk-ref-") as tmp:
        yield Path(tmp)


_counter = iter(range(10**9))


def dataset(folder: Path, rows: Sequence[tuple]) -> Path:
    return write_parquet(rows, folder / f"log{next(_counter)}.parquet")


SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options())
def test_funnel_matches_the_reference(folder: Path, rows, binding, opts) -> None:
    data = dataset(folder, rows)
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    assert funnel(data, stages, **opts) == ref.funnel(rows, stages, **opts)
    assert event_counts(data, **{k: v for k, v in opts.items() if k != "window_seconds"}) == \
        ref.event_counts(rows, **{k: v for k, v in opts.items() if k != "window_seconds"})


@SETTINGS
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options(),
       by=st.tuples(st.sampled_from(["platform", "PLAN"]), st.sampled_from([0, 1, 2, 10])))
def test_breakdown_matches_the_reference(folder: Path, rows, binding, opts, by) -> None:
    column, top = by
    data = dataset(folder, rows)
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    parts = funnel_breakdown(data, stages, column, top=top, **opts)
    assert parts == ref.funnel_breakdown(rows, stages, column, top=top, **opts)
    whole = funnel(data, stages, **opts)
    assert sum(r.users_total for _, r in parts) == whole.users_total
    if top == 1 and len(parts) == 2:  # the first value against the rest, as significance does
        without_medians = [replace(s, median_seconds_from_previous=None)
                           for s in parts[1][1].stages]
        assert rest_of(whole, parts[0][1]) == FunnelResult(parts[1][1].users_total,
                                                           without_medians)


@SETTINGS
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options())
def test_who_reached_and_who_dropped_match_the_reference(folder: Path, rows, binding,
                                                         opts) -> None:
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    bound = [i for i, (_, names) in enumerate(stages) if names]
    assume(bound)
    data = dataset(folder, rows)
    for index in bound:
        assert users_at_stage(data, stages, index, **opts) == \
            ref.users_at_stage(rows, stages, index, **opts)
        assert dropped_users(data, stages, index, **opts) == \
            ref.dropped_users(rows, stages, index, **opts)
        for since in ("previous", "entry"):
            assert dropped_who_did_next(data, stages, index, since=since, **opts) == \
                ref.dropped_who_did_next(rows, stages, index, since=since, **opts)


@SETTINGS
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options())
def test_series_match_the_reference(folder: Path, rows, binding, opts) -> None:
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    data = dataset(folder, rows)
    assert series.weekly_counts(data, stages, **opts) == ref.weekly_counts(rows, stages, **opts)
    for index in [i for i, (_, names) in enumerate(stages) if names]:
        assert series.time_to_next(data, stages, index, **opts) == \
            ref.time_to_next(rows, stages, index, **opts)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.just("u"), st.sampled_from(["a", "b", "c"]),
                               st.integers(0, 12).map(lambda m: ref.START
                                                      + timedelta(minutes=m))),
                     max_size=9),
       binding=st.lists(st.lists(st.sampled_from(["a", "b", "c", "*"]), min_size=1, max_size=2),
                        min_size=1, max_size=4),
       window=st.sampled_from([None, 0, 60, 180, 300]),
       d_from=st.sampled_from([None, ref.START.date()]))
def test_the_reference_greedy_chain_is_the_longest(rows, binding, window, d_from) -> None:
    """The reference's greedy walk from every entry finds the longest chain that exists."""
    opts = ref.Options(date_from=d_from, window_seconds=window)
    greedy = ref.best_chain(rows, binding, opts)
    assert len(greedy) == ref.longest_chain_exhaustive(rows, binding, opts)
