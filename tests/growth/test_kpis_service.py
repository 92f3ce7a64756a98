"""KPIs per hire through the service, on each database: picking, readings, imports, who may."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.domain.errors import InvalidInput, OnrampError, PermissionDenied
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.kpis import KpiService
from bot.services.onboarding import Actor, Onboarding, Profile
from storage.engine import Database
from storage.models import KpiReading, KpiSelection
from tests.support.enroll import enroll
from tests.support.people import HIRE, MANAGER, MENTOR

ADMIN, STRANGER = "U0ADMIN", "U0STRANGER"
THREE = ["pr-throughput", "story-cycle-time", "eval-coverage"]


@pytest.fixture
def kpis(db: Database, catalog: PlanCatalog, clock: ManualClock) -> KpiService:
    """The KPI service over a real database, with U0ADMIN as the only admin."""
    return KpiService(db=db, catalog=catalog, clock=clock, admins=frozenset({ADMIN}))


@pytest.fixture
def tracked(kpis: KpiService, onboarding: Onboarding) -> KpiService:
    """HIRE (in New York, managed by MANAGER, mentored by MENTOR) has THREE picked."""
    enroll(onboarding, tz="America/New_York")
    onboarding.ensure_person(profile=Profile(user_id=STRANGER))
    kpis.select(actor=Actor.slack(MANAGER), hire=HIRE, kpis=THREE)
    return kpis


def test_picking_again_ends_the_dropped_and_keeps_history(
    tracked: KpiService, db: Database, clock: ManualClock
) -> None:
    """Re-picking stamps removed_at on a dropped KPI, adds the new one, keeps its readings."""
    tracked.record(actor=Actor.cli(), hire=HIRE, kpi="eval-coverage", value="55%")
    clock.advance(timedelta(hours=1))
    chosen = tracked.select(
        actor=Actor.slack(MANAGER), hire=HIRE, kpis=["PR throughput", "story", "tsr"]
    )
    assert (chosen.added, chosen.removed) == (["task-success-rate"], ["eval-coverage"])
    assert [k.id for k in chosen.listed.kpis] == [
        "pr-throughput",
        "story-cycle-time",
        "task-success-rate",
    ]
    with db.read() as session:
        rows = session.exec(select(KpiSelection).order_by(col(KpiSelection.id))).all()
        readings = session.exec(select(KpiReading)).all()
    assert [(r.kpi_id, r.removed_at is not None) for r in rows] == [
        ("pr-throughput", False),
        ("story-cycle-time", False),
        ("eval-coverage", True),
        ("task-success-rate", False),
    ]
    assert [r.value for r in readings] == [55.0]


@pytest.mark.parametrize(("count", "said"), [(2, "at least 3"), (7, "at most 6")])
def test_fewer_than_three_or_more_than_six_is_refused(
    tracked: KpiService, catalog: PlanCatalog, count: int, said: str
) -> None:
    """A selection outside 3–6 is refused with the reason, and the old one stays."""
    ids = [k.id for k in catalog.get("junior-llm-engineer").plan.kpis][:count]
    with pytest.raises(InvalidInput, match=said):
        tracked.select(actor=Actor.slack(MANAGER), hire=HIRE, kpis=ids)
    assert [k.id for k in tracked.list(actor=Actor.cli(), hire=HIRE).kpis] == THREE


@pytest.mark.parametrize(
    ("viewer", "sees", "writes"),
    [
        (MANAGER, True, True),
        (ADMIN, True, True),
        (None, True, True),  # the CLI's operator
        (HIRE, True, False),
        (MENTOR, True, False),
        (STRANGER, False, False),
    ],
)
def test_who_sees_and_who_writes_kpis(
    tracked: KpiService, viewer: str | None, sees: bool, writes: bool
) -> None:
    """Whoever sees the hire's growth sees their KPIs; only the manager, admins and the CLI
    pick KPIs and record readings; the others are refused without a trace of a write."""
    actor = Actor.cli() if viewer is None else Actor.slack(viewer)
    if sees:
        assert [k.id for k in tracked.list(actor=actor, hire=HIRE).kpis] == THREE
    else:
        with pytest.raises(PermissionDenied):
            tracked.list(actor=actor, hire=HIRE)
    if writes:
        tracked.record(actor=actor, hire=HIRE, kpi="story", value="3 days")
    else:
        with pytest.raises(PermissionDenied):
            tracked.record(actor=actor, hire=HIRE, kpi="story", value="3 days")
        with pytest.raises(PermissionDenied):
            tracked.select(actor=actor, hire=HIRE, kpis=THREE)
    story = tracked.list(actor=Actor.cli(), hire=HIRE).kpis[1]
    assert [r.value for r in story.readings] == ([3.0] if writes else [])


def test_the_default_period_is_in_the_hires_zone(tracked: KpiService, clock: ManualClock) -> None:
    """At 03:00 UTC on Monday 9 Nov 2026 it is still Sunday in New York: week 45, not 46."""
    clock.set(datetime(2026, 11, 9, 3, 0, tzinfo=UTC))
    done = tracked.record(actor=Actor.slack(MANAGER), hire=HIRE, kpi="story", value="5")
    assert done.reading.period == "2026-W45"
    monthly = tracked.record(actor=Actor.cli(), hire=HIRE, kpi="eval-coverage", value="0.6")
    assert monthly.reading.period == "2026-11"


def test_a_hire_without_a_zone_gets_the_workspace_zones_default_period(
    db: Database, catalog: PlanCatalog, clock: ManualClock, onboarding: Onboarding
) -> None:
    """At 12:00 UTC on 30 Nov 2026 it is already December in the workspace's Auckland."""
    enroll(onboarding)  # no zone, as from the CLI
    kpis = KpiService(
        db=db, catalog=catalog, clock=clock, admins=frozenset(), default_tz="Pacific/Auckland"
    )
    kpis.select(actor=Actor.slack(MANAGER), hire=HIRE, kpis=THREE)
    clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    done = kpis.record(actor=Actor.cli(), hire=HIRE, kpi="eval-coverage", value="0.6")
    assert done.reading.period == "2026-12"


