"""What a database source's URL may keep: the rules that keep secrets out of it.

A source's URL is written into the workspace file (which people carry to workshops and e-mail)
and shown in the app, in the command line's output and in error messages, so it must never hold
a secret.  Leaving out the password is not enough: drivers take API keys, tokens, private keys
and whole connection strings in the query string (``?api_key=``, ``?private_key=``,
``?options=-c app.key=...``, ``?odbc_connect=...PWD=...``), and a list of forbidden names is
never complete.  So the query keeps only the options known to be harmless for its database (an
allow-list per SQLAlchemy backend, :data:`HARMLESS`): options that choose a server, a database
object, a timeout, a label, a TLS or authentication *mode*, or a path to a certificate file.
Every other option is refused by name; the password (also ``?password=``, ``passwd``, ``pwd``)
is taken out of the URL and kept in memory only.  Keys are compared case-insensitively, after
SQLAlchemy has decoded them (``api%5Fkey`` is ``api_key``).

Plain Python on purpose: the store (which writes and lists sources) and the analytics (which
connect to them) both apply these rules and may not import each other; each parses the URL with
SQLAlchemy and passes the parsed URL (duck-typed, :class:`ParsedURL`) or its pieces here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote_plus

MASK = "***"
#: Query keys whose value is the password: taken out of the URL, used, never stored.
PASSWORD_KEYS = frozenset({"password", "passwd", "pwd"})

_POSTGRESQL = frozenset({
    # where the server is and which one to use
    "host", "hostaddr", "port", "service", "target_session_attrs", "load_balance_hosts",
    # how to encrypt and authenticate: modes and names, never the credential itself
    "sslmode", "sslnegotiation", "sslcompression", "sslsni", "sslcertmode",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "channel_binding", "require_auth",
    "gssencmode", "krbsrvname", "gsslib",
    # paths to certificate files (the files stay on the computer; a path is not a key)
    "sslrootcert", "sslcrl", "sslcrldir", "sslcert", "sslkey",
    # timers and labels
    "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "application_name", "fallback_application_name",
    "client_encoding",
})
_MYSQL = frozenset({
    "charset", "collation", "connect_timeout", "read_timeout", "write_timeout", "unix_socket",
    "ssl_mode", "ssl_ca", "ssl_capath", "ssl_cert", "ssl_key", "ssl_cipher",
    "ssl_check_hostname", "ssl_verify_cert", "ssl_verify_identity", "ssl_disabled",
    "binary_prefix", "program_name",
})

#: The query options each backend may keep, lower case.  Left out on purpose, among others:
#: PostgreSQL's ``options`` (sets any server setting: ``-c app.key=...``) and ``sslpassword``;
#: MySQL's ``init_command`` (runs SQL) and ``local_infile`` (lets the server read local files);
#: SQL Server's ``odbc_connect`` (a whole connection string) and pymssql's ``conn_properties``;
#: Trino's ``access_token``, ``extra_credential``, ``http_headers`` and ``session_properties``;
#: DuckDB's ``motherduck_token`` and ``s3_*``; Snowflake's ``token``, ``private_key*`` and
#: ``passcode``; BigQuery's ``credentials_base64``.  A backend not listed keeps no option.
HARMLESS: dict[str, frozenset[str]] = {
    "postgresql": _POSTGRESQL,
    "mysql": _MYSQL,
    "mariadb": _MYSQL,
    "sqlite": frozenset({"mode", "cache", "immutable", "nolock", "uri", "vfs", "timeout",
                         "check_same_thread"}),
    "duckdb": frozenset({"read_only", "access_mode", "threads", "memory_limit", "max_memory",
                         "temp_directory", "timezone"}),
    "mssql": frozenset({
        "driver", "encrypt", "trustservercertificate", "hostnameincertificate",
        "applicationintent", "multisubnetfailover", "trusted_connection", "authentication",
        "app", "wsid", "language", "mars_connection", "charset", "login_timeout", "timeout",
        "tds_version", "appname"}),
    "trino": frozenset({"http_scheme", "source", "verify", "client_tags", "roles", "timezone",
                        "legacy_primitive_types", "legacy_prepared_statements"}),
    "clickhouse": frozenset({"secure", "verify", "ca_certs", "compression", "connect_timeout",
                             "send_receive_timeout", "sync_request_timeout", "client_name",
                             "alt_hosts"}),
    "snowflake": frozenset({"warehouse", "role", "schema", "database", "authenticator",
                            "application", "login_timeout", "network_timeout",
                            "client_session_keep_alive", "timezone", "region"}),
    # credentials_path names the service-account key file; the key stays in that file
    "bigquery": frozenset({"location", "arraysize", "list_tables_page_size",
                           "credentials_path", "priority", "use_query_cache",
                           "maximum_bytes_billed"}),
    "databricks": frozenset({"http_path", "catalog", "schema"}),
}

# A value that could smuggle in another option (an ODBC or libpq separator, a line end).
_SMUGGLING = re.compile(r"[;\x00-\x1f\x7f]")
# A key shown by name in messages; another (long, odd) key might itself be a pasted secret.
_SHOWN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")


class ParsedURL(Protocol):
    """What is used of a parsed SQLAlchemy URL (``sqlalchemy.engine.URL``)."""

    @property
    def password(self) -> Any: ...  # noqa: D102

    @property
    def query(self) -> Mapping[str, str | Sequence[str]]: ...  # noqa: D102

    def get_backend_name(self) -> str: ...  # noqa: D102

    def set(self, **kwargs: Any) -> ParsedURL: ...  # noqa: D102

    def render_as_string(self, hide_password: bool = True) -> str: ...  # noqa: D102


def is_password_key(key: str) -> bool:
    """Whether the query option ``key`` holds the password (``?password=``, ``pwd``...)."""
    return key.casefold() in PASSWORD_KEYS


def is_harmless(backend: str, key: str) -> bool:
    """Whether the query option ``key`` may be kept in a URL of ``backend`` (its value shown)."""
    return key.casefold() in HARMLESS.get(backend.lower(), frozenset())


def key_for_people(key: str) -> str:
    """The option's name for a message, or a neutral phrase for a key that might itself be a
    pasted secret (long or odd)."""
    return key if _SHOWN_KEY.fullmatch(key) else "an option with a long or unusual name"


def _values(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def secret_keys(backend: str, query: Mapping[str, str | Sequence[str]]) -> list[str]:
    """The query's options that may hold a secret: those not known to be harmless for
    ``backend``, and harmless ones whose value could smuggle in another option (a ';' or a
    control character).  The password's own keys are not listed: the caller takes them out."""
    return [key for key, value in query.items()
            if not is_password_key(key)
            and (not is_harmless(backend, key)
                 or any(_SMUGGLING.search(v) for v in _values(value)))]


def refusal(url: ParsedURL, advice: str) -> str | None:
    """One line saying why ``url`` (parsed, its password taken out) may not be stored or used,
    ending with ``advice``; None when it may."""
    backend = url.get_backend_name()
    keys = secret_keys(backend, url.query)
    if not keys:
        return None
    names = ", ".join(dict.fromkeys(key_for_people(k) for k in keys))
    return (f"{display(url)}: the URL carries a secret ({names}): a query option not known "
            f"to be harmless for {backend}, or one whose value has a ';' or a control "
            f"character, may hold one, and secrets are never stored; {advice}")


def display(url: ParsedURL) -> str:
    """The URL for people: its password, and the value of every option not known to be
    harmless, shown as ***."""
    base = url.set(query={}).render_as_string(hide_password=True)
    backend = url.get_backend_name()
    parts: list[str] = []
    for key in sorted(url.query):
        shown_key = quote_plus(key) if _SHOWN_KEY.fullmatch(key) else MASK
        for value in _values(url.query[key]):
            keep = is_harmless(backend, key) and not _SMUGGLING.search(value)
            parts.append(f"{shown_key}={quote_plus(value) if keep else MASK}")
    return base + ("?" + "&".join(parts) if parts else "")
