"""Funnel metrics computed where the data lives: a table or view in a database or warehouse.

A :class:`TableSource` names a database (a SQLAlchemy URL, stored without its password), a table
or view, and which of its columns hold the user, the event name, the time and the attributes.
:class:`Warehouse` connects to it (the password is given at run time, never stored) and computes
the same numbers as :mod:`journeydesk.analytics.funnel` and :mod:`journeydesk.analytics.series`
with the SQL of :mod:`journeydesk.analytics.warehouse_sql` (SQLAlchemy Core): the definition is
the local engine's (docs/data.md, "The funnel"), every event name, pattern, filter value, date
and window is a bound parameter, and only aggregates come back (apart from the user lists asked
for by name: who dropped, one timeline).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time as time_module
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from journeydesk.analytics.funnel import (
    DEFAULT_TOP,
    SINCE,
    FunnelOptions,
    FunnelResult,
    MetricsError,
    Stages,
    _bound,
    _check_bound,
    _check_top,
    _listed,
    _options,
    _prepare,
    assemble_funnel,
    breakdown_from_rows,
)
from journeydesk.analytics.series import Histogram
from journeydesk.analytics.warehouse_sql import (  # noqa: F401 - the constructs, re-exported
    SQL_FORMS,
    BinaryText,
    Columns,
    Median,
    MicrosBetween,
    Plan,
    PlusMicros,
    WeekStart,
    seconds_between,
)
from journeydesk.domain import source_urls

DEFAULT_TIMEOUT = 120.0  # seconds a query may run before it is cancelled
# Statements run before each metric query, in its transaction.  PostgreSQL estimates one row
# for the chains' CTEs (its statistics cannot follow a min() per user joined back on the time),
# and would then join two large sets of users with nested loops, quadratic in the users (76 s
# instead of 2 s for a segment over 1 M events): every join here is of whole sets on the user,
# which hash joins do in one pass.  SET LOCAL ends with the transaction.
PLANNER_SETTINGS: dict[str, tuple[str, ...]] = {
    "postgresql": ("SET LOCAL enable_nestloop = off",),
}
CONNECT_TIMEOUT = 10  # seconds to reach the server


# --------------------------------------------------------------------------- errors
class SourceError(MetricsError):
    """A database source that cannot answer; ``str()`` is one line for the user."""


class UnreachableError(SourceError):
    """The server cannot be reached (wrong host or port, down, no network)."""


class AuthenticationError(SourceError):
    """The server refused the user name or password."""


class MissingTableError(SourceError):
    """The table or view is not there (or the user may not see it)."""


class MissingColumnError(SourceError):
    """A mapped column is not in the table."""


class QueryTimeout(SourceError):
    """A query ran longer than the source's timeout and was cancelled."""


class QueryCancelled(SourceError):
    """A query was cancelled by the user."""


# --------------------------------------------------------------------------- the source
# The rules for secrets in a URL: journeydesk/domain/source_urls.py (shared with the store).
PASSWORD_KEYS = source_urls.PASSWORD_KEYS
# What to do about a URL with a secret in its query, when it is given and when it was stored.
GIVE_IT_AS_PASSWORD = ("give the secret as the password (asked for, or read from the variable "
                       "named with --password-env) and remove the option from the URL")
ADD_IT_AGAIN = ("the source was stored so by an earlier JourneyDesk and is not used: add it "
                "again without the option (add-source --replace), giving a secret as the "
                "password")


class UnsafeURLError(SourceError):
    """A URL that carries a secret JourneyDesk would store or show (not the password)."""


def _parse_url(url: str) -> sa.URL:
    try:
        return sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        # the text itself is not repeated: it may be a pasted secret
        raise SourceError("not a database URL (for example "
                          "postgresql+psycopg://user@host:5432/database)") from None


def split_table(table: str) -> tuple[str | None, str]:
    """``schema.name`` or ``name`` -> (schema or None, name); more parts are refused."""
    parts = [p.strip() for p in table.strip().split(".")]
    if not all(parts) or len(parts) > 2:
        raise SourceError(f"{table!r}: give the table as name or schema.name (a catalog or "
                          "database goes in the URL)")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


