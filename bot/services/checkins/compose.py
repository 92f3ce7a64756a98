"""Composing messages: what an outbox row says, read from the data as it is *now*.

A late or re-rendered message is therefore still accurate: a review lists the phase's
milestones with their current statuses, a reminder repeats the check-in it reminds of, a
nudge names the blocked milestone (or the pulse's mood as it stands), a digest lists the active
hires of a mentor or a manager, a growth check-in its rater's form and a reveal the round's
side-by-side (both from :mod:`bot.services.growth_rounds`). A row whose subject is gone raises
:class:`NotFound`, which the sender records as the reason the row was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.domain.errors import NotFound
from bot.domain.progress import MilestoneStatus
from bot.domain.schedule import Kind, LocalCalendar
from bot.services.checkins.derive import Calendars, parse_time
from bot.services.checkins.messages import Answer, HireLine, Message, MilestoneLine, Mood
from bot.services.checkins.queue import outbox_row, recipient_user_id
from bot.services.focus import nudge_item
from bot.services.growth_rounds import GrowthRounds
from bot.services.kpis import still_missing
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding
from bot.services.one_on_ones import compose_prep
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database
from storage.models import Outbox


@dataclass(kw_only=True, eq=False)
class Composer:
    """Turns an outbox row into the :class:`Message` the adapter renders."""

    db: Database
    #: Reads the hire's plan as every progress view does (and digests' hires).
    onboarding: Onboarding
    calendars: Calendars
    #: Growth check-ins: the rater's form and the side-by-side.
    rounds: GrowthRounds

    def compose(self, row: Outbox) -> Message:
        """What a row says, from the data as it is now (so a late message is still accurate)."""
        assert row.id is not None  # noqa: S101 - rows read from the database have ids
        kind = Kind(row.kind)
        recipient = recipient_user_id(self.db, row.recipient_id)
        base = Message(outbox_id=row.id, key=row.key, kind=kind, recipient=recipient)
        if kind in (Kind.MENTOR_DIGEST, Kind.MANAGER_DIGEST):
            actor = Actor.slack(recipient)
            reports = (
                self.onboarding.mentees(actor=actor)
                if kind is Kind.MENTOR_DIGEST
                else self.onboarding.team(actor=actor)
            )
            hires = tuple(hire_line(r) for r in reports if r.status.value == "active")
            if not hires:
                raise NotFound("nobody to report on this week")
            return replace(base, hires=hires, week=None, reason=row.payload.get("week"))
        report = self._report_of(row)
        hire = hire_line(report)
        base = replace(
            base,
            hire=hire,
            plan_title=report.plan.plan.title,
            manager=report.manager.user_id,
            mentors=tuple(m.user_id for m in report.mentors),
            answer=answer_of(row, self._calendar_of_user(recipient)),
            day_one=report.summary.day_one,
            last_checkin=report.last_checkin,
        )
        if kind in (Kind.REMINDER, Kind.GROWTH_REMINDER):
            target_id = row.payload.get("for")
            target = outbox_row(self.db, int(target_id)) if isinstance(target_id, int) else None
            if target is None:
                raise NotFound("the check-in this reminder is for no longer exists")
            original = self._compose_checkin(target, base, report)
            return replace(
                original, outbox_id=row.id, key=row.key, kind=kind, reminder_of=original.kind
            )
        return self._compose_checkin(row, base, report)

    def _compose_checkin(self, row: Outbox, base: Message, report: EnrollmentReport) -> Message:
        kind = Kind(row.kind)
        if kind.growth_rater:
            assert row.id is not None  # noqa: S101 - rows read from the database have ids
            form = self.rounds.form(
                user_id=recipient_user_id(self.db, row.recipient_id), outbox_id=row.id
            )
            return replace(base, kind=kind, growth_form=form)
        if kind is Kind.KPI_REMINDER:
            missing = still_missing(db=self.db, catalog=self.calendars.catalog, row=row)
            return replace(base, kind=kind, kpis_missing=missing)
        if kind is Kind.ONE_ON_ONE_PREP:
            prep = compose_prep(db=self.db, catalog=self.calendars.catalog, row=row, report=report)
            return replace(base, kind=kind, prep=prep)
        if kind is Kind.FOCUS_NUDGE:
            item = nudge_item(
                db=self.db,
                catalog=self.calendars.catalog,
                row=row,
                now=self.rounds.clock.now(),
                default_tz=self.calendars.default_tz,
            )
            return replace(base, kind=kind, focus=item, reason=row.payload.get("reason"))
        if kind is Kind.GROWTH_REVEAL:
            assert row.enrollment_id is not None  # noqa: S101 - _report_of checked it
            comparison = self.rounds.comparison(
                enrollment_id=row.enrollment_id, round=str(row.payload.get("round"))
            )
            return replace(base, kind=kind, comparison=comparison)
        summary = report.summary
        phase_id = row.payload.get("phase_id") or summary.current_phase
        phase = next((p for p in summary.phases if p.id == phase_id), summary.phases[0])
        plan_phase = next(p for p in report.plan.plan.phases if p.id == phase.id)
        lines = tuple(
            MilestoneLine(id=m.id, title=m.title, status=m.status, note=m.note, parent=m.parent)
            for m in phase.milestones
        )
        common = replace(
            base,
            kind=kind,
            phase_id=phase.id,
            phase_title=plan_phase.title,
            phase_due=phase.due,
            milestones=lines,
            answer=answer_of(row, self._calendar_of_user(report.hire.user_id)),
        )
        if kind is Kind.PULSE:
            return replace(common, week=row.payload.get("week"), month=row.payload.get("month"))
        if kind is Kind.HEADS_UP:
            hire_cal = self._calendar_of_user(report.hire.user_id)
            return replace(
                common,
                working_days_left=hire_cal.working_days_between(summary.today, phase.due),
            )
        if kind in (Kind.MENTOR_NUDGE, Kind.ESCALATION):
            milestone_id = row.payload.get("milestone_id")
            lines = tuple(
                MilestoneLine(id=m.id, title=m.title, status=m.status, note=m.note)
                for p in summary.phases
                for m in p.milestones
                if m.id == milestone_id
            )
            since = row.payload.get("since")
            return replace(
                common,
                milestones=lines,
                reason=self.pulse_mood(row) or row.payload.get("reason"),
                since=date.fromisoformat(since[:10]) if isinstance(since, str) else None,
                phase_id=None,
            )
        return common

    def pulse_mood(self, row: Outbox, session: Any = None) -> str | None:
        """The pulse's answer now, for a nudge about that pulse (``None`` for other rows)."""
        pulse_id = row.payload.get("pulse")
        if row.kind != Kind.MENTOR_NUDGE.value or not isinstance(pulse_id, int):
            return None
        if session is None:
            pulse = outbox_row(self.db, pulse_id)
        else:
            pulse = repo.get(session=session, outbox_id=pulse_id)
        mood = (pulse.answer or {}).get("mood") if pulse is not None else None
        return mood if isinstance(mood, str) else None

    def _report_of(self, row: Outbox) -> EnrollmentReport:
        with self.db.read() as session:
            if row.enrollment_id is None:
                raise NotFound("this message has no enrollment")
            hire_id = repo.hire_of(session=session, enrollment_id=row.enrollment_id)
            hire = (
                None
                if hire_id is None
                else people_repo.get_person_by_id(session=session, person_id=hire_id)
            )
        if hire is None:
            raise NotFound("the hire is gone")
        return self.onboarding.progress(actor=Actor.cli(), hire=hire.user_id)

    def _calendar_of_user(self, user_id: str) -> LocalCalendar:
        with self.db.read() as session:
            person = people_repo.get_person(session=session, user_id=user_id)
        return self.calendars.calendar(
            person.tz if person else None, person.holiday_country if person else None
        )


