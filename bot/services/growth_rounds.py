"""Growth check-ins: blind self and manager ratings on the plan's rubric, then a side-by-side.

A *round* (``90d``, ``6mo``, ``12mo``, then quarterly) is opened by the tick, which writes a
``growth_self`` row to the hire and a ``growth_manager`` row to their manager of record (see
:func:`bot.domain.schedule.growth_slots`); each row's payload carries when the round closes
(``stale_at``). A rater submits one rating per rubric dimension, each with evidence they may see
or a comment, once. Ratings stay blind — the other rater's are shown to no one — until both
have submitted or the round has closed; then each rater gets a ``growth_reveal`` DM with the
side-by-side (gaps of :data:`FLAG_GAP` steps or more flagged, the previous round beside it).
Reminders and reveals at close are derived by the tick (:mod:`bot.services.checkins.derive`).

Levels are stored as 1-based ranks of the plan's rubric levels and shown in the blueprint's
words. :func:`latest_ratings` is what the readiness view reads (``GrowthService.readiness``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.domain.guardrails import strip_broadcasts, strip_controls
from bot.domain.offsets import Offset
from bot.domain.plan import RubricDimension
from bot.domain.schedule import Kind
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from storage import growth as growth_repo
from storage import outbox as outbox_repo
from storage import repositories as repo
from storage.engine import Database
from storage.growth import Seen
from storage.models import Assessment, Outbox

#: Ratings this many levels apart (self vs manager) are flagged for a conversation.
FLAG_GAP = 2
#: The longest comment kept per dimension.
COMMENT_LIMIT = 1000
RATER_KINDS = (Kind.GROWTH_SELF.value, Kind.GROWTH_MANAGER.value, Kind.GROWTH_MENTOR.value)

NOT_YOURS = "This growth check-in is for someone else, so you can't rate it."
ALREADY = "You've already submitted your ratings for this round; they can't be changed."
CLOSED = "This round closed on {closed:%a %d %b}, so ratings are no longer taken for it."
NOT_ACTIVE = "{name}'s plan is {status}, so this round takes no ratings."
NEEDS_LEVEL = "Pick a level."
NEEDS_WHY = "Add a comment or pick evidence for this rating."
UNKNOWN_LEVEL = "Pick one of the levels listed."
UNSEEN_EVIDENCE = "Pick evidence from the list (you can only cite what you can see)."
LONG_COMMENT = f"Keep the comment under {COMMENT_LIMIT} characters."
INCOMPLETE = "Some ratings need a fix: {problems}"


class Role(StrEnum):
    """Who is rating: the hire themselves, their manager of record, or (optionally) a mentor."""

    SELF = "self"
    MANAGER = "manager"
    MENTOR = "mentor"


ROLE_OF_KIND = {
    Kind.GROWTH_SELF.value: Role.SELF,
    Kind.GROWTH_MANAGER.value: Role.MANAGER,
    Kind.GROWTH_MENTOR.value: Role.MENTOR,
}


class RatingsIncomplete(InvalidInput):
    """A submission with something missing or wrong, per dimension id (nothing was stored)."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        listed = "; ".join(f"{d}: {p}" for d, p in self.problems.items())
        super().__init__(INCOMPLETE.format(problems=listed))


@dataclass(frozen=True)
class Rating:
    """One rater's rating of one dimension: a 1-based level, and why (comment and/or evidence)."""

    level: int | None
    comment: str | None = None
    evidence_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class EvidenceChoice:
    """A piece of evidence a rater may cite."""

    id: int
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoundRef:
    """One round of one enrollment, and when it closes (from the round's outbox rows)."""

    enrollment_id: int
    round: str
    closes_at: datetime | None


