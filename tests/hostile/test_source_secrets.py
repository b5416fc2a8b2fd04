"""Secrets in a database source's URL: refused by name, never stored, never printed.

A source's URL keeps only the query options known to be harmless for its database
(journeydesk/domain/source_urls.py); every other option may hold a secret (``?api_key=``,
``?jwt=``, ``?options=-c app.key=...``, ``?odbc_connect=...PWD=...``) and is refused, however its
key is written (upper case, percent-encoded, repeated).  The password (in the user part or as
``?password=``) is used for the check and dropped.  A URL an earlier JourneyDesk stored with a
secret is shown masked and refused when used.  ``add-source --timeout`` refuses non-finite,
non-positive and absurd values in one line.
"""

from __future__ import annotations

import json
import math
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import make_url

from journeydesk.app.session import WorkspaceSession
from journeydesk.cli.main import main
from journeydesk.domain import source_urls
from journeydesk.store import sources
from journeydesk.store.workspace_file import WorkspaceFile

#: A URL of every database the docs and the SQL forms name, without a query.
DIALECTS = {
    "postgresql": "postgresql+psycopg://ana@db.example.com:5432/cx",
    "postgresql-plain": "postgresql://ana@db/cx",
    "mysql": "mysql+pymysql://ana@db:3306/cx",
    "mariadb": "mariadb+mariadbconnector://ana@db/cx",
    "sqlite": "sqlite:///events.db",
    "duckdb": "duckdb:///events.duckdb",
    "mssql": "mssql+pyodbc://ana@db:1433/cx",
    "trino": "trino://ana@host:8080/catalog/schema",
    "clickhouse": "clickhouse+native://ana@host:9000/db",
    "snowflake": "snowflake://ana@account/db/schema",
    "bigquery": "bigquery://project/dataset",
    "databricks": "databricks://token@host",
}
#: Query keys that hold (or can hold) a secret in some driver; none is on any allow-list.
SECRET_KEYS = [
    "api_key", "apikey", "jwt", "private_key", "private_key_passphrase", "private_key_file_pwd",
    "token", "access_token", "refresh_token", "id_token", "secret", "client_secret",
    "sslpassword", "options", "odbc_connect", "credentials_base64", "credentials_info",
    "motherduck_token", "extra_credential", "http_headers", "session_properties",
    "init_command", "passcode", "auth", "key", "aws_secret_access_key", "s3_secret_access_key",
    "authorization", "sas_token", "conn_properties",
]
#: Harmless options per dialect, with a sample value (each is kept and shown).
HARMLESS = {
    "postgresql": [("sslmode", "verify-full"), ("connect_timeout", "5"),
                   ("application_name", "cx desk"), ("target_session_attrs", "read-only"),
                   ("sslrootcert", "/etc/ssl/certs/db.pem"), ("host", "/var/run/postgresql"),
                   ("port", "5433"), ("channel_binding", "require")],
    "mysql": [("charset", "utf8mb4"), ("ssl_ca", "/etc/ssl/ca.pem"), ("connect_timeout", "5")],
    "mariadb": [("charset", "utf8mb4"), ("ssl_verify_cert", "true")],
    "sqlite": [("mode", "ro"), ("uri", "true"), ("timeout", "5")],
    "duckdb": [("read_only", "true"), ("threads", "2"), ("memory_limit", "2GB")],
    "mssql": [("driver", "ODBC Driver 18 for SQL Server"), ("TrustServerCertificate", "yes"),
              ("Encrypt", "yes"), ("ApplicationIntent", "ReadOnly")],
    "trino": [("http_scheme", "https"), ("source", "journeydesk"), ("roles", "analyst")],
    "clickhouse": [("secure", "True"), ("compression", "lz4"), ("connect_timeout", "5")],
    "snowflake": [("warehouse", "WH"), ("role", "ANALYST"), ("schema", "EVENTS"),
                  ("database", "CX"), ("authenticator", "externalbrowser")],
    "bigquery": [("location", "EU"), ("credentials_path", "/home/ana/key.json"),
                 ("arraysize", "1000")],
    "databricks": [("http_path", "/sql/1.0/warehouses/abc"), ("catalog", "main"),
                   ("schema", "cx")],
}
HARMLESS["postgresql-plain"] = HARMLESS["postgresql"]


