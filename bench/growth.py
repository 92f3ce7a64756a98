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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bench.common import Latencies, Workspace

if TYPE_CHECKING:
    from bot.app import Container

#: Each hire is read this many times (after a warm-up pass), for stable percentiles.
ROUNDS = 5
VISIBILITIES = ("manager", "mentors", "private")


@dataclass(frozen=True)
class GrowthResult(Latencies):
    """Per-call wall times (ms) of the readiness view, and what was seeded."""

    hires: int
    evidence: int
    #: Wall times (ms) of one review packet, built and rendered as HTML (``onramp packet``).
    packet_ms: Latencies | None = None
    #: Wall times (ms) of one manager's 1:1 prep DM, composed and rendered (``one_on_one_prep``).
    prep_ms: Latencies | None = None

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
        packet_ms = packets(container, team, manager)
        prep_ms = preps(container, team, manager)
    finally:
        container.close()
    return GrowthResult(
        latencies_ms=latencies,
        hires=hires,
        evidence=hires * evidence_each,
        packet_ms=packet_ms,
        prep_ms=prep_ms,
    )


def packets(container: Container, team: Sequence[str], manager: str) -> Latencies:
    """Each hire's review packet, built for their manager and rendered as HTML, timed: after
    two revealed growth rounds, six KPI readings and a year of weekly pulses are written for
    every hire (as the services store them), over the evidence above."""
    from bot.services.onboarding import Actor
    from bot.services.packet import PacketService
    from bot.services.packet_render import render_html

    _seed_packet_rows(container, team)
    service = PacketService(
        db=container.db,
        catalog=container.catalog,
        clock=container.clock,
        admins=frozenset(container.settings.admins),
    )
    viewer = Actor.slack(manager)
    for user in team:  # warm-up
        render_html(service.build(actor=viewer, hire=user))
    latencies: list[float] = []
    for _ in range(ROUNDS):
        for user in team:
            started = time.perf_counter()
            render_html(service.build(actor=viewer, hire=user))
            latencies.append((time.perf_counter() - started) * 1000)
    return Latencies(latencies_ms=latencies)


def preps(container: Container, team: Sequence[str], manager: str) -> Latencies:
    """The manager's 1:1 prep DM for each hire, timed as the tick's sender makes it: a weekly
    1:1 is set for every hire, the tick's rows are derived once (all 100, manager's and hires'),
    and each manager's prep is composed (``compose_prep``: pulses, evidence, focus, KPI
    readings, notes and early warnings, over the rows above) and rendered as Block Kit."""
    from bot.domain.schedule import Kind
    from bot.services.checkins import Message
    from bot.services.onboarding import Actor
    from bot.services.one_on_ones import OneOnOnes, compose_prep, prep_rows
    from bot.slack.one_on_one_blocks import render_prep
    from storage import repositories as repo
    from storage.outbox import NewRow

    service = OneOnOnes(
        db=container.db,
        catalog=container.catalog,
        clock=container.clock,
        admins=frozenset(container.settings.admins),
    )
    boss = Actor.slack(manager)
    meeting = None
    for user in team:
        view = service.set(actor=boss, hire=user, words=["weekly", "thu", "15:00"], tz="UTC")
        service.add_note(actor=boss, about=user, text="Ask about the eval backlog")
        meeting = view.next_meeting
    assert meeting is not None  # noqa: S101 - a team has hires
    week_on = meeting - timedelta(minutes=1)  # every prep of the first meeting is owed
    with container.db.read() as session:
        rows = prep_rows(session, week_on, container.checkins.calendars.calendar)
        boss_row = repo.get_person(session=session, user_id=manager)
    assert boss_row is not None  # noqa: S101 - the manager was enrolled above
    own = [r for r in rows if r.recipient_id == boss_row.id]
    progress = (container.onboarding.progress(actor=Actor.cli(), hire=u) for u in team)
    reports = {report.enrollment_id: report for report in progress}

    def one(row: NewRow) -> None:
        assert row.enrollment_id is not None  # noqa: S101 - a prep is about a hire
        report = reports[row.enrollment_id]
        prep = compose_prep(db=container.db, catalog=container.catalog, row=row, report=report)
        message = Message(
            outbox_id=0, key=row.key, kind=Kind.ONE_ON_ONE_PREP, recipient=manager, prep=prep
        )
        render_prep(message)

    for row in own:  # warm-up
        one(row)
    latencies: list[float] = []
    for _ in range(ROUNDS):
        for row in own:
            started = time.perf_counter()
            one(row)
            latencies.append((time.perf_counter() - started) * 1000)
    return Latencies(latencies_ms=latencies)


def _seed_packet_rows(container: Container, team: Sequence[str]) -> None:
    """Ratings (90d and 6mo, self and manager, every dimension), KPI picks and readings, and
    52 pulse answers for each hire, written in one transaction."""
    from storage import repositories as repo
    from storage.models import Assessment, KpiReading, KpiSelection, Outbox

    now = container.clock.now()
    with container.db.transaction() as session:
        for user in team:
            person = repo.get_person(session=session, user_id=user)
            assert person is not None and person.id is not None  # noqa: PT018, S101
            enrollment = repo.latest_enrollment(session=session, hire_id=person.id)
            assert enrollment is not None and enrollment.id is not None  # noqa: PT018, S101
            plan = container.catalog.get(enrollment.plan_id).plan
            for n, ref in enumerate(("90d", "6mo")):
                for role, rater in (("self", person.id), ("manager", enrollment.manager_id)):
                    session.add_all(
                        Assessment(
                            enrollment_id=enrollment.id,
                            round=ref,
                            rater_id=rater,
                            role=role,
                            dimension_id=d.id,
                            level=1 + (n + k) % len(d.levels),
                            comment=f"{role} on {d.title}",
                            submitted_at=now,
                        )
                        for k, d in enumerate(plan.growth.rubric)
                    )
            for kpi in plan.kpis[:4]:
                session.add(
                    KpiSelection(enrollment_id=enrollment.id, kpi_id=kpi.id, selected_at=now)
                )
                session.add_all(
                    KpiReading(
                        enrollment_id=enrollment.id,
                        kpi_id=kpi.id,
                        value=float(3 + m),
                        period=f"2026-{m + 1:02d}",
                        recorded_by_label="bench",
                        recorded_at=now,
                    )
                    for m in range(6)
                )
            session.add_all(
                Outbox(
                    key=f"pulse:{enrollment.id}:bench{w}",
                    kind="pulse",
                    enrollment_id=enrollment.id,
                    recipient_id=person.id,
                    due_at=now,
                    state="sent",
                    answer={"mood": ("on_track", "at_risk", "blocked")[w % 3]},
                    answered_at=now,
                )
                for w in range(52)
            )
