"""Where the case store lives and how to connect to it (interfaces.md §5).

``--db URL`` or ``SRGVHD_DATABASE_URL``; without either, an SQLite file ``cases.sqlite3`` in the
data directory (``SRGVHD_DATA_DIR``, default ``~/.local/share/srgvhd/``), created on first use.
``postgresql://`` URLs are served by the psycopg 3 driver. SQLite runs in WAL mode with full
sync, and every transaction that writes takes the write lock when it starts (``BEGIN
IMMEDIATE``), so a save reads the latest version and inserts the next one without another
writer in between.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from srgvhd.errors import InputError, Problem

DATA_DIR_ENV = "SRGVHD_DATA_DIR"
URL_ENV = "SRGVHD_DATABASE_URL"
SQLITE_FILE = "cases.sqlite3"
SQLITE_BUSY_MS = 30_000
WRITE = {"casestore_write": True}  # execution option: this transaction writes
DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
SUPPORTED = ("sqlite", "postgresql")


def data_dir() -> Path:
    """The data directory: ``SRGVHD_DATA_DIR`` or ``~/.local/share/srgvhd``."""
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".local/share/srgvhd"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, else ``SRGVHD_DATABASE_URL``, else the SQLite default.

    A plain ``postgresql://`` (or ``postgres://``) URL is mapped to the psycopg 3 driver. The
    default SQLite file's directory is created (owner-only) on first use.
    """
    url = url or os.environ.get(URL_ENV) or None
    if url is None:
        directory = data_dir()
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                Problem(DATA_DIR_ENV, f"cannot create {directory}: {exc.strerror}")
            ) from None
        return f"sqlite:///{directory / SQLITE_FILE}"
    scheme, sep, rest = url.partition("://")
    if sep and scheme in DRIVERS:
        return f"{DRIVERS[scheme]}://{rest}"
    return url


def describe(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return parse_url(url).render_as_string(hide_password=True)


def parse_url(resolved: str) -> URL:
    """``resolved`` parsed, or one line naming what is wrong — never echoing the URL, whose
    password a mistake may have moved into the host or port.

    A second ``@`` before the host means an unescaped ``@`` in the user name or password:
    SQLAlchemy would take the password's tail for the host name (and print it in errors).
    """
    scheme, sep, rest = resolved.partition("://")
    if sep and not scheme.startswith("sqlite") and rest.split("?", 1)[0].count("@") > 1:
        raise InputError(Problem("--db", "the user name or password contains '@': write it as %40"))
    try:
        return make_url(resolved)
    except ArgumentError:
        raise InputError(Problem("--db", "not a database URL")) from None
    except ValueError:  # SQLAlchemy's int() of the port
        raise InputError(
            Problem(
                "--db",
                "the port is not a number (a ':' or '@' in the password? write it as %3A or %40)",
            )
        ) from None


def open_engine(url: str | None = None) -> Engine:
    """An engine for the store's database; refuses URLs of other databases (``--db``).

    Statements' parameters are never put into error messages (``hide_parameters``): a failed
    save's message would otherwise carry the case file, a patient's values, into the log.
    """
    resolved = resolve_url(url)
    parsed = parse_url(resolved)
    if parsed.get_backend_name() not in SUPPORTED:
        raise InputError(
            Problem(
                "--db",
                f"unsupported database {parsed.get_backend_name()!r}; "
                "use sqlite:///PATH or postgresql://…",
            )
        )
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(resolved)
    return create_engine(resolved, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writes = connection.get_execution_options().get("casestore_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
