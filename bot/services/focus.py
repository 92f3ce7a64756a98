"""The growth plan: 1–3 focus items a hire and their manager choose from a growth round's gaps.

After a round is revealed, :meth:`FocusService.gaps` lists the candidate items — rubric
dimensions either rater put below the plan's middle level, or where self and manager are
:data:`~bot.services.growth_rounds.FLAG_GAP` steps apart (flagged), else the lowest-rated —
each with the blueprint's anchor of the next level, quoted. The hire or their manager of record
(admins and the operator too) adds items (a dimension, a title, 1–5 actions, a due date in the
future of the hire's zone; at most :data:`MAX_OPEN` open at once) and records progress
(an append-only update: a note and the status it leaves the item in). Mentors see the items.

An open item with no update for ``checkins.focus_stalled_after_working_days`` working days of
the hire's calendar, or past its due date, is *stalled*: the tick owes each mentor (else the
manager) one ``focus_nudge`` (:func:`stalled_nudges`). The nudge is keyed by the item and the
moment of its last change, so it goes out once per quiet spell; a later update re-arms it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Unpack

from sqlmodel import Session

from bot.domain import permissions
from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.domain.guardrails import strip_broadcasts, strip_controls
from bot.domain.offsets import Offset
from bot.domain.permissions import Relation
from bot.domain.plan import LoadedPlan, RubricDimension
from bot.domain.progress import EnrollmentStatus
from bot.domain.schedule import Kind, LocalCalendar, public_holidays, zone
from bot.services.catalog import PlanCatalog
from bot.services.growth import Citation, GrowthService, _Subject
from bot.services.growth_base import GrowthDeps, GrowthServiceBase
from bot.services.growth_rounds import (
    Comparison,
    ComparisonLine,
    GrowthRounds,
    closing_times,
    revealed_rounds,
)
from bot.services.onboarding import Actor
from storage import focus as focus_repo
from storage import growth as growth_repo
from storage import outbox as outbox_repo
from storage import repositories as repo
from storage.engine import Database
from storage.models import Enrollment, Focus, FocusUpdate, Outbox, Person

#: Open focus items per enrollment: a plan, not a backlog.
MAX_OPEN = 3
MAX_ACTIONS = 5
TITLE_LIMIT = 300
ACTION_LIMIT = 300
NOTE_LIMIT = 2000
#: Working days without an update after which an open item is stalled (app.yaml overrides).
STALLED_AFTER_WORKING_DAYS = 15
#: The due date the modal suggests, this many weeks out.
SUGGESTED_WEEKS = 6
#: The gaps offered when no dimension is below the middle level or flagged: the lowest few.
LOWEST = 3

CANT_CHANGE = (
    "As the {relation} on this plan you can't change its growth plan; "
    "ask the hire or their manager."
)
NOT_FOUND = "There is no focus item #{id} you can see."


class FocusStatus(StrEnum):
    """Where a focus item stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class FocusInputError(InvalidInput):
    """Focus input that was refused, naming the ``field`` it is about (``dimension``,
    ``title``, ``actions``, ``due``, ``status``, ``note``), so a form can show it there."""

    def __init__(self, field: str, message: str, *, index: int = 0) -> None:
        super().__init__(message)
        self.field = field
        self.index = index  # which of several items added together


@dataclass(frozen=True)
class NewFocus:
    """A focus item to add, as typed."""

    dimension: str
    title: str
    actions: tuple[str, ...]
    due: date


@dataclass(frozen=True)
class Gap:
    """A candidate focus item: one dimension of the latest revealed round, and why."""

    dimension_id: str
    title: str
    #: ``below`` (under the middle level), ``flagged`` (self and manager 2+ apart), ``lowest``.
    reason: str
    self_level: int | None
    self_label: str | None
    manager_level: int | None
    manager_label: str | None
    flagged: bool
    #: The next level up from the lower rating, and the blueprint's anchor for it, quoted.
    next_label: str
    next_anchor: str
    source: Citation

    def as_json(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension_id,
            "title": self.title,
            "reason": self.reason,
            "self": None
            if self.self_level is None
            else {"level": self.self_level, "label": self.self_label},
            "manager": None
            if self.manager_level is None
            else {"level": self.manager_level, "label": self.manager_label},
            "flagged": self.flagged,
            "next": {"label": self.next_label, "anchor": self.next_anchor},
            "source": self.source.as_json(),
        }


