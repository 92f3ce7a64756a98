"""Moving a hire to another plan (`onramp move`, `/onramp move`): the open plan is completed
with the move on the audit log, a plan on the target starts with the same manager and mentors,
and nothing of the old plan is lost."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import time_machine

from bot.config import Settings
from bot.domain.errors import Conflict, InvalidInput, PermissionDenied
from bot.sandbox import SlackDriver
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, Onboarding
from bot.services.one_on_ones import OneOnOnes
from storage import focus as focus_repo
from storage import kpis as kpi_repo
from storage import one_on_ones as one_on_one_repo
from storage import repositories as repo
from storage.engine import Database
from storage.models import Focus
from tests.growth.conftest import OTHER_PLAN
from tests.slack.conftest import ADMIN, HIRE, MANAGER, MENTOR, shown
from tests.support.cli import CONFIG, invoke

ROOT = Path(CONFIG).parent
PLAN = "junior-llm-engineer"
START = date(2026, 11, 2)


@pytest.fixture
def onboarding(db: Database, two_plans: Path, clock: ManualClock) -> Onboarding:
    """Onboarding over the two plans, the hire enrolled on the shipped one with a mentor."""
    service = Onboarding(
        db=db, catalog=PlanCatalog(two_plans), clock=clock, admins=frozenset({ADMIN})
    )
    service.enroll(
        actor=Actor.cli(), hire=HIRE, plan_id=PLAN, start=START, manager=MANAGER, mentors=[MENTOR]
    )
    return service


def test_move_completes_the_open_plan_and_starts_the_new_one(
    onboarding: Onboarding, db: Database
) -> None:
    """The old plan is completed (its milestones kept), the new one active from today with the
    same manager and mentors, and both carry a `move` audit row with the reason."""
    onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-dev-environment", status="done")
    old = onboarding.progress(actor=Actor.cli(), hire=HIRE).enrollment_id
    report = onboarding.move(
        actor=Actor.slack(MANAGER), hire=HIRE, plan_id=OTHER_PLAN, reason="ready for more"
    )
    assert (report.plan.plan.id, report.status.value) == (OTHER_PLAN, "active")
    assert report.start == date(2026, 11, 2)  # today in the hire's zone (the clock's day)
    assert report.manager.user_id == MANAGER
    assert [m.user_id for m in report.mentors] == [MENTOR]
    with db.read() as session:
        before = repo.get_enrollment(session=session, enrollment_id=old)
        assert before is not None
        assert before.status == "completed"
        assert repo.milestone_states(session=session, enrollment_id=old)[
            "d30-dev-environment"
        ].status == ("done")
        for enrollment_id in (old, report.enrollment_id):
            [row] = [
                a
                for a in repo.audit_entries(session=session, enrollment_id=enrollment_id)
                if a.action == "move"
            ]
            assert row.detail["reason"] == "ready for more"
            assert (row.detail["from_plan"], row.detail["to_plan"]) == (PLAN, OTHER_PLAN)


@pytest.mark.parametrize(
    ("actor", "plan_id", "error", "says"),
    [
        (MANAGER, PLAN, Conflict, f"already on {PLAN}; nothing changed. Move them to another "),
        (MANAGER, "nope", InvalidInput, f"the plans are: {PLAN}, {OTHER_PLAN}"),
        (ADMIN, "nope", InvalidInput, "There is no plan 'nope'"),
        (MENTOR, OTHER_PLAN, PermissionDenied, "As the mentor on this plan you can't move it"),
        (HIRE, OTHER_PLAN, PermissionDenied, "move"),
    ],
)
def test_move_refusals_say_why_and_change_nothing(
    onboarding: Onboarding, actor: str, plan_id: str, error: type[Exception], says: str
) -> None:
    """Same plan, unknown plan (listing the plans), or not the manager/admin: refused, and the
    hire stays on their plan."""
    with pytest.raises(error, match=None) as raised:
        onboarding.move(actor=Actor.slack(actor), hire=HIRE, plan_id=plan_id)
    assert says in str(raised.value)
    assert onboarding.progress(actor=Actor.cli(), hire=HIRE).plan.plan.id == PLAN


def test_evidence_from_before_the_move_stays_in_view(
    onboarding: Onboarding, db: Database, clock: ManualClock
) -> None:
    """Evidence shared with the manager before the move is still in their evidence list and
    readiness counts after it (evidence belongs to the hire)."""
    growth = GrowthService(
        db=db, catalog=onboarding.catalog, clock=clock, admins=frozenset({ADMIN})
    )
    growth.add_evidence(
        actor=Actor.slack(HIRE),
        hire=HIRE,
        text="Shipped the eval harness",
        tags=["python-software-fundamentals"],
    )
    onboarding.move(actor=Actor.slack(MANAGER), hire=HIRE, plan_id=OTHER_PLAN)
    for viewer in (MANAGER, HIRE):
        listed = growth.evidence(actor=Actor.slack(viewer), hire=HIRE)
        assert [e.text for e in listed.items] == ["Shipped the eval harness"]
        assert listed.plan == OTHER_PLAN
    ready = growth.readiness(actor=Actor.slack(MANAGER), hire=HIRE)
    [dimension] = [d for d in ready.dimensions if d.id == "python-software-fundamentals"]
    assert dimension.evidence.count == 1


def test_cli_move_starts_the_new_plan_and_refuses_the_same_one(
    database_url: str, two_plans: Path, tmp_path: Path, clock: ManualClock
) -> None:
    """`onramp move USER --plan ID` moves the hire (JSON names the new plan); the same plan
    again is refused with exit 1 or more and the plans listed."""
    config = tmp_path / "app.yaml"
    text = Path(CONFIG).read_text(encoding="utf-8")
    text = text.replace("plans_dir: plans", f"plans_dir: {two_plans}", 1)
    config.write_text(text.replace("prompts_dir: prompts", f"prompts_dir: {ROOT / 'prompts'}", 1))
    env = {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": ""}

    def run(*args: str) -> tuple[int, str, str]:
        with time_machine.travel(clock.now(), tick=False):
            return invoke(*args, "--config", str(config), env=env, config=False)

    code, _, err = run(
        *("enroll", HIRE, "--plan", PLAN, "--start", START.isoformat()),
        *("--manager", MANAGER, "--mentor", MENTOR),
    )
    assert code == 0, err
    code, out, err = run("move", HIRE, "--plan", OTHER_PLAN, "--reason", "promotion", "--json")
    assert code == 0, err
    moved = json.loads(out)
    assert (moved["plan"], moved["status"]) == (OTHER_PLAN, "active")
    code, out, err = run("move", HIRE, "--plan", OTHER_PLAN)
    assert code != 0
    assert f"already on {OTHER_PLAN}" in err
    assert PLAN in err


@pytest.fixture
def settings(tmp_path: Path, two_plans: Path) -> Settings:
    """The Slack stack's settings over the two plans."""
    database_url = f"sqlite:///{tmp_path / 'onramp.db'}"
    return Settings(database_url=database_url, plans_dir=two_plans, admins=[ADMIN])


