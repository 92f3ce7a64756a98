"""1:1s and private notes: a manager's recurring 1:1 with a hire, the prep DM the working day
before each meeting, and notes only their author can ever read.

- **1:1s** are set by the hire's manager of record (or an admin) in the manager's zone; the
  tick derives a ``one_on_one_prep`` row for the manager and one for the hire
  (:func:`prep_rows`), and the composer fills them from the data as it is then
  (:func:`compose_prep`).
- **Early warnings** go to the manager only: questions mapped from the blueprint's §16 "Common
  reasons for underperformance", each cited, shown only when the data shows the signal; never
  a score.
- **Private notes** are read by their author and nobody else: there is no admin read, and
  nothing here lists a note without the reader being its author. Writing one is audited
  (``note.add``, never the text).
"""

from __future__ import annotations

import re
from calendar import day_name
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain import permissions
from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.domain.guardrails import strip_broadcasts, strip_controls
from bot.domain.kpi_targets import judge
from bot.domain.one_on_ones import (
    Every,
    Recurrence,
    first_meeting,
    meeting_at,
    meetings,
    parse_recurrence,
)
from bot.domain.permissions import Relation
from bot.domain.plan import LoadedPlan
from bot.domain.schedule import Kind, LocalCalendar, zone
from bot.services.catalog import PlanCatalog
from bot.services.growth import find_person
from bot.services.growth_base import GrowthServiceBase
from bot.services.onboarding import Actor, EnrollmentReport
from storage import one_on_ones as repo
from storage import repositories as people_repo
from storage.engine import Database
from storage.models import Enrollment, OneOnOne, Person, PrivateNote
from storage.outbox import NewRow

#: The longest private note kept.
NOTE_LIMIT = 4000
#: How far back a prep looks before the first 1:1.
FIRST_LOOKBACK = timedelta(days=14)
#: The §16 section the early warnings cite (its id in the blueprint).
UNDERPERFORMANCE = "underperformance"
NOTE_REFUSED = "You can only keep notes about people you manage or mentor."
SET_REFUSED = "Only the hire's manager of record (or an admin) can set their 1:1."


@dataclass(frozen=True)
class NoteView:
    """One of the author's own notes."""

    id: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class OneOnOneView:
    """A hire's 1:1 as set: how often, when, in whose zone, and the next meeting."""

    hire: str
    manager: str
    every: str
    weekday: int
    at: str
    tz: str
    next_meeting: datetime | None

    @property
    def next_local(self) -> datetime | None:
        """The next meeting on the manager's clock."""
        return None if self.next_meeting is None else self.next_meeting.astimezone(zone(self.tz))


@dataclass(frozen=True)
class EarlyWarning:
    """An early-warning question for the manager, citing the blueprint's words."""

    question: str
    quote: str
    section: str


@dataclass(frozen=True)
class PrepLine:
    """One line of a prep: when (local date, maybe none) and what."""

    text: str
    when: date | None = None


@dataclass(frozen=True)
class Prep:
    """What a 1:1 prep DM says to its recipient (``for_manager``: the manager's own view)."""

    hire: str
    manager: str
    for_manager: bool
    meeting: datetime
    since: datetime
    first: bool
    moods: tuple[PrepLine, ...] = ()
    blockers: tuple[str, ...] = ()
    evidence: tuple[PrepLine, ...] = ()
    focus: tuple[PrepLine, ...] = ()
    kpis: tuple[PrepLine, ...] = ()
    notes: tuple[PrepLine, ...] = ()
    warnings: tuple[EarlyWarning, ...] = field(default_factory=tuple)


