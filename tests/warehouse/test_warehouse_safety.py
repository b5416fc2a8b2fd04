"""A database source fails clearly and harmlessly, binds every value, and keeps no password."""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from postgres_server import PostgresServer
from sqlalchemy.dialects import postgresql

from journeydesk.analytics.funnel import event_counts, funnel
from journeydesk.analytics.warehouse import (
    AuthenticationError,
    MissingColumnError,
    MissingTableError,
    QueryCancelled,
    QueryTimeout,
    SourceError,
    TableSource,
    UnreachableError,
    Warehouse,
    strip_password,
)

STAGES = [("Visit", ["home"]), ("Buy", ["buy"])]


@pytest.fixture(scope="module")
def table(postgres: PostgresServer) -> Iterator[str]:
    engine = sa.create_engine(postgres.url())
    name = f"ev_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {name} (user_id text, event text, "
                             "timestamp timestamp, platform text)")
        conn.exec_driver_sql(f"INSERT INTO {name} VALUES "
                             "('u1', 'home', '2024-05-01 10:00', 'web'), "
                             "('u1', 'buy', '2024-05-01 10:05', 'web'), "
                             "('u2', 'home', '2024-05-01 11:00', 'ios'), "
                             "('u3', 'x''); DROP TABLE " + name + "; --', "
                             "'2024-05-01 11:00', 'ios')")
        # a view whose every row takes a while: for timeouts and cancelling
        conn.exec_driver_sql("CREATE OR REPLACE FUNCTION slow_true() RETURNS boolean AS "
                             "$$ BEGIN PERFORM pg_sleep(0.5); RETURN true; END $$ "
                             "LANGUAGE plpgsql VOLATILE")
        conn.exec_driver_sql(f"CREATE VIEW {name}_slow AS SELECT * FROM {name} "
                             "WHERE slow_true()")
    engine.dispose()
    yield name


def source(postgres: PostgresServer, table: str, **kw) -> TableSource:
    return TableSource(postgres.url(with_password=False), table, **kw)


def test_values_are_bound_parameters_never_sql_text(postgres, table) -> None:
    hostile = "x'); DROP TABLE " + table + "; --"
    with Warehouse(source(postgres, table), password=postgres.password) as w:
        statements: list[str] = []
        engine = w.engine()
        sa.event.listen(engine, "before_cursor_execute",
                        lambda *args: statements.append(args[2]))
        result = funnel(w, [("Visit", ["home", hostile]), ("Buy", ["buy"])],
                        where={"platform": "web' OR '1'='1"})
        assert result.users_total == 0  # the segment value was compared, not executed
        counts = event_counts(w, where={"platform": "ios"})
        assert counts == {"home": 1, hostile: 1}  # the table is still there
    sql = "\n".join(statements)
    for value in ("home", "buy", "web' OR", "DROP TABLE", "ios"):
        assert value not in sql, value
    assert "%(" in sql or "$1" in sql or "%s" in sql


def test_generated_sql_compiles_for_other_dialects(postgres, table) -> None:
    """The same Core statements compile for other dialects (run only on PostgreSQL here)."""
    from sqlalchemy.dialects import mysql, sqlite

    from journeydesk.analytics.warehouse import Median, MicrosBetween, WeekStart

    t = sa.table("events", sa.column("ts", sa.DateTime), sa.column("prev", sa.DateTime))
    query = sa.select(Median(MicrosBetween(t.c.prev, t.c.ts)), WeekStart(t.c.ts))
    pg = str(query.compile(dialect=postgresql.dialect()))
    assert "percentile_cont(0.5) WITHIN GROUP" in pg and "EXTRACT(EPOCH FROM" in pg
    assert "julianday" in str(query.compile(dialect=sqlite.dialect()))
    assert "TIMESTAMPDIFF(MICROSECOND" in str(query.compile(dialect=mysql.dialect()))


def test_wrong_password_is_refused_without_showing_it(postgres, table, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "not-the-password-" + uuid.uuid4().hex
    with Warehouse(source(postgres, table), password=secret) as w, \
            pytest.raises(AuthenticationError) as info:
        funnel(w, STAGES)
    message = str(info.value)
    assert "refused the user or password" in message
    assert secret not in message and secret not in repr(w) and secret not in caplog.text
    assert postgres.password not in message


def test_missing_password_names_the_variable(postgres, table) -> None:
    with Warehouse(source(postgres, table, password_env="CX_DB_PASSWORD")) as w, \
            pytest.raises(AuthenticationError, match="set CX_DB_PASSWORD"):
        w.check()


def test_unreachable_server() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = TableSource(f"postgresql+psycopg://someone@127.0.0.1:{port}/db", "events")
    started = time.monotonic()
    with Warehouse(spec, password="x") as w, pytest.raises(UnreachableError,
                                                           match="cannot reach the server"):
        funnel(w, STAGES)
    assert time.monotonic() - started < 15


def test_missing_table_lists_what_there_is(postgres, table) -> None:
    with Warehouse(source(postgres, "no_such_events"), password=postgres.password) as w, \
            pytest.raises(MissingTableError, match=f"no table or view named 'no_such_events'.*"
                                                   f"{table}"):
        funnel(w, STAGES)


def test_missing_column_lists_the_columns(postgres, table) -> None:
    with Warehouse(source(postgres, table, time="occurred_at"), password=postgres.password) \
            as w, pytest.raises(MissingColumnError, match="no time column 'occurred_at' "
                                                          r"\(columns: user_id, event, timestamp"):
        funnel(w, STAGES)


def test_a_time_column_must_hold_times(postgres, table) -> None:
    with Warehouse(source(postgres, table, time="platform"), password=postgres.password) \
            as w, pytest.raises(MissingColumnError, match="timestamp or date column"):
        w.check()


def test_slow_query_times_out(postgres, table) -> None:
    spec = source(postgres, f"{table}_slow", timeout_seconds=0.8)
    started = time.monotonic()
    with Warehouse(spec, password=postgres.password) as w, \
            pytest.raises(QueryTimeout, match=r"longer than 0.8 s"):
        funnel(w, STAGES)
    assert time.monotonic() - started < 10
    # the source is still usable afterwards
    with Warehouse(source(postgres, table), password=postgres.password) as w:
        assert funnel(w, STAGES).users_total == 3


def run_in_thread(fn) -> tuple[threading.Thread, dict[str, BaseException]]:  # noqa: ANN001
    outcome: dict[str, BaseException] = {}

    def work() -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    return worker, outcome


def wait_until_running(w: Warehouse) -> None:
    deadline = time.monotonic() + 20
    while not w._shared.running and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.02)
    assert w._shared.running, "the query never started"  # noqa: SLF001


