"""Set-based queries of the tick: hires grouped by calendar, and the rows a group owes.

Hires who share a plan, a start date, a time zone and a holiday country owe the same check-ins
at the same instants; only the enrollment id in the key and the recipient differ. So the tick
never walks the enrollments in Python: it reads one row per *calendar group* (an aggregate read
from the covering index ``ix_enrollment_calendar``; the hire's zone and country are copied onto
the enrollment by triggers), works out what each group owes, and writes a group's rows with one
``INSERT … SELECT … ON CONFLICT (key)`` whose keys are built by the database. Digests are grouped
the same way, by the recipient's zone and holiday country.

A group's ``size`` and ``fingerprint`` (count, and a sum of a non-linear hash of each member's
id, so different sets do not collide the way plain sums of ids do) let the caller tell that a
group is unchanged since it was last written.

A group may also be *one person* (``user_id`` set): a dry run looks at people whose profile it
has just read without storing it, with their fresh zone (``apart``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    Table,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    true,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import Enrollment, EnrollmentMentor, Outbox, Person
from storage.outbox import PENDING, SKIPPED

__all__ = ["PENDING", "SKIPPED", "Found", "Group", "Owed"]


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True)
class Group:
    """Active enrollments (or digest recipients) sharing a calendar.

    ``plan_id`` and ``start_date`` are ``None`` for a group of digest recipients. ``user_id`` set
    means a group of that one person, whose zone is ``tz`` whatever their row says.
    """

    plan_id: str | None
    start_date: date | None
    tz: str | None
    country: str | None
    size: int
    fingerprint: int
    user_id: str | None = None

    @property
    def calendar(self) -> tuple[str | None, date | None, str | None, str | None, str | None]:
        """What identifies the group (without its size)."""
        return (self.plan_id, self.start_date, self.tz, self.country, self.user_id)


@dataclass(frozen=True)
class Owed:
    """One row owed by every member of a group: key ``{kind}:{member id}:{ref}``."""

    kind: str
    ref: str
    due_at: datetime
    payload: dict[str, Any]
    state: str = PENDING
    reason: str | None = None
    not_before: datetime | None = None


@dataclass(frozen=True)
class Found:
    """A row of a group that is new: its key and recipient."""

    key: str
    recipient_id: int
    #: Whom the row is about: the hire (calendar rows), else the recipient (digests).
    subject_id: int | None = None


#: A member id's share of a fingerprint: (id * 48271 mod p) squared mod p, p = 2**31 - 1. The
#: square makes it non-linear: with a plain (or linear) sum, {1, 4} and {2, 3} would agree.
_MULTIPLIER, _MODULUS = 48271, 2_147_483_647


def mix(member_id: int) -> int:
    """One member's share of a group's fingerprint (what :func:`_mixed` computes in SQL)."""
    scrambled = member_id * _MULTIPLIER % _MODULUS
    return scrambled * scrambled % _MODULUS


def _mixed(column: Any) -> Any:
    # BIGINT: PostgreSQL's integer arithmetic would overflow; squares stay below 2**62.
    # Constants inline, not bound: the statement stays one shape for every tick.
    scrambled = (
        cast(column, BigInteger) * literal_column(str(_MULTIPLIER)) % literal_column(str(_MODULUS))
    )
    return scrambled * scrambled % literal_column(str(_MODULUS))


def _eligible(person: Table, *, checked_only: bool) -> Any:
    """With Slack configured, people whose zone was never known nor looked up wait."""
    if not checked_only:
        return true()
    return or_(person.c.profile_checked_at.is_not(None), person.c.tz.is_not(None))


def _eligible_hire(enrollment: Table, *, checked_only: bool) -> Any:
    """:func:`_eligible` for an enrollment's hire, reading ``person`` only when the copied
    zone is unknown (a correlated probe by primary key, for those few rows)."""
    if not checked_only:
        return true()
    person = _table(Person)
    return or_(
        enrollment.c.hire_tz.is_not(None),
        exists().where(
            person.c.id == enrollment.c.hire_id, person.c.profile_checked_at.is_not(None)
        ),
    )


def _person_ids_of(user_ids: Collection[str]) -> Any:
    """Person ids of these Slack users (a subquery)."""
    person = _table(Person)
    return sa_select(person.c.id).where(person.c.user_id.in_(list(user_ids)))


def people_of(*, session: Session, user_ids: Collection[str]) -> set[int]:
    """Person ids of these Slack users."""
    if not user_ids:
        return set()
    return {int(pid) for pid in session.execute(_person_ids_of(user_ids)).scalars().all()}


def calendar_groups(
    *,
    session: Session,
    started_from: date,
    started_to: date,
    checked_only: bool,
    apart: Collection[str] = (),
) -> list[Group]:
    """Active enrollments started in the range, grouped by plan, start date, zone and country.

    Read from ``ix_enrollment_calendar`` alone: the hire's zone and country are copied onto the
    enrollment (migration 0004). People in ``apart`` (Slack user ids) are left out of the
    groups and returned as groups of one each (with their stored zone; the caller may replace
    it), checked or not.
    """
    enrollment = _table(Enrollment)
    columns = (
        enrollment.c.plan_id,
        enrollment.c.start_date,
        enrollment.c.hire_tz,
        enrollment.c.hire_holiday_country,
    )
    active = (
        enrollment.c.status == "active",
        enrollment.c.start_date >= started_from,
        enrollment.c.start_date <= started_to,
    )
    grouped = (
        sa_select(*columns, func.count(), func.sum(_mixed(enrollment.c.id)))
        .where(*active, _eligible_hire(enrollment, checked_only=checked_only))
        .group_by(*columns)
    )
    if apart:
        grouped = grouped.where(enrollment.c.hire_id.not_in(_person_ids_of(apart)))
    groups = [
        Group(plan_id, start, tz, country, int(size), int(mixed or 0))
        for plan_id, start, tz, country, size, mixed in session.execute(grouped).all()
    ]
    if apart:
        person = _table(Person)
        singles = (
            sa_select(*columns, enrollment.c.id, person.c.user_id)
            .join(person, person.c.id == enrollment.c.hire_id)
            .where(*active, person.c.user_id.in_(list(apart)))
        )
        groups += [
            Group(plan_id, start, tz, country, 1, mix(int(enrollment_id)), user_id)
            for plan_id, start, tz, country, enrollment_id, user_id in session.execute(
                singles
            ).all()
        ]
    return groups


def _is_recipient(person: Table, kind: str) -> Any:
    """Whether a person gets ``kind`` digests: manages, or mentors, an active enrollment.

    Correlated ``EXISTS`` probes through ``ix_enrollment_manager_id`` and
    ``ix_enrollment_mentor_person_id``: a pass over the people, not over every enrollment per
    zone.
    """
    enrollment = _table(Enrollment)
    if kind == "manager_digest":
        return exists().where(
            enrollment.c.manager_id == person.c.id, enrollment.c.status == "active"
        )
    mentor = _table(EnrollmentMentor)
    active = exists().where(
        enrollment.c.id == mentor.c.enrollment_id, enrollment.c.status == "active"
    )
    return exists().where(mentor.c.person_id == person.c.id, active)


def digest_groups(
    *, session: Session, kind: str, checked_only: bool, apart: Collection[str] = ()
) -> list[Group]:
    """Recipients of ``kind`` (``manager_digest`` or ``mentor_digest``) grouped by zone."""
    person = _table(Person)
    columns = (person.c.tz, person.c.holiday_country)
    base = sa_select(*columns).where(_is_recipient(person, kind))
    grouped = base.add_columns(func.count(), func.sum(_mixed(person.c.id))).where(
        _eligible(person, checked_only=checked_only)
    )
    if apart:
        grouped = grouped.where(person.c.user_id.not_in(list(apart)))
    groups = [
        Group(None, None, tz, country, int(size), int(mixed or 0))
        for tz, country, size, mixed in session.execute(grouped.group_by(*columns)).all()
    ]
    if apart:
        singles = base.add_columns(person.c.id, person.c.user_id).where(
            person.c.user_id.in_(list(apart))
        )
        groups += [
            Group(None, None, tz, country, 1, mix(int(person_id)), user_id)
            for tz, country, person_id, user_id in session.execute(singles).all()
        ]
    return groups


def recipient_zones(*, session: Session) -> list[tuple[str | None, str | None]]:
    """Every (zone, holiday country) anyone has: whether any digest can be due at all."""
    person = _table(Person)
    statement = sa_select(person.c.tz, person.c.holiday_country).distinct()
    return [(tz, country) for tz, country in session.execute(statement).all()]


@dataclass(frozen=True)
class _Shape:
    """What varies in the statements below: built once per shape and dialect, then cached."""

    calendar: bool  # members are enrollments (else digest recipients)
    mentors: bool  # digest recipients are mentors (else managers)
    single: bool  # one person by user id (else a zone and country)
    checked_only: bool
    dialect: str
    no_tz: bool = False  # the group's zone is unknown: ``IS NULL``, else ``=`` (indexable)
    no_country: bool = False
    manager: bool = False  # calendar rows for the hire's manager of record (growth_manager)


#: Calendar kinds whose recipient is the enrollment's manager of record, not the hire.
MANAGER_KINDS = frozenset({"growth_manager"})

_STATEMENTS: dict[tuple[str, _Shape], Any] = {}
_Insert = tuple[Group, Owed]


def _shape(session: Session, group: Group, kind: str, checked_only: bool) -> _Shape:
    return _Shape(
        calendar=group.plan_id is not None,
        mentors=kind == "mentor_digest",
        single=group.user_id is not None,
        checked_only=checked_only,
        dialect=session.get_bind().dialect.name,
        no_tz=group.tz is None,
        no_country=group.country is None,
        manager=kind in MANAGER_KINDS,
    )


def _same(column: Any, name: str, absent: bool) -> Any:
    """``column`` equals the group's value, or is NULL for a group without one."""
    return column.is_(None) if absent else column == bindparam(name, type_=String)


