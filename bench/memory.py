"""Memory: resident set size of ``onramp serve --http`` holding 10,000 enrollments after a tick.

The database is seeded with 10,000 active enrollments (start dates spread over a year, 14 zones)
and brought to a steady state first: everything owed today is enqueued, then recorded as sent
and answered (as if earlier ticks had delivered it and the hires had replied), so the server's
own tick derives over all 10,000 enrollments but has nothing to post. ``onramp serve --http``
then starts against the Slack sandbox; its scheduler ticks straight away. Once APScheduler logs
that the tick job finished, ``VmRSS`` (and the high-water mark ``VmHWM``) are read from
``/proc/PID/status``: ``rss_mb``, a server that has answered nothing.

Then one hire DMs the bot a few distinct questions (signed Events API deliveries through
:class:`bot.sandbox.SlackDriver`, the path a real DM takes; the server has no Anthropic key, so
the offline answerer replies). Once every answer has been posted to the sandbox, the memory is
read again: ``rss_after_answers_mb``, a server that holds the sentence encoder, the word-rarity
table and the passage vectors its first question loaded (the server's log must show the encoder
loading, or the line says it did not).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import update

from bench.common import Workspace, free_port, onramp_http, rss_mb, wait_http
from bench.seed import seed
from bot.llm.encoder import MODEL_NAME

if TYPE_CHECKING:
    from bot.sandbox import SlackDriver

TICK_DONE = re.compile(r"checkins\.tick.*executed successfully|Check-in tick.*executed")
#: What bot.llm.encoder logs once the sentence encoder is loaded (at the first question).
ENCODER_LOADED = re.compile(f"loaded {re.escape(MODEL_NAME)}")
#: Distinct questions (no answer cache hits) about the bundled plan's blueprint, in plain words
#: and paraphrase, so both the keyword and the semantic halves of retrieval run.
QUESTIONS = (
    "How fast should responses be at the 95th percentile?",
    "What should I achieve in my first 60 days?",
    "How are LLM calls usually wrapped in the backend?",
    "Which metrics show that I am doing well?",
    "What skills does the role need?",
)


@dataclass(frozen=True)
class MemoryResult:
    """RSS after the tick, its high-water mark, and whether the tick was seen to finish; then
    the same after the server answered ``answers`` of the questions asked."""

    enrollments: int
    rss_mb: float
    peak_mb: float
    tick_seen: bool
    tick_seconds: float
    rss_after_answers_mb: float
    peak_after_answers_mb: float
    answers: int
    encoder_loaded: bool


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ask_by_dm(
    driver: SlackDriver,
    asker: str,
    questions: Sequence[str],
    *,
    timeout: float = 60.0,
) -> int:
    """DM ``questions`` to the bot as ``asker``, one after the other, each answered before the
    next is sent; how many were answered (stops at the first one left unanswered in ``timeout``).

    An answer is a new bot message in the asker's DM. Waiting for each keeps one question in
    flight, so the memory read afterwards is a server at rest, not one mid-answer.
    """
    sandbox = driver.sandbox
    answered = 0
    for question in questions:
        before = len(sandbox.bot_messages(asker))
        delivery = driver.dm(asker, question)
        if not delivery.ok:
            raise RuntimeError(f"the server answered the DM event with HTTP {delivery.status}")
        deadline = time.monotonic() + timeout
        while len(sandbox.bot_messages(asker)) <= before:
            if time.monotonic() >= deadline:
                return answered
            time.sleep(0.05)
        answered += 1
    return answered


def run(
    workspace: Workspace, *, enrollments: int = 10_000, log: Callable[[str], None] = print
) -> MemoryResult:
    """Seed, settle the outbox, start the server, wait for its first tick, read its memory; then
    DM it a few questions and read its memory again."""
    from bot.app import build
    from bot.config import load_settings
    from bot.sandbox import SlackDriver, SlackSandbox
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
            onramp_http(port, config),
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
            driver = SlackDriver(sandbox, f"http://127.0.0.1:{port}/slack/events")
            answered = ask_by_dm(driver, seeded.hires[0], QUESTIONS)
            answered_rss, answered_peak = rss_mb(server.pid), _hwm_mb(server.pid)
            encoder = bool(ENCODER_LOADED.search(server.output()))
        finally:
            workspace.forget(server)
    log(
        f"memory: onramp serve with {enrollments:,} enrollments: RSS {current:.0f} MB after its "
        f"tick (peak {peak:.0f} MB){'' if seen else ' — tick end not seen in the log'}; "
        f"{answered_rss:.0f} MB after answering {answered} of {len(QUESTIONS)} questions "
        f"(peak {answered_peak:.0f} MB){'' if encoder else ' — the encoder was not loaded'}"
    )
    return MemoryResult(
        enrollments=enrollments,
        rss_mb=current,
        peak_mb=peak,
        tick_seen=seen,
        tick_seconds=took,
        rss_after_answers_mb=answered_rss,
        peak_after_answers_mb=answered_peak,
        answers=answered,
        encoder_loaded=encoder,
    )
