"""Growth tests drive the real Slack stack as the Slack tests do: their fixtures, shared."""

import shutil
from pathlib import Path

import pytest

from bot.sandbox import SlackSandbox
from bot.services.clock import ManualClock
from bot.services.growth_rounds import Rating
from bot.services.onboarding import Onboarding
from tests.conftest import PLANS_DIR
from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures
    container,
    credentials,
    enrolled,
    events_url,
    home,
    runtime,
    sandbox,
    settings,
    slack,
)
from tests.support.checkins import Rig
from tests.support.growth_rounds import ratings, round_sent
from tests.support.people import HIRE, MANAGER

# --- moving a hire to another plan (tests/growth/test_move.py) -------------------------------

#: The second plan of the move tests: the shipped plan under another id and title.
OTHER_PLAN = "mid-llm-engineer"


@pytest.fixture
def two_plans(tmp_path: Path) -> Path:
    """A plans folder with the shipped plan and a copy of it as ``mid-llm-engineer``."""
    folder = tmp_path / "plans"
    shutil.copytree(PLANS_DIR / "junior-llm-engineer", folder / "junior-llm-engineer")
    copy = folder / OTHER_PLAN
    shutil.copytree(PLANS_DIR / "junior-llm-engineer", copy)
    plan = copy / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("id: junior-llm-engineer", f"id: {OTHER_PLAN}", 1)
    plan.write_text(text.replace("title: Junior LLM Engineer", "title: Mid LLM Engineer", 1))
    return folder


# --- the growth plan (tests/growth/test_focus_*.py) ------------------------------------------


def submit_ratings(rig: Rig, user: str, key: str, given: dict[str, Rating]) -> None:
    """``user`` submits ``given`` ratings on the rater DM with outbox ``key``."""
    [row] = [r for r in rig.rows() if r.key == key]
    assert row.id is not None
    rig.checkins.growth_rounds.submit(user_id=user, outbox_id=row.id, ratings=given)


@pytest.fixture
def round_open(
    onboarding: Onboarding,
    sandbox: SlackSandbox,  # noqa: F811 - the Slack stack's sandbox, imported above
    clock: ManualClock,
) -> Rig:
    """A New York hire with a manager and a mentor, the 90-day round sent, nobody rated."""
    return round_sent(onboarding, sandbox, clock)


@pytest.fixture
def revealed(round_open: Rig) -> Rig:
    """The 90-day round revealed: evaluation mindset 3 (self) vs 1 (manager), communication
    1 and 1, every other dimension 2 and 2."""
    submit_ratings(
        round_open, HIRE, "growth_self:1:90d", ratings(2, evaluation_mindset=3, communication=1)
    )
    submit_ratings(
        round_open,
        MANAGER,
        "growth_manager:1:90d",
        ratings(2, evaluation_mindset=1, communication=1),
    )
    return round_open
