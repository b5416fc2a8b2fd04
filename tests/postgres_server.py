"""A throw-away PostgreSQL server for the warehouse tests and benchmark.

    server = start_postgres(base_dir)     # initdb + pg_ctl start, a few seconds
    engine = sqlalchemy.create_engine(server.url())
    ...
    stop_postgres(server)                 # pg_ctl stop; safe to call twice

The server comes from Debian's PostgreSQL packages (``scripts/install-system-deps.sh``
installs them): ``initdb`` and ``pg_ctl`` are taken from the highest version under
``/usr/lib/postgresql/*/bin``, or from PATH elsewhere. It never touches the packages' default
cluster: each start makes a new data directory, listens on 127.0.0.1 on a free port (and on a
private Unix socket directory), and is tuned for speed, not durability (fsync off).

Clients log in over TCP as a normal login role (owner of its database, may create databases)
with a random password checked with scram-sha-256, the way an analyst's real warehouse would.

PostgreSQL refuses to run as root. When the tests run as root (CI containers), initdb and
pg_ctl run as the ``postgres`` OS user, which the Debian package creates, through
``runuser -u postgres --`` (or ``su postgres`` when runuser is missing); the server's directory
is then made under /tmp (pytest's own temporary folders are private to root) and given to
that user.

``stop_postgres`` also deletes the server's directory. An ``atexit`` hook stops any server that
is still running when the Python process ends, as a safety net.

Importable as a top-level module: the tests (tests/ is on sys.path, like ``samples``) and the
bench/ scripts (which put tests/ on sys.path) both use ``import postgres_server``.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

__all__ = ["PostgresServer", "PostgresUnavailable", "start_postgres", "stop_postgres"]

HOST = "127.0.0.1"
LOGIN_USER = "journeydesk"
DATABASE = "journeydesk_test"
SUPERUSER = "postgres"  # reached only over the private Unix socket (trust), never over TCP
OS_USER = "postgres"  # the OS account the server runs as when we are root
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
INSTALL_HINT = ("install Debian's 'postgresql' package (scripts/install-system-deps.sh does it; "
                "'make test' runs that script)")

# A Unix socket path must fit in sockaddr_un.sun_path (108 bytes on Linux, with the NUL):
# <parent>/journeydesk-pg-XXXXXXXX/sock/.s.PGSQL.65535 is the parent plus 44 characters.
_MAX_PARENT_LEN = 107 - 44


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started: the message says what is missing or what failed."""


@dataclass(frozen=True)
class PostgresServer:
    """A running test server; build one with start_postgres and end it with stop_postgres."""

    host: str  # "127.0.0.1"
    port: int  # a free TCP port chosen at start
    user: str  # a login role with a password (scram-sha-256 over TCP)
    password: str = field(repr=False)  # random per start; kept out of repr and test logs
    database: str  # a database owned by that user
    data_dir: Path

    def url(self, *, with_password: bool = True, driver: str = "postgresql+psycopg") -> str:
        """The SQLAlchemy URL of the database, e.g. postgresql+psycopg://u:pw@127.0.0.1:5432/db.

        with_password=False leaves the password out (for messages, logs and settings that must
        not hold a secret).
        """
        credentials = quote(self.user, safe="")
        if with_password:
            credentials += ":" + quote(self.password, safe="")
        return f"{driver}://{credentials}@{self.host}:{self.port}/{quote(self.database, safe='')}"


@dataclass(frozen=True)
class _Runtime:
    """What stop_postgres needs to know about a server that start_postgres started."""

    bin_dir: Path
    run_as: str | None  # the OS user to run pg_ctl as, None for ourselves
    server_dir: Path  # deleted at stop; holds data/, sock/ and postgres.log


_running: dict[Path, _Runtime] = {}
_atexit_registered = False