@dataclass(frozen=True)
class RaterForm:
    """What a rater's modal asks: the rubric in the blueprint's words, the evidence they may
    cite, and whether they have already submitted."""

    outbox_id: int
    round: str
    role: Role
    hire: str
    hire_name: str
    plan_title: str
    dimensions: tuple[RubricDimension, ...]
    evidence: tuple[EvidenceChoice, ...]
    closes_at: datetime | None
    submitted_at: datetime | None = None
    #: The rater's time zone (from Slack), for showing when they submitted; ``None``: unknown.
    rater_tz: str | None = None


@dataclass(frozen=True)
class Side:
    """One rater's rating of one dimension as the side-by-side shows it."""

    level: int
    label: str
    comment: str | None = None
    evidence: int = 0


@dataclass(frozen=True)
class ComparisonLine:
    """One dimension side by side: self, manager, the previous round's levels, the flag."""

    dimension_id: str
    title: str
    self_side: Side | None
    manager_side: Side | None
    previous_self: Side | None = None
    previous_manager: Side | None = None
    #: Mentors' ratings, where the plan asks mentors to rate (never flagged, never required).
    mentors: tuple[Side, ...] = ()

    @property
    def flagged(self) -> bool:
        """Self and manager are :data:`FLAG_GAP` levels or more apart: worth a conversation."""
        if self.self_side is None or self.manager_side is None:
            return False
        return abs(self.self_side.level - self.manager_side.level) >= FLAG_GAP


@dataclass(frozen=True)
class Comparison:
    """A round's side-by-side, once it is revealed."""

    round: str
    previous_round: str | None
    lines: tuple[ComparisonLine, ...]
    #: Both raters submitted (else the round closed with one side missing).
    complete: bool


@dataclass(frozen=True)
class DimensionRatings:
    """The latest revealed self and manager ratings of one dimension, and every round's."""

    self_side: tuple[str, Side] | None = None
    manager_side: tuple[str, Side] | None = None
    trend: list[dict[str, Any]] = field(default_factory=list)


def round_label(ref: str) -> str:
    """``90d`` → ``90-day``, ``6mo`` → ``6-month``, ``1y`` → ``1-year`` (as people say it)."""
    try:
        offset = Offset.parse(ref)
    except ValueError:
        return ref
    unit = {"d": "day", "w": "week", "mo": "month", "y": "year"}[offset.unit]
    return f"{offset.amount}-{unit}"


def _order(ref: str) -> Offset:
    return Offset.parse(ref)


def round_of_key(key: str) -> str:
    """The round of a growth row's key: ``{kind}:{enrollment}:{round}[:{person}]``."""
    return key.split(":")[2]


def _round_of(row: Outbox) -> str:
    return round_of_key(row.key)


def _closes(row: Outbox) -> datetime | None:
    value = row.payload.get("stale_at")
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value)


def closing_times(session: Session, enrollment_id: int) -> dict[str, datetime | None]:
    """Each round the tick has opened for an enrollment → when it closes."""
    rows = outbox_repo.rows_where(
        session=session, enrollment_id=enrollment_id, kinds=[Kind.GROWTH_SELF.value]
    )
    return {_round_of(row): _closes(row) for row in rows}


def revealed_rounds(
    ratings: Sequence[Assessment], closes: Mapping[str, datetime | None], now: datetime
) -> set[str]:
    """Rounds whose ratings may be shown: both raters submitted, or the round has closed."""
    roles: dict[str, set[str]] = {}
    for rating in ratings:
        roles.setdefault(rating.round, set()).add(rating.role)
    shown = set()
    for ref, who in roles.items():
        closed_at = closes.get(ref)
        if {Role.SELF.value, Role.MANAGER.value} <= who or (
            closed_at is not None and closed_at <= now
        ):
            shown.add(ref)
    return shown


def _side(rating: Assessment, dimension: RubricDimension | None) -> Side:
    labels = [level.label for level in dimension.levels] if dimension else []
    label = labels[rating.level - 1] if 0 < rating.level <= len(labels) else str(rating.level)
    return Side(
        level=rating.level,
        label=label,
        comment=rating.comment,
        evidence=len(rating.evidence_ids or []),
    )


