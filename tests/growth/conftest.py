"""Growth tests drive the real Slack stack as the Slack tests do: their fixtures, shared."""

import shutil
from pathlib import Path

import pytest

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
