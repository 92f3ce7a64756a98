"""What a review packet reads beyond evidence and ratings: KPI picks and readings, focus items,
pulse moods and the hire's packet comment; and the one write, that comment.

Reads take the enrollment and the window ``[since, until)`` (UTC instants) and return rows
oldest first; KPI readings are all returned, as the service picks them by their period. Nothing
here decides who may see what (:mod:`bot.services.packet` does). Private notes are never read
here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Focus, KpiReading, KpiSelection, Outbox, PacketComment

#: The outbox kind of a pulse (``bot.domain.schedule.Kind.PULSE``; storage sits below domain).
PULSE_KIND = "pulse"


def kpi_selected(*, session: Session, enrollment_id: int) -> list[str]:
    """The ids of the KPIs picked for the enrollment and not unpicked, oldest pick first."""
    query = (
        select(KpiSelection.kpi_id)
        .where(
            col(KpiSelection.enrollment_id) == enrollment_id,
            col(KpiSelection.removed_at).is_(None),
        )
        .order_by(col(KpiSelection.selected_at), col(KpiSelection.id))
    )
    return list(dict.fromkeys(session.exec(query).all()))


def kpi_readings(*, session: Session, enrollment_id: int) -> Sequence[KpiReading]:
    """Every KPI reading of the enrollment, in the order recorded. Which are in a packet's window
    is decided by the period each is for, not the day it was entered (a month's reading is
    entered after the month ends), so :mod:`bot.services.packet` picks them by period."""
    query = (
        select(KpiReading)
        .where(col(KpiReading.enrollment_id) == enrollment_id)
        .order_by(col(KpiReading.recorded_at), col(KpiReading.id))
    )
    return session.exec(query).all()


def focus_items(*, session: Session, enrollment_id: int, until: datetime) -> Sequence[Focus]:
    """The enrollment's growth-plan items created before ``until``, oldest first (with the
    status they have now)."""
    query = (
        select(Focus)
        .where(col(Focus.enrollment_id) == enrollment_id, col(Focus.created_at) < until)
        .order_by(col(Focus.created_at), col(Focus.id))
    )
    return session.exec(query).all()


def pulse_moods(
    *, session: Session, enrollment_id: int, since: datetime, until: datetime
) -> list[tuple[datetime, str]]:
    """(answered at, mood) of each pulse the hire answered in ``[since, until)``, oldest first.
    Reminders carry a copy of the answer, so only the pulses themselves are read."""
    query = (
        select(Outbox.answered_at, Outbox.answer)
        .where(
            col(Outbox.enrollment_id) == enrollment_id,
            col(Outbox.kind) == PULSE_KIND,
            col(Outbox.answered_at) >= since,
            col(Outbox.answered_at) < until,
        )
        .order_by(col(Outbox.answered_at), col(Outbox.id))
    )
    moods: list[tuple[datetime, str]] = []
    for at, answer in session.exec(query):
        mood = (answer or {}).get("mood")
        if at is not None and isinstance(mood, str):
            moods.append((at, mood))
    return moods


def latest_comment(*, session: Session, enrollment_id: int) -> PacketComment | None:
    """The hire's latest comment on their packet, or ``None``."""
    query = (
        select(PacketComment)
        .where(col(PacketComment.enrollment_id) == enrollment_id)
        .order_by(col(PacketComment.created_at).desc(), col(PacketComment.id).desc())
    )
    return session.exec(query).first()


def add_comment(*, session: Session, comment: PacketComment) -> PacketComment:
    """Insert the hire's comment (a new one supersedes the last; none is ever edited)."""
    session.add(comment)
    session.flush()
    return comment
