"""Evidence of a hire's growth and growth check-in ratings: every SQL statement on
``evidence``, ``evidence_tag`` and ``assessment``.

Evidence is append-only: rows are added, and only a corroborator's confirmation is written
later. Readers pass the visibilities the viewer may see; this module decides nothing about who
may see what (that is :mod:`bot.domain.permissions`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from storage.models import Assessment, Evidence, EvidenceTag, Outbox


@dataclass(frozen=True)
class TagCount:
    """How much evidence carries one tag, and how much of it a corroborator confirmed."""

    count: int = 0
    corroborated: int = 0


def add_evidence(*, session: Session, evidence: Evidence, tags: Iterable[str]) -> Evidence:
    """Insert ``evidence`` and its tags (duplicates collapse to one); the row with its id."""
    session.add(evidence)
    session.flush()
    assert evidence.id is not None  # noqa: S101 - flushed above
    for tag in dict.fromkeys(tags):
        session.add(EvidenceTag(evidence_id=evidence.id, tag_id=tag))
    session.flush()
    return evidence


def evidence_by_id(*, session: Session, evidence_id: int) -> Evidence | None:
    """One piece of evidence by its id, or ``None``."""
    return session.get(Evidence, evidence_id)


def confirm_evidence(*, session: Session, evidence_id: int, at: datetime) -> bool:
    """Record the corroborator's confirmation once; False when absent or already confirmed."""
    row = session.get(Evidence, evidence_id)
    if row is None or row.confirmed_at is not None:
        return False
    row.confirmed_at = at
    session.add(row)
    session.flush()
    return True


@dataclass(frozen=True)
class Seen:
    """Which of a hire's evidence a viewer may see: one of ``visibilities``, and with
    ``enrollment_id`` only what was recorded on that plan."""

    hire_id: int
    visibilities: Collection[str]
    enrollment_id: int | None = None
    #: With ``enrollment_id``: the plans the hire was moved from onto it, whose evidence the
    #: same manager and mentors keep seeing (``onramp move``).
    moved_from: tuple[int, ...] = ()

    def clause(self) -> ColumnElement[bool]:
        """The rows this selects, as a WHERE clause."""
        clause = and_(
            col(Evidence.hire_id) == self.hire_id,
            col(Evidence.visibility).in_(list(self.visibilities)),
        )
        if self.enrollment_id is not None:
            plans = [self.enrollment_id, *self.moved_from]
            clause = and_(clause, col(Evidence.enrollment_id).in_(plans))
        return clause


def evidence_of(*, session: Session, seen: Seen) -> Sequence[Evidence]:
    """The evidence ``seen`` selects, newest first (none when it allows no visibility)."""
    if not seen.visibilities:
        return []
    query = (
        select(Evidence)
        .where(seen.clause())
        .order_by(col(Evidence.created_at).desc(), col(Evidence.id).desc())
    )
    return session.exec(query).all()


def tags_of(*, session: Session, evidence_ids: Collection[int]) -> dict[int, list[str]]:
    """Each evidence id's tags, in the order they sort (every id present, maybe with none)."""
    tags: dict[int, list[str]] = {i: [] for i in evidence_ids}
    if not evidence_ids:
        return tags
    query = (
        select(EvidenceTag)
        .where(col(EvidenceTag.evidence_id).in_(list(evidence_ids)))
        .order_by(col(EvidenceTag.evidence_id), col(EvidenceTag.tag_id))
    )
    for row in session.exec(query):
        tags[row.evidence_id].append(row.tag_id)
    return tags


def tag_counts(*, session: Session, seen: Seen) -> dict[str, TagCount]:
    """Per tag, the evidence ``seen`` selects: how many, how many confirmed."""
    if not seen.visibilities:
        return {}
    confirmed = func.count(col(Evidence.confirmed_at))  # COUNT(column) skips NULLs
    query = (
        select(EvidenceTag.tag_id, func.count(), confirmed)
        .join(Evidence, col(Evidence.id) == col(EvidenceTag.evidence_id))
        .where(seen.clause())
        .group_by(col(EvidenceTag.tag_id))
    )
    return {
        tag: TagCount(count=count, corroborated=corroborated)
        for tag, count, corroborated in session.exec(query)
    }


# --- growth check-in ratings ----------------------------------------------------------------


def add_assessments(*, session: Session, rows: Sequence[Assessment]) -> None:
    """Insert one rater's submission (all its rows); a second one for the same round and rater
    breaks the unique key (``uq_assessment_rating``) and raises ``IntegrityError``."""
    session.add_all(rows)
    session.flush()


def assessments_of(
    *, session: Session, enrollment_ids: Collection[int], rounds: Collection[str] = ()
) -> Sequence[Assessment]:
    """Ratings of these enrollments (of ``rounds`` when given), oldest submission first."""
    if not enrollment_ids:
        return []
    query = select(Assessment).where(col(Assessment.enrollment_id).in_(list(enrollment_ids)))
    if rounds:
        query = query.where(col(Assessment.round).in_(list(rounds)))
    return session.exec(query.order_by(col(Assessment.submitted_at), col(Assessment.id))).all()


def submitted_roles(*, session: Session, enrollment_id: int, round: str) -> dict[int, str]:
    """Who has submitted a round: rater person id → role."""
    query = (
        select(Assessment.rater_id, Assessment.role)
        .where(col(Assessment.enrollment_id) == enrollment_id, col(Assessment.round) == round)
        .distinct()
    )
    return dict(session.exec(query).all())


def rated_rounds_since(*, session: Session, since: datetime) -> dict[tuple[int, str], set[str]]:
    """(enrollment id, round) → the rater roles that submitted, of every round with a rating
    submitted since ``since``: the only rounds a reveal can be owed for (the tick reads these,
    not every rater DM)."""
    query = (
        select(Assessment.enrollment_id, Assessment.round, Assessment.role)
        .where(col(Assessment.submitted_at) >= since)
        .distinct()
    )
    rated: dict[tuple[int, str], set[str]] = {}
    for enrollment_id, ref, role in session.exec(query):
        rated.setdefault((enrollment_id, ref), set()).add(role)
    return rated


def sent_rater_rows(
    *, session: Session, enrollment_ids: Collection[int], kinds: Sequence[str]
) -> Sequence[Outbox]:
    """The sent growth DMs (``kinds``) of these enrollments: the raters of their rounds."""
    if not enrollment_ids:
        return []
    query = select(Outbox).where(
        col(Outbox.enrollment_id).in_(list(enrollment_ids)),
        col(Outbox.kind).in_(list(kinds)),
        col(Outbox.state) == "sent",
    )
    return session.exec(query.order_by(col(Outbox.id))).all()
