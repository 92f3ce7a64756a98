"""What the onboarding service takes and gives: who is asking, what Slack knows of a person,
and the reports every progress view renders (no database types here).

:class:`Actor` is who is asking (a Slack user, or the operator); :class:`Profile` what an adapter
learned about a person; :class:`EnrollmentReport` one plan as every surface shows it (with
:class:`PersonView` s and the hire's :class:`LastCheckin`); :class:`Overview` the plans someone
looks after; :class:`HolidayCountry` a holiday setting before and after a change;
:class:`ProgressChange` what :class:`ProgressObserver` s hear after a milestone changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.later import LaterPhase
from bot.domain.plan import LoadedPlan, milestone_key
from bot.domain.progress import (
    EnrollmentStatus,
    MilestoneStatus,
    MilestoneView,
    ProgressSummary,
)


@dataclass(frozen=True)
class Actor:
    """Who is asking: a Slack user, or the operator at the command line (full rights)."""

    user_id: str | None
    label: str
    operator: bool = False

    @classmethod
    def cli(cls) -> Actor:
        """The operator running ``onramp`` commands on the server."""
        return cls(user_id=None, label="cli", operator=True)

    @classmethod
    def slack(cls, user_id: str) -> Actor:
        """A Slack user."""
        return cls(user_id=user_id, label=user_id)


@dataclass(frozen=True)
class Profile:
    """What an adapter knows about a person (Slack's ``users.info``, or just a typed id)."""

    user_id: str
    display_name: str | None = None
    tz: str | None = None
    team_id: str | None = None


@dataclass(frozen=True)
class PersonView:
    """A person as shown in reports."""

    user_id: str
    name: str


@dataclass(frozen=True)
class LastCheckin:
    """The latest check-in the hire answered with a mood or a note (``/onramp progress``,
    mentor nudges): what they said, on which day of theirs."""

    on: date  # the day it was answered, in the hire's zone
    mood: str | None = None  # on_track, at_risk or blocked (pulses only)
    note: str | None = None


@dataclass(frozen=True)
class EnrollmentReport:
    """Everything a progress view needs about one enrollment."""

    enrollment_id: int
    hire: PersonView
    manager: PersonView
    mentors: tuple[PersonView, ...]
    plan: LoadedPlan
    plan_version: int
    status: EnrollmentStatus
    start: date
    summary: ProgressSummary
    last_mood: str | None
    notes: dict[str, str] = field(default_factory=dict)
    #: Set when Slack gives the hire a time zone this server's tz database doesn't know: the
    #: zone name, which the hire's check-ins ignore for the workspace default until it is known.
    unknown_zone: str | None = None
    #: The zone the hire's days are counted in (their own, or the workspace default).
    zone: str = "UTC"
    #: Only on :meth:`Onboarding.progress` (one hire at a time), for the people who may see it.
    last_checkin: LastCheckin | None = None
    #: The plan's later phases (``growth.later``), once the hire is past its last phase.
    later: tuple[LaterPhase, ...] = ()

    def milestone(self, typed: str) -> MilestoneView | None:
        """The milestone ``typed`` names, matched as :meth:`Onboarding.mark` matches it."""
        key = milestone_key(typed)
        return next((m for p in self.summary.phases for m in p.milestones if m.id == key), None)

    def as_json(self) -> dict[str, Any]:
        """The stable ``onramp progress --json`` shape."""
        return {
            "hire": self.hire.user_id,
            "plan": self.plan.plan.id,
            "manager": self.manager.user_id,
            "mentors": [m.user_id for m in self.mentors],
            "status": self.status.value,
            # Day N from day 1 (the first working day on or after the start); none before it.
            "day": self.summary.day if self.summary.started else None,
            "start": self.start.isoformat(),
            "day_one": self.summary.day_one.isoformat(),
            "current_phase": self.summary.current_phase,
            "phases": [
                {
                    "id": phase.id,
                    "due": phase.due.isoformat(),
                    "done": phase.done,
                    "total": phase.total,
                    "milestones": [
                        {"id": m.id, "title": m.title, "status": m.status.value, "note": m.note}
                        for m in phase.milestones
                    ],
                }
                for phase in self.summary.phases
            ],
            # Past the plan only, so the shape during the plan stays as it always was.
            **({"later": [p.as_json() for p in self.later]} if self.later else {}),
        }


@dataclass(frozen=True)
class ProgressChange:
    """A milestone status that changed; observers turn it into nudges and Home refreshes."""

    enrollment_id: int
    hire_user_id: str
    milestone_id: str
    previous: MilestoneStatus
    status: MilestoneStatus
    note: str | None
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class HolidayCountry:
    """A person's holiday country after a change (``None``: the workspace default applies)."""

    user_id: str
    country: str | None
    previous: str | None

    @property
    def changed(self) -> bool:
        """Whether the setting is different from before."""
        return self.country != self.previous

    def as_json(self) -> dict[str, Any]:
        """The stable ``onramp people set --json`` shape (the CLI adds the workspace default)."""
        return {
            "user": self.user_id,
            "holiday_country": self.country,
            "previous": self.previous,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class Overview:
    """The plans someone looks after, by how they relate to each (open plans only)."""

    managed: tuple[EnrollmentReport, ...] = ()  # they are the manager of record
    mentored: tuple[EnrollmentReport, ...] = ()  # they are a mentor
    others: tuple[EnrollmentReport, ...] = ()  # admins: every other open plan

    @property
    def empty(self) -> bool:
        """Nothing to show."""
        return not (self.managed or self.mentored or self.others)


class ProgressObserver(Protocol):
    """Port: told after a progress change is committed (mentor nudges, App Home refresh)."""

    def progress_changed(self, change: ProgressChange) -> None:
        """React to a committed change; must not raise into the caller."""
        ...
