"""Readiness for a manager with a team: ``GrowthService.readiness`` for each of their hires.

A manager opening ``/onramp growth @hire`` for every hire of a 50-person team is the heaviest
growth read there is: for each hire the subject and permissions are resolved, the evidence the
manager may see is counted per tag, the milestone states are read and every rubric dimension and
promotion criterion is cited. The team is enrolled through the services (as ``onramp enroll``
does) and each hire gets evidence through ``GrowthService.add_evidence`` — tagged to rubric
dimensions and promotion criteria, a third of it private (which the manager must not count) —
into a temp SQLite database. Latency is the wall time of one ``readiness`` call, each hire read
``ROUNDS`` times after one warm-up pass (plans and the database's pages are warm, as on a
running server).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from bench.common import Latencies, Workspace

#: Each hire is read this many times (after a warm-up pass), for stable percentiles.
ROUNDS = 5
VISIBILITIES = ("manager", "mentors", "private")


@dataclass(frozen=True)
class GrowthResult(Latencies):
    """Per-call wall times (ms) of the readiness view, and what was seeded."""

    hires: int
    evidence: int

    @property
    def team_ms(self) -> float:
        """One pass over the whole team at the median: what a manager waits for all of it."""
        return self.p50_ms * self.hires


def run(
    workspace: Workspace, *, hires: int = 50, evidence_each: int = 30, start: date | None = None
) -> GrowthResult:
    """Enroll ``hires`` under one manager, record evidence, time the manager's readiness reads."""
    from bot.app import build
    from bot.config import load_settings
    from bot.services.onboarding import Actor

    url = workspace.database_url("growth")
    settings = load_settings(workspace.config("growth", database_url=url))
    settings.anthropic_api_key = None
    container = build(settings)
    try:
        cli = Actor.cli()
        manager = "U0MGROWTH1"
        team = [f"U0GH{n:06d}" for n in range(hires)]
        first = start or container.clock.now().date()
        for user in team:
            container.onboarding.enroll(actor=cli, hire=user, start=first, manager=manager)
        plan_id = container.catalog.default_id()
        if plan_id is None:
            raise RuntimeError("no plan in the catalog: the benchmark needs plans/<id>/plan.yaml")
        growth = container.catalog.get(plan_id).plan.growth
        tags = [d.id for d in growth.rubric] + [c.id for c in growth.promotion]
        for n, user in enumerate(team):
            for k in range(evidence_each):
                container.growth.add_evidence(
                    actor=cli,
                    hire=user,
                    text=f"Shipped improvement {k} for hire {n}",
                    tags=[tags[(n + k) % len(tags)], tags[(n + 3 * k) % len(tags)]],
                    visibility=VISIBILITIES[k % len(VISIBILITIES)],
                )
        viewer = Actor.slack(manager)
        for user in team:  # warm-up: plan citations, statement caches, database pages
            container.growth.readiness(actor=viewer, hire=user)
        latencies: list[float] = []
        for _ in range(ROUNDS):
            for user in team:
                started = time.perf_counter()
                container.growth.readiness(actor=viewer, hire=user)
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        container.close()
    return GrowthResult(latencies_ms=latencies, hires=hires, evidence=hires * evidence_each)