@dataclass(frozen=True)
class Gaps:
    """The gaps of a hire's latest revealed round (``round`` ``None``: none revealed yet)."""

    user: str
    plan: str
    round: str | None
    items: list[Gap]

    def as_json(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "plan": self.plan,
            "round": self.round,
            "gaps": [g.as_json() for g in self.items],
        }


@dataclass(frozen=True)
class UpdateView:
    """One progress update on a focus item."""

    note: str
    status: str
    at: datetime
    author: str  # a Slack user id, or ``cli``

    def as_json(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "status": self.status,
            "at": self.at.isoformat(),
            "author": self.author,
        }


@dataclass(frozen=True)
class FocusView:
    """A focus item as people see it."""

    id: int
    dimension_id: str
    dimension_title: str
    title: str
    actions: list[str]
    due: date
    status: str
    round: str | None
    created_at: datetime
    updated_at: datetime
    last_update: UpdateView | None
    #: Open and past its due date in the hire's zone.
    overdue: bool
    #: Open, and overdue or with no update for the stall period (``None``: not computed).
    stalled: bool | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "dimension": self.dimension_id,
            "dimension_title": self.dimension_title,
            "title": self.title,
            "actions": self.actions,
            "due": self.due.isoformat(),
            "status": self.status,
            "round": self.round,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "last_update": None if self.last_update is None else self.last_update.as_json(),
            "overdue": self.overdue,
        }
        if self.stalled is not None:
            out["stalled"] = self.stalled
        return out


@dataclass(frozen=True)
class FocusList:
    """A hire's focus items, open ones first (``onramp focus list``)."""

    user: str
    plan: str
    items: list[FocusView]
    #: Whether the viewer may add items and record progress.
    can_change: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"user": self.user, "plan": self.plan, "focus": [f.as_json() for f in self.items]}


@dataclass(frozen=True)
class FocusForm:
    """What the modal that adds focus items offers (:meth:`FocusService.form`)."""

    hire: str
    dimensions: tuple[RubricDimension, ...]
    gaps: Gaps
    slots: int  # how many more open items fit
    suggested_due: date
    today: date  # in the hire's zone


def is_stalled(focus: Focus, *, calendar: LocalCalendar, now: datetime, after: int) -> bool:
    """Open, and past due or with no change for ``after`` working days of ``calendar``."""
    if focus.status != FocusStatus.OPEN.value:
        return False
    today = calendar.today(now)
    quiet_until = calendar.add_working_days(calendar.today(focus.updated_at), after)
    return focus.due < today or quiet_until <= today


def hire_calendar_of(person: Person, default_tz: str = "UTC") -> LocalCalendar:
    """The hire's own calendar (zone and public holidays; weekends only when unknown)."""
    try:
        holidays = public_holidays(person.holiday_country)
    except InvalidInput:
        holidays = public_holidays(None)
    return LocalCalendar(
        zone=zone(person.tz, default_tz), send_time=datetime.min.time(), holidays=holidays
    )


