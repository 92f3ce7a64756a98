"""Milestone statuses, enrollment lifecycle and the progress summary (pure date math)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.errors import Conflict, InvalidInput
from bot.domain.plan import Plan
from bot.domain.workdays import effective_due, plan_day_one


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
    """Where a hire stands on a given day.

    ``start`` is the start date as enrolled, ``day_one`` the plan's first working day (see
    :func:`bot.domain.workdays.plan_day_one`); ``day`` counts from ``day_one`` and is 0 or less
    before it — show it with :attr:`day_label`, never raw.
    """

    start: date
    day_one: date
    today: date
    day: int
    current_phase: str
    phases: tuple[PhaseView, ...]
    overdue: tuple[MilestoneView, ...]
    blocked: tuple[MilestoneView, ...]

    @property
    def started(self) -> bool:
        """Whether day 1 has come."""
        return self.day >= 1

    #: Why day 1 is not the start date (``a Saturday``, ``a public holiday (Christmas Day)``).
    day_one_reason: str | None = None

    @property
    def day_label(self) -> str:
        """``day 12``, or ``starts Mon 7 Dec`` before day 1 (see :func:`day_label`)."""
        return day_label(self.day, self.day_one)

    @property
    def day_one_note(self) -> str | None:
        """``Sat 5 Dec is a Saturday, so day 1 is Mon 7 Dec: …``, when the start is not day 1."""
        if self.day_one_reason is None:
            return None
        return (
            f"{short_date(self.start)} is {self.day_one_reason}, so day 1 is "
            f"{short_date(self.day_one)}: the welcome goes out then, and every due date counts "
            "from it."
        )

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


def day_number(day_one: date, today: date) -> int:
    """Day N of a plan whose day 1 is ``day_one``; days before it are 0 or negative."""
    return (today - day_one).days + 1


def day_label(day: int, day_one: date) -> str:
    """How a plan's day reads to people: ``day 12``, or ``starts Mon 7 Dec`` before day 1.

    The only way a day number is shown (Home, ``/onramp``, check-ins, digests, the CLI), so
    nobody is ever on "day 0" or "day -4".
    """
    if day >= 1:
        return f"day {day}"
    return f"starts {short_date(day_one)}"


def short_date(day: date) -> str:
    """``Mon 7 Dec``: a date near today, as the plan's texts write it."""
    return f"{day:%a} {day.day} {day:%b}"


def not_working_reason(day: date, holidays: Container[date]) -> str:
    """Why ``day`` is not a working day: ``a Saturday``, ``a public holiday (Christmas Day)``."""
    if day.weekday() >= 5:
        return f"a {day:%A}"
    name = getattr(holidays, "get", lambda _: None)(day)
    return f"a public holiday ({name})" if name else "a public holiday"


def summarize(
    *,
    plan: Plan,
    start: date,
    today: date,
    states: dict[str, tuple[MilestoneStatus, str | None]],
    holidays: Container[date] = frozenset(),
) -> ProgressSummary:
    """Build the progress view: day N, the phase the calendar is in, done/total, overdue, blocked.

    ``holidays`` are the hire's public holidays: day 1 and each phase's due date are the
    effective ones the check-in tick uses (:func:`plan_day_one`, :func:`effective_due`). The
    current phase is the first one whose due date has not passed; after the last due date it
    stays the last phase.
    """
    day_one = plan_day_one(start, holidays)
    phases: list[PhaseView] = []
    for phase in plan.phases:
        due = effective_due(phase.due, start, holidays)
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
        day_one=day_one,
        today=today,
        day=day_number(day_one, today),
        current_phase=current,
        phases=tuple(phases),
        overdue=overdue,
        blocked=blocked,
        day_one_reason=None if day_one == start else not_working_reason(start, holidays),
    )
