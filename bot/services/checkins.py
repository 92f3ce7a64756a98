"""Check-ins: derive what is owed, put it in the outbox once, send it once, record the answers.

One ``tick(now)`` does everything, in three steps (design §5; ``docs/checkins.md``):

1. **Profiles.** People on active plans whose Slack profile was never read are looked up first
   (all of them, up to a generous cap), then a few whose profile is a week old; failures are
   retried with back-off. Nobody's calendar is derived before their profile was read once, so
   a hire enrolled from the CLI is never scheduled in the default zone by mistake.
2. **Derive.** Each active enrollment's calendar (``bot.domain.schedule``; cached per plan, start
   date, zone and holiday country) yields the slots live at ``now`` — at most one per series, so a
   restart after downtime sends the latest relevant items, never a flood; a late item waits for
   the recipient's next send window (working day, from the send time). Reminders, silence
   nudges, blocker escalations and weekly digests are derived from the outbox and milestone state.
   Everything is inserted with a unique key in bulk (``ON CONFLICT DO NOTHING``): idempotent.
3. **Send.** Due rows are claimed, re-checked (paused plan, superseded, already answered),
   rendered by the :class:`Messenger` adapter and posted with metadata naming the row; rows a
   crashed sender left in ``sending`` are first looked up in the DM's history (reconciled).

Answers arrive through :meth:`Checkins.answer_mood`, :meth:`answer_milestone` and
:meth:`add_note`; milestone statuses go through :meth:`Onboarding.mark` (``source="checkin"``) so
every surface shares one rule set. :class:`NudgeObserver` turns a milestone becoming blocked —
from any surface — into an immediate mentor nudge.
"""

from __future__ import annotations

import logging
import threading
import time as time_module
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from bot.domain.errors import InvalidInput, NotFound, OnrampError, PermissionDenied
from bot.domain.plan import Phase
from bot.domain.progress import MilestoneStatus
from bot.domain.schedule import (
    Kind,
    LocalCalendar,
    Rules,
    Slot,
    after_working_days,
    hire_calendar,
    public_holidays,
    zone,
)
from bot.services.calendars import LATE_AFTER, CalendarWork, Written, in_zone
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from bot.services.onboarding import (
    Actor,
    EnrollmentReport,
    LastCheckin,
    Onboarding,
    Profile,
    ProgressChange,
)
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database
from storage.models import Outbox

log = logging.getLogger("onramp.checkins")

#: Calendars kept in memory, most recently used first out last (about 11 KB each).
SLOT_CACHE = 512
#: Rows claimed per round trip to the database: small, so a slow Slack never holds many rows in
#: ``sending`` (each is re-verified right before its post anyway).
CLAIM_BATCH = 10
#: A row in ``sending`` for longer than this is presumed abandoned by a dead sender.
SENDING_LEASE = timedelta(minutes=2)
#: Attempts before a row is given up as failed.
MAX_ATTEMPTS = 6
#: How far back reminders, silence and escalations look in the outbox.
EVENT_LOOKBACK = timedelta(days=60)
#: Blocked milestones changed within this window get a nudge even if no observer saw the change.
BLOCK_BACKSTOP = timedelta(days=3)
#: Week-old profiles refreshed per tick (users.info is Tier 4: about 100 a minute).
PROFILE_LOOKUPS_PER_TICK = 20
#: Never-read profiles looked up per tick: their check-ins wait for it, so nearly uncapped (a
#: 429 stops the round early; the rest follow next tick).
NEW_PROFILE_LOOKUPS_PER_TICK = 500
PROFILE_MAX_AGE = timedelta(days=7)
#: Back-off after a failed profile lookup: 1, 2, 4 … minutes, at most this long.
PROFILE_RETRY_MAX = timedelta(hours=1)
#: Sending stops after this much time in one tick, so the next tick is not held up.
SEND_BUDGET = timedelta(seconds=45)
#: A row refused with a Retry-After this short is retried within the same tick.
RETRY_WITHIN_TICK = timedelta(seconds=30)


class Mood(StrEnum):
    """The answer to a weekly pulse."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"

    @property
    def needs_mentor(self) -> bool:
        """At risk or blocked: the mentor hears about it straight away."""
        return self is not Mood.ON_TRACK


# --- what a message says (rendered by the Slack adapter) ------------------------------------


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone in a review, with its current status."""

    id: str
    title: str
    status: MilestoneStatus
    note: str | None = None
    parent: str | None = None


@dataclass(frozen=True)
class HireLine:
    """One hire in a digest or a nudge."""

    user_id: str
    name: str
    day: int
    percent: int
    current_phase: str
    #: ``day 12``, or ``starts Mon 7 Dec`` before day 1: how the day is shown, never ``day -4``.
    day_label: str
    blocked: tuple[str, ...] = ()
    overdue: int = 0
    mood: str | None = None


@dataclass(frozen=True)
class Answer:
    """What the hire recorded on a message, and when (in their local time)."""

    mood: Mood | None = None
    statuses: dict[str, MilestoneStatus] = field(default_factory=dict)
    note: str | None = None
    at_local: str | None = None
    late: bool = False


@dataclass(frozen=True)
class Message:
    """Everything the adapter needs to render one check-in message (no Slack types here)."""

    outbox_id: int
    key: str
    kind: Kind
    recipient: str
    hire: HireLine | None = None
    plan_title: str = ""
    phase_id: str | None = None
    phase_title: str | None = None
    phase_due: date | None = None
    milestones: tuple[MilestoneLine, ...] = ()
    week: int | None = None
    reminder_of: Kind | None = None
    reason: str | None = None
    since: date | None = None
    manager: str | None = None
    mentors: tuple[str, ...] = ()
    hires: tuple[HireLine, ...] = ()
    answer: Answer | None = None
    working_days_left: int | None = None
    #: The hire's day 1 (the enrolled DM says "from Mon 7 Dec").
    day_one: date | None = None
    #: The hire's latest answered check-in (nudges show what they last said).
    last_checkin: LastCheckin | None = None

    @property
    def answerable(self) -> bool:
        """A message with controls the hire answers (a pulse, a review, or a reminder of one)."""
        return self.kind.asks_hire or self.reminder_of is not None


@dataclass(frozen=True)
class Posted:
    """Where a message landed."""

    channel: str
    ts: str


