"""Engines and units of work for SQLite and PostgreSQL.

SQLite runs in WAL mode with a busy timeout and foreign keys on, and every write transaction
starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue instead of failing half-way
(deferred transactions lost updates or raised "database is locked" under 8 writer threads).
PostgreSQL URLs (``postgresql://``) are served by psycopg 3 with the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from bot.domain.errors import ConfigError

_READONLY = "onramp_readonly"
BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver; leave others alone."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event below (pysqlite would otherwise
    # issue its own deferred BEGIN).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    mode = "DEFERRED" if conn.get_execution_options().get(_READONLY) else "IMMEDIATE"
    conn.exec_driver_sql(f"BEGIN {mode}")


#: The drivers Onramp ships and is tested on.
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
_URL_HELP = (
    "write it like sqlite:///onramp.db or postgresql://user@host:5432/onramp "
    "(DATABASE_URL, or database_url in app.yaml)"
)


def parse_database_url(url: str) -> URL:
    """``url`` parsed, or a :class:`ConfigError` when it is not one Onramp can use."""
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError:
        raise ConfigError(f"the database URL is not a URL; {_URL_HELP}") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise ConfigError(
            f"the database URL names {parsed.drivername!r}, which Onramp does not support: it "
            f"runs on SQLite or PostgreSQL; {_URL_HELP}"
        )
    return parsed


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for ``url`` with Onramp's connection settings applied."""
    parsed = parse_database_url(url)
    url = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        options: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        }
        if memory:
            # An in-memory database lives as long as its one connection: share it.
            options["poolclass"] = StaticPool
        engine = create_engine(url, echo=echo, **options)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


@dataclass(frozen=True)
class Database:
    """The unit-of-work factory the services use; the composition root builds one per process."""

    engine: Engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write unit of work: committed when the block ends, rolled back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (a deferred transaction on SQLite; never committed)."""
        bind = self.engine.execution_options(**{_READONLY: True})
        # Closing (not rolling back) ends the transaction without expiring loaded rows, so
        # results stay readable after the block; the pool resets the connection.
        with Session(bind, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown and in tests)."""
        self.engine.dispose()


def open_database(url: str, *, echo: bool = False) -> Database:
    """A :class:`Database` for ``url``; :func:`storage.migrate.upgrade` creates the schema."""
    return Database(engine=make_engine(url, echo=echo))