def start_postgres(base_dir: Path) -> PostgresServer:
    """Create and start a new server in a new folder under base_dir (under /tmp when root).

    Returns once the server accepts connections and the login role and its database exist.
    Raises PostgresUnavailable, naming what is missing (binaries, the postgres OS user, runuser)
    or, when initdb or the start failed, with the end of their output or of the server's log.
    """
    bin_dir = _find_bin_dir()
    run_as = _os_user_for_server()
    server_dir = _make_server_dir(Path(base_dir), run_as)
    data_dir = server_dir / "data"
    socket_dir = server_dir / "sock"
    log_file = server_dir / "postgres.log"
    try:
        _make_private_dir(socket_dir, run_as)
        _initdb(bin_dir, run_as, server_dir, data_dir)
        runtime = _Runtime(bin_dir=bin_dir, run_as=run_as, server_dir=server_dir)
        port = _start(runtime, data_dir, socket_dir, log_file)
        _running[data_dir] = runtime
        _register_atexit()
        password = secrets.token_urlsafe(24)
        _create_login_role(socket_dir, port, password)
    except BaseException:
        _stop_data_dir(bin_dir, run_as, data_dir)
        _running.pop(data_dir, None)
        shutil.rmtree(server_dir, ignore_errors=True)
        raise
    return PostgresServer(host=HOST, port=port, user=LOGIN_USER, password=password,
                          database=DATABASE, data_dir=data_dir)


def stop_postgres(server: PostgresServer) -> None:
    """Stop the server (pg_ctl stop -m fast, then -m immediate) and delete its folder.

    Idempotent: stopping a server that is already stopped (or whose folder is gone) does nothing.
    """
    runtime = _running.pop(server.data_dir, None)
    if runtime is None:
        if not (server.data_dir / "postmaster.pid").exists():
            return
        # A server this process did not start (or lost track of): stop it, keep its files.
        run_as = None
        if os.geteuid() == 0:
            run_as = pwd.getpwuid(server.data_dir.stat().st_uid).pw_name
        _stop_data_dir(_find_bin_dir(), run_as, server.data_dir)
        return
    _stop_data_dir(runtime.bin_dir, runtime.run_as, server.data_dir)
    shutil.rmtree(runtime.server_dir, ignore_errors=True)


# -- finding what we need ----------------------------------------------------------------------


