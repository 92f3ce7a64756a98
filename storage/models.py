"""SQLModel tables. Alembic migrations in ``storage/migrations`` must produce exactly this schema.

Timestamps are UTC (see :class:`storage.types.UTCDateTime`); statuses are stored as their string
values so that the database stays readable with plain SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

#: Enrollment statuses that still hold the hire (at most one such enrollment per hire).
OPEN_STATUSES = ("active", "paused")


def utcnow() -> datetime:
    """The current time in UTC: the default stamp of a row written without one.

    Bookkeeping only (a row's ``created_at``/``updated_at`` when its writer gives none). Every
    instant the product decides with — due dates, silence, reconcile windows, audit times,
    profile refreshes — is passed in from the service's injected clock.
    """
    return datetime.now(UTC)  # noqa: TID251 - a row's default stamp, see above


class Person(SQLModel, table=True):
    """Someone Onramp knows: a hire, a manager, a mentor or an admin (one Slack workspace)."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=64, unique=True, description="Slack user id, e.g. U0123ABC")
    team_id: str | None = Field(default=None, max_length=64)
    display_name: str = Field(default="", max_length=200)
    tz: str | None = Field(default=None, max_length=64, description="IANA time zone from Slack")
    holiday_country: str | None = Field(default=None, max_length=8)
    is_admin: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    profile_checked_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime(),
        description="When the check-in tick last read the Slack profile (None: never)",
    )


