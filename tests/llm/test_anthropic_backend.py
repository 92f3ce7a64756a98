"""The real anthropic.Anthropic client against the loopback fake Messages API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.llm.fake_api import FakeMessagesAPI, Scripted, overloaded, tool_use_message
from bot.services.answers import Answer, Answers
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from storage.engine import Database
from tests.answers.conftest import HIRE, enroll_hire, make_answers, milestone_states
from tests.support.claude import API_KEY, claude_model


def test_passages_go_as_search_results_and_citations_come_back(
    claude: Answers, fake_api: FakeMessagesAPI
) -> None:
    """Passages are sent as cited search_result blocks under a cached system prompt; the reply's
    search_result_location citation maps back to its blueprint section."""
    answer = claude.ask(question="How fast should responses be at the 95th percentile?")
    [request] = fake_api.requests
    body = request.body
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "You are Onramp" in body["system"][0]["text"]
    blocks = body["messages"][0]["content"]
    results = [b for b in blocks if b["type"] == "search_result"]
    assert results[0]["citations"] == {"enabled": True}
    assert results[0]["source"] == "s7"
    assert (answer.backend, answer.model, answer.refused) == ("anthropic", "claude-fake-1", False)
    assert answer.citations[0].id == "s7"
    assert "Latency p50/p95 | Response time distribution" in answer.citations[0].quote


def test_usage_reports_cache_writes_then_reads(claude: Answers, fake_api: FakeMessagesAPI) -> None:
    """The second question reads the cached prefix the first one wrote; both are logged."""
    first = claude.ask(question="Who do I report to?")
    second = claude.ask(question="What are the 90-day goals?")
    assert first.usage is not None
    assert second.usage is not None
    assert first.usage.cache_write_tokens > 0
    assert first.usage.cache_read_tokens == 0
    assert second.usage.cache_read_tokens == first.usage.cache_write_tokens
    assert second.cost_usd > 0
    assert second.as_json()["usage"]["cache_read_input_tokens"] == second.usage.cache_read_tokens
    assert len(fake_api.requests) == 2


#: What Claude's update_my_milestone call carries back: the answer, and the tool result it got.
RoundTrip = Callable[[str, dict[str, str]], tuple[Answer, dict[str, Any]]]
SETUP = "d30-dev-environment"


@pytest.fixture
def round_trip(claude: Answers, fake_api: FakeMessagesAPI) -> RoundTrip:
    """The hire asks a question and Claude answers with an update_my_milestone call."""

    def ask(question: str, arguments: dict[str, str]) -> tuple[Answer, dict[str, Any]]:
        fake_api.enqueue(tool_use_message("update_my_milestone", arguments))
        answer = claude.ask(question=question, asker=Actor.slack(HIRE))
        return answer, fake_api.requests[1].body["messages"][-1]["content"][0]

    return ask


def test_tool_use_round_trip_updates_only_the_askers_milestone(
    claude: Answers, fake_api: FakeMessagesAPI, clock: ManualClock, round_trip: RoundTrip
) -> None:
    """Claude's update_my_milestone call is validated, applied to the asker's plan, and answered."""
    enroll_hire(claude, clock, days=10)
    done = {"milestone_id": SETUP, "status": "done"}
    answer, result = round_trip("I set up my laptop and repo access", done)
    tools = {t["name"] for t in fake_api.requests[0].body["tools"]}
    assert tools == {"read_my_progress", "update_my_milestone"}
    assert result["type"] == "tool_result"
    assert result["is_error"] is False
    assert SETUP in result["content"]
    assert answer.personal
    assert answer.backend == "anthropic"
    assert milestone_states(claude)[SETUP] == "done"


def test_invalid_tool_input_is_returned_to_the_model_as_an_error(
    claude: Answers, clock: ManualClock, round_trip: RoundTrip
) -> None:
    """A tool call with a user id or a bad status is rejected by validation, not executed."""
    enroll_hire(claude, clock, days=0)
    forged = {"milestone_id": SETUP, "status": "finished", "user": "U0OTHER"}
    _, result = round_trip("Mark my setup finished", forged)
    assert result["is_error"] is True
    assert "invalid input" in result["content"]


def test_overload_is_retried_then_answered(claude: Answers, fake_api: FakeMessagesAPI) -> None:
    """A 529 with retry-after-ms is retried by the SDK and the second attempt answers."""
    fake_api.enqueue(overloaded(retry_after_ms=1))
    answer = claude.ask(question="What are the 60-day goals?")
    assert len(fake_api.requests) == 2
    assert answer.backend == "anthropic"


def test_errors_fall_back_to_the_extractive_answer(
    claude: Answers, fake_api: FakeMessagesAPI
) -> None:
    """When Claude keeps failing, the extractive answer is given and says so."""
    fake_api.enqueue(*(overloaded() for _ in range(3)))
    answer = claude.ask(question="What are the 60-day goals?")
    assert answer.backend == "extractive (fallback)"
    assert "Claude is overloaded right now" in answer.text
    assert answer.citations
    assert answer.citations[0].id == "s6.60-day-goals"


def test_timeouts_fall_back_to_the_extractive_answer(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """A reply slower than the client timeout gives the extractive answer, not an error."""
    answers = make_answers(db, catalog, clock, model=claude_model(fake_api, timeout=0.2, retries=0))
    fake_api.enqueue(Scripted(hang=True))
    answer = answers.ask(question="Who do I report to?")
    assert answer.backend == "extractive (fallback)"
    assert not answer.refused
