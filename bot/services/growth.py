"""Growth: evidence of a hire's impact and the readiness view, in the blueprint's words.

Every method takes keyword-only arguments, opens one unit of work, checks the viewer's relation
with :mod:`bot.domain.permissions` (which also says which evidence each relation sees) and
writes an audit row for every change. Ratings come from growth check-ins
(:mod:`bot.services.growth_rounds`): the readiness view shows the latest revealed self and
manager rating of each dimension and their trend, never a round that is still blind.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlmodel import Session

from bot.domain import permissions
from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.domain.guardrails import strip_broadcasts, strip_controls
from bot.domain.people import parse_user_ref
from bot.domain.permissions import Relation, Visibility
from bot.domain.plan import (
    CareerPath,
    LoadedPlan,
    PromotionCriterion,
    RubricDimension,
    milestone_key,
)
from bot.domain.progress import EnrollmentStatus, MilestoneStatus
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from bot.services.growth_rounds import DimensionRatings, Side, latest_ratings
from bot.services.growth_tags import Tag, TagSuggester, plan_tags
from bot.services.kpi_view import KpiView, kpi_views
from bot.services.onboarding import Actor
from storage import growth as evidence_repo
from storage import repositories as repo
from storage.engine import Database
from storage.growth import Seen, TagCount
from storage.models import Enrollment, Evidence, Person

if TYPE_CHECKING:
    from bot.services.focus import FocusView

#: The longest evidence text kept (a win in a few sentences; link the rest).
TEXT_LIMIT = 2000
LINK_LIMIT = 2000
#: Who sees new evidence when nobody says: the hire and their manager of record.
DEFAULT_VISIBILITY = Visibility.MANAGER
#: What anyone but the named corroborator hears when they try to confirm evidence (the same
#: words whether or not the evidence exists).
CONFIRM_REFUSED = "Only the person named to confirm this evidence can confirm it."


class EvidenceInputError(InvalidInput):
    """Evidence input that was refused, naming the ``field`` it is about (``text``, ``tags``,
    ``link``, ``visibility``, ``corroborator``), so a form can show it beside that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Citation:
    """Where in the blueprint an item's words come from."""

    id: str
    section: int | None
    heading: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EvidenceView:
    """One piece of evidence as a viewer sees it."""

    id: int
    text: str
    link: str | None
    tags: list[str]
    visibility: Visibility
    created_by: str
    created_at: datetime
    confirmed_at: datetime | None
    corroborator: str | None = None  # the Slack user id asked to confirm it

    def as_json(self) -> dict[str, Any]:
        """The fields, in their order, with the visibility and the times as strings."""
        return asdict(self) | {
            "visibility": self.visibility.value,
            "created_at": self.created_at.isoformat(),
            "confirmed_at": None if self.confirmed_at is None else self.confirmed_at.isoformat(),
        }


@dataclass(frozen=True)
class EvidenceList:
    """The hire's evidence the viewer may see, newest first (``onramp evidence list``)."""

    user: str
    plan: str
    items: list[EvidenceView]

    def as_json(self) -> dict[str, Any]:
        return {"user": self.user, "plan": self.plan, "evidence": [e.as_json() for e in self.items]}


@dataclass(frozen=True)
class Confirmation:
    """A corroborator's confirmation: the evidence, whose it is, and whether it was confirmed
    before (a second click changes nothing)."""

    evidence: EvidenceView
    hire: str
    already: bool


@dataclass(frozen=True)
class EvidenceForm:
    """What the evidence modal offers: whose growth it records, their plan's tags and the
    ones suggested for the text so far."""

    hire: str
    plan: str
    tags: list[Tag]
    suggested: list[Tag]