def focus_views(
    session: Session,
    *,
    enrollment: Enrollment,
    loaded: LoadedPlan,
    calendar: LocalCalendar,
    now: datetime,
    statuses: Sequence[str] = (),
    stalled_after: int | None = None,
) -> list[FocusView]:
    """An enrollment's focus items with their latest update, open first (the readiness view
    reads these too)."""
    assert enrollment.id is not None  # noqa: S101 - rows read from the database
    rows = focus_repo.focus_of(session=session, enrollment_ids=[enrollment.id], statuses=statuses)
    latest = focus_repo.latest_updates(session=session, focus_ids=[_fid(r) for r in rows])
    authors = repo.people_by_ids(
        session=session, ids={u.author_id for u in latest.values() if u.author_id}
    )
    titles = {d.id: d.title for d in loaded.plan.growth.rubric}
    today = calendar.today(now)

    def view(row: Focus) -> FocusView:
        update = latest.get(_fid(row))
        author = authors.get(update.author_id) if update and update.author_id else None
        return FocusView(
            id=_fid(row),
            dimension_id=row.dimension_id,
            dimension_title=titles.get(row.dimension_id, row.dimension_id),
            title=row.title,
            actions=list(row.actions),
            due=row.due,
            status=row.status,
            round=row.round,
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_update=None
            if update is None
            else UpdateView(
                note=update.note,
                status=update.status,
                at=update.at,
                author="cli" if author is None else author.user_id,
            ),
            overdue=row.status == FocusStatus.OPEN.value and row.due < today,
            stalled=None
            if stalled_after is None
            else is_stalled(row, calendar=calendar, now=now, after=stalled_after),
        )

    views = [view(r) for r in rows]
    return sorted(views, key=lambda v: v.status != FocusStatus.OPEN.value)


