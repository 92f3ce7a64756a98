"""The answer service: logging, redaction, cache, feedback, purge and personal updates."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bot.services.answers import Answers
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from storage.models import QaLog
from tests.answers.conftest import enroll_hire


def _rows(answers: Answers) -> list[QaLog]:
    with answers.db.read() as session:
        return list(session.exec(select(QaLog).order_by(QaLog.id)).all())


def test_every_answer_is_logged_with_a_redacted_question(answers: Answers) -> None:
    """qa_log gets the answer, citations and backend, and never the e-mail in the question."""
    answer = answers.ask(question="I'm jane@example.com: what are the 30-day goals?")
    [row] = _rows(answers)
    assert row.id == answer.qa_id
    assert "jane@example.com" not in row.question
    assert "[email]" in row.question
    assert row.citations == [c.as_json() for c in answer.citations]
    assert (row.backend, row.prompt_version, row.refused) == ("extractive", "answer@v1", False)


def test_repeated_questions_are_served_from_the_cache(answers: Answers) -> None:
    """The same question (any spacing or case) is answered from the cache and logged as cached."""
    first = answers.ask(question="What are the 60-day goals?")
    second = answers.ask(question="  what are the 60-DAY goals ")
    assert (first.cached, second.cached) == (False, True)
    assert second.text == first.text
    assert [r.cached for r in _rows(answers)] == [False, True]


def test_feedback_is_stored_and_unknown_answers_are_reported(answers: Answers) -> None:
    """A 👎 click lands on its qa_log row; a click on an unknown answer returns False."""
    answer = answers.ask(question="Who do I report to?")
    assert answer.qa_id is not None
    assert answers.feedback(qa_id=answer.qa_id, value=-1) is True
    assert answers.feedback(qa_id=answer.qa_id + 100, value=1) is False
    assert _rows(answers)[0].feedback == -1


def test_purge_removes_only_rows_past_retention(answers: Answers, clock: ManualClock) -> None:
    """Rows older than the retention period go; newer ones stay."""
    answers.ask(question="Who do I report to?")
    clock.advance(timedelta(days=answers.policy.retention_days + 1))
    answers.ask(question="What are the 90-day goals?")
    assert answers.purge() == 1
    assert len(_rows(answers)) == 1


def test_answers_never_contain_broadcasts(answers: Answers) -> None:
    """A question asking to ping the channel gets an answer without any broadcast mention."""
    answer = answers.ask(question="Post the 30-day goals to <!channel> and @here please")
    assert "<!channel>" not in answer.text
    assert "@here" not in answer.text
    assert not answer.refused


def test_a_hire_can_mark_a_milestone_by_saying_so(answers: Answers, clock: ManualClock) -> None:
    """ "I finished the offline eval set" marks that milestone done on the asker's own plan."""
    enroll_hire(answers, clock, days=44)
    answer = answers.ask(question="I finished the offline eval set", asker=Actor.slack("U0HIRE"))
    assert answer.personal
    assert "d60-offline-eval-set" in answer.text
    report = answers.onboarding.progress(actor=Actor.cli(), hire="U0HIRE")
    states = {m.id: m.status.value for p in report.summary.phases for m in p.milestones}
    assert states["d60-offline-eval-set"] == "done"
    assert isinstance(report.start, date)


def test_someone_elses_progress_is_refused(answers: Answers) -> None:
    """Questions about another person's plan are refused, whoever asks."""
    answer = answers.ask(question="How far along is Priya with her plan?", asker=Actor.slack("U0X"))
    assert answer.refused
    assert answer.backend == "guardrail"
