"""PostgreSQL and the local engine agree on what people did instead, on flows and on who
made one of the flows' moves (docs/data.md, "What people did instead, and flows"): docs'
worked examples, every combination of options on one log, and a few logs made up by
hypothesis against the reference and the local engine (few: the server is shared and slow)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from itertools import product
from pathlib import Path

import funnel_reference as ref
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from postgres_server import PostgresServer

from journeydesk.analytics import engine as duck
from journeydesk.analytics.funnel import MetricsError
from journeydesk.analytics.paths import NextEvent, NextPath, flows, move_users, next_events
from journeydesk.analytics.warehouse import SourceError, TableSource, Warehouse

SCHEMA = "paths_options"
Row = tuple[str, str, datetime, dict]
DAY = 86_400


def write_parquet(rows: Sequence[Row], path: Path) -> Path:
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
    folder = tmp_path_factory.mktemp("paths")
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
        return write_parquet(rows, folder / f"{name}.parquet"), warehouse

    yield make
    for warehouse in opened:
        warehouse.close()
    engine.dispose()


def _row(user: str, event: str, time: str, platform: str | None = None) -> Row:
    return (user, event, datetime.fromisoformat(time), {"platform": platform})


# docs/data.md: "What they did instead" and "Worked example: period, window, segment..."
SHOP = [("Visit", ["home"]), ("Cart", ["cart"]), ("Buy", ["buy"])]
DROPS = [_row(*r) for r in [
    ("p1", "home", "2024-05-01 10:00"), ("p1", "cart", "2024-05-01 10:05"),
    ("p1", "cart", "2024-05-01 10:06"), ("p1", "search", "2024-05-01 10:07"),
    ("p1", "cart", "2024-05-01 10:08"),
    ("p2", "home", "2024-05-01 10:00"), ("p2", "cart", "2024-05-01 10:05"),
    ("p2", "help", "2024-05-01 10:05"), ("p2", "search", "2024-05-01 10:10"),
    ("p2", "search", "2024-05-01 10:20"), ("p2", "faq", "2024-05-01 10:20"),
    ("p3", "home", "2024-05-01 10:00"), ("p3", "cart", "2024-05-01 10:05"),
    ("p3", "search", "2024-05-01 10:06"),
    ("p4", "home", "2024-05-01 10:00"), ("p4", "cart", "2024-05-01 10:05"),
    ("p5", "home", "2024-05-01 10:00"), ("p5", "cart", "2024-05-01 10:05"),
    ("p5", "buy", "2024-05-01 10:09"),
    # code point order, not a locale's: 'Zed' < 'apple' < 'éclair'
    ("p6", "home", "2024-05-02 10:00", "web"), ("p6", "cart", "2024-05-02 10:05", "web"),
    ("p6", "éclair", "2024-05-02 10:06"), ("p6", "apple", "2024-05-02 10:06"),
    ("p6", "Zed", "2024-05-02 10:06"),
    ("p7", "home", "2024-05-02 10:00", "ios"), ("p7", "cart", "2024-05-03 09:05"),
    ("p7", "buy", "2024-05-04 10:05"), ("p7", "home", "2024-05-04 10:05"),
]]


def test_the_worked_example_in_postgresql(both) -> None:
    local, remote = both(DROPS)
    found = next_events(remote, SHOP, 2, date_to=date(2024, 5, 1))
    assert found.users == 4
    assert found.next_events == [NextEvent("search", 2, 0.5), NextEvent("cart", 1, 0.25),
                                 NextEvent(None, 1, 0.25)]
    assert [p.path for p in found.paths] == [("cart", "search", "cart"),
                                             ("search", "faq", "search"), ("search", None),
                                             (None,)]
    tie = next_events(remote, SHOP, 2, date_from=date(2024, 5, 2), window_seconds=DAY)
    assert tie.paths == [NextPath(("Zed", "apple", "éclair"), 1, 0.5),
                         NextPath(("buy", "home", None), 1, 0.5)]
    assert tie == next_events(local, SHOP, 2, date_from=date(2024, 5, 2), window_seconds=DAY)


def test_every_combination_of_options_gives_the_same_numbers(both) -> None:
    local, remote = both(DROPS)
    stages_sets = [SHOP, [("Any", ["*"]), ("Empty", []), ("Cart", ["cart", "c?rt"]),
                          ("Again", ["cart"]), ("Buy", ["b?y", "home"])]]
    dates = [(None, None), (date(2024, 5, 2), date(2024, 5, 3)), (None, date(2024, 5, 1))]
    segments = [None, {"platform": "web"}]
    for stages, (d_from, d_to), where in product(stages_sets, dates, segments):
        plain = {"date_from": d_from, "date_to": d_to, "where": where}
        assert flows(remote, stages, **plain) == flows(local, stages, **plain), (stages, plain)
        for window, (steps, hide) in product([None, DAY], [(3, []), (1, ["cart", "search"])]):
            opts = {**plain, "window_seconds": window}
            for index in [i for i, (_, names) in enumerate(stages) if names]:
                assert next_events(remote, stages, index, steps=steps, hide=hide, **opts) == \
                    next_events(local, stages, index, steps=steps, hide=hide, **opts), \
                    (stages, opts, index)


def test_names_and_hidden_events_are_bound_parameters(both) -> None:
    _, remote = both(DROPS[:5])
    statements: list[str] = []
    sa.event.listen(remote.engine(), "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    next_events(remote, [("V", ["hom*"]), ("C", ["cart"])], 1, hide=["secret_name"])
    flows(remote, [("V", ["hom*"]), ("C", ["cart"])], where={"platform": "web"})
    move_users(remote, [("V", ["hom*"]), ("C", ["cart"])], 0, 1, where={"platform": "web"})
    sql = "\n".join(statements)
    for value in ("hom", "cart", "secret_name", "web"):
        assert value not in sql, value


SLOW = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@SLOW
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options())
def test_made_up_logs_give_the_reference_numbers(both, rows, binding, opts) -> None:
    _, remote = both(rows)
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    plain = {k: v for k, v in opts.items() if k != "window_seconds"}
    assert flows(remote, stages, **plain) == ref.flows(rows, stages, **plain)
    for index in [i for i, (_, names) in enumerate(stages) if names]:
        assert next_events(remote, stages, index, steps=2, hide=["c"], **opts) == \
            ref.next_events(rows, stages, index, steps=2, hide=["c"], **opts)


# --------------------------------------------------------------------------- who moved
def _moves(stages: Sequence[tuple[str, list[str]]]) -> list[tuple[int, int]]:
    """Every ordered pair of bound stages (a stage to itself too: nobody, repeats collapse)."""
    bound = [i for i, (_, names) in enumerate(stages) if names]
    return list(product(bound, bound))


# docs/data.md, "Flows": the worked example (Visit, Sign up, Support unbound, Buy)
FIRST_STAGES = [("Visit", ["home", "landing"]), ("Sign up", ["signup"]), ("Support", []),
                ("Buy", ["buy"])]
IOS = {"u1", "u3", "u5", "u7"}
FIRST_LOG = [_row(u, e, t, "ios" if u in IOS else "web") for u, e, t in [
    ("u1", "home", "2024-05-01 10:00"), ("u1", "home", "2024-05-01 10:30"),
    ("u1", "signup", "2024-05-01 10:10"), ("u1", "buy", "2024-05-01 11:10"),
    ("u2", "landing", "2024-05-01 09:00"), ("u2", "signup", "2024-05-01 09:00"),
    ("u2", "buy", "2024-05-01 08:00"), ("u2", "buy", "2024-05-01 12:00"),
    ("u3", "signup", "2024-05-01 08:00"), ("u3", "home", "2024-05-01 09:00"),
    ("u3", "signup", "2024-05-01 09:30"),
    ("u4", "signup", "2024-05-01 10:00"), ("u4", "buy", "2024-05-01 10:00"),
    ("u5", "home", "2024-05-01 10:00"), ("u5", "buy", "2024-05-01 10:05"),
    ("u6", "landing", "2024-05-01 10:00"),
    ("u7", "support", "2024-05-01 10:00"),
]]


def test_who_moved_in_the_worked_examples(both) -> None:
    local, remote = both(FIRST_LOG)
    expected = {(0, 1): ["u1", "u2", "u3"], (1, 3): ["u2", "u4"],  # forward
                (0, 3): ["u1", "u5"],  # skip
                (1, 0): ["u1", "u3"], (3, 0): ["u2"],  # back
                (3, 1): [], (0, 0): []}
    for (a, b), users in expected.items():
        assert move_users(remote, FIRST_STAGES, a, b) == users, (a, b)
        assert move_users(local, FIRST_STAGES, a, b) == users, (a, b)
    ios = {"where": {"platform": "ios"}}
    assert move_users(remote, FIRST_STAGES, 0, 1, **ios) == ["u1", "u3"]
    assert move_users(remote, FIRST_STAGES, 0, 3, **ios) == ["u1", "u5"]
    assert move_users(remote, FIRST_STAGES, 3, 0, **ios) == []
    with pytest.raises(MetricsError, match="bound to no events"):
        move_users(remote, FIRST_STAGES, 2, 0)
    # a period: p7's sequence starts at their first bound event on 3 May (Cart), then Visit
    # and Buy at one instant (stage order): Cart -> Visit -> Buy, not Visit -> Cart
    local, remote = both(DROPS)
    may3 = {"date_from": date(2024, 5, 3)}
    assert move_users(remote, SHOP, 1, 0, **may3) == ["p7"]
    assert move_users(remote, SHOP, 0, 2, **may3) == ["p7"]
    assert move_users(remote, SHOP, 0, 1, **may3) == []
    assert move_users(remote, SHOP, 0, 1) == ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    assert move_users(remote, SHOP, 1, 2, date_to=date(2024, 5, 1)) == ["p5"]
    assert move_users(remote, SHOP, 0, 1, where={"platform": "web"}) == ["p6"]


def test_who_moved_in_every_combination_of_options(both) -> None:
    local, remote = both(DROPS)
    stages_sets = [SHOP, [("Any", ["*"]), ("Empty", []), ("Cart", ["cart", "c?rt"]),
                          ("Again", ["cart"]), ("Buy", ["b?y", "home"])]]
    dates = [(None, None), (date(2024, 5, 2), date(2024, 5, 3)), (None, date(2024, 5, 1))]
    segments = [None, {"platform": "web"}]
    for stages, (d_from, d_to), where in product(stages_sets, dates, segments):
        opts = {"date_from": d_from, "date_to": d_to, "where": where}
        counted = {(t.source, t.target): t.users for t in flows(remote, stages, **opts)
                   .transitions}
        for a, b in _moves(stages):
            users = move_users(remote, stages, a, b, **opts)
            assert users == move_users(local, stages, a, b, **opts), (stages, opts, a, b)
            assert len(users) == counted.get((stages[a][0], stages[b][0]), 0)


@SLOW
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options())
def test_made_up_logs_give_the_same_movers_as_the_local_engine(both, rows, binding,
                                                               opts) -> None:
    local, remote = both(rows)
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    plain = {k: v for k, v in opts.items() if k != "window_seconds"}
    for options in ({}, plain):  # without and with the drawn period and segment
        counted = {(t.source, t.target): t.users
                   for t in ref.flows(rows, stages, **options).transitions}
        for a, b in _moves(stages):
            users = move_users(remote, stages, a, b, **options)
            assert users == move_users(local, stages, a, b, **options), (options, a, b)
            assert len(users) == counted.get((stages[a][0], stages[b][0]), 0)


def test_the_statement_compiles_for_other_dialects() -> None:
    """The same Core statement for SQLAlchemy's own dialects: none lacks a construct."""
    from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, sqlite

    from journeydesk.analytics.funnel import _options
    from journeydesk.analytics.warehouse_paths import move_users_statement
    from journeydesk.analytics.warehouse_sql import Columns, Plan

    table = sa.table("events", sa.column("user_id", sa.String), sa.column("event", sa.String),
                     sa.column("ts", sa.DateTime), sa.column("platform", sa.String))
    cols = Columns(table, table.c.user_id, table.c.event, table.c.ts,
                   {"platform": table.c.platform})
    plan = Plan(cols, _options(date(2024, 5, 1), None, {"platform": "web"}, None),
                ["platform"])
    statement = move_users_statement(plan, [["home"], ["c*"]], 1, 0)
    for dialect in (postgresql, sqlite, mysql, mssql, oracle):
        text = str(statement.compile(dialect=dialect.dialect()))
        assert "lag(" in text.lower() and "DISTINCT" in text, dialect


def test_a_database_that_cannot_run_it_says_so_in_one_line(both) -> None:
    """A database without a construct (here: lag, renamed on its way to the server) fails
    with its own message and the source's URL, as the app's flows layer shows it."""
    from journeydesk.app.paths import flow_users

    _, remote = both(DROPS[:5])

    def without_lag(*args: object) -> tuple[object, object]:
        _, _, statement, parameters, *_ = args
        return str(statement).replace("lag(", "no_such_lag("), parameters

    sa.event.listen(remote.engine(), "before_cursor_execute", without_lag, retval=True)
    with pytest.raises(SourceError, match="no_such_lag") as failed:
        flow_users(remote, SHOP, 0, 1)
    message = str(failed.value)
    assert "\n" not in message and remote.source.display_url() in message
    assert remote.password not in message