class FocusService(GrowthServiceBase):
    """Growth-plan focus items: candidates from the gaps, adding them, progress on them."""

    def __init__(
        self,
        *,
        stalled_after_working_days: int = STALLED_AFTER_WORKING_DAYS,
        **deps: Unpack[GrowthDeps],
    ) -> None:
        super().__init__(**deps)
        self.stalled_after = stalled_after_working_days
        # Who is asking about whom, answered as every growth view answers it.
        self.growth = GrowthService(
            db=self.db, catalog=self.catalog, clock=self.clock, admins=self.admins
        )
        self.rounds = GrowthRounds(db=self.db, catalog=self.catalog, clock=self.clock)

    # --- reading ----------------------------------------------------------------------------

    def gaps(self, *, actor: Actor, hire: str) -> Gaps:
        """The candidate focus items of the hire's latest revealed growth round (none before
        one is revealed), each with the blueprint's anchor of the next level, quoted."""
        with self.db.read() as session:
            subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
            enrollment_id = _eid(subject.enrollment)
            latest = self._latest_round(session, enrollment_id)
        loaded = subject.plan
        if latest is None:
            return Gaps(user=subject.hire.user_id, plan=loaded.plan.id, round=None, items=[])
        comparison = self.rounds.comparison(enrollment_id=enrollment_id, round=latest)
        return Gaps(
            user=subject.hire.user_id,
            plan=loaded.plan.id,
            round=latest,
            items=_gaps(comparison, loaded, self.growth),
        )

    def form(self, *, actor: Actor, hire: str) -> FocusForm:
        """What the "Choose focus items" modal offers: the rubric, the gaps to pre-fill from,
        how many items fit, and a due date :data:`SUGGESTED_WEEKS` weeks out in the hire's
        zone. Refused, as adding is, to anyone who may not change the plan."""
        gaps = self.gaps(actor=actor, hire=hire)
        with self.db.read() as session:
            subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
            _require_change(subject.relation)
            open_now = focus_repo.open_count(
                session=session, enrollment_id=_eid(subject.enrollment)
            )
        if open_now >= MAX_OPEN:
            raise Conflict(
                f"This growth plan already has {MAX_OPEN} open focus items: mark one done or "
                "dropped before choosing more."
            )
        today = hire_calendar_of(subject.hire, self.default_tz).today(self.clock.now())
        return FocusForm(
            hire=subject.hire.user_id,
            dimensions=tuple(subject.plan.plan.growth.rubric),
            gaps=gaps,
            slots=max(MAX_OPEN - open_now, 0),
            suggested_due=today + timedelta(weeks=SUGGESTED_WEEKS),
            today=today,
        )

    def list(self, *, actor: Actor, hire: str) -> FocusList:
        """The hire's focus items with their latest update and whether each has stalled."""
        now = self.clock.now()
        with self.db.read() as session:
            subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
            items = self._views(session, subject, now)
        return FocusList(
            user=subject.hire.user_id,
            plan=subject.plan.plan.id,
            items=items,
            can_change=_may_change(subject.relation),
        )

    # --- changing ---------------------------------------------------------------------------

    def add(
        self,
        *,
        actor: Actor,
        hire: str,
        dimension: str,
        title: str,
        actions: Sequence[str],
        due: date,
        round: str | None = None,
    ) -> FocusView:
        """Add a focus item to the hire's growth plan (the hire, their manager of record,
        admins). Refused, saying why, beyond :data:`MAX_OPEN` open items, for a dimension the
        rubric lacks, without 1–5 actions, or due today or earlier in the hire's zone."""
        item = NewFocus(dimension=dimension, title=title, actions=tuple(actions), due=due)
        return self.add_many(actor=actor, hire=hire, items=[item], round=round)[0]

    def add_many(
        self, *, actor: Actor, hire: str, items: Sequence[NewFocus], round: str | None = None
    ) -> builtins.list[FocusView]:
        """Add ``items`` together (the Slack modal's up to three), all or none: a refused item
        raises :class:`FocusInputError` with its ``index``."""
        now = self.clock.now()
        with self.db.transaction() as session:
            subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
            _require_change(subject.relation)
            if subject.enrollment.status == EnrollmentStatus.WITHDRAWN.value:
                raise Conflict(
                    "That plan was withdrawn, so nothing more is recorded on it; "
                    "enroll the hire again to plan their growth."
                )
            calendar = hire_calendar_of(subject.hire, self.default_tz)
            today = calendar.today(now)
            clean = [_checked(item, index, subject.plan, today) for index, item in enumerate(items)]
            enrollment_id = _eid(subject.enrollment)
            open_now = focus_repo.open_count(session=session, enrollment_id=enrollment_id)
            if open_now + len(clean) > MAX_OPEN:
                raise Conflict(
                    f"A growth plan holds at most {MAX_OPEN} open focus items and this one has "
                    f"{open_now}; mark one done or dropped first (onramp focus update ID "
                    "--status done)."
                )
            me = self.growth._me(session, actor)
            from_round = round or self._latest_round(session, enrollment_id)
            added: builtins.list[int] = []
            for dimension, item in clean:
                row = focus_repo.add_focus(
                    session=session,
                    focus=Focus(
                        enrollment_id=enrollment_id,
                        round=from_round,
                        dimension_id=dimension.id,
                        title=item.title,
                        actions=list(item.actions),
                        due=item.due,
                        status=FocusStatus.OPEN.value,
                        created_by_id=None if me is None else me.id,
                        created_at=now,
                        updated_at=now,
                    ),
                )
                added.append(_fid(row))
                repo.write_audit(
                    session=session,
                    action="focus_added",
                    actor_id=None if me is None else me.id,
                    actor_label=actor.label,
                    subject_id=subject.hire.id,
                    enrollment_id=enrollment_id,
                    # Titles and actions stay out of the audit log, as evidence text does.
                    detail={"focus": row.id, "dimension": dimension.id, "due": str(item.due)},
                    at=now,
                )
            return [v for v in self._views(session, subject, now) if v.id in added]

    def update(
        self, *, actor: Actor, focus_id: int, note: str = "", status: str | None = None
    ) -> FocusView:
        """Record progress on a focus item: a note and/or a new status (open, done, dropped).
        Allowed to the hire, their manager of record and admins; anyone else is told the item
        is not one they can see, whether or not it exists."""
        clean_note = strip_controls(strip_broadcasts(note or "")).strip()
        if len(clean_note) > NOTE_LIMIT:
            raise FocusInputError(
                "note", f"Keep the note under {NOTE_LIMIT} characters ({len(clean_note)} given)."
            )
        wanted = _status(status) if status else None
        now = self.clock.now()
        with self.db.transaction() as session:
            row = focus_repo.focus_by_id(session=session, focus_id=focus_id)
            subject_hire = self._hire_of(session, row)
            if row is None or subject_hire is None:
                raise NotFound(NOT_FOUND.format(id=focus_id))
            try:
                subject = self.growth._subject(
                    session, actor, subject_hire.user_id, permissions.Action.VIEW
                )
            except PermissionDenied:
                raise NotFound(NOT_FOUND.format(id=focus_id)) from None
            _require_change(subject.relation)
            new_status = wanted or FocusStatus(row.status)
            if not clean_note and new_status.value == row.status:
                # Nothing moved: an empty update would only re-arm the stalled nudge.
                raise FocusInputError("note", "Say what moved: add a note, a new status, or both.")
            if new_status is FocusStatus.OPEN and row.status != FocusStatus.OPEN.value:
                open_now = focus_repo.open_count(session=session, enrollment_id=row.enrollment_id)
                if open_now >= MAX_OPEN:
                    raise Conflict(
                        f"A growth plan holds at most {MAX_OPEN} open focus items; close one "
                        "before reopening this."
                    )
            me = self.growth._me(session, actor)
            focus_repo.add_update(
                session=session,
                focus=row,
                update=FocusUpdate(
                    focus_id=_fid(row),
                    author_id=None if me is None else me.id,
                    note=clean_note,
                    status=new_status.value,
                    at=now,
                ),
            )
            repo.write_audit(
                session=session,
                action="focus_updated",
                actor_id=None if me is None else me.id,
                actor_label=actor.label,
                subject_id=subject.hire.id,
                enrollment_id=row.enrollment_id,
                detail={"focus": focus_id, "status": new_status.value},
                at=now,
            )
            [view] = [v for v in self._views(session, subject, now) if v.id == focus_id]
            return view

    def item(self, *, actor: Actor, focus_id: int) -> tuple[str, FocusView]:
        """One focus item and whose it is (the hire's user id), as ``actor`` may see it."""
        with self.db.read() as session:
            row = focus_repo.focus_by_id(session=session, focus_id=focus_id)
            hire = self._hire_of(session, row)
        if row is None or hire is None:
            raise NotFound(NOT_FOUND.format(id=focus_id))
        try:
            listed = self.list(actor=actor, hire=hire.user_id)
        except PermissionDenied:
            raise NotFound(NOT_FOUND.format(id=focus_id)) from None
        found = [v for v in listed.items if v.id == focus_id]
        if not found:
            raise NotFound(NOT_FOUND.format(id=focus_id))
        return hire.user_id, found[0]

    # --- helpers ----------------------------------------------------------------------------

    def _views(
        self, session: Session, subject: _Subject, now: datetime
    ) -> builtins.list[FocusView]:
        """The subject's focus items as :func:`focus_views` shows them, stalled flag included."""
        return focus_views(
            session,
            enrollment=subject.enrollment,
            loaded=subject.plan,
            calendar=hire_calendar_of(subject.hire, self.default_tz),
            now=now,
            stalled_after=self.stalled_after,
        )

    def _hire_of(self, session: Session, row: Focus | None) -> Person | None:
        if row is None:
            return None
        enrollment = repo.get_enrollment(session=session, enrollment_id=row.enrollment_id)
        if enrollment is None:
            return None
        return repo.get_person_by_id(session=session, person_id=enrollment.hire_id)

    def _latest_round(self, session: Session, enrollment_id: int) -> str | None:
        ratings = growth_repo.assessments_of(session=session, enrollment_ids=[enrollment_id])
        if not ratings:
            return None
        shown = revealed_rounds(ratings, closing_times(session, enrollment_id), self.clock.now())
        return max(shown, key=_round_order) if shown else None


