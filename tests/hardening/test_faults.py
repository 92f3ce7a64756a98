"""Faults survived: Slack 429 storms, 5xx and dropped connections while sending check-ins and
answering commands, a locked SQLite file, PostgreSQL connections killed mid-run, and a month of
ticks for 500 hires under random Slack failures. Nothing lost, nothing sent twice."""

from __future__ import annotations

import os
import random
import sqlite3
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from bot.app import Container
from bot.jobs.scheduler import TickStatus, run_tick
from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from storage import outbox as repo
from storage.engine import Database, normalize_url, open_database
from storage.migrate import upgrade
from tests.conftest import PG_ENV
from tests.hardening.conftest import (
    HIRE,
    MANAGER,
    MENTOR,
    Ticking,
    checkin_messages,
    enroll_crowd,
    enroll_hire,
    shown,
    wired_engine,
)
from tests.support.enroll import enroll


def _sent_once(sandbox: SlackSandbox, db: Database) -> tuple[Counter[str], set[str]]:
    """(posts per outbox key seen in Slack, keys of rows the outbox says are sent)."""
    posted = Counter(str(m.event_payload["key"]) for m in checkin_messages(sandbox))
    with db.read() as session:
        sent = {row.key for row in repo.rows_where(session=session, states=[repo.SENT])}
    return posted, sent


# --- Slack faults ---------------------------------------------------------------------------


def test_check_ins_survive_429_storms_5xx_and_dropped_connections(
    slack: SlackDriver, ticking: Ticking, sandbox: SlackSandbox, container: Container
) -> None:
    """While chat.postMessage answers 429s, 500s, 503s and drops connections (some after
    posting), every check-in still reaches Slack exactly once and the outbox says so."""
    enroll_hire(slack)
    # 429s cost no attempt; 5xx and resets do (six are allowed), so those are sized to be
    # survived; more would end in `failed` with the reason, which is reported.
    sandbox.fail("chat.postMessage", 429, retry_after=2, times=3)
    sandbox.fail("chat.postMessage", 500, times=1)
    sandbox.fail("chat.postMessage", 503, times=1)
    sandbox.reset("chat.postMessage", times=1, processed=True)
    sandbox.reset("conversations.open", times=1)
    ticking.run(30 * 4, every=timedelta(hours=6))
    posted, sent = _sent_once(sandbox, container.db)
    assert posted
    assert set(posted) == sent
    assert max(posted.values()) == 1
    with container.db.read() as session:
        stuck = repo.rows_where(session=session, states=[repo.SENDING, repo.FAILED])
    assert stuck == []


def test_commands_answer_while_slack_fails_behind_them(
    slack: SlackDriver, sandbox: SlackSandbox, runtime
) -> None:  # type: ignore[no-untyped-def]
    """users.info, views.publish and chat.postMessage failing (500s, 429s, resets) behind a
    command never cost the command its reply."""
    sandbox.fail("users.info", 500, times=None)
    sandbox.fail("views.publish", 429, retry_after=1, times=3)
    sandbox.reset("views.publish", times=2)
    delivery = slack.command(f"enroll <@{HIRE}|hana> mentor=<@{MENTOR}|milo>", MANAGER)
    assert delivery.status == 200
    assert "Enrolled" in shown(delivery)
    assert delivery.in_time
    assert slack.command("team", MANAGER).status == 200
    runtime.settle()


# --- SQLite busy ------------------------------------------------------------------------------


