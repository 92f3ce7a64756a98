"""The check-in scheduler: an APScheduler 3.x ``BackgroundScheduler`` with one ``tick`` job.

The database is the single source of truth (design §5): no job per check-in, no persistent job
store. The scheduler runs in UTC with an in-memory store; the one job runs every minute,
``coalesce=True`` (missed runs collapse into one) and ``max_instances=1`` (a slow tick is never
overlapped by the next). Several processes may run it: the outbox's keys and claims keep every
message single.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.logcontext import log_context
from bot.services.checkins import Checkins

log = logging.getLogger("onramp.jobs")

TICK_JOB_ID = "checkins.tick"
TICK_SECONDS = 60
PURGE_JOB_ID = "qa.purge"
PURGE_HOURS = 24


@dataclass
class TickStatus:
    """What the last tick did, for ``/healthz`` (thread-safe)."""

    started_at: datetime | None = None
    finished_at: datetime | None = None
    ok: bool | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> None:
        """A tick began."""
        with self._lock:
            # Wall time: /healthz tells an operator when the process last ticked, not what
            # instant the tick worked on (that is the injected clock's, in the tick report).
            self.started_at = datetime.now(UTC)  # noqa: TID251 - process health, wall time

    def finish(self, error: BaseException | None = None) -> None:
        """A tick ended (with the error that ended it, if any)."""
        with self._lock:
            self.finished_at = datetime.now(UTC)  # noqa: TID251 - process health, wall time
            self.ok = error is None
            self.error = None if error is None else type(error).__name__

    def as_json(self) -> dict[str, Any]:
        """``{"last_tick_started", "last_tick_finished", "last_tick_ok", "last_error"}``."""
        with self._lock:
            return {
                "last_tick_started": self.started_at.isoformat() if self.started_at else None,
                "last_tick_finished": self.finished_at.isoformat() if self.finished_at else None,
                "last_tick_ok": self.ok,
                "last_error": self.error,
            }


def run_tick(checkins: Checkins, status: TickStatus | None = None) -> None:
    """One tick; failures are logged, never raised into the scheduler (the next tick retries)."""
    status = status or TickStatus()
    status.start()
    with log_context(request_id=f"tick-{uuid.uuid4().hex[:8]}"):
        try:
            report = checkins.tick()
        except Exception as exc:
            status.finish(exc)
            log.exception("check-in tick failed; the next tick will retry")
            return
        status.finish()
    if report.sent or report.failed or report.deferred:
        log.info(
            "tick: %d sent, %d deferred, %d failed, %d skipped",
            len(report.sent),
            len(report.deferred),
            len(report.failed),
            len(report.skipped),
        )


def run_purge(purge: Callable[[], int]) -> None:
    """Apply the qa_log retention period; failures are logged and retried on the next run."""
    try:
        removed = purge()
    except Exception:
        log.exception("qa_log retention purge failed; it runs again in %d h", PURGE_HOURS)
        return
    if removed:
        log.info("qa_log retention: %d old answers deleted", removed)


def build_scheduler(
    checkins: Checkins,
    *,
    first_run: datetime | None = None,
    status: TickStatus | None = None,
    purge: Callable[[], int] | None = None,
) -> BackgroundScheduler:
    """A scheduler (not started) holding the tick job, first run at ``first_run`` (default: now).

    With ``purge`` (the answer service's retention purge) it also runs that once a day, starting
    at ``first_run``, so qa_log never keeps answers past ``answers.qa_retention_days``.
    """
    scheduler = BackgroundScheduler(
        timezone=UTC,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": TICK_SECONDS},
    )
    scheduler.add_job(
        run_tick,
        trigger=IntervalTrigger(seconds=TICK_SECONDS, timezone=UTC),
        args=[checkins] if status is None else [checkins, status],
        id=TICK_JOB_ID,
        name="Check-in tick: derive due work, send the outbox",
        replace_existing=True,
        # APScheduler fires on the wall clock; what is due is asked of the injected clock.
        next_run_time=first_run or datetime.now(UTC),  # noqa: TID251 - APScheduler's own time
    )
    if purge is not None:
        scheduler.add_job(
            run_purge,
            trigger=IntervalTrigger(hours=PURGE_HOURS, timezone=UTC),
            args=[purge],
            id=PURGE_JOB_ID,
            name="qa_log retention purge",
            replace_existing=True,
            next_run_time=first_run or datetime.now(UTC),  # noqa: TID251 - APScheduler's time
        )
    return scheduler


class CheckinScheduler:
    """What ``onramp serve`` starts and stops."""

    def __init__(self, checkins: Checkins, *, purge: Callable[[], int] | None = None) -> None:
        self.checkins = checkins
        self.status = TickStatus()
        self.scheduler = build_scheduler(checkins, status=self.status, purge=purge)

    def health(self) -> dict[str, Any]:
        """The scheduler's state for ``/healthz``: running, next tick, what the last one did."""
        job = self.scheduler.get_job(TICK_JOB_ID) if self.scheduler.running else None
        next_run = job.next_run_time if job is not None else None
        return {
            "running": bool(self.scheduler.running),
            "next_tick": next_run.isoformat() if next_run else None,
            **self.status.as_json(),
        }

    def start(self) -> None:
        """Start ticking in a background thread."""
        self.scheduler.start()
        log.info("check-in scheduler started: a tick every %d s", TICK_SECONDS)

    def stop(self) -> None:
        """Stop; the running tick finishes the message in flight and releases the rows it
        claimed but did not send, so none is left in ``sending``."""
        self.checkins.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