class Enrollment(SQLModel, table=True):
    """One hire on one plan, from a start date, with a manager of record."""

    __tablename__ = "enrollment"
    __table_args__ = (
        # One open (active or paused) enrollment per hire, enforced by the database itself.
        Index(
            "uq_enrollment_one_open_per_hire",
            "hire_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        # The tick's grouping by calendar, answered from the index alone (storage/derive.py).
        Index(
            "ix_enrollment_calendar",
            "status",
            "start_date",
            "plan_id",
            "hire_tz",
            "hire_holiday_country",
            "hire_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    hire_id: int = Field(foreign_key="person.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    plan_id: str = Field(max_length=60)
    plan_version: int
    plan_hash: str = Field(max_length=64)
    start_date: date
    status: str = Field(default="active", max_length=16)
    #: Copies of the hire's ``person.tz`` and ``person.holiday_country``, kept by database
    #: triggers (migration 0004) so the tick groups hires by calendar without joining ``person``.
    hire_tz: str | None = Field(default=None, max_length=64)
    hire_holiday_country: str | None = Field(default=None, max_length=8)
    last_mood: str | None = Field(default=None, max_length=16)
    last_mood_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    last_activity_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class EnrollmentMentor(SQLModel, table=True):
    """A mentor of an enrollment (an enrollment may have several)."""

    __tablename__ = "enrollment_mentor"

    enrollment_id: int = Field(foreign_key="enrollment.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class MilestoneState(SQLModel, table=True):
    """The current status of one milestone for one enrollment (derived from the events)."""

    __tablename__ = "milestone_state"

    enrollment_id: int = Field(foreign_key="enrollment.id", primary_key=True)
    milestone_id: str = Field(max_length=60, primary_key=True)
    status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=2000)
    updated_by_id: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class ProgressEvent(SQLModel, table=True):
    """Append-only history of milestone status changes and notes."""

    __tablename__ = "progress_event"
    __table_args__ = (Index("ix_progress_event_enrollment_at", "enrollment_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id")
    milestone_id: str = Field(max_length=60)
    status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=2000)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(max_length=80, description="who, for people and for the CLI/system")
    source: str = Field(default="cli", max_length=16, description="cli, slack, checkin, home …")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class Outbox(SQLModel, table=True):
    """A message Onramp owes someone: a check-in, reminder, nudge or digest.

    ``key`` is unique so deriving the same due work twice inserts nothing new. The row moves
    pending → sending → sent (or failed / skipped); ``channel`` + ``ts`` record where it landed.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index("ix_outbox_state_due", "state", "due_at"),
        Index("ix_outbox_enrollment_kind", "enrollment_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id")
    recipient_id: int = Field(foreign_key="person.id", index=True)
    due_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    state: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime())
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    claim_token: str | None = Field(default=None, max_length=64)
    channel: str | None = Field(default=None, max_length=64)
    ts: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answer: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class QaLog(SQLModel, table=True):
    """Every answered question, redacted, with what is needed to reproduce and price it."""

    __tablename__ = "qa_log"

    id: int | None = Field(default=None, primary_key=True)
    asker_id: int | None = Field(default=None, foreign_key="person.id")
    plan_id: str | None = Field(default=None, max_length=60)
    question: str = Field(max_length=4000, description="redacted before it is stored")
    answer: str = Field(max_length=8000)
    citations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    refused: bool = Field(default=False)
    personal: bool = Field(default=False)
    cached: bool = Field(default=False)
    backend: str = Field(max_length=32)
    model: str | None = Field(default=None, max_length=100)
    prompt_version: str = Field(max_length=64)
    latency_ms: float = Field(default=0.0)
    input_tokens: int = Field(default=0)
    output_tokens: int = Field(default=0)
    cache_read_tokens: int = Field(default=0)
    cache_write_tokens: int = Field(default=0)
    cost_usd: float = Field(default=0.0)
    stop_reason: str | None = Field(
        default=None, max_length=32, description="Claude's stop_reason; null without a model"
    )
    feedback: int | None = Field(default=None, description="1 for 👍, -1 for 👎")
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True
    )


class AuditLog(SQLModel, table=True):
    """Who did what to whom: every change to an enrollment or a person writes one row."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(max_length=80)
    action: str = Field(max_length=40)
    subject_id: int | None = Field(default=None, foreign_key="person.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SlackEvent(SQLModel, table=True):
    """An Events API ``event_id`` already handled: Slack retries a delivery it thinks failed,
    and with several processes behind one Request URL only a shared table de-duplicates."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    seen_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True
    )


class Evidence(SQLModel, table=True):
    """Append-only: one piece of evidence of a hire's growth (a win, a link, a shipped thing).

    Who may see it is fixed at creation (``visibility``: private, manager, mentors); only a
    corroborator's confirmation (``confirmed_at``) is ever written later.
    """

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_hire_created", "hire_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    hire_id: int = Field(foreign_key="person.id")
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    plan_id: str = Field(max_length=60)
    text: str = Field(max_length=2000)
    link: str | None = Field(default=None, max_length=2000, description="http(s) URL or permalink")
    visibility: str = Field(max_length=16, description="private, manager or mentors")
    corroborator_id: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_by_label: str = Field(max_length=80, description="who, for people and for the CLI")
    source: str = Field(default="cli", max_length=16, description="cli, slack, shortcut …")
    created_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)


class EvidenceTag(SQLModel, table=True):
    """A growth or milestone id a piece of evidence is tagged with (rows, not JSON, so that
    counting per tag is one indexed join on SQLite and PostgreSQL alike)."""

    __tablename__ = "evidence_tag"

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    tag_id: str = Field(max_length=60, primary_key=True, index=True)


class Assessment(SQLModel, table=True):
    """Append-only: one rater's rating of one rubric dimension in one growth check-in round.

    A submission is all of a rater's rows of a round, written in one transaction with the same
    ``submitted_at``; the unique key allows one rating per dimension and rater in a round, so a
    second submission cannot be stored. ``level`` is the 1-based rank of the plan's level (the
    blueprint's words are shown from the plan); ``evidence_ids`` are evidence rows the rater
    cited.
    """

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint(
            "enrollment_id", "round", "rater_id", "dimension_id", name="uq_assessment_rating"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    round: str = Field(max_length=16, description="the round's offset, e.g. 90d or 6mo")
    rater_id: int = Field(foreign_key="person.id")
    role: str = Field(max_length=16, description="self, manager or mentor")
    dimension_id: str = Field(max_length=60)
    level: int = Field(description="1-based rank of the plan's rubric level")
    comment: str | None = Field(default=None, max_length=2000)
    evidence_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)


class KpiSelection(SQLModel, table=True):
    """A KPI of the plan a manager picked for one hire (3–6 of them); ``removed_at`` ends it.

    Rows are never deleted: unpicking a KPI stamps ``removed_at``, picking it again writes a new
    row, so what was tracked when stays readable.
    """

    __tablename__ = "kpi_selection"
    __table_args__ = (
        # One current pick of a KPI per enrollment, even when two reselects race.
        Index(
            "uq_kpi_selection_one_current",
            "enrollment_id",
            "kpi_id",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    kpi_id: str = Field(max_length=80, description="the plan KPI's id (slug of its name)")
    selected_by_id: int | None = Field(default=None, foreign_key="person.id")
    selected_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class KpiReading(SQLModel, table=True):
    """Append-only: one reading of a hire's KPI for a period (a number, with what it means)."""

    __tablename__ = "kpi_reading"
    __table_args__ = (Index("ix_kpi_reading_enrollment_kpi", "enrollment_id", "kpi_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id")
    kpi_id: str = Field(max_length=80)
    value: float
    period: str = Field(max_length=32, description="e.g. 2027-03, 2027-W11 or 2027-Q1")
    note: str | None = Field(default=None, max_length=2000)
    link: str | None = Field(default=None, max_length=2000)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_by_label: str = Field(max_length=80)
    source: str = Field(default="cli", max_length=16, description="cli, csv, slack")
    recorded_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)


class Focus(SQLModel, table=True):
    """One growth-plan item: a gap from a growth round the hire and manager chose to work on."""

    __tablename__ = "focus"

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    round: str | None = Field(default=None, max_length=16, description="the round it came from")
    dimension_id: str = Field(max_length=60)
    title: str = Field(max_length=300)
    actions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    due: date
    status: str = Field(default="open", max_length=16, description="open, done or dropped")
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    nudged_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime(), description="when the mentor was told it stalled"
    )


class FocusUpdate(SQLModel, table=True):
    """Append-only: progress on a focus item (a note, and the status it left the item in)."""

    __tablename__ = "focus_update"

    id: int | None = Field(default=None, primary_key=True)
    focus_id: int = Field(foreign_key="focus.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id")
    note: str = Field(default="", max_length=2000)
    status: str = Field(max_length=16)
    at: datetime = Field(sa_type=UTCDateTime(), nullable=False)


class OneOnOne(SQLModel, table=True):
    """A manager's recurring 1:1 with a hire, in the manager's zone; ``ended_at`` stops it."""

    __tablename__ = "one_on_one"
    __table_args__ = (
        # One running 1:1 per enrollment, even when two sets race (else two preps each time).
        Index(
            "uq_one_on_one_one_running",
            "enrollment_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    manager_id: int = Field(foreign_key="person.id")
    every: str = Field(max_length=16, description="weekly, biweekly or monthly")
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    at_time: str = Field(max_length=5, description="HH:MM on the manager's clock")
    tz: str = Field(max_length=64, description="the manager's IANA zone when it was set")
    starts_on: date = Field(description="the first meeting's date (anchors biweekly/monthly)")
    created_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class PrivateNote(SQLModel, table=True):
    """A note only its author can ever read (no admin read; exported only to its author)."""

    __tablename__ = "private_note"
    __table_args__ = (Index("ix_private_note_author_subject", "author_id", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="person.id")
    subject_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=4000)
    created_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)


class PacketComment(SQLModel, table=True):
    """The hire's comment on their review packet, shown in it once they have previewed it."""

    __tablename__ = "packet_comment"

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=4000)
    created_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)