@dataclass(frozen=True)
class TableSource:
    """Where a database source's events are and how its columns map (no password in here).

    ``url`` is a SQLAlchemy URL (``postgresql+psycopg://user@host:5432/db``); ``table`` is
    ``name`` or ``schema.name``; ``attributes`` are the columns offered for segment filters
    (empty: every column other than the user, event and time).  ``password_env`` names an
    environment variable holding the password, read at connection time.
    """

    url: str
    table: str
    user: str = "user_id"
    event: str = "event"
    time: str = "timestamp"
    attributes: tuple[str, ...] = ()
    password_env: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        url = _parse_url(self.url)
        password_keys = [key for key in url.query if source_urls.is_password_key(key)]
        refused = source_urls.refusal(url.difference_update_query(password_keys), ADD_IT_AGAIN)
        if refused is not None:
            raise UnsafeURLError(refused)
        if url.password is not None or password_keys:
            raise UnsafeURLError(f"{source_urls.display(url)}: a source's URL is stored without "
                                 "its password and this one is not used: add the source again "
                                 "without it (add-source --replace); the password is asked "
                                 "for, or read from an environment variable")
        if not 0 < self.timeout_seconds < float("inf"):  # also NaN
            raise SourceError(f"a query timeout of {self.timeout_seconds} s: give a number of "
                              "seconds above 0")
        split_table(self.table)

    def display_url(self) -> str:
        """The URL for people: never a password or a query value that may be a secret."""
        return source_urls.display(_parse_url(self.url))


def mask_secret(text: str, secret: str) -> str:
    """``text`` with every whole occurrence of ``secret`` shown as ***.

    Only where it stands alone (not inside a longer word): masking a short password inside
    "db.example.com" would garble the message and show which letters the password has.
    """
    pattern = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
    return re.sub(pattern, "***", text)


def strip_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password, as it is stored, and the password it had (None when
    none).

    A password in the query string (``?password=...``) counts too.  Any other query option
    not known to be harmless for the URL's database (journeydesk/domain/source_urls.py) is
    refused with UnsafeURLError: give a secret through the password prompt or variable.
    """
    parsed = _parse_url(url)
    password = parsed.password
    keys = [key for key in parsed.query if source_urls.is_password_key(key)]
    for key in keys:
        value = parsed.query[key]
        password = password if password is not None else (
            value if isinstance(value, str) else value[0])
    # URL.set(password=None) keeps the old one; URL is a named tuple
    bare = parsed._replace(password=None).difference_update_query(keys)
    refused = source_urls.refusal(bare, GIVE_IT_AS_PASSWORD)
    if refused is not None:
        raise UnsafeURLError(refused)
    # stored as SQLAlchemy reads it: text it drops (``?word`` without a value) is not kept
    return bare.render_as_string(hide_password=False), (
        None if password is None else str(password) or None)


# --------------------------------------------------------------------------- the connection
class _Token:
    """Whether one handle's work was cancelled (checked before and during each query)."""

    __slots__ = ("cancelled", "__weakref__")

    def __init__(self) -> None:
        self.cancelled = False


class _Shared:
    """What every handle on one source shares: the engine, the password and the bookkeeping
    of running queries, under one lock."""

    def __init__(self, password: str | None):
        self.lock = threading.Lock()
        self.password = password
        self.engine: sa.Engine | None = None
        self.closed = False
        self.running: dict[Any, _Token] = {}  # DBAPI connection -> the handle running on it
        self.views: weakref.WeakSet[_Token] = weakref.WeakSet()
        self.reflected: list[tuple[str, Any]] | None = None
        self.columns: Columns | None = None


