"""Life after the plan: the phases a plan lists after its last one (``growth.later``), dated
for one hire. Pure.

They are drawn from the blueprint's long-term goals and how the role evolves, shown once the
hire is past the plan's last phase, and never reviewed: the quarterly growth rounds are the
conversation (docs/growth.md "After month 12").
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.plan import Milestone, Plan
from bot.domain.workdays import effective_due


@dataclass(frozen=True)
class LaterPhase:
    """One later phase for one hire: due on a working day counted from their day 1."""

    id: str
    title: str
    due: date
    source: str
    milestones: tuple[Milestone, ...]

    def as_json(self) -> dict[str, Any]:
        """Its part of ``onramp progress --json`` (under ``later``)."""
        return {
            "id": self.id,
            "title": self.title,
            "due": self.due.isoformat(),
            "source": self.source,
            "milestones": [
                {"id": m.id, "title": m.title, "source": m.source} for m in self.milestones
            ],
        }


def later_phases(
    plan: Plan, *, start: date, today: date, holidays: Container[date]
) -> tuple[LaterPhase, ...]:
    """The plan's later phases with their due dates, once ``today`` is past the due date of
    the plan's last phase (none before: during the plan they would only distract)."""
    if not plan.growth.later or not plan.phases:
        return ()
    if today <= effective_due(plan.phases[-1].due, start, holidays):
        return ()
    return tuple(
        LaterPhase(
            id=phase.id,
            title=phase.title,
            due=effective_due(phase.due, start, holidays),
            source=phase.source,
            milestones=tuple(phase.milestones),
        )
        for phase in plan.growth.later
    )