def _find_bin_dir() -> Path:
    """The folder with initdb and pg_ctl: Debian's newest version, else the one on PATH."""

    def version(bin_dir: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))

    candidates = sorted((Path(p) for p in glob.glob(DEBIAN_BIN_GLOB)), key=version, reverse=True)
    for bin_dir in candidates:
        if all(os.access(bin_dir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bin_dir
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    raise PostgresUnavailable(
        f"PostgreSQL server programs (initdb, pg_ctl) not found under {DEBIAN_BIN_GLOB} "
        f"or on PATH: {INSTALL_HINT}.")


def _os_user_for_server() -> str | None:
    """None to run the server as ourselves; the OS user to switch to when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, and PostgreSQL refuses to run as root, but there is no "
            f"'{OS_USER}' OS user to run it as: {INSTALL_HINT}, which creates that user.") from None
    if not (shutil.which("runuser") or shutil.which("su")):
        raise PostgresUnavailable(
            f"running as root, and neither 'runuser' nor 'su' is available to run PostgreSQL "
            f"as the '{OS_USER}' user: install Debian's 'util-linux' package.")
    return OS_USER


def _as_user(run_as: str | None, command: list[str]) -> list[str]:
    if run_as is None:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", run_as, "--", *command]
    return [shutil.which("su") or "su", run_as, "-s", "/bin/sh", "-c", shlex.join(command)]


def _run(run_as: str | None, command: list[str], cwd: Path,
         timeout: float) -> subprocess.CompletedProcess[str]:
    # PG* variables from the caller's shell (PGDATA, PGPORT, PGOPTIONS...) must not steer our
    # server; cwd is a folder the server's user may enter (root's cwd may be closed to it).
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    return subprocess.run(_as_user(run_as, command), cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


# -- folders -----------------------------------------------------------------------------------


def _make_server_dir(base_dir: Path, run_as: str | None) -> Path:
    parent = base_dir
    if run_as is None:
        base_dir.mkdir(parents=True, exist_ok=True)
    else:
        # pytest's folders (/tmp/pytest-of-root/..., mode 0700) are closed to the postgres user.
        parent = Path("/tmp")
    if len(str(parent)) > _MAX_PARENT_LEN:
        parent = Path("/tmp")  # keep the Unix socket's path short enough
    server_dir = Path(tempfile.mkdtemp(prefix="journeydesk-pg-", dir=parent))
    _give_to(server_dir, run_as)
    return server_dir


def _make_private_dir(path: Path, run_as: str | None) -> None:
    path.mkdir(mode=0o700)
    _give_to(path, run_as)


def _give_to(path: Path, run_as: str | None) -> None:
    if run_as is not None:
        account = pwd.getpwnam(run_as)
        os.chown(path, account.pw_uid, account.pw_gid)


# -- initdb, start, stop -----------------------------------------------------------------------


def _initdb(bin_dir: Path, run_as: str | None, server_dir: Path, data_dir: Path) -> None:
    # initdb insists on a superuser password when TCP logins use scram-sha-256; nobody needs it
    # afterwards (the superuser comes in over the private socket), so it is thrown away.
    pwfile = server_dir / "superuser-password"
    pwfile.write_text(secrets.token_urlsafe(24) + "\n")
    pwfile.chmod(0o600)
    _give_to(pwfile, run_as)
    try:
        result = _run(run_as, [
            str(bin_dir / "initdb"), "-D", str(data_dir), "-U", SUPERUSER, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
            "--no-sync",
        ], cwd=server_dir, timeout=120)
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise PostgresUnavailable(
            f"initdb failed (exit {result.returncode}) for {data_dir}:\n"
            + _tail(result.stdout + result.stderr))


def _start(runtime: _Runtime, data_dir: Path, socket_dir: Path, log_file: Path) -> int:
    """pg_ctl start -w on a free port; a few tries in case another process takes the port."""
    for _attempt in range(3):
        port = _free_port()
        settings = [
            f"listen_addresses={HOST}", f"port={port}", f"unix_socket_directories={socket_dir}",
            "fsync=off", "synchronous_commit=off", "full_page_writes=off",
        ]
        # pg_ctl hands -o to /bin/sh, hence the quoting.
        options = " ".join(f"-c {shlex.quote(setting)}" for setting in settings)
        result = _run(runtime.run_as, [
            str(runtime.bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(log_file),
            "-o", options, "-w", "-t", "60", "start",
        ], cwd=runtime.server_dir, timeout=90)
        if result.returncode == 0:
            return port
        log = _read_tail(log_file)
        if "could not bind" in log or "already in use" in log:
            _stop_data_dir(runtime.bin_dir, runtime.run_as, data_dir)
            continue
        break
    raise PostgresUnavailable(
        f"pg_ctl start failed (exit {result.returncode}) for {data_dir}:\n"
        + _tail(result.stdout + result.stderr) + "\n--- end of the server's log ---\n"
        + _read_tail(log_file))


def _stop_data_dir(bin_dir: Path, run_as: str | None, data_dir: Path) -> None:
    """Stop whatever server runs on data_dir: fast, then immediate, then SIGKILL."""
    pid_file = data_dir / "postmaster.pid"
    for mode in ("fast", "immediate"):
        if not pid_file.exists():
            return
        try:
            _run(run_as, [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", mode, "-w",
                          "-t", "30", "stop"], cwd=data_dir.parent, timeout=45)
        except subprocess.TimeoutExpired:
            pass
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def _create_login_role(socket_dir: Path, port: int, password: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=str(socket_dir), port=port, user=SUPERUSER, dbname="postgres",
                         autocommit=True, connect_timeout=10) as connection:
        # Utility statements take no bound parameters, hence sql.Literal for the password.
        connection.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
            sql.Identifier(LOGIN_USER), sql.Literal(password)))
        connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(DATABASE), sql.Identifier(LOGIN_USER)))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _read_tail(path: Path) -> str:
    try:
        return _tail(path.read_text(errors="replace"))
    except OSError as error:
        return f"(no log: {error})"


# -- safety net --------------------------------------------------------------------------------


def _register_atexit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        atexit.register(_stop_all)
        _atexit_registered = True


def _stop_all() -> None:
    for data_dir, runtime in list(_running.items()):
        _running.pop(data_dir, None)
        try:
            _stop_data_dir(runtime.bin_dir, runtime.run_as, data_dir)
        finally:
            shutil.rmtree(runtime.server_dir, ignore_errors=True)