# --- the tick: stalled items ---------------------------------------------------------------


def stalled_nudges(
    session: Session,
    *,
    now: datetime,
    calendar: Callable[[str | None, str | None], LocalCalendar],
    after: Callable[[int], int],
) -> list[outbox_repo.NewRow]:
    """A ``focus_nudge`` to each mentor (else the manager) of every stalled open item on an
    active plan (``calendar``: a person's calendar from their zone and holiday country;
    ``after``: an enrollment's stall period in working days). Keyed by the item and its last
    change, so each quiet spell is told once; an update re-arms it."""
    items = focus_repo.open_items(session=session)
    if not items:
        return []
    enrollment_ids = sorted({f.enrollment_id for f in items})
    statuses = outbox_repo.enrollment_statuses(session=session, ids=enrollment_ids)
    active = [e for e in enrollment_ids if statuses.get(e) == EnrollmentStatus.ACTIVE.value]
    if not active:
        return []
    mentors = outbox_repo.mentor_pairs(session=session, enrollment_ids=active)
    managers = outbox_repo.managers_of(session=session, enrollment_ids=active)
    hires = focus_repo.hires_of(session=session, enrollment_ids=active)
    rows: list[outbox_repo.NewRow] = []
    for item in items:
        hire = hires.get(item.enrollment_id)
        if hire is None or (item.nudged_at is not None and item.nudged_at >= item.updated_at):
            continue  # told already this quiet spell (the key says so too)
        cal = calendar(hire.tz, hire.holiday_country)
        if not is_stalled(item, calendar=cal, now=now, after=after(item.enrollment_id)):
            continue
        overdue = item.due < cal.today(now)
        episode = _episode(item)
        recipients = mentors.get(item.enrollment_id) or [managers[item.enrollment_id]]
        rows += [
            outbox_repo.NewRow(
                key=f"{Kind.FOCUS_NUDGE.value}:{item.enrollment_id}:{item.id}:{episode}:to{pid}",
                kind=Kind.FOCUS_NUDGE.value,
                recipient_id=pid,
                due_at=now,
                enrollment_id=item.enrollment_id,
                payload={
                    "focus_id": item.id,
                    "reason": "overdue" if overdue else "stalled",
                    "since": cal.today(item.updated_at).isoformat(),
                },
            )
            for pid in recipients
        ]
    return rows


