"""What is due: people's local calendars, each enrollment's plan calendar, and the rows that
events make owed (step 2 of a tick, with :class:`~bot.services.calendars.CalendarWork`).

:class:`Calendars` answers "when": a person's zone, holidays and send time, and the slots of one
enrollment's plan (cached; the scheduled kinds are written set-based by ``CalendarWork``).
:class:`Derive` answers "what else": reminders for check-ins left unanswered, and — through
:mod:`.nudges` — silence nudges and escalations and blocker nudges and escalations, read from the
outbox and the milestone states. Rows carry unique keys, so deriving twice owes nothing twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import bot.services.focus as growth_plan
from bot.domain.errors import InvalidInput
from bot.domain.plan import Phase
from bot.domain.schedule import (
    AFTER_PLAN_WINDOW,
    Kind,
    LocalCalendar,
    Rules,
    Slot,
    after_working_days,
    hire_calendar,
    public_holidays,
    zone,
)
from bot.services import kpis, one_on_ones
from bot.services.catalog import PlanCatalog
from bot.services.checkins import nudges
from bot.services.checkins.queue import Queue
from bot.services.growth_rounds import RATER_KINDS, Role, reveal_row, round_of_key
from storage import growth as growth_repo
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database

log = logging.getLogger("onramp.checkins")

#: Calendars kept in memory, most recently used first out last (about 11 KB each).
SLOT_CACHE = 512
#: Days that share one after-plan window (well inside ``AFTER_PLAN_WINDOW``, so the window
#: around a bucket's first day covers every day of the bucket with months to spare).
AFTER_PLAN_BUCKET = 28
#: How far back reminders, silence and escalations look in the outbox.
EVENT_LOOKBACK = timedelta(days=60)
#: How far back growth reminders and reveals look: a round is open 30 working days at most.
GROWTH_LOOKBACK = timedelta(days=60)


@dataclass(kw_only=True, eq=False)
class Calendars:
    """Local calendars (zone, holidays, send time) and plan calendars (slots), cached."""

    catalog: PlanCatalog
    defaults: Rules
    default_tz: str
    holiday_country: str | None
    _slots: OrderedDict[tuple[str, date, str | None, str | None, date | None], tuple[Slot, ...]] = (
        field(default_factory=OrderedDict, init=False)
    )
    _holidays: dict[str | None, Container[date]] = field(default_factory=dict, init=False)

    def rules_for(self, plan_id: str) -> Rules:
        """The cadence of a plan, gaps filled from the workspace defaults (a plan without a
        rubric has no growth rounds: there is nothing to rate)."""
        plan = self.catalog.get(plan_id).plan
        rules = self.defaults.with_cadence(plan.checkins)
        return rules if plan.growth.rubric else replace(rules, growth_rounds=())

    def calendar(self, tz: str | None, country: str | None) -> LocalCalendar:
        """A person's local calendar (zone, holidays, send time)."""
        wanted = country or self.holiday_country
        holidays = self._holidays.get(wanted)
        if holidays is None:
            try:
                holidays = public_holidays(wanted)
            except InvalidInput:
                log.warning("unknown holiday country %r; using weekends only", country)
                holidays = public_holidays(None)
            # Shared: a holidays table is built lazily per year, so one per country is enough.
            self._holidays[wanted] = holidays
        return LocalCalendar(
            zone=zone(tz, self.default_tz), send_time=self.defaults.send_time, holidays=holidays
        )

    def slots(
        self,
        *,
        plan_id: str,
        start: date,
        tz: str | None,
        country: str | None,
        now: datetime | None = None,
    ) -> tuple[Slot, ...]:
        """The calendar of one enrollment (many hires share plan, start and zone).

        With ``now`` near or past the plan's end, the slots after the plan around ``now`` too
        (:func:`~bot.domain.schedule.after_plan_slots`: a window, so they are cached per
        :data:`AFTER_PLAN_BUCKET` of days and a plan started years ago costs what a new one does).

        The most recently used calendars are kept (:data:`SLOT_CACHE`): computing one takes
        about 0.2 ms and holds about 11 KB, and the tick only asks again for a calendar when
        its group has something newly due, so keeping every calendar (49 MB at 10,000 hires)
        bought nothing.
        """
        around = self._around(plan_id, start, now)
        cache_key = (plan_id, start, tz, country, around)
        found = self._slots.get(cache_key)
        if found is not None:
            self._slots.move_to_end(cache_key)
        else:
            while len(self._slots) >= SLOT_CACHE:
                self._slots.popitem(last=False)
            phases: Sequence[Phase] = self.catalog.get(plan_id).plan.phases
            found = hire_calendar(
                rules=self.rules_for(plan_id),
                phases=phases,
                start=start,
                calendar=self.calendar(tz, country),
                around=around,
            )
            self._slots[cache_key] = found
        return found

    def _around(self, plan_id: str, start: date, now: datetime | None) -> date | None:
        """The day the after-plan window is centred on at ``now``: the first day of ``now``'s
        bucket, or ``None`` while the window would not reach past the plan's end."""
        if now is None:
            return None
        today = now.date()
        if today + AFTER_PLAN_WINDOW < self.rules_for(plan_id).pulse_until.after(start):
            return None
        return date.fromordinal(today.toordinal() // AFTER_PLAN_BUCKET * AFTER_PLAN_BUCKET)


@dataclass(frozen=True)
class _Person:
    id: int
    user_id: str
    calendar: LocalCalendar


@dataclass(kw_only=True, eq=False)
class Derive:
    """The event-driven rows owed at a moment: reminders, and the nudges and escalations."""

    db: Database
    calendars: Calendars
    #: Asked which rows this process has already written (they are not offered again).
    queue: Queue

    def derive(
        self,
        *,
        now: datetime,
        slack: bool,
        zones: dict[str, str] | None = None,
        checked: Container[str] = (),
    ) -> list[repo.NewRow]:
        """The event-driven rows owed at ``now`` (not yet inserted; keys make it idempotent).

        Reminders, silence nudges and escalations, blocker nudges and escalations: derived from
        the outbox and milestone state. The scheduled kinds (check-ins, digests) are written
        set-based by :class:`CalendarWork`. With Slack configured (``slack``), nothing goes to
        someone whose profile was never read (``checked``: user ids read in this run, for a dry
        run).
        """
        zones = zones or {}
        with self.db.read() as session:
            rows = self.queue.unseen(self._event_rows(session, now, zones))
            if rows and slack:
                unchecked = repo.unchecked_person_ids(session=session)
                if unchecked and checked:
                    unchecked -= {
                        pid
                        for pid, user_id in _user_ids(session, unchecked).items()
                        if user_id in checked
                    }
                rows = [r for r in rows if r.recipient_id not in unchecked]
        return rows

    def _people(
        self, session: Any, ids: Iterable[int], zones: dict[str, str]
    ) -> dict[int, _Person]:
        wanted = set(ids)
        found = people_repo.people_by_ids(session=session, ids=wanted)
        return {
            pid: _Person(
                id=pid,
                user_id=p.user_id,
                calendar=self.calendars.calendar(zones.get(p.user_id, p.tz), p.holiday_country),
            )
            for pid, p in found.items()
        }

    def _event_rows(self, session: Any, now: datetime, zones: dict[str, str]) -> list[repo.NewRow]:
        rows: list[repo.NewRow] = []
        unanswered = repo.unanswered_checkins(
            session=session,
            kinds=[Kind.PULSE.value, Kind.REVIEW.value],
            sent_since=now - EVENT_LOOKBACK,
        )
        blocked = repo.blocked_milestones(session=session)
        sent_nudges = repo.sent_since(
            session=session, kinds=[Kind.MENTOR_NUDGE.value], since=now - EVENT_LOOKBACK
        )
        enrollment_ids = {r.enrollment_id for r in unanswered} | {b.enrollment_id for b in blocked}
        mentors = repo.mentor_pairs(session=session, enrollment_ids=sorted(enrollment_ids))
        # Plan ids in one query, not one per unanswered row (the soak test's hot spot).
        managers = repo.managers_of(session=session, enrollment_ids=enrollment_ids)
        plan_ids = repo.plans_of(session=session, enrollment_ids=enrollment_ids)
        person_ids = {r.recipient_id for r in unanswered} | set(managers.values())
        person_ids |= {m for ms in mentors.values() for m in ms}
        people = self._people(session, person_ids, zones)
        default_calendar = self.calendars.calendar(None, None)

        def cal(person_id: int) -> LocalCalendar:
            found = people.get(person_id)
            return found.calendar if found else default_calendar

        def rules(enrollment_id: int) -> Rules:
            plan_id = plan_ids.get(enrollment_id) or repo.plans_of(
                session=session, enrollment_ids=[enrollment_id]
            ).get(enrollment_id)
            return self.calendars.rules_for(plan_id) if plan_id else self.calendars.defaults

        def manager_of(enrollment_id: int) -> int | None:
            found = managers.get(enrollment_id)
            if found is None:
                found = repo.managers_of(session=session, enrollment_ids=[enrollment_id]).get(
                    enrollment_id
                )
            return found

        # Reminders: a check-in unanswered after N working days, while it is still current.
        first_unanswered: dict[int, Any] = {}
        for row in unanswered:
            stale = parse_time(row.payload.get("stale_at"))
            r = rules(row.enrollment_id)
            due = after_working_days(
                calendar=cal(row.recipient_id),
                since=row.sent_at,
                count=r.reminder_after_working_days,
            )
            if due <= now and (stale is None or now < stale):
                rows.append(reminder_row(Kind.REMINDER, row, due, stale))
            active = row.last_activity_at
            if row.enrollment_id not in first_unanswered and (
                active is None or row.sent_at > active
            ):
                first_unanswered[row.enrollment_id] = row

        rows.extend(self._growth_rows(session, now, cal))
        rows.extend(
            growth_plan.stalled_nudges(
                session,
                now=now,
                calendar=self.calendars.calendar,
                after=lambda e: rules(e).focus_stalled_after_working_days,
            )
        )
        rows.extend(one_on_ones.prep_rows(session, now, self.calendars.calendar))
        rows.extend(
            kpis.reminder_rows(session, now, self.calendars.calendar, self.calendars.catalog)
        )
        rows.extend(
            nudges.silence_rows(
                first_unanswered, now=now, rules=rules, cal=cal, mentors=mentors, managers=managers
            )
        )
        rows.extend(nudges.fresh_block_nudges(blocked, now=now, mentors=mentors, managers=managers))
        rows.extend(
            nudges.blocked_escalations(
                sent_nudges, blocked=blocked, now=now, rules=rules, cal=cal, manager_of=manager_of
            )
        )
        return rows

    def _growth_rows(
        self, session: Any, now: datetime, cal: Callable[[int], LocalCalendar]
    ) -> list[repo.NewRow]:
        """Growth reminders, mentors' DMs and reveals: one reminder to each rater who has not
        submitted N working days (their calendar) after their DM, while the round is open; where
        the plan asks mentors to rate, each mentor's DM once the hire's is out; a side-by-side
        to each rater of a round that closed with at least one submission, or in which both the
        hire and the manager have submitted (the submission queues it at once; this catches two
        submissions so close together that neither saw the other's)."""
        rows: list[repo.NewRow] = []
        since = now - GROWTH_LOOKBACK
        # Reveals: only rounds someone rated lately can owe one; their raters are the sent rater
        # DMs of those enrollments.
        rated = growth_repo.rated_rounds_since(session=session, since=since)
        if rated:
            enrollment_ids = {enrollment_id for enrollment_id, _ in rated}
            statuses = repo.enrollment_statuses(session=session, ids=enrollment_ids)
            for rater in growth_repo.sent_rater_rows(
                session=session, enrollment_ids=enrollment_ids, kinds=RATER_KINDS
            ):
                closes = parse_time(rater.payload.get("stale_at"))
                round_ref = round_of_key(rater.key)
                enrollment_id = rater.enrollment_id or 0
                roles = rated.get((enrollment_id, round_ref), set())
                both = {Role.SELF.value, Role.MANAGER.value} <= roles
                closed = closes is not None and closes <= now
                if (
                    roles
                    and (closed or both)
                    and statuses.get(enrollment_id) in ("active", "paused", "completed")
                ):
                    rows.append(
                        reveal_row(
                            enrollment_id,
                            round_ref,
                            rater.recipient_id,
                            now,
                            "closed" if closed else "submitted",
                        )
                    )
        rows += self._mentor_rows(session, now, since)
        # Reminders: rater DMs sent, not answered (submitted), on active plans, round open.
        unanswered = repo.unanswered_checkins(
            session=session, kinds=list(RATER_KINDS), sent_since=since
        )
        rules = self._rules_of(session, {r.enrollment_id for r in unanswered})
        for row in unanswered:
            closes = parse_time(row.payload.get("stale_at"))
            if closes is not None and closes <= now:
                continue
            due = after_working_days(
                calendar=cal(row.recipient_id),
                since=row.sent_at,
                count=rules(row.enrollment_id).growth_reminder_after_working_days,
            )
            if due <= now:
                rows.append(reminder_row(Kind.GROWTH_REMINDER, row, due, closes))
        return rows

    def _rules_of(self, session: Any, enrollment_ids: set[int]) -> Callable[[int], Rules]:
        """Each enrollment's cadence, plans read in one query."""
        plan_ids = repo.plans_of(session=session, enrollment_ids=enrollment_ids)

        def rules(enrollment_id: int) -> Rules:
            plan_id = plan_ids.get(enrollment_id)
            return self.calendars.rules_for(plan_id) if plan_id else self.calendars.defaults

        return rules

    def _mentor_rows(self, session: Any, now: datetime, since: datetime) -> list[repo.NewRow]:
        """Where a plan asks mentors to rate, each mentor's DM for an open round whose hire DM
        is out. Nothing is read when no plan asks (the default)."""
        catalog = self.calendars.catalog
        if not self.calendars.defaults.growth_mentor and not any(
            p.plan.checkins.growth_mentor for p in catalog.all()
        ):
            return []
        sent = repo.sent_since(session=session, kinds=[Kind.GROWTH_SELF.value], since=since)
        rules = self._rules_of(session, {r.enrollment_id for r in sent})
        mentored = sorted({r.enrollment_id for r in sent if rules(r.enrollment_id).growth_mentor})
        mentors = repo.mentor_pairs(session=session, enrollment_ids=mentored) if mentored else {}
        statuses = repo.enrollment_statuses(session=session, ids=mentored)
        rows: list[repo.NewRow] = []
        for row in sent:
            closes = parse_time(row.payload.get("stale_at"))
            if (closes is not None and closes <= now) or statuses.get(
                row.enrollment_id
            ) != "active":
                continue
            rows += [
                _mentor_row(row, round_of_key(row.key), mentor_id, closes)
                for mentor_id in mentors.get(row.enrollment_id, [])
            ]
        return rows


def _mentor_row(row: Any, round_ref: str, mentor_id: int, closes: datetime | None) -> repo.NewRow:
    """A mentor's growth check-in for the round the hire's DM ``row`` opened."""
    return repo.NewRow(
        key=f"{Kind.GROWTH_MENTOR.value}:{row.enrollment_id}:{round_ref}:{mentor_id}",
        kind=Kind.GROWTH_MENTOR.value,
        recipient_id=mentor_id,
        due_at=row.sent_at,
        enrollment_id=row.enrollment_id,
        payload={"round": round_ref, **({"stale_at": closes.isoformat()} if closes else {})},
    )


def reminder_row(kind: Kind, row: Any, due: datetime, stale: datetime | None) -> repo.NewRow:
    """A reminder (``kind``) of the check-in ``row`` to its recipient, keyed by the row's key so
    it is owed once; it goes stale with the check-in."""
    return repo.NewRow(
        key=f"{kind.value}:{row.key}",
        kind=kind.value,
        recipient_id=row.recipient_id,
        due_at=due,
        enrollment_id=row.enrollment_id,
        payload={
            "for": row.id,
            "for_key": row.key,
            "for_kind": row.kind,
            **({"stale_at": stale.isoformat()} if stale else {}),
        },
    )


def parse_time(value: Any) -> datetime | None:
    """A time stored in a row's payload (``stale_at``), UTC when it names no zone."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _user_ids(session: Any, person_ids: Iterable[int]) -> dict[int, str]:
    return {
        pid: p.user_id
        for pid, p in people_repo.people_by_ids(session=session, ids=person_ids).items()
    }
