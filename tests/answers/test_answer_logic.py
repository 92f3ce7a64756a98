"""The answer service's logic around retrieval: cache vs personal intents, milestone updates,
topic vetoes, broadcasts in questions and the choice of cited passages (issue 5 review)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from bot.domain.errors import InvalidInput
from bot.domain.intents import Intent, IntentKind
from bot.domain.plan import LoadedPlan
from bot.services import answer_text as say
from bot.services.answers import AnswerPolicy, Answers, select_passages
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from storage.engine import Database
from storage.models import QaLog
from tests.support.questions import ROLE_QUESTIONS

from .conftest import GOLDEN, HELDOUT, HIRE, PLAN_ID, enroll_hire, make_answers, milestone_states

ROLE = "Junior LLM Engineer"
BROADCAST = re.compile(r"<!(channel|here|everyone|subteam)|@(channel|here|everyone)\b", re.I)


@pytest.mark.parametrize(
    "question", ["What should I focus on this week?", "What's left for day 60?"]
)
def test_personal_questions_are_never_served_from_the_cache(
    answers: Answers, clock: ManualClock, question: str
) -> None:
    """Someone without a plan is told so (no passage); a hire then gets their own plan, uncached."""
    enroll_hire(answers, clock)
    manager = answers.ask(question=question, asker=Actor.slack("U0BOSS"))
    anonymous = answers.ask(question=question)
    hire = answers.ask(question=question, asker=Actor.slack(HIRE))
    assert manager.text == anonymous.text == say.NOT_ENROLLED.format(role=ROLE)
    assert manager.refused
    assert not manager.citations
    assert hire.personal
    assert not hire.cached
    assert not hire.refused
    report = answers.onboarding.own(actor=Actor.slack(HIRE))
    assert report is not None
    assert f"day {report.summary.day}" in hire.text
    again = answers.ask(question=question, asker=Actor.slack("U0BOSS"))
    assert not again.cached
    assert again.text == manager.text


@pytest.mark.parametrize(
    "question",
    [
        "What happens after I've finished the offline eval set?",
        "If I skip the fine-tuning work, is that a problem?",
        "What should I have done after my first four weeks?",
    ],
)
def test_questions_about_a_milestone_leave_it_unchanged(
    answers: Answers, clock: ManualClock, question: str
) -> None:
    """Asking about finishing or skipping a milestone changes no milestone's status."""
    enroll_hire(answers, clock)
    before = milestone_states(answers)
    answer = answers.ask(question=question, asker=Actor.slack(HIRE))
    assert milestone_states(answers) == before
    assert "Marked" not in answer.text


@pytest.mark.parametrize("question", ROLE_QUESTIONS)
def test_role_questions_are_not_refused_by_rules(answers: Answers, question: str) -> None:
    """No topic, injection or other-person rule refuses a question about the role."""
    answer = answers.ask(question=question)
    assert answer.reason not in {"off_topic", "injection", "other_person"}


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("How many people work at this company?", "company"),
        ("What is the Slack channel for incidents?", "company"),
        ("What's the URL of our Datadog dashboard?", "company"),
        ("Can you write me a Python function that reverses a linked list?", "coding_help"),
        ("What's the starting salary for this position?", "pay"),
        ("Is this job hybrid?", "remote"),
        ("Do we get extra pay for weekend on-call?", "pay"),
        ("When is the next all-hands meeting?", "company"),
    ],
)
def test_off_topic_and_company_lookups_are_refused(
    answers: Answers, question: str, topic: str
) -> None:
    """Company-specific lookups point to the mentor; other topics keep their own refusal."""
    answer = answers.ask(question=question)
    assert answer.refused
    assert not answer.citations
    assert answer.text == say.OFF_TOPIC[topic].format(role=ROLE)


def test_a_topic_rule_yields_to_a_blueprint_that_covers_the_question(
    answers: Answers, plan: LoadedPlan, db: Database, catalog: PlanCatalog, clock: ManualClock
) -> None:
    """A word-list rule whose cue the blueprint uses refuses only when coverage is low too."""
    hint = Intent(IntentKind.OFF_TOPIC, topic="remote", cue="hybrid search")
    absent = Intent(IntentKind.OFF_TOPIC, topic="remote", cue="hybrid work")
    certain = replace(hint, certain=True)
    covered = "When should I use hybrid search over keyword search?"
    assert not answers._topic_vetoes(covered, hint, plan)
    assert answers._topic_vetoes(covered, absent, plan)
    assert answers._topic_vetoes(covered, certain, plan)
    strict = make_answers(db, catalog, clock, policy=AnswerPolicy(min_coverage=1.01))
    assert strict._topic_vetoes(covered, hint, plan)


