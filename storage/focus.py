"""Growth-plan focus items and their progress: every SQL statement on ``focus`` and
``focus_update``.

Updates are append-only; an item's row keeps its current status and when it last changed
(``updated_at``), and when its stall was last told to a mentor (``nudged_at``). Who may read or
change an item is decided by :mod:`bot.services.focus`, not here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Enrollment, Focus, FocusUpdate, Person

OPEN = "open"


def add_focus(*, session: Session, focus: Focus) -> Focus:
    """Insert ``focus``; the row with its id."""
    session.add(focus)
    session.flush()
    return focus


def focus_by_id(*, session: Session, focus_id: int) -> Focus | None:
    """One focus item, or ``None``."""
    return session.get(Focus, focus_id)


def focus_of(
    *, session: Session, enrollment_ids: Collection[int], statuses: Collection[str] = ()
) -> list[Focus]:
    """The focus items of ``enrollment_ids`` (only ``statuses`` when given), oldest first."""
    if not enrollment_ids:
        return []
    query = select(Focus).where(col(Focus.enrollment_id).in_(list(enrollment_ids)))
    if statuses:
        query = query.where(col(Focus.status).in_(list(statuses)))
    return list(session.exec(query.order_by(col(Focus.created_at), col(Focus.id))))


def open_count(*, session: Session, enrollment_id: int) -> int:
    """How many of an enrollment's focus items are open."""
    query = (
        select(func.count())
        .select_from(Focus)
        .where(Focus.enrollment_id == enrollment_id, Focus.status == OPEN)
    )
    return int(session.exec(query).one())


def add_update(*, session: Session, focus: Focus, update: FocusUpdate) -> FocusUpdate:
    """Append ``update`` to ``focus`` and leave the item in its status, changed at its time."""
    session.add(update)
    focus.status = update.status
    focus.updated_at = update.at
    session.add(focus)
    session.flush()
    return update


def latest_updates(*, session: Session, focus_ids: Sequence[int]) -> dict[int, FocusUpdate]:
    """Each item's latest update (items without one are absent)."""
    if not focus_ids:
        return {}
    rows = session.exec(
        select(FocusUpdate)
        .where(col(FocusUpdate.focus_id).in_(list(focus_ids)))
        .order_by(col(FocusUpdate.at), col(FocusUpdate.id))
    )
    return {row.focus_id: row for row in rows}


def open_items(*, session: Session) -> list[Focus]:
    """Every open focus item (the tick looks for stalled ones)."""
    query = select(Focus).where(Focus.status == OPEN).order_by(col(Focus.id))
    return list(session.exec(query))


def mark_nudged(*, session: Session, focus_ids: Collection[int], at: datetime) -> None:
    """Record that the stall of ``focus_ids`` was told to their mentors at ``at``."""
    for focus_id in focus_ids:
        row = session.get(Focus, focus_id)
        if row is not None:
            row.nudged_at = at
            session.add(row)
    session.flush()


def reassign(*, session: Session, focus_ids: Collection[int], enrollment_id: int) -> None:
    """Move ``focus_ids`` (with their updates) to ``enrollment_id`` (a hire moved plans)."""
    for focus_id in focus_ids:
        row = session.get(Focus, focus_id)
        if row is not None:
            row.enrollment_id = enrollment_id
            session.add(row)
    session.flush()


def hires_of(*, session: Session, enrollment_ids: Collection[int]) -> dict[int, Person]:
    """Enrollment id → its hire, in one query (the tick reads every open item's hire)."""
    if not enrollment_ids:
        return {}
    rows = session.exec(
        select(Enrollment.id, Person)
        .join(Person, col(Person.id) == col(Enrollment.hire_id))
        .where(col(Enrollment.id).in_(list(enrollment_ids)))
    )
    return {enrollment_id: person for enrollment_id, person in rows if enrollment_id is not None}
