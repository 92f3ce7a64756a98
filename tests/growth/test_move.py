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
from storage import repositories as repo
from storage.engine import Database
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