def _by_round(
    ratings: Sequence[Assessment], shown: set[str]
) -> dict[str, dict[str, dict[str, Assessment]]]:
    """round → role → dimension → rating, for the rounds that may be shown."""
    out: dict[str, dict[str, dict[str, Assessment]]] = {}
    for rating in ratings:
        if rating.round in shown:
            out.setdefault(rating.round, {}).setdefault(rating.role, {})[rating.dimension_id] = (
                rating
            )
    return out


def latest_ratings(
    *,
    session: Session,
    enrollment_id: int,
    rubric: Sequence[RubricDimension],
    now: datetime,
) -> dict[str, DimensionRatings]:
    """Per dimension id: the latest revealed self and manager ratings and the trend (every
    revealed round, oldest first). Blind rounds are left out for everyone."""
    ratings = growth_repo.assessments_of(session=session, enrollment_ids=[enrollment_id])
    if not ratings:
        return {}
    shown = revealed_rounds(ratings, closing_times(session, enrollment_id), now)
    rounds = _by_round(ratings, shown)
    out: dict[str, DimensionRatings] = {}
    for dimension in rubric:
        latest: dict[str, tuple[str, Side]] = {}
        trend: list[dict[str, Any]] = []
        for ref in sorted(rounds, key=_order):
            point: dict[str, Any] = {"round": ref}
            for role in (Role.SELF.value, Role.MANAGER.value):
                rating = rounds[ref].get(role, {}).get(dimension.id)
                point[role] = None if rating is None else rating.level
                if rating is not None:
                    latest[role] = (ref, _side(rating, dimension))
            trend.append(point)
        out[dimension.id] = DimensionRatings(
            self_side=latest.get(Role.SELF.value),
            manager_side=latest.get(Role.MANAGER.value),
            trend=trend,
        )
    return out


