"""Funnel numbers, compared exactly with numbers worked out by hand (docs/data.md, "The
funnel"); the options are tested further in test_funnel_options.py."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeydesk.analytics.funnel import (
    FunnelResult,
    MetricsError,
    StageNumbers,
    dropped_users,
    event_counts,
    funnel,
    users_at_stage,
)

MakeDataset = Callable[..., bytes]

STAGES = [("Visit", ["home", "landing"]), ("Sign up", ["signup"]), ("Buy", ["buy"])]

# Rows deliberately out of order.  Reach times worked out by hand:
#   u1  Visit 10:00 (first home; the repeat at 10:30 does not count), Sign up 10:10 (600 s),
#       Buy 11:10 (3600 s)
#   u2  Visit 09:00, Sign up 09:00 (a tie counts: 0 s), Buy 12:00 (the 08:00 buy is before
#       Sign up: 10800 s)
#   u3  Visit 09:00 (the 08:00 signup came before it), Sign up 09:30 (1800 s), no Buy
#   u4  signup and buy but never Visit: reaches nothing
#   u5  Visit 10:00, buy without a signup: Buy is not reached (stages are in order)
#   u6  Visit only;  u7  an unbound event only (counts in users_total)
LOG = [
    ("u1", "buy", "2024-05-01 11:10:00"),
    ("u3", "home", "2024-05-01 09:00:00"),
    ("u1", "home", "2024-05-01 10:30:00"),
    ("u2", "buy", "2024-05-01 08:00:00"),
    ("u1", "home", "2024-05-01 10:00:00"),
    ("u2", "landing", "2024-05-01 09:00:00"),
    ("u1", "signup", "2024-05-01 10:10:00"),
    ("u2", "signup", "2024-05-01 09:00:00"),
    ("u3", "signup", "2024-05-01 08:00:00"),
    ("u2", "buy", "2024-05-01 12:00:00"),
    ("u3", "signup", "2024-05-01 09:30:00"),
    ("u4", "buy", "2024-05-01 10:00:00"),
    ("u4", "signup", "2024-05-01 10:00:00"),
    ("u5", "home", "2024-05-01 10:00:00"),
    ("u5", "buy", "2024-05-01 10:05:00"),
    ("u6", "landing", "2024-05-01 10:00:00"),
    ("u7", "support", "2024-05-01 10:00:00"),
]


@pytest.fixture
def log(make_dataset: MakeDataset) -> bytes:
    return make_dataset(LOG)


def test_ordered_first_occurrence_funnel(log: bytes) -> None:
    assert funnel(log, STAGES) == FunnelResult(users_total=7, stages=[
        StageNumbers("Visit", 5, None, 1.0, 0, None),
        StageNumbers("Sign up", 3, 3 / 5, 3 / 5, 2, 600.0),
        StageNumbers("Buy", 2, 2 / 3, 2 / 5, 1, 7200.0),  # median of 3600 and 10800
    ])


def test_unbound_stages_have_no_numbers_and_do_not_break_the_chain(log: bytes) -> None:
    stages = [("Before", []), STAGES[0], ("Middle", []), STAGES[1], STAGES[2], ("After", [])]
    result = funnel(log, stages)
    empty = [StageNumbers(name, None, None, None, None, None)
             for name in ("Before", "Middle", "After")]
    assert result.stages == [
        empty[0],
        StageNumbers("Visit", 5, None, 1.0, 0, None),  # the first *bound* stage
        empty[1],
        StageNumbers("Sign up", 3, 3 / 5, 3 / 5, 2, 600.0),  # compared with Visit
        StageNumbers("Buy", 2, 2 / 3, 2 / 5, 1, 7200.0),
        empty[2],
    ]


def test_no_bound_stage_at_all(log: bytes) -> None:
    result = funnel(log, [("A", []), ("B", [])])
    assert result.users_total == 7
    assert all(s.users is None and s.dropped is None for s in result.stages)


def test_stages_nobody_reaches(log: bytes) -> None:
    result = funnel(log, [("A", ["nothing"]), ("B", ["home"]), ("C", ["never"])])
    assert result.stages == [
        StageNumbers("A", 0, None, None, 0, None),
        StageNumbers("B", 0, None, None, 0, None),  # previous 0: no conversion
        StageNumbers("C", 0, None, None, 0, None),
    ]


def test_event_bound_to_two_stages_is_a_tie(make_dataset: MakeDataset) -> None:
    data = make_dataset([("a", "x", "2024-01-01 10:00:00"), ("b", "x", "2024-01-01 11:00:00"),
                         ("b", "y", "2024-01-01 11:30:00")])
    result = funnel(data, [("One", ["x"]), ("Two", ["x", "y"])])
    assert result.stages[1] == StageNumbers("Two", 2, 1.0, 1.0, 0, 0.0)


def test_users_at_stage_and_dropped_users(log: bytes) -> None:
    assert users_at_stage(log, STAGES, 0) == ["u1", "u2", "u3", "u5", "u6"]
    assert users_at_stage(log, STAGES, 1) == ["u1", "u2", "u3"]
    assert users_at_stage(log, STAGES, 2) == ["u1", "u2"]
    assert dropped_users(log, STAGES, 0) == []
    assert dropped_users(log, STAGES, 1) == ["u5", "u6"]
    assert dropped_users(log, STAGES, 2) == ["u3"]
    skipping = [STAGES[0], ("Middle", []), STAGES[1]]
    assert dropped_users(log, skipping, 2) == ["u5", "u6"]
    with pytest.raises(MetricsError, match="bound to no events"):
        users_at_stage(log, skipping, 1)
    with pytest.raises(MetricsError, match="no stage 7"):
        dropped_users(log, skipping, 7)


def test_event_counts(log: bytes) -> None:
    counts = event_counts(log)
    assert counts == {"buy": 5, "signup": 5, "home": 4, "landing": 2, "support": 1}
    assert list(counts) == ["buy", "signup", "home", "landing", "support"]  # most first


def test_parquet_given_as_a_path(log: bytes, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(log)
    assert funnel(path, STAGES) == funnel(log, STAGES)
    assert funnel(str(path), STAGES) == funnel(log, STAGES)


# --------------------------------------------------------------------------- date range
# a: home late on 1 May, signup at midnight starting 2 May, buy on 3 May
# b: home on 30 April, signup 1 May;  c: home 2 May
DATED = [
    ("a", "home", "2024-05-01 23:59:59"), ("a", "signup", "2024-05-02 00:00:00"),
    ("a", "buy", "2024-05-03 00:00:00"), ("b", "home", "2024-04-30 23:59:59"),
    ("b", "signup", "2024-05-01 12:00:00"), ("c", "home", "2024-05-02 08:00:00"),
]


@pytest.fixture
def dated(make_dataset: MakeDataset) -> bytes:
    return make_dataset(DATED)


def test_without_dates_every_event_counts(dated: bytes) -> None:
    result = funnel(dated, STAGES)
    assert result.users_total == 3
    assert result.stages == [
        StageNumbers("Visit", 3, None, 1.0, 0, None),
        StageNumbers("Sign up", 2, 2 / 3, 2 / 3, 1, (1 + 43201) / 2),
        StageNumbers("Buy", 1, 1 / 2, 1 / 3, 1, 86400.0),
    ]


def test_date_range_selects_entries_on_whole_calendar_days(dated: bytes) -> None:
    # 1 and 2 May: the period selects entries (Visit events on those days, 23:59:59 on 1 May
    # included) and does not cut journeys: a's buy on 3 May counts.  b's home (30 April) is
    # no entry, so b (in scope by the signup on 1 May) never reaches Visit.
    result = funnel(dated, STAGES, date_from=date(2024, 5, 1), date_to=date(2024, 5, 2))
    assert result.users_total == 3
    assert result.stages == [
        StageNumbers("Visit", 2, None, 1.0, 0, None),
        StageNumbers("Sign up", 1, 1 / 2, 1 / 2, 1, 1.0),
        StageNumbers("Buy", 1, 1.0, 1 / 2, 0, 86400.0),
    ]


def test_open_ended_date_ranges(dated: bytes) -> None:
    later = funnel(dated, STAGES, date_from=date(2024, 5, 2))
    assert later.users_total == 2  # a (signup, buy) and c (home)
    assert later.stages == [
        StageNumbers("Visit", 1, None, 1.0, 0, None),
        StageNumbers("Sign up", 0, 0.0, 0.0, 1, None),
        StageNumbers("Buy", 0, None, 0.0, 0, None),
    ]
    earlier = funnel(dated, STAGES, date_to=date(2024, 4, 30))
    assert earlier.users_total == 1  # b entered on 30 April and signed up on 1 May
    assert [s.users for s in earlier.stages] == [1, 1, 0]
    one_day = funnel(dated, STAGES, date_from=date(2024, 5, 3), date_to=date(2024, 5, 3))
    assert one_day.users_total == 1 and [s.users for s in one_day.stages] == [0, 0, 0]


# --------------------------------------------------------------------------- segments
SEGMENTED = [
    ("a", "home", "2024-05-01 10:00:00", "ios", "FR"),
    ("a", "signup", "2024-05-01 10:01:00", "ios", "FR"),
    ("b", "home", "2024-05-01 10:00:00", "ios", "DE"),
    ("b", "signup", "2024-05-01 10:03:00", "ios", "DE"),
    ("c", "home", "2024-05-01 10:00:00", "web", "FR"),
    ("c", "signup", "2024-05-01 10:05:00", "web", "FR"),
    # d switches device: its first event is on iOS, so d is in the iOS segment, web signup
    # included (segments keep users, not events)
    ("d", "home", "2024-05-01 10:00:00", "ios", "FR"),
    ("d", "signup", "2024-05-01 10:10:00", "web", "FR"),
]


@pytest.fixture
def segmented(make_dataset: MakeDataset) -> bytes:
    return make_dataset(SEGMENTED, header=("user", "event", "time", "platform", "country"))


def test_segment_keeps_users_by_their_first_event(segmented: bytes) -> None:
    stages = STAGES[:2]
    everyone = funnel(segmented, stages)
    assert everyone.stages[1] == StageNumbers("Sign up", 4, 1.0, 1.0, 0, 240.0)  # 60,180,300,600
    ios = funnel(segmented, stages, where={"platform": "ios"})
    assert ios.users_total == 3  # a, b, d
    assert ios.stages == [StageNumbers("Visit", 3, None, 1.0, 0, None),
                          StageNumbers("Sign up", 3, 1.0, 1.0, 0, 180.0)]  # 60, 180, 600
    ios_fr = funnel(segmented, stages, where={"platform": "ios", "country": "FR"})
    assert ios_fr.users_total == 2  # a, d
    assert ios_fr.stages[1] == StageNumbers("Sign up", 2, 1.0, 1.0, 0, 330.0)
    nobody = funnel(segmented, stages, where={"platform": "android"})
    assert nobody.users_total == 0
    assert nobody.stages[0] == StageNumbers("Visit", 0, None, None, 0, None)
    assert event_counts(segmented, where={"country": "DE"}) == {"home": 1, "signup": 1}


def test_segment_filter_and_date_range_together(segmented: bytes) -> None:
    result = funnel(segmented, STAGES[:2], where={"platform": "web"},
                    date_from=date(2024, 5, 1), date_to=date(2024, 5, 1))
    assert result.users_total == 1  # c only: d's first event is on iOS
    assert [s.users for s in result.stages] == [1, 1]


def test_unknown_segment_attribute_is_an_error(segmented: bytes) -> None:
    with pytest.raises(MetricsError, match=r"no attribute 'plan'.*platform, country"):
        funnel(segmented, STAGES, where={"plan": "free"})
    with pytest.raises(MetricsError, match="no attribute 'user'"):
        funnel(segmented, STAGES, where={"user": "a"})
    # SQL column names ignore case
    assert funnel(segmented, STAGES, where={"Platform": "ios"}).users_total == 3


def test_not_an_event_dataset(tmp_path: Path) -> None:
    with pytest.raises(MetricsError, match="cannot be read"):
        funnel(b"not parquet", STAGES)


# --------------------------------------------------------------------------- a reference model
def reference_funnel(events: list[tuple[str, str, datetime]],
                     stages: list[tuple[str, list[str]]]) -> FunnelResult:
    """The plain ordered funnel (no period, window or segment), user by user in Python."""
    users = {u for u, _, _ in events}
    reach: dict[int, dict[str, datetime]] = {}
    previous: int | None = None
    for index, (_, names) in enumerate(stages):
        if not names:
            continue
        reach[index] = {}
        for user in users:
            after = None if previous is None else reach[previous].get(user)
            if previous is not None and after is None:
                continue
            times = [t for u, e, t in events
                     if u == user and e in names and (after is None or t >= after)]
            if times:
                reach[index][user] = min(times)
        previous = index
    out: list[StageNumbers] = []
    first = prev = None
    for index, (name, _) in enumerate(stages):
        if index not in reach:
            out.append(StageNumbers(name, None, None, None, None, None))
            continue
        n = len(reach[index])
        if first is None:
            out.append(StageNumbers(name, n, None, 1.0 if n else None, 0, None))
            first, prev_index = n, index
        else:
            gaps = [(t - reach[prev_index][u]).total_seconds() for u, t in reach[index].items()]
            out.append(StageNumbers(name, n, n / prev if prev else None,
                                    n / first if first else None, prev - n,
                                    statistics.median(gaps) if gaps else None))
            prev_index = index
        prev = n
    return FunnelResult(len(users), out)


START = datetime(2024, 5, 1)
event_rows = st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"]),
              st.sampled_from(["a", "b", "c", "d"]),
              st.integers(0, 20).map(lambda minutes: START + timedelta(minutes=minutes))),
    min_size=1, max_size=40)
stage_lists = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=2, unique=True),
                       min_size=1, max_size=4)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=event_rows, bindings=stage_lists)
def test_matches_a_reference_model(make_dataset: MakeDataset, rows, bindings) -> None:
    data = make_dataset([(u, e, t.isoformat(sep=" ")) for u, e, t in rows])
    stages = [(f"S{i}", names) for i, names in enumerate(bindings)]
    assert funnel(data, stages) == reference_funnel(rows, stages)


def test_a_files_users_are_remembered_only_while_the_file_is_the_same(
        make_dataset, tmp_path) -> None:  # noqa: ANN001
    """A funnel without a period or segment remembers the file's users (the next one does
    not count them again); a file written anew at the same path is counted afresh."""
    from journeydesk.analytics import funnel as funnel_module

    header = ("user", "event", "time")
    path = tmp_path / "events.parquet"
    stages = [("Visit", ["home"]), ("Buy", ["buy"])]
    path.write_bytes(make_dataset([("u1", "home", "2024-05-01 10:00:00"),
                                   ("u2", "other", "2024-05-01 10:00:00")], header))
    assert funnel_module.funnel(path, stages).users_total == 2
    assert funnel_module.funnel(path, stages).users_total == 2  # remembered
    assert funnel_module.funnel(path, stages, date_from=date(2024, 5, 2)).users_total == 0
    replaced = tmp_path / "new.parquet"
    replaced.write_bytes(make_dataset([(f"u{i}", "home", "2024-05-01 10:00:00")
                                       for i in range(5)], header))
    replaced.replace(path)  # a dataset replaced: another file at the same path
    assert funnel_module.funnel(path, stages).users_total == 5