def test_a_question_with_a_broadcast_is_answered_without_it(answers: Answers) -> None:
    """The broadcast request is dropped and the question answered; no broadcast in answer or log."""
    answer = answers.ask(question="What KPIs matter? Also add <!everyone> and <!here> to the reply")
    assert not answer.refused
    assert answer.citations
    assert not BROADCAST.search(answer.text)
    with answers.db.read() as session:
        [row] = session.exec(select(QaLog)).all()
    assert not BROADCAST.search(row.question)


@pytest.mark.parametrize("question", ["   ", "<!here> <!channel>"])
def test_a_question_with_nothing_left_to_answer_asks_for_one(
    answers: Answers, question: str
) -> None:
    """A blank question, or one that is only broadcasts, is refused with the example question."""
    with pytest.raises(InvalidInput) as refused:
        answers.ask(question=question)
    assert str(refused.value) == say.EMPTY_QUESTION


def _in_scope(path: Path) -> list[str]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [c["q"] for c in cases if c["kind"] == "in_scope"]


def test_citations_never_repeat_a_passage(offline_answers: Answers) -> None:
    """Across the golden and held-out questions, no answer cites a section and quote twice."""
    for question in _in_scope(GOLDEN) + _in_scope(HELDOUT):
        answer = offline_answers.ask(question=question, log_answer=False)
        keys = [(c.id, " ".join(c.quote.split())) for c in answer.citations]
        assert len(keys) == len(set(keys)), question


def test_passage_selection_prefers_new_sections_on_ties_and_drops_weak_extras(
    offline_answers: Answers,
) -> None:
    """Ties go to a new section; duplicates appear once; far-behind or thin extras never do."""
    passages = offline_answers.retriever(PLAN_ID).search("What are the 30-day goals?", limit=8)
    same = [p for p in passages if p.chunk.section_id == passages[0].chunk.section_id]
    other = next(p for p in passages if p.chunk.section_id != passages[0].chunk.section_id)
    best, sibling = (replace(p, score=2.0, coverage=1.0, confidence=1.0) for p in same[:2])
    newcomer = replace(other, score=1.0, coverage=1.0, confidence=1.0)
    far = replace(other, score=0.9, coverage=1.0, confidence=1.0)
    thin = replace(other, score=1.9, coverage=0.3, confidence=0.3)

    def quote(p: object) -> tuple[str, str]:
        return "shown", getattr(p, "chunk").quote  # noqa: B009

    tie = select_passages(
        [best, replace(sibling, score=1.0), newcomer], min_coverage=0.45, limit=3, excerpt=quote
    )
    assert [p.chunk.section_id for p, _, _ in tie][:2] == [
        best.chunk.section_id,
        newcomer.chunk.section_id,
    ]
    dup = select_passages([best, best, sibling], min_coverage=0.45, limit=3, excerpt=quote)
    assert [p.chunk.id for p, _, _ in dup] == [best.chunk.id, sibling.chunk.id]
    for weak in (far, thin):
        assert select_passages([best, weak], min_coverage=0.45, limit=3, excerpt=quote) == [
            (best, "shown", best.chunk.quote)
        ]


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("Post an update to <!channel> that the eval freeze is on.", id="channel"),
        pytest.param("Ping <!here> and tell them the dashboards are down.", id="here"),
        pytest.param(
            "Write the message for #llm-team starting with <!everyone>, then post it.",
            id="everyone",
        ),
    ],
)
def test_requests_to_post_are_refused_without_a_broadcast(answers: Answers, question: str) -> None:
    """A request to post or send gets the no-actions refusal, never a broadcast mention."""
    answer = answers.ask(question=question)
    assert (answer.refused, answer.reason) == (True, "action")
    assert answer.text == say.NO_ACTIONS.format(role=ROLE)
    assert "<!" not in answer.text


def test_a_role_question_carrying_a_broadcast_is_answered(answers: Answers) -> None:
    """ "<!here> what are the KPIs?" loses the mention and is answered from the blueprint."""
    answer = answers.ask(question="<!here> what are the KPIs for this role?")
    assert not answer.refused
    assert any(c.section == 7 for c in answer.citations)
    assert "<!" not in answer.text
