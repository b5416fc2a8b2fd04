"""Daily volume, weekly conversion and time to next stage, checked against hand-worked logs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from journeydesk.analytics import series
from journeydesk.analytics.funnel import MetricsError
from journeydesk.analytics.series import daily_volume, time_to_next, weekly_conversion

MakeDataset = Callable[..., bytes]

STAGES = [("Visit", ["home"]), ("Unbound", []), ("Sign up", ["signup"]), ("Buy", ["buy"])]
HEADER = ("user", "event", "time", "platform")

# 2024-05-06 and 2024-05-13 are Mondays; 2024-05-12 is a Sunday (still the week of the 6th).
#   u1  Visit Mon 6th 10:00, Sign up 10:10 (600 s), Buy Tue 7th 10:10 (86400 s)      mobile
#   u2  Visit Sun 12th 23:00, Sign up Mon 13th 01:00 (7200 s): Visit week 6th,
#       Sign up week 13th; no Buy                                                    desktop
#   u3  Visit Wed 15th 09:00; its signup at 08:00 came before: never Signs up       mobile
#   u4  signup and buy only (never Visit): reaches nothing                          mobile
#   u5  Visit Mon 27th 12:00 and Sign up at the same moment (a tie: 0 s), Buy 12:30
#       (1800 s); weeks of 20th have no visits at all                               mobile
LOG = [
    ("u1", "buy", "2024-05-07 10:10:00", "mobile"),
    ("u1", "home", "2024-05-06 10:00:00", "mobile"),
    ("u1", "signup", "2024-05-06 10:10:00", "mobile"),
    ("u1", "home", "2024-05-06 11:00:00", "mobile"),
    ("u2", "home", "2024-05-12 23:00:00", "desktop"),
    ("u2", "signup", "2024-05-13 01:00:00", "desktop"),
    ("u3", "signup", "2024-05-15 08:00:00", "mobile"),
    ("u3", "home", "2024-05-15 09:00:00", "mobile"),
    ("u4", "signup", "2024-05-15 10:00:00", "mobile"),
    ("u4", "buy", "2024-05-15 11:00:00", "mobile"),
    ("u5", "home", "2024-05-27 12:00:00", "mobile"),
    ("u5", "signup", "2024-05-27 12:00:00", "mobile"),
    ("u5", "buy", "2024-05-27 12:30:00", "mobile"),
]


@pytest.fixture
def log(make_dataset: MakeDataset) -> bytes:
    return make_dataset(LOG, HEADER)


def test_daily_volume_counts_every_event_per_day(log: bytes) -> None:
    assert daily_volume(log) == [
        (date(2024, 5, 6), 3), (date(2024, 5, 7), 1), (date(2024, 5, 12), 1),
        (date(2024, 5, 13), 1), (date(2024, 5, 15), 4), (date(2024, 5, 27), 3)]


def test_daily_volume_follows_the_segment(log: bytes) -> None:
    assert daily_volume(log, where={"platform": "desktop"}) == [
        (date(2024, 5, 12), 1), (date(2024, 5, 13), 1)]


def test_weekly_conversion_by_week_of_entry(log: bytes) -> None:
    w6, w13, w20, w27 = (date(2024, 5, d) for d in (6, 13, 20, 27))
    assert weekly_conversion(log, STAGES) == {
        # entry week 6th: u1, u2 both sign up; week 13th: u3 does not; week 27th: u5 does
        "Sign up": [(w6, 1.0), (w13, 0.0), (w20, None), (w27, 1.0)],
        # entry week 6th: u1 and u2 signed up, u1 buys (u2 signed up on the 13th but entered
        # in week 6th); week 13th: nobody signed up; week 27th: u5 buys
        "Buy": [(w6, 0.5), (w13, None), (w20, None), (w27, 1.0)],
    }
    assert series.weekly_counts(log, STAGES)["Buy"] == [(w6, 2, 1), (w13, 0, 0), (w20, 0, 0),
                                                        (w27, 1, 1)]


def test_weekly_conversion_with_dates_and_segment(log: bytes) -> None:
    # Entries 6th-13th: u1 and u2, both in week 6th, both sign up, u1 buys; nobody enters in
    # week 13th (u3 on the 15th), so week 6th is the only week
    result = weekly_conversion(log, STAGES, date_from=date(2024, 5, 6),
                               date_to=date(2024, 5, 13))
    assert result == {"Sign up": [(date(2024, 5, 6), 1.0)],
                      "Buy": [(date(2024, 5, 6), 0.5)]}
    mobile = weekly_conversion(log, STAGES, where={"platform": "mobile"})
    assert mobile["Sign up"] == [(date(2024, 5, 6), 1.0), (date(2024, 5, 13), 0.0),
                                 (date(2024, 5, 20), None), (date(2024, 5, 27), 1.0)]
    assert mobile["Buy"] == [(date(2024, 5, 6), 1.0), (date(2024, 5, 13), None),
                             (date(2024, 5, 20), None), (date(2024, 5, 27), 1.0)]


def test_weekly_conversion_needs_two_bound_stages(log: bytes) -> None:
    assert weekly_conversion(log, [("Visit", ["home"]), ("Other", [])]) == {}


def test_time_to_next_is_one_duration_per_user(log: bytes) -> None:
    assert time_to_next(log, STAGES, 2) == [0.0, 600.0, 7200.0]
    assert time_to_next(log, STAGES, 3) == [1800.0, 86400.0]
    assert time_to_next(log, STAGES, 0) == []
    assert time_to_next(log, STAGES, 3, where={"platform": "mobile"}) == [1800.0, 86400.0]
    # entries up to the 12th: u1, and u2, whose signup on the 13th counts (not cut)
    assert time_to_next(log, STAGES, 2, date_to=date(2024, 5, 12)) == [600.0, 7200.0]


def test_time_to_next_of_an_unbound_stage_is_an_error(log: bytes) -> None:
    with pytest.raises(MetricsError, match="bound to no events"):
        time_to_next(log, STAGES, 1)
    with pytest.raises(MetricsError, match="no attribute"):
        time_to_next(log, STAGES, 2, where={"country": "NL"})


def test_a_heavy_tail_gets_log_spaced_bins_and_a_bin_for_zero() -> None:
    values = [0.0, 0.0, 10.0, 20.0, 100.0, 1000.0, 10000.0, 100000.0]
    hist = series.histogram(values)
    # six positive values spanning four powers of ten: six bins, each x 10 ** (4 / 6) wider
    assert hist.edges[0] == 0.0 and hist.edges[1] == 10.0 and hist.edges[-1] == 100000.0
    ratios = [b / a for a, b in zip(hist.edges[1:-1], hist.edges[2:], strict=True)]
    assert all(r == pytest.approx(10 ** (4 / 6)) for r in ratios)
    assert hist.counts == [2, 2, 1, 0, 1, 1, 1]
    assert hist.median == 60.0  # (20 + 100) / 2, exact
    assert hist.total == len(values)


def test_a_narrow_range_keeps_equal_width_bins() -> None:
    hist = series.histogram([60.0, 120.0, 1800.0])  # 30x apart: under 1.5 powers of ten
    assert hist.edges == [60.0, 495.0, 930.0, 1365.0, 1800.0]
    assert hist.counts == [2, 0, 0, 1]
    assert hist.median == 120.0
    assert series.histogram([5.0, 5.0]) == series.Histogram([4.5, 5.5], [2], 5.0)
    assert series.histogram([]) == series.Histogram([], [])


def test_log_bins_show_the_shape_of_a_long_tail() -> None:
    """The issue's case: most users reach the next stage within minutes, a few after weeks;
    equal-width bins put 470 of 596 in the first bar, log-spaced ones spread them."""
    import random

    rng = random.Random(7)
    values = sorted(round(rng.lognormvariate(6, 2.2)) for _ in range(596))
    hist = series.histogram(values)
    assert sum(hist.counts) == 596
    assert max(hist.counts) < 596 * 0.25
    assert sum(1 for c in hist.counts if c) >= 12  # the shape, not one bar and noise
    equal = [v for v in values if v <= values[0] + (values[-1] - values[0]) / 20]
    assert len(equal) > 596 * 0.75  # what equal-width bins would have put in the first


def test_weekly_series_marks_the_weeks_whose_window_has_not_elapsed(log: bytes) -> None:
    """The log's last day with data is Mon 27th: a week of entry is complete when its end
    plus the window is not after that day's start."""
    from journeydesk.app.metrics import weekly_series

    plain = weekly_series(log, STAGES)
    mondays = [date(2024, 5, 6), date(2024, 5, 13), date(2024, 5, 20), date(2024, 5, 27)]
    # Sign up by week of entry: week 6th u1 and u2 (both sign up), 13th u3 (never), 27th u5
    assert plain.points["Sign up"] == [(mondays[0], 1.0, 2), (mondays[1], 0.0, 1),
                                       (mondays[2], None, 0), (mondays[3], 1.0, 1)]
    assert plain.open_from == 3  # no window: only the last week, which had the least time
    day = 86400.0
    assert weekly_series(log, STAGES, window_seconds=day).open_from == 2
    assert weekly_series(log, STAGES, window_seconds=7 * day).open_from == 2  # 13th+14 = 27th
    assert weekly_series(log, STAGES, window_seconds=8 * day).open_from == 1
    assert weekly_series(log, STAGES, window_seconds=30 * day).open_from == 0
    assert weekly_series(log, STAGES[:1]).points == {}
