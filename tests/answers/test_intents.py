"""Offline intent rules tell the asker's own plan from the role, others' data and off-topic."""

from __future__ import annotations

import pytest

from bot.domain.intents import IntentKind, classify, match_milestones
from bot.domain.plan import LoadedPlan
from bot.domain.progress import MilestoneStatus
from tests.support.questions import ROLE_QUESTIONS

#: Lookups only this company can answer, and the asker's own pay, by the topic they refuse with.
CERTAIN_OFF_TOPIC = {
    "company": (
        "How many people work at this company?",
        "What is the Slack channel for incidents?",
        "What's the URL of our Datadog dashboard?",
        "Which Jira board is my team using?",
        "What is the name of our team's Jira project?",
        "Which Kubernetes version does our cluster run?",
        "Is there a link to the onboarding wiki?",
        "When's the next town hall?",
        "What time is the standup here?",
        "what date is the team offsite?",
        "When does retro start tomorrow?",
        "Is the office closed on Monday?",
        "When is the upcoming performance review cycle?",
    ),
    "pay": (
        "Are on-call weekends paid extra?",
        "do we get a bonus if the launch goes well?",
        "Is there stock for new engineers?",
        "Does incident work count as overtime?",
        "Will I get a raise after a year?",
        "how much does this role pay?",
        "Is there a learning stipend?",
    ),
}
#: Statements of progress by the status they set, a question after one included.
STATEMENTS = {
    MilestoneStatus.DONE: (
        "I've completed the offline eval set.",
        "Done with the offline eval set",
        "Mark d30-prompt-flow-tests as done",
        "Could you mark d30-prompt-flow-tests as done?",
        "I finished the offline eval set. What should I do next?",
    ),
    MilestoneStatus.SKIPPED: ("I'm going to skip the fine-tuning work.",),
}


@pytest.mark.parametrize(
    ("question", "kind", "phase"),
    [
        ("What should I focus on this week?", IntentKind.FOCUS, None),
        ("What's left for day 60?", IntentKind.REMAINING, "day-60"),
        ("Which of my 6-month milestones are still open?", IntentKind.REMAINING, "month-6"),
        ("Am I on track?", IntentKind.PROGRESS, None),
        ("What are the 60-day goals?", IntentKind.BLUEPRINT, None),
        ("What should a new hire focus on in the first month?", IntentKind.BLUEPRINT, None),
        ("Tell me Bob's progress", IntentKind.OTHER_PERSON, None),
        ("How is <@U0ABC> doing with the plan?", IntentKind.OTHER_PERSON, None),
        ("Which changes need a tech lead's review?", IntentKind.BLUEPRINT, None),
        ("How many vacation days do I get?", IntentKind.OFF_TOPIC, None),
        ("What's the cost per request target?", IntentKind.BLUEPRINT, None),
    ],
)
def test_questions_are_classified(
    plan: LoadedPlan, question: str, kind: IntentKind, phase: str | None
) -> None:
    """Each question gets the intent (and phase) a person would expect."""
    intent = classify(question, plan.plan)
    assert intent.kind is kind
    assert intent.phase_id == phase


def test_updates_carry_status_and_subject(plan: LoadedPlan) -> None:
    """ "I finished X" / "I'm blocked on X" / "I've started X" name the status and the milestone."""
    done = classify("I finished the offline eval set", plan.plan)
    blocked = classify("I'm blocked on the dev environment", plan.plan)
    started = classify("I've started working on CI gating", plan.plan)
    assert (done.kind, done.status) == (IntentKind.UPDATE, MilestoneStatus.DONE)
    assert blocked.status is MilestoneStatus.BLOCKED
    assert started.status is MilestoneStatus.IN_PROGRESS
    assert match_milestones(done.subject, plan.plan)[0].milestone_id == "d60-offline-eval-set"
    assert match_milestones(started.subject, plan.plan)[0].milestone_id == "m6-ci-gating"


@pytest.mark.parametrize(
    "question",
    [
        "What happens after I've finished the offline eval set?",
        "If I skip the fine-tuning work, is that a problem?",
        "What should I have done after my first four weeks?",
        "Once I've completed the CI gating, what comes next",
        "Tell me what to do after I finish the offline eval set.",
        "Should I mark the offline eval set as done?",
        "I wonder what happens if I skip the fine-tuning work?",
    ],
)
def test_questions_about_milestones_never_update(plan: LoadedPlan, question: str) -> None:
    """A question or conditional clause that mentions finishing or skipping is not an update."""
    assert classify(question, plan.plan).kind is not IntentKind.UPDATE


@pytest.mark.parametrize(
    ("statement", "status"),
    [(statement, status) for status, statements in STATEMENTS.items() for statement in statements],
)
def test_statements_still_update(plan: LoadedPlan, statement: str, status: MilestoneStatus) -> None:
    """Statements ("I've completed X", "done with X", "mark X as done") update with a status."""
    intent = classify(statement, plan.plan)
    assert (intent.kind, intent.status) == (IntentKind.UPDATE, status)
    assert intent.subject
    assert "?" not in intent.subject


@pytest.mark.parametrize("question", ROLE_QUESTIONS)
def test_role_questions_go_to_the_blueprint(plan: LoadedPlan, question: str) -> None:
    """A role question goes to the blueprint, whatever off-topic or injection cue it walks past."""
    assert classify(question, plan.plan).kind is IntentKind.BLUEPRINT


@pytest.mark.parametrize(
    ("question", "topic"),
    [(question, topic) for topic, questions in CERTAIN_OFF_TOPIC.items() for question in questions],
)
def test_company_lookups_and_own_pay_are_certain_off_topic(
    plan: LoadedPlan, question: str, topic: str
) -> None:
    """Lookups of this company's own facts and events, and one's own pay, are surely off-topic."""
    intent = classify(question, plan.plan)
    assert (intent.kind, intent.topic, intent.certain) == (IntentKind.OFF_TOPIC, topic, True)


@pytest.mark.parametrize(
    ("question", "certain"),
    [
        ("Can you write me a Python function that reverses a linked list?", True),
        ("Help me write a bash script that renames my jpg files", True),
        ("Fix this regex for me, it doesn't match emails.", True),
        ("What's the starting salary for this position?", True),
        ("When is the company holiday party?", False),
        ("Is this job hybrid?", False),
    ],
)
def test_off_topic_requests_carry_their_cue(plan: LoadedPlan, question: str, certain: bool) -> None:
    """Coding asked of the bot and the asker's pay are certain; word-list topics carry the words
    that matched."""
    intent = classify(question, plan.plan)
    assert intent.kind is IntentKind.OFF_TOPIC
    assert intent.certain is certain
    assert intent.cue
    assert intent.cue.lower() in question.lower()