@dataclass(frozen=True)
class Item:
    """A rubric dimension or a promotion criterion with the evidence the viewer may see."""

    id: str
    title: str
    source: Citation
    evidence: TagCount
    levels: list[dict[str, str]] = field(default_factory=list)  # dimensions: label, anchor
    detail: str | None = None  # criteria: the blueprint's words
    includes: list[str] = field(default_factory=list)  # criteria: their sub-bullets
    ratings: DimensionRatings = field(default_factory=DimensionRatings)  # dimensions

    def as_json(self, *, rated: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "source": self.source.as_json()}
        if rated:
            out |= {
                "levels": self.levels,
                "self": _rated(self.ratings.self_side),
                "manager": _rated(self.ratings.manager_side),
                "trend": self.ratings.trend,
            }
        else:
            out |= {"detail": self.detail, "includes": self.includes}
        out["evidence"] = {"count": self.evidence.count, "corroborated": self.evidence.corroborated}
        return out


@dataclass(frozen=True)
class NextStep:
    """A gap worth a conversation, with where the blueprint says what good looks like."""

    text: str
    source: Citation


@dataclass(frozen=True)
class Readiness:
    """Coverage per dimension and criterion (no percentage, no verdict: people decide)."""

    user: str
    plan: str
    dimensions: list[Item]
    promotion: list[Item]
    milestones_done: int
    milestones_total: int
    next_steps: list[NextStep]
    kpis: list[KpiView] = field(default_factory=list)  # the KPIs picked for the hire
    #: Open growth-plan focus items, with due date and latest progress (bot.services.focus).
    focus: list[FocusView] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The stable ``onramp growth --json`` shape (docs/growth.md)."""
        return {
            "user": self.user,
            "plan": self.plan,
            "dimensions": [d.as_json(rated=True) for d in self.dimensions],
            "promotion": [c.as_json(rated=False) for c in self.promotion],
            "milestones": {"done": self.milestones_done, "total": self.milestones_total},
            "next_steps": [asdict(s) for s in self.next_steps],
            "kpis": [k.as_json() for k in self.kpis],
            "focus": [f.as_json() for f in self.focus],
        }


@dataclass(frozen=True)
class _Subject:
    hire: Person
    enrollment: Enrollment
    plan: LoadedPlan
    relation: Relation
    #: The plans the hire was moved from onto this one (their shared evidence stays in view).
    moved_from: tuple[int, ...] = ()

    def visible(self, *, impersonated: bool = False) -> Seen:
        """The hire's evidence this viewer may see: the hire sees all of their own; others only
        what was shared on the plan they are on with the hire, or on a plan the hire was moved
        from onto it (a new manager does not inherit what was shown to the last one). An
        operator looking as someone (``--as``) never sees more than an admin: private evidence
        is the hire's."""
        seen = permissions.visible_evidence(self.relation)
        if impersonated:
            seen &= permissions.visible_evidence(Relation.ADMIN)
        own = self.relation is Relation.HIRE
        return Seen(
            hire_id=_id(self.hire),
            visibilities=seen,
            enrollment_id=None if own else _id(self.enrollment),
            moved_from=self.moved_from,
        )