# --- input and output ----------------------------------------------------------------------


def _may_change(relation: Relation) -> bool:
    return relation in (Relation.HIRE, Relation.MANAGER, Relation.ADMIN)


def _require_change(relation: Relation) -> None:
    if not _may_change(relation):
        raise PermissionDenied(CANT_CHANGE.format(relation=relation.value))


def _checked(
    item: NewFocus, index: int, loaded: LoadedPlan, today: date
) -> tuple[RubricDimension, NewFocus]:
    """``item`` cleaned, with its rubric dimension; refusals carry ``index``."""
    try:
        dimension = _dimension(loaded, item.dimension)
        title = _clean(item.title, field="title", limit=TITLE_LIMIT, what="A focus item's title")
        actions = _actions(item.actions)
        _future(item.due, today)
    except FocusInputError as exc:
        raise FocusInputError(exc.field, str(exc), index=index) from None
    return dimension, NewFocus(
        dimension=dimension.id, title=title, actions=tuple(actions), due=item.due
    )


def _future(due: date, today: date) -> None:
    if due <= today:
        raise FocusInputError(
            "due",
            f"The due date must be in the future: {due.isoformat()} is not after "
            f"{today.isoformat()}, today in the hire's time zone.",
        )


def _dimension(loaded: LoadedPlan, typed: str) -> RubricDimension:
    """The rubric dimension ``typed`` names, by id or title, case-insensitively."""
    wanted = typed.strip().casefold()
    rubric = loaded.plan.growth.rubric
    for d in rubric:
        if wanted in (d.id.casefold(), d.title.casefold()):
            return d
    shown = "".join(ch for ch in typed if ch.isalnum() or ch in " -_")[:60]
    ids = ", ".join(d.id for d in rubric) or "none: this plan has no rubric"
    raise FocusInputError(
        "dimension",
        f"'{shown}' is not a rubric dimension of {loaded.plan.id}; use one of: {ids}.",
    )


def _clean(text: str, *, field: str, limit: int, what: str) -> str:
    clean = strip_controls(strip_broadcasts(text or "")).strip()
    if not clean:
        raise FocusInputError(field, f"{what} can't be empty.")
    if len(clean) > limit:
        raise FocusInputError(
            field, f"{what} is limited to {limit} characters ({len(clean)} given)."
        )
    return clean


def _actions(actions: Sequence[str]) -> list[str]:
    clean = [
        _clean(a, field="actions", limit=ACTION_LIMIT, what="An action")
        for a in actions
        if a and a.strip()
    ]
    if not 1 <= len(clean) <= MAX_ACTIONS:
        raise FocusInputError(
            "actions",
            f"A focus item needs 1 to {MAX_ACTIONS} actions, the concrete steps that will "
            f"close the gap ({len(clean)} given).",
        )
    return clean