class DeliveryError(Exception):
    """Slack refused or failed; ``retryable`` and ``retry_after`` (seconds) say what to do."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class Messenger(Protocol):
    """Port to the chat platform (``bot.slack.delivery.SlackMessenger``)."""

    def open_dm(self, *, user_id: str) -> str:
        """The direct-message channel with ``user_id``."""
        ...

    def post(self, *, channel: str, message: Message) -> Posted:
        """Post ``message`` with metadata naming its outbox row; raise :class:`DeliveryError`."""
        ...

    def find(self, *, channel: str, outbox_id: int, key: str, since: datetime) -> Posted | None:
        """A message already posted for this outbox row since ``since``, if any."""
        ...

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        """Re-render a posted message in place."""
        ...

    def profile(self, *, user_id: str) -> Profile | None:
        """The person's name and time zone as Slack knows them."""
        ...


# --- reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One message the tick owes (or would send, in a dry run)."""

    key: str
    kind: Kind
    recipient: str
    due_at: datetime
    local_due: str
    state: str
    reason: str | None = None


@dataclass
class TickReport:
    """What one tick did: each row it handled once, under where it ended up.

    A row Slack pushes back (429, 5xx) may be tried several times in one tick; it is one row in
    :attr:`deferred` while it waits and leaves it when it is sent, skipped or fails, so counts
    are rows, never attempts (those are :attr:`retries`).
    """

    now: datetime
    dry_run: bool = False
    refreshed: list[str] = field(default_factory=list)
    #: Rows newly put in the outbox to be sent (by count: a busy minute has thousands).
    queued: int = 0
    sent: list[Planned] = field(default_factory=list)
    skipped: list[Planned] = field(default_factory=list)
    failed: list[Planned] = field(default_factory=list)
    reconciled: list[Planned] = field(default_factory=list)
    would_send: list[Planned] = field(default_factory=list)
    #: Rows waiting for a later time at the end of the tick, by key (see :attr:`deferred`).
    waiting: dict[str, Planned] = field(default_factory=dict)
    #: Posts Slack refused for now within this tick and that were (or will be) tried again.
    retries: int = 0

    @property
    def deferred(self) -> list[Planned]:
        """Rows still waiting (a send window, a Retry-After, a back-off): once each."""
        return list(self.waiting.values())

    def defer(self, planned: Planned) -> None:
        """``planned`` waits; a row deferred again keeps one entry, with the latest reason."""
        self.waiting[planned.key] = planned

    def settle(self, outcome: list[Planned], planned: Planned) -> None:
        """``planned`` ended up in ``outcome`` (sent, skipped or failed): no longer waiting."""
        self.waiting.pop(planned.key, None)
        outcome.append(planned)

    def as_json(self) -> dict[str, Any]:
        """The ``onramp tick --json`` shape."""

        def rows(items: list[Planned]) -> list[dict[str, Any]]:
            return [
                {
                    "key": p.key,
                    "kind": p.kind.value,
                    "recipient": p.recipient,
                    "due_at": p.due_at.isoformat(),
                    "local": p.local_due,
                    **({"reason": p.reason} if p.reason else {}),
                }
                for p in items
            ]

        data: dict[str, Any] = {"now": self.now.isoformat(), "dry_run": self.dry_run}
        if self.dry_run:
            data["would_send"] = rows(self.would_send)
            data["would_skip"] = rows(self.skipped)
            data["would_wait"] = rows(self.deferred)
            return data
        for name in ("sent", "skipped", "deferred", "failed", "reconciled"):
            data[name] = rows(getattr(self, name))
        data["refreshed_profiles"] = list(self.refreshed)
        data["queued"] = self.queued
        data["retries"] = self.retries
        return data


@dataclass(frozen=True)
class AnswerResult:
    """The message to show after an answer (updated in place), and what changed."""

    message: Message
    channel: str | None
    ts: str | None
    hire_user_id: str


# --- the service ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    id: int
    user_id: str
    calendar: LocalCalendar


