"""`onramp ask` through the real CLI: one question, JSON, and a stream on standard input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import load
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, Onboarding
from storage.engine import open_database
from storage.migrate import upgrade
from tests.answers.conftest import HIRE, PLAN_ID, ROOT

KEYS = {
    "answer",
    "refused",
    "citations",
    "backend",
    "model",
    "prompt_version",
    "latency_ms",
    "usage",
}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An app.yaml on a fresh SQLite file with the shipped plans and prompts; no API key."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "app.yaml"
    path.write_text(
        f"database_url: sqlite:///{tmp_path / 'onramp.db'}\n"
        f"plans_dir: {ROOT / 'plans'}\nprompts_dir: {ROOT / 'prompts'}\n"
    )
    return path


def test_ask_json_prints_the_documented_object(config: Path) -> None:
    """--json prints one object with exactly the §8 keys and a cited answer."""
    result = CliRunner().invoke(
        load(), ["ask", "How fast at the 95th percentile?", "--json", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == KEYS
    assert data["backend"] == "extractive"
    assert data["citations"][0]["section"] == 7
    assert "5–8s" in data["answer"]


def test_ask_stream_answers_each_line_in_order(config: Path) -> None:
    """`ask --json -` prints one JSON object per non-blank input line, in order."""
    questions = ["What are the 30-day goals?", "", "What's the salary?", "Who do I report to?"]
    result = CliRunner().invoke(
        load(),
        ["ask", "--json", "--backend", "extractive", "-", "--config", str(config)],
        input="\n".join(questions) + "\n",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["refused"] for d in lines] == [False, True, False]
    assert lines[0]["citations"][0]["id"] == "s6.30-day-goals"


def test_anthropic_without_a_key_is_a_usage_error(config: Path) -> None:
    """Asking for Claude without ANTHROPIC_API_KEY exits 2 with the fix, not a traceback."""
    result = CliRunner().invoke(
        load(), ["ask", "Hi?", "--backend", "anthropic", "--config", str(config)]
    )
    assert result.exit_code == 2
    assert "ANTHROPIC_API_KEY" in result.stderr


def test_ask_as_a_hire_never_counts_their_private_evidence(config: Path, tmp_path: Path) -> None:
    """`ask --as` is the operator looking as the hire: a career answer counts only the evidence
    an admin may see, never the hire's private win (as `growth --as`)."""
    db = open_database(f"sqlite:///{tmp_path / 'onramp.db'}")
    upgrade(db)
    catalog, clock = PlanCatalog(ROOT / "plans"), ManualClock()
    Onboarding(db=db, catalog=catalog, clock=clock).enroll(
        actor=Actor.cli(), hire=HIRE, plan_id=PLAN_ID, start=clock.now().date(), manager="U0BOSS"
    )
    growth = GrowthService(db=db, catalog=catalog, clock=clock, admins=frozenset())
    for visibility in ("private", "manager"):
        growth.add_evidence(
            actor=Actor.slack(HIRE),
            hire=HIRE,
            text="Wrote the eval README",
            tags=["communication"],
            visibility=visibility,
        )
    db.dispose()
    result = CliRunner().invoke(
        load(), ["ask", "How am I doing on communication?", "--as", HIRE, "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert "Communication — ratings: none yet; evidence: 1 piece" in result.stdout
