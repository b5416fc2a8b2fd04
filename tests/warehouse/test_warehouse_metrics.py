"""The same event logs in PostgreSQL and in the local engine give the same numbers.

Every metric (funnel, event counts, daily volume, weekly conversion, time-to-next histogram,
who dropped, a user's timeline) is computed twice: by DuckDB over the imported Parquet and by
the SQL that SQLAlchemy Core generates for PostgreSQL, for every combination of date range and
segment filters, on hand-made logs (ties, repeats, out-of-order rows, skipped stages, unbound
stages), on the demo's log and on logs made up by hypothesis.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from itertools import product
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_server import PostgresServer

from journeydesk.analytics import series
from journeydesk.analytics.events import load_events
from journeydesk.analytics.funnel import (
    MetricsError,
    dropped_users,
    event_counts,
    funnel,
    user_timeline,
    users_at_stage,
)
from journeydesk.analytics.warehouse import TableSource, Warehouse
from journeydesk.app.demo import demo_event_log

Row = tuple[str, str, str, str, str]  # user, event, time, platform, plan
HEADER = ("user_id", "event", "timestamp", "platform", "plan")


def create_table(engine: sa.Engine, rows: Sequence[Sequence[str | None]], *,
                 ts_type: str = "timestamp", user_type: str = "text",
                 plan_type: str = "text") -> str:
    """A new table of ``rows`` (user_id, event, timestamp, platform, plan); its name."""
    name = f"events_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {name} (user_id {user_type}, event text, "
                             f"timestamp {ts_type}, platform text, plan {plan_type})")
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {name} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return name


@pytest.fixture(scope="module")
def engine(postgres: PostgresServer) -> Iterator[sa.Engine]:
    eng = sa.create_engine(postgres.url())
    yield eng
    eng.dispose()


@pytest.fixture
def both(engine: sa.Engine, postgres: PostgresServer,
         tmp_path: Path) -> Iterator[Callable[..., tuple[bytes, Warehouse]]]:
    """``both(rows)`` -> (the local dataset's Parquet, a Warehouse on the same rows)."""
    opened: list[Warehouse] = []

    def make(rows: Sequence[Sequence[str | None]], **table_kw) -> tuple[bytes, Warehouse]:
        csv = tmp_path / f"log-{uuid.uuid4().hex[:6]}.csv"
        csv.write_text("\n".join([",".join(HEADER),
                                  *(",".join(v or "" for v in r) for r in rows)]) + "\n",
                       encoding="utf-8")
        parquet = load_events(csv, skip_bad_rows=True).parquet  # rows without user/event/time
        table = create_table(engine, rows, **table_kw)
        warehouse = Warehouse(TableSource(postgres.url(with_password=False), table),
                              password=postgres.password)
        opened.append(warehouse)
        return parquet, warehouse

    yield make
    for warehouse in opened:
        warehouse.close()


def assert_same(local: object, remote: object) -> None:
    """Every metric of both sources is equal, for every filter combination."""
    stage_sets = [
        [("Visit", ["home", "landing"]), ("Empty", []), ("Sign up", ["signup"]),
         ("Buy", ["buy"])],
        [("Only", ["signup"])],
        [("None bound", [])],
        [("Tie", ["home", "signup"]), ("Again", ["signup", "home"])],
    ]
    dates = [(None, None), (date(2024, 5, 1), None), (None, date(2024, 5, 1)),
             (date(2024, 5, 2), date(2024, 5, 3))]
    segments = [None, {"platform": "mobile"}, {"plan": "pro"},
                {"platform": "desktop", "plan": "free"}]
    for stages, (d_from, d_to), where in product(stage_sets, dates, segments):
        f = {"date_from": d_from, "date_to": d_to, "where": where}
        case = (stages[0][0], d_from, d_to, where)
        assert funnel(local, stages, **f) == funnel(remote, stages, **f), case
        assert event_counts(local, **f) == event_counts(remote, **f), case
        assert series.weekly_conversion(local, stages, **f) == \
            series.weekly_conversion(remote, stages, **f), case
        for index, (_, names) in enumerate(stages):
            if not names:
                continue
            assert series.time_to_next_histogram(local, stages, index, **f) == \
                series.time_to_next_histogram(remote, stages, index, **f), (case, index)
            assert users_at_stage(local, stages, index, **f) == \
                users_at_stage(remote, stages, index, **f), (case, index)
            assert dropped_users(local, stages, index, **f) == \
                dropped_users(remote, stages, index, **f), (case, index)
    for where in segments:
        assert series.daily_volume(local, where=where) == \
            series.daily_volume(remote, where=where), where


# Out of order, ties, repeats, a user skipping a stage, an unbound event, three days.
LOG: list[Row] = [
    ("u1", "buy", "2024-05-01 11:10:00", "mobile", "pro"),
    ("u3", "home", "2024-05-01 09:00:00", "desktop", "free"),
    ("u1", "home", "2024-05-01 10:30:00", "mobile", "pro"),
    ("u2", "buy", "2024-05-01 08:00:00", "desktop", "free"),
    ("u1", "home", "2024-05-01 10:00:00", "mobile", "pro"),
    ("u2", "landing", "2024-05-01 09:00:00", "desktop", "free"),
    ("u1", "signup", "2024-05-01 10:10:00", "mobile", "pro"),
    ("u2", "signup", "2024-05-01 09:00:00", "desktop", "free"),
    ("u3", "signup", "2024-05-01 08:00:00", "desktop", "free"),
    ("u2", "buy", "2024-05-02 12:00:00", "desktop", "pro"),
    ("u3", "signup", "2024-05-02 09:30:00", "mobile", "free"),
    ("u4", "buy", "2024-05-02 10:00:00", "mobile", "pro"),
    ("u4", "signup", "2024-05-02 10:00:00", "mobile", "pro"),
    ("u5", "home", "2024-05-03 10:00:00", "mobile", "free"),
    ("u5", "buy", "2024-05-03 10:05:00", "mobile", "free"),
    ("u6", "landing", "2024-05-03 10:00:00", "desktop", "free"),
    ("u7", "support", "2024-05-03 10:00:00", "desktop", "pro"),
    ("u8", "home", "2024-05-10 23:59:59", "mobile", "pro"),
    ("u8", "signup", "2024-05-11 00:00:00", "mobile", "pro"),
    ("u8", "buy", "2024-05-20 00:00:00.5", "mobile", "pro"),
]


def test_hand_made_log_gives_the_same_numbers_for_every_filter(both) -> None:
    local, remote = both(LOG)
    assert funnel(remote, [("Visit", ["home", "landing"]), ("Sign up", ["signup"]),
                           ("Buy", ["buy"])]).users_total == 8
    assert_same(local, remote)
    assert user_timeline(local, "u1") == user_timeline(remote, "u1")
    assert user_timeline(remote, "u1")[0] == (datetime(2024, 5, 1, 10, 0), "home")


def test_demo_log_gives_the_same_numbers(both) -> None:
    lines = demo_event_log(users=300).splitlines()[1:]
    rows = [(u, e, t, p, c) for u, e, t, p, c in (line.split(",") for line in lines)]
    local, remote = both(rows)
    stages = [("Discover", ["landing_view"]), ("Sign up", ["form_start", "form_submit"]),
              ("Confirm e-mail", ["email_confirmed"]), ("First use", ["first_benefit_used"])]
    # the demo's customer_type column is the table's "plan"
    for where in (None, {"platform": "mobile"}, {"plan": "returning"}):
        assert funnel(local, stages, where=where) == funnel(remote, stages, where=where)
    assert series.weekly_conversion(local, stages) == series.weekly_conversion(remote, stages)
    assert series.time_to_next_histogram(local, stages, 2) == \
        series.time_to_next_histogram(remote, stages, 2)


def test_rows_without_user_event_or_time_count_nowhere(both) -> None:
    """An import leaves such rows out as bad rows; the database source ignores them too
    (anonymous visits with a NULL user are common in event tables)."""
    rows = [*LOG,
            (None, "home", "2024-05-01 09:00:00", "mobile", "pro"),
            ("   ", "home", "2024-05-01 09:00:00", "mobile", "pro"),
            ("u9", None, "2024-05-01 09:00:00", "mobile", "pro"),
            ("u9", "  ", "2024-05-01 09:00:00", "mobile", "pro"),
            ("u10", "home", None, "mobile", "pro")]
    local, remote = both(rows)
    stages = [("Visit", ["home", "landing"]), ("Sign up", ["signup"])]
    assert funnel(remote, stages) == funnel(local, stages)
    assert funnel(remote, stages).users_total == 8
    assert dropped_users(remote, stages, 1) == dropped_users(local, stages, 1)
    assert "None" not in users_at_stage(remote, stages, 0)
    assert event_counts(remote) == event_counts(local)


def test_sub_second_gaps_give_the_same_medians(both) -> None:
    rows = [("u1", "home", "2024-05-01 10:00:00", "web", "pro"),
            ("u1", "buy", "2024-05-01 10:00:00.1", "web", "pro"),
            ("u2", "home", "2024-05-01 10:00:00", "web", "pro"),
            ("u2", "buy", "2024-05-01 10:00:00.2", "web", "pro"),
            ("u3", "home", "2024-05-01 10:00:00.000001", "web", "pro"),
            ("u3", "buy", "2024-05-01 10:00:00.333334", "web", "pro")]
    local, remote = both(rows[:4])
    stages = [("Visit", ["home"]), ("Buy", ["buy"])]
    assert funnel(remote, stages).stages[1].median_seconds_from_previous == 0.15
    assert funnel(remote, stages) == funnel(local, stages)
    local, remote = both(rows)
    assert funnel(remote, stages) == funnel(local, stages)
    assert series.time_to_next_histogram(local, stages, 1) == \
        series.time_to_next_histogram(remote, stages, 1)


def test_integer_users_and_attributes(both) -> None:
    rows = [(u.lstrip("u"), e, t, p, {"pro": "2", "free": "1"}[c]) for u, e, t, p, c in LOG]
    local, remote = both(rows, user_type="integer", plan_type="integer")
    stages = [("Visit", ["home", "landing"]), ("Sign up", ["signup"]), ("Buy", ["buy"])]
    for where in (None, {"plan": "2"}, {"platform": "mobile", "plan": "1"}):
        assert funnel(remote, stages, where=where) == funnel(local, stages, where=where)
        assert dropped_users(remote, stages, 2, where=where) == \
            dropped_users(local, stages, 2, where=where)
    assert user_timeline(remote, "1") == user_timeline(local, "1")


def test_unknown_attribute_is_the_same_error(both) -> None:
    local, remote = both(LOG[:3])
    for data in (local, remote):
        with pytest.raises(MetricsError, match="no attribute 'colour' to filter on"):
            funnel(data, [("Visit", ["home"])], where={"colour": "red"})


def test_timestamptz_and_date_columns(engine: sa.Engine, postgres: PostgresServer) -> None:
    """Zone-aware times are counted in UTC, like the local engine; a date column works."""
    for ts_type in ("timestamptz", "date"):
        table = create_table(engine, [
            ("u1", "home", "2024-05-01 23:30:00+00", "mobile", "pro"),
            ("u1", "buy", "2024-05-02 00:30:00+00", "mobile", "pro")], ts_type=ts_type)
        with Warehouse(TableSource(postgres.url(with_password=False), table),
                       password=postgres.password) as remote:
            result = funnel(remote, [("Visit", ["home"]), ("Buy", ["buy"])],
                            date_from=date(2024, 5, 2))
            assert [s.users for s in result.stages] == [0, 0]
            result = funnel(remote, [("Visit", ["home"]), ("Buy", ["buy"])])
            expected = 3600.0 if ts_type == "timestamptz" else 86400.0
            assert result.stages[1].median_seconds_from_previous == expected
            assert series.daily_volume(remote) == [(date(2024, 5, 1), 1), (date(2024, 5, 2), 1)]


START = datetime(2024, 5, 1)
event_rows = st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3", "u4", "u5"]),
              st.sampled_from(["home", "landing", "signup", "buy"]),
              st.builds(lambda m, us: START + timedelta(minutes=m, microseconds=us),
                        st.integers(0, 60 * 24 * 4), st.sampled_from([0, 0, 1, 100_000, 333_333])),
              st.sampled_from(["mobile", "desktop"]), st.sampled_from(["free", "pro"])),
    min_size=1, max_size=30)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=event_rows)