class Checkins:
    """The check-in engine and the answers to check-ins."""

    def __init__(
        self,
        *,
        db: Database,
        catalog: PlanCatalog,
        clock: Clock,
        onboarding: Onboarding,
        defaults: Rules,
        default_tz: str = "UTC",
        holiday_country: str | None = None,
        messenger: Messenger | None = None,
        sleep: Callable[[float], None] = time_module.sleep,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.onboarding = onboarding
        self.defaults = defaults
        self.default_tz = default_tz
        # One workspace calendar: the one the progress views use, unless a test overrides it.
        self.holiday_country = holiday_country or onboarding.holiday_country
        self.messenger = messenger
        self.sleep = sleep
        self._slots: OrderedDict[tuple[str, date, str | None, str | None], tuple[Slot, ...]] = (
            OrderedDict()
        )
        self._known_keys: set[str] = set()
        #: user id → (not before, failures so far) after a failed users.info.
        self._profile_retry: dict[str, tuple[datetime, int]] = {}
        #: Set at shutdown: sending stops after the message in flight, claimed rows go back.
        self.stopping = threading.Event()
        self._holidays: dict[str | None, Container[date]] = {}
        self.calendar_work = CalendarWork(
            db=db,
            slots=lambda plan_id, start, tz, country: self.slots(
                plan_id=plan_id, start=start, tz=tz, country=country
            ),
            calendar=self.calendar,
        )

    # --- calendars ------------------------------------------------------------------------

    def rules_for(self, plan_id: str) -> Rules:
        """The cadence of a plan, gaps filled from the workspace defaults."""
        return self.defaults.with_cadence(self.catalog.get(plan_id).plan.checkins)

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
        self, *, plan_id: str, start: date, tz: str | None, country: str | None
    ) -> tuple[Slot, ...]:
        """The calendar of one enrollment (many hires share plan, start and zone).

        The most recently used calendars are kept (:data:`SLOT_CACHE`): computing one takes
        about 0.2 ms and holds about 11 KB, and the tick only asks again for a calendar when
        its group has something newly due, so keeping every calendar (49 MB at 10,000 hires)
        bought nothing.
        """
        cache_key = (plan_id, start, tz, country)
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
            )
            self._slots[cache_key] = found
        return found

    # --- tick -----------------------------------------------------------------------------

    def tick(self, now: datetime | None = None, *, dry_run: bool = False) -> TickReport:
        """Refresh stale profiles, derive due work into the outbox, then send what is due."""
        now = now or self.clock.now()
        report = TickReport(now=now, dry_run=dry_run)
        zones, checked = self._refresh(now=now, report=report, write=not dry_run)
        if dry_run:
            written = self.calendar_work.preview(
                now=now, checked_only=self.messenger is not None, zones=zones, checked=checked
            )
            derived = self.derive(now=now, zones=zones, checked=checked)
            self._dry_run(now, [_as_row(w) for w in written], derived, report, zones)
            return report
        self.enqueue(now=now, zones=zones, report=report)
        self.send_due(now=now, report=report)
        return report

    def enqueue(
        self,
        *,
        now: datetime,
        zones: dict[str, str] | None = None,
        report: TickReport | None = None,
    ) -> TickReport:
        """Step 2 of a tick alone: derive what is owed at ``now`` and insert it (no sending)."""
        report = report or TickReport(now=now)
        enqueued = self.calendar_work.enqueue(now=now, checked_only=self.messenger is not None)
        report.queued += enqueued.queued
        rows = self.derive(now=now, zones=zones)
        with self.db.transaction() as session:
            self._insert(session, rows, now, report)
        if enqueued.named:
            with self.db.read() as session:
                self._report_new(session, [_as_row(w) for w in enqueued.named], now, report)
        return report

    def refresh_profiles(
        self, *, now: datetime, report: TickReport | None = None, write: bool = True
    ) -> dict[str, str]:
        """Look up never-read and week-old Slack profiles; return the time zones found.

        In a dry run nothing is stored; the zones found are used for that run only.
        """
        return self._refresh(now=now, report=report, write=write)[0]

    def _refresh(
        self, *, now: datetime, report: TickReport | None, write: bool
    ) -> tuple[dict[str, str], set[str]]:
        """(zones found, user ids whose profile was read) in this round of lookups."""
        if self.messenger is None:
            return {}, set()
        with self.db.read() as session:
            fresh = repo.profiles_never_checked(
                session=session, limit=NEW_PROFILE_LOOKUPS_PER_TICK + len(self._profile_retry)
            )
            old = repo.profiles_checked_before(
                session=session,
                before=now - PROFILE_MAX_AGE,
                limit=PROFILE_LOOKUPS_PER_TICK + len(self._profile_retry),
            )
        ready = [u for u in fresh if self._may_look_up(u, now)][:NEW_PROFILE_LOOKUPS_PER_TICK]
        ready += [u for u in old if self._may_look_up(u, now)][:PROFILE_LOOKUPS_PER_TICK]
        found: dict[str, str] = {}
        checked: set[str] = set()
        for user_id in ready:
            try:
                profile = self.messenger.profile(user_id=user_id)
            except DeliveryError as exc:
                failures = self._profile_retry.get(user_id, (now, 0))[1] + 1
                wait = min(timedelta(minutes=2 ** (failures - 1)), PROFILE_RETRY_MAX)
                if exc.retry_after is not None:
                    wait = max(wait, timedelta(seconds=exc.retry_after))
                self._profile_retry[user_id] = (now + wait, failures)
                log.warning(
                    "could not look up %s in Slack (%s); retrying in %s", user_id, exc.reason, wait
                )
                if exc.retry_after is not None:
                    break  # rate limited: the rest wait for the next tick
                continue
            self._profile_retry.pop(user_id, None)
            checked.add(user_id)
            tz = profile.tz if profile and zone(profile.tz, "") else None
            if profile is not None and profile.tz and str(zone(profile.tz)) != profile.tz:
                tz = None  # a zone this machine doesn't know: keep the default
            if tz:
                found[user_id] = tz
            if write:
                with self.db.transaction() as session:
                    repo.touch_person(
                        session=session,
                        user_id=user_id,
                        tz=tz,
                        display_name=profile.display_name if profile else None,
                        now=now,
                    )
            if report is not None:
                report.refreshed.append(user_id)
        return found, checked

    def _may_look_up(self, user_id: str, now: datetime) -> bool:
        retry = self._profile_retry.get(user_id)
        return retry is None or retry[0] <= now

    # --- derive ---------------------------------------------------------------------------

    def derive(
        self,
        *,
        now: datetime,
        zones: dict[str, str] | None = None,
        checked: Container[str] = (),
    ) -> list[repo.NewRow]:
        """The event-driven rows owed at ``now`` (not yet inserted; keys make it idempotent).

        Reminders, silence nudges and escalations, blocker nudges and escalations: derived from
        the outbox and milestone state. The scheduled kinds (check-ins, digests) are written
        set-based by :class:`CalendarWork`. With Slack configured, nothing goes to someone whose
        profile was never read (``checked``: user ids read in this run, for a dry run).
        """
        zones = zones or {}
        with self.db.read() as session:
            rows = self._event_rows(session, now, zones)
            if rows and self.messenger is not None:
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
                calendar=self.calendar(zones.get(p.user_id, p.tz), p.holiday_country),
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
        nudges = repo.sent_since(
            session=session, kinds=[Kind.MENTOR_NUDGE.value], since=now - EVENT_LOOKBACK
        )
        enrollment_ids = {r.enrollment_id for r in unanswered} | {b.enrollment_id for b in blocked}
        mentors = repo.mentor_pairs(session=session, enrollment_ids=sorted(enrollment_ids))
        # Plan ids in one query, not one per unanswered row (the soak test's hot spot).
        managers, plan_ids = _managers(session, enrollment_ids), _plan_ids(session, enrollment_ids)
        person_ids = {r.recipient_id for r in unanswered} | set(managers.values())
        person_ids |= {m for ms in mentors.values() for m in ms}
        people = self._people(session, person_ids, zones)
        default_calendar = self.calendar(None, None)

        def cal(person_id: int) -> LocalCalendar:
            found = people.get(person_id)
            return found.calendar if found else default_calendar

        def rules(enrollment_id: int) -> Rules:
            plan_id = plan_ids.get(enrollment_id) or _plan_ids(session, [enrollment_id]).get(
                enrollment_id
            )
            return self.rules_for(plan_id) if plan_id else self.defaults

        # Reminders: a check-in unanswered after N working days, while it is still current.
        first_unanswered: dict[int, Any] = {}
        for row in unanswered:
            stale = _parse_time(row.payload.get("stale_at"))
            r = rules(row.enrollment_id)
            due = after_working_days(
                calendar=cal(row.recipient_id),
                since=row.sent_at,
                count=r.reminder_after_working_days,
            )
            if due <= now and (stale is None or now < stale):
                rows.append(
                    repo.NewRow(
                        key=f"{Kind.REMINDER.value}:{row.key}",
                        kind=Kind.REMINDER.value,
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
                )
            active = row.last_activity_at
            if row.enrollment_id not in first_unanswered and (
                active is None or row.sent_at > active
            ):
                first_unanswered[row.enrollment_id] = row

        rows.extend(
            _silence_rows(
                first_unanswered, now=now, rules=rules, cal=cal, mentors=mentors, managers=managers
            )
        )

        # Blockers: a nudge for every fresh block (backstop for the observer), and an escalation
        # when the mentor has had M working days since their nudge and it is still blocked.
        still_blocked = {(b.enrollment_id, b.milestone_id): b for b in blocked}
        for b in blocked:
            if b.updated_at < now - BLOCK_BACKSTOP:
                continue
            rows.extend(
                _blocked_nudges(
                    enrollment_id=b.enrollment_id,
                    milestone_id=b.milestone_id,
                    since=b.updated_at,
                    note=b.note,
                    recipients=mentors.get(b.enrollment_id) or [managers[b.enrollment_id]],
                    due_at=min(b.updated_at, now),
                )
            )
        for nudge in nudges:
            milestone_id = nudge.payload.get("milestone_id")
            state = still_blocked.get((nudge.enrollment_id, milestone_id))
            if state is None or nudge.payload.get("since") != _stamp(state.updated_at):
                continue
            manager = managers.get(nudge.enrollment_id)
            if manager is None:
                manager = _managers(session, [nudge.enrollment_id]).get(nudge.enrollment_id)
            if manager is None or manager == nudge.recipient_id:
                continue  # the manager was the one nudged: escalating to them adds nothing
            r = rules(nudge.enrollment_id)
            escalate_at = after_working_days(
                calendar=cal(manager) if manager in people else default_calendar,
                since=nudge.sent_at,
                count=r.escalate_after_working_days,
            )
            if escalate_at <= now:
                rows.append(
                    repo.NewRow(
                        key=(
                            f"{Kind.ESCALATION.value}:{nudge.enrollment_id}:blocked:"
                            f"{milestone_id}:{nudge.payload.get('since')}"
                        ),
                        kind=Kind.ESCALATION.value,
                        recipient_id=manager,
                        due_at=escalate_at,
                        enrollment_id=nudge.enrollment_id,
                        payload={
                            "reason": "blocked",
                            "milestone_id": milestone_id,
                            "since": _local_day(state.updated_at, cal(manager)).isoformat(),
                        },
                    )
                )
        return [r for r in rows if r.key not in self._known_keys]

    def _insert(
        self, session: Any, rows: Sequence[repo.NewRow], now: datetime, report: TickReport
    ) -> None:
        if not rows:
            return
        unique = list({r.key: r for r in rows}.values())
        inserted = set(repo.insert_new(session=session, rows=unique, now=now))
        if len(self._known_keys) > 500_000:
            self._known_keys.clear()
        self._known_keys.update(r.key for r in unique)
        self._report_new(session, [r for r in unique if r.key in inserted], now, report)

    def _report_new(
        self, session: Any, rows: Sequence[repo.NewRow], now: datetime, report: TickReport
    ) -> None:
        """Count rows just written; name those skipped or waiting, with local due times."""
        shown = [r for r in rows if r.state == repo.SKIPPED or _waits(r, now)]
        report.queued += sum(1 for r in rows if r.state != repo.SKIPPED)
        # One column query for the recipients shown, not an ORM load (or a query) per row.
        people = repo.user_ids_and_zones(
            session=session, person_ids={r.recipient_id for r in shown}
        )
        for r in shown:
            planned = self._planned(r, people)
            if r.state == repo.SKIPPED:
                report.skipped.append(planned)
            elif r.not_before is not None:
                window = self._local_text(people.get(r.recipient_id, ("?", None))[1], r.not_before)
                reason = f"waits for the recipient's send window ({window})"
                report.defer(replace(planned, reason=reason))

    def _planned(
        self,
        row: repo.NewRow | Outbox,
        people: Mapping[int, tuple[str, str | None]],
        zones: Mapping[str, str] | None = None,
    ) -> Planned:
        """``row`` as the tick report shows it: recipient's user id, due time in their zone
        (``zones``: zones a dry run has just read, over the stored ones)."""
        user_id, tz = people.get(row.recipient_id, ("?", None))
        tz = (zones or {}).get(user_id, tz)
        return Planned(
            key=row.key,
            kind=Kind(row.kind),
            recipient=user_id,
            due_at=row.due_at,
            local_due=self._local_text(tz, row.due_at),
            state=row.state,
            reason=row.reason,
        )

    def _local_text(self, tz: str | None, when: datetime) -> str:
        where = zone(tz, self.default_tz)
        return f"{when.astimezone(where):%a %Y-%m-%d %H:%M} {where.key}"

    def _dry_run(
        self,
        now: datetime,
        fresh: Sequence[repo.NewRow],
        derived: Sequence[repo.NewRow],
        report: TickReport,
        zones: dict[str, str],
    ) -> None:
        """Fill a dry run's report: ``fresh`` rows are known to be new; ``derived`` ones are
        checked against the outbox; pending rows already due would go out too."""
        with self.db.read() as session:
            existing = repo.existing_keys(session=session, keys=[r.key for r in derived])
            rows = [*fresh, *(r for r in derived if r.key not in existing)]
            pending = [
                row
                for row in repo.rows_where(session=session, states=[repo.PENDING])
                if row.due_at <= now and (row.not_before is None or row.not_before <= now)
            ]
            # One column query for every recipient shown, not a query per row.
            recipients = {r.recipient_id for r in rows} | {r.recipient_id for r in pending}
            people = repo.user_ids_and_zones(session=session, person_ids=recipients)
        for r in rows:
            planned = self._planned(r, people, zones)
            if r.state == repo.SKIPPED:
                report.skipped.append(planned)
            elif r.not_before is not None and r.not_before > now:
                wait = replace(
                    planned,
                    reason=f"waits for the send window ({r.not_before:%Y-%m-%d %H:%M} UTC)",
                )
                report.defer(wait)
            else:
                report.would_send.append(planned)
        report.would_send += [
            replace(self._planned(row, people, zones), reason=None) for row in pending
        ]
        report.would_send.sort(key=lambda p: (p.recipient, p.due_at, p.key))

    # --- send -----------------------------------------------------------------------------

    def send_due(
        self, *, now: datetime | None = None, report: TickReport | None = None
    ) -> TickReport:
        """Reconcile abandoned sends, then claim and send every due row (within a time budget)."""
        if self.messenger is None:
            raise InvalidInput(
                "Slack is not configured: set SLACK_BOT_TOKEN (and SLACK_API_URL for a proxy or "
                "the sandbox), or use --dry-run to see what would be sent."
            )
        now = now or self.clock.now()
        report = report or TickReport(now=now)
        self.reconcile(now=now, report=report)
        token = uuid.uuid4().hex
        started = self.clock.now()
        cooling: dict[str, datetime] = {}
        while not self.stopping.is_set() and self.clock.now() - started < SEND_BUDGET:
            current = max(now, self.clock.now())
            with self.db.transaction() as session:
                claimed = repo.claim(session=session, now=current, token=token, limit=CLAIM_BATCH)
            if claimed:
                ordered = _round_robin(claimed)
                for index, row in enumerate(ordered):
                    if self.stopping.is_set():
                        self._release(ordered[index:], token, "released at shutdown")
                        break
                    if self.clock.now() - started >= SEND_BUDGET:
                        # The time budget is checked per row: a slow Slack never keeps a claimed
                        # batch waiting in ``sending`` past the tick.
                        self._release(ordered[index:], token, "the tick's time budget ran out")
                        break
                    self._send_one(row, token, now, report, cooling)
                continue
            # Nothing claimable: wait for a short Retry-After if that lets a row go this tick.
            waiting = [t for t in cooling.values() if t > self.clock.now()]
            if not waiting:
                break
            wait = min(waiting) - self.clock.now()
            if wait > RETRY_WITHIN_TICK or self.clock.now() + wait - started >= SEND_BUDGET:
                break
            self.sleep(wait.total_seconds())
            cooling = {c: t for c, t in cooling.items() if t > self.clock.now()}
        return report

    def _release(self, rows: Sequence[Outbox], token: str, why: str) -> None:
        """Give claimed, unsent rows back (``pending``, due now) so no row waits in ``sending``."""
        with self.db.transaction() as session:
            for row in rows:
                if row.id is not None:
                    repo.mark_deferred(
                        session=session,
                        outbox_id=row.id,
                        token=token,
                        not_before=self.clock.now(),
                        reason=f"{why}; the next tick sends it",
                    )
        log.info("%s: %d claimed check-ins released for the next tick", why, len(rows))

    def _send_one(
        self,
        row: Outbox,
        token: str,
        now: datetime,
        report: TickReport,
        cooling: dict[str, datetime],
    ) -> None:
        assert row.id is not None  # noqa: S101 - claimed rows exist
        with self.db.read() as session:
            person = people_repo.get_person_by_id(session=session, person_id=row.recipient_id)
        if person is None:
            raise NotFound(f"person {row.recipient_id} is gone")
        recipient = person.user_id
        planned = Planned(
            key=row.key,
            kind=Kind(row.kind),
            recipient=recipient,
            due_at=row.due_at,
            local_due="",
            state=row.state,
        )
        skip = self._why_skip(row, now)
        if skip is not None:
            with self.db.transaction() as session:
                repo.mark_skipped(session=session, outbox_id=row.id, token=token, reason=skip)
            report.settle(report.skipped, replace(planned, state=repo.SKIPPED, reason=skip))
            return
        current = max(now, self.clock.now())
        if not _immediate(row) and (current - row.due_at > LATE_AFTER or _at_once(row)):
            # Late, outside the recipient's send window (their working day, from the send
            # time): wait for the next one, unless the item is stale by then. Rows due the
            # moment something happened (the enrolled DM) wait for a window from the start.
            calendar = self.calendar(person.tz, person.holiday_country)
            window = calendar.next_send_window(current)
            if window > current:
                stale = _parse_time(row.payload.get("stale_at"))
                local = in_zone(window, calendar)
                with self.db.transaction() as session:
                    if stale is not None and window >= stale:
                        reason = f"stale before the recipient's next send window ({local})"
                        repo.mark_skipped(
                            session=session, outbox_id=row.id, token=token, reason=reason
                        )
                        report.settle(
                            report.skipped, replace(planned, state=repo.SKIPPED, reason=reason)
                        )
                        return
                    reason = f"waits for the recipient's send window ({local})"
                    repo.mark_deferred(
                        session=session,
                        outbox_id=row.id,
                        token=token,
                        not_before=window,
                        reason=reason,
                    )
                report.defer(replace(planned, state=repo.PENDING, reason=reason))
                return
        try:
            message = self.compose(row)
        except OnrampError as exc:
            with self.db.transaction() as session:
                repo.mark_skipped(session=session, outbox_id=row.id, token=token, reason=str(exc))
            report.settle(report.skipped, replace(planned, state=repo.SKIPPED, reason=str(exc)))
            return
        assert self.messenger is not None  # noqa: S101 - checked by send_due
        channel: str | None = None
        try:
            channel = self.messenger.open_dm(user_id=recipient)
            _check_cooling(cooling, channel, self.clock.now())
            # Still ours? Another replica may have reconciled it while this sender was slow;
            # renewing the lease right before the post keeps it from doing so now.
            with self.db.transaction() as session:
                ours = repo.renew_claim(
                    session=session, outbox_id=row.id, token=token, now=self.clock.now()
                )
            if not ours:
                log.warning("outbox %s (%s): claim lost before posting; not sent", row.id, row.key)
                return
            posted = self.messenger.post(channel=channel, message=message)
        except DeliveryError as exc:
            self._delivery_failed(row, token, exc, channel, planned, report, cooling)
            return
        with self.db.transaction() as session:
            repo.mark_sent(
                session=session,
                outbox_id=row.id,
                token=token,
                channel=posted.channel,
                ts=posted.ts,
                now=self.clock.now(),
            )
        report.settle(report.sent, replace(planned, state=repo.SENT))

    def _delivery_failed(
        self,
        row: Outbox,
        token: str,
        exc: DeliveryError,
        channel: str | None,
        planned: Planned,
        report: TickReport,
        cooling: dict[str, datetime],
    ) -> None:
        assert row.id is not None  # noqa: S101 - claimed rows exist
        now = self.clock.now()
        # A 429 says "not yet", never "no": a rate-limited row is retried however often Slack
        # pushed back (a busy fan-out refuses some rows many times), other errors MAX_ATTEMPTS.
        rate_limited = exc.retry_after is not None
        if exc.retryable and (rate_limited or row.attempts < MAX_ATTEMPTS):
            wait = exc.retry_after if exc.retry_after is not None else 2**row.attempts * 15
            not_before = now + timedelta(seconds=max(wait, 1.0))
            if channel is not None and exc.retry_after is not None:
                cooling[channel] = not_before
            with self.db.transaction() as session:
                repo.mark_retry(
                    session=session,
                    outbox_id=row.id,
                    token=token,
                    not_before=not_before,
                    reason=exc.reason,
                )
            report.retries += 1
            report.defer(replace(planned, state=repo.PENDING, reason=exc.reason))
            return
        reason = (
            exc.reason
            if not exc.retryable
            else f"gave up after {row.attempts} attempts: {exc.reason}"
        )
        with self.db.transaction() as session:
            repo.mark_failed(session=session, outbox_id=row.id, token=token, reason=reason)
        log.warning("outbox %s (%s) failed: %s", row.id, row.key, reason)
        report.settle(report.failed, replace(planned, state=repo.FAILED, reason=reason))

    def _why_skip(self, row: Outbox, now: datetime) -> str | None:
        """Why a claimed row should not go out after all (None: send it)."""
        with self.db.read() as session:
            if row.enrollment_id is not None:
                status = repo.enrollment_statuses(session=session, ids=[row.enrollment_id]).get(
                    row.enrollment_id
                )
                if status != "active":
                    return f"the plan is {status}; check-ins resume only on an active plan"
            stale = _parse_time(row.payload.get("stale_at"))
            if stale is not None and now >= stale:
                if row.kind == Kind.PULSE.value:
                    return "superseded: a newer pulse is due"
                return f"stale: no longer relevant after {stale:%Y-%m-%d %H:%M} UTC"
            if self._pulse_mood(row, session) == Mood.ON_TRACK.value:
                return "the hire has answered that pulse on track since"
            target_id = row.payload.get("for")
            if row.kind == Kind.REMINDER.value and isinstance(target_id, int):
                target = repo.get(session=session, outbox_id=target_id)
                if target is not None and target.answered_at is not None:
                    return "answered before the reminder went out"
        return None

    def reconcile(self, *, now: datetime, report: TickReport | None = None) -> None:
        """Settle rows a dead sender left in ``sending``: sent if Slack has it, else retry."""
        if self.messenger is None:
            return
        token = uuid.uuid4().hex
        with self.db.transaction() as session:
            stuck = repo.stuck_sending(
                session=session, claimed_before=self.clock.now() - SENDING_LEASE, limit=100
            )
            taken = [
                row
                for row in stuck
                if row.id is not None
                and repo.take_over(
                    session=session,
                    outbox_id=row.id,
                    old_token=row.claim_token,
                    token=token,
                    now=self.clock.now(),
                )
            ]
        for row in taken:
            assert row.id is not None  # noqa: S101 - filtered above
            recipient = self._user_id(row.recipient_id)
            since = (row.claimed_at or row.created_at) - timedelta(minutes=5)
            try:
                channel = self.messenger.open_dm(user_id=recipient)
                found = self.messenger.find(
                    channel=channel, outbox_id=row.id, key=row.key, since=since
                )
            except DeliveryError as exc:
                log.warning("could not reconcile outbox %s yet: %s", row.id, exc.reason)
                with self.db.transaction() as session:
                    repo.mark_retry(
                        session=session,
                        outbox_id=row.id,
                        token=token,
                        not_before=self.clock.now() + timedelta(seconds=30),
                        reason=f"reconcile: {exc.reason}",
                    )
                continue
            with self.db.transaction() as session:
                if found is not None:
                    repo.mark_sent(
                        session=session,
                        outbox_id=row.id,
                        token=token,
                        channel=found.channel,
                        ts=found.ts,
                        now=self.clock.now(),
                    )
                else:
                    repo.mark_retry(
                        session=session,
                        outbox_id=row.id,
                        token=token,
                        not_before=now,
                        reason="a sender stopped mid-send; not in the DM history, sending again",
                    )
            if report is not None:
                report.reconciled.append(
                    Planned(
                        key=row.key,
                        kind=Kind(row.kind),
                        recipient=recipient,
                        due_at=row.due_at,
                        local_due="",
                        state=repo.SENT if found else repo.PENDING,
                        reason="found in the DM history" if found else "not posted; retrying",
                    )
                )

    # --- composing messages ---------------------------------------------------------------

    def compose(self, row: Outbox) -> Message:
        """What a row says, from the data as it is now (so a late message is still accurate)."""
        assert row.id is not None  # noqa: S101 - rows read from the database have ids
        kind = Kind(row.kind)
        recipient = self._user_id(row.recipient_id)
        base = Message(outbox_id=row.id, key=row.key, kind=kind, recipient=recipient)
        if kind in (Kind.MENTOR_DIGEST, Kind.MANAGER_DIGEST):
            actor = Actor.slack(recipient)
            reports = (
                self.onboarding.mentees(actor=actor)
                if kind is Kind.MENTOR_DIGEST
                else self.onboarding.team(actor=actor)
            )
            hires = tuple(_hire_line(r) for r in reports if r.status.value == "active")
            if not hires:
                raise NotFound("nobody to report on this week")
            return replace(base, hires=hires, week=None, reason=row.payload.get("week"))
        report = self._report_of(row)
        hire = _hire_line(report)
        base = replace(
            base,
            hire=hire,
            plan_title=report.plan.plan.title,
            manager=report.manager.user_id,
            mentors=tuple(m.user_id for m in report.mentors),
            answer=_answer_of(row, self._calendar_of_user(recipient)),
            day_one=report.summary.day_one,
            last_checkin=report.last_checkin,
        )
        if kind is Kind.REMINDER:
            target_id = row.payload.get("for")
            target = self._row(int(target_id)) if isinstance(target_id, int) else None
            if target is None:
                raise NotFound("the check-in this reminder is for no longer exists")
            original = self._compose_checkin(target, base, report)
            return replace(
                original, outbox_id=row.id, key=row.key, kind=kind, reminder_of=original.kind
            )
        return self._compose_checkin(row, base, report)

    def _compose_checkin(self, row: Outbox, base: Message, report: EnrollmentReport) -> Message:
        kind = Kind(row.kind)
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
            answer=_answer_of(row, self._calendar_of_user(report.hire.user_id)),
        )
        if kind is Kind.PULSE:
            return replace(common, week=row.payload.get("week"))
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
                reason=self._pulse_mood(row) or row.payload.get("reason"),
                since=date.fromisoformat(since[:10]) if isinstance(since, str) else None,
                phase_id=None,
            )
        return common

    def _pulse_mood(self, row: Outbox, session: Any = None) -> str | None:
        """The pulse's answer now, for a nudge about that pulse (``None`` for other rows)."""
        pulse_id = row.payload.get("pulse")
        if row.kind != Kind.MENTOR_NUDGE.value or not isinstance(pulse_id, int):
            return None
        if session is None:
            pulse = self._row(pulse_id)
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

    def _row(self, outbox_id: int) -> Outbox | None:
        with self.db.read() as session:
            return repo.get(session=session, outbox_id=outbox_id)

    def _user_id(self, person_id: int) -> str:
        with self.db.read() as session:
            person = people_repo.get_person_by_id(session=session, person_id=person_id)
        if person is None:
            raise NotFound(f"person {person_id} is gone")
        return person.user_id

    def _calendar_of_user(self, user_id: str) -> LocalCalendar:
        with self.db.read() as session:
            person = people_repo.get_person(session=session, user_id=user_id)
        return self.calendar(
            person.tz if person else None, person.holiday_country if person else None
        )

    # --- answers --------------------------------------------------------------------------

    def _answerable(self, outbox_id: int, user_id: str) -> tuple[Outbox, Outbox]:
        """(the row clicked, the check-in it answers), checking it is the hire's own."""
        clicked = self._row(outbox_id)
        if clicked is None:
            raise NotFound("This check-in is no longer on record; open the Onramp Home tab.")
        target = clicked
        if clicked.kind == Kind.REMINDER.value and isinstance(clicked.payload.get("for"), int):
            target = self._row(int(clicked.payload["for"])) or clicked
        if self._user_id(clicked.recipient_id) != user_id:
            raise PermissionDenied("Only the person this check-in was sent to can answer it.")
        return clicked, target

    def answer_mood(self, *, user_id: str, outbox_id: int, mood: Mood | str) -> AnswerResult:
        """Record a pulse answer; at risk or blocked nudges the mentor straight away."""
        if isinstance(mood, str):
            try:
                mood = Mood(mood)
            except ValueError:
                raise InvalidInput(
                    f"'{mood}' is not a pulse answer; use on_track, at_risk or blocked"
                ) from None
        clicked, target = self._answerable(outbox_id, user_id)
        assert target.id is not None  # noqa: S101 - rows read from the database have ids
        assert target.enrollment_id is not None  # noqa: S101 - check-ins belong to a plan
        now = self.clock.now()
        with self.db.transaction() as session:
            status = repo.enrollment_statuses(session=session, ids=[target.enrollment_id])
            if status.get(target.enrollment_id) not in ("active", "paused"):
                raise PermissionDenied("This plan has ended; answers are no longer recorded.")
            repo.record_answer(
                session=session, outbox_id=target.id, answer={"mood": mood.value}, now=now
            )
            if clicked.id != target.id and clicked.id is not None:
                repo.record_answer(
                    session=session, outbox_id=clicked.id, answer={"mood": mood.value}, now=now
                )
            repo.record_mood(
                session=session, enrollment_id=target.enrollment_id, mood=mood.value, now=now
            )
            if mood.needs_mentor:
                recipients = _nudge_recipients(session, target.enrollment_id)
                # Keyed on the check-in, not the mood: "at risk" then "blocked" on the same
                # pulse is one nudge, which says the mood as it is when it goes out.
                repo.insert_new(
                    session=session,
                    rows=[
                        repo.NewRow(
                            key=f"{Kind.MENTOR_NUDGE.value}:{target.enrollment_id}:pulse:{target.id}:to{pid}",
                            kind=Kind.MENTOR_NUDGE.value,
                            recipient_id=pid,
                            due_at=now,
                            enrollment_id=target.enrollment_id,
                            payload={"reason": mood.value, "pulse": target.id},
                        )
                        for pid in recipients
                    ],
                    now=now,
                )
        return self._result(clicked)

    def answer_milestone(
        self, *, user_id: str, outbox_id: int, milestone_id: str, status: MilestoneStatus | str
    ) -> AnswerResult:
        """Record a milestone status from a review (through Onboarding.mark, source checkin)."""
        clicked, target = self._answerable(outbox_id, user_id)
        assert target.id is not None  # noqa: S101 - rows read from the database have ids
        assert target.enrollment_id is not None  # noqa: S101 - check-ins belong to a plan
        self.onboarding.mark(
            actor=Actor.slack(user_id), milestone_id=milestone_id, status=status, source="checkin"
        )
        parsed = status if isinstance(status, MilestoneStatus) else MilestoneStatus.parse(status)
        now = self.clock.now()
        with self.db.transaction() as session:
            for row in {target.id, clicked.id} - {None}:
                assert row is not None  # noqa: S101
                existing = repo.get(session=session, outbox_id=row)
                statuses = dict((existing.answer or {}).get("statuses", {})) if existing else {}
                statuses[milestone_id] = parsed.value
                repo.record_answer(
                    session=session, outbox_id=row, answer={"statuses": statuses}, now=now
                )
            repo.record_activity(session=session, enrollment_id=target.enrollment_id, now=now)
        return self._result(clicked)

    def add_note(self, *, user_id: str, outbox_id: int, note: str) -> AnswerResult:
        """Attach a note to a check-in answer (shown to the manager and mentors)."""
        text = note.strip()
        if not text:
            raise InvalidInput("The note is empty; write a sentence or close the dialog.")
        if len(text) > 2000:
            raise InvalidInput("Notes are limited to 2000 characters; shorten it.")
        clicked, target = self._answerable(outbox_id, user_id)
        assert target.enrollment_id is not None  # noqa: S101
        now = self.clock.now()
        with self.db.transaction() as session:
            for row in {target.id, clicked.id} - {None}:
                assert row is not None  # noqa: S101
                repo.record_answer(session=session, outbox_id=row, answer={"note": text}, now=now)
            repo.record_activity(session=session, enrollment_id=target.enrollment_id, now=now)
        return self._result(clicked)

    def message_for(self, *, outbox_id: int) -> Message:
        """The current rendering data of a posted message (to update it in place)."""
        row = self._row(outbox_id)
        if row is None:
            raise NotFound("This check-in is no longer on record.")
        return self.compose(row)

    def _result(self, clicked: Outbox) -> AnswerResult:
        assert clicked.id is not None  # noqa: S101
        row = self._row(clicked.id) or clicked
        message = self.compose(row)
        return AnswerResult(
            message=message,
            channel=row.channel,
            ts=row.ts,
            hire_user_id=message.hire.user_id if message.hire else message.recipient,
        )

    # --- nudges from progress changes -----------------------------------------------------

    def enqueue_block_nudge(self, change: ProgressChange) -> None:
        """A milestone just became blocked: owe each mentor (else the manager) a nudge now."""
        with self.db.transaction() as session:
            recipients = _nudge_recipients(session, change.enrollment_id)
            states = people_repo.milestone_states(
                session=session, enrollment_id=change.enrollment_id
            )
            state = states.get(change.milestone_id)
            since = state.updated_at if state is not None else change.at
            repo.insert_new(
                session=session,
                rows=_blocked_nudges(
                    enrollment_id=change.enrollment_id,
                    milestone_id=change.milestone_id,
                    since=since,
                    note=change.note,
                    recipients=recipients,
                    due_at=change.at,
                ),
                now=change.at,
            )