@pytest.fixture(autouse=True)
def own_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary folder of this test's own: the check for leaked temporary files must not
    see those of other test runs on the machine."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))


def secret() -> str:
    """A value that cannot appear anywhere by chance."""
    return "S3CRET-" + uuid.uuid4().hex


def add_source(ws: Path, url: str, *extra: str, name: str = "db") -> list[str]:
    return ["add-source", str(ws), "--name", name, "--url", url, "--table", "events",
            "--no-check", *extra]


def with_query(base: str, query: str) -> str:
    return f"{base}?{query}"


@pytest.fixture(scope="module")
def module_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding a map and one harmless source (so its bytes are worth checking)."""
    folder = tmp_path_factory.mktemp("secrets")
    ws = folder / "team.jdesk"
    map_file = folder / "shop.json"
    map_file.write_text(json.dumps({
        "format": "journeydesk.map", "version": 1, "name": "Shop",
        "stages": [{"name": "Visit", "events": ["home"]}, {"name": "Buy", "events": ["buy"]}],
        "lanes": [{"name": "Doing", "type": "actions"}], "cards": []}), encoding="utf-8")
    assert main(["import-map", str(ws), str(map_file)]) == 0
    assert main(add_source(ws, DIALECTS["postgresql"] + "?sslmode=require", name="first")) == 0
    return ws


def assert_refused_and_absent(refused, ws: Path, url: str, value: str,
                              names: list[str]) -> str:
    message = refused(add_source(ws, url), names=names, files=[ws]).message
    assert value not in message, message
    assert value.encode() not in ws.read_bytes()
    return message


# --------------------------------------------------------------------------- refused keys
@pytest.mark.parametrize("key", SECRET_KEYS)
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_a_secret_query_option_is_refused_by_name(refused, module_ws, dialect, key) -> None:
    value = secret()
    url = with_query(DIALECTS[dialect], f"{key}={quote(value)}")
    message = assert_refused_and_absent(refused, module_ws, url, value, [key, "secret"])
    assert f"{key}=***" in message  # the URL is shown, its secret masked


def _spellings(value: str) -> list[tuple[str, str, list[str]]]:
    """(id, query, names the message must hold) for one secret value."""
    v = quote(value)
    return [
        ("upper", f"API_KEY={v}", ["API_KEY"]),
        ("mixed", f"Api_Key={v}", ["Api_Key"]),
        ("percent-key", f"api%5Fkey={v}", ["api_key"]),
        ("percent-all", f"%61%70%69%5f%6b%65%79={v}", ["api_key"]),
        ("repeated", f"api_key=x&api_key={v}", ["api_key"]),
        ("repeated-upper", f"TOKEN={v}&token={v}", ["TOKEN", "token"]),
        ("plus-encoded", f"jwt={v}+{v}", ["jwt"]),
        ("among-harmless", f"application_name=a&jwt={v}&connect_timeout=3", ["jwt"]),
        ("options-c", f"options=-c%20app.key%3D{v}", ["options"]),
        ("options-c-raw", f"options=-c app.key={v}", ["options"]),
        ("odbc-connect", f"odbc_connect=DRIVER%3D%7BX%7D%3BPWD%3D{v}", ["odbc_connect"]),
        ("spaced-key", f"%20api_key={v}", []),
        ("empty-key", f"={v}", []),
        ("unicode-key", f"\u0430pi_key={v}", []),  # a Cyrillic a
        ("smuggled", f"sslmode=require;PWD={v}", ["sslmode", ";"]),
        ("smuggled-encoded", f"sslmode=require%3BPWD%3D{v}", ["sslmode"]),
        ("newline", f"application_name=a%0APWD%3D{v}", ["application_name"]),
        ("private-key-pem", f"private_key=-----BEGIN%20PRIVATE%20KEY-----{v}", ["private_key"]),
        ("password-and-key", f"password={v}x&api_key={v}", ["api_key"]),
    ]


SPELLING_IDS = [case[0] for case in _spellings("x")]


@pytest.mark.parametrize("case", SPELLING_IDS)
@pytest.mark.parametrize("dialect", ["postgresql", "mssql", "snowflake", "sqlite"])
def test_any_spelling_of_a_secret_key_is_refused(refused, module_ws, dialect, case) -> None:
    value = secret()
    _, query, names = next(c for c in _spellings(value) if c[0] == case)
    url = with_query(DIALECTS[dialect], query)
    if case in ("smuggled", "smuggled-encoded", "newline") and dialect != "postgresql":
        names = []  # the harmless key of postgresql is not harmless elsewhere: refused anyway
    assert_refused_and_absent(refused, module_ws, url, value, names)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_a_key_that_is_itself_a_secret_is_not_repeated(refused, module_ws, dialect) -> None:
    pasted = "sk_live_" + uuid.uuid4().hex + uuid.uuid4().hex
    url = with_query(DIALECTS[dialect], f"{pasted}=1")
    message = assert_refused_and_absent(refused, module_ws, url, pasted, ["unusual name"])
    assert "***=***" in message


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_a_secret_with_a_password_in_the_url_shows_neither(refused, module_ws,
                                                           dialect) -> None:
    password, value = secret(), secret()
    base = DIALECTS[dialect]
    scheme, rest = base.split("://", 1)
    user, at, host = rest.rpartition("@")
    url = (f"{scheme}://{user or 'ana'}:{quote(password, safe='')}@{host}"
           f"?jwt={quote(value)}")
    message = assert_refused_and_absent(refused, module_ws, url, value, ["jwt"])
    assert password not in message and password.encode() not in module_ws.read_bytes()


@pytest.mark.parametrize("url", ["not a url?api_key=SECRETVALUE",
                                 "postgresql://ana@db:SECRETVALUE/cx",
                                 "SECRETVALUE"])
def test_a_url_that_does_not_parse_is_not_repeated(capsys, module_ws, url) -> None:
    before = module_ws.read_bytes()
    assert main(add_source(module_ws, url)) == 2  # a usage error, as before
    err = capsys.readouterr().err
    assert "not a database URL" in err and "SECRETVALUE" not in err and "Traceback" not in err
    assert module_ws.read_bytes() == before


# --------------------------------------------------------------------------- accepted URLs
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_harmless_options_are_kept_and_shown(tmp_path, capsys, dialect) -> None:
    ws = tmp_path / "ws.jdesk"
    options = HARMLESS[dialect]
    url = with_query(DIALECTS[dialect], "&".join(f"{k}={quote(v)}" for k, v in options))
    assert main(add_source(ws, url)) == 0
    out = capsys.readouterr().out
    with WorkspaceFile.open(ws, read_only=True) as ws_file:
        info = sources.find_source(ws_file, "db")
    assert info is not None
    assert dict(make_url(info.url).query) == dict(options)  # kept as given
    for key, _ in options:
        assert f"{key}=***" not in info.display_url()
    assert info.display_url() in out and "***" not in out


@pytest.mark.parametrize("where", ["user-part", "query", "query-upper", "query-pwd",
                                   "query-passwd", "odd-characters"])
@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mssql", "snowflake",
                                     "trino", "databricks"])
def test_a_password_in_the_url_is_dropped_not_stored(tmp_path, capsys, dialect,
                                                     where) -> None:
    ws = tmp_path / "ws.jdesk"
    password = secret() + ("@:/?#&=%" if where == "odd-characters" else "")
    base = DIALECTS[dialect]
    encoded = quote(password, safe="")
    if where in ("user-part", "odd-characters"):
        scheme, rest = base.split("://", 1)
        user, _, host = rest.rpartition("@")
        url = f"{scheme}://{user}:{encoded}@{host}"
    else:
        key = {"query": "password", "query-upper": "PASSWORD", "query-pwd": "PWD",
               "query-passwd": "passwd"}[where]
        url = with_query(base, f"{key}={encoded}")
    assert main(add_source(ws, url)) == 0
    captured = capsys.readouterr()
    assert "not stored" in captured.err
    assert password not in captured.out + captured.err
    assert password.encode() not in ws.read_bytes()
    assert encoded.encode() not in ws.read_bytes()


# --------------------------------------------------------------------------- stored earlier
def _store_as_an_earlier_version_did(ws: Path, name: str, url: str) -> None:
    info = sources.SourceInfo(uuid.uuid4().hex, name, url, "events", "user_id", "event",
                              "timestamp", timeout_seconds=math.inf)
    with WorkspaceFile.open(ws) as ws_file, ws_file.transaction() as conn:
        conn.execute(sources.sources_t.insert(), sources._row(info))  # noqa: SLF001


@pytest.fixture
def legacy_ws(module_ws, tmp_path) -> tuple[Path, str]:
    """A copy of the workspace with a source an earlier JourneyDesk stored with a secret."""
    ws = tmp_path / "old.jdesk"
    ws.write_bytes(module_ws.read_bytes())
    value = secret()
    _store_as_an_earlier_version_did(
        ws, "old", f"postgresql+psycopg://ana:{value}@db/cx?sslmode=require&api_key={value}")
    return ws, value


def test_a_stored_secret_is_masked_wherever_the_url_is_shown(legacy_ws) -> None:
    ws, value = legacy_ws
    with WorkspaceSession.open(ws, read_only=True) as session:
        choice = next(c for c in session.data.choices() if c.name == "old")
        info = session.data.source_info("old")
    assert info is not None
    assert value not in choice.description and value not in info.display_url()
    assert info.display_url() == ("postgresql+psycopg://ana:***@db/cx?api_key=***&"
                                  "sslmode=require")
    assert info.timeout_seconds == sources.MAX_TIMEOUT  # an infinite timeout stored earlier


@pytest.mark.parametrize("command", [
    ["metrics", "{ws}", "--map", "Shop", "--dataset", "old"],
    ["dropped", "{ws}", "--map", "Shop", "--dataset", "old", "--stage", "Buy"],
])
def test_a_stored_secret_is_refused_when_used(refused, legacy_ws, command) -> None:
    ws, value = legacy_ws
    argv = [str(ws) if part == "{ws}" else part for part in command]
    message = refused(argv, names=["old", "api_key", "add it again", "--replace"],
                      files=[ws]).message
    assert value not in message


@pytest.mark.parametrize("url", ["postgresql+psycopg://ana:{v}@db/cx",
                                 "postgresql+psycopg://ana@db/cx?password={v}",
                                 "postgresql+psycopg://ana@db/cx?sslmode=require&PWD={v}"])
def test_a_stored_password_is_masked_and_refused_when_used(refused, module_ws, tmp_path,
                                                           url) -> None:
    ws = tmp_path / "old.jdesk"
    ws.write_bytes(module_ws.read_bytes())
    value = secret()
    _store_as_an_earlier_version_did(ws, "old", url.format(v=value))
    with WorkspaceSession.open(ws, read_only=True) as session:
        info = session.data.source_info("old")
    assert info is not None and value not in info.display_url()
    message = refused(["metrics", ws, "--map", "Shop", "--dataset", "old"],
                      names=["old", "without its password", "add the source again"],
                      files=[ws]).message
    assert value not in message


def test_replacing_or_deleting_a_stored_secret_removes_it_from_the_file(legacy_ws,
                                                                         capsys) -> None:
    ws, value = legacy_ws
    copy = ws.with_name("copy.jdesk")
    copy.write_bytes(ws.read_bytes())
    assert value.encode() in ws.read_bytes()
    assert main(add_source(ws, "postgresql+psycopg://ana@db/cx", "--replace", name="old")) == 0
    assert value.encode() not in ws.read_bytes()
    with WorkspaceFile.open(copy) as ws_file:
        sources.delete_source(ws_file, "old")
    assert value.encode() not in copy.read_bytes()


def test_a_stored_secret_is_refused_by_the_app(legacy_ws) -> None:
    from journeydesk.app.event_data import DatabaseSource
    from journeydesk.app.sources import UnsafeURLError

    ws, value = legacy_ws
    with WorkspaceSession.open(ws, read_only=True) as session:
        item = session.data.get("old")
        assert isinstance(item, DatabaseSource)
        with pytest.raises(UnsafeURLError, match="add it again") as info:
            item.connect()
        item.close()
    assert value not in str(info.value)


def test_the_store_refuses_a_secret_given_past_the_front_ends(module_ws) -> None:
    value = secret()
    before = module_ws.read_bytes()
    with WorkspaceFile.open(module_ws) as ws_file:
        for url in (f"postgresql://ana@db/cx?api_key={value}",
                    f"postgresql://ana:{value}@db/cx", f"postgresql://ana@db/cx?PWD={value}"):
            with pytest.raises(sources.DatasetError) as info:
                sources.add_source(ws_file, "x", url=url, table="t", user_column="u",
                                   event_column="e", time_column="t")
            assert value not in str(info.value)
    assert module_ws.read_bytes() == before


def test_every_dialect_has_an_allow_list_the_docs_list() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "warehouses.md").read_text(encoding="utf-8")
    section = docs.split("## Secrets", 1)[1].split("\n## ", 1)[0]
    for backend, keys in source_urls.HARMLESS.items():
        assert f"`{backend}`" in section, backend
        for key in keys:
            assert f"`{key}`" in section, (backend, key)


# --------------------------------------------------------------------------- --timeout
@pytest.mark.parametrize("timeout", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "0",
                                     "-0", "-5", "0.01", "86401", "1e9", "abc", "", "0x10",
                                     "5s", "1\n2", "nan\n"])
def test_an_unusable_timeout_is_refused_in_one_line(refused, module_ws, timeout) -> None:
    refused(add_source(module_ws, DIALECTS["postgresql"], f"--timeout={timeout}", name="t"),
            names=["--timeout"], files=[module_ws])


@pytest.mark.parametrize("timeout", ["0.1", "1", "120", "86400", " 30 "])
def test_a_usable_timeout_is_stored(tmp_path, timeout) -> None:
    ws = tmp_path / "ws.jdesk"
    assert main(add_source(ws, DIALECTS["postgresql"], "--timeout", timeout)) == 0
    with WorkspaceFile.open(ws, read_only=True) as ws_file:
        info = sources.find_source(ws_file, "db")
    assert info is not None and info.timeout_seconds == float(timeout)


# --------------------------------------------------------------------------- the app's dialog
@pytest.mark.parametrize("query", ["api_key={v}", "API%5FKEY={v}", "options=-c%20k%3D{v}",
                                   "sslmode=require%3BPWD%3D{v}"])
def test_the_dialog_refuses_a_secret_with_the_same_message(qtbot, capsys, module_ws,
                                                           query) -> None:
    from PySide6.QtCore import Qt

    from journeydesk.gui.add_source import AddSourceDialog

    value = secret()
    url = with_query(DIALECTS["postgresql"], query.format(v=value))
    dialog = AddSourceDialog(set())
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.url, url)
    qtbot.keyClicks(dialog.table, "events")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    shown = dialog.status.text()
    assert shown.startswith("⚠") and value not in shown
    assert main(add_source(module_ws, url)) == 1
    printed = capsys.readouterr().err.strip()
    assert printed == f"journeydesk: error: {shown.removeprefix('⚠ ')}"
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.reject()