def test_made_up_logs_give_the_same_numbers(both, rows) -> None:
    local, remote = both([(u, e, t.isoformat(sep=" "), p, c) for u, e, t, p, c in rows])
    stages = [("Visit", ["home", "landing"]), ("Empty", []), ("Sign up", ["signup"]),
              ("Buy", ["buy"])]
    for d_from, where in product([None, date(2024, 5, 2)], [None, {"platform": "mobile"}]):
        f = {"date_from": d_from, "where": where}
        assert funnel(local, stages, **f) == funnel(remote, stages, **f)
        assert series.weekly_conversion(local, stages, **f) == \
            series.weekly_conversion(remote, stages, **f)
        assert series.time_to_next_histogram(local, stages, 3, **f) == \
            series.time_to_next_histogram(remote, stages, 3, **f)


def test_a_heavy_tail_is_binned_alike_in_both(both) -> None:
    """Log-spaced bins with a bin for 0: the same edges, counts and median from the
    database's SQL as from the local engine (the same expressions in the same order)."""
    gaps = [0, 0, 1, 7, 30, 95, 600, 3600, 3 * 86400, 20 * 86400, 45 * 86400]
    start = datetime(2024, 5, 1, 10, 0)
    rows = []
    for i, gap in enumerate(gaps):
        rows.append((f"u{i}", "home", str(start), "web", "pro"))
        rows.append((f"u{i}", "buy", str(start + timedelta(seconds=gap)), "web", "pro"))
    local, remote = both(rows)
    stages = [("Visit", ["home"]), ("Buy", ["buy"])]
    hist = series.time_to_next_histogram(remote, stages, 1)
    assert hist == series.time_to_next_histogram(local, stages, 1)
    assert hist.edges[0] == 0.0 and hist.counts[0] == 2  # the two users who bought at once
    assert hist.edges[1] == 1.0 and hist.edges[-1] == 45 * 86400.0
    assert len(hist.counts) == 1 + 9 and hist.total == len(gaps)
    assert hist.median == 95.0