def test_a_kpi_not_picked_is_refused_with_how_to_pick_it(tracked: KpiService) -> None:
    """Readings are kept only for picked KPIs; the refusal gives the command that picks it."""
    with pytest.raises(InvalidInput, match=r"onramp kpis select U0HIRE .*task-success-rate"):
        tracked.record(actor=Actor.cli(), hire=HIRE, kpi="task success rate", value="70%")


def test_readings_show_in_readiness_with_target_and_trend(
    tracked: KpiService, clock: ManualClock
) -> None:
    """The readiness JSON lists each picked KPI with the blueprint's target quoted, its readings
    by period, the latest one and the trend; a team-level KPI is marked as a contribution."""
    for period, value in (("2026-W46", "6"), ("2026-W45", "4")):  # recorded out of order
        tracked.record(
            actor=Actor.cli(), hire=HIRE, kpi="pr-throughput", value=value, period=period
        )
        clock.advance(timedelta(minutes=5))
    view = tracked.growth.readiness(actor=Actor.slack(HIRE), hire=HIRE).as_json()
    pr, _, coverage = view["kpis"]
    assert pr["target"] == "4–10 meaningful PRs/month depending on scope"
    assert [r["period"] for r in pr["readings"]] == ["2026-W45", "2026-W46"]
    assert (pr["latest"]["value"], pr["trend"]) == (6.0, "up")
    assert pr["source"]["section"] == 7
    assert (coverage["team_level"], coverage["label"]) == (True, "team-level: your contribution")
    assert (coverage["latest"], coverage["trend"]) == (None, "none")


GOOD = "user,kpi,value,period,note\nU0HIRE,pr-throughput,4,2026-W45,steady\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "The file is empty"),
        ("user,kpi\nU0HIRE,story\n", "line 1: missing column value"),
        (GOOD + "U0NOBODY,story,3,\n", "line 3: U0NOBODY has no Onramp plan"),
        (GOOD + "U0HIRE,velocity,3,\n", "line 3: There is no KPI 'velocity'"),
        (GOOD + "U0HIRE,story,soon,\n", "line 3: 'soon' has no number"),
        (GOOD + "U0HIRE,story,3,2026-W60\n", "line 3: '2026-W60' is not a period"),
        (GOOD + "U0HIRE,story,,2026-W45\n", "line 3: no value"),
        (GOOD + "U0HIRE,story,3,9999-12\n", "line 3: '9999-12' is outside the years"),
    ],
)
def test_an_import_with_a_bad_row_names_its_line_and_writes_nothing(
    tracked: KpiService, db: Database, text: str, said: str
) -> None:
    """Every bad row is named by its line (the header is line 1); nothing of the file is
    written, not even its good rows."""
    with pytest.raises(OnrampError, match=said):
        tracked.import_csv(actor=Actor.cli(), text=text)
    with db.read() as session:
        assert session.exec(select(KpiReading)).all() == []


def test_an_import_records_every_row(tracked: KpiService) -> None:
    """A good file is recorded whole, each reading marked as from the CSV."""
    text = GOOD + 'U0HIRE,story,"3 days",2026-W45,\nU0HIRE,eval coverage,61%,,\n'
    assert tracked.import_csv(actor=Actor.cli(), text=text) == 3
    listed = tracked.list(actor=Actor.slack(MANAGER), hire=HIRE).kpis
    assert [[(r.value, r.period, r.source) for r in k.readings] for k in listed] == [
        [(4.0, "2026-W45", "csv")],
        [(3.0, "2026-W45", "csv")],
        [(61.0, "2026-11", "csv")],
    ]