@dataclass(kw_only=True, eq=False)
class GrowthRounds:
    """Rater forms, submissions and side-by-sides of growth check-ins."""

    db: Database
    catalog: PlanCatalog
    clock: Clock

    # --- the rater's form ---------------------------------------------------------------------

    def form(self, *, user_id: str, outbox_id: int) -> RaterForm:
        """What the rater of growth check-in ``outbox_id`` is asked (refused to anyone else)."""
        with self.db.read() as session:
            return self._form(session, user_id, outbox_id)

    def _form(self, session: Session, user_id: str, outbox_id: int) -> RaterForm:
        row = outbox_repo.get(session=session, outbox_id=outbox_id)
        if row is None or row.kind not in RATER_KINDS or row.enrollment_id is None:
            raise NotFound("That growth check-in no longer exists.")
        rater = repo.get_person_by_id(session=session, person_id=row.recipient_id)
        if rater is None or rater.user_id != user_id:
            raise PermissionDenied(NOT_YOURS)
        enrollment = repo.get_enrollment(session=session, enrollment_id=row.enrollment_id)
        if enrollment is None:
            raise NotFound("That growth check-in no longer exists.")
        hire = repo.get_person_by_id(session=session, person_id=enrollment.hire_id)
        assert hire is not None  # noqa: S101 - an enrollment's hire is a foreign key
        role = ROLE_OF_KIND[row.kind]
        plan = self.catalog.get(enrollment.plan_id).plan
        # The hire cites any of their own evidence; the manager what was shared with them on
        # this plan (bot.domain.permissions: never private evidence).
        seen = (
            Seen(hire_id=enrollment.hire_id, visibilities=("private", "manager", "mentors"))
            if role is Role.SELF
            else Seen(
                hire_id=enrollment.hire_id,
                visibilities=_SHARED_WITH[role],
                enrollment_id=enrollment.id,
            )
        )
        evidence = growth_repo.evidence_of(session=session, seen=seen)
        tags = growth_repo.tags_of(session=session, evidence_ids=[e.id for e in evidence if e.id])
        mine = [
            r
            for r in growth_repo.assessments_of(
                session=session, enrollment_ids=[row.enrollment_id], rounds=[_round_of(row)]
            )
            if r.rater_id == row.recipient_id
        ]
        return RaterForm(
            outbox_id=outbox_id,
            round=_round_of(row),
            role=role,
            hire=hire.user_id,
            hire_name=hire.display_name or hire.user_id,
            plan_title=plan.title,
            dimensions=tuple(plan.growth.rubric),
            evidence=tuple(
                EvidenceChoice(id=e.id, text=e.text, tags=tuple(tags.get(e.id, [])))
                for e in evidence
                if e.id is not None
            ),
            closes_at=_closes(row),
            submitted_at=mine[0].submitted_at if mine else None,
            rater_tz=rater.tz,
        )

    # --- submitting ---------------------------------------------------------------------------

    def submit(self, *, user_id: str, outbox_id: int, ratings: Mapping[str, Rating]) -> RaterForm:
        """Record the rater's ratings of every rubric dimension, once; when the other rater has
        submitted too, queue the side-by-side for both. Raise :class:`RatingsIncomplete` (per
        dimension) or a refusal that says why; nothing is stored then."""
        now = self.clock.now()
        with self.db.transaction() as session:
            form = self._form(session, user_id, outbox_id)
            row = outbox_repo.get(session=session, outbox_id=outbox_id)
            assert row is not None  # noqa: S101 - _form read it
            assert row.enrollment_id is not None  # noqa: S101
            status = outbox_repo.enrollment_statuses(session=session, ids=[row.enrollment_id])
            if status.get(row.enrollment_id) not in ("active", "completed"):
                raise Conflict(
                    NOT_ACTIVE.format(name=form.hire_name, status=status.get(row.enrollment_id))
                )
            if form.submitted_at is not None:
                raise Conflict(ALREADY)
            if form.closes_at is not None and now >= form.closes_at:
                raise Conflict(CLOSED.format(closed=form.closes_at))
            clean = _validated(form, ratings)
            try:
                growth_repo.add_assessments(
                    session=session,
                    rows=[
                        Assessment(
                            enrollment_id=row.enrollment_id,
                            round=form.round,
                            rater_id=row.recipient_id,
                            role=form.role.value,
                            dimension_id=dimension_id,
                            level=rating.level or 0,
                            comment=rating.comment,
                            evidence_ids=list(rating.evidence_ids),
                            submitted_at=now,
                        )
                        for dimension_id, rating in clean.items()
                    ],
                )
            except IntegrityError:
                raise Conflict(ALREADY) from None
            outbox_repo.record_answer(
                session=session, outbox_id=outbox_id, answer={"submitted": True}, now=now
            )
            repo.write_audit(
                session=session,
                action="growth_rating",
                actor_id=row.recipient_id,
                actor_label=user_id,
                subject_id=None,
                enrollment_id=row.enrollment_id,
                detail={"round": form.round, "role": form.role.value},
                at=now,
            )
            done = growth_repo.submitted_roles(
                session=session, enrollment_id=row.enrollment_id, round=form.round
            )
            if {Role.SELF.value, Role.MANAGER.value} <= set(done.values()):
                outbox_repo.insert_new(
                    session=session,
                    rows=reveal_rows(session, row.enrollment_id, form.round, now, "submitted"),
                    now=now,
                )
        return RaterForm(**{**form.__dict__, "submitted_at": now})

    # --- the side-by-side ---------------------------------------------------------------------

    def comparison(self, *, enrollment_id: int, round: str) -> Comparison:
        """The round's side-by-side with the previous revealed round beside it; refused while
        the round is still blind."""
        now = self.clock.now()
        with self.db.read() as session:
            enrollment = repo.get_enrollment(session=session, enrollment_id=enrollment_id)
            if enrollment is None:
                raise NotFound("That plan no longer exists.")
            rubric = self.catalog.get(enrollment.plan_id).plan.growth.rubric
            ratings = growth_repo.assessments_of(session=session, enrollment_ids=[enrollment_id])
            shown = revealed_rounds(ratings, closing_times(session, enrollment_id), now)
        if round not in shown:
            raise Conflict("These ratings stay hidden until both of you have submitted.")
        rounds = _by_round(ratings, shown)
        earlier = [r for r in rounds if _order(r) < _order(round)]
        previous = max(earlier, key=_order) if earlier else None
        this, before = rounds[round], rounds.get(previous or "", {})

        def side(
            bucket: Mapping[str, Mapping[str, Assessment]], role: Role, d: RubricDimension
        ) -> Side | None:
            rating = bucket.get(role.value, {}).get(d.id)
            return None if rating is None else _side(rating, d)

        mentor_ratings = [r for r in ratings if r.round == round and r.role == Role.MENTOR.value]

        return Comparison(
            round=round,
            previous_round=previous,
            lines=tuple(
                ComparisonLine(
                    dimension_id=d.id,
                    title=d.title,
                    self_side=side(this, Role.SELF, d),
                    manager_side=side(this, Role.MANAGER, d),
                    previous_self=side(before, Role.SELF, d),
                    previous_manager=side(before, Role.MANAGER, d),
                    mentors=tuple(_side(r, d) for r in mentor_ratings if r.dimension_id == d.id),
                )
                for d in rubric
            ),
            complete={Role.SELF.value, Role.MANAGER.value} <= set(this),
        )