class OneOnOnes(GrowthServiceBase):
    """1:1 schedules and private notes for one workspace."""

    # --- private notes ------------------------------------------------------------------------

    def add_note(self, *, actor: Actor, about: str, text: str) -> NoteView:
        """Keep a note about ``about`` that only ``actor`` will ever read. Allowed to the hire's
        manager of record, their mentors and admins; audited without the text."""
        clean = strip_broadcasts(strip_controls(text)).strip()
        if not clean:
            raise InvalidInput("Write the note after the name: `note @ana <text>`.")
        if actor.user_id is None:
            raise PermissionDenied("Private notes are kept in Slack, by their author.")
        if len(clean) > NOTE_LIMIT:
            raise InvalidInput(f"A note holds at most {NOTE_LIMIT:,} characters.")
        with self.db.transaction() as session:
            me, subject, enrollment, relation = self._about(session, actor, about)
            if relation not in (Relation.MANAGER, Relation.MENTOR, Relation.ADMIN):
                raise PermissionDenied(NOTE_REFUSED)
            now = self.clock.now()
            row = repo.add_note(
                session=session,
                note=PrivateNote(
                    author_id=_id(me), subject_id=_id(subject), text=clean, created_at=now
                ),
            )
            people_repo.write_audit(
                session=session,
                action="note.add",
                actor_id=me.id,
                actor_label=actor.label,
                subject_id=subject.id,
                enrollment_id=enrollment.id,
                # Never the text: the note is its author's alone.
                detail={"note": row.id},
                at=now,
            )
            return NoteView(id=_id(row), text=row.text, created_at=row.created_at)

    def notes(self, *, actor: Actor, about: str) -> list[NoteView]:
        """``actor``'s own notes about ``about``, oldest first (nobody else's, whoever asks)."""
        if actor.user_id is None:
            # The operator holds the database, but no command reads anyone's notes.
            raise PermissionDenied("Private notes are read only by their author, in Slack.")
        with self.db.read() as session:
            me = people_repo.get_person(session=session, user_id=actor.user_id)
            subject = find_person(session, about)
            if me is None or subject is None:
                return []
            rows = repo.notes_by_author(session=session, author_id=_id(me), subject_id=_id(subject))
            return [NoteView(id=_id(r), text=r.text, created_at=r.created_at) for r in rows]

    # --- 1:1s ---------------------------------------------------------------------------------

    def set(self, *, actor: Actor, hire: str, words: Sequence[str], tz: str | None) -> OneOnOneView:
        """Set (or replace) ``hire``'s recurring 1:1 in the manager's zone: ``tz`` (the caller's
        Slack zone) when the caller is the manager, else the manager's stored zone, else the
        workspace default."""
        rec = parse_recurrence(list(words))
        try:
            return self._set(actor, hire, rec, tz)
        except IntegrityError:
            # ``uq_one_on_one_one_running``: a concurrent set committed first; theirs stands.
            current = self.show(actor=actor, hire=hire)
            if current is None:
                raise
            raise Conflict(
                f"Someone else just set this 1:1: {current.every} on "
                f"{day_name[current.weekday]} at {current.at} ({current.tz}). "
                "Set it again to replace it."
            ) from None

    def _set(self, actor: Actor, hire: str, rec: Recurrence, tz: str | None) -> OneOnOneView:
        with self.db.transaction() as session:
            me, subject, enrollment, relation = self._manage(session, actor, hire)
            manager = people_repo.people_by_ids(session=session, ids=[enrollment.manager_id])[
                enrollment.manager_id
            ]
            # The manager's zone: the caller's Slack zone when they are the manager, else the
            # manager's as last read (an admin setting it keeps the manager's clock).
            mine = tz if relation is Relation.MANAGER else None
            where = mine or manager.tz or self.default_tz
            now = self.clock.now()
            starts_on = first_meeting(rec, now=now, zone=zone(where, self.default_tz))
            repo.end_one_on_ones(session=session, enrollment_id=_id(enrollment), at=now)
            row = repo.add_one_on_one(
                session=session,
                row=OneOnOne(
                    enrollment_id=_id(enrollment),
                    manager_id=enrollment.manager_id,
                    every=rec.every.value,
                    weekday=rec.weekday,
                    at_time=rec.at_text,
                    tz=str(zone(where, self.default_tz)),
                    starts_on=starts_on,
                    created_at=now,
                ),
            )
            _audit(session, "one_on_one.set", me, actor, subject, enrollment, now, rec.every)
            return _view(row, subject, manager, now)

    def end(self, *, actor: Actor, hire: str) -> bool:
        """Stop ``hire``'s 1:1 (no more prep DMs); whether one was running."""
        with self.db.transaction() as session:
            me, subject, enrollment, _ = self._manage(session, actor, hire)
            now = self.clock.now()
            ended = repo.end_one_on_ones(session=session, enrollment_id=_id(enrollment), at=now)
            if ended:
                _audit(session, "one_on_one.off", me, actor, subject, enrollment, now, None)
            return bool(ended)

    def show(self, *, actor: Actor, hire: str) -> OneOnOneView | None:
        """``hire``'s 1:1 as set, to the people who may see their plan (``None``: none set)."""
        with self.db.read() as session:
            _, subject, enrollment, relation = self._about(session, actor, hire)
            if not permissions.allowed(relation, permissions.Action.VIEW):
                raise permissions.refusal(Relation.OTHER, permissions.Action.VIEW)
            row = repo.current_one_on_one(session=session, enrollment_id=_id(enrollment))
            if row is None:
                return None
            manager = people_repo.people_by_ids(session=session, ids=[row.manager_id])
            return _view(row, subject, manager[row.manager_id], self.clock.now())

    # --- who asks about whom ------------------------------------------------------------------

    def _manage(
        self, session: Session, actor: Actor, hire: str
    ) -> tuple[Person | None, Person, Enrollment, Relation]:
        me, subject, enrollment, relation = self._about(session, actor, hire)
        if relation not in (Relation.MANAGER, Relation.ADMIN):
            raise PermissionDenied(SET_REFUSED)
        if enrollment.status not in ("active", "paused"):
            raise InvalidInput(
                f"{subject.display_name or subject.user_id}'s plan is {enrollment.status}; "
                "1:1 prep runs on an active plan."
            )
        return me, subject, enrollment, relation

    def _about(
        self, session: Session, actor: Actor, hire: str
    ) -> tuple[Any, Person, Enrollment, Relation]:
        """The actor's row, the hire, their latest plan, and how the actor relates to them.
        Anyone unrelated hears the same refusal whether or not the hire exists."""
        refused = PermissionDenied(NOTE_REFUSED)
        subject = find_person(session, hire)
        enrollment = (
            None
            if subject is None
            else people_repo.latest_enrollment(session=session, hire_id=_id(subject))
        )
        if subject is None or enrollment is None:
            if actor.operator:
                raise NotFound(f"{hire[:60]} has no Onramp plan; enroll them first.")
            raise refused
        me = (
            None
            if actor.user_id is None
            else people_repo.get_person(session=session, user_id=actor.user_id)
        )
        if actor.operator:
            return me, subject, enrollment, Relation.ADMIN
        mentor_ids = people_repo.mentor_ids(session=session, enrollment_id=_id(enrollment))
        people = people_repo.people_by_ids(
            session=session, ids=[enrollment.manager_id, *mentor_ids]
        )
        relation = permissions.relation_of(
            actor=actor.user_id or "",
            hire=subject.user_id,
            manager=people[enrollment.manager_id].user_id,
            mentors={people[i].user_id for i in mentor_ids},
            is_admin=actor.user_id in self.admins or bool(me is not None and me.is_admin),
        )
        if relation is not Relation.OTHER and me is None:
            me = people_repo.upsert_person(
                session=session, user_id=actor.user_id or "", at=self.clock.now()
            )
        return me, subject, enrollment, relation


