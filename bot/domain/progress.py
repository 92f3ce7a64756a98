"""Milestone statuses, enrollment lifecycle and the progress summary (pure date math)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.errors import Conflict, InvalidInput
from bot.domain.plan import Plan


class MilestoneStatus(StrEnum):
    """Where one milestone stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    SKIPPED = "skipped"

    @classmethod
    def parse(cls, text: str) -> MilestoneStatus:
        """Accept ``done``, ``in-progress``, ``In Progress`` …; raise with the valid list."""
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        aliases = {"todo": "not_started", "started": "in_progress", "wip": "in_progress"}
        key = aliases.get(key, key)
        try:
            return cls(key)
        except ValueError:
            valid = ", ".join(s.value for s in cls)
            raise InvalidInput(f"'{text}' is not a milestone status; use one of: {valid}") from None

    @property
    def closed(self) -> bool:
        """Done or deliberately skipped: nothing more is expected."""
        return self in (MilestoneStatus.DONE, MilestoneStatus.SKIPPED)


class EnrollmentStatus(StrEnum):
    """The lifecycle of one hire's plan."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        """Active or paused: the hire still holds this enrollment."""
        return self in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


class Lifecycle(StrEnum):
    """What a manager can do to an enrollment."""

    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


_TRANSITIONS: dict[tuple[EnrollmentStatus, Lifecycle], EnrollmentStatus] = {
    (EnrollmentStatus.ACTIVE, Lifecycle.PAUSE): EnrollmentStatus.PAUSED,
    (EnrollmentStatus.PAUSED, Lifecycle.RESUME): EnrollmentStatus.ACTIVE,
    (EnrollmentStatus.ACTIVE, Lifecycle.COMPLETE): EnrollmentStatus.COMPLETED,
    (EnrollmentStatus.PAUSED, Lifecycle.COMPLETE): EnrollmentStatus.COMPLETED,
    (EnrollmentStatus.ACTIVE, Lifecycle.WITHDRAW): EnrollmentStatus.WITHDRAWN,
    (EnrollmentStatus.PAUSED, Lifecycle.WITHDRAW): EnrollmentStatus.WITHDRAWN,
}


def transition(current: EnrollmentStatus, action: Lifecycle) -> EnrollmentStatus:
    """The status after ``action``; raise :class:`Conflict` saying why it cannot happen."""
    new = _TRANSITIONS.get((current, action))
    if new is None:
        hint = {
            Lifecycle.PAUSE: "only an active plan can be paused",
            Lifecycle.RESUME: "only a paused plan can be resumed",
            Lifecycle.COMPLETE: "it has already ended",
            Lifecycle.WITHDRAW: "it has already ended",
        }[action]
        raise Conflict(f"Cannot {action.value} a plan that is {current.value}: {hint}.")
    return new


@dataclass(frozen=True)
class MilestoneView:
    """A milestone with the hire's current status and note."""

    id: str
    title: str
    status: MilestoneStatus
    note: str | None
    due: date
    parent: str | None = None


@dataclass(frozen=True)
class PhaseView:
    """One phase with its due date and the hire's milestones."""

    id: str
    title: str
    due: date
    milestones: tuple[MilestoneView, ...]

    @property
    def done(self) -> int:
        """Milestones marked done."""
        return sum(1 for m in self.milestones if m.status is MilestoneStatus.DONE)

    @property
    def total(self) -> int:
        """All milestones of the phase (skipped ones included, so the count never shrinks)."""
        return len(self.milestones)

    @property
    def closed(self) -> int:
        """Done or skipped."""
        return sum(1 for m in self.milestones if m.status.closed)


@dataclass(frozen=True)
class ProgressSummary:
    """Where a hire stands on a given day."""

    start: date
    today: date
    day: int
    current_phase: str
    phases: tuple[PhaseView, ...]
    overdue: tuple[MilestoneView, ...]
    blocked: tuple[MilestoneView, ...]

    @property
    def done(self) -> int:
        """Milestones done across the plan."""
        return sum(p.done for p in self.phases)

    @property
    def total(self) -> int:
        """Milestones in the plan."""
        return sum(p.total for p in self.phases)

    @property
    def percent(self) -> int:
        """Whole-plan completion, 0–100 (skipped milestones count as closed)."""
        total = self.total
        return round(100 * sum(p.closed for p in self.phases) / total) if total else 0


def day_number(start: date, today: date) -> int:
    """Day 1 is the start date; days before the start are 0 or negative."""
    return (today - start).days + 1


def summarize(
    *,
    plan: Plan,
    start: date,
    today: date,
    states: dict[str, tuple[MilestoneStatus, str | None]],
) -> ProgressSummary:
    """Build the progress view: day N, the phase the calendar is in, done/total, overdue, blocked.

    The current phase is the first one whose due date has not passed; after the last due date it
    stays the last phase.
    """
    phases: list[PhaseView] = []
    for phase in plan.phases:
        due = phase.due.after(start)
        views = tuple(
            MilestoneView(
                id=m.id,
                title=m.title,
                status=states.get(m.id, (MilestoneStatus.NOT_STARTED, None))[0],
                note=states.get(m.id, (MilestoneStatus.NOT_STARTED, None))[1],
                due=due,
                parent=m.parent,
            )
            for m in phase.milestones
        )
        phases.append(PhaseView(id=phase.id, title=phase.title, due=due, milestones=views))
    current = next((p.id for p in phases if today <= p.due), phases[-1].id)
    overdue = tuple(m for p in phases if p.due < today for m in p.milestones if not m.status.closed)
    blocked = tuple(m for p in phases for m in p.milestones if m.status is MilestoneStatus.BLOCKED)
    return ProgressSummary(
        start=start,
        today=today,
        day=day_number(start, today),
        current_phase=current,
        phases=tuple(phases),
        overdue=overdue,
        blocked=blocked,
    )
