"""``journeydesk add-source`` and ``metrics --dataset SOURCE`` against a real PostgreSQL."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from postgres_server import PostgresServer

from journeydesk.cli import main
from journeydesk.store import sources
from journeydesk.store.workspace_file import WorkspaceFile

MAP = {
    "format": "journeydesk.map", "version": 1, "name": "Shop",
    "stages": [{"name": "Visit", "events": ["home", "landing"]}, {"name": "Support"},
               {"name": "Sign up", "events": ["signup"]}, {"name": "Buy", "events": ["buy"]}],
    "lanes": [{"name": "Doing", "type": "actions"}],
    "cards": [],
}
ROWS = [
    ("u1", "home", "2024-05-01 10:00:00", "ios"), ("u1", "signup", "2024-05-01 10:10:00", "ios"),
    ("u1", "buy", "2024-05-02 11:10:00", "ios"), ("u2", "landing", "2024-05-01 09:00:00", "web"),
    ("u2", "signup", "2024-05-01 09:00:00", "web"), ("u3", "home", "2024-05-03 09:00:00", "ios"),
    ("u4", "buy", "2024-05-01 10:00:00", "web"),
]


@pytest.fixture
def workspace(tmp_path: Path, postgres: PostgresServer, capsys) -> tuple[Path, str]:
    """A workspace with the map, the rows imported as 'local', and the same rows in a table."""
    table = f"cli_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(postgres.url())
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {table} (visitor text, action text, "
                             "occurred_at timestamp, device text)")
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:u, :e, :t, :d)"),
                     [{"u": u, "e": e, "t": t, "d": d} for u, e, t, d in ROWS])
    engine.dispose()
    ws = tmp_path / "ws.jdesk"
    map_file = tmp_path / "shop.json"
    map_file.write_text(json.dumps(MAP), encoding="utf-8")
    csv = tmp_path / "log.csv"
    csv.write_text("visitor,action,occurred_at,device\n"
                   + "".join(f"{u},{e},{t},{d}\n" for u, e, t, d in ROWS), encoding="utf-8")
    assert main(["import-map", str(ws), str(map_file)]) == 0
    assert main(["import-events", str(ws), str(csv), "--name", "local", "--user", "visitor",
                 "--event", "action", "--time", "occurred_at"]) == 0
    capsys.readouterr()
    return ws, table


def metrics_json(capsys, *args: str) -> dict:
    assert main(["metrics", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_add_source_then_metrics_equal_the_local_engine(workspace, postgres, capsys,
                                                        monkeypatch) -> None:
    ws, table = workspace
    monkeypatch.setenv("SHOP_DB_PASSWORD", postgres.password)
    assert main(["add-source", str(ws), "--name", "shop-db", "--url",
                 postgres.url(with_password=False), "--table", table, "--user", "visitor",
                 "--event", "action", "--time", "occurred_at",
                 "--password-env", "SHOP_DB_PASSWORD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"shop-db: {table} at {postgres.url(with_password=False)}")
    assert "7 events of 4 kinds, attributes: device" in out
    for filters in ([], ["--from", "2024-05-02"], ["--to", "2024-05-01"],
                    ["--where", "device=ios"], ["--from", "2024-05-01", "--where", "device=web"]):
        local = metrics_json(capsys, str(ws), "--map", "Shop", "--dataset", "local", *filters)
        remote = metrics_json(capsys, str(ws), "--map", "Shop", "--dataset", "shop-db",
                              *filters)
        assert remote == {**local, "dataset": "shop-db"}, filters
    full = metrics_json(capsys, str(ws), "--map", "Shop", "--dataset", "shop-db")
    assert full["users_total"] == 4
    assert [s["users"] for s in full["stages"]] == [3, None, 2, 1]
    # the password is nowhere in the file
    assert postgres.password.encode() not in ws.read_bytes()


def test_columns_are_detected_and_a_url_password_is_not_stored(workspace, postgres,
                                                               capsys) -> None:
    ws, table = workspace
    engine = sa.create_engine(postgres.url())
    renamed = f"{table}_std"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE VIEW {renamed} AS SELECT visitor AS user_id, "
                             f"action AS event, occurred_at AS timestamp, device FROM {table}")
    engine.dispose()
    assert main(["add-source", str(ws), "--name", "db", "--url", postgres.url(),
                 "--table", renamed]) == 0
    captured = capsys.readouterr()
    assert "used for this check only and not stored" in captured.err
    assert postgres.password not in captured.out + captured.err
    with WorkspaceFile.open(ws, read_only=True) as ws_file:
        (info,) = sources.list_sources(ws_file)
    assert (info.user_column, info.event_column, info.time_column) == (
        "user_id", "event", "timestamp")
    assert info.url == postgres.url(with_password=False)
    assert postgres.password.encode() not in ws.read_bytes()
    # without the password (no variable, no terminal) the metrics say what to do
    assert main(["metrics", str(ws), "--map", "Shop", "--dataset", "db"]) == 1
    err = capsys.readouterr().err
    assert "refused the user or password" in err and postgres.password not in err


def test_errors_add_nothing(workspace, postgres, capsys) -> None:
    ws, table = workspace
    before = ws.read_bytes()
    url = postgres.url()
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # names nothing can be guessed from
        conn.exec_driver_sql(f"CREATE VIEW {table}_odd AS SELECT visitor AS a, action AS b, "
                             f"occurred_at AS c FROM {table}")
    engine.dispose()
    for args, message in [
        (["--table", "nope"], "no table or view named 'nope'"),
        (["--table", table, "--user", "who"], "has no user column 'who'"),
        (["--table", f"{table}_odd"], "cannot tell which column holds the user and the "
                                      "event and the time (columns: a, b, c)"),
        (["--table", table, "--name", "local"], "already has a dataset named 'local'"),
    ]:
        argv = ["add-source", str(ws), "--name", "db", "--url", url, *args]
        if "--name" in args:
            argv = ["add-source", str(ws), "--url", url, *args]
        assert main(argv) == 1, args
        assert message in capsys.readouterr().err, args
    assert ws.read_bytes() == before
    assert main(["add-source", str(ws), "--name", "db", "--url", "nonsense",
                 "--table", table]) == 2
    assert "not a database URL" in capsys.readouterr().err
