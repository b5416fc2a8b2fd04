"""Retention and churn from PostgreSQL and from the local engine are the same, number for
number: docs/data.md's worked example, every option on a few small logs, and a few logs made
up by hypothesis (the server is slow; the thorough comparison with the brute-force reference
is tests/analytics/test_retention.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from itertools import product
from pathlib import Path

import pytest
import retention_reference as rref
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from postgres_server import PostgresServer
from sqlalchemy.dialects import mysql, postgresql, sqlite

from journeydesk.analytics import engine as duck
from journeydesk.analytics.retention import retention
from journeydesk.analytics.warehouse import TableSource, Warehouse
from journeydesk.analytics.warehouse_retention import MonthStart

SCHEMA = "retention_options"
Row = tuple[str, str, datetime, dict]


def write_parquet(rows: Sequence[Row], path: Path) -> Path:
    """The rows as a dataset's Parquet (user, event, ts, platform, plan)."""
    con = duck.connect(path.parent)
    try:
        con.execute("CREATE TABLE t (\"user\" VARCHAR, event VARCHAR, ts TIMESTAMP, "
                    "platform VARCHAR, plan VARCHAR)")
        if rows:
            con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                            [(u, e, t, a.get("platform"), a.get("plan"))
                             for u, e, t, a in rows])
        con.execute(f"COPY t TO {duck.literal(str(path))} (FORMAT parquet)")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def both(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Callable[[Sequence[Row]], tuple[Path, Warehouse]]]:
    """``both(rows)`` -> (the rows as Parquet, a Warehouse on a new table of the same rows)."""
    folder = tmp_path_factory.mktemp("retention")
    engine = sa.create_engine(postgres.url())
    opened: list[Warehouse] = []
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")

    def make(rows: Sequence[Row]) -> tuple[Path, Warehouse]:
        name = f"{SCHEMA}.ev_{uuid.uuid4().hex[:10]}"
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE TABLE {name} (user_id text, event text, "
                                 "timestamp timestamp, platform text, plan text)")
            raw = conn.connection.dbapi_connection
            with raw.cursor() as cur, cur.copy(f"COPY {name} FROM STDIN") as copy:
                for u, e, t, a in rows:
                    copy.write_row((u, e, t, a.get("platform"), a.get("plan")))
        warehouse = Warehouse(TableSource(postgres.url(with_password=False), name),
                              password=postgres.password)
        opened.append(warehouse)
        return write_parquet(rows, folder / f"{name.replace('.', '_')}.parquet"), warehouse

    yield make
    for warehouse in opened:
        warehouse.close()
    engine.dispose()


def _row(user: str, event: str, time: str, platform: str | None = None) -> Row:
    return (user, event, datetime.fromisoformat(time), {"platform": platform})


# docs/data.md, "Worked example: retention after Buy"
EXAMPLE = [_row(*r) for r in [
    ("u1", "home", "2024-05-01 10:00", "ios"), ("u1", "buy", "2024-05-01 10:30", "ios"),
    ("u1", "home", "2024-05-02 11:00", "web"), ("u1", "buy", "2024-05-04 12:00", "web"),
    ("u2", "home", "2024-05-01 09:00", "web"), ("u2", "buy", "2024-05-01 12:00", "web"),
    ("u2", "home", "2024-05-02 11:59", "web"), ("u2", "home", "2024-05-03 12:00", "web"),
    ("u3", "home", "2024-05-06 08:00", "ios"), ("u3", "buy", "2024-05-06 09:00", "ios"),
    ("u3", "home", "2024-05-07 20:00", "ios"),
    ("u4", "home", "2024-05-01 10:00", "web"),
    ("u5", "home", "2024-05-06 10:55", "web"), ("u5", "buy", "2024-05-06 11:00", "web"),
    ("u6", "home", "2024-05-08 10:00", None),
    # a later cohort in June, and a microsecond at a period's edge
    ("u7", "home", "2024-06-03 10:00", "ios"), ("u7", "buy", "2024-06-03 10:00", "ios"),
    ("u7", "home", "2024-06-04 10:00", "ios"), ("u7", "home", "2024-06-05 09:59:59.999999"),
]]
STAGES = [("Visit", ["home"]), ("Buy", ["buy"])]


def test_the_worked_example_in_postgresql(both) -> None:
    local, remote = both(EXAMPLE[:15])
    kept = retention(remote, STAGES, 1, every="day", periods=3)
    assert kept == retention(local, STAGES, 1, every="day", periods=3)
    assert kept.users == 4 and kept.data_end == datetime(2024, 5, 8, 10)
    assert [(c.observable, c.in_period, c.or_later) for c in kept.overall] == [
        (3, 2, 3), (2, 1, 2), (2, 1, 1)]
    assert kept.churn.churned == 1


def test_every_option_gives_the_same_numbers(both) -> None:
    local, remote = both(EXAMPLE)
    funnel_options = [{}, {"date_from": date(2024, 5, 2)}, {"where": {"platform": "ios"}},
                      {"window_seconds": 3600.0}]
    for every, cohort, events, opts in product(["day", "week", "month", 3600],
                                               ["week", "month"], [None, ["buy"], ["h*"]],
                                               funnel_options):
        case = (every, cohort, events, opts)
        mine = retention(local, STAGES, 1, every=every, periods=4, events=events,
                         cohort=cohort, churn_at=2, **opts)
        assert retention(remote, STAGES, 1, every=every, periods=4, events=events,
                         cohort=cohort, churn_at=2, **opts) == mine, case
    # the first stage as the anchor, and June's month cohort after May's
    by_month = retention(remote, STAGES, 0, every="day", periods=2, cohort="month")
    assert [c.start for c in by_month.cohorts] == [date(2024, 5, 1), date(2024, 6, 1)]
    assert by_month == retention(local, STAGES, 0, every="day", periods=2, cohort="month")


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=rref.cases())
def test_made_up_logs_give_the_same_numbers(both, case: dict) -> None:
    assume(case["anchor"] is not None)
    local, remote = both(case["rows"])
    stages, anchor = case["stages"], case["anchor"]
    keywords = {**case["keywords"], **case["options"]}
    assert retention(remote, stages, anchor, **keywords) == \
        retention(local, stages, anchor, **keywords)


@pytest.mark.parametrize(("dialect", "expected"), [
    (postgresql.dialect(), "CAST(date_trunc('month', t) AS DATE)"),
    (sqlite.dialect(), "date(t, 'start of month')"),
    (mysql.dialect(), "CAST(DATE_FORMAT(t, '%Y-%m-01') AS DATE)"),
])
def test_month_start_compiles_for_other_dialects(dialect, expected) -> None:
    text = str(MonthStart(sa.column("t")).compile(dialect=dialect,
                                                   compile_kwargs={"literal_binds": True}))
    assert text.replace("%%", "%") == expected
