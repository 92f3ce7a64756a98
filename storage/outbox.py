"""The outbox repository: messages owed, claimed by one sender at a time, never sent twice.

Every statement is keyword-only and takes the session; the check-in service owns the transaction.

- Rows are inserted in bulk with ``INSERT … ON CONFLICT (key)`` on both databases, so deriving
  the same due work twice (two ticks at once, two replicas, a restart) inserts nothing. The one
  thing a second derivation may change is an earlier ``due_at`` for a row still ``pending``: the
  earliest due time anyone derived wins (a nudge written by an observer whose clock ran ahead of
  the tick's is still due at once).
- A claim moves due ``pending`` rows to ``sending`` under a fresh claim token: on PostgreSQL the
  candidate rows are locked ``FOR UPDATE SKIP LOCKED`` so replicas share the work; on SQLite the
  write transaction is ``BEGIN IMMEDIATE`` (see ``storage.engine``), which serialises claimers,
  and the state test in the ``UPDATE`` makes a second claim of the same row impossible.
- Every later transition names the claim token, so a sender whose claim was reconciled away
  cannot overwrite what another sender recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, and_, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import (
    Enrollment,
    EnrollmentMentor,
    MilestoneState,
    Outbox,
    Person,
)

#: Rows per INSERT statement (well under SQLite's bound-parameter limit).
INSERT_CHUNK = 500

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"


@dataclass(frozen=True)
class NewRow:
    """An outbox row to insert (state ``pending`` unless ``reason`` says why it is skipped)."""

    key: str
    kind: str
    recipient_id: int
    due_at: datetime
    payload: dict[str, Any]
    enrollment_id: int | None = None
    state: str = PENDING
    reason: str | None = None
    not_before: datetime | None = None


def insert_new(*, session: Session, rows: Sequence[NewRow], now: datetime) -> list[str]:
    """Insert rows whose key is new; return the keys inserted (or made due earlier).

    A duplicate key is ignored, except that a ``pending`` row takes the earlier ``due_at``.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One statement executed with many parameter sets (SQLAlchemy's "insertmanyvalues"): it is
    # compiled once and batched by the driver. A multi-VALUES statement per chunk instead is
    # compiled afresh every time, which dominated a tick enqueueing 10,000+ rows (bench/).
    # Core, not the ORM entity: no ORM bulk-insert bookkeeping per row.
    table: Table = Outbox.__table__  # type: ignore[attr-defined]
    insert = make_insert(table)
    statement = insert.on_conflict_do_update(
        index_elements=["key"],
        set_={"due_at": insert.excluded.due_at},
        where=and_(table.c.state == PENDING, insert.excluded.due_at < table.c.due_at),
    ).returning(table.c.key)
    inserted: list[str] = []
    for index in range(0, len(rows), INSERT_CHUNK * 10):
        chunk = rows[index : index + INSERT_CHUNK * 10]
        values = [
            {
                "key": row.key,
                "kind": row.kind,
                "enrollment_id": row.enrollment_id,
                "recipient_id": row.recipient_id,
                "due_at": row.due_at,
                "state": row.state,
                "attempts": 0,
                "payload": row.payload,
                "reason": row.reason,
                "not_before": row.not_before,
                "created_at": now,
            }
            for row in chunk
        ]
        inserted.extend(session.execute(statement, values).scalars().all())
    return inserted


def existing_keys(*, session: Session, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` already have a row."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for index in range(0, len(wanted), INSERT_CHUNK):
        chunk = wanted[index : index + INSERT_CHUNK]
        found.update(session.exec(select(Outbox.key).where(col(Outbox.key).in_(chunk))).all())
    return found


def claim(
    *, session: Session, now: datetime, token: str, limit: int, kinds: Sequence[str] = ()
) -> list[Outbox]:
    """Move up to ``limit`` due pending rows to ``sending`` under ``token``; return them."""
    candidates = (
        select(Outbox.id)
        .where(
            Outbox.state == PENDING,
            col(Outbox.due_at) <= now,
            or_(col(Outbox.not_before).is_(None), col(Outbox.not_before) <= now),
        )
        .order_by(col(Outbox.due_at), col(Outbox.id))
        .limit(limit)
    )
    if kinds:
        candidates = candidates.where(col(Outbox.kind).in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.exec(candidates).all())
    if not ids:
        return []
    session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids), col(Outbox.state) == PENDING)
        .values(
            state=SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=Outbox.attempts + 1,
        )
    )
    session.expire_all()
    rows = session.exec(
        select(Outbox)
        .where(Outbox.claim_token == token, Outbox.state == SENDING)
        .order_by(col(Outbox.due_at), col(Outbox.id))
    ).all()
    return list(rows)


def stuck_sending(*, session: Session, claimed_before: datetime, limit: int) -> list[Outbox]:
    """Rows left in ``sending`` since before ``claimed_before`` (a sender died mid-send)."""
    query = (
        select(Outbox)
        .where(Outbox.state == SENDING, col(Outbox.claimed_at) < claimed_before)
        .order_by(col(Outbox.claimed_at), col(Outbox.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def take_over(
    *, session: Session, outbox_id: int, old_token: str | None, token: str, now: datetime
) -> bool:
    """Re-claim a stuck ``sending`` row for reconciliation; False if someone else got there."""
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == outbox_id,
            col(Outbox.state) == SENDING,
            col(Outbox.claim_token).is_(None)
            if old_token is None
            else col(Outbox.claim_token) == old_token,
        )
        .values(claim_token=token, claimed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew_claim(*, session: Session, outbox_id: int, token: str, now: datetime) -> bool:
    """Still ours? Then restart the lease at ``now`` (right before posting); False: hands off."""
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == outbox_id,
            col(Outbox.claim_token) == token,
            col(Outbox.state) == SENDING,
        )
        .values(claimed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _transition(session: Session, outbox_id: int, token: str | None, **values: Any) -> bool:
    conditions = [col(Outbox.id) == outbox_id]
    if token is not None:
        conditions += [col(Outbox.claim_token) == token, col(Outbox.state) == SENDING]
    result = session.execute(update(Outbox).where(and_(*conditions)).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_sent(
    *, session: Session, outbox_id: int, token: str, channel: str, ts: str, now: datetime
) -> bool:
    """``sending`` → ``sent`` with where the message landed."""
    return _transition(
        session, outbox_id, token, state=SENT, channel=channel, ts=ts, sent_at=now, reason=None
    )


def mark_retry(
    *, session: Session, outbox_id: int, token: str, not_before: datetime, reason: str
) -> bool:
    """``sending`` → ``pending`` again, not before ``not_before`` (rate limit, Slack hiccup)."""
    return _back_to_pending(session, outbox_id, token, not_before, reason)


def mark_deferred(
    *, session: Session, outbox_id: int, token: str, not_before: datetime, reason: str
) -> bool:
    """``sending`` → ``pending`` until ``not_before`` without spending an attempt (not a failure:
    the recipient's send window is closed)."""
    return _back_to_pending(
        session, outbox_id, token, not_before, reason, attempts=Outbox.attempts - 1
    )


def _back_to_pending(
    session: Session,
    outbox_id: int,
    token: str,
    not_before: datetime,
    reason: str,
    **values: Any,
) -> bool:
    """``sending`` → ``pending``, unclaimed, not before ``not_before`` (``values``: more)."""
    return _transition(
        session,
        outbox_id,
        token,
        state=PENDING,
        not_before=not_before,
        reason=reason[:500],
        claim_token=None,
        **values,
    )


def mark_failed(*, session: Session, outbox_id: int, token: str, reason: str) -> bool:
    """``sending`` → ``failed`` for good (the reason says why and what to do)."""
    return _transition(session, outbox_id, token, state=FAILED, reason=reason[:500])


def mark_skipped(*, session: Session, outbox_id: int, token: str | None, reason: str) -> bool:
    """→ ``skipped`` with the reason (superseded, stale, enrollment paused …)."""
    return _transition(session, outbox_id, token, state=SKIPPED, reason=reason[:500])


def skip_pending(*, session: Session, ids: Sequence[int], reason: str) -> int:
    """Skip pending rows (e.g. pulses superseded by a newer one); return how many."""
    if not ids:
        return 0
    result = session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids), col(Outbox.state) == PENDING)
        .values(state=SKIPPED, reason=reason[:500])
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def get(*, session: Session, outbox_id: int) -> Outbox | None:
    """One row by id."""
    return session.get(Outbox, outbox_id)


def get_by_key(*, session: Session, key: str) -> Outbox | None:
    """One row by its unique key."""
    return session.exec(select(Outbox).where(Outbox.key == key)).first()


def latest_answered(
    *, session: Session, enrollment_id: int, kinds: Sequence[str], limit: int = 20
) -> list[Outbox]:
    """The enrollment's answered rows of ``kinds``, the most recently answered first (served by
    ``ix_outbox_enrollment_kind``; ``limit`` keeps a year of pulses from being read)."""
    query = (
        select(Outbox)
        .where(Outbox.enrollment_id == enrollment_id)
        .where(col(Outbox.kind).in_(kinds))
        .where(col(Outbox.answered_at).is_not(None))
        .order_by(col(Outbox.answered_at).desc(), col(Outbox.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def record_answer(
    *, session: Session, outbox_id: int, answer: dict[str, Any], now: datetime
) -> None:
    """Store what the hire answered on a check-in (a late answer still counts)."""
    row = session.get(Outbox, outbox_id)
    if row is None:
        return
    merged = dict(row.answer or {})
    merged.update(answer)
    row.answer = merged
    row.answered_at = now
    session.add(row)
    session.flush()


def rows_where(
    *,
    session: Session,
    states: Sequence[str] = (),
    enrollment_id: int | None = None,
    kinds: Sequence[str] = (),
) -> list[Outbox]:
    """Rows filtered by state, enrollment and kind, oldest first (reports, tests, dry runs)."""
    query = select(Outbox)
    if states:
        query = query.where(col(Outbox.state).in_(states))
    if enrollment_id is not None:
        query = query.where(Outbox.enrollment_id == enrollment_id)
    if kinds:
        query = query.where(col(Outbox.kind).in_(kinds))
    return list(session.exec(query.order_by(col(Outbox.due_at), col(Outbox.id))).all())


def pending_for_enrollments(
    *, session: Session, enrollment_ids: Iterable[int], kinds: Sequence[str]
) -> list[Outbox]:
    """Pending rows of these enrollments and kinds (to supersede older ones)."""
    wanted = list(set(enrollment_ids))
    found: list[Outbox] = []
    for index in range(0, len(wanted), INSERT_CHUNK):
        chunk = wanted[index : index + INSERT_CHUNK]
        found.extend(
            session.exec(
                select(Outbox).where(
                    Outbox.state == PENDING,
                    col(Outbox.enrollment_id).in_(chunk),
                    col(Outbox.kind).in_(kinds),
                )
            ).all()
        )
    return found


# --- what the tick derives from -------------------------------------------------------------


def mentor_pairs(*, session: Session, enrollment_ids: Sequence[int]) -> dict[int, list[int]]:
    """Enrollment id → mentor person ids, for the enrollments given."""
    result: dict[int, list[int]] = {}
    for index in range(0, len(enrollment_ids), INSERT_CHUNK):
        chunk = enrollment_ids[index : index + INSERT_CHUNK]
        for enrollment_id, person_id in session.exec(
            select(EnrollmentMentor.enrollment_id, EnrollmentMentor.person_id).where(
                col(EnrollmentMentor.enrollment_id).in_(chunk)
            )
        ).all():
            result.setdefault(enrollment_id, []).append(person_id)
    return result


def user_ids_and_zones(
    *, session: Session, person_ids: Iterable[int]
) -> dict[int, tuple[str, str | None]]:
    """Person id → (Slack user id, time zone): what a tick's report shows per new row."""
    wanted = list(set(person_ids))
    result: dict[int, tuple[str, str | None]] = {}
    for index in range(0, len(wanted), INSERT_CHUNK):
        chunk = wanted[index : index + INSERT_CHUNK]
        for person_id, user_id, tz in session.exec(
            select(Person.id, Person.user_id, Person.tz).where(col(Person.id).in_(chunk))
        ).all():
            if person_id is not None:
                result[person_id] = (user_id, tz)
    return result


def unanswered_checkins(
    *, session: Session, kinds: Sequence[str], sent_since: datetime
) -> Sequence[Row[Any]]:
    """Check-ins sent since ``sent_since`` to hires of active enrollments and not answered."""
    statement = (
        sa_select(
            col(Outbox.id),
            col(Outbox.key),
            col(Outbox.kind),
            col(Outbox.enrollment_id),
            col(Outbox.recipient_id),
            col(Outbox.sent_at),
            col(Outbox.payload),
            col(Enrollment.manager_id),
            col(Enrollment.last_activity_at),
        )
        .join(Enrollment, col(Enrollment.id) == col(Outbox.enrollment_id))
        .where(
            col(Outbox.state) == SENT,
            col(Outbox.kind).in_(kinds),
            col(Outbox.answered_at).is_(None),
            col(Outbox.sent_at) >= sent_since,
            col(Enrollment.status) == "active",
        )
        .order_by(col(Outbox.sent_at), col(Outbox.id))
    )
    return session.execute(statement).all()


def sent_since(*, session: Session, kinds: Sequence[str], since: datetime) -> Sequence[Row[Any]]:
    """(id, key, enrollment, recipient, sent_at, payload) of rows of ``kinds`` sent since then."""
    statement = (
        sa_select(
            col(Outbox.id),
            col(Outbox.key),
            col(Outbox.enrollment_id),
            col(Outbox.recipient_id),
            col(Outbox.sent_at),
            col(Outbox.payload),
        )
        .where(col(Outbox.state) == SENT, col(Outbox.kind).in_(kinds), col(Outbox.sent_at) >= since)
        .order_by(col(Outbox.sent_at), col(Outbox.id))
    )
    return session.execute(statement).all()


def blocked_milestones(*, session: Session) -> Sequence[Row[Any]]:
    """Milestones currently blocked on active enrollments (enrollment, milestone, since)."""
    statement = (
        sa_select(
            col(MilestoneState.enrollment_id),
            col(MilestoneState.milestone_id),
            col(MilestoneState.updated_at),
            col(MilestoneState.note),
        )
        .join(Enrollment, col(Enrollment.id) == col(MilestoneState.enrollment_id))
        .where(col(MilestoneState.status) == "blocked", col(Enrollment.status) == "active")
    )
    return session.execute(statement).all()


def _involved() -> Any:
    """Person ids of hires, managers and mentors of active enrollments (a subquery)."""
    return (
        select(Enrollment.hire_id.label("pid"))  # type: ignore[attr-defined]
        .where(Enrollment.status == "active")
        .union(
            select(Enrollment.manager_id).where(Enrollment.status == "active"),
            select(EnrollmentMentor.person_id)
            .join(Enrollment, col(Enrollment.id) == col(EnrollmentMentor.enrollment_id))
            .where(Enrollment.status == "active"),
        )
        .subquery()
    )


def profiles_never_checked(*, session: Session, limit: int) -> list[str]:
    """Slack user ids of people on active plans whose zone is unknown and never looked up."""
    involved = _involved()
    statement = (
        select(Person.user_id)
        .where(
            col(Person.id).in_(select(involved.c.pid)),
            col(Person.profile_checked_at).is_(None),
            col(Person.tz).is_(None),
        )
        .order_by(col(Person.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def profiles_checked_before(*, session: Session, before: datetime, limit: int) -> list[str]:
    """Slack user ids of people on active plans whose profile was last read before ``before``.

    A person whose zone came with them (say from Slack when they were first seen) counts as
    read when their row was last written.
    """
    involved = _involved()
    checked = func.coalesce(col(Person.profile_checked_at), col(Person.updated_at))
    statement = (
        select(Person.user_id)
        .where(col(Person.id).in_(select(involved.c.pid)), checked < before)
        .order_by(checked, col(Person.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def unchecked_person_ids(*, session: Session) -> set[int]:
    """Person ids on active plans whose time zone is unknown and was never looked up."""
    involved = _involved()
    statement = select(Person.id).where(
        col(Person.id).in_(select(involved.c.pid)),
        col(Person.profile_checked_at).is_(None),
        col(Person.tz).is_(None),
    )
    return {pid for pid in session.exec(statement).all() if pid is not None}


def touch_person(
    *, session: Session, user_id: str, tz: str | None, display_name: str | None, now: datetime
) -> None:
    """Record a fresh look at a person's Slack profile (zone and name), even if unchanged."""
    values: dict[str, Any] = {"updated_at": now, "profile_checked_at": now}
    if tz:
        values["tz"] = tz
    if display_name:
        values["display_name"] = display_name[:200]
    session.execute(update(Person).where(col(Person.user_id) == user_id).values(**values))


def record_mood(*, session: Session, enrollment_id: int, mood: str, now: datetime) -> None:
    """The hire's latest pulse answer, and that they were active."""
    session.execute(
        update(Enrollment)
        .where(col(Enrollment.id) == enrollment_id)
        .values(last_mood=mood, last_mood_at=now, last_activity_at=now, updated_at=now)
    )


def record_activity(*, session: Session, enrollment_id: int, now: datetime) -> None:
    """The hire did something on a check-in (silence ends here)."""
    session.execute(
        update(Enrollment).where(col(Enrollment.id) == enrollment_id).values(last_activity_at=now)
    )


def _enrollment_column(*, session: Session, ids: Iterable[int], column: Any) -> dict[int, Any]:
    """Enrollment id → one column's value, read in chunks of ``INSERT_CHUNK`` ids."""
    wanted = list(set(ids))
    result: dict[int, Any] = {}
    for index in range(0, len(wanted), INSERT_CHUNK):
        chunk = wanted[index : index + INSERT_CHUNK]
        for enrollment_id, value in session.exec(
            select(Enrollment.id, column).where(col(Enrollment.id).in_(chunk))
        ).all():
            if enrollment_id is not None:
                result[enrollment_id] = value
    return result


def enrollment_statuses(*, session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Enrollment id → status."""
    return _enrollment_column(session=session, ids=ids, column=Enrollment.status)


def managers_of(*, session: Session, enrollment_ids: Iterable[int]) -> dict[int, int]:
    """Enrollment id → manager person id."""
    return _enrollment_column(session=session, ids=enrollment_ids, column=Enrollment.manager_id)


def plans_of(*, session: Session, enrollment_ids: Iterable[int]) -> dict[int, str]:
    """Enrollment id → plan id."""
    return _enrollment_column(session=session, ids=enrollment_ids, column=Enrollment.plan_id)


def hire_of(*, session: Session, enrollment_id: int) -> int | None:
    """The hire's person id of an enrollment."""
    return session.exec(
        select(Enrollment.hire_id).where(col(Enrollment.id) == enrollment_id)
    ).first()
