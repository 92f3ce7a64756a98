"""1:1s and private notes: every SQL statement on ``one_on_one`` and ``private_note``, and the
small reads a 1:1 prep needs from other tables (pulse answers, evidence, focus items, KPI
readings) written here so the prep does not depend on other services' internals.

Private notes are read by author only: no function here returns a note without being told
whose notes to read (``author_id``), so no caller can list someone else's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import (
    Enrollment,
    Evidence,
    Focus,
    KpiReading,
    MilestoneState,
    OneOnOne,
    Outbox,
    PrivateNote,
)

#: The pulse kind as the outbox stores it (``bot.domain.schedule.Kind.PULSE``).
_PULSE = "pulse"


# --- 1:1s -------------------------------------------------------------------------------------


def current_one_on_one(*, session: Session, enrollment_id: int) -> OneOnOne | None:
    """The enrollment's 1:1 that has not ended, if any."""
    return session.exec(
        select(OneOnOne)
        .where(OneOnOne.enrollment_id == enrollment_id, col(OneOnOne.ended_at).is_(None))
        .order_by(col(OneOnOne.id).desc())
    ).first()


def end_one_on_ones(*, session: Session, enrollment_id: int, at: datetime) -> int:
    """End every running 1:1 of the enrollment at ``at``; how many there were."""
    running = session.exec(
        select(OneOnOne).where(
            OneOnOne.enrollment_id == enrollment_id, col(OneOnOne.ended_at).is_(None)
        )
    ).all()
    for row in running:
        row.ended_at = at
        session.add(row)
    session.flush()
    return len(running)


def add_one_on_one(*, session: Session, row: OneOnOne) -> OneOnOne:
    """Insert a 1:1 (the caller ended the previous one)."""
    session.add(row)
    session.flush()
    return row


def carry_one_on_one(
    *, session: Session, from_enrollment: int, to_enrollment: int, at: datetime
) -> OneOnOne | None:
    """End ``from_enrollment``'s running 1:1 at ``at`` and start the same schedule (manager,
    recurrence, time, zone, first meeting) on ``to_enrollment``; the new row, or ``None`` when
    none was running."""
    running = current_one_on_one(session=session, enrollment_id=from_enrollment)
    if running is None:
        return None
    end_one_on_ones(session=session, enrollment_id=from_enrollment, at=at)
    return add_one_on_one(
        session=session,
        row=OneOnOne(
            enrollment_id=to_enrollment,
            manager_id=running.manager_id,
            every=running.every,
            weekday=running.weekday,
            at_time=running.at_time,
            tz=running.tz,
            starts_on=running.starts_on,
            created_at=at,
        ),
    )


def running_one_on_ones(*, session: Session) -> Sequence[tuple[OneOnOne, Enrollment]]:
    """Every 1:1 not ended, on an active plan, with its enrollment."""
    rows = session.exec(
        select(OneOnOne, Enrollment)
        .join(Enrollment, col(Enrollment.id) == col(OneOnOne.enrollment_id))
        .where(col(OneOnOne.ended_at).is_(None), Enrollment.status == "active")
        .order_by(col(OneOnOne.id))
    ).all()
    return [(o, e) for o, e in rows]


# --- private notes ----------------------------------------------------------------------------


def add_note(*, session: Session, note: PrivateNote) -> PrivateNote:
    """Insert a private note."""
    session.add(note)
    session.flush()
    return note


def notes_by_author(
    *, session: Session, author_id: int, subject_id: int, since: datetime | None = None
) -> Sequence[PrivateNote]:
    """``author_id``'s own notes about ``subject_id``, oldest first (from ``since``)."""
    query = select(PrivateNote).where(
        PrivateNote.author_id == author_id, PrivateNote.subject_id == subject_id
    )
    if since is not None:
        query = query.where(col(PrivateNote.created_at) >= since)
    return session.exec(query.order_by(col(PrivateNote.created_at), col(PrivateNote.id))).all()


# --- what a prep reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class PulseAnswer:
    """A weekly pulse the hire answered: when, the mood, the note (maybe none)."""

    answered_at: datetime
    mood: str | None
    note: str | None


def pulses(*, session: Session, enrollment_id: int, since: datetime) -> list[PulseAnswer]:
    """The enrollment's pulses sent since ``since``, oldest first; unanswered ones carry no
    mood (``answered_at`` is then when it was sent)."""
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.enrollment_id == enrollment_id,
            Outbox.kind == _PULSE,
            Outbox.state == "sent",
            col(Outbox.sent_at) >= since,
        )
        .order_by(col(Outbox.sent_at))
    ).all()
    found: list[PulseAnswer] = []
    for row in rows:
        answer = (row.answer or {}) if row.answered_at is not None else {}
        mood, note = answer.get("mood"), answer.get("note")
        found.append(
            PulseAnswer(
                answered_at=row.answered_at or row.sent_at or row.due_at,
                mood=mood if isinstance(mood, str) else None,
                note=note if isinstance(note, str) and note.strip() else None,
            )
        )
    return found


def blocked_milestones(*, session: Session, enrollment_id: int) -> Sequence[MilestoneState]:
    """The enrollment's milestones whose status is blocked now."""
    return session.exec(
        select(MilestoneState).where(
            MilestoneState.enrollment_id == enrollment_id, MilestoneState.status == "blocked"
        )
    ).all()


def evidence_since(
    *,
    session: Session,
    hire_id: int,
    since: datetime,
    visibilities: Collection[str],
    enrollment_id: int | None,
) -> Sequence[Evidence]:
    """The hire's evidence recorded since ``since`` at one of ``visibilities`` (on
    ``enrollment_id`` only, when given: others see what was shared on their plan), oldest first."""
    if not visibilities:
        return []
    query = select(Evidence).where(
        Evidence.hire_id == hire_id,
        col(Evidence.created_at) >= since,
        col(Evidence.visibility).in_(list(visibilities)),
    )
    if enrollment_id is not None:
        query = query.where(Evidence.enrollment_id == enrollment_id)
    return session.exec(query.order_by(col(Evidence.created_at), col(Evidence.id))).all()


def last_evidence_at(
    *, session: Session, hire_id: int, visibilities: Collection[str], enrollment_id: int
) -> datetime | None:
    """When the hire's latest evidence at one of ``visibilities`` on ``enrollment_id`` was
    recorded."""
    return session.exec(
        select(Evidence.created_at)
        .where(
            Evidence.hire_id == hire_id,
            Evidence.enrollment_id == enrollment_id,
            col(Evidence.visibility).in_(list(visibilities)),
        )
        .order_by(col(Evidence.created_at).desc())
    ).first()


def open_focus(*, session: Session, enrollment_id: int) -> Sequence[Focus]:
    """The enrollment's open growth-plan focus items, soonest due first."""
    return session.exec(
        select(Focus)
        .where(Focus.enrollment_id == enrollment_id, Focus.status == "open")
        .order_by(col(Focus.due), col(Focus.id))
    ).all()


def kpi_readings_since(
    *, session: Session, enrollment_id: int, since: datetime
) -> Sequence[KpiReading]:
    """KPI readings recorded for the enrollment since ``since``, oldest first."""
    return session.exec(
        select(KpiReading)
        .where(KpiReading.enrollment_id == enrollment_id, col(KpiReading.recorded_at) >= since)
        .order_by(col(KpiReading.recorded_at), col(KpiReading.id))
    ).all()
