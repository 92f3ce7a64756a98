"""The real anthropic.Anthropic client against the loopback fake Messages API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.llm.anthropic_backend import AnthropicModel, build_client
from bot.llm.fake_api import FakeMessagesAPI, Scripted, overloaded, tool_use_message
from bot.services.answers import Answers
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from storage.engine import Database
from tests.answers.conftest import enroll_hire, make_answers, milestone_states


@pytest.fixture
def fake() -> Iterator[FakeMessagesAPI]:
    """A running fake Messages API on 127.0.0.1."""
    with FakeMessagesAPI() as server:
        yield server


def _answers(
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    fake: FakeMessagesAPI,
    *,
    timeout: float = 5.0,
    retries: int = 2,
) -> Answers:
    client = build_client(
        api_key="sk-ant-test-key", base_url=fake.base_url, timeout=timeout, max_retries=retries
    )
    model = AnthropicModel(client=client, model="claude-test", max_tokens=400)
    return make_answers(db, catalog, clock, model=model)


@pytest.fixture
def claude(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake: FakeMessagesAPI
) -> Answers:
    """The answer service with the Anthropic backend pointed at the fake."""
    return _answers(db, catalog, clock, fake)


def test_passages_go_as_search_results_and_citations_come_back(
    claude: Answers, fake: FakeMessagesAPI
) -> None:
    """Passages are sent as cited search_result blocks under a cached system prompt; the reply's
    search_result_location citation maps back to its blueprint section."""
    answer = claude.ask(question="How fast should responses be at the 95th percentile?")
    [request] = fake.requests
    body = request.body
    assert request.headers["authorization"] == "Bearer sk-ant-test-key"
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "You are Onramp" in body["system"][0]["text"]
    blocks = body["messages"][0]["content"]
    results = [b for b in blocks if b["type"] == "search_result"]
    assert results[0]["citations"] == {"enabled": True}
    assert results[0]["source"] == "s7"
    assert (answer.backend, answer.model, answer.refused) == ("anthropic", "claude-fake-1", False)
    assert answer.citations[0].id == "s7"
    assert "Latency p50/p95 | Response time distribution" in answer.citations[0].quote


def test_usage_reports_cache_writes_then_reads(claude: Answers, fake: FakeMessagesAPI) -> None:
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
    assert len(fake.requests) == 2


def test_tool_use_round_trip_updates_only_the_askers_milestone(
    claude: Answers, fake: FakeMessagesAPI, clock: ManualClock
) -> None:
    """Claude's update_my_milestone call is validated, applied to the asker's plan, and answered."""
    enroll_hire(claude, clock, days=10)
    fake.enqueue(
        tool_use_message(
            "update_my_milestone", {"milestone_id": "d30-dev-environment", "status": "done"}
        )
    )
    answer = claude.ask(question="I set up my laptop and repo access", asker=Actor.slack("U0HIRE"))
    tools = {t["name"] for t in fake.requests[0].body["tools"]}
    assert tools == {"read_my_progress", "update_my_milestone"}
    result = fake.requests[1].body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result"
    assert result["is_error"] is False
    assert "d30-dev-environment" in result["content"]
    assert answer.personal
    assert answer.backend == "anthropic"
    assert milestone_states(claude)["d30-dev-environment"] == "done"


def test_invalid_tool_input_is_returned_to_the_model_as_an_error(
    claude: Answers, fake: FakeMessagesAPI, clock: ManualClock
) -> None:
    """A tool call with a user id or a bad status is rejected by validation, not executed."""
    enroll_hire(claude, clock, days=0)
    fake.enqueue(
        tool_use_message(
            "update_my_milestone",
            {"milestone_id": "d30-dev-environment", "status": "finished", "user": "U0OTHER"},
        )
    )
    claude.ask(question="Mark my setup finished", asker=Actor.slack("U0HIRE"))
    result = fake.requests[1].body["messages"][-1]["content"][0]
    assert result["is_error"] is True
    assert "invalid input" in result["content"]


def test_overload_is_retried_then_answered(claude: Answers, fake: FakeMessagesAPI) -> None:
    """A 529 with retry-after-ms is retried by the SDK and the second attempt answers."""
    fake.enqueue(overloaded(retry_after_ms=1))
    answer = claude.ask(question="What are the 60-day goals?")
    assert len(fake.requests) == 2
    assert answer.backend == "anthropic"


def test_errors_fall_back_to_the_extractive_answer(claude: Answers, fake: FakeMessagesAPI) -> None:
    """When Claude keeps failing, the extractive answer is given and says so."""
    fake.enqueue(*(overloaded() for _ in range(3)))
    answer = claude.ask(question="What are the 60-day goals?")
    assert answer.backend == "extractive (fallback)"
    assert "Claude is unavailable" in answer.text
    assert answer.citations
    assert answer.citations[0].id == "s6.60-day-goals"


def test_timeouts_fall_back_to_the_extractive_answer(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake: FakeMessagesAPI
) -> None:
    """A reply slower than the client timeout gives the extractive answer, not an error."""
    answers = _answers(db, catalog, clock, fake, timeout=0.2, retries=0)
    fake.enqueue(Scripted(hang=True))
    answer = answers.ask(question="Who do I report to?")
    assert answer.backend == "extractive (fallback)"
    assert not answer.refused