@pytest.mark.parametrize(
    ("who", "expect"),
    [(MANAGER, "Moved <@U0HIRE> to *Mid LLM Engineer*"), (MENTOR, "you can't move it")],
)
def test_slash_move_by_the_manager_only(slack: SlackDriver, who: str, expect: str) -> None:
    """`/onramp move @hire plan=ID` moves the hire when the manager asks; a mentor is refused."""
    enrolled = slack.command(f"enroll <@{HIRE}|hana> plan={PLAN} mentor=<@{MENTOR}|milo>", MANAGER)
    assert "Enrolled" in shown(enrolled), shown(enrolled)
    delivery = slack.command(f"move <@{HIRE}|hana> plan={OTHER_PLAN} reason=next step", who)
    assert expect in shown(delivery), shown(delivery)


def test_move_carries_the_running_one_on_one_kpis_and_open_focus(
    onboarding: Onboarding, db: Database, clock: ManualClock
) -> None:
    """A move carries the running 1:1 (same schedule), the KPI picks and open focus items the
    new plan has to the new enrollment, reports what it could not, and audits ids only."""
    one_on_ones = OneOnOnes(
        db=db, catalog=onboarding.catalog, clock=clock, admins=frozenset({ADMIN})
    )
    words = ["weekly", "thu", "15:00"]
    one_on_ones.set(actor=Actor.slack(MANAGER), hire=HIRE, words=words, tz="America/New_York")
    old = onboarding.progress(actor=Actor.cli(), hire=HIRE).enrollment_id
    loaded = onboarding.catalog.get(OTHER_PLAN).plan
    kpi, dimension = loaded.kpis[0].id, loaded.growth.rubric[0].id
    now = clock.now()
    with db.transaction() as session:
        kpi_repo.reselect(
            session=session, enrollment_id=old, kpi_ids=[kpi, "retired-kpi"], by_id=None, at=now
        )
        for dim, title in ((dimension, "Own the eval harness"), ("gone-dim", "Old skill")):
            session.add(
                Focus(
                    enrollment_id=old,
                    dimension_id=dim,
                    title=title,
                    due=date(2026, 12, 18),
                    created_at=now,
                    updated_at=now,
                )
            )
    report = onboarding.move(actor=Actor.slack(MANAGER), hire=HIRE, plan_id=OTHER_PLAN)
    shown_now = one_on_ones.show(actor=Actor.slack(MANAGER), hire=HIRE)
    assert shown_now is not None
    assert (shown_now.every, shown_now.weekday, shown_now.at) == ("weekly", 3, "15:00")
    with db.read() as session:
        running = one_on_one_repo.running_one_on_ones(session=session)
        assert [e.id for _, e in running] == [report.enrollment_id]
        picks = kpi_repo.selected(session=session, enrollment_ids=[report.enrollment_id])
        assert [p.kpi_id for p in picks] == [kpi]
        items = focus_repo.focus_of(session=session, enrollment_ids=[report.enrollment_id])
        assert [f.title for f in items] == ["Own the eval harness"]
        [audit] = [
            a
            for a in repo.audit_entries(session=session, enrollment_id=report.enrollment_id)
            if a.action == "move"
        ]
    assert report.carried.as_json() == {
        "one_on_one": "weekly",
        "kpis": [kpi],
        "focus": ["Own the eval harness"],
        "not_carried": {"kpis": ["retired-kpi"], "focus": ["Old skill"]},
    }
    assert audit.detail["carried"]["kpis"] == [kpi]
    assert audit.detail["not_carried"]["kpis"] == ["retired-kpi"]
    assert "Own the eval harness" not in json.dumps(audit.detail)  # ids only
    assert "Not carried" in report.carried.sentences()
    assert "retired-kpi" in report.carried.sentences()
