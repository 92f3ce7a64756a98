"""Offline intent rules tell the asker's own plan from the role, others' data and off-topic."""

from __future__ import annotations

import pytest

from bot.domain.intents import IntentKind, classify, match_milestones
from bot.domain.plan import LoadedPlan
from bot.domain.progress import MilestoneStatus


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