# --- the tick: which preps are owed -------------------------------------------------------------


def prep_rows(
    session: Session, now: datetime, calendar: Callable[[str | None, str | None], LocalCalendar]
) -> list[NewRow]:
    """The prep DMs owed at ``now``: for each running 1:1 on an active plan, its next meeting;
    once the manager's send time on the working day before it has come (their calendar, from
    ``calendar(tz, holiday country)``: weekends and holidays skipped), one row to the manager
    and one to the hire, stale at the meeting. Keys name the meeting and the recipient, so
    each is owed once."""
    rows: list[NewRow] = []
    running = repo.running_one_on_ones(session=session)
    managers = people_repo.people_by_ids(session=session, ids={o.manager_id for o, _ in running})
    for one, enrollment in running:
        if one.manager_id != enrollment.manager_id:  # set by a manager the hire no longer has
            continue
        person = managers.get(one.manager_id)
        # The 1:1's own zone (the manager's when it was set), the manager's holidays.
        manager_cal = calendar(one.tz, person.holiday_country if person else None)
        where = zone(one.tz)
        at = time.fromisoformat(one.at_time)
        today = now.astimezone(where).date()
        previous, day = meetings(Every(one.every), one.starts_on, after=today)
        meeting = meeting_at(day, at, where)
        if meeting <= now:  # today's meeting has begun: the next one is owed next
            previous, day = meetings(
                Every(one.every), one.starts_on, after=today + timedelta(days=1)
            )
            meeting = meeting_at(day, at, where)
        due = manager_cal.send_at(manager_cal.sub_working_days(day, 1))
        if due > now:
            continue
        since = (
            meeting_at(previous, at, where)
            if previous is not None and previous >= one.starts_on
            else meeting - FIRST_LOOKBACK
        )
        payload = {
            "one_on_one": one.id,
            "meeting": meeting.isoformat(),
            "since": since.isoformat(),
            "first": previous is None,
            "tz": one.tz,
            "stale_at": meeting.isoformat(),
        }
        for recipient in (one.manager_id, enrollment.hire_id):
            rows.append(
                NewRow(
                    key=f"{Kind.ONE_ON_ONE_PREP.value}:{one.id}:{day.isoformat()}:{recipient}",
                    kind=Kind.ONE_ON_ONE_PREP.value,
                    recipient_id=recipient,
                    due_at=due,
                    enrollment_id=_id(enrollment),
                    payload=payload,
                )
            )
    return rows