def test_a_locked_sqlite_file_fails_the_tick_clearly_and_the_next_tick_catches_up(
    tmp_path: Path, catalog: PlanCatalog, clock: ManualClock, sandbox: SlackSandbox
) -> None:
    """When another process holds the write lock longer than the busy timeout, the tick fails
    with 'database is locked' (logged, reported in the health status), nothing is half-done,
    and the next tick sends everything that was due — once."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    db = open_database(url)
    upgrade(db)
    # This test's engine gives up after 50 ms instead of 30 s.
    event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=50"))
    db.engine.dispose()
    onboarding, checkins = wired_engine(db, catalog, clock, sandbox)
    sandbox.add_user(HIRE, "hana", tz="Europe/Berlin")
    sandbox.add_user(MANAGER, "maria", tz="UTC")
    sandbox.add_user(MENTOR, "milo", tz="UTC")
    enroll(onboarding, tz="Europe/Berlin")
    clock.advance(timedelta(days=1))
    locker = sqlite3.connect(str(tmp_path / "busy.db"), isolation_level=None, timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    status = TickStatus()
    run_tick(checkins, status)
    assert (status.ok, status.error) == (False, "OperationalError")
    assert checkin_messages(sandbox) == []
    locker.execute("ROLLBACK")
    locker.close()
    run_tick(checkins, status)
    assert status.ok is True
    posted, sent = _sent_once(sandbox, db)
    assert posted
    assert set(posted) == sent
    assert max(posted.values()) == 1
    db.dispose()


# --- PostgreSQL connections killed ------------------------------------------------------------


#: The ``database_url`` fixture's PostgreSQL side alone (skipped when it is not configured).
ON_POSTGRES = pytest.param(
    "postgresql",
    marks=pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set"),
)


@pytest.fixture
def pg_url(database_url: str) -> str:
    """A fresh schema on the test PostgreSQL, reached under a unique application_name."""
    return f"{database_url}&application_name=onramp_{uuid.uuid4().hex[:12]}"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", [ON_POSTGRES], indirect=True)
def test_postgres_connections_killed_mid_run_are_replaced_and_nothing_is_lost_or_doubled(
    pg_url: str, catalog: PlanCatalog, clock: ManualClock, sandbox: SlackSandbox
) -> None:
    """pg_terminate_backend on every pooled connection between ticks (as a server restart or
    failover does): the pool's pre-ping replaces them, and the month's check-ins all go out
    exactly once."""
    db = open_database(pg_url)
    upgrade(db)
    onboarding, checkins = wired_engine(db, catalog, clock, sandbox)
    for user_id in (HIRE, MANAGER, MENTOR):
        sandbox.add_user(user_id, user_id.lower(), tz="UTC")
    enroll(onboarding, tz="UTC")
    name = pg_url.rsplit("application_name=", 1)[1]
    admin = create_engine(
        normalize_url(pg_url.split("?", maxsplit=1)[0]), isolation_level="AUTOCOMMIT"
    )
    killed = 0
    for day in range(30):
        clock.advance(timedelta(days=1))
        checkins.tick()
        if day % 3 == 0:
            with admin.connect() as conn:
                killed += len(
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = :name"
                        ),
                        {"name": name},
                    ).all()
                )
    admin.dispose()
    assert killed > 0
    posted, sent = _sent_once(sandbox, db)
    assert len(posted) >= 5
    assert set(posted) == sent
    assert max(posted.values()) == 1
    db.dispose()


# --- a month for 500 hires ----------------------------------------------------------------------

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC"]


@pytest.mark.slow
def test_soak_thirty_days_five_hundred_hires_with_random_slack_faults(
    tmp_path: Path, catalog: PlanCatalog, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """500 hires in five zones, 30 simulated days of ticks every four hours (each tick sends
    everything due since the last), Slack failing at random
    (fixed seed: 429s, 5xx, dropped connections): every check-in the outbox owes is posted
    exactly once, none is left sending or failed, and Slack holds no post the outbox lacks."""
    db = open_database(f"sqlite:///{tmp_path / 'soak.db'}")
    upgrade(db)
    onboarding, checkins = wired_engine(db, catalog, clock, sandbox)
    rng = random.Random(20261101)  # noqa: S311 - a reproducible fault pattern, not a secret
    enroll_crowd(
        onboarding,
        sandbox,
        prefix="U0H",
        count=500,
        start=date(2026, 11, 3),
        zones=ZONES,
        spread_days=10,
    )
    for _tick in range(30 * 4):
        clock.advance(timedelta(hours=6))
        roll = rng.random()
        if roll < 0.15:
            sandbox.fail("chat.postMessage", 429, retry_after=rng.choice([1, 5, 30]), times=3)
        elif roll < 0.25:
            sandbox.fail("chat.postMessage", rng.choice([500, 502, 503]), times=2)
        elif roll < 0.30:
            sandbox.reset("chat.postMessage", times=1, processed=rng.random() < 0.5)
        checkins.tick()
        sandbox.clear_faults()
    posted, sent = _sent_once(sandbox, db)
    with db.read() as session:
        open_rows = repo.rows_where(session=session, states=[repo.SENDING, repo.FAILED])
    assert open_rows == []
    assert len(sent) > 1500  # welcomes, pulses, digests, nudges for 500 people
    assert set(posted) == sent
    assert max(posted.values()) == 1
    db.dispose()
