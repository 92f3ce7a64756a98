"""Slack event ids already handled (``slack_event``): the shared memory behind de-duplication.

The insert is ``ON CONFLICT DO NOTHING`` on the primary key, so of two processes offered the same
``event_id`` at once exactly one sees its row inserted; the other learns the event was handled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import SlackEvent


def remember(*, session: Session, event_id: str, now: datetime) -> bool:
    """Record ``event_id``; True if it is new, False if some process recorded it before."""
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        make_insert(SlackEvent)
        .values(event_id=event_id, seen_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(col(SlackEvent.event_id))
    )
    return session.execute(statement).first() is not None


def forget_before(*, session: Session, before: datetime) -> int:
    """Delete ids seen before ``before`` (Slack stops retrying after minutes); how many."""
    result = session.execute(delete(SlackEvent).where(col(SlackEvent.seen_at) < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