class NudgeObserver:
    """A :class:`ProgressObserver`: blocked from any surface → an immediate mentor nudge."""

    def __init__(self, checkins: Checkins) -> None:
        self.checkins = checkins

    def progress_changed(self, change: ProgressChange) -> None:
        """Owe the mentors a nudge when a milestone becomes blocked; never raise into the caller."""
        if (
            change.status is not MilestoneStatus.BLOCKED
            or change.previous is MilestoneStatus.BLOCKED
        ):
            return
        try:
            self.checkins.enqueue_block_nudge(change)
        except Exception:  # the change is committed; the tick's backstop will catch up
            log.exception("could not enqueue the mentor nudge for %s", change.milestone_id)


# --- helpers --------------------------------------------------------------------------------


def _as_row(written: Written) -> repo.NewRow:
    """A row :class:`CalendarWork` wrote (or would write), as the tick report shows it."""
    owed = written.owed
    return repo.NewRow(
        key=written.key,
        kind=owed.kind,
        recipient_id=written.recipient_id,
        due_at=owed.due_at,
        payload=owed.payload,
        state=owed.state,
        reason=owed.reason,
        not_before=owed.not_before,
    )


def _waits(row: repo.NewRow, now: datetime) -> bool:
    """A new row held back until the recipient's next send window."""
    return row.not_before is not None and row.not_before > now


