"""Fixtures for the answer tests: the answer service over a real database, and the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.plan import LoadedPlan
from bot.llm.minilm import load_encoder
from bot.services.answers import AnswerModel, AnswerPolicy, Answers
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from bot.services.prompts import PromptLibrary
from storage.engine import Database, open_database
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
PLAN_ID = "junior-llm-engineer"
HIRE = "U0HIRE"
GOLDEN = ROOT / "plans" / PLAN_ID / "evals.yaml"
HELDOUT = Path(__file__).with_name("heldout.yaml")
REVIEW = Path(__file__).with_name("review_blind.yaml")
OOS_HARD = Path(__file__).with_name("oos_hard.yaml")
#: One lazily loaded encoder for the whole test session (the weights load once).
_ENCODER = load_encoder()


def make_answers(
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    *,
    model: AnswerModel | None = None,
    policy: AnswerPolicy | None = None,
) -> Answers:
    """An answer service wired like ``bot.app.build`` does (semantic retrieval on), with an
    optional model."""
    onboarding = Onboarding(db=db, catalog=catalog, clock=clock, admins=frozenset({"U0ADMIN"}))
    return Answers(
        db=db,
        catalog=catalog,
        onboarding=onboarding,
        prompts=PromptLibrary(ROOT / "prompts"),
        clock=clock,
        model=model,
        policy=policy or AnswerPolicy(),
        encoder=_ENCODER,
    )


def enroll_hire(answers: Answers, clock: ManualClock, days: int = 44) -> None:
    """Enroll U0HIRE (manager U0BOSS) on the plan, started ``days`` days before the clock's now."""
    answers.onboarding.enroll(
        actor=Actor.cli(),
        hire=HIRE,
        plan_id=PLAN_ID,
        start=clock.now().date() - timedelta(days=days),
        manager="U0BOSS",
    )


def milestone_states(answers: Answers) -> dict[str, str]:
    """U0HIRE's milestone id → status, as the onboarding service reports it."""
    report = answers.onboarding.progress(actor=Actor.cli(), hire=HIRE)
    return {m.id: m.status.value for p in report.summary.phases for m in p.milestones}


@pytest.fixture
def answers(db: Database, catalog: PlanCatalog, clock: ManualClock) -> Answers:
    """The offline answer service over a fresh database (both backends when configured)."""
    return make_answers(db, catalog, clock)


@pytest.fixture(scope="module")
def offline_answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answers]:
    """One offline answer service on SQLite, shared by a module's read-only quality checks."""
    path = tmp_path_factory.mktemp("answers") / "onramp.db"
    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    yield make_answers(db, PlanCatalog(ROOT / "plans"), ManualClock())
    db.dispose()


@pytest.fixture(scope="session")
def plan(catalog: PlanCatalog) -> LoadedPlan:
    """The Junior LLM Engineer plan and its blueprint."""
    return catalog.get(PLAN_ID)
