"""What a hire whose plan has ended hears when they ask about it."""

from __future__ import annotations

import pytest

from bot.domain.progress import EnrollmentStatus
from bot.services import answer_text as say
from bot.services.answers import Answers
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor

from .conftest import HIRE, enroll_hire

ROLE = "Junior LLM Engineer"


@pytest.mark.parametrize(
    ("action", "status"),
    [("withdraw", EnrollmentStatus.WITHDRAWN), ("complete", EnrollmentStatus.COMPLETED)],
)
@pytest.mark.parametrize("question", ["what should I do next?", "What's left for day 60?"])
def test_an_ended_plan_is_named_not_called_missing(
    answers: Answers, clock: ManualClock, action: str, status: EnrollmentStatus, question: str
) -> None:
    """After a withdraw or complete, a personal question is told how the plan ended, never
    that the hire is "not on a plan yet"."""
    enroll_hire(answers, clock)
    answers.onboarding.change(actor=Actor.cli(), hire=HIRE, action=action)
    answer = answers.ask(question=question, asker=Actor.slack(HIRE))
    assert answer.refused
    assert answer.text == say.PLAN_ENDED[status].format(role=ROLE)
    assert "yet" not in answer.text