# --- the composer: what a prep says ------------------------------------------------------------

#: Early-warning rules: (a word the §16 bullet contains, the question; ``{name}`` is the hire).
_SIGNALS = {
    "blocked": (
        "breaking down",
        "{name} answered *blocked* three pulses running. Is the work broken into steps small "
        "enough to move, and would a small controlled experiment unblock it?",
    ),
    "falling": (
        "escalating",
        "{name}'s mood fell over the last three pulses. Is something uncertain or risky "
        "that they haven't raised yet?",
    ),
    "silent": (
        "escalating",
        "{name} hasn't answered a pulse in three weeks. What's in the way of raising things early?",
    ),
    "no_evidence": (
        "novelty",
        "No new evidence from {name} in six weeks. What have they shipped lately, and what "
        "did it do for users?",
    ),
    "overdue": (
        "breaking down",
        "{name} has milestones past their phase's due date. Which is the first step on each, "
        "and what would make it smaller?",
    ),
}
_MOOD_RANK = {"on_track": 2, "at_risk": 1, "blocked": 0}


def compose_prep(*, db: Database, catalog: PlanCatalog, row: Any, report: EnrollmentReport) -> Prep:
    """The prep ``row`` owes its recipient, from the data as it is now: pulses, blockers,
    evidence the recipient may see, open focus items and KPI readings since the last 1:1;
    and, to the manager only, their own private notes and the early-warning questions."""
    try:  # written by prep_rows, always with their offset
        meeting = datetime.fromisoformat(str(row.payload["meeting"]))
        since = datetime.fromisoformat(str(row.payload["since"]))
    except (KeyError, ValueError):
        raise NotFound("this prep names no meeting") from None
    # Queued before the 1:1 was turned off or the plan closed (completed, withdrawn, moved):
    # too late to prepare anyone for a meeting that no longer runs.
    if row.enrollment_id != report.enrollment_id or report.status.value != "active":
        raise NotFound("the plan this 1:1 was on is no longer active")
    with db.read() as session:
        one_id = row.payload.get("one_on_one")
        one = session.get(OneOnOne, one_id) if isinstance(one_id, int) else None
        if one is not None and one.ended_at is not None:
            raise NotFound("the 1:1 was turned off")
        recipient = people_repo.people_by_ids(session=session, ids=[row.recipient_id])
        hire_row = people_repo.get_person(session=session, user_id=report.hire.user_id)
        if hire_row is None or row.recipient_id not in recipient:
            raise NotFound("the hire is gone")
        reader = recipient[row.recipient_id].user_id
        for_manager = reader == report.manager.user_id
        if not for_manager and reader != report.hire.user_id:
            # Only the manager of record and the hire read a prep: anyone else (a manager
            # replaced since the row was owed) would be shown the hire's own view.
            raise NotFound("the recipient is no longer the hire's manager")
        # Times as the recipient reads them: their own zone (the 1:1's, when theirs is unknown).
        local = zone(recipient[row.recipient_id].tz, str(row.payload.get("tz") or "UTC"))
        relation = Relation.MANAGER if for_manager else Relation.HIRE
        enrollment_id = report.enrollment_id
        pulses = repo.pulses(session=session, enrollment_id=enrollment_id, since=since)
        evidence = repo.evidence_since(
            session=session,
            hire_id=_id(hire_row),
            since=since,
            visibilities=[v.value for v in permissions.visible_evidence(relation)],
            enrollment_id=enrollment_id if for_manager else None,
        )
        focus = repo.open_focus(session=session, enrollment_id=enrollment_id)
        readings = repo.kpi_readings_since(
            session=session, enrollment_id=enrollment_id, since=since
        )
        notes = (
            repo.notes_by_author(
                session=session, author_id=row.recipient_id, subject_id=_id(hire_row), since=since
            )
            if for_manager
            else []
        )
        warnings: tuple[EarlyWarning, ...] = ()
        if for_manager:
            recent = repo.pulses(
                session=session, enrollment_id=enrollment_id, since=meeting - timedelta(weeks=6)
            )
            # Only evidence the manager may see: the question must rest on what they can check.
            last_evidence = repo.last_evidence_at(
                session=session,
                hire_id=_id(hire_row),
                visibilities=[v.value for v in permissions.visible_evidence(relation)],
                enrollment_id=enrollment_id,
            )
            warnings = early_warnings(
                report, recent, last_evidence, meeting, catalog.get(report.plan.plan.id)
            )
    moods = tuple(
        PrepLine(
            text=f"{_MOOD_WORDS.get(p.mood or '', 'no answer')}"
            + (f" — “{p.note}”" if p.note else ""),
            when=p.answered_at.astimezone(local).date(),
        )
        for p in pulses
    )
    blocked = tuple(m.title for m in report.summary.blocked)
    kpis = report.plan.plan.kpis
    by_id = {k.id: k for k in kpis}
    kpi_lines = []
    for reading in readings:
        kpi = by_id.get(reading.kpi_id)
        if kpi is None:
            continue
        judged = judge(kpi.target, reading.period, reading.value)
        verdict = f" · {judged.said}" if judged.said else ""
        kpi_lines.append(
            PrepLine(
                text=f"{kpi.name}: {reading.value:g} ({reading.period}) — target “{kpi.target}”"
                f"{verdict}",
                when=reading.recorded_at.astimezone(local).date(),
            )
        )
    return Prep(
        hire=report.hire.user_id,
        manager=report.manager.user_id,
        for_manager=for_manager,
        meeting=meeting.astimezone(local),
        since=since.astimezone(local),
        first=bool(row.payload.get("first")),
        moods=moods,
        blockers=blocked,
        evidence=tuple(
            PrepLine(text=e.text, when=e.created_at.astimezone(local).date()) for e in evidence
        ),
        focus=tuple(PrepLine(text=f.title, when=f.due) for f in focus),
        kpis=tuple(kpi_lines),
        notes=tuple(
            PrepLine(text=n.text, when=n.created_at.astimezone(local).date()) for n in notes
        ),
        warnings=warnings,
    )


