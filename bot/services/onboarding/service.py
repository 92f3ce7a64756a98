"""Enrolling hires and tracking their milestones: the use cases behind `/onramp` and the CLI.

Every method takes keyword-only arguments, opens one unit of work, checks permissions with the
domain policy, and writes an audit row for every change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, tzinfo
from typing import Any

from sqlmodel import Session

from bot.domain import permissions
from bot.domain.dates import check_start
from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.domain.guardrails import strip_broadcasts
from bot.domain.people import UserRef, parse_user_ref
from bot.domain.plan import LoadedPlan
from bot.domain.progress import EnrollmentStatus, Lifecycle, MilestoneStatus, transition
from bot.domain.schedule import Kind, zone
from bot.domain.workdays import next_working_day
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from bot.services.onboarding.holidays import parse_holiday_country
from bot.services.onboarding.reports import Reports, export_rows, row_id
from bot.services.onboarding.views import (
    Actor,
    EnrollmentReport,
    HolidayCountry,
    Overview,
    Profile,
    ProgressChange,
    ProgressObserver,
)
from storage import focus as focus_repo
from storage import kpis as kpi_repo
from storage import one_on_ones as one_on_one_repo
from storage import outbox
from storage import repositories as repo
from storage.engine import Database
from storage.models import Enrollment, Person

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Carried:
    """What a move took from the old plan to the new one, and what it could not (the new
    plan has no such KPI, or no such rubric dimension for a focus item)."""

    one_on_one: str | None = None  # the running 1:1's recurrence ("weekly"), if one was carried
    kpis: tuple[str, ...] = ()
    kpis_left: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()  # titles of the open focus items carried
    focus_left: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The ``carried`` object of ``onramp move --json``."""
        return {
            "one_on_one": self.one_on_one,
            "kpis": list(self.kpis),
            "focus": list(self.focus),
            "not_carried": {"kpis": list(self.kpis_left), "focus": list(self.focus_left)},
        }

    def sentences(self) -> str:
        """What was carried and what was not, in words (empty when nothing was running)."""
        parts = []
        if self.one_on_one:
            parts.append(f"the {self.one_on_one} 1:1")
        if self.kpis:
            parts.append("KPIs " + ", ".join(self.kpis))
        if self.focus:
            parts.append("focus items " + ", ".join(f"“{t}”" for t in self.focus))
        said = f"Carried to the new plan: {'; '.join(parts)}." if parts else ""
        left = [f"KPI {k}" for k in self.kpis_left]
        left += [f"focus item “{t}”" for t in self.focus_left]
        if left:
            said += (
                f"{' ' if said else ''}Not carried (the new plan has no such KPI or rubric "
                f"dimension; they stay on the old plan): {', '.join(left)}."
            )
        return said


@dataclass(frozen=True)
class MovedReport(EnrollmentReport):
    """The new plan's report after a move, with what was carried over to it."""

    carried: Carried = field(default_factory=Carried)

    def as_json(self) -> dict[str, Any]:
        """``onramp progress --json``'s shape plus ``carried``."""
        return {**super().as_json(), "carried": self.carried.as_json()}