class Warehouse:
    """A live connection to a :class:`TableSource`, with the metrics as methods.

    ``password`` is kept in memory only.  Every query runs under the source's timeout.  For
    work that may be stopped, take a :meth:`view` (a handle sharing the connection pool) per
    job: :meth:`cancel` stops that handle's running query and refuses its later ones, and
    :meth:`cancel_views` does so for every view (the app's Stop).  Close it when done; a
    closed Warehouse refuses new queries.
    """

    def __init__(self, source: TableSource, password: str | None = None, name: str = ""):
        self.source = source
        self.name = name
        self._shared = _Shared(password or None)
        self._token = _Token()

    # ---------------------------------------------------------------- lifecycle
    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never the password
        return f"Warehouse({self.source.display_url()!r}, table={self.source.table!r})"

    @property
    def password(self) -> str | None:
        """The password in use (memory only)."""
        return self._shared.password

    def view(self) -> Warehouse:
        """Another handle on the same pool, cancelled on its own (take one per job)."""
        other = object.__new__(Warehouse)
        other.source, other.name, other._shared = self.source, self.name, self._shared
        other._token = _Token()
        with self._shared.lock:
            self._shared.views.add(other._token)
        return other

    def reconnect(self, password: str | None) -> None:
        """Use ``password`` from now on (queries running keep their connection)."""
        with self._shared.lock:
            self._shared.password = password or None
            engine, self._shared.engine = self._shared.engine, None
        if engine is not None:
            engine.dispose()

    def close(self) -> None:
        """Cancel what is running and close every pooled connection; no query after this."""
        with self._shared.lock:
            self._shared.closed = True
            running = list(self._shared.running.items())
            engine, self._shared.engine = self._shared.engine, None
        for raw, token in running:
            self._cancel_soon(raw, token)
        if engine is not None:
            engine.dispose()

    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (made at first use; SourceError once closed)."""
        with self._shared.lock:
            if self._shared.closed:
                raise SourceError(f"{self.source.display_url()}: the connection was closed")
            if self._shared.engine is None:
                self._shared.engine = self._make_engine(self._shared.password)
            return self._shared.engine

    def _make_engine(self, password: str | None) -> sa.Engine:
        url = _parse_url(self.source.url)
        if password is not None:
            url = url.set(password=password)
        try:
            engine = sa.create_engine(url, connect_args=_connect_args(url),
                                      pool_pre_ping=True)
        except sa.exc.NoSuchModuleError:
            raise SourceError(f"no SQLAlchemy dialect for {url.drivername} is installed "
                              "(install its package; see docs/warehouses.md)") from None
        except ModuleNotFoundError as exc:
            raise SourceError(f"no database driver for {url.drivername} is installed "
                              f"({exc.name}); see docs/warehouses.md") from None
        except sa.exc.ArgumentError as exc:
            raise SourceError(f"{self.source.display_url()}: {exc}") from None
        if url.get_backend_name() == "postgresql":
            timeout_ms = int(self.source.timeout_seconds * 1000)

            @sa.event.listens_for(engine, "connect")
            def _session_settings(dbapi_connection: Any, _record: Any) -> None:
                # SET, not startup options: connection poolers (PgBouncer) refuse those
                autocommit = dbapi_connection.autocommit
                dbapi_connection.autocommit = True
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET statement_timeout = {timeout_ms}")
                    cursor.execute("SET TIME ZONE 'UTC'")
                dbapi_connection.autocommit = autocommit
        return engine

    def cancel(self) -> None:
        """Cancel this handle's running query and refuse its later ones (any thread)."""
        self._cancel_tokens([self._token])

    def cancel_views(self) -> None:
        """Cancel every view's running and later queries (this handle stays usable)."""
        with self._shared.lock:
            tokens = list(self._shared.views)
        self._cancel_tokens(tokens)

    def _cancel_tokens(self, tokens: list[_Token]) -> None:
        with self._shared.lock:
            for token in tokens:
                token.cancelled = True
            running = [(raw, token) for raw, token in self._shared.running.items()
                       if token in tokens]
        for raw, token in running:
            self._cancel_soon(raw, token)

    def _cancel_soon(self, raw: Any, token: _Token) -> None:
        """Cancel the query on ``raw`` from a daemon thread, again every 0.2 s while it runs.

        A server ignores a cancel that arrives before the query does (between checking out the
        connection and sending the SQL), so one request is not enough; and a cancel that waits
        for a slow server must not hold up the caller (the GUI thread's Stop).  It stops as
        soon as the connection is back in the pool (or running another handle's query).
        """
        shared = self._shared

        def keep_cancelling() -> None:
            deadline = time_module.monotonic() + 60
            while shared.running.get(raw) is token and time_module.monotonic() < deadline:
                _cancel(raw)
                time_module.sleep(0.2)

        threading.Thread(target=keep_cancelling, name="journeydesk-cancel",
                         daemon=True).start()

    # ---------------------------------------------------------------- running queries
    @contextlib.contextmanager
    def _connection(self) -> Iterator[sa.Connection]:
        token = self._token
        if token.cancelled:
            raise QueryCancelled(f"{self.source.display_url()}: cancelled")
        try:
            conn = self.engine().connect()
        except sa.exc.DBAPIError as exc:
            raise self._error(exc, token) from None
        with conn:
            raw = conn.connection.dbapi_connection
            with self._shared.lock:
                self._shared.running[raw] = token
            timed_out = threading.Event()

            def too_long() -> None:  # the client-side timeout, for every driver
                timed_out.set()
                _cancel(raw)

            timer = threading.Timer(self.source.timeout_seconds, too_long)
            timer.daemon = True
            timer.start()
            try:
                if token.cancelled:  # cancelled while connecting
                    raise QueryCancelled(f"{self.source.display_url()}: cancelled")
                yield conn
            except sa.exc.DBAPIError as exc:
                raise self._error(exc, token, timed_out=timed_out.is_set()) from None
            finally:
                timer.cancel()
                if token.cancelled or timed_out.is_set() or self._shared.closed:
                    # a cancel request may still reach the server after the query ended: never
                    # let it hit the next query of another job on a pooled connection
                    with contextlib.suppress(Exception):
                        conn.invalidate()
                with self._shared.lock:
                    self._shared.running.pop(raw, None)

    def _rows(self, statement: sa.Executable) -> list[sa.Row[Any]]:
        with self._connection() as conn:
            for setting in PLANNER_SETTINGS.get(conn.dialect.name, ()):
                conn.exec_driver_sql(setting)
            rows = list(conn.execute(statement))
        # a cancel or close that came too late to stop the query still stops the job
        if self._token.cancelled:
            raise QueryCancelled(f"{self.source.display_url()}: cancelled")
        if self._shared.closed:
            raise SourceError(f"{self.source.display_url()}: the connection was closed")
        return rows

    def _error(self, exc: sa.exc.DBAPIError, token: _Token, *,
               timed_out: bool = False) -> SourceError:
        where = self.source.display_url()
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or ""
        text = str(orig).strip() if orig is not None else str(exc)
        first = text.splitlines()[0] if text else type(exc).__name__
        if self.password:
            first = mask_secret(first, self.password)
        low = text.lower()
        if timed_out or "statement timeout" in low:
            return QueryTimeout(f"{where}: the query took longer than "
                                f"{self.source.timeout_seconds:g} s and was cancelled")
        if token.cancelled:
            return QueryCancelled(f"{where}: cancelled")
        if code in ("28P01", "28000") or "password" in low and (
                "authentication" in low or "no password" in low):
            env = (f" or set {self.source.password_env}" if self.source.password_env else "")
            return AuthenticationError(f"{where}: the server refused the user or password "
                                       f"({first}); check the password{env}")
        if code == "42P01":
            return MissingTableError(f"{where}: no table or view {self.source.table!r} "
                                     f"({first})")
        if code == "42703":
            return MissingColumnError(f"{where}: {first}")
        if isinstance(exc, sa.exc.OperationalError) and any(
                hint in low for hint in ("connection refused", "could not connect",
                                         "connection failed", "timeout expired",
                                         "could not translate host", "name or service",
                                         "no route to host", "network is unreachable")):
            return UnreachableError(f"{where}: cannot reach the server ({first})")
        return SourceError(f"{where}: {first}")

    # ---------------------------------------------------------------- the table
    def table_columns(self) -> list[tuple[str, Any]]:
        """The table's columns as (name, SQLAlchemy type), reflected once."""
        if self._shared.reflected is not None:
            return self._shared.reflected
        schema, name = split_table(self.source.table)
        with self._connection() as conn:
            inspector = sa.inspect(conn)
            try:
                found = inspector.get_columns(name, schema=schema or None)
            except sa.exc.NoSuchTableError:
                found = []
            if not found:
                try:
                    tables = sorted(inspector.get_table_names(schema=schema or None)
                                    + inspector.get_view_names(schema=schema or None))
                except sa.exc.DBAPIError:
                    tables = []
                listing = ", ".join(tables[:20]) + (" ..." if len(tables) > 20 else "")
                raise MissingTableError(
                    f"{self.source.display_url()}: no table or view named "
                    f"{self.source.table!r} (there are: {listing or 'none visible'})")
        self._shared.reflected = [(c["name"], c["type"]) for c in found]
        return self._shared.reflected

    def columns(self) -> Columns:
        """The mapped columns, checked against the table (reflected once)."""
        if self._shared.columns is not None:
            return self._shared.columns
        schema, name = split_table(self.source.table)
        found = [{"name": n, "type": t} for n, t in self.table_columns()]
        by_name = {c["name"]: c for c in found}
        table = sa.Table(name, sa.MetaData(), *(sa.Column(c["name"], c["type"]) for c in found),
                         schema=schema or None)

        def column(wanted: str, role: str) -> sa.ColumnElement[Any]:
            actual = wanted if wanted in by_name else next(
                (n for n in by_name if n.lower() == wanted.lower()), None)
            if actual is None:
                raise MissingColumnError(
                    f"{self.source.display_url()}: table {self.source.table!r} has no "
                    f"{role} column {wanted!r} (columns: {', '.join(by_name)})")
            return table.c[actual]

        user = column(self.source.user, "user")
        event = _as_text(column(self.source.event, "event"))
        ts = column(self.source.time, "time")
        if isinstance(ts.type, sa.Date) and not isinstance(ts.type, sa.DateTime):
            ts = sa.cast(ts, sa.DateTime)
        elif not isinstance(ts.type, sa.DateTime):
            raise MissingColumnError(
                f"{self.source.display_url()}: the time column {self.source.time!r} is of "
                f"type {ts.type}; a timestamp or date column is needed (a view can convert "
                "it, see docs/warehouses.md)")
        roles = {c.lower() for c in (self.source.user, self.source.event, self.source.time)}
        names = self.source.attributes or tuple(n for n in by_name if n.lower() not in roles)
        attributes = {n.lower(): _as_text(column(n, "attribute")) for n in names}
        self._shared.columns = Columns(table, user, event, ts, attributes)
        return self._shared.columns

    def attribute_names(self) -> list[str]:
        """The columns offered for segment filters."""
        return list(self.source.attributes) or [
            c.name for c in self.columns().table.columns
            if c.name.lower() in self.columns().attributes]

    # ---------------------------------------------------------------- metrics
    def _plan(self, opts: FunnelOptions) -> Plan:
        return Plan(self.columns(), opts, self.attribute_names())

    def funnel(self, stages: Stages, *, date_from: date | None = None,
               date_to: date | None = None, where: Mapping[str, str] | None = None,
               window_seconds: float | None = None) -> FunnelResult:
        """The funnel of ``stages``, exactly as :func:`journeydesk.analytics.funnel.funnel`."""
        opts = _options(date_from, date_to, where, window_seconds)
        stages = _listed(stages)
        bound, bindings = _prepare(stages)
        # the medians in whole microseconds, divided here as the local engine divides
        rows = {int(k): (int(n), None if m is None else float(m) / 1e6)
                for _, k, n, m in self._rows(self._plan(opts).funnel(bindings))}
        per_bound = [rows[k] for k in range(len(bound))]
        return assemble_funnel(stages, bound, per_bound, rows[-1][0])

    def funnel_breakdown(self, stages: Stages, column: str, *, date_from: date | None = None,
                         date_to: date | None = None, where: Mapping[str, str] | None = None,
                         window_seconds: float | None = None, top: int = DEFAULT_TOP
                         ) -> list[tuple[str, FunnelResult]]:
        """One funnel per value of ``column``, as :func:`~journeydesk.analytics.funnel
        .funnel_breakdown`."""
        opts = _options(date_from, date_to, where, window_seconds)
        top = _check_top(top)
        stages = _listed(stages)
        bound, bindings = _prepare(stages)
        rows = [(b, k, n, None if m is None else float(m) / 1e6, v)
                for b, k, n, m, v in self._rows(self._plan(opts).breakdown(bindings, column,
                                                                            top))]
        return breakdown_from_rows(stages, bound, rows, top)

    def event_counts(self, *, date_from: date | None = None, date_to: date | None = None,
                     where: Mapping[str, str] | None = None) -> dict[str, int]:
        """How many events of each name the users in scope have in the period, most first."""
        rows = self._rows(self._plan(_options(date_from, date_to, where, None)).event_counts())
        rows.sort(key=lambda r: (-int(r[1]), str(r[0])))
        return {str(event): int(n) for event, n in rows if event is not None}

    def daily_volume(self, *, where: Mapping[str, str] | None = None
                     ) -> list[tuple[date, int]]:
        """Events per calendar day (UTC) of the users in the segment, oldest first."""
        rows = self._rows(self._plan(_options(None, None, where, None)).daily_volume())
        return sorted((_as_date(d), int(n)) for d, n in rows if d is not None)

    def weekly_counts(self, stages: Stages, *, date_from: date | None = None,
                      date_to: date | None = None, where: Mapping[str, str] | None = None,
                      window_seconds: float | None = None
                      ) -> dict[str, list[tuple[date, int, int]]]:
        """(Monday, n, reached) per week of entry, as :func:`~journeydesk.analytics.series
        .weekly_counts`."""
        from journeydesk.analytics.series import weekly_from_rows

        opts = _options(date_from, date_to, where, window_seconds)
        stages = _listed(stages)
        bound, bindings = _prepare(stages)
        if len(bound) < 2:
            return {}
        rows = [(int(k), _as_date(w), int(n), int(r))
                for k, w, n, r in self._rows(self._plan(opts).weekly(bindings))]
        rows.sort()
        return weekly_from_rows(stages, bound, rows)

    def weekly_conversion(self, stages: Stages, *, date_from: date | None = None,
                          date_to: date | None = None, where: Mapping[str, str] | None = None,
                          window_seconds: float | None = None
                          ) -> dict[str, list[tuple[date, float | None]]]:
        """Conversion by week of entry, as :func:`journeydesk.analytics.series
        .weekly_conversion`."""
        from journeydesk.analytics.series import conversion_of

        return conversion_of(self.weekly_counts(stages, date_from=date_from, date_to=date_to,
                                                where=where, window_seconds=window_seconds))

    def time_to_next_histogram(self, stages: Stages, stage_index: int, *,
                               date_from: date | None = None, date_to: date | None = None,
                               where: Mapping[str, str] | None = None,
                               window_seconds: float | None = None) -> Histogram:
        """The distribution of seconds from the previous bound stage, binned in the database
        as :func:`journeydesk.analytics.series.histogram` bins it (log-spaced or equal-width,
        the same expressions in the same order), with the exact median."""
        from journeydesk.analytics.series import (
            LOG_SPAN,
            MAX_BINS,
            MIN_BINS,
            histogram_from_bins,
            log_binned,
            log_histogram_from_bins,
        )

        opts = _options(date_from, date_to, where, window_seconds)
        stages = _listed(stages)
        _check_bound(stages, stage_index)
        if _bound(stages)[0] == stage_index:
            return Histogram([], [])
        bound, bindings = _prepare(stages)
        last = self._plan(opts).stage_chains(bindings)[bound.index(stage_index)]
        d = sa.select(seconds_between(last.c.prev, last.c.t).label("s"),
                      MicrosBetween(last.c.prev, last.c.t).label("us")).select_from(last)\
            .cte("d")
        positive = sa.case((d.c.s > 0, d.c.s))
        b = sa.select(sa.func.min(d.c.s).label("lo"), sa.func.max(d.c.s).label("hi"),
                      sa.func.count().label("n"), sa.func.min(positive).label("plo"),
                      sa.func.max(positive).label("phi"),
                      sa.func.count(positive).label("pn"),
                      Median(d.c.us).label("med")).cte("b")
        # the range as scalar subqueries, not a join with b: a join of one row is a nested
        # loop, which PLANNER_SETTINGS prices so high that PostgreSQL would JIT-compile it
        lo, hi, n, plo, phi, pn, med = (sa.select(c).scalar_subquery() for c in b.c)
        bins = sa.func.least(MAX_BINS, sa.func.greatest(MIN_BINS, n))
        pbins = sa.func.least(MAX_BINS, sa.func.greatest(MIN_BINS, pn))
        linear = sa.case((hi == lo, 0),
                         else_=sa.func.least(sa.func.floor((d.c.s - lo) / ((hi - lo) / bins)),
                                             bins - 1))
        logged = sa.case((d.c.s <= 0, -1), else_=sa.func.least(
            sa.func.floor(sa.func.ln(d.c.s / plo) / sa.func.ln(phi / plo) * pbins), pbins - 1))
        is_log = sa.and_(plo > 0, phi > plo, phi / plo > sa.literal(LOG_SPAN, sa.Float))
        index = sa.case((is_log, logged), else_=linear)
        query = (sa.select(lo, hi, n, plo, phi, pn, med, index.label("i"), sa.func.count())
                 .select_from(d).group_by(index))
        rows = self._rows(query)
        if not rows:
            return Histogram([], [])
        lo, hi, n, plo, phi, pn, med = rows[0][:7]
        found = {int(i): int(c) for *_, i, c in rows}
        median = float(med) / 1e6
        if plo is not None and log_binned(float(plo), float(phi)):
            return log_histogram_from_bins(float(plo), float(phi), int(pn), found, median)
        return histogram_from_bins(float(lo), float(hi), int(n), found, median)

    def users_at_stage(self, stages: Stages, stage: int, *, date_from: date | None = None,
                       date_to: date | None = None, where: Mapping[str, str] | None = None,
                       window_seconds: float | None = None) -> list[str]:
        """The users who reached stage ``stage``, sorted (a list asked for by the user)."""
        opts = _options(date_from, date_to, where, window_seconds)
        stages = _listed(stages)
        _check_bound(stages, stage)
        _, bindings = _prepare(stages, stage)
        chain = self._plan(opts).stage_chains(bindings)
        rows = self._rows(sa.select(chain[-1].c.user))
        return sorted(str(r[0]) for r in rows)

    def dropped_users(self, stages: Stages, stage: int, *, date_from: date | None = None,
                      date_to: date | None = None, where: Mapping[str, str] | None = None,
                      window_seconds: float | None = None) -> list[str]:
        """The users who reached the bound stage before ``stage`` but not ``stage``, sorted."""
        opts = _options(date_from, date_to, where, window_seconds)
        stages = _listed(stages)
        _check_bound(stages, stage)
        if _bound(stages)[0] == stage:
            return []
        _, bindings = _prepare(stages, stage)
        chain = self._plan(opts).stage_chains(bindings)
        before, here = chain[-2], chain[-1]
        rows = self._rows(sa.select(before.c.user).where(
            before.c.user.not_in(sa.select(here.c.user))))
        return sorted(str(r[0]) for r in rows)

    def dropped_who_did_next(self, stages: Stages, stage: int, *,
                             date_from: date | None = None, date_to: date | None = None,
                             where: Mapping[str, str] | None = None,
                             window_seconds: float | None = None, since: str = "previous"
                             ) -> int:
        """How many dropped users did the stage anyway, as :func:`~journeydesk.analytics
        .funnel.dropped_who_did_next`."""
        opts = _options(date_from, date_to, where, window_seconds)
        if since not in SINCE:
            raise MetricsError(f"since is 'previous' or 'entry', not {since!r}")
        stages = _listed(stages)
        _check_bound(stages, stage)
        if _bound(stages)[0] == stage:
            return 0
        _, bindings = _prepare(stages, stage)
        return int(self._rows(self._plan(opts).dropped_who_did_next(bindings, since))[0][0])

    def next_events(self, stages: Stages, stage: int, *, steps: int, hide: list[str],
                    top: int, **options: Any) -> Any:
        """What the dropped users did instead, as :func:`journeydesk.analytics.paths
        .next_events` (which checks the arguments)."""
        from journeydesk.analytics.paths import drop_off_from_rows
        from journeydesk.analytics.warehouse_paths import next_events_statement

        stages = _listed(stages)
        _check_bound(stages, stage)
        if _bound(stages)[0] == stage:
            return drop_off_from_rows(stages, stage, steps, top, [])
        _, bindings = _prepare(stages, stage)
        plan = self._plan(_options(**options))
        return drop_off_from_rows(stages, stage, steps, top, self._rows(
            next_events_statement(plan, bindings, steps, hide, top)))

    def flows(self, stages: Stages, **options: Any) -> Any:
        """The flows between the bound stages, as :func:`journeydesk.analytics.paths.flows`."""
        from journeydesk.analytics.paths import flows_from_rows
        from journeydesk.analytics.warehouse_paths import flows_statement

        stages = _listed(stages)
        _, bindings = _prepare(stages)
        if not bindings:
            return flows_from_rows(stages, [])
        plan = self._plan(_options(window_seconds=None, **options))
        return flows_from_rows(stages, self._rows(flows_statement(plan, bindings)))

    def move_users(self, stages: Stages, source: int, target: int, **options: Any) -> list[str]:
        """The users of :meth:`flows` who moved from stage ``source`` straight to stage
        ``target`` at least once, sorted, as :func:`journeydesk.analytics.paths.move_users`
        (a list asked for by the user)."""
        from journeydesk.analytics.warehouse_paths import move_users_statement

        stages = _listed(stages)
        for index in (source, target):
            _check_bound(stages, index)
        bound, bindings = _prepare(stages)
        plan = self._plan(_options(window_seconds=None, **options))
        rows = self._rows(move_users_statement(plan, bindings, bound.index(source),
                                               bound.index(target)))
        return sorted(str(r[0]) for r in rows)

    def user_timeline(self, user: str, *, limit: int = 1000) -> list[tuple[datetime, str]]:
        """One user's events, oldest first (at most ``limit``)."""
        cols = self.columns()
        # compare in the column's own type when it is a number, so that an index serves
        who: sa.ColumnElement[bool] = _as_text(cols.user) == sa.bindparam("who", str(user))
        if isinstance(cols.user.type, sa.Integer):
            try:
                who = cols.user == sa.bindparam("who", int(user), type_=cols.user.type)
            except ValueError:
                return []  # not a number: no such user
        rows = self._rows(sa.select(cols.ts, cols.event).where(
            who, cols.event.is_not(None), cols.ts.is_not(None))
            .order_by(cols.ts, cols.event).limit(int(limit)))
        return [(ts, str(event)) for ts, event in rows]

    def check(self) -> list[str]:
        """Connect, find the table and its columns; the attribute names (raises SourceError)."""
        cols = self.columns()
        self._rows(sa.select(cols.user, cols.event, cols.ts).limit(1))
        return self.attribute_names()


# --------------------------------------------------------------------------- helpers
def _as_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return column if isinstance(column.type, sa.String) else sa.cast(column, sa.String)


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _connect_args(url: sa.URL) -> dict[str, Any]:
    """Driver settings: for PostgreSQL a connect timeout and the application's name (the
    statement timeout and UTC are SET on each new connection)."""
    if url.get_backend_name() == "postgresql":
        return {"connect_timeout": CONNECT_TIMEOUT, "application_name": "JourneyDesk"}
    return {}


def _cancel(dbapi_connection: Any) -> None:
    """Ask the server to stop the connection's running query (what the driver offers)."""
    safe = getattr(dbapi_connection, "cancel_safe", None)  # psycopg >= 3.2
    if safe is not None:
        with contextlib.suppress(Exception):
            safe(timeout=5)
        return
    plain = getattr(dbapi_connection, "cancel", None)
    if plain is not None:
        with contextlib.suppress(Exception):
            plain()
        return
    with contextlib.suppress(Exception):  # no cancel in this driver: closing stops it
        dbapi_connection.close()