def reveal_rows(
    session: Session, enrollment_id: int, round: str, now: datetime, why: str
) -> list[outbox_repo.NewRow]:
    """A side-by-side DM to each rater of the round (whoever was sent a rater DM)."""
    rows = outbox_repo.rows_where(
        session=session, enrollment_id=enrollment_id, kinds=list(RATER_KINDS)
    )
    return [
        reveal_row(enrollment_id, round, row.recipient_id, now, why)
        for row in rows
        if _round_of(row) == round and row.state == outbox_repo.SENT
    ]


def reveal_row(
    enrollment_id: int, round: str, recipient_id: int, now: datetime, why: str
) -> outbox_repo.NewRow:
    """The side-by-side of one round for one rater: keyed per rater, so it is owed once."""
    return outbox_repo.NewRow(
        key=f"{Kind.GROWTH_REVEAL.value}:{enrollment_id}:{round}:{recipient_id}",
        kind=Kind.GROWTH_REVEAL.value,
        recipient_id=recipient_id,
        due_at=now,
        enrollment_id=enrollment_id,
        payload={"round": round, "why": why},
    )


#: What each rater other than the hire may cite: what was shared with them on this plan.
_SHARED_WITH = {Role.MANAGER: ("manager", "mentors"), Role.MENTOR: ("mentors",)}


def _validated(form: RaterForm, ratings: Mapping[str, Rating]) -> dict[str, Rating]:
    """Every dimension rated with a known level and a reason; the cleaned ratings."""
    problems: dict[str, str] = {}
    clean: dict[str, Rating] = {}
    visible = {e.id for e in form.evidence}
    for dimension in form.dimensions:
        rating = ratings.get(dimension.id) or Rating(level=None)
        comment = strip_controls(strip_broadcasts(rating.comment or "")).strip() or None
        if rating.level is None:
            problems[dimension.id] = NEEDS_LEVEL
        elif not 1 <= rating.level <= len(dimension.levels):
            problems[dimension.id] = UNKNOWN_LEVEL
        elif set(rating.evidence_ids) - visible:
            problems[dimension.id] = UNSEEN_EVIDENCE
        elif comment is not None and len(comment) > COMMENT_LIMIT:
            problems[dimension.id] = LONG_COMMENT
        elif comment is None and not rating.evidence_ids:
            problems[dimension.id] = NEEDS_WHY
        else:
            clean[dimension.id] = Rating(
                level=rating.level,
                comment=comment,
                evidence_ids=tuple(dict.fromkeys(rating.evidence_ids)),
            )
    if problems:
        raise RatingsIncomplete(problems)
    return clean