_MOOD_WORDS = {"on_track": "on track", "at_risk": "at risk", "blocked": "blocked"}


def early_warnings(
    report: EnrollmentReport,
    pulses: Sequence[repo.PulseAnswer],
    last_evidence: datetime | None,
    meeting: datetime,
    loaded: LoadedPlan,
) -> tuple[EarlyWarning, ...]:
    """The early-warning questions the data shows, each citing the §16 bullet it maps to."""
    section = next((s for s in loaded.blueprint.sections if UNDERPERFORMANCE in s.id), None)
    if section is None:  # a blueprint without §16's list: nothing to cite, so nothing to ask
        return ()
    bullets = [b.strip() for b in re.findall(r"^\s*[-*]\s+(.+)$", section.text, re.MULTILINE)]
    moods = [p.mood for p in pulses]
    answered = [m for m in moods if m is not None]
    signals: list[str] = []
    if len(answered) >= 3 and all(m == "blocked" for m in answered[-3:]):
        signals.append("blocked")
    ranks = [_MOOD_RANK.get(m, 2) for m in answered[-3:]]
    if len(ranks) == 3 and ranks[0] > ranks[1] > ranks[2]:
        signals.append("falling")
    recent = [p for p in pulses if p.answered_at >= meeting - timedelta(weeks=3)]
    if len(recent) >= 2 and all(p.mood is None for p in recent):
        signals.append("silent")
    started = datetime.combine(report.start, time(), tzinfo=UTC)
    six_weeks = meeting - timedelta(weeks=6)
    if started <= six_weeks and (last_evidence is None or last_evidence < six_weeks):
        signals.append("no_evidence")
    if report.summary.overdue:
        signals.append("overdue")
    found: list[EarlyWarning] = []
    for signal in signals:
        word, question = _SIGNALS[signal]
        quote = next((b for b in bullets if word in b.lower()), None)
        if quote is None:
            continue
        found.append(
            EarlyWarning(
                question=question.format(name=f"<@{report.hire.user_id}>"),
                quote=quote,
                section=f"§{section.number} {section.title} ({section.id})",
            )
        )
    return tuple(found)