@dataclass(kw_only=True, eq=False)
class Onboarding:
    """Enrollments, milestone progress and reports."""

    db: Database
    catalog: PlanCatalog
    clock: Clock
    admins: frozenset[str] = frozenset()
    default_tz: str = "UTC"
    #: The workspace's holiday country (``checkins.holiday_country``) for people without one.
    holiday_country: str | None = None
    #: Told after each committed progress change; the composition root appends to it.
    observers: list[ProgressObserver] = field(default_factory=list)
    #: Queue the hire's "you're on the plan" DM with each enrollment: set when Slack is
    #: configured (a token for the CLI, always in ``onramp serve``), so nothing waits
    #: in the outbox of a server that can't send it.
    greet_hires: bool = False
    reports: Reports = field(init=False)

    def __post_init__(self) -> None:
        self.observers = list(self.observers)  # the caller's sequence stays as it was
        self.reports = Reports(
            catalog=self.catalog,
            clock=self.clock,
            default_tz=self.default_tz,
            holiday_country=self.holiday_country,
        )

    # --- people -----------------------------------------------------------------------------

    def ensure_person(self, *, profile: Profile) -> None:
        """Create or refresh a person from what the adapter learned (name, time zone)."""
        with self.db.transaction() as session:
            self._person(session, profile, create=True)

    def set_holiday_country(
        self, *, actor: Actor, country: str, person: str | None = None
    ) -> HolidayCountry:
        """Set whose public holidays ``person``'s check-ins skip (``none``/``default`` clears it).

        ``country`` is an ISO code the ``holidays`` package knows (``US``, ``DE-BY``). Allowed
        to the person themself, the manager of record of their latest plan, and admins;
        ``person`` defaults to the actor. Already-queued check-ins keep their time; the next
        ones follow the new calendar.
        """
        wanted = parse_holiday_country(country)
        with self.db.transaction() as session:
            target = self._calendar_target(session, actor, person)
            result = HolidayCountry(
                user_id=target.user_id, country=wanted, previous=target.holiday_country
            )
            if result.changed:
                # updated_at stays: it dates the Slack profile for the weekly refresh.
                target.holiday_country = wanted
                session.add(target)
                self._audit(
                    session,
                    actor,
                    "holiday_country",
                    subject=target,
                    detail={"from": result.previous, "to": wanted},
                    at=self.clock.now(),
                )
            return result

    def holiday_setting(self, *, actor: Actor, person: str | None = None) -> HolidayCountry:
        """``person``'s holiday country as it is (``None``: the workspace default applies), for
        the people who may change it (:meth:`set_holiday_country`); unchanged, so ``previous``
        is the same."""
        with self.db.transaction() as session:  # the caller's own row may be created
            target = self._calendar_target(session, actor, person)
            current = target.holiday_country
            return HolidayCountry(user_id=target.user_id, country=current, previous=current)

    def _calendar_target(self, session: Session, actor: Actor, person: str | None) -> Person:
        """Whose calendar ``person`` names, if the actor may change it (else the refusal)."""
        target = self._calendar_subject(session, actor, person)
        # Through their latest plan, if they have one; nobody manages them otherwise.
        latest = repo.latest_enrollment(session=session, hire_id=row_id(target))
        relation = self._relation(session, actor, latest, target)
        permissions.require(relation, permissions.Action.CALENDAR)
        return target

    def _calendar_subject(self, session: Session, actor: Actor, person: str | None) -> Person:
        if person is None:
            if actor.user_id is None:
                raise InvalidInput(
                    "Name the person: onramp people set USER --holiday-country CODE."
                )
            person = actor.user_id
        ref = parse_user_ref(person)
        if actor.user_id is not None and ref.user_id == actor.user_id:
            return self._person(session, ref, create=True)  # anyone may set their own
        try:
            return self._person(session, ref, create=False)
        except NotFound:
            me = repo.get_person(session=session, user_id=actor.user_id) if actor.user_id else None
            if self._is_admin(actor, me):
                raise
            # Don't reveal whether a stranger exists: refuse as for someone else's hire.
            relation = permissions.Relation.OTHER
            raise permissions.refusal(relation, permissions.Action.CALENDAR) from None

    def _person(self, session: Session, ref: str | UserRef | Profile, *, create: bool) -> Person:
        if isinstance(ref, Profile):
            return repo.upsert_person(
                session=session,
                user_id=ref.user_id,
                display_name=ref.display_name,
                tz=ref.tz,
                team_id=ref.team_id,
                at=self.clock.now(),
            )
        parsed = parse_user_ref(ref) if isinstance(ref, str) else ref
        if parsed.user_id:
            person = repo.get_person(session=session, user_id=parsed.user_id)
            if person is None and create:
                person = repo.upsert_person(
                    session=session,
                    user_id=parsed.user_id,
                    display_name=parsed.name,
                    at=self.clock.now(),
                )
        else:
            assert parsed.name is not None  # noqa: S101 - parse_user_ref gives one or the other
            by_name = repo.find_people_by_name(session=session, name=parsed.name)
            person = by_name[0] if len(by_name) == 1 else None
            if len(by_name) > 1:
                raise InvalidInput(
                    f"More than one person is called @{parsed.name}; use their Slack user id."
                )
            if person is None:
                person = repo.get_person(session=session, user_id=parsed.name)
            if person is None and create:
                person = repo.upsert_person(
                    session=session, user_id=parsed.name, at=self.clock.now()
                )
        if person is None:
            raise NotFound(f"Onramp doesn't know {parsed.text} yet; enroll them first.")
        return person

    def _is_admin(self, actor: Actor, person: Person | None) -> bool:
        if actor.operator:
            return True
        return actor.user_id in self.admins or bool(person is not None and person.is_admin)

    # --- enrollment -------------------------------------------------------------------------

    def enroll(
        self,
        *,
        actor: Actor,
        hire: str | Profile,
        plan_id: str | None = None,
        start: date | None = None,
        manager: str | Profile | None = None,
        mentors: Sequence[str | Profile] = (),
    ) -> EnrollmentReport:
        """Put a hire on a plan. The actor becomes manager of record unless one is given."""
        if plan_id is None:
            plan_id = self.catalog.default_id()
            if plan_id is None:
                raise InvalidInput(
                    "Choose a plan with plan=ID; available: " + ", ".join(self.catalog.ids())
                )
        loaded = self.catalog.get(plan_id)
        with self.db.transaction() as session:
            hire_person = self._person(session, hire, create=True)
            if manager is None:
                if actor.user_id is None:
                    raise InvalidInput("Name the hire's manager with --manager USER.")
                manager = actor.user_id
            manager_person = self._person(session, manager, create=True)
            mentor_people = [self._person(session, m, create=True) for m in mentors]
            if manager_person.id == hire_person.id:
                raise InvalidInput(
                    "A hire can't be their own manager; name someone else as manager."
                )
            if any(m.id == hire_person.id for m in mentor_people):
                raise InvalidInput("A hire can't mentor themself; choose another mentor.")
            if any(m.id == manager_person.id for m in mentor_people):
                # Mentor nudges exist to reach someone other than the manager; one person in
                # both roles would get every nudge and escalation twice.
                raise InvalidInput(
                    f"<@{manager_person.user_id}> is the manager of record, so they can't also "
                    "be the mentor; name another mentor, or leave the mentor out."
                )
            mentor_people = list({row_id(m): m for m in mentor_people}.values())  # named twice
            existing = repo.open_enrollment(session=session, hire_id=row_id(hire_person))
            if existing is not None:
                relation = self._relation(session, actor, existing, hire_person)
                if not permissions.allowed(relation, permissions.Action.VIEW):
                    # Say no more than that a plan exists: its details are not this actor's.
                    raise Conflict(
                        f"<@{hire_person.user_id}> already has an open Onramp plan; "
                        "ask their manager if it should change."
                    )
                raise Conflict(
                    f"<@{hire_person.user_id}> is already enrolled in {existing.plan_id} "
                    f"(since {existing.start_date:%Y-%m-%d}, {existing.status}). Complete or "
                    "withdraw that plan before starting another."
                )
            today = self.reports.today(hire_person)
            if start is None:
                start = next_working_day(today, self.reports.holidays(hire_person))
            else:
                # Operators may backfill plans begun up to five years ago; in Slack it's a typo.
                check_start(start, today=today, backfill=actor.operator)
            enrollment = Enrollment(
                hire_id=row_id(hire_person),
                manager_id=row_id(manager_person),
                plan_id=loaded.plan.id,
                plan_version=loaded.plan.version,
                plan_hash=loaded.content_hash,
                start_date=start,
                status=EnrollmentStatus.ACTIVE.value,
            )
            repo.add_enrollment(
                session=session,
                enrollment=enrollment,
                mentor_ids=[row_id(m) for m in mentor_people],
            )
            self._audit(
                session,
                actor,
                "enroll",
                subject=hire_person,
                enrollment=enrollment,
                detail={
                    "plan": loaded.plan.id,
                    "version": loaded.plan.version,
                    "hash": loaded.content_hash,
                    "start": start.isoformat(),
                    "manager": manager_person.user_id,
                    "mentors": [m.user_id for m in mentor_people],
                },
                at=self.clock.now(),
            )
            if self.greet_hires:
                self._queue_enrolled_dm(session, enrollment)
            return self.reports.one(session, enrollment, hire_person)

    def _queue_enrolled_dm(self, session: Session, enrollment: Enrollment) -> None:
        """Owe the hire the "you're on the plan" DM, in the enrollment's own transaction: it
        exists exactly when the enrollment does, and its key (one per enrollment) keeps it
        single. The check-in tick sends it in the hire's next send window."""
        now = self.clock.now()
        outbox.insert_new(
            session=session,
            rows=[
                outbox.NewRow(
                    key=f"{Kind.ENROLLED.value}:{row_id(enrollment)}",
                    kind=Kind.ENROLLED.value,
                    recipient_id=enrollment.hire_id,
                    due_at=now,
                    enrollment_id=row_id(enrollment),
                    payload={},
                )
            ],
            now=now,
        )

    def mark(
        self,
        *,
        actor: Actor,
        milestone_id: str,
        status: MilestoneStatus | str,
        note: str | None = None,
        hire: str | None = None,
        source: str = "cli",
    ) -> EnrollmentReport:
        """Set a milestone's status (with an optional note) on the hire's open plan.

        ``hire`` defaults to the actor themself. ``milestone_id`` is matched as typed (any case,
        ``_`` or spaces for ``-``, in backticks); a near miss is refused with the likely ids.
        Broadcast mentions (``<!channel>``, ``@here``) are removed from the note.
        """
        if isinstance(status, str):
            status = MilestoneStatus.parse(status)
        note = _clean_note(note)
        with self.db.transaction() as session:
            hire_person, enrollment, relation = self._open_for(
                session, actor, hire, _stranger(permissions.Action.MARK)
            )
            permissions.require(relation, permissions.Action.MARK)
            loaded = self.reports.plan_of(enrollment)
            found = loaded.plan.milestone(milestone_id)
            if found is None:
                raise NotFound(_unknown_milestone(milestone_id, loaded))
            milestone_id = found[1].id
            states = repo.milestone_states(session=session, enrollment_id=row_id(enrollment))
            previous = MilestoneStatus(
                states[milestone_id].status if milestone_id in states else "not_started"
            )
            now = self.clock.now()
            repo.record_progress(
                session=session,
                enrollment_id=row_id(enrollment),
                milestone_id=milestone_id,
                status=status.value,
                note=note,
                actor_id=self._actor_id(session, actor),
                actor_label=actor.label,
                source=source,
                at=now,
            )
            if actor.user_id == hire_person.user_id:
                enrollment.last_activity_at = now
            enrollment.updated_at = now
            session.add(enrollment)
            self._audit(
                session,
                actor,
                "mark",
                subject=hire_person,
                enrollment=enrollment,
                detail={"milestone": milestone_id, "from": previous.value, "to": status.value},
                at=now,
            )
            report = self.reports.one(session, enrollment, hire_person)
        self._notify(
            ProgressChange(
                enrollment_id=report.enrollment_id,
                hire_user_id=report.hire.user_id,
                milestone_id=milestone_id,
                previous=previous,
                status=status,
                note=note,
                actor=actor,
                at=now,
            )
        )
        return report

    def change(
        self,
        *,
        actor: Actor,
        hire: str,
        action: Lifecycle | str,
        enrollment_id: int | None = None,
    ) -> EnrollmentReport:
        """Pause, resume, complete or withdraw the hire's open plan (manager or admin).

        ``enrollment_id`` names the plan (a confirmation button carries the plan it asked
        about): once that plan is no longer open, :class:`Conflict` says it was already done,
        and a newer plan of the hire's is never touched.
        """
        action = _lifecycle(action)
        with self.db.transaction() as session:
            hire_person, enrollment, new = self._changeable(
                session, actor, hire, action, enrollment_id
            )
            now = self.clock.now()
            previous = enrollment.status
            enrollment.status = new.value
            enrollment.updated_at = now
            if not new.open:
                enrollment.ended_at = now
            session.add(enrollment)
            self._audit(
                session,
                actor,
                action.value,
                subject=hire_person,
                enrollment=enrollment,
                detail={"from": previous, "to": new.value},
                at=now,
            )
            return self.reports.one(session, enrollment, hire_person)

    def check_change(self, *, actor: Actor, hire: str, action: Lifecycle | str) -> EnrollmentReport:
        """The hire's open plan if :meth:`change` would ``action`` it now, changing nothing
        (what a confirmation asks about); refused, or in conflict, exactly as :meth:`change`."""
        action = _lifecycle(action)
        with self.db.read() as session:
            hire_person, enrollment, _new = self._changeable(session, actor, hire, action, None)
            return self.reports.one(session, enrollment, hire_person)

    def move(
        self,
        *,
        actor: Actor,
        hire: str,
        plan_id: str,
        start: date | None = None,
        reason: str | None = None,
    ) -> MovedReport:
        """Move the hire to another plan (manager of record or admin): their open plan is
        closed as completed, the move and its reason written to the audit log, and a plan on
        ``plan_id`` starts (``start``, else today in the hire's zone) with the same manager and
        mentors. Nothing of the old plan is deleted: evidence belongs to the hire, and the old
        enrollment keeps its milestones, check-ins and ratings (docs/growth.md "After month 12").
        In the same transaction the running 1:1, the KPI picks the new plan has and the open
        focus items on its rubric's dimensions move with the hire (:class:`Carried` says what
        did and what could not).
        """
        plans = ", ".join(self.catalog.ids())
        with self.db.transaction() as session:
            refused = _stranger(permissions.Action.MANAGE, verb="move")
            hire_person, old, relation = self._open_for(session, actor, hire, refused)
            permissions.require(relation, permissions.Action.MANAGE, verb="move")
            if plan_id not in self.catalog.ids():
                raise InvalidInput(f"There is no plan {plan_id!r}; the plans are: {plans}.")
            if plan_id == old.plan_id:
                others = ", ".join(i for i in self.catalog.ids() if i != plan_id) or "none"
                raise Conflict(
                    f"<@{hire_person.user_id}> is already on {plan_id}; nothing changed. "
                    f"Move them to another plan: {others}."
                )
            loaded = self.catalog.get(plan_id)
            today = self.reports.today(hire_person)
            start = start or today
            check_start(start, today=today, backfill=actor.operator)
            now = self.clock.now()
            previous = old.status
            old.status = EnrollmentStatus.COMPLETED.value
            old.updated_at = now
            old.ended_at = now
            session.add(old)
            session.flush()  # the old plan is closed before the new one holds the hire
            mentor_ids = repo.mentor_ids(session=session, enrollment_id=row_id(old))
            moved = Enrollment(
                hire_id=row_id(hire_person),
                manager_id=old.manager_id,
                plan_id=loaded.plan.id,
                plan_version=loaded.plan.version,
                plan_hash=loaded.content_hash,
                start_date=start,
                status=EnrollmentStatus.ACTIVE.value,
            )
            repo.add_enrollment(session=session, enrollment=moved, mentor_ids=mentor_ids)
            carried, ids = _carry(session, old, moved, loaded, now)
            detail = {
                "from": previous,
                "to": EnrollmentStatus.COMPLETED.value,
                "from_plan": old.plan_id,
                "to_plan": loaded.plan.id,
                "from_enrollment": old.id,
                "to_enrollment": moved.id,
                "start": start.isoformat(),
                "reason": _clean_note(reason) or f"moved to {loaded.plan.id}",
                **ids,
            }
            for enrollment in (old, moved):
                self._audit(
                    session,
                    actor,
                    "move",
                    subject=hire_person,
                    enrollment=enrollment,
                    detail=detail,
                    at=now,
                )
            if self.greet_hires:
                self._queue_enrolled_dm(session, moved)
            report = self.reports.one(session, moved, hire_person)
            values = {f.name: getattr(report, f.name) for f in fields(report)}
            return MovedReport(**values, carried=carried)

    def _changeable(
        self,
        session: Session,
        actor: Actor,
        hire: str,
        action: Lifecycle,
        enrollment_id: int | None,
    ) -> tuple[Person, Enrollment, EnrollmentStatus]:
        """The hire, the plan ``action`` would change and its new status, once the actor may."""
        refused = _stranger(permissions.Action.MANAGE, verb=action.value)
        if enrollment_id is None:
            hire_person, enrollment, relation = self._open_for(session, actor, hire, refused)
        else:
            hire_person = self._subject(session, actor, hire, refused)
            found = repo.get_enrollment(session=session, enrollment_id=enrollment_id)
            if found is None or found.hire_id != hire_person.id:
                raise refused  # a tampered button: nothing to learn from it
            enrollment = found
            relation = self._relation(session, actor, enrollment, hire_person)
        permissions.require(relation, permissions.Action.MANAGE, verb=action.value)
        if not EnrollmentStatus(enrollment.status).open:
            raise Conflict(
                f"Already done: the plan of <@{hire_person.user_id}> you asked about is "
                f"{enrollment.status}, so nothing changed. `/onramp progress "
                f"<@{hire_person.user_id}>` shows where it stands."
            )
        return hire_person, enrollment, transition(EnrollmentStatus(enrollment.status), action)

    # --- reports ----------------------------------------------------------------------------

    def progress(
        self, *, actor: Actor, hire: str | None = None, as_of: date | None = None
    ) -> EnrollmentReport:
        """The hire's open plan (else their latest one), if the actor may see it.

        ``as_of`` places the plan on that day instead of today in the hire's zone: the day
        number, the current phase and what is overdue then (statuses are those recorded now).
        """
        with self.db.read() as session:
            refused = _stranger(permissions.Action.VIEW)
            hire_person = self._subject(session, actor, hire, refused)
            enrollment = repo.latest_enrollment(session=session, hire_id=row_id(hire_person))
            if enrollment is None:
                raise self._not_enrolled(actor, hire_person, refused)
            relation = self._relation(session, actor, enrollment, hire_person)
            permissions.require(relation, permissions.Action.VIEW)
            report = self.reports.one(session, enrollment, hire_person, as_of=as_of)
            return replace(
                report, last_checkin=self.reports.last_checkin(session, enrollment, hire_person)
            )

    def team(self, *, actor: Actor) -> list[EnrollmentReport]:
        """Open plans the actor is the manager of record of (being an admin adds none)."""
        return self._looked_after(actor, manager=True)

    def mentees(self, *, actor: Actor) -> list[EnrollmentReport]:
        """Open plans the actor mentors."""
        return self._looked_after(actor, manager=False)

    def _looked_after(self, actor: Actor, *, manager: bool) -> list[EnrollmentReport]:
        """Open plans the actor is the manager of record of (``manager``), else mentors."""
        with self.db.read() as session:
            me = self._me(session, actor)
            if me is None:
                return []
            plans = repo.enrollments_where(
                session=session,
                manager_id=me.id if manager else None,
                mentor_id=None if manager else me.id,
            )
            return self.reports.many(session, plans)

    def overview(self, *, actor: Actor) -> Overview:
        """The open plans the actor manages and mentors, and for admins (and the operator)
        every other open plan; a plan shows once, under the closest relation."""
        with self.db.read() as session:
            me = self._me(session, actor)
            admin = self._is_admin(actor, me)
            if me is None and not admin:
                return Overview()
            managed, mentored = [], []
            if me is not None:
                managed = list(repo.enrollments_where(session=session, manager_id=me.id))
                mentored = list(repo.enrollments_where(session=session, mentor_id=me.id))
            seen = {row_id(e) for e in managed}
            mentored = [e for e in mentored if row_id(e) not in seen]
            seen |= {row_id(e) for e in mentored}
            everyone = repo.enrollments_where(session=session) if admin else []
            others = [e for e in everyone if row_id(e) not in seen]
            reports = iter(self.reports.many(session, [*managed, *mentored, *others]))
            return Overview(
                managed=tuple(next(reports) for _ in managed),
                mentored=tuple(next(reports) for _ in mentored),
                others=tuple(next(reports) for _ in others),
            )

    def local_zone(self, *, actor: Actor) -> tzinfo:
        """The actor's time zone as Slack gave it, else the workspace default."""
        with self.db.read() as session:
            me = self._me(session, actor)
        return zone(me.tz if me is not None else None, self.default_tz)

    def own(self, *, actor: Actor) -> EnrollmentReport | None:
        """The actor's own open (else latest) plan, or ``None`` when they have none."""
        if actor.user_id is None:
            return None
        with self.db.read() as session:
            me = repo.get_person(session=session, user_id=actor.user_id)
            if me is None:
                return None
            enrollment = repo.latest_enrollment(session=session, hire_id=row_id(me))
            return None if enrollment is None else self.reports.one(session, enrollment, me)

    def export(self) -> list[dict[str, Any]]:
        """One row per enrollment and milestone (operator export)."""
        with self.db.read() as session:
            enrollments = repo.all_enrollments(session=session)
            reports = self.reports.many(session, enrollments)
        return export_rows(reports)

    # --- helpers ----------------------------------------------------------------------------

    def _actor_id(self, session: Session, actor: Actor) -> int | None:
        if actor.user_id is None:
            return None
        person = repo.get_person(session=session, user_id=actor.user_id)
        return None if person is None else person.id

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        *,
        subject: Person,
        detail: dict[str, Any],
        at: datetime,
        enrollment: Enrollment | None = None,
    ) -> None:
        repo.write_audit(
            session=session,
            action=action,
            actor_id=self._actor_id(session, actor),
            actor_label=actor.label,
            subject_id=subject.id,
            enrollment_id=None if enrollment is None else enrollment.id,
            detail=detail,
            at=at,
        )

    def _me(self, session: Session, actor: Actor) -> Person | None:
        if actor.user_id is None:
            return None
        return repo.get_person(session=session, user_id=actor.user_id)

    def _subject(
        self, session: Session, actor: Actor, hire: str | None, refused: PermissionDenied
    ) -> Person:
        """The person ``hire`` names (default: the actor); ``refused`` (the stranger's refusal
        of what is being tried) when they are unknown, so that reads as for a known hire."""
        if hire is None:
            if actor.user_id is None:
                raise InvalidInput("Name the hire: onramp progress USER.")
            hire = actor.user_id
        try:
            return self._person(session, hire, create=False)
        except NotFound:
            if actor.operator:
                raise
            raise refused from None

    def _not_enrolled(self, actor: Actor, hire: Person, refused: PermissionDenied) -> Exception:
        if actor.user_id == hire.user_id:
            return NotFound("You're not on an Onramp plan yet; ask your manager to enroll you.")
        if actor.operator:
            return NotFound(f"<@{hire.user_id}> has no Onramp plan.")
        return refused

    def _open_for(
        self, session: Session, actor: Actor, hire: str | None, refused: PermissionDenied
    ) -> tuple[Person, Enrollment, permissions.Relation]:
        """The hire's open plan; ``refused`` for anyone who may not see it, so a stranger hears
        the same whether the hire is unknown, has a plan or had one."""
        hire_person = self._subject(session, actor, hire, refused)
        enrollment = repo.open_enrollment(session=session, hire_id=row_id(hire_person))
        if enrollment is None:
            latest = repo.latest_enrollment(session=session, hire_id=row_id(hire_person))
            if latest is None:
                raise self._not_enrolled(actor, hire_person, refused)
            relation = self._relation(session, actor, latest, hire_person)
            if not permissions.allowed(relation, permissions.Action.VIEW):
                raise refused
            if relation is permissions.Relation.HIRE:
                raise Conflict(
                    f"Your Onramp plan was {latest.status}, so nothing can change on it now; "
                    "ask your manager if you should be enrolled again."
                )
            raise Conflict(
                f"The plan of <@{hire_person.user_id}> is {latest.status}; "
                "nothing can change on it now."
            )
        return hire_person, enrollment, self._relation(session, actor, enrollment, hire_person)

    def _relation(
        self, session: Session, actor: Actor, enrollment: Enrollment | None, hire: Person
    ) -> permissions.Relation:
        """How the actor relates to ``hire`` through ``enrollment`` (no manager or mentors
        when there is none)."""
        if actor.operator:
            return permissions.Relation.ADMIN
        assert actor.user_id is not None  # noqa: S101 - only operators have no user id
        me = repo.get_person(session=session, user_id=actor.user_id)
        manager: str | None = None
        mentors: set[str] = set()
        if enrollment is not None:
            mentor_ids = repo.mentor_ids(session=session, enrollment_id=row_id(enrollment))
            people = repo.people_by_ids(session=session, ids=[enrollment.manager_id, *mentor_ids])
            manager = people[enrollment.manager_id].user_id
            mentors = {people[i].user_id for i in mentor_ids}
        return permissions.relation_of(
            actor=actor.user_id,
            hire=hire.user_id,
            manager=manager,
            mentors=mentors,
            is_admin=self._is_admin(actor, me),
        )

    def _notify(self, change: ProgressChange) -> None:
        for observer in self.observers:
            observer.progress_changed(change)