def _immediate(row: Outbox) -> bool:
    """A nudge about a blocker or an at-risk answer: goes out at once, any hour."""
    return row.kind == Kind.MENTOR_NUDGE.value and row.payload.get("reason") != "silent"


def _at_once(row: Outbox) -> bool:
    """Due when something happened rather than at a send time: the hire's enrolled DM."""
    return row.kind == Kind.ENROLLED.value


def _silence_rows(
    first_unanswered: dict[int, Any],
    *,
    now: datetime,
    rules: Callable[[int], Rules],
    cal: Callable[[int], LocalCalendar],
    mentors: dict[int, list[int]],
    managers: dict[int, int],
) -> list[repo.NewRow]:
    """Silence nudges and escalations (``first_unanswered``: enrollment → oldest unanswered row).

    One nudge and one escalation per silence, keyed by when it began (the last activity), not
    by which check-in is oldest in the look-back window: a long silence never repeats them. Each
    is due at its recipient's send time, N working days later in the recipient's calendar.
    """
    rows: list[repo.NewRow] = []
    for enrollment_id, row in first_unanswered.items():
        r = rules(enrollment_id)
        active = row.last_activity_at
        episode = _stamp(active) if active is not None else "never"
        for recipient in mentors.get(enrollment_id) or [managers[enrollment_id]]:
            their_cal = cal(recipient)
            nudge_at = after_working_days(
                calendar=their_cal,
                since=row.sent_at,
                count=r.mentor_nudge_after_silent_working_days,
            )
            if nudge_at <= now:
                rows.append(
                    repo.NewRow(
                        key=f"{Kind.MENTOR_NUDGE.value}:{enrollment_id}:silent:{episode}:to{recipient}",
                        kind=Kind.MENTOR_NUDGE.value,
                        recipient_id=recipient,
                        due_at=nudge_at,
                        enrollment_id=enrollment_id,
                        payload={
                            "reason": "silent",
                            "since": their_cal.today(row.sent_at).isoformat(),
                        },
                    )
                )
        manager_cal = cal(managers[enrollment_id])
        escalate_at = after_working_days(
            calendar=manager_cal, since=row.sent_at, count=r.escalate_after_working_days
        )
        if escalate_at <= now:
            rows.append(
                repo.NewRow(
                    key=f"{Kind.ESCALATION.value}:{enrollment_id}:silent:{episode}",
                    kind=Kind.ESCALATION.value,
                    recipient_id=managers[enrollment_id],
                    due_at=escalate_at,
                    enrollment_id=enrollment_id,
                    payload={
                        "reason": "silent",
                        "since": manager_cal.today(row.sent_at).isoformat(),
                    },
                )
            )
    return rows


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")


