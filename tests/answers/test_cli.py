"""`onramp ask` through the real CLI: one question, JSON, and a stream on standard input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import load
from tests.answers.conftest import ROOT

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
