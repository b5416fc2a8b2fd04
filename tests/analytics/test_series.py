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
