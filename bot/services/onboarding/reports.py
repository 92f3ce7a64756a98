"""Progress reports: each enrollment placed on its hire's calendar, as every surface shows it.

:class:`Reports` turns enrollments (read in the caller's unit of work) into
:class:`~.views.EnrollmentReport` s — people, plan, statuses and the day the hire is on, counted
in their zone and skipping their public holidays exactly as the check-in tick does — in a
fixed number of queries however many there are. :func:`export_rows` flattens reports for the
operator's export.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.domain.errors import InvalidInput
from bot.domain.later import later_phases
from bot.domain.plan import LoadedPlan
from bot.domain.progress import EnrollmentStatus, MilestoneStatus, summarize
from bot.domain.schedule import Kind, known_zone, public_holidays, zone
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from bot.services.onboarding.views import EnrollmentReport, LastCheckin, PersonView
from storage import outbox
from storage import repositories as repo
from storage.models import Enrollment, Person


@dataclass(kw_only=True, eq=False)
class Reports:
    """Builds :class:`EnrollmentReport` s and reads the calendars they are counted in."""

    catalog: PlanCatalog
    clock: Clock
    default_tz: str
    #: The workspace's holiday country, for people without one.
    holiday_country: str | None

    def holidays(self, person: Person) -> Container[date]:
        """The public holidays ``person``'s plan skips, exactly as the check-in tick reads them."""
        try:
            return public_holidays(person.holiday_country or self.holiday_country)
        except InvalidInput:
            return public_holidays(None)  # the tick reads an unknown code as weekends only

    def today(self, person: Person) -> date:
        """Today in ``person``'s zone."""
        # schedule.zone falls back to the workspace default for a zone tzdata doesn't know.
        return self.clock.now().astimezone(zone(person.tz, self.default_tz)).date()

    def plan_of(self, enrollment: Enrollment) -> LoadedPlan:
        """The plan ``enrollment`` follows."""
        return self.catalog.get(enrollment.plan_id)

    def one(
        self, session: Session, enrollment: Enrollment, hire: Person, as_of: date | None = None
    ) -> EnrollmentReport:
        """The report of ``enrollment``, whose hire is ``hire`` (see :meth:`many`)."""
        return self.many(session, [enrollment], known={row_id(hire): hire}, as_of=as_of)[0]

    def many(
        self,
        session: Session,
        enrollments: Sequence[Enrollment],
        known: dict[int, Person] | None = None,
        as_of: date | None = None,
    ) -> list[EnrollmentReport]:
        """One report per enrollment, in order (``known``: people already read; ``as_of``: the
        day to place the plans on instead of today in each hire's zone)."""
        ids = [row_id(e) for e in enrollments]
        mentors = repo.mentors_by_enrollment(session=session, enrollment_ids=ids)
        states = repo.states_for(session=session, enrollment_ids=ids)
        wanted = {e.hire_id for e in enrollments} | {e.manager_id for e in enrollments}
        wanted |= {m for ms in mentors.values() for m in ms}
        people = dict(known or {})
        people.update(repo.people_by_ids(session=session, ids=wanted - set(people)))
        reports = []
        for enrollment in enrollments:
            loaded = self.plan_of(enrollment)
            hire = people[enrollment.hire_id]
            current = {
                m: (MilestoneStatus(s.status), s.note)
                for m, s in states[row_id(enrollment)].items()
            }
            reports.append(
                EnrollmentReport(
                    enrollment_id=row_id(enrollment),
                    hire=_view(hire),
                    manager=_view(people[enrollment.manager_id]),
                    mentors=tuple(_view(people[m]) for m in mentors[row_id(enrollment)]),
                    plan=loaded,
                    plan_version=enrollment.plan_version,
                    status=EnrollmentStatus(enrollment.status),
                    start=enrollment.start_date,
                    summary=summarize(
                        holidays=self.holidays(hire),
                        plan=loaded.plan,
                        start=enrollment.start_date,
                        today=as_of or self.today(hire),
                        states=current,
                    ),
                    last_mood=enrollment.last_mood,
                    later=later_phases(
                        loaded.plan,
                        start=enrollment.start_date,
                        today=as_of or self.today(hire),
                        holidays=self.holidays(hire),
                    ),
                    unknown_zone=hire.tz if hire.tz and not known_zone(hire.tz) else None,
                    zone=hire.tz if hire.tz and known_zone(hire.tz) else self.default_tz,
                )
            )
        return reports

    def last_checkin(
        self, session: Session, enrollment: Enrollment, hire: Person
    ) -> LastCheckin | None:
        """The latest pulse or review the hire answered with a mood or a note (milestone
        statuses alone show on the plan itself). A reminder's answer is stored on the check-in
        it reminds of, so reminders are not read twice."""
        kinds = [Kind.PULSE.value, Kind.REVIEW.value]
        for row in outbox.latest_answered(
            session=session, enrollment_id=row_id(enrollment), kinds=kinds
        ):
            answer = row.answer or {}
            mood, note = answer.get("mood"), answer.get("note")
            if (mood or note) and row.answered_at is not None:
                return LastCheckin(
                    on=row.answered_at.astimezone(zone(hire.tz, self.default_tz)).date(),
                    mood=mood if isinstance(mood, str) else None,
                    note=note if isinstance(note, str) else None,
                )
        return None


def export_rows(reports: Iterable[EnrollmentReport]) -> list[dict[str, Any]]:
    """One row per enrollment and milestone (the operator's export)."""
    rows: list[dict[str, Any]] = []
    for report in reports:
        for phase in report.summary.phases:
            for milestone in phase.milestones:
                rows.append(
                    {
                        "enrollment": report.enrollment_id,
                        "hire": report.hire.user_id,
                        "hire_name": report.hire.name,
                        "plan": report.plan.plan.id,
                        "plan_version": report.plan_version,
                        "status": report.status.value,
                        "start": report.start.isoformat(),
                        "manager": report.manager.user_id,
                        "mentors": " ".join(m.user_id for m in report.mentors),
                        "phase": phase.id,
                        "due": phase.due.isoformat(),
                        "milestone": milestone.id,
                        "milestone_status": milestone.status.value,
                        "note": milestone.note or "",
                    }
                )
    return rows


def row_id(row: Person | Enrollment) -> int:
    """The id of a row read from (or flushed to) the database."""
    assert row.id is not None  # noqa: S101 - rows read from or flushed to the database have ids
    return row.id


def _view(person: Person) -> PersonView:
    return PersonView(user_id=person.user_id, name=person.display_name or person.user_id)