def _status(value: str) -> FocusStatus:
    try:
        return FocusStatus(value.strip().lower())
    except ValueError:
        shown = "".join(ch for ch in value if ch.isalnum())[:20]
        raise FocusInputError(
            "status", f"'{shown}' is not a status; use open, done or dropped."
        ) from None


def _gaps(comparison: Comparison, loaded: LoadedPlan, growth: GrowthService) -> list[Gap]:
    """Dimensions below the middle level or flagged; else the lowest-rated few."""
    rubric = {d.id: d for d in loaded.plan.growth.rubric}

    def lowest(line: ComparisonLine) -> int:
        levels = [s.level for s in (line.self_side, line.manager_side) if s is not None]
        return min(levels) if levels else 0

    rated = [line for line in comparison.lines if lowest(line) and line.dimension_id in rubric]

    def middle(line: ComparisonLine) -> int:
        return (len(rubric[line.dimension_id].levels) + 1) // 2

    chosen = [
        (line, "flagged" if line.flagged else "below")
        for line in rated
        if line.flagged or lowest(line) < middle(line)
    ]
    if not chosen:
        by_level = sorted(
            rated,
            key=lambda line: (
                lowest(line),
                sum(s.level for s in (line.self_side, line.manager_side) if s is not None),
            ),
        )
        chosen = [(line, "lowest") for line in by_level[:LOWEST]]
    out = []
    for line, reason in chosen:
        d = rubric[line.dimension_id]
        step = min(lowest(line) + 1, len(d.levels))
        level = d.levels[step - 1]
        out.append(
            Gap(
                dimension_id=d.id,
                title=d.title,
                reason=reason,
                self_level=None if line.self_side is None else line.self_side.level,
                self_label=None if line.self_side is None else line.self_side.label,
                manager_level=None if line.manager_side is None else line.manager_side.level,
                manager_label=None if line.manager_side is None else line.manager_side.label,
                flagged=line.flagged,
                next_label=level.label,
                next_anchor=level.anchor,
                source=growth.cite(loaded, d.source),
            )
        )
    return out


def _round_order(ref: str) -> Offset:
    return Offset.parse(ref)


def _fid(row: Focus) -> int:
    assert row.id is not None  # noqa: S101 - rows read from or flushed to the database
    return row.id


def _eid(row: Enrollment) -> int:
    assert row.id is not None  # noqa: S101 - rows read from the database
    return row.id


def nudge_item(
    *, db: Database, catalog: PlanCatalog, row: Outbox, now: datetime, default_tz: str = "UTC"
) -> FocusView:
    """The stalled item a ``focus_nudge`` row is about, as it is now (dates in the hire's zone,
    else ``default_tz``, the workspace's), and mark it told (``nudged_at``). Raise
    :class:`NotFound` when there is nothing left to say: the item is gone, no longer open, or
    was updated since the nudge was owed (someone acted)."""
    focus_id = row.payload.get("focus_id")
    with db.transaction() as session:
        item = focus_repo.focus_by_id(session=session, focus_id=int(focus_id or 0))
        if item is None or item.status != FocusStatus.OPEN.value:
            raise NotFound("the focus item is no longer open")
        if _episode(item) not in row.key:
            raise NotFound("the focus item was updated since it stalled")
        enrollment = repo.get_enrollment(session=session, enrollment_id=item.enrollment_id)
        hire = (
            None
            if enrollment is None
            else repo.get_person_by_id(session=session, person_id=enrollment.hire_id)
        )
        if enrollment is None or hire is None:
            raise NotFound("the focus item's plan no longer exists")
        if item.nudged_at is None or item.nudged_at < item.updated_at:
            focus_repo.mark_nudged(session=session, focus_ids=[_fid(item)], at=now)
        [view] = [
            v
            for v in focus_views(
                session,
                enrollment=enrollment,
                loaded=catalog.get(enrollment.plan_id),
                calendar=hire_calendar_of(hire, default_tz),
                now=now,
            )
            if v.id == item.id
        ]
        return view


def _episode(item: Focus) -> str:
    """The moment of the item's last change, as it stands in a nudge's key."""
    return item.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
