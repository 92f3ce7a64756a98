"""Claude's stop reasons through the answer service: what is shown, logged, and cached."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.llm.anthropic_backend import MAX_TOOL_ROUNDS
from bot.llm.fake_api import (
    FakeMessagesAPI,
    api_error,
    message,
    search_result_citation,
    text_message,
    tool_use_message,
)
from bot.services import answer_text as say
from bot.services.answers import Answers
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from storage import qa as qa_repo
from storage.engine import Database
from storage.models import ProgressEvent
from tests.answers.conftest import HIRE, enroll_hire

QUESTION = "How fast should responses be at the 95th percentile?"
CITED = ("under two seconds", search_result_citation(0, "s7", "p95 under two seconds"))


def _logged(db: Database) -> list[tuple[str | None, bool]]:
    with db.transaction() as session:
        rows = qa_repo.recent_qa(session=session)
        return [(row.stop_reason, row.refused) for row in reversed(rows)]


@pytest.mark.parametrize(
    ("reply", "refused", "cached", "shown"),
    [
        (text_message("At p95, ", CITED), False, True, "At p95, under two seconds"),
        (text_message("At p95, ", CITED, stop_reason="stop_sequence"), False, True, "At p95"),
        (text_message("At p95, ", CITED, stop_reason="max_tokens"), False, False, say.CUT_OFF),
        (text_message("", stop_reason="refusal"), True, False, say.DECLINED),
        (text_message("Under two seconds at p95."), False, False, "Under two seconds"),
    ],
    ids=["end_turn", "stop_sequence", "max_tokens", "refusal", "uncited"],
)
def test_each_stop_reason_is_shown_logged_and_cached_as_it_should(
    claude: Answers,
    fake_api: FakeMessagesAPI,
    db: Database,
    reply: dict[str, Any],
    refused: bool,
    cached: bool,
    shown: str,
) -> None:
    """Only a finished, cited answer is cached; a cut-off one says so, a refusal is refused, an
    uncited one is given but neither refused nor cached; qa_log keeps each stop_reason."""
    fake_api.enqueue(reply)
    first = claude.ask(question=QUESTION)
    second = claude.ask(question=QUESTION)
    assert shown in first.text
    assert first.refused is refused
    assert second.cached is cached
    assert len(fake_api.requests) == (1 if cached else 2)
    assert _logged(db)[0] == (reply["stop_reason"], refused)


def test_a_paused_turn_is_sent_back_and_continued(
    claude: Answers, fake_api: FakeMessagesAPI
) -> None:
    """A pause_turn reply goes back as the assistant turn (SDK to_param form) and the answer
    comes from the continued turn."""
    fake_api.enqueue(
        message([{"type": "text", "text": "Looking it up"}], stop_reason="pause_turn"),
        text_message("At p95, ", CITED),
    )
    answer = claude.ask(question=QUESTION)
    assert len(fake_api.requests) == 2
    assert fake_api.requests[1].body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Looking it up"}],
    }
    assert answer.citations
    assert answer.backend == "anthropic"


def test_the_last_tool_round_must_answer_in_text(
    claude: Answers, fake_api: FakeMessagesAPI, clock: ManualClock
) -> None:
    """After MAX_TOOL_ROUNDS - 1 tool rounds the request forbids tools (tool_choice none), and
    the answer's usage counts every round."""
    enroll_hire(claude, clock, days=10)
    fake_api.enqueue(
        *(
            tool_use_message("read_my_progress", {}, tool_id=f"toolu_{n}")
            for n in range(MAX_TOOL_ROUNDS - 1)
        )
    )
    answer = claude.ask(question="What is left for me to do?", asker=Actor.slack(HIRE))
    choices = [r.body.get("tool_choice") for r in fake_api.requests]
    assert choices == [None] * (MAX_TOOL_ROUNDS - 1) + [{"type": "none"}]
    assert answer.backend == "anthropic"
    assert answer.usage is not None
    assert answer.usage.input_tokens >= 100 * (MAX_TOOL_ROUNDS - 1)


def test_a_failure_after_a_tool_ran_reports_it_once_and_keeps_its_cost(
    claude: Answers, fake_api: FakeMessagesAPI, clock: ManualClock, db: Database
) -> None:
    """When Claude fails after update_my_milestone ran, the offline answer reports that update
    from the tool's result instead of applying it again, and keeps the tokens already spent."""
    enroll_hire(claude, clock, days=10)
    setup = "d30-dev-environment"
    fake_api.enqueue(
        tool_use_message("update_my_milestone", {"milestone_id": setup, "status": "done"}),
        api_error(400, "invalid_request_error", "messages: something the API refused"),
    )
    answer = claude.ask(question="I set up my laptop and repo access", asker=Actor.slack(HIRE))
    with db.transaction() as session:
        events = session.exec(
            select(ProgressEvent).where(ProgressEvent.milestone_id == setup)
        ).all()
    assert answer.backend == "extractive (fallback)"
    assert setup in answer.text
    assert len(events) == 1
    assert answer.usage is not None
    assert answer.usage.input_tokens == 100
    assert answer.cost_usd > 0
