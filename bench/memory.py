"""Memory: resident set size of ``onramp serve --http`` holding 10,000 enrollments after a tick.

The database is seeded with 10,000 active enrollments (start dates spread over a year, 14 zones)
and brought to a steady state first: everything owed today is enqueued, then recorded as sent
and answered (as if earlier ticks had delivered it and the hires had replied), so the server's
own tick derives over all 10,000 enrollments but has nothing to post. ``onramp serve --http``
then starts against the Slack sandbox; its scheduler ticks straight away. Once APScheduler logs
that the tick job finished, ``VmRSS`` (and the high-water mark ``VmHWM``) are read from
``/proc/PID/status``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from bench.common import Workspace, free_port, onramp, rss_mb, wait_http
from bench.seed import seed

TICK_DONE = re.compile(r"checkins\.tick.*executed successfully|Check-in tick.*executed")


@dataclass(frozen=True)
class MemoryResult:
    """RSS after the tick, its high-water mark, and whether the tick was seen to finish."""

    enrollments: int
    rss_mb: float
    peak_mb: float
    tick_seen: bool
    tick_seconds: float


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(
    workspace: Workspace, *, enrollments: int = 10_000, log: Callable[[str], None] = print
) -> MemoryResult:
    """Seed, settle the outbox, start the server, wait for its first tick, read its memory."""
    from bot.app import build
    from bot.config import load_settings
    from bot.sandbox import SlackSandbox
    from storage.models import Outbox

    url = workspace.database_url("memory")
    config = workspace.config("memory", database_url=url, log_level="INFO")
    now = datetime.now(UTC)
    container = build(load_settings(config))
    try:
        seeded = seed(container.db, container.catalog, count=enrollments, now=now)
        container.checkins.enqueue(now=now)
        with container.db.transaction() as session:
            session.execute(
                update(Outbox)
                .where(Outbox.state == "pending")  # type: ignore[arg-type]
                .values(state="sent", sent_at=now, answered_at=now, answer={"mood": "on_track"})
            )
    finally:
        container.close()

    with SlackSandbox() as sandbox:
        for uid in (*seeded.hires, *seeded.managers, *seeded.mentors):
            sandbox.add_user(uid, uid.lower())
        port = free_port()
        started = time.monotonic()
        server = workspace.spawn(
            "memory-serve",
            onramp(
                "serve",
                "--http",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--config",
                str(config),
            ),
            env=workspace.env(url, sandbox.env()),
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60, process=server.process)
            seen = False
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and server.process.poll() is None:
                if TICK_DONE.search(server.output()):
                    seen = True
                    break
                time.sleep(0.1)
            took = time.monotonic() - started
            current, peak = rss_mb(server.pid), _hwm_mb(server.pid)
        finally:
            workspace.forget(server)
    log(
        f"memory: onramp serve with {enrollments:,} enrollments: RSS {current:.0f} MB after its "
        f"tick (peak {peak:.0f} MB){'' if seen else ' — tick end not seen in the log'}"
    )
    return MemoryResult(
        enrollments=enrollments, rss_mb=current, peak_mb=peak, tick_seen=seen, tick_seconds=took
    )
