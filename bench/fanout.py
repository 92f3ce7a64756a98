"""Fan-out: thousands of check-ins through a rate-limited Slack, exactly once, across ``kill -9``.

Every seeded hire starts on the same day in the same zone, so each owes exactly one welcome, due
at the same send time — the burst Onramp produces at a zone's send time.
The sandbox (in this process) answers ``chat.postMessage`` with 429 + ``Retry-After`` above
``limit`` calls in any one-second window. The real sending path does the work: ``onramp tick``
subprocesses, one after another until the outbox is drained (a tick stops sending after its
45-second budget; the next one carries on). Each tick runs ``--now`` the fixed instant
:data:`NOW` plus the real time elapsed, so the calendar is deterministic while rate limits,
Retry-After and leases run on real time.

Then it is judged from both sides: the sandbox's record of successful posts (each names its
outbox row in the message metadata) and the outbox table.

- **achieved rate** = successful posts over the span from the first post attempt to the last
  successful post, as a fraction of what the limit admits over that span (``limit × (span + 1 s)``:
  the sliding window lets a full second's worth through at once, then ``limit`` a second);
- **duplicates** = posts beyond the first for one outbox row;
- **lost** = rows owed (not skipped) with no successful post.

The kill run is the same, except that the ``onramp tick`` running when half the messages are out
is killed with SIGKILL, and ticks carry on. The ticks after the kill run with their clock 150 s
ahead, past the 2-minute sending lease, as a restart that late would: rows the dead process had
claimed are reconciled against the DM history (sent if Slack has them, sent again if not) at once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bench.common import Child, Workspace, onramp
from bench.seed import seed

#: A Tuesday, 15 minutes into the 09:30 send time of the hires' zone (UTC): the fan-out Onramp
#: does at each zone's send time, when every hire there owes a check-in at once.
NOW = datetime(2026, 3, 10, 9, 45, tzinfo=UTC)
ZONE = (("UTC", None),)
#: How far ahead of the dead sender's clock the restarted one runs (the lease is 2 minutes).
RESTART_SKEW = timedelta(seconds=150)
MAX_TICKS = 40


@dataclass
class FanoutResult:
    """What one run achieved."""

    messages: int
    limit: float
    sent: int = 0
    duplicates: int = 0
    lost: int = 0
    seconds: float = 0.0
    ticks: int = 0
    rate_limited: int = 0
    killed_after: int | None = None
    reconciled_found: int = 0
    reconciled_resent: int = 0
    states: dict[str, int] = field(default_factory=dict)
    per_row: Counter[Any] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        """Successful posts per second over the sending phase."""
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def allowed(self) -> float:
        """Posts the limit admits over the run: a full window at once, then ``limit`` a second.

        The sandbox's limiter is a sliding one-second window, so over ``seconds`` it lets
        ``limit × (seconds + 1)`` through at most; dividing by ``limit × seconds`` instead would
        credit the first window's burst to the sender.
        """
        return self.limit * (self.seconds + 1.0)

    @property
    def ratio(self) -> float:
        """Successful posts as a fraction of what the limit allowed over the same span."""
        return self.sent / self.allowed if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        """The figures, rounded."""
        return {
            "messages": self.messages,
            "limit_per_second": self.limit,
            "sent": self.sent,
            "duplicates": self.duplicates,
            "lost": self.lost,
            "seconds": round(self.seconds, 2),
            "rate_per_second": round(self.rate, 2),
            "allowed_by_limit": round(self.allowed),
            "ratio_of_limit": round(self.ratio, 3),
            "ticks": self.ticks,
            "rate_limited_429": self.rate_limited,
            **(
                {
                    "killed_after_posts": self.killed_after,
                    "reconciled_found_in_history": self.reconciled_found,
                    "reconciled_sent_again": self.reconciled_resent,
                }
                if self.killed_after is not None
                else {}
            ),
            "outbox_states": self.states,
        }


def run(
    workspace: Workspace,
    *,
    messages: int,
    limit: float,
    kill: bool,
    log: Callable[[str], None] = print,
) -> FanoutResult:
    """Seed ``messages`` hires, send their welcomes through the limit; optionally kill midway."""
    from bot.app import build
    from bot.config import load_settings
    from bot.sandbox import SlackSandbox

    name = "fanout-kill" if kill else "fanout"
    url = workspace.database_url(name)
    config = workspace.config(name, database_url=url)
    container = build(load_settings(config))
    try:
        seeded = seed(
            container.db, container.catalog, count=messages, now=NOW, spread_days=0, zones=ZONE
        )
    finally:
        container.close()

    result = FanoutResult(messages=messages, limit=limit)
    with SlackSandbox() as sandbox:
        for uid in (*seeded.hires, *seeded.managers, *seeded.mentors):
            sandbox.add_user(uid, uid.lower())
        sandbox.rate_limit("chat.postMessage", per_second=limit)
        sender = _Sender(
            workspace=workspace,
            name=name,
            config=config,
            env=workspace.env(url, sandbox.env()),
            result=result,
        )
        sender.drain(url, lambda: _posted(sandbox), kill_at=messages // 2 if kill else None)
        if kill:
            log(f"{name}: killed a sender (kill -9) after {result.killed_after} posts")
        _judge_posts(sandbox, result)
    _judge_outbox(url, result)
    log(
        f"{name}: {result.sent} posts in {result.seconds:.1f} s = {result.rate:.1f}/s, "
        f"{result.ratio:.0%} of what {limit:g}/s allows, {result.duplicates} duplicates, "
        f"{result.lost} lost, {result.rate_limited} answered 429, {result.ticks} ticks"
    )
    return result


@dataclass
class _Sender:
    """Runs ``onramp tick`` processes one after another, the clock at NOW + real elapsed time."""

    workspace: Workspace
    name: str
    config: Any
    env: dict[str, str]
    result: FanoutResult
    started: float = field(default_factory=time.monotonic)

    def tick(self, skew: timedelta = timedelta(0)) -> Child:
        """Start one ``onramp tick``."""
        now = NOW + timedelta(seconds=time.monotonic() - self.started) + skew
        self.result.ticks += 1
        argv = onramp("tick", "--json", "--now", now.isoformat(), "--config", str(self.config))
        return self.workspace.spawn(f"{self.name}-{self.result.ticks}", argv, env=self.env)

    def drain(self, url: str, posted: Callable[[], int], kill_at: int | None = None) -> None:
        """Tick until no row is pending or sending; fail loudly if that stops making progress.

        With ``kill_at``, the tick running when that many messages are out is killed with
        SIGKILL, and the ticks after it run :data:`RESTART_SKEW` ahead (the lease has expired).
        """
        before, stalled, skew = self.result.messages, 0, timedelta(0)
        while self.result.ticks < MAX_TICKS:
            child = self.tick(skew)
            if kill_at is not None and self.result.killed_after is None:
                while child.process.poll() is None and posted() < kill_at:
                    time.sleep(0.02)
                if child.process.poll() is None:
                    self.result.killed_after = posted()
                    child.kill9()
                    self.workspace.forget(child)
                    skew = RESTART_SKEW
                    continue
            child.process.wait()
            output = child.output()
            self.workspace.forget(child)
            if child.process.returncode not in (0, 1) or "Traceback" in output:
                raise RuntimeError(f"onramp tick exited {child.process.returncode}: {output}")
            # Rows the killed sender left in "sending": found in the DM history, or sent again.
            self.result.reconciled_found += output.count('"reason": "found in the DM history"')
            self.result.reconciled_resent += output.count('"reason": "not posted; retrying"')
            left = _pending(url)
            if left == 0:
                if kill_at is not None and self.result.killed_after is None:
                    raise RuntimeError(f"{self.name}: done before {kill_at} posts; nothing killed")
                return
            stalled = stalled + 1 if left == before else 0
            if stalled >= 2:
                raise RuntimeError(f"{self.name}: {left} rows pending; two ticks sent nothing")
            before = left
        raise RuntimeError(f"{self.name}: the outbox was not drained after {MAX_TICKS} ticks")


def _posted(sandbox: Any) -> int:
    return sum(1 for c in sandbox.calls("chat.postMessage") if c.ok)


def _judge_posts(sandbox: Any, result: FanoutResult) -> None:
    """Rate, 429s and duplicates from the sandbox's record of ``chat.postMessage``."""
    calls = sandbox.calls("chat.postMessage")
    ok = [c for c in calls if c.ok]
    result.rate_limited = sum(1 for c in calls if c.status == 429)
    result.per_row = Counter(
        (m.event_payload or {}).get("outbox_id") for m in sandbox.bot_messages()
    )
    result.duplicates = sum(n - 1 for n in result.per_row.values() if n > 1)
    result.sent = len(ok)
    if ok:
        result.seconds = ok[-1].at.timestamp() - calls[0].at.timestamp()


def _judge_outbox(url: str, result: FanoutResult) -> None:
    """Lost rows (owed, never posted) and the final states, from the outbox table."""
    from sqlalchemy import create_engine

    from storage.models import Outbox

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            states = conn.execute(
                select(Outbox.state, func.count()).group_by(Outbox.state)  # type: ignore[arg-type]
            ).all()
            owed = conn.execute(select(Outbox.id).where(Outbox.state != "skipped")).scalars()
            result.lost = sum(1 for row_id in owed if result.per_row.get(row_id, 0) == 0)
    finally:
        engine.dispose()
    result.states = {state: int(n) for state, n in states}


def _pending(url: str) -> int:
    from sqlalchemy import create_engine

    from storage.models import Outbox

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(Outbox)
                    .where(Outbox.state.in_(("pending", "sending")))  # type: ignore[attr-defined]
                ).scalar_one()
            )
    finally:
        engine.dispose()