def _members(shape: _Shape) -> tuple[Any, Any, Any]:
    """(SELECT of a group's members, member id column, recipient id column), with bind
    parameters ``plan_id``, ``start_date``, ``tz``, ``country`` or ``user_id``."""
    person = _table(Person)
    if not shape.calendar:
        kind = "mentor_digest" if shape.mentors else "manager_digest"
        statement = sa_select(person.c.id).where(_is_recipient(person, kind))
        member, recipient = person.c.id, person.c.id
        if shape.single:
            return (
                statement.where(person.c.user_id == bindparam("user_id", type_=String)),
                member,
                recipient,
            )
        statement = statement.where(
            _same(person.c.tz, "tz", shape.no_tz),
            _same(person.c.holiday_country, "country", shape.no_country),
            _eligible(person, checked_only=shape.checked_only),
        )
        return statement, member, recipient
    enrollment = _table(Enrollment)
    statement = sa_select(enrollment.c.id).where(
        enrollment.c.status == "active",
        enrollment.c.plan_id == bindparam("plan_id", type_=String),
        enrollment.c.start_date == bindparam("start_date", type_=enrollment.c.start_date.type),
    )
    member = enrollment.c.id
    recipient = enrollment.c.manager_id if shape.manager else enrollment.c.hire_id
    if shape.single:
        hire = sa_select(person.c.id).where(person.c.user_id == bindparam("user_id", type_=String))
        statement = statement.where(enrollment.c.hire_id == hire.scalar_subquery())
    else:
        statement = statement.where(
            _same(enrollment.c.hire_tz, "tz", shape.no_tz),
            _same(enrollment.c.hire_holiday_country, "country", shape.no_country),
            _eligible_hire(enrollment, checked_only=shape.checked_only),
        )
    return statement, member, recipient


