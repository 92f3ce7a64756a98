"""Shared fixtures: real databases (SQLite files, and PostgreSQL when configured), plans, a clock.

``ONRAMP_TEST_TRAVEL=2027-03-14T06:59:00Z`` runs the whole session with every clock moved to that
instant (time-machine, ticking from there): the tests' and the product's ``datetime.now()``,
``date.today()`` and ``time.time()``, and every ``onramp`` subprocess the tests start (see
``tests/support/travel.py``). The header of the run names the instant.

``ONRAMP_TEST_DATABASE_URL`` (set by ``.ci/run`` when PostgreSQL listens on 127.0.0.1:5432) makes
every test that uses the ``database_url`` fixture run on both databases; each PostgreSQL test gets
a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from sqlalchemy import create_engine, text

from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Onboarding
from storage.engine import Database, normalize_url, open_database
from storage.migrate import upgrade
from tests.support import travel

ROOT = Path(__file__).resolve().parents[1]
PLANS_DIR = ROOT / "plans"
PG_ENV = "ONRAMP_TEST_DATABASE_URL"


def pytest_configure(config: pytest.Config) -> None:
    """Travel the whole session to ``ONRAMP_TEST_TRAVEL`` when it is set."""
    travel.start_session_travel()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Come back from the session's travel, if any."""
    travel.stop_session_travel()


def pytest_report_header(config: pytest.Config) -> str:
    """Say which instant the session's clocks start at."""
    return travel.header()


@pytest.fixture
def real_clock() -> Iterator[None]:
    """The wall clock for this test, even under ``ONRAMP_TEST_TRAVEL``.

    Only for tests of what ``bench/`` runs: its servers are real processes started as an
    operator would, on the real clock, and Slack's request signatures must agree with theirs.
    """
    if not travel.travelling():
        yield
        return
    with time_machine.travel(time_machine.escape_hatch.datetime.datetime.now(UTC), tick=True):
        yield


def _backends() -> list[object]:
    return [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set"),
            ],
        ),
    ]


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh schema on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onramp.db'}"
        return
    base = os.environ[PG_ENV]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database (both backends when PostgreSQL is configured)."""
    database = open_database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def catalog() -> PlanCatalog:
    """The plans shipped in ``plans/``."""
    return PlanCatalog(PLANS_DIR)


@pytest.fixture
def clock() -> ManualClock:
    """A clock frozen at 2026-11-02 14:00 UTC (a Monday) until a test moves it."""
    return ManualClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))


@pytest.fixture
def onboarding(db: Database, catalog: PlanCatalog, clock: ManualClock) -> Onboarding:
    """The onboarding service over a real database, with U0ADMIN as the only admin."""
    return Onboarding(
        db=db, catalog=catalog, clock=clock, admins=frozenset({"U0ADMIN"}), default_tz="UTC"
    )