def hire_line(report: EnrollmentReport) -> HireLine:
    """One hire as a digest or a nudge lists them."""
    s = report.summary
    return HireLine(
        user_id=report.hire.user_id,
        name=report.hire.name,
        day=s.day,
        percent=s.percent,
        current_phase=s.current_phase,
        day_label=s.day_label,
        blocked=tuple(m.title for m in s.blocked),
        overdue=len(s.overdue),
        mood=report.last_mood,
    )


def answer_of(row: Outbox, calendar: LocalCalendar) -> Answer | None:
    """What the hire recorded on ``row`` (``None`` before an answer), when in their calendar."""
    if row.answered_at is None or not row.answer:
        return None
    data = row.answer
    mood = data.get("mood")
    statuses = {
        k: MilestoneStatus(v)
        for k, v in (data.get("statuses") or {}).items()
        if v in MilestoneStatus._value2member_map_
    }
    local = row.answered_at.astimezone(calendar.zone)
    stale = parse_time(row.payload.get("stale_at"))
    return Answer(
        mood=Mood(mood) if isinstance(mood, str) and mood in Mood._value2member_map_ else None,
        statuses=statuses,
        note=data.get("note"),
        at_local=f"{local:%a %d %b %H:%M}",
        late=stale is not None and row.answered_at >= stale,
    )