def _key(member: Any) -> Any:
    """``{kind}:{member id}:{ref}``, built by the database."""
    return (
        bindparam("key_head", type_=String)
        + cast(member, String)
        + bindparam("key_tail", type_=String)
    )


def _params(group: Group, owed: Owed) -> dict[str, Any]:
    params: dict[str, Any] = {"key_head": f"{owed.kind}:", "key_tail": f":{owed.ref}"}
    if group.plan_id is not None:
        params |= {"plan_id": group.plan_id, "start_date": group.start_date}
    if group.user_id is not None:
        params["user_id"] = group.user_id
    else:
        # A group without a zone or country matches ``IS NULL``: no parameter for it.
        params |= {
            name: value
            for name, value in (("tz", group.tz), ("country", group.country))
            if value is not None
        }
    return params


def _insert_statement(shape: _Shape, *, returning: bool) -> Any:
    name = "insert returning" if returning else "insert"
    cached = _STATEMENTS.get((name, shape))
    if cached is not None:
        return cached
    outbox = _table(Outbox)
    members, member, recipient = _members(shape)
    values = {
        "key": _key(member),
        "kind": bindparam("kind", type_=String),
        "enrollment_id": member if shape.calendar else null(),
        "recipient_id": recipient,
        "due_at": bindparam("due_at", type_=outbox.c.due_at.type),
        "state": bindparam("state", type_=String),
        "attempts": literal(0),
        "payload": bindparam("payload", type_=outbox.c.payload.type),
        "reason": bindparam("reason", type_=outbox.c.reason.type),
        "not_before": bindparam("not_before", type_=outbox.c.not_before.type),
        "created_at": bindparam("created_at", type_=outbox.c.created_at.type),
    }
    source = members.with_only_columns(*values.values())
    make_insert = postgresql.insert if shape.dialect == "postgresql" else sqlite.insert
    insert = make_insert(outbox).from_select(list(values), source)
    statement: Any = insert.on_conflict_do_update(
        index_elements=["key"],
        set_={"due_at": insert.excluded.due_at},
        where=and_(outbox.c.state == PENDING, insert.excluded.due_at < outbox.c.due_at),
    )
    if returning:
        statement = statement.returning(outbox.c.key, outbox.c.recipient_id)
    _STATEMENTS[name, shape] = statement
    return statement


