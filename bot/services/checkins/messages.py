"""What a check-in says: the data the Slack adapter renders, with no Slack types in it.

:class:`Message` is one outbox row as it reads *now* (built by :mod:`.compose`); a review lists
:class:`MilestoneLine` s, a digest or a nudge :class:`HireLine` s, and a message already answered
carries the :class:`Answer`. :class:`Mood` is the answer to a weekly pulse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.domain.progress import MilestoneStatus
from bot.domain.schedule import Kind
from bot.services.focus import FocusView
from bot.services.growth_rounds import Comparison, RaterForm
from bot.services.kpi_view import MissingKpi
from bot.services.onboarding import LastCheckin
from bot.services.one_on_ones import Prep


class Mood(StrEnum):
    """The answer to a weekly pulse."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"

    @property
    def needs_mentor(self) -> bool:
        """At risk or blocked: the mentor hears about it straight away."""
        return self is not Mood.ON_TRACK


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone in a review, with its current status."""

    id: str
    title: str
    status: MilestoneStatus
    note: str | None = None
    parent: str | None = None


@dataclass(frozen=True)
class HireLine:
    """One hire in a digest or a nudge."""

    user_id: str
    name: str
    day: int
    percent: int
    current_phase: str
    #: ``day 12``, or ``starts Mon 7 Dec`` before day 1: how the day is shown, never ``day -4``.
    day_label: str
    blocked: tuple[str, ...] = ()
    overdue: int = 0
    mood: str | None = None


@dataclass(frozen=True)
class Answer:
    """What the hire recorded on a message, and when (in their local time)."""

    mood: Mood | None = None
    statuses: dict[str, MilestoneStatus] = field(default_factory=dict)
    note: str | None = None
    at_local: str | None = None
    late: bool = False


@dataclass(frozen=True)
class Message:
    """Everything the adapter needs to render one check-in message (no Slack types here)."""

    outbox_id: int
    key: str
    kind: Kind
    recipient: str
    hire: HireLine | None = None
    plan_title: str = ""
    phase_id: str | None = None
    phase_title: str | None = None
    phase_due: date | None = None
    milestones: tuple[MilestoneLine, ...] = ()
    week: int | None = None
    #: A pulse after the plan: its month (13, 14, …), asked about the month, not the week.
    month: int | None = None
    reminder_of: Kind | None = None
    reason: str | None = None
    since: date | None = None
    manager: str | None = None
    mentors: tuple[str, ...] = ()
    hires: tuple[HireLine, ...] = ()
    answer: Answer | None = None
    working_days_left: int | None = None
    #: The hire's day 1 (the enrolled DM says "from Mon 7 Dec").
    day_one: date | None = None
    #: The hire's latest answered check-in (nudges show what they last said).
    last_checkin: LastCheckin | None = None
    #: A growth check-in: the rater's form (kinds ``growth_self``, ``growth_manager``).
    growth_form: RaterForm | None = None
    #: A growth reveal: the round's side-by-side.
    comparison: Comparison | None = None
    #: A stalled growth-plan focus item (kind ``focus_nudge``).
    focus: FocusView | None = None
    #: A 1:1 prep: what to talk about (kind ``one_on_one_prep``).
    prep: Prep | None = None
    #: A KPI reminder: the picked KPIs still without a reading for a period that ended.
    kpis_missing: tuple[MissingKpi, ...] = ()

    @property
    def answerable(self) -> bool:
        """A message with controls the hire answers (a pulse, a review, or a reminder of one)."""
        return self.kind.asks_hire or self.reminder_of is not None
