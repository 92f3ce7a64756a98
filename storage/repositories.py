"""Repositories: every SQL statement Onramp runs. Keyword-only, the session is always passed in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import (
    OPEN_STATUSES,
    AuditLog,
    Enrollment,
    EnrollmentMentor,
    MilestoneState,
    Person,
    ProgressEvent,
)

#: Moves followed back from one enrollment (a guard: a hire moved this often is unheard of).
MOVE_CHAIN_LIMIT = 50

# --- people ---------------------------------------------------------------------------------


def get_person(*, session: Session, user_id: str) -> Person | None:
    """The person with this Slack user id, or ``None``."""
    return session.exec(select(Person).where(Person.user_id == user_id)).first()


def get_person_by_id(*, session: Session, person_id: int) -> Person | None:
    """The person with this row id, or ``None``."""
    return session.get(Person, person_id)


def find_people_by_name(*, session: Session, name: str) -> Sequence[Person]:
    """People whose display name matches ``name`` exactly (case-insensitive)."""
    return session.exec(select(Person).where(func.lower(Person.display_name) == name.lower())).all()


def upsert_person(
    *,
    session: Session,
    user_id: str,
    display_name: str | None = None,
    tz: str | None = None,
    team_id: str | None = None,
    is_admin: bool | None = None,
    at: datetime,
) -> Person:
    """Create the person, or update the fields given (``None`` leaves a field as it is).

    ``at`` (the service's clock) stamps a new row and a change: ``updated_at`` dates the profile
    for the weekly refresh.
    """
    person = get_person(session=session, user_id=user_id)
    if person is None:
        person = Person(
            user_id=user_id, display_name=display_name or user_id, created_at=at, updated_at=at
        )
    changes = {"display_name": display_name, "tz": tz, "team_id": team_id, "is_admin": is_admin}
    for name, value in changes.items():
        if value is not None and getattr(person, name) != value:
            setattr(person, name, value)
            person.updated_at = at
    session.add(person)
    session.flush()
    return person


def people_by_ids(*, session: Session, ids: Iterable[int]) -> dict[int, Person]:
    """Map row id → person for the ids given."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(wanted))).all()
    return {p.id: p for p in rows if p.id is not None}


# --- enrollments ----------------------------------------------------------------------------


def get_enrollment(*, session: Session, enrollment_id: int) -> Enrollment | None:
    """One enrollment by id, whatever its status."""
    return session.get(Enrollment, enrollment_id)


def open_enrollment(*, session: Session, hire_id: int) -> Enrollment | None:
    """The hire's active or paused enrollment, if any."""
    return session.exec(
        select(Enrollment).where(
            Enrollment.hire_id == hire_id, col(Enrollment.status).in_(OPEN_STATUSES)
        )
    ).first()


def latest_enrollment(*, session: Session, hire_id: int) -> Enrollment | None:
    """The hire's open enrollment, else their most recent one."""
    found = open_enrollment(session=session, hire_id=hire_id)
    if found is not None:
        return found
    return session.exec(
        select(Enrollment)
        .where(Enrollment.hire_id == hire_id)
        .order_by(col(Enrollment.created_at).desc(), col(Enrollment.id).desc())
    ).first()


def add_enrollment(*, session: Session, enrollment: Enrollment, mentor_ids: Iterable[int]) -> None:
    """Insert an enrollment and its mentors."""
    session.add(enrollment)
    session.flush()
    assert enrollment.id is not None  # noqa: S101 - flush assigned it
    for mentor_id in dict.fromkeys(mentor_ids):
        session.add(EnrollmentMentor(enrollment_id=enrollment.id, person_id=mentor_id))
    session.flush()


def mentor_ids(*, session: Session, enrollment_id: int) -> list[int]:
    """Row ids of the enrollment's mentors."""
    return list(
        session.exec(
            select(EnrollmentMentor.person_id).where(
                EnrollmentMentor.enrollment_id == enrollment_id
            )
        ).all()
    )


def enrollments_where(
    *,
    session: Session,
    manager_id: int | None = None,
    mentor_id: int | None = None,
    statuses: Sequence[str] = OPEN_STATUSES,
) -> Sequence[Enrollment]:
    """Enrollments in ``statuses``, optionally only those managed or mentored by someone."""
    query = select(Enrollment).where(col(Enrollment.status).in_(statuses))
    if manager_id is not None:
        query = query.where(Enrollment.manager_id == manager_id)
    if mentor_id is not None:
        query = query.join(
            EnrollmentMentor, col(EnrollmentMentor.enrollment_id) == col(Enrollment.id)
        ).where(EnrollmentMentor.person_id == mentor_id)
    return session.exec(query.order_by(col(Enrollment.start_date), col(Enrollment.id))).all()


def moved_from(*, session: Session, enrollment_id: int) -> tuple[int, ...]:
    """The enrollments the hire was moved from onto this one (``move`` audit rows), latest
    first, back through every earlier move."""
    found: list[int] = []
    current: int | None = enrollment_id
    while current is not None and len(found) < MOVE_CHAIN_LIMIT:
        rows = session.exec(
            select(AuditLog).where(AuditLog.action == "move", AuditLog.enrollment_id == current)
        ).all()
        current = next(
            (
                int(row.detail["from_enrollment"])
                for row in rows
                if row.detail.get("to_enrollment") == current and row.detail.get("from_enrollment")
            ),
            None,
        )
        if current is not None:
            found.append(current)
    return tuple(found)


def all_enrollments(*, session: Session) -> Sequence[Enrollment]:
    """Every enrollment, oldest first (for export)."""
    return session.exec(select(Enrollment).order_by(col(Enrollment.id))).all()


def mentors_by_enrollment(
    *, session: Session, enrollment_ids: Iterable[int]
) -> dict[int, list[int]]:
    """Map enrollment id → mentor person ids, in one query."""
    wanted = set(enrollment_ids)
    result: dict[int, list[int]] = {i: [] for i in wanted}
    if not wanted:
        return result
    rows = session.exec(
        select(EnrollmentMentor).where(col(EnrollmentMentor.enrollment_id).in_(wanted))
    ).all()
    for row in rows:
        result[row.enrollment_id].append(row.person_id)
    return result


# --- progress -------------------------------------------------------------------------------


def milestone_states(*, session: Session, enrollment_id: int) -> dict[str, MilestoneState]:
    """Current state per milestone id for one enrollment."""
    rows = session.exec(
        select(MilestoneState).where(MilestoneState.enrollment_id == enrollment_id)
    ).all()
    return {row.milestone_id: row for row in rows}


def states_for(
    *, session: Session, enrollment_ids: Iterable[int]
) -> dict[int, dict[str, MilestoneState]]:
    """Current milestone states for several enrollments, in one query."""
    wanted = set(enrollment_ids)
    result: dict[int, dict[str, MilestoneState]] = {i: {} for i in wanted}
    if not wanted:
        return result
    rows = session.exec(
        select(MilestoneState).where(col(MilestoneState.enrollment_id).in_(wanted))
    ).all()
    for row in rows:
        result[row.enrollment_id][row.milestone_id] = row
    return result


def record_progress(
    *,
    session: Session,
    enrollment_id: int,
    milestone_id: str,
    status: str,
    note: str | None,
    actor_id: int | None,
    actor_label: str,
    source: str,
    at: datetime,
) -> ProgressEvent:
    """Append a progress event and move the milestone's current state to match it."""
    event = ProgressEvent(
        enrollment_id=enrollment_id,
        milestone_id=milestone_id,
        status=status,
        note=note,
        actor_id=actor_id,
        actor_label=actor_label,
        source=source,
        at=at,
    )
    session.add(event)
    state = session.get(MilestoneState, (enrollment_id, milestone_id))
    if state is None:
        state = MilestoneState(
            enrollment_id=enrollment_id, milestone_id=milestone_id, status=status
        )
    state.status = status
    if note is not None:
        state.note = note
    state.updated_by_id = actor_id
    state.updated_at = at
    session.add(state)
    session.flush()
    return event


def progress_events(*, session: Session, enrollment_id: int) -> Sequence[ProgressEvent]:
    """The enrollment's progress history, oldest first."""
    return session.exec(
        select(ProgressEvent)
        .where(ProgressEvent.enrollment_id == enrollment_id)
        .order_by(col(ProgressEvent.at), col(ProgressEvent.id))
    ).all()


# --- audit ----------------------------------------------------------------------------------


def write_audit(
    *,
    session: Session,
    action: str,
    actor_id: int | None,
    actor_label: str,
    subject_id: int | None = None,
    enrollment_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime,
) -> AuditLog:
    """Record who did what to whom."""
    row = AuditLog(
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        subject_id=subject_id,
        enrollment_id=enrollment_id,
        detail=detail or {},
        at=at,
    )
    session.add(row)
    session.flush()
    return row


def audit_entries(*, session: Session, enrollment_id: int | None = None) -> Sequence[AuditLog]:
    """Audit rows, oldest first, optionally for one enrollment."""
    query = select(AuditLog)
    if enrollment_id is not None:
        query = query.where(AuditLog.enrollment_id == enrollment_id)
    return session.exec(query.order_by(col(AuditLog.id))).all()
