"""KPIs per hire: every SQL statement on ``kpi_selection`` and ``kpi_reading``.

Selections are never deleted (unpicking stamps ``removed_at``) and readings are append-only, so
what was tracked, and what was read when, stays readable. Nothing here decides who may do what.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Enrollment, KpiReading, KpiSelection


@dataclass(frozen=True)
class Reselection:
    """What changed when a hire's KPIs were picked again."""

    added: list[str]
    removed: list[str]
    kept: list[str]


def selected(*, session: Session, enrollment_ids: Collection[int]) -> Sequence[KpiSelection]:
    """The current (not removed) selections of these enrollments, in the order picked."""
    if not enrollment_ids:
        return []
    query = (
        select(KpiSelection)
        .where(
            col(KpiSelection.enrollment_id).in_(list(enrollment_ids)),
            col(KpiSelection.removed_at).is_(None),
        )
        .order_by(col(KpiSelection.enrollment_id), col(KpiSelection.id))
    )
    return session.exec(query).all()


def reselect(
    *,
    session: Session,
    enrollment_id: int,
    kpi_ids: Sequence[str],
    by_id: int | None,
    at: datetime,
) -> Reselection:
    """Make ``kpi_ids`` the enrollment's selection: the ones dropped get ``removed_at``, new
    ones a row; the ones kept are untouched (their ``selected_at`` stays)."""
    current = {row.kpi_id: row for row in selected(session=session, enrollment_ids=[enrollment_id])}
    wanted = list(dict.fromkeys(kpi_ids))
    removed = [kpi for kpi in current if kpi not in wanted]
    for kpi in removed:
        row = current[kpi]
        row.removed_at = at
        session.add(row)
    session.flush()
    added: list[str] = []
    for kpi in (k for k in wanted if k not in current):
        try:
            # A savepoint per pick: a concurrent reselect that just picked the same KPI breaks
            # ``uq_kpi_selection_one_current``, and then its row is the one kept.
            with session.begin_nested():
                session.add(
                    KpiSelection(
                        enrollment_id=enrollment_id,
                        kpi_id=kpi,
                        selected_by_id=by_id,
                        selected_at=at,
                    )
                )
            added.append(kpi)
        except IntegrityError:
            continue
    return Reselection(added=added, removed=removed, kept=[k for k in wanted if k not in added])


def add_readings(*, session: Session, rows: Sequence[KpiReading]) -> None:
    """Insert readings (one transaction: a CSV import is all or nothing)."""
    session.add_all(rows)
    session.flush()


def readings_of(
    *, session: Session, enrollment_ids: Collection[int], kpi_ids: Collection[str] = ()
) -> Sequence[KpiReading]:
    """Readings of these enrollments (of ``kpi_ids`` when given), in the order recorded."""
    if not enrollment_ids:
        return []
    query = select(KpiReading).where(col(KpiReading.enrollment_id).in_(list(enrollment_ids)))
    if kpi_ids:
        query = query.where(col(KpiReading.kpi_id).in_(list(kpi_ids)))
    return session.exec(query.order_by(col(KpiReading.recorded_at), col(KpiReading.id))).all()


def periods_read(*, session: Session, enrollment_ids: Collection[int]) -> set[tuple[int, str, str]]:
    """(enrollment id, KPI id, period) of every reading of these enrollments."""
    if not enrollment_ids:
        return set()
    query = (
        select(KpiReading.enrollment_id, KpiReading.kpi_id, KpiReading.period)
        .where(col(KpiReading.enrollment_id).in_(list(enrollment_ids)))
        .distinct()
    )
    return {(e, k, p) for e, k, p in session.exec(query)}


def tracked_enrollments(*, session: Session, statuses: Collection[str]) -> Sequence[Enrollment]:
    """Enrollments in ``statuses`` with at least one KPI selected."""
    picked = select(KpiSelection.enrollment_id).where(col(KpiSelection.removed_at).is_(None))
    query = (
        select(Enrollment)
        .where(col(Enrollment.status).in_(list(statuses)), col(Enrollment.id).in_(picked))
        .order_by(col(Enrollment.id))
    )
    return session.exec(query).all()