def _blocked_nudges(
    *,
    enrollment_id: int,
    milestone_id: str,
    since: datetime,
    note: str | None,
    recipients: Sequence[int],
    due_at: datetime,
) -> list[repo.NewRow]:
    stamp = _stamp(since)
    return [
        repo.NewRow(
            key=f"{Kind.MENTOR_NUDGE.value}:{enrollment_id}:blocked:{milestone_id}:{stamp}:to{pid}",
            kind=Kind.MENTOR_NUDGE.value,
            recipient_id=pid,
            due_at=due_at,
            enrollment_id=enrollment_id,
            payload={
                "reason": "blocked",
                "milestone_id": milestone_id,
                "since": stamp,
                **({"note": note[:500]} if note else {}),
            },
        )
        for pid in recipients
    ]


def _nudge_recipients(session: Any, enrollment_id: int) -> list[int]:
    mentors = people_repo.mentor_ids(session=session, enrollment_id=enrollment_id)
    if mentors:
        return mentors
    manager = _managers(session, [enrollment_id]).get(enrollment_id)
    return [manager] if manager is not None else []


def _managers(session: Any, enrollment_ids: Iterable[int]) -> dict[int, int]:
    return repo.managers_of(session=session, enrollment_ids=enrollment_ids)


def _plan_ids(session: Any, enrollment_ids: Iterable[int]) -> dict[int, str]:
    return repo.plans_of(session=session, enrollment_ids=enrollment_ids)


