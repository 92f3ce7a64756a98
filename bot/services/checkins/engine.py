"""The check-in engine as one object: :class:`Checkins` wires the steps and runs a tick.

It holds no logic of its own beyond the order of a tick; each method hands over to the part
that does the job (see the package docstring for the reading order). The messenger and the
sleep function may be swapped after construction (the CLI, the demo and tests do), so they are
properties that hand the new one to the parts that talk to Slack.
"""

from __future__ import annotations

import time as time_module
from collections.abc import Callable, Container
from datetime import date, datetime

from bot.domain.progress import MilestoneStatus
from bot.domain.schedule import LocalCalendar, Rules, Slot
from bot.services.calendars import CalendarWork
from bot.services.catalog import PlanCatalog
from bot.services.checkins import nudges
from bot.services.checkins.answers import AnswerResult, Recorder
from bot.services.checkins.compose import Composer
from bot.services.checkins.deliver import Messenger, Sender
from bot.services.checkins.derive import Calendars, Derive
from bot.services.checkins.messages import Message, Mood
from bot.services.checkins.profiles import Profiles
from bot.services.checkins.queue import Queue, as_row
from bot.services.checkins.report import TickReport
from bot.services.clock import Clock
from bot.services.growth_rounds import GrowthRounds
from bot.services.onboarding import Onboarding, ProgressChange
from storage import outbox as repo
from storage.engine import Database
from storage.models import Outbox


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
        self.clock = clock
        self.onboarding = onboarding
        # One workspace calendar: the one the progress views use, unless a test overrides it.
        self.holiday_country = holiday_country or onboarding.holiday_country
        self.calendars = Calendars(
            catalog=catalog,
            defaults=defaults,
            default_tz=default_tz,
            holiday_country=self.holiday_country,
        )
        self.queue = Queue(db=db, default_tz=default_tz)
        self.due = Derive(db=db, calendars=self.calendars, queue=self.queue)
        self.profiles = Profiles(db=db, messenger=messenger)
        #: Growth check-ins: forms, submissions and side-by-sides (the Slack listeners use it).
        self.growth_rounds = GrowthRounds(db=db, catalog=catalog, clock=clock)
        self.composer = Composer(
            db=db, onboarding=onboarding, calendars=self.calendars, rounds=self.growth_rounds
        )
        self.sender = Sender(
            db=db,
            clock=clock,
            calendars=self.calendars,
            composer=self.composer,
            messenger=messenger,
            sleep=sleep,
        )
        self.recorder = Recorder(db=db, clock=clock, onboarding=onboarding, composer=self.composer)
        #: Set at shutdown: sending stops after the message in flight, claimed rows go back.
        self.stopping = self.sender.stopping
        self.calendar_work = CalendarWork(
            db=db,
            slots=lambda plan_id, start, tz, country, now: self.slots(
                plan_id=plan_id, start=start, tz=tz, country=country, now=now
            ),
            calendar=self.calendar,
        )

    @property
    def messenger(self) -> Messenger | None:
        """The port to Slack (``None``: Slack is not configured; only dry runs work)."""
        return self.sender.messenger

    @messenger.setter
    def messenger(self, messenger: Messenger | None) -> None:
        self.sender.messenger = messenger
        self.profiles.messenger = messenger

    @property
    def sleep(self) -> Callable[[float], None]:
        """How the sender waits out a short Retry-After (a clock advance in tests)."""
        return self.sender.sleep

    @sleep.setter
    def sleep(self, sleep: Callable[[float], None]) -> None:
        self.sender.sleep = sleep

    # --- calendars ------------------------------------------------------------------------

    def rules_for(self, plan_id: str) -> Rules:
        """The cadence of a plan, gaps filled from the workspace defaults."""
        return self.calendars.rules_for(plan_id)

    def calendar(self, tz: str | None, country: str | None) -> LocalCalendar:
        """A person's local calendar (zone, holidays, send time)."""
        return self.calendars.calendar(tz, country)

    def slots(
        self,
        *,
        plan_id: str,
        start: date,
        tz: str | None,
        country: str | None,
        now: datetime | None = None,
    ) -> tuple[Slot, ...]:
        """The calendar of one enrollment (cached; see :meth:`Calendars.slots`); with ``now``,
        the slots after the plan around it too."""
        return self.calendars.slots(plan_id=plan_id, start=start, tz=tz, country=country, now=now)

    # --- tick -----------------------------------------------------------------------------

    def tick(self, now: datetime | None = None, *, dry_run: bool = False) -> TickReport:
        """Refresh stale profiles, derive due work into the outbox, then send what is due."""
        now = now or self.clock.now()
        report = TickReport(now=now, dry_run=dry_run)
        zones, checked = self.profiles.refresh(now=now, report=report, write=not dry_run)
        if dry_run:
            written = self.calendar_work.preview(
                now=now, checked_only=self.messenger is not None, zones=zones, checked=checked
            )
            derived = self.derive(now=now, zones=zones, checked=checked)
            self.queue.dry_run(now, [as_row(w) for w in written], derived, report, zones)
            return report
        self.enqueue(now=now, zones=zones, report=report)
        self.send_due(now=now, report=report)
        return report

    def refresh_profiles(
        self, *, now: datetime, report: TickReport | None = None, write: bool = True
    ) -> dict[str, str]:
        """Step 1 of a tick alone: look up never-read and week-old Slack profiles; return the
        time zones found. In a dry run nothing is stored; the zones found serve that run only.
        """
        return self.profiles.refresh(now=now, report=report, write=write)[0]

    def derive(
        self,
        *,
        now: datetime,
        zones: dict[str, str] | None = None,
        checked: Container[str] = (),
    ) -> list[repo.NewRow]:
        """The event-driven rows owed at ``now`` (see :meth:`Derive.derive`)."""
        return self.due.derive(
            now=now, slack=self.messenger is not None, zones=zones, checked=checked
        )

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
            self.queue.insert(session, rows, now, report)
        if enqueued.named:
            with self.db.read() as session:
                self.queue.report_new(session, [as_row(w) for w in enqueued.named], now, report)
        return report

    def send_due(
        self, *, now: datetime | None = None, report: TickReport | None = None
    ) -> TickReport:
        """Step 3 of a tick alone: reconcile abandoned sends, then send every due row."""
        now = now or self.clock.now()
        return self.sender.send_due(now=now, report=report or TickReport(now=now))

    def reconcile(self, *, now: datetime, report: TickReport | None = None) -> None:
        """Settle rows a dead sender left in ``sending``: sent if Slack has it, else retry."""
        self.sender.reconcile(now=now, report=report)

    @property
    def _send_one(self) -> Callable[[Outbox, str, datetime, TickReport, dict[str, datetime]], None]:
        """:meth:`Sender.send_one`: one claimed row (tests drive a slow sender with it)."""
        return self.sender.send_one

    # --- messages and answers -------------------------------------------------------------

    def compose(self, row: Outbox) -> Message:
        """What a row says, from the data as it is now (so a late message is still accurate)."""
        return self.composer.compose(row)

    def message_for(self, *, outbox_id: int) -> Message:
        """The current rendering data of a posted message (to update it in place)."""
        return self.recorder.message_for(outbox_id=outbox_id)

    def answer_mood(self, *, user_id: str, outbox_id: int, mood: Mood | str) -> AnswerResult:
        """Record a pulse answer; at risk or blocked nudges the mentor straight away."""
        return self.recorder.answer_mood(user_id=user_id, outbox_id=outbox_id, mood=mood)

    def answer_milestone(
        self, *, user_id: str, outbox_id: int, milestone_id: str, status: MilestoneStatus | str
    ) -> AnswerResult:
        """Record a milestone status from a review (through Onboarding.mark, source checkin)."""
        return self.recorder.answer_milestone(
            user_id=user_id, outbox_id=outbox_id, milestone_id=milestone_id, status=status
        )

    def add_note(self, *, user_id: str, outbox_id: int, note: str) -> AnswerResult:
        """Attach a note to a check-in answer (shown to the manager and mentors)."""
        return self.recorder.add_note(user_id=user_id, outbox_id=outbox_id, note=note)

    def enqueue_block_nudge(self, change: ProgressChange) -> None:
        """A milestone just became blocked: owe each mentor (else the manager) a nudge now."""
        nudges.enqueue_block_nudge(db=self.db, change=change)
