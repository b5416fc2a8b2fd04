"""The throw-away PostgreSQL server the warehouse tests run against (tests/postgres_server.py)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from postgres_server import PostgresServer, start_postgres, stop_postgres


def connect(server: PostgresServer, password: str) -> psycopg.Connection:
    return psycopg.connect(host=server.host, port=server.port, user=server.user,
                           password=password, dbname=server.database, connect_timeout=5)


def test_the_server_answers_through_sqlalchemy(postgres: PostgresServer) -> None:
    engine = sa.create_engine(postgres.url())
    try:
        with engine.connect() as connection:
            version, user, database = connection.execute(
                sa.text("select version(), current_user, current_database()")).one()
            connection.execute(sa.text("create temporary table t (x int)"))
            connection.execute(sa.text("insert into t values (1), (2)"))
            total = connection.execute(sa.text("select sum(x) from t")).scalar_one()
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL ")
    assert (user, database) == (postgres.user, postgres.database)
    assert total == 3
    assert postgres.host == "127.0.0.1"


def test_the_login_role_owns_its_database_and_is_no_superuser(postgres: PostgresServer) -> None:
    with connect(postgres, postgres.password) as connection:
        owner, superuser = connection.execute(
            "select pg_get_userbyid(datdba), (select rolsuper from pg_roles"
            " where rolname = current_user) from pg_database"
            " where datname = current_database()").fetchone()
    assert owner == postgres.user
    assert superuser is False


def test_a_wrong_password_is_refused(postgres: PostgresServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(postgres, postgres.password + "x")
    wrong = PostgresServer(host=postgres.host, port=postgres.port, user=postgres.user,
                           password="not-the-password", database=postgres.database,
                           data_dir=postgres.data_dir)
    engine = sa.create_engine(wrong.url())
    try:
        with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
            engine.connect()
    finally:
        engine.dispose()


def test_no_password_means_no_login(postgres: PostgresServer) -> None:
    # TCP logins are checked with scram-sha-256; "trust" is only for the private Unix socket.
    with pytest.raises(psycopg.OperationalError, match="password"):
        connect(postgres, "")


def test_the_url_without_password_hides_it(postgres: PostgresServer) -> None:
    url = postgres.url(with_password=False)
    assert postgres.password not in url
    assert url == (f"postgresql+psycopg://{postgres.user}@127.0.0.1:{postgres.port}/"
                   f"{postgres.database}")
    assert postgres.password not in repr(postgres)
    parsed = sa.make_url(postgres.url())
    assert (parsed.drivername, parsed.username, parsed.password, parsed.host, parsed.port,
            parsed.database) == ("postgresql+psycopg", postgres.user, postgres.password,
                                 "127.0.0.1", postgres.port, postgres.database)


def test_the_url_quotes_its_parts() -> None:
    server = PostgresServer(host="127.0.0.1", port=5432, user="a@b", password="p:w/@%",
                            database="d b", data_dir=Path("/nowhere"))
    parsed = sa.make_url(server.url(driver="postgresql"))
    assert (parsed.drivername, parsed.username, parsed.password, parsed.database) == (
        "postgresql", "a@b", "p:w/@%", "d b")


def test_stop_stops_the_server_and_may_be_repeated(postgres: PostgresServer,
                                                   tmp_path: Path) -> None:
    # Asking for `postgres` first applies its rule when the programs are missing (fail or skip).
    server = start_postgres(tmp_path)
    assert server.port != postgres.port
    try:
        with connect(server, server.password) as connection:
            assert connection.execute("select 1").fetchone() == (1,)
    finally:
        stop_postgres(server)
    with pytest.raises(psycopg.OperationalError):
        connect(server, server.password)
    assert not (server.data_dir / "postmaster.pid").exists()
    stop_postgres(server)  # a second stop does nothing
    assert not server.data_dir.exists()  # the server's folder is deleted at stop