def _lifecycle(action: Lifecycle | str) -> Lifecycle:
    if isinstance(action, Lifecycle):
        return action
    try:
        return Lifecycle(action)
    except ValueError:
        valid = ", ".join(a.value for a in Lifecycle)
        raise InvalidInput(f"'{action}' is not an action; use one of: {valid}") from None


def _stranger(action: permissions.Action, *, verb: str | None = None) -> PermissionDenied:
    """How a stranger is refused ``action``: the same words whatever exists."""
    return permissions.refusal(permissions.Relation.OTHER, action, verb=verb)


def _clean_note(note: str | None) -> str | None:
    """The note as saved: no broadcast mentions (a note is shown in Home, nudges and digests,
    where one must never ping a channel), trimmed, ``None`` when nothing is left."""
    if note is None:
        return None
    note = strip_broadcasts(note).strip()
    if not note:
        return None
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"Notes are limited to {NOTE_LIMIT} characters; shorten it.")
    return note


def _unknown_milestone(milestone_id: str, loaded: LoadedPlan) -> str:
    shown = re.sub(r"[^\w -]", "", milestone_id)[:60]  # no markup or mentions echoed back
    close = loaded.plan.closest_milestones(milestone_id)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return (
        f"There is no milestone '{shown}' in {loaded.plan.id}.{hint} See the ids with "
        "`/onramp me` (a hire's: `/onramp progress @hire`) or `onramp plans show`."
    )


