"""Test-wide set-up: Qt renders offscreen, and no test touches the user's real data folder.

Also the ``postgres`` fixture: one throw-away PostgreSQL server for the whole session
(tests/postgres_server.py: initdb + pg_ctl from Debian's PostgreSQL packages, a free port on
127.0.0.1, a login role with a random password), stopped at the end; connect with
``postgres.url()``.  The server programs are required: on CI, ``make test`` installs them
through scripts/install-system-deps.sh, so when they are missing the fixture FAILS, naming what
is missing.  Developers without Debian's packages can set JOURNEYDESK_SKIP_POSTGRES=1 to skip
the tests that need the server instead.
"""

from __future__ import annotations

import os

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest  # noqa: E402
from postgres_server import (  # noqa: E402 - tests/ is on sys.path (rootdir conftest)
    PostgresServer,
    PostgresUnavailable,
    start_postgres,
    stop_postgres,
)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYDESK_DATA_DIR", str(tmp_path_factory.mktemp("data")))


SKIP_VARIABLE = "JOURNEYDESK_SKIP_POSTGRES"


def start_or_fail(base_dir: Path) -> PostgresServer:
    """start_postgres, turning PostgresUnavailable into a test failure (or a skip when asked)."""
    try:
        return start_postgres(base_dir)
    except PostgresUnavailable as error:
        problem = str(error)
    # Outside the except block, so the report is the message alone, not a chained traceback.
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1 and no PostgreSQL server: {problem}")
    pytest.fail(f"cannot start the test PostgreSQL server: {problem}\n"
                f"(set {SKIP_VARIABLE}=1 to skip these tests on a machine without it)",
                pytrace=False)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A running PostgreSQL server for the whole test session, stopped at the end."""
    server = start_or_fail(tmp_path_factory.mktemp("postgres"))
    try:
        yield server
    finally:
        stop_postgres(server)