def _insert_params(group: Group, owed: Owed, now: datetime) -> dict[str, Any]:
    return _params(group, owed) | {
        "kind": owed.kind,
        "due_at": owed.due_at,
        "state": owed.state,
        "payload": owed.payload,
        "reason": owed.reason,
        "not_before": owed.not_before,
        "created_at": now,
    }


def insert_owed(
    *, session: Session, group: Group, owed: Owed, now: datetime, checked_only: bool
) -> list[Found]:
    """Insert ``owed`` for every member of ``group`` that lacks it; return the rows inserted.

    Like :func:`storage.outbox.insert_new`: an existing key is left alone, except that a
    ``pending`` row takes an earlier ``due_at``. Calendar rows carry the enrollment id; digest
    rows (a group of recipients) carry none.
    """
    shape = _shape(session, group, owed.kind, checked_only)
    statement = _insert_statement(shape, returning=True)
    rows = session.execute(statement, _insert_params(group, owed, now)).all()
    return [Found(key, int(rid)) for key, rid in rows]


def insert_owed_many(
    *, session: Session, items: Sequence[_Insert], now: datetime, checked_only: bool
) -> int:
    """:func:`insert_owed` for many (group, owed) pairs; returns how many rows were written.

    One statement per shape executed with many parameter sets: the driver batches them
    (pipelined on PostgreSQL), so a busy minute is not a round trip per group. The rows are
    counted, not returned: use :func:`insert_owed` for rows the tick report names.
    """
    batches: dict[_Shape, list[dict[str, Any]]] = {}
    for group, owed in items:
        shape = _shape(session, group, owed.kind, checked_only)
        batches.setdefault(shape, []).append(_insert_params(group, owed, now))
    written = 0
    for shape, params in batches.items():
        # psycopg reports the sum over the batch, but only if read before SQLAlchemy moves on.
        result = session.execute(
            _insert_statement(shape, returning=False),
            params,
            execution_options={"preserve_rowcount": True},
        )
        written += max(int(getattr(result, "rowcount", 0)), 0)
    return written


def missing_owed(*, session: Session, group: Group, owed: Owed, checked_only: bool) -> list[Found]:
    """What :func:`insert_owed` would insert (keys not in the outbox yet), writing nothing."""
    shape = _shape(session, group, owed.kind, checked_only)
    statement = _STATEMENTS.get(("missing", shape))
    if statement is None:
        outbox = _table(Outbox)
        members, member, recipient = _members(shape)
        key = _key(member)
        subject = _table(Enrollment).c.hire_id if shape.calendar else recipient
        statement = members.with_only_columns(key, recipient, subject).where(
            ~exists().where(outbox.c.key == key)
        )
        _STATEMENTS["missing", shape] = statement
    rows = session.execute(statement, _params(group, owed)).all()
    return [Found(k, int(rid), int(sid)) for k, rid, sid in rows]
