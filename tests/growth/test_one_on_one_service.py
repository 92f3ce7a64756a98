"""1:1s and KPI picks under races: the database keeps one running 1:1 per plan and one current
pick per KPI, whatever two people do at once (docs/growth.md, "1:1 prep")."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.domain.errors import Conflict
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from bot.services.one_on_ones import OneOnOnes
from storage import kpis as kpi_repo
from storage.models import KpiSelection, OneOnOne
from tests.support.enroll import enroll
from tests.support.people import HIRE, MANAGER
from tests.support.threads import run_together


def test_concurrent_sets_and_reselects_leave_one_running_row(
    onboarding: Onboarding, catalog: PlanCatalog, clock: ManualClock
) -> None:
    """Eight 1:1 sets at once leave one running 1:1 (a loser hears who won, as a Conflict);
    eight reselects of the same KPIs at once leave one current pick of each."""
    report = enroll(onboarding, start=date(2026, 11, 2))
    service = OneOnOnes(db=onboarding.db, catalog=catalog, clock=clock, admins=frozenset())
    kpis = [k.id for k in catalog.get(report.plan.plan.id).plan.kpis[:3]]

    def set_it() -> None:
        service.set(
            actor=Actor.slack(MANAGER), hire=HIRE, words=["weekly", "thu", "15:00"], tz=None
        )

    def pick() -> None:
        with onboarding.db.transaction() as session:
            kpi_repo.reselect(
                session=session,
                enrollment_id=report.enrollment_id,
                kpi_ids=kpis,
                by_id=None,
                at=clock.now(),
            )

    failures = run_together(set_it, 8, timeout=120)
    assert all(isinstance(f, Conflict) and "Someone else just set" in str(f) for f in failures)
    assert run_together(pick, 8, timeout=120) == []
    with onboarding.db.read() as session:
        running = [o for o in session.exec(select(OneOnOne)) if o.ended_at is None]
        picks = [k.kpi_id for k in session.exec(select(KpiSelection)) if k.removed_at is None]
    assert len(running) == 1
    assert sorted(picks) == sorted(kpis)
    assert service.show(actor=Actor.slack(MANAGER), hire=HIRE) is not None
