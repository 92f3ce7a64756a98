"""Progress summaries, milestone statuses and the enrollment lifecycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.errors import Conflict, InvalidInput
from bot.domain.progress import (
    EnrollmentStatus,
    Lifecycle,
    MilestoneStatus,
    day_number,
    summarize,
    transition,
)
from bot.services.catalog import load_plan_file

PLAN = load_plan_file(
    Path(__file__).parents[2] / "plans" / "junior-llm-engineer" / "plan.yaml"
).plan
START = date(2026, 11, 2)


def test_day_one_is_the_start_date() -> None:
    """The start date is day 1, the day before is day 0."""
    assert day_number(START, START) == 1
    assert day_number(START, date(2026, 12, 1)) == 30
    assert day_number(START, date(2026, 11, 1)) == 0


@pytest.mark.parametrize(
    ("today", "phase"),
    [
        (date(2026, 11, 2), "day-30"),
        (date(2026, 12, 2), "day-30"),
        (date(2026, 12, 3), "day-60"),
        (date(2027, 3, 1), "month-6"),
        (date(2028, 1, 1), "month-12"),
    ],
)
def test_current_phase_follows_the_calendar(today: date, phase: str) -> None:
    """The current phase is the first whose due date has not passed; afterwards the last."""
    summary = summarize(plan=PLAN, start=START, today=today, states={})
    assert summary.current_phase == phase


def test_counts_overdue_and_blocked() -> None:
    """Done counts per phase; open milestones of past phases are overdue; blocked ones listed."""
    states = {
        "d30-product-surface": (MilestoneStatus.DONE, None),
        "d30-dev-environment": (MilestoneStatus.SKIPPED, "had access already"),
        "d30-first-improvements": (MilestoneStatus.BLOCKED, "waiting on review"),
    }
    summary = summarize(plan=PLAN, start=START, today=date(2026, 12, 10), states=states)
    day30 = summary.phases[0]
    assert (day30.done, day30.total, day30.closed) == (1, 6, 2)
    assert [m.id for m in summary.overdue] == [
        "d30-first-improvements",
        "d30-prompt-flow-tests",
        "d30-retrieval-fix",
        "d30-safe-data-handling",
    ]
    assert [m.id for m in summary.blocked] == ["d30-first-improvements"]
    assert summary.phases[0].milestones[1].note == "had access already"
    assert summary.percent == round(100 * 2 / summary.total)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("done", "done"),
        ("In Progress", "in_progress"),
        ("in-progress", "in_progress"),
        ("wip", "in_progress"),
        ("todo", "not_started"),
        ("BLOCKED", "blocked"),
    ],
)
def test_statuses_parse_leniently(text: str, status: str) -> None:
    """Common spellings of a status are understood."""
    assert MilestoneStatus.parse(text).value == status


def test_unknown_status_lists_the_valid_ones() -> None:
    """A status that doesn't exist is refused with the list of those that do."""
    with pytest.raises(InvalidInput, match="not_started, in_progress, done, blocked, skipped"):
        MilestoneStatus.parse("finished")


@pytest.mark.parametrize(
    ("current", "action", "new"),
    [
        (EnrollmentStatus.ACTIVE, Lifecycle.PAUSE, EnrollmentStatus.PAUSED),
        (EnrollmentStatus.PAUSED, Lifecycle.RESUME, EnrollmentStatus.ACTIVE),
        (EnrollmentStatus.ACTIVE, Lifecycle.COMPLETE, EnrollmentStatus.COMPLETED),
        (EnrollmentStatus.PAUSED, Lifecycle.WITHDRAW, EnrollmentStatus.WITHDRAWN),
    ],
)
def test_lifecycle_transitions(
    current: EnrollmentStatus, action: Lifecycle, new: EnrollmentStatus
) -> None:
    """Managers can pause, resume, complete and withdraw open plans."""
    assert transition(current, action) is new


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (EnrollmentStatus.ACTIVE, Lifecycle.RESUME),
        (EnrollmentStatus.PAUSED, Lifecycle.PAUSE),
        (EnrollmentStatus.COMPLETED, Lifecycle.WITHDRAW),
        (EnrollmentStatus.WITHDRAWN, Lifecycle.COMPLETE),
    ],
)
def test_impossible_transitions_say_why(current: EnrollmentStatus, action: Lifecycle) -> None:
    """A transition that makes no sense is refused with the reason."""
    with pytest.raises(Conflict, match=f"Cannot {action.value} a plan that is {current.value}"):
        transition(current, action)
