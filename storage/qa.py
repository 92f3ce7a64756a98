"""The ``qa_log`` repository: every answered question, its feedback, and the retention purge.

Keyword-only functions; the session is passed in. Rows hold redacted questions only: redaction
happens in the service before anything reaches this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import QaLog


def add_qa(*, session: Session, entry: QaLog) -> int:
    """Insert one answered question and return its id."""
    session.add(entry)
    session.flush()
    assert entry.id is not None  # noqa: S101 - a flushed row has its id
    return entry.id


def get_qa(*, session: Session, qa_id: int) -> QaLog | None:
    """The logged answer with this id, or ``None``."""
    return session.get(QaLog, qa_id)


def set_feedback(*, session: Session, qa_id: int, value: int) -> QaLog | None:
    """Record 👍 (1) or 👎 (-1) on a logged answer (the latest click wins); ``None`` if unknown."""
    entry = session.get(QaLog, qa_id)
    if entry is None:
        return None
    entry.feedback = value
    session.add(entry)
    return entry


def purge_before(*, session: Session, cutoff: datetime) -> int:
    """Delete rows created before ``cutoff``; return how many went."""
    result = session.execute(delete(QaLog).where(col(QaLog.created_at) < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def recent_qa(*, session: Session, limit: int = 50, asker_id: int | None = None) -> Sequence[QaLog]:
    """The newest logged answers (all, or one asker's), newest first."""
    query = select(QaLog).order_by(col(QaLog.created_at).desc(), col(QaLog.id).desc())
    if asker_id is not None:
        query = query.where(QaLog.asker_id == asker_id)
    return session.exec(query.limit(limit)).all()


def find_answer(
    *,
    session: Session,
    question: str,
    plan_id: str,
    prompt_version: str,
    backend: str,
    since: datetime,
) -> QaLog | None:
    """The newest non-personal, non-refused answer to exactly this (redacted) question.

    A cache lookup for a process that starts cold: ``since`` bounds how old an answer may be
    (callers pass the time their plan content was loaded, so a changed blueprint never serves an
    old answer).
    """
    query = (
        select(QaLog)
        .where(
            QaLog.question == question,
            QaLog.plan_id == plan_id,
            QaLog.prompt_version == prompt_version,
            QaLog.backend == backend,
            col(QaLog.personal).is_(False),
            col(QaLog.refused).is_(False),
            col(QaLog.created_at) >= since,
        )
        .order_by(col(QaLog.created_at).desc())
        .limit(1)
    )
    return session.exec(query).first()


__all__ = ["add_qa", "find_answer", "get_qa", "purge_before", "recent_qa", "set_feedback"]
