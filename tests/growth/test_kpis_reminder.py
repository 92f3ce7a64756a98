"""The KPI reminder in the tick: the manager hears, once, which picked KPIs have no reading for
the period just ended, on the first working day after it, at their send time.

The engine is the real one, posting to the sandbox on the test clock; the hire started Mon 2 Nov
2026 and their manager picked three KPIs that day (two weekly, one monthly).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.sandbox import SlackSandbox
from bot.services.clock import ManualClock
from bot.services.kpis import KpiService
from bot.services.onboarding import Actor, Onboarding
from tests.slack.conftest import view_text
from tests.support.checkins import Rig
from tests.support.growth_rounds import growth_rig
from tests.support.people import HIRE, MANAGER

REMINDER = "kpi_reminder"
#: Mon 9 Nov 2026, 09:30 in New York (the manager's zone): their send time that day.
MONDAY = "2026-11-09T14:30:00"


@pytest.fixture
def rig(onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock) -> Rig:
    """The engine with app.yaml's cadence; the hire enrolled, three KPIs picked on day 1."""
    rig = growth_rig(onboarding, sandbox, clock)
    rig.enroll(tz="America/New_York", start=date(2026, 11, 2), profile_in=sandbox)
    rig.set_clock("2026-11-02T15:00:00")
    _kpis(rig).select(
        actor=Actor.slack(MANAGER),
        hire=HIRE,
        kpis=["pr-throughput", "story-cycle-time", "eval-coverage"],
    )
    return rig


def _kpis(rig: Rig) -> KpiService:
    return KpiService(
        db=rig.db, catalog=rig.onboarding.catalog, clock=rig.clock, admins=frozenset()
    )


def test_the_manager_hears_once_what_the_week_just_ended_lacks(rig: Rig) -> None:
    """After week 45 (Mon 2–Sun 8 Nov) with nothing read, the manager gets one DM on Monday
    naming story cycle time with its target, not PR throughput ("4–10 PRs/month": read
    monthly) nor the monthly KPI (November has not ended); ticking again the next day sends
    nothing more, and the hire hears nothing. PR throughput is asked for on 1 Dec."""
    rig.run("2026-11-08T14:30:00")  # Sunday: the week has not ended
    assert rig.sent(MANAGER, REMINDER) == []
    rig.run(MONDAY)
    rig.run("2026-11-10T14:30:00")
    [dm] = rig.sent(MANAGER, REMINDER)
    text = view_text({"blocks": dm.blocks})
    assert "*Story cycle time* for 2026-W45" in text
    assert "“Median 3–7 business days for small tickets”" in text
    assert "PR throughput" not in text
    assert "Eval coverage" not in text
    assert rig.sent(HIRE, REMINDER) == []
    rig.run("2026-12-01T14:30:00")
    assert "*PR throughput (LLM domain)* for 2026-11" in view_text(
        {"blocks": rig.sent(MANAGER, REMINDER)[-1].blocks}
    )


def test_a_reading_recorded_before_the_dm_goes_out_cancels_it(rig: Rig) -> None:
    """Every reading of the ended week recorded by the send time: no reminder is sent."""
    _kpis(rig).record(actor=Actor.cli(), hire=HIRE, kpi="story", value="3", period="2026-W45")
    rig.run(MONDAY)
    assert rig.sent(MANAGER, REMINDER) == []