def _user_ids(session: Any, person_ids: Iterable[int]) -> dict[int, str]:
    return {
        pid: p.user_id
        for pid, p in people_repo.people_by_ids(session=session, ids=person_ids).items()
    }


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _local_day(when: datetime, calendar: LocalCalendar) -> date:
    return calendar.today(when)


def _check_cooling(cooling: dict[str, datetime], channel: str, now: datetime) -> None:
    """Don't post to a channel Slack asked us to leave alone (429 Retry-After) until it's time."""
    until = cooling.get(channel)
    if until is not None and now < until:
        raise DeliveryError(
            "rate limited on this channel",
            retryable=True,
            retry_after=(until - now).total_seconds(),
        )


def _round_robin(rows: Sequence[Outbox]) -> list[Outbox]:
    """Interleave recipients so two posts to one DM are as far apart as the batch allows."""
    by_recipient: dict[int, list[Outbox]] = defaultdict(list)
    for row in rows:
        by_recipient[row.recipient_id].append(row)
    ordered: list[Outbox] = []
    queues = list(by_recipient.values())
    while queues:
        for queue in queues:
            ordered.append(queue.pop(0))
        queues = [q for q in queues if q]
    return ordered


def _hire_line(report: EnrollmentReport) -> HireLine:
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


def _answer_of(row: Outbox, calendar: LocalCalendar) -> Answer | None:
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
    stale = _parse_time(row.payload.get("stale_at"))
    return Answer(
        mood=Mood(mood) if isinstance(mood, str) and mood in Mood._value2member_map_ else None,
        statuses=statuses,
        note=data.get("note"),
        at_local=f"{local:%a %d %b %H:%M}",
        late=stale is not None and row.answered_at >= stale,
    )


__all__ = [
    "Answer",
    "AnswerResult",
    "Checkins",
    "DeliveryError",
    "HireLine",
    "Message",
    "Messenger",
    "MilestoneLine",
    "Mood",
    "NudgeObserver",
    "Planned",
    "Posted",
    "TickReport",
]