# --- helpers ----------------------------------------------------------------------------------


def _view(row: OneOnOne, hire: Person, manager: Person, now: datetime) -> OneOnOneView:
    where = zone(row.tz)
    at = time.fromisoformat(row.at_time)
    today = now.astimezone(where).date()
    _, day = meetings(Every(row.every), row.starts_on, after=today)
    if meeting_at(day, at, where) <= now:
        _, day = meetings(Every(row.every), row.starts_on, after=today + timedelta(days=1))
    return OneOnOneView(
        hire=hire.user_id,
        manager=manager.user_id,
        every=row.every,
        weekday=row.weekday,
        at=row.at_time,
        tz=row.tz,
        next_meeting=None if row.ended_at else meeting_at(day, at, where),
    )


def _audit(
    session: Session,
    action: str,
    me: Person | None,
    actor: Actor,
    subject: Person,
    enrollment: Enrollment,
    at: datetime,
    every: Every | None,
) -> None:
    people_repo.write_audit(
        session=session,
        action=action,
        actor_id=None if me is None else me.id,
        actor_label=actor.label,
        subject_id=subject.id,
        enrollment_id=enrollment.id,
        detail={} if every is None else {"every": every.value},
        at=at,
    )


def _id(row: Any) -> int:
    assert row.id is not None  # noqa: S101 - rows read or flushed
    return int(row.id)
