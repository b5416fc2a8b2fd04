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

    from journeydesk.analytics.warehouse import Median, SecondsBetween, WeekStart

    t = sa.table("events", sa.column("ts", sa.DateTime), sa.column("prev", sa.DateTime))
    query = sa.select(Median(SecondsBetween(t.c.prev, t.c.ts)), WeekStart(t.c.ts))
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


def test_running_query_can_be_cancelled(postgres, table) -> None:
    with Warehouse(source(postgres, f"{table}_slow", timeout_seconds=60),
                   password=postgres.password) as w:
        w.check  # noqa: B018 - reflection happens in the worker below
        outcome: dict[str, BaseException] = {}

        def work() -> None:
            try:
                funnel(w, STAGES)
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                outcome["error"] = exc

        worker = threading.Thread(target=work)
        worker.start()
        time.sleep(1.0)
        w.cancel()
        worker.join(20)
        assert not worker.is_alive()
        assert isinstance(outcome.get("error"), QueryCancelled), outcome
        assert funnel(w, [("Visit", [])]).users_total == 3  # usable again


def test_a_url_with_a_password_is_never_kept() -> None:
    url, password = strip_password("postgresql+psycopg://ana:s3cr%40t@db:5432/cx")
    assert (url, password) == ("postgresql+psycopg://ana@db:5432/cx", "s3cr@t")
    with pytest.raises(SourceError, match="without its password"):
        TableSource("postgresql+psycopg://ana:s3cret@db/cx", "events")
    with pytest.raises(SourceError, match="not a database URL"):
        strip_password("not a url")
