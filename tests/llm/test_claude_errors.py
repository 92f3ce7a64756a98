"""Claude's failures told apart (configuration or transient) and named, through the real SDK."""

from __future__ import annotations

import logging

import pytest

from bot.app import health_report
from bot.llm.anthropic_backend import AnthropicModel, build_client
from bot.llm.fake_api import MODEL, FakeMessagesAPI, overloaded, rate_limited
from bot.services.answers import Answers
from bot.services.answers.guard import GuardedModel
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from storage.engine import Database
from tests.answers.conftest import make_answers
from tests.support.claude import API_KEY

QUESTION = "How fast should responses be at the 95th percentile?"


def _model(fake: FakeMessagesAPI, model: str = MODEL, retries: int = 1) -> AnthropicModel:
    client = build_client(
        api_key=API_KEY, base_url=fake.base_url, timeout=5, max_retries=0, connect_timeout=2
    )
    return AnthropicModel(
        client=client, model=model, max_tokens=400, retries=retries, retry_after_cap=2.0
    )


def test_retired_model_is_named_to_the_user_the_log_and_healthz(
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    fake_api: FakeMessagesAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 404 model id is a configuration error: the offline answer names `anthropic.model`, the
    ERROR log has the error type and request id (never the key), /healthz says so; no retry."""
    model = _model(fake_api, model="claude-retired-1")
    answers: Answers = make_answers(db, catalog, clock, model=model)
    with caplog.at_level(logging.ERROR, logger="onramp.llm"):
        answer = answers.ask(question=QUESTION)
    assert answer.backend == "extractive (fallback)"
    assert (
        "Claude isn't configured right (the model id 'claude-retired-1' was not found): an admin "
        "should fix `anthropic.model` in app.yaml" in answer.text
    )
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "configuration error NotFoundError (HTTP 404, request id req_fake)" in record.message
    assert API_KEY not in caplog.text
    assert len(fake_api.requests) == 1
    claude = health_report(db, claude=model.health.report)["claude"]
    assert (claude["last_error_kind"], claude["last_error"]["setting"]) == (
        "configuration",
        "anthropic.model",
    )


def test_a_long_retry_after_falls_back_at_once_saying_claude_is_busy(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """A 429 asking for 17 s (over the 2 s cap) is not waited for: one request, then the offline
    answer saying Claude is busy, and /healthz records a transient error."""
    fake_api.enqueue(rate_limited(retry_after=17))
    model = _model(fake_api)
    answer = make_answers(db, catalog, clock, model=model).ask(question=QUESTION)
    assert "Claude is busy right now, so this answer quotes the blueprint directly" in answer.text
    assert len(fake_api.requests) == 1
    assert model.health.report()["last_error_kind"] == "transient"


def test_a_short_retry_after_is_retried_once(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """A 529 asking for 1 ms is retried once, and Claude's answer is given."""
    fake_api.enqueue(overloaded(retry_after_ms=1))
    model = _model(fake_api)
    answer = make_answers(db, catalog, clock, model=model).ask(question=QUESTION)
    assert answer.backend == "anthropic"
    assert len(fake_api.requests) == 2
    assert model.health.report()["last_error_kind"] is None


def test_past_the_deadline_the_offline_answer_says_claude_was_slow(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """A Claude slower than the overall deadline gets the offline answer, which says why."""
    fake_api.latency = 30.0
    guarded = GuardedModel(_model(fake_api), workers=1, queue=0, deadline=0.3)
    try:
        answer = make_answers(db, catalog, clock, model=guarded).ask(question=QUESTION)
    finally:
        fake_api.release()
        guarded.close()
    assert answer.backend == "extractive (fallback)"
    assert "Claude took longer than 0.3 seconds" in answer.text
