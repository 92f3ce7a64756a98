"""Tick cost: seconds to derive and enqueue the due work at 1k / 10k / 100k active enrollments.

Per size, a fresh SQLite database is seeded in bulk (:mod:`bench.seed`) and the check-in
service's enqueue step (``Checkins.enqueue``: step 2 of a tick — derive what is owed, insert it
into the outbox; no Slack) is timed three ways:

- **cold**: the very first tick, on an empty outbox: every hire's current check-ins are inserted.
- **steady** (the headline figure): the tick one minute later, in the same process, at the minute
  check-ins go out in UTC+1 zones on a Monday (pulses, and the weekly digests, are due there):
  every enrollment is looked at, only the newly due rows are inserted.
- **quiet**: the next minute in the same process, when nothing new falls due: the cost of most
  minutes of a week.
- **restart**: a new process (fresh caches) ticking a minute after that, over a full outbox.

The SQL the steady tick runs is captured and explained (``EXPLAIN QUERY PLAN``) to show which
indexes it uses.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bench.common import Workspace
from bench.seed import seed

#: A Monday, 09:30:30 in Europe/Berlin, Paris and Lagos (UTC+1 in early March).
STEADY_AT = datetime(2026, 3, 9, 8, 30, 30, tzinfo=UTC)


@dataclass
class TickResult:
    """Seconds per size, what the steady tick inserted, and the plans of its queries."""

    steady: dict[int, float] = field(default_factory=dict)
    cold: dict[int, float] = field(default_factory=dict)
    restart: dict[int, float] = field(default_factory=dict)
    quiet: dict[int, float] = field(default_factory=dict)
    inserted: dict[int, int] = field(default_factory=dict)
    cold_inserted: dict[int, int] = field(default_factory=dict)
    seed_seconds: dict[int, float] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)

    def growth(self) -> float:
        """The worst step's (time ratio / size ratio); ≤ 1 means linear or better."""
        sizes = sorted(self.steady)
        worst = 0.0
        for small, big in itertools.pairwise(sizes):
            ratio = (self.steady[big] / max(self.steady[small], 1e-9)) / (big / small)
            worst = max(worst, ratio)
        return worst


def _settings(workspace: Workspace, size: int) -> Any:
    from bot.config import load_settings

    url = workspace.database_url(f"tick-{size}")
    return load_settings(workspace.config(f"tick-{size}", database_url=url))


class _Capture:
    """Records the distinct statements (and one set of parameters each) run on an engine."""

    def __init__(self) -> None:
        self.statements: dict[str, Any] = {}

    def __call__(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        if executemany or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        # Chunked IN lists differ only in their length: keep one of each query.
        shape = re.sub(r"\((?:\?, )*\?\)", "(?…)", " ".join(statement.split()))
        self.statements.setdefault(shape, (statement, parameters))


def explain(engine: Any, statements: dict[str, Any]) -> list[dict[str, Any]]:
    """``EXPLAIN QUERY PLAN`` of each captured statement (SQLite's words for index use)."""
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for shape, (sql, params) in statements.items():
            rows = raw.execute(f"EXPLAIN QUERY PLAN {sql}", params or ()).fetchall()
            plans.append({"sql": shape, "plan": [str(row[-1]) for row in rows]})
    return plans


def run(workspace: Workspace, sizes: list[int], *, log: Any = print) -> TickResult:
    """Seed and time the tick at each size (ascending)."""
    from bot.app import build

    result = TickResult()
    for size in sizes:
        settings = _settings(workspace, size)
        container = build(settings)
        try:
            started = time.perf_counter()
            seed(container.db, container.catalog, count=size, now=STEADY_AT)
            result.seed_seconds[size] = time.perf_counter() - started
            checkins = container.checkins

            started = time.perf_counter()
            cold = checkins.enqueue(now=STEADY_AT - timedelta(minutes=1))
            result.cold[size] = time.perf_counter() - started
            result.cold_inserted[size] = cold.queued + len(cold.skipped)

            capture = _Capture()
            event.listen(container.db.engine, "before_cursor_execute", capture)
            try:
                started = time.perf_counter()
                steady = checkins.enqueue(now=STEADY_AT)
                result.steady[size] = time.perf_counter() - started
            finally:
                event.remove(container.db.engine, "before_cursor_execute", capture)
            result.inserted[size] = steady.queued + len(steady.skipped)
            if size == max(sizes):
                result.plans = explain(container.db.engine, capture.statements)

            started = time.perf_counter()
            checkins.enqueue(now=STEADY_AT + timedelta(minutes=1))
            result.quiet[size] = time.perf_counter() - started
        finally:
            container.close()

        restarted = build(settings)
        try:
            started = time.perf_counter()
            restarted.checkins.enqueue(now=STEADY_AT + timedelta(minutes=2))
            result.restart[size] = time.perf_counter() - started
        finally:
            restarted.close()
        log(
            f"tick {size:>7,}: steady {result.steady[size]:.3f} s "
            f"({result.inserted[size]:,} new rows), quiet {result.quiet[size]:.3f} s, "
            f"cold {result.cold[size]:.2f} s "
            f"({result.cold_inserted[size]:,} rows), restart {result.restart[size]:.2f} s"
        )
    return result
