"""The check-in scheduler: an APScheduler 3.x ``BackgroundScheduler`` with one ``tick`` job.

The database is the single source of truth (design §5): no job per check-in, no persistent job
store. The scheduler runs in UTC with an in-memory store; the one job runs every minute,
``coalesce=True`` (missed runs collapse into one) and ``max_instances=1`` (a slow tick is never
overlapped by the next). Several processes may run it: the outbox's keys and claims keep every
message single.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.checkins import Checkins

log = logging.getLogger("onramp.jobs")

TICK_JOB_ID = "checkins.tick"
TICK_SECONDS = 60


def run_tick(checkins: Checkins) -> None:
    """One tick; failures are logged, never raised into the scheduler (the next tick retries)."""
    try:
        report = checkins.tick()
    except Exception:
        log.exception("check-in tick failed; the next tick will retry")
        return
    if report.sent or report.failed or report.deferred:
        log.info(
            "tick: %d sent, %d deferred, %d failed, %d skipped",
            len(report.sent),
            len(report.deferred),
            len(report.failed),
            len(report.skipped),
        )


def build_scheduler(
    checkins: Checkins, *, first_run: datetime | None = None
) -> BackgroundScheduler:
    """A scheduler (not started) holding the tick job, first run at ``first_run`` (default: now)."""
    scheduler = BackgroundScheduler(
        timezone=UTC,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": TICK_SECONDS},
    )
    scheduler.add_job(
        run_tick,
        trigger=IntervalTrigger(seconds=TICK_SECONDS, timezone=UTC),
        args=[checkins],
        id=TICK_JOB_ID,
        name="Check-in tick: derive due work, send the outbox",
        replace_existing=True,
        next_run_time=first_run or datetime.now(UTC),
    )
    return scheduler


class CheckinScheduler:
    """What ``onramp serve`` starts and stops."""

    def __init__(self, checkins: Checkins) -> None:
        self.scheduler = build_scheduler(checkins)

    def start(self) -> None:
        """Start ticking in a background thread."""
        self.scheduler.start()
        log.info("check-in scheduler started: a tick every %d s", TICK_SECONDS)

    def stop(self) -> None:
        """Stop; wait for a running tick to finish so no row is left half-sent."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
