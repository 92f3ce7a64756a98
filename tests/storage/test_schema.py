"""The schema: migrations equal the models, and the database enforces what it should."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel, select

from storage import repositories as repo
from storage.engine import Database, normalize_url, open_database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Enrollment, Person
from tests.support.threads import run_together

#: When the rows these tests write say they were written.
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_migrations_produce_exactly_the_models_schema(db: Database) -> None:
    """After `db upgrade`, Alembic finds no difference between the database and the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert current_revision(db) == head_revision(db)


def test_upgrade_is_idempotent(db: Database) -> None:
    """Running the migrations again changes nothing."""
    before = sorted(inspect(db.engine).get_table_names())
    upgrade(db)
    assert sorted(inspect(db.engine).get_table_names()) == before


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every SQLite connection runs in WAL mode with a busy timeout and foreign keys on."""
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    """postgres:// and postgresql:// URLs are served by the psycopg 3 driver."""
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def _enrollment(hire: Person, manager: Person, status: str = "active") -> Enrollment:
    assert hire.id is not None
    assert manager.id is not None
    return Enrollment(
        hire_id=hire.id,
        manager_id=manager.id,
        plan_id="p",
        plan_version=1,
        plan_hash="h",
        start_date=date(2026, 11, 2),
        status=status,
    )


def test_database_allows_one_open_enrollment_per_hire(db: Database) -> None:
    """The partial unique index refuses a second active or paused enrollment of the same hire."""
    with db.transaction() as s:
        hire = repo.upsert_person(session=s, user_id="UH", at=NOW)
        boss = repo.upsert_person(session=s, user_id="UM", at=NOW)
        repo.add_enrollment(
            session=s, enrollment=_enrollment(hire, boss, "completed"), mentor_ids=[]
        )
        repo.add_enrollment(session=s, enrollment=_enrollment(hire, boss, "active"), mentor_ids=[])
    with pytest.raises(IntegrityError), db.transaction() as s:
        repo.add_enrollment(session=s, enrollment=_enrollment(hire, boss, "paused"), mentor_ids=[])


def test_foreign_keys_are_enforced(db: Database) -> None:
    """An enrollment naming a person who does not exist is refused by the database."""
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(
            Enrollment(
                hire_id=999,
                manager_id=998,
                plan_id="p",
                plan_version=1,
                plan_hash="h",
                start_date=date(2026, 1, 1),
            )
        )


def test_timestamps_round_trip_as_aware_utc(db: Database) -> None:
    """A timestamp written in any zone is read back as the same instant, in UTC."""
    berlin = timezone(timedelta(hours=1))
    written = datetime(2026, 3, 29, 2, 30, tzinfo=berlin)
    with db.transaction() as s:
        repo.upsert_person(session=s, user_id="UZ", at=NOW)
        person = s.exec(select(Person).where(Person.user_id == "UZ")).one()
        person.updated_at = written
        s.add(person)
    with db.read() as s:
        read = s.exec(select(Person).where(Person.user_id == "UZ")).one().updated_at
    assert read == written
    assert read.tzinfo == UTC


def test_naive_timestamps_are_refused(db: Database) -> None:
    """Writing a naive datetime fails loudly instead of guessing its zone."""
    with pytest.raises(StatementError, match="timezone-aware"), db.transaction() as s:
        s.add(Person(user_id="UN", updated_at=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_concurrent_writers_lose_no_updates(db: Database) -> None:
    """Eight threads incrementing one row through write transactions lose no update."""
    with db.transaction() as s:
        repo.upsert_person(session=s, user_id="UC", display_name="0", at=NOW)

    def bump() -> None:
        for _ in range(40):
            with db.transaction() as s:
                person = repo.get_person(session=s, user_id="UC")
                assert person is not None
                if db.dialect == "postgresql":
                    s.exec(text("SELECT 1 FROM person WHERE user_id='UC' FOR UPDATE"))  # type: ignore[call-overload]
                    s.refresh(person)
                person.display_name = str(int(person.display_name) + 1)
                s.add(person)

    assert run_together(bump, 8, timeout=120) == []
    with db.read() as s:
        person = repo.get_person(session=s, user_id="UC")
        assert person is not None
        assert person.display_name == "320"
