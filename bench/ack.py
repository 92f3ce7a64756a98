"""Ack latency: signed slash commands at a fixed arrival rate, Onramp against a bare Bolt app.

Both servers are subprocesses served the same way (``bot.slack.server.serve_http``: waitress on
127.0.0.1); ``onramp serve --http`` runs against a temp SQLite database and the Slack sandbox
(``bot.sandbox``, in this process) for the Web API. The load is **open loop**: request *i* is
scheduled at ``start + i / rate`` and handed to a pool of sender threads at that instant whether or
not earlier requests have been answered; its latency runs from the *scheduled* time to the end of
the HTTP response, so queueing anywhere (client pool, server accept queue, waitress threads) is
counted. Each request is what Slack sends — form-encoded, signed with the signing secret
(``SlackDriver.command``), a fresh connection each, with a ``response_url`` and ``trigger_id``.

The mix is half ``/onramp help`` and half ``/onramp progress <@hire>`` by that hire's manager
(a permission check, the hire's plan and milestone states from the database, Block Kit), over
ten callers. A warm-up (every caller once, on both servers) comes first, so the one-time
``users.info`` lookup of each caller is not in the figures. The measured load then runs against
both servers at once, their schedules interleaved (bare at *t*, Onramp at *t* + 5 ms, each at
100/s): a pause of the machine (other work on a shared 2-core box, the sandbox in this process)
hits both alike, so the ratio compares the apps rather than the moments they were measured in.

With ``claude_seconds`` (``bench.run --only ack_claude``), Onramp answers with Claude — the
loopback fake Messages API (``bot.llm.fake_api``) in this process, taking that many seconds per
reply — and, after the warm-up, :data:`QUESTIONS` DMs are put to it, so the whole measured load
runs while they wait on Claude (design.md §10: acks are as fast as without them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.common import ROOT, Latencies, Workspace, free_port, onramp_http, wait_http
from bench.seed import seed

RATE = 100.0  # requests per second
CALLERS = 10
SENDERS = 64  # client threads: far more than 100/s x a few ms needs, so the client never queues
QUESTIONS = 20  # DM questions waiting on a slow Claude during the load (ack_claude)


@dataclass(frozen=True)
class Series(Latencies):
    """Latencies (ms, scheduled send → response) and HTTP statuses (0: no answer) of one target."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Requests not answered 200."""
        return sum(status != 200 for status in self.statuses)


@dataclass
class AckResult:
    """Onramp and the bare Bolt app under the same load."""

    onramp: Series
    bare: Series
    rate: float
    requests: int

    @property
    def ratio(self) -> float:
        """Onramp's p99 over the bare app's p99."""
        return self.onramp.p99_ms / self.bare.p99_ms if self.bare.p99_ms else float("inf")


def open_loop(
    targets: dict[str, tuple[Callable[[int], int], Series]],
    *,
    count: int,
    rate: float,
    workers: int = SENDERS,
) -> None:
    """Send ``count`` requests to each target at ``rate``/s, the targets' schedules interleaved.

    Request *i* of the *k*-th target is due at ``start + i / rate + k / (rate × targets)``: each
    target gets exactly ``rate`` a second, and a stall of the machine hits all of them alike.
    Latency runs from the due time, whether or not earlier requests were answered (open loop).
    """
    lock = threading.Lock()

    def job(send: Callable[[int], int], series: Series, index: int, scheduled: float) -> None:
        try:
            status = send(index)
        except Exception:
            status = 0
        elapsed = (time.perf_counter() - scheduled) * 1000
        with lock:
            series.latencies_ms.append(elapsed)
            series.statuses.append(status)

    lanes = list(targets.values())
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
        start = time.perf_counter() + 0.1
        for index in range(count):
            for lane, (send, series) in enumerate(lanes):
                scheduled = start + index / rate + lane / (rate * len(lanes))
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(job, send, series, index, scheduled)


def run(
    workspace: Workspace,
    *,
    requests: int,
    log: Callable[[str], None] = print,
    claude_seconds: float = 0.0,
) -> AckResult:
    """Start the sandbox and both servers; warm up; then ``requests`` to each, interleaved."""
    from datetime import UTC, datetime

    from bot.app import build
    from bot.config import load_settings
    from bot.sandbox import SlackDriver, SlackSandbox

    name = "ack-claude" if claude_seconds > 0 else "ack"
    url = workspace.database_url(name)
    config = workspace.config(name, database_url=url)
    container = build(load_settings(config))  # migrate, then seed hires with managers
    try:
        # Plans starting in a month: the server's own tick finds nothing due during the run.
        seeded = seed(
            container.db,
            container.catalog,
            count=200,
            now=datetime.now(UTC),
            spread_days=10,
            start_offset_days=-40,
        )
    finally:
        container.close()
    callers = seeded.managers[:CALLERS]
    hires = seeded.hires[:CALLERS]  # hire i reports to manager i (see bench.seed)

    from bot.llm.fake_api import FakeMessagesAPI

    with SlackSandbox() as sandbox, FakeMessagesAPI() as claude:
        for uid in (*seeded.managers, *seeded.mentors, *seeded.hires):
            sandbox.add_user(uid, uid.lower(), tz="Europe/Berlin")
        env = workspace.env(url, sandbox.env())
        if claude_seconds > 0:
            claude.latency = claude_seconds
            env.update(ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=claude.base_url)
        onramp_port, bare_port = free_port(), free_port()
        server = workspace.spawn(f"{name}-onramp", onramp_http(onramp_port, config), env=env)
        bare = workspace.spawn(
            f"{name}-bare",
            [_python(), str(ROOT / "bench" / "bare_bolt.py"), str(bare_port)],
            env=env,
        )
        try:
            wait_http(f"http://127.0.0.1:{onramp_port}/healthz", timeout=60, process=server.process)
            wait_http(f"http://127.0.0.1:{bare_port}/healthz", timeout=60, process=bare.process)
            drivers = {
                "onramp": SlackDriver(sandbox, f"http://127.0.0.1:{onramp_port}/slack/events"),
                "bare": SlackDriver(sandbox, f"http://127.0.0.1:{bare_port}/slack/events"),
            }

            def sender(driver: SlackDriver) -> Callable[[int], int]:
                def send(index: int) -> int:
                    who = index % CALLERS
                    text = "help" if index % 2 else f"progress <@{hires[who]}|{hires[who].lower()}>"
                    return driver.command(text, callers[who]).status

                return send

            for name, driver in drivers.items():  # warm-up: every caller, both commands
                for index in range(2 * CALLERS):
                    status = sender(driver)(index)
                    if status != 200:
                        raise RuntimeError(f"warm-up request to {name} answered {status}")
            if claude_seconds > 0:
                for index in range(QUESTIONS):  # each waits claude_seconds on Claude's threads
                    drivers["onramp"].dm(hires[index % CALLERS], "What are the 60-day goals?")
                if not claude.wait_for_requests(4, timeout=30):
                    raise RuntimeError("the questions never reached the fake Claude")
            results = {"onramp": Series(), "bare": Series()}
            open_loop(
                {name: (sender(driver), results[name]) for name, driver in drivers.items()},
                count=requests,
                rate=RATE,
            )
            log(
                "ack: "
                + "; ".join(
                    f"{name} p50 {series.p50_ms:.1f} ms p99 {series.p99_ms:.1f} ms"
                    for name, series in results.items()
                )
            )
        finally:
            workspace.forget(server)
            workspace.forget(bare)
    return AckResult(onramp=results["onramp"], bare=results["bare"], rate=RATE, requests=requests)


def _python() -> str:
    import sys

    return sys.executable