def _carry(
    session: Session, old: Enrollment, moved: Enrollment, loaded: LoadedPlan, now: datetime
) -> tuple[Carried, dict[str, Any]]:
    """Carry ``old``'s running 1:1, current KPI picks (those ``loaded`` has) and open focus
    items (on ``loaded``'s rubric dimensions) to ``moved``: what was carried, and the audit
    detail of it (ids only)."""
    old_id, new_id = row_id(old), row_id(moved)
    one = one_on_one_repo.carry_one_on_one(
        session=session, from_enrollment=old_id, to_enrollment=new_id, at=now
    )
    picks = kpi_repo.selected(session=session, enrollment_ids=[old_id])
    kpi_ids = {k.id for k in loaded.plan.kpis}
    kpis = [p.kpi_id for p in picks if p.kpi_id in kpi_ids]
    kpis_left = [p.kpi_id for p in picks if p.kpi_id not in kpi_ids]
    if kpis:
        kpi_repo.reselect(
            session=session,
            enrollment_id=new_id,
            kpi_ids=kpis,
            by_id=picks[0].selected_by_id,
            at=now,
        )
    dimensions = {d.id for d in loaded.plan.growth.rubric}
    items = focus_repo.focus_of(session=session, enrollment_ids=[old_id], statuses=["open"])
    focus = [f for f in items if f.dimension_id in dimensions]
    focus_left = [f for f in items if f.dimension_id not in dimensions]
    focus_ids = [f.id for f in focus if f.id is not None]
    focus_repo.reassign(session=session, focus_ids=focus_ids, enrollment_id=new_id)
    carried = Carried(
        one_on_one=None if one is None else one.every,
        kpis=tuple(kpis),
        kpis_left=tuple(kpis_left),
        focus=tuple(f.title for f in focus),
        focus_left=tuple(f.title for f in focus_left),
    )
    detail: dict[str, Any] = {
        "carried": {
            "one_on_one": None if one is None else one.id,
            "kpis": kpis,
            "focus": focus_ids,
        },
        "not_carried": {"kpis": kpis_left, "focus": [f.id for f in focus_left]},
    }
    return carried, detail
