"""The APScheduler wiring: one tick job, every minute, UTC, in memory, never overlapping."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.triggers.interval import IntervalTrigger

from bot.jobs.scheduler import PURGE_JOB_ID, TICK_JOB_ID, build_scheduler, run_purge, run_tick
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Onboarding
from storage.engine import Database
from storage.models import QaLog
from storage.qa import add_qa, purge_before, recent_qa
from tests.support.checkins import checkin_engine


@pytest.fixture
def checkins(onboarding: Onboarding) -> Checkins:
    """The engine without Slack."""
    return checkin_engine(onboarding)


def test_one_tick_job_every_minute_in_utc_with_an_in_memory_store(checkins: Checkins) -> None:
    """The only job is the tick: a 60 s interval trigger in UTC, coalesced, one instance."""
    scheduler = build_scheduler(checkins, first_run=datetime(2030, 1, 1, tzinfo=UTC))
    scheduler.start(paused=True)
    try:
        jobs = scheduler.get_jobs()
        assert [job.id for job in jobs] == [TICK_JOB_ID]
        job = jobs[0]
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=60)
        assert str(job.trigger.timezone) == "UTC"
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.func is run_tick
        assert job.args == (checkins,)
        assert str(scheduler.timezone) == "UTC"
        assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    finally:
        scheduler.shutdown(wait=False)
    assert not scheduler.running


def test_a_failing_tick_is_logged_not_raised(
    checkins: Checkins, caplog: pytest.LogCaptureFixture
) -> None:
    """Without Slack the tick fails; the job logs it and the scheduler keeps going."""
    with caplog.at_level(logging.ERROR, logger="onramp.jobs"):
        run_tick(checkins)
    assert "tick failed" in caplog.text


def test_the_retention_purge_runs_daily_and_deletes_old_answers(
    checkins: Checkins, db: Database, clock: ManualClock
) -> None:
    """With a purge given, a daily job applies qa_log retention: old rows go, recent ones stay."""
    now = clock.now()
    with db.transaction() as session:
        for age_days in (200, 10):
            add_qa(
                session=session,
                entry=QaLog(
                    question="q",
                    answer="a",
                    backend="extractive",
                    prompt_version="answer@v1",
                    created_at=now - timedelta(days=age_days),
                ),
            )

    def purge() -> int:
        with db.transaction() as session:
            return purge_before(session=session, cutoff=now - timedelta(days=180))

    scheduler = build_scheduler(checkins, first_run=datetime(2030, 1, 1, tzinfo=UTC), purge=purge)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job(PURGE_JOB_ID)
        assert job is not None
        assert job.trigger.interval == timedelta(hours=24)
        assert job.func is run_purge
    finally:
        scheduler.shutdown(wait=False)
    run_purge(purge)
    with db.read() as session:
        left = recent_qa(session=session)
    assert [now - row.created_at for row in left] == [timedelta(days=10)]


def test_a_failing_purge_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """A purge that fails is logged and left for the next day's run."""

    def broken() -> int:
        raise RuntimeError("database went away")

    with caplog.at_level(logging.ERROR, logger="onramp.jobs"):
        run_purge(broken)
    assert "retention purge failed" in caplog.text
