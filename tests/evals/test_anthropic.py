"""`onramp eval --backend anthropic` through the real SDK against the loopback Messages API."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot.llm.fake_api import FakeMessagesAPI, overloaded, tool_use_message
from tests.evals.conftest import Run, anthropic_env, onramp, write_config, write_suite
from tests.support.claude import API_KEY

#: Asked first, so the scripted tool call below is the first request the fake receives.
PERSONAL = {
    "kind": "personal",
    "q": "What should I focus on this week?",
    "as": {"day": 12, "done": ["d30-dev-environment"]},
    "facts": ["d30-product-surface"],
}
IN_SCOPE = [
    {"kind": "in_scope", "q": "What are the 30-day goals?", "sections": [6]},
    {"kind": "in_scope", "q": "What is the p95 latency target?", "sections": [7]},
]
OUT_OF_SCOPE = {"kind": "out_of_scope", "q": "What's the dress code?", "refuse": True}


class ClaudeEval(Protocol):
    """`onramp eval --suite SUITE ARGS`, the SDK pointed at the fake Messages API."""

    def __call__(
        self, cases: Sequence[dict[str, Any]], *args: str, prompts_dir: Path | None = None
    ) -> Run: ...


@pytest.fixture
def claude_eval(tmp_path: Path, fake_api: FakeMessagesAPI) -> ClaudeEval:
    """Runs `onramp eval` on a suite of ``cases`` with a key and the fake's base URL, on an
    app.yaml with the shipped plans (and ``prompts_dir`` when given)."""

    def run(cases: Sequence[dict[str, Any]], *args: str, prompts_dir: Path | None = None) -> Run:
        suite = write_suite(tmp_path / "suite.yaml", cases)
        config = write_config(tmp_path, prompts_dir=prompts_dir)
        return onramp(
            "eval", "--suite", str(suite), *args, config=config, env=anthropic_env(fake_api)
        )

    return run


def _search_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        block
        for message in body["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "search_result"
    ]


def test_a_claude_run_is_measured_with_tokens_and_cost(
    claude_eval: ClaudeEval, fake_api: FakeMessagesAPI
) -> None:
    """Every case goes through Claude's path: cited passages, a tool call, tokens and a cost."""
    fake_api.enqueue(tool_use_message("read_my_progress", {}))
    run = claude_eval([PERSONAL, *IN_SCOPE, OUT_OF_SCOPE], "--backend", "anthropic", "--json")
    data = run.json()
    assert run.code == 0, data["problems"]
    assert (data["backend"], data["prompt_version"], data["fallbacks"]) == (
        "anthropic",
        "answer@v1",
        0,
    )
    assert data["tokens"] > 0
    assert data["cost_usd"] > 0
    assert data["personal_accuracy"] == 1.0
    # The personal case took two requests (tool call, answer); each in-scope case one; the
    # off-topic question was refused before any model call.
    assert len(fake_api.requests) == 4
    assert fake_api.requests[0].body["tools"][0]["name"] == "read_my_progress"
    assert all(_search_results(r.body) for r in fake_api.requests)
    assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in fake_api.requests)


def test_answers_from_the_fallback_fail_a_claude_run(
    claude_eval: ClaudeEval, fake_api: FakeMessagesAPI
) -> None:
    """When Claude is overloaded the eval says so and fails: it did not measure Claude."""
    fake_api.enqueue(overloaded(), overloaded())
    run = claude_eval(IN_SCOPE, "--backend", "anthropic", "--json")
    data = run.json()
    assert run.code == 1
    assert data["fallbacks"] == 2
    assert "2 answers came from the extractive fallback" in data["problems"][0]


def test_compare_extractive_with_claude_lists_the_cases_that_changed(
    claude_eval: ClaudeEval,
) -> None:
    """Side by side, a personal case answered by rules but not by a tool-less Claude is shown."""
    run = claude_eval([*IN_SCOPE, PERSONAL], "--compare", "extractive", "anthropic", "--json")
    data = run.json()
    assert (data["a"]["backend"], data["b"]["backend"]) == ("extractive", "anthropic")
    assert [(d["q"], d["change"]) for d in data["diff"]] == [(PERSONAL["q"], "pass→fail")]
    assert "missing facts: d30-product-surface" in data["diff"][0]["b"]["reasons"]
    assert run.code == 1  # B misses the personal-accuracy threshold
    text = claude_eval([*IN_SCOPE, PERSONAL], "--compare", "extractive", "anthropic")
    assert f"pass→fail  [personal] {PERSONAL['q']}" in text.stdout
    assert "B fails: missing facts: d30-product-surface" in text.stdout


def _prompts(tmp_path: Path) -> Path:
    """A prompts folder with the shipped answer@v1 and a v2 that adds one rule."""
    root = Path(__file__).resolve().parents[2] / "prompts" / "answer" / "v1.md"
    folder = tmp_path / "prompts" / "answer"
    folder.mkdir(parents=True)
    v1 = root.read_text()
    (folder / "v1.md").write_text(v1)
    v2 = v1.replace("version: 1", "version: 2", 1).replace(
        "changelog:\n", 'changelog:\n  - "v2: answer in one sentence."\n', 1
    )
    (folder / "v2.md").write_text(v2 + "6. Answer in one sentence.\n")
    return tmp_path / "prompts"


def test_prompt_versions_side_by_side_reach_the_model(
    tmp_path: Path, claude_eval: ClaudeEval, fake_api: FakeMessagesAPI
) -> None:
    """`--compare answer@v1 answer@v2` sends each version's system prompt and labels the runs."""
    run = claude_eval(
        IN_SCOPE,
        *("--backend", "anthropic", "--compare", "answer@v1", "answer@v2", "--json"),
        prompts_dir=_prompts(tmp_path),
    )
    data = run.json()
    assert (data["a"]["prompt_version"], data["b"]["prompt_version"]) == ("answer@v1", "answer@v2")
    assert data["diff"] == []
    systems = [r.body["system"][0]["text"] for r in fake_api.requests]
    assert ["Answer in one sentence." in s for s in systems] == [False, False, True, True]


def test_the_prompt_option_selects_the_version(
    tmp_path: Path, claude_eval: ClaudeEval, fake_api: FakeMessagesAPI
) -> None:
    """`--prompt answer@v2` answers with v2 and records it; app.yaml still names v1."""
    run = claude_eval(
        IN_SCOPE[:1],
        *("--backend", "anthropic", "--prompt", "answer@v2", "--json"),
        prompts_dir=_prompts(tmp_path),
    )
    assert run.json()["prompt_version"] == "answer@v2"
    assert "Answer in one sentence." in fake_api.requests[0].body["system"][0]["text"]