class GrowthService:
    """Evidence and readiness for one workspace's hires."""

    def __init__(
        self, *, db: Database, catalog: PlanCatalog, clock: Clock, admins: frozenset[str]
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.admins = admins
        self.suggester = TagSuggester()

    def add_evidence(
        self,
        *,
        actor: Actor,
        hire: str,
        text: str,
        tags: Sequence[str] = (),
        link: str | None = None,
        visibility: str | Visibility = DEFAULT_VISIBILITY,
        source: str = "cli",
        corroborator: str | None = None,
    ) -> EvidenceView:
        """Record evidence of ``hire``'s growth, tagged with ids of their plan; who sees it is
        fixed now. Allowed to the hire, their manager of record and admins. ``corroborator``
        (a Slack user id: neither the hire nor whoever records it) is asked to confirm it and
        may read this one item to do so."""
        seen_by = _visibility(visibility)
        clean = _text(text)
        url = _link(link)
        witness = _corroborator(corroborator, actor=actor)
        with self.db.transaction() as session:
            subject = self._subject(session, actor, hire, permissions.Action.EVIDENCE)
            permissions.require(subject.relation, permissions.Action.EVIDENCE)
            if subject.enrollment.status == EnrollmentStatus.WITHDRAWN.value:
                raise Conflict(
                    "That plan was withdrawn, so nothing more is recorded on it; "
                    "enroll the hire again to record evidence."
                )
            tag_ids = _tags(tags, subject.plan)
            now = self.clock.now()
            me = self._me(session, actor)
            if witness is not None and witness == subject.hire.user_id:
                raise EvidenceInputError(
                    "corroborator",
                    "A corroborator confirms someone else's work: pick a colleague who saw it, "
                    "not the person it is about.",
                )
            witness_row = (
                None
                if witness is None
                else repo.upsert_person(session=session, user_id=witness, at=now)
            )
            row = evidence_repo.add_evidence(
                session=session,
                evidence=Evidence(
                    hire_id=_id(subject.hire),
                    enrollment_id=_id(subject.enrollment),
                    plan_id=subject.plan.plan.id,
                    text=clean,
                    link=url,
                    visibility=seen_by.value,
                    corroborator_id=None if witness_row is None else witness_row.id,
                    created_by_id=None if me is None else me.id,
                    created_by_label=actor.label,
                    source=source,
                    created_at=now,
                ),
                tags=tag_ids,
            )
            repo.write_audit(
                session=session,
                action="evidence",
                actor_id=None if me is None else me.id,
                actor_label=actor.label,
                subject_id=subject.hire.id,
                enrollment_id=subject.enrollment.id,
                # The text stays out of the audit log: private evidence is the hire's alone.
                detail={
                    "evidence": row.id,
                    "tags": tag_ids,
                    "visibility": seen_by.value,
                    "corroborator": witness,
                },
                at=now,
            )
            return _view(row, tag_ids, corroborator=witness)

    def confirm_evidence(self, *, actor: Actor, evidence_id: int) -> Confirmation:
        """The named corroborator confirms ``evidence_id``, once (a second confirmation changes
        nothing and says so). Anyone else is refused in the same words whether or not the
        evidence exists. Readiness counts confirmed evidence as corroborated."""
        with self.db.transaction() as session:
            me = self._me(session, actor)
            row = evidence_repo.evidence_by_id(session=session, evidence_id=evidence_id)
            if row is None or me is None or row.corroborator_id != me.id:
                raise PermissionDenied(CONFIRM_REFUSED)
            now = self.clock.now()
            confirmed = evidence_repo.confirm_evidence(
                session=session, evidence_id=evidence_id, at=now
            )
            if confirmed:
                repo.write_audit(
                    session=session,
                    action="evidence_confirmed",
                    actor_id=me.id,
                    actor_label=actor.label,
                    subject_id=row.hire_id,
                    enrollment_id=row.enrollment_id,
                    detail={"evidence": evidence_id},
                    at=now,
                )
            hire = repo.get_person_by_id(session=session, person_id=row.hire_id)
            tags = evidence_repo.tags_of(session=session, evidence_ids=[evidence_id])
            return Confirmation(
                evidence=_view(row, tags[evidence_id], corroborator=me.user_id),
                hire="" if hire is None else hire.user_id,
                already=not confirmed,
            )

    def evidence_form(self, *, actor: Actor, hire: str, text: str = "") -> EvidenceForm:
        """What the evidence modal offers ``actor`` recording evidence of ``hire``: the tags of
        the hire's plan and those suggested offline for ``text``. Refused as recording is."""
        with self.db.read() as session:
            subject = self._subject(session, actor, hire, permissions.Action.EVIDENCE)
            permissions.require(subject.relation, permissions.Action.EVIDENCE)
        loaded = subject.plan
        return EvidenceForm(
            hire=subject.hire.user_id,
            plan=loaded.plan.id,
            tags=plan_tags(loaded),
            suggested=self.suggester.suggest(loaded, text),
        )

    def evidence(self, *, actor: Actor, hire: str, impersonated: bool = False) -> EvidenceList:
        """The hire's evidence the actor may see, newest first (``impersonated``: an operator
        looking as ``actor``, who sees no more than an admin)."""
        with self.db.read() as session:
            subject = self._subject(session, actor, hire, permissions.Action.VIEW)
            rows = evidence_repo.evidence_of(
                session=session, seen=subject.visible(impersonated=impersonated)
            )
            tags = evidence_repo.tags_of(session=session, evidence_ids=[_id(r) for r in rows])
            witnesses = repo.people_by_ids(
                session=session, ids={r.corroborator_id for r in rows if r.corroborator_id}
            )
            return EvidenceList(
                user=subject.hire.user_id,
                plan=subject.plan.plan.id,
                items=[
                    _view(
                        r,
                        tags[_id(r)],
                        corroborator=witnesses[r.corroborator_id].user_id
                        if r.corroborator_id in witnesses
                        else None,
                    )
                    for r in rows
                ],
            )

    def readiness(self, *, actor: Actor, hire: str, impersonated: bool = False) -> Readiness:
        """Per rubric dimension and promotion criterion: the blueprint's words, cited, and the
        evidence the actor may see; milestones done; next steps from the gaps."""
        with self.db.read() as session:
            subject = self._subject(session, actor, hire, permissions.Action.VIEW)
            counts = evidence_repo.tag_counts(
                session=session, seen=subject.visible(impersonated=impersonated)
            )
            states = repo.milestone_states(session=session, enrollment_id=_id(subject.enrollment))
            ratings = latest_ratings(
                session=session,
                enrollment_id=_id(subject.enrollment),
                rubric=subject.plan.plan.growth.rubric,
                now=self.clock.now(),
            )
            kpis = kpi_views(
                session=session,
                enrollment_id=_id(subject.enrollment),
                loaded=subject.plan,
                cite=_cite,
            )
            focus = _open_focus(session, subject, self.clock.now())
        loaded = subject.plan
        growth = loaded.plan.growth

        def item(entry: RubricDimension | PromotionCriterion, **words: Any) -> Item:
            """``entry`` cited, with the evidence the actor may see and its own ``words``."""
            return Item(
                id=entry.id,
                title=entry.title,
                source=_cite(loaded, entry.source),
                evidence=counts.get(entry.id, TagCount()),
                **words,
            )

        dimensions = [
            item(
                d,
                levels=[{"label": level.label, "anchor": level.anchor} for level in d.levels],
                ratings=ratings.get(d.id, DimensionRatings()),
            )
            for d in growth.rubric
        ]
        promotion = [item(c, detail=c.detail, includes=list(c.includes)) for c in growth.promotion]
        done = sum(1 for s in states.values() if s.status == MilestoneStatus.DONE.value)
        return Readiness(
            user=subject.hire.user_id,
            plan=loaded.plan.id,
            dimensions=dimensions,
            promotion=promotion,
            milestones_done=done,
            milestones_total=len(loaded.plan.milestone_ids),
            next_steps=_next_steps(dimensions, promotion),
            kpis=kpis,
            focus=focus,
        )

    def paths(self, *, actor: Actor) -> tuple[LoadedPlan, list[CareerPath]]:
        """The next and adjacent roles of the actor's own plan (or, for someone not on a plan,
        of the workspace's default plan), in the blueprint's words."""
        with self.db.read() as session:
            me = self._me(session, actor)
            enrollment = (
                None if me is None else repo.latest_enrollment(session=session, hire_id=_id(me))
            )
        plan_id = enrollment.plan_id if enrollment is not None else self.catalog.default_id()
        if plan_id is None:
            raise NotFound(
                "You're not on an Onramp plan, so there are no career paths to show yet; "
                "ask your manager to enroll you."
            )
        loaded = self.catalog.get(plan_id)
        return loaded, list(loaded.plan.growth.paths)

    def cite(self, loaded: LoadedPlan, section_id: str) -> Citation:
        """Where ``section_id`` of ``loaded``'s blueprint is, for a reply that quotes it."""
        return _cite(loaded, section_id)

    # --- who is asking about whom -----------------------------------------------------------

    def _me(self, session: Session, actor: Actor) -> Person | None:
        if actor.user_id is None:
            return None
        return repo.get_person(session=session, user_id=actor.user_id)

    def _subject(
        self, session: Session, actor: Actor, hire: str, action: permissions.Action
    ) -> _Subject:
        """The hire, their latest plan and the actor's relation to them. Anyone who may not
        see the hire's growth hears the stranger's refusal, whether or not the hire exists."""
        refused = permissions.refusal(Relation.OTHER, action)
        person = self._find(session, hire)
        enrollment = (
            None if person is None else repo.latest_enrollment(session=session, hire_id=_id(person))
        )
        if person is None or enrollment is None:
            if actor.operator:
                raise NotFound(
                    f"{hire[:60]} has no Onramp plan; enroll them first (onramp enroll)."
                )
            if actor.user_id is not None and actor.user_id in (
                parse_user_ref(hire).user_id,
                None if person is None else person.user_id,
            ):
                raise NotFound("You're not on an Onramp plan yet; ask your manager to enroll you.")
            raise refused
        mentor_ids = repo.mentor_ids(session=session, enrollment_id=_id(enrollment))
        people = repo.people_by_ids(session=session, ids=[enrollment.manager_id, *mentor_ids])
        me = self._me(session, actor)
        relation = (
            Relation.ADMIN
            if actor.operator
            else permissions.relation_of(
                actor=actor.user_id or "",
                hire=person.user_id,
                manager=people[enrollment.manager_id].user_id,
                mentors={people[i].user_id for i in mentor_ids},
                is_admin=actor.user_id in self.admins or bool(me is not None and me.is_admin),
            )
        )
        if not permissions.allowed(relation, permissions.Action.VIEW):
            raise refused
        moved = repo.moved_from(session=session, enrollment_id=_id(enrollment))
        return _Subject(person, enrollment, self.catalog.get(enrollment.plan_id), relation, moved)

    def _find(self, session: Session, hire: str) -> Person | None:
        return find_person(session, hire)


def find_person(session: Session, typed: str) -> Person | None:
    """The person ``typed`` names (``<@U1|ana>``, ``U1`` or ``@ana``), if known; a name two
    people share is refused with the fix (their user id)."""
    ref = parse_user_ref(typed)
    if ref.user_id:
        return repo.get_person(session=session, user_id=ref.user_id)
    assert ref.name is not None  # noqa: S101 - parse_user_ref gives one or the other
    named = repo.find_people_by_name(session=session, name=ref.name)
    if len(named) > 1:
        raise InvalidInput(f"More than one person is called @{ref.name}; use their user id.")
    return named[0] if named else repo.get_person(session=session, user_id=ref.name)


# --- input --------------------------------------------------------------------------------


def _visibility(value: str | Visibility) -> Visibility:
    try:
        return Visibility(str(value).strip().lower())
    except ValueError:
        valid = ", ".join(v.value for v in Visibility)
        shown = re.sub(r"[^\w -]", "", str(value))[:40]  # never echo a mention or a link
        raise EvidenceInputError(
            "visibility",
            f"'{shown}' is not a visibility; use one of: {valid} "
            "(private: only the hire; manager: and their manager; mentors: and their mentors).",
        ) from None


def _text(text: str) -> str:
    # Control characters (a NUL PostgreSQL refuses, terminal escapes) never reach storage.
    clean = strip_controls(strip_broadcasts(text)).strip()
    if not clean:
        raise EvidenceInputError(
            "text", "Evidence needs a text: say what happened and why it mattered."
        )
    if len(clean) > TEXT_LIMIT:
        raise EvidenceInputError(
            "text",
            f"Evidence is limited to {TEXT_LIMIT} characters ({len(clean)} given); "
            "shorten it and link the rest with --link.",
        )
    return clean


def _link(link: str | None) -> str | None:
    if link is None or not link.strip():
        return None
    url = link.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > LINK_LIMIT:
        raise EvidenceInputError(
            "link",
            f"The link must be an http(s) URL of at most {LINK_LIMIT} characters, e.g. "
            "https://github.com/org/repo/pull/12.",
        )
    return url


def _corroborator(user: str | None, *, actor: Actor) -> str | None:
    """The corroborator's Slack user id (``None`` for nobody); never whoever records it."""
    if user is None or not user.strip():
        return None
    user_id = parse_user_ref(user.strip()).user_id
    if user_id is None:
        raise EvidenceInputError(
            "corroborator", "Name the corroborator by their Slack user id, e.g. U0123ABCD."
        )
    if user_id == actor.user_id:
        raise EvidenceInputError(
            "corroborator",
            "You can't confirm what you record yourself: pick a colleague who saw it happen.",
        )
    return user_id


def _tags(typed: Iterable[str], loaded: LoadedPlan) -> list[str]:
    """The tags as ids of the plan (rubric dimensions, skills, promotion criteria, milestones)."""
    known = [*loaded.plan.growth.tag_ids, *loaded.plan.milestone_ids]
    tags: list[str] = []
    for word in typed:
        key = milestone_key(word)
        if key not in known:
            shown = re.sub(r"[^\w -]", "", word)[:60]  # no markup or mentions echoed back
            close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise EvidenceInputError(
                "tags",
                f"There is no tag '{shown}' in {loaded.plan.id}.{hint} Tags are the ids of its "
                "rubric, skills, promotion criteria and milestones: onramp plans show "
                f"{loaded.plan.id}.",
            )
        if key not in tags:
            tags.append(key)
    return tags


# --- output -------------------------------------------------------------------------------


def _id(row: Person | Enrollment | Evidence) -> int:
    assert row.id is not None  # noqa: S101 - rows read from or flushed to the database
    return row.id


def _view(row: Evidence, tags: list[str], *, corroborator: str | None = None) -> EvidenceView:
    return EvidenceView(
        id=_id(row),
        text=row.text,
        link=row.link,
        tags=tags,
        visibility=Visibility(row.visibility),
        created_by=row.created_by_label,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        corroborator=corroborator,
    )


def _rated(latest: tuple[str, Side] | None) -> dict[str, Any] | None:
    """A latest rating as JSON: its round, its level (1-based) and the blueprint's label."""
    if latest is None:
        return None
    round_ref, side = latest
    return {"round": round_ref, "level": side.level, "label": side.label}


def _cite(loaded: LoadedPlan, section_id: str) -> Citation:
    section = loaded.blueprint.get(section_id)
    if section is None:  # plans check refuses this; keep the id rather than fail a read
        return Citation(id=section_id, section=None, heading=section_id)
    return Citation(id=section.id, section=section.number, heading=section.path)


def _open_focus(session: Session, subject: _Subject, now: datetime) -> list[FocusView]:
    """The hire's open focus items (imported here: the focus service builds on this one)."""
    from bot.services.focus import FocusStatus, focus_views, hire_calendar_of

    return focus_views(
        session,
        enrollment=subject.enrollment,
        loaded=subject.plan,
        calendar=hire_calendar_of(subject.hire),
        now=now,
        statuses=[FocusStatus.OPEN.value],
    )


def _next_steps(dimensions: list[Item], promotion: list[Item]) -> list[NextStep]:
    """One step per dimension or criterion without evidence, in the blueprint's words."""
    steps = [
        NextStep(
            text=f"No evidence yet on {d.title}. The blueprint's top level: "
            f"“{d.levels[-1]['anchor']}”.",
            source=d.source,
        )
        for d in dimensions
        if d.evidence.count == 0 and d.levels
    ]
    steps += [
        NextStep(text=f"No evidence yet for the promotion criterion “{c.detail}”", source=c.source)
        for c in promotion
        if c.evidence.count == 0
    ]
    return steps