def test_a_running_job_can_be_cancelled(postgres, table) -> None:
    with Warehouse(source(postgres, f"{table}_slow", timeout_seconds=60),
                   password=postgres.password) as w:
        job = w.view()
        worker, outcome = run_in_thread(lambda: (funnel(job, STAGES), event_counts(job)))
        wait_until_running(w)
        started = time.monotonic()
        job.cancel()
        worker.join(20)
        assert not worker.is_alive() and time.monotonic() - started < 10
        assert isinstance(outcome.get("error"), QueryCancelled), outcome
        with pytest.raises(QueryCancelled):  # the job's later queries are refused
            event_counts(job)
        assert funnel(w, [("Visit", [])]).users_total == 3  # the source is usable


def test_a_job_cancelled_before_its_query_never_runs(postgres, table) -> None:
    with Warehouse(source(postgres, table), password=postgres.password) as w:
        job = w.view()
        job.cancel()
        statements: list[str] = []
        sa.event.listen(w.engine(), "before_cursor_execute",
                        lambda *args: statements.append(args[2]))
        with pytest.raises(QueryCancelled):
            funnel(job, STAGES)
        assert statements == []


def test_stop_cancels_every_job_but_not_later_ones(postgres, table) -> None:
    with Warehouse(source(postgres, f"{table}_slow", timeout_seconds=60),
                   password=postgres.password) as w:
        jobs = [w.view(), w.view()]
        threads = [run_in_thread(lambda j=j: funnel(j, STAGES)) for j in jobs]
        deadline = time.monotonic() + 20
        while len(w._shared.running) < 2 and time.monotonic() < deadline:  # noqa: SLF001
            time.sleep(0.02)
        w.cancel_views()
        for worker, outcome in threads:
            worker.join(20)
            assert isinstance(outcome.get("error"), QueryCancelled), outcome
        later = w.view()  # a job started after Stop runs
        assert funnel(later, [("Visit", [])]).users_total == 3


def test_closing_cancels_and_refuses_new_queries(postgres, table) -> None:
    w = Warehouse(source(postgres, f"{table}_slow", timeout_seconds=60),
                  password=postgres.password)
    worker, outcome = run_in_thread(lambda: funnel(w, STAGES))
    wait_until_running(w)
    w.close()
    worker.join(20)
    assert not worker.is_alive()
    assert isinstance(outcome.get("error"), SourceError), outcome
    assert w._shared.engine is None  # noqa: SLF001 - nothing left open
    with pytest.raises(SourceError, match="the connection was closed"):
        funnel(w, STAGES)


def test_a_url_with_a_password_is_never_kept() -> None:
    url, password = strip_password("postgresql+psycopg://ana:s3cr%40t@db:5432/cx")
    assert (url, password) == ("postgresql+psycopg://ana@db:5432/cx", "s3cr@t")
    url, password = strip_password("postgresql+psycopg://ana@db/cx?password=pw&sslmode=require")
    assert (url, password) == ("postgresql+psycopg://ana@db/cx?sslmode=require", "pw")
    assert strip_password("databricks://token:@host/x") == ("databricks://token@host/x", None)
    with pytest.raises(SourceError, match=r"carries a secret \(access_token\)"):
        strip_password("trino://ana@host/x?access_token=abc")
    for stored in ("postgresql+psycopg://ana:s3cret@db/cx",
                   "postgresql+psycopg://ana@db/cx?password=s3cret"):
        with pytest.raises(SourceError, match="without its password"):
            TableSource(stored, "events")
    with pytest.raises(SourceError, match="not a database URL"):
        strip_password("not a url")


def test_table_names_have_at_most_a_schema() -> None:
    assert TableSource("postgresql+psycopg://a@h/d", "analytics.events").table == \
        "analytics.events"
    with pytest.raises(SourceError, match="catalog or database goes in the URL"):
        TableSource("postgresql+psycopg://a@h/d", "cat.analytics.events")


def test_a_missing_dialect_says_which_package() -> None:
    with Warehouse(TableSource("nosuchdb://someone@host/db", "events")) as w, \
            pytest.raises(SourceError, match="no SQLAlchemy dialect for nosuchdb"):
        funnel(w, STAGES)


def test_masking_a_password_hides_it_without_spelling_it_out() -> None:
    from journeydesk.analytics.warehouse import mask_secret

    assert mask_secret("password=s3cr3t! rejected", "s3cr3t!") == "password=*** rejected"
    assert mask_secret('user "s3cr3t" and s3cr3t', "s3cr3t") == 'user "***" and ***'
    # a one-letter password must not turn every "x" of the message into ***
    assert mask_secret("failed to resolve host 'db.example.com'", "x") == (
        "failed to resolve host 'db.example.com'")
    assert mask_secret("token x refused", "x") == "token *** refused"
