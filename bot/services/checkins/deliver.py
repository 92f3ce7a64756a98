"""Step 3 of a tick: send what is due, once, and settle what a crashed sender left behind.

:meth:`Sender.send_due` first :meth:`~Sender.reconcile` s rows left in ``sending`` longer than
the lease (sent if the DM's history has them, else retried), then claims due rows in small
batches, re-checks each right before its post (:meth:`~Sender.why_skip`: paused plan,
superseded, already answered; a late row waits for the recipient's send window), renews the
claim, posts through the :class:`Messenger` port and records where it landed. Slack's
refusals become retries with back-off (a 429 is never a failure), within a time budget per tick.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain.errors import InvalidInput, NotFound, OnrampError
from bot.domain.schedule import Kind
from bot.services.calendars import LATE_AFTER, in_zone
from bot.services.checkins.compose import Composer
from bot.services.checkins.derive import Calendars, parse_time
from bot.services.checkins.messages import Message, Mood
from bot.services.checkins.queue import recipient_user_id
from bot.services.checkins.report import Planned, TickReport
from bot.services.clock import Clock
from bot.services.onboarding import Profile
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database
from storage.models import Outbox

log = logging.getLogger("onramp.checkins")

#: Rows claimed per round trip to the database: small, so a slow Slack never holds many rows in
#: ``sending`` (each is re-verified right before its post anyway).
CLAIM_BATCH = 10
#: A row in ``sending`` for longer than this is presumed abandoned by a dead sender.
SENDING_LEASE = timedelta(minutes=2)
#: Attempts before a row is given up as failed.
MAX_ATTEMPTS = 6
#: Sending stops after this much time in one tick, so the next tick is not held up.
SEND_BUDGET = timedelta(seconds=45)
#: A row refused with a Retry-After this short is retried within the same tick.
RETRY_WITHIN_TICK = timedelta(seconds=30)


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


@dataclass(kw_only=True, eq=False)
class Sender:
    """Claims due outbox rows, re-checks and posts each once, and reconciles crashed sends."""

    db: Database
    clock: Clock
    calendars: Calendars
    composer: Composer
    messenger: Messenger | None
    sleep: Callable[[float], None]
    #: Set at shutdown: sending stops after the message in flight, claimed rows go back.
    stopping: threading.Event = field(default_factory=threading.Event, init=False)

    def send_due(self, *, now: datetime, report: TickReport) -> TickReport:
        """Reconcile abandoned sends, then claim and send every due row (within a time budget)."""
        if self.messenger is None:
            raise InvalidInput(
                "Slack is not configured: set SLACK_BOT_TOKEN (and SLACK_API_URL for a proxy or "
                "the sandbox), or use --dry-run to see what would be sent."
            )
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
                    self.send_one(row, token, now, report, cooling)
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

    def send_one(
        self,
        row: Outbox,
        token: str,
        now: datetime,
        report: TickReport,
        cooling: dict[str, datetime],
    ) -> None:
        """Re-check, compose and post one claimed row (``token``: the claim), and record it."""
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
        skip = self.why_skip(row, now)
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
            calendar = self.calendars.calendar(person.tz, person.holiday_country)
            window = calendar.next_send_window(current)
            if window > current:
                stale = parse_time(row.payload.get("stale_at"))
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
            message = self.composer.compose(row)
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
            self._landed(session, row.id, token, posted)
        report.settle(report.sent, replace(planned, state=repo.SENT))

    def _landed(self, session: Any, outbox_id: int, token: str, posted: Posted) -> None:
        """Record that row ``outbox_id`` (claimed with ``token``) is in Slack at ``posted``."""
        repo.mark_sent(
            session=session,
            outbox_id=outbox_id,
            token=token,
            channel=posted.channel,
            ts=posted.ts,
            now=self.clock.now(),
        )

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

    def why_skip(self, row: Outbox, now: datetime) -> str | None:
        """Why a claimed row should not go out after all (None: send it)."""
        with self.db.read() as session:
            if row.enrollment_id is not None:
                status = repo.enrollment_statuses(session=session, ids=[row.enrollment_id]).get(
                    row.enrollment_id
                )
                # A side-by-side reports ratings already given: it goes out on a paused or
                # completed plan too (a round still takes ratings then), never on a withdrawn one.
                revealing = row.kind == Kind.GROWTH_REVEAL.value and status in _STILL_REVEALED
                if status != "active" and not revealing:
                    return f"the plan is {status}; check-ins resume only on an active plan"
            stale = parse_time(row.payload.get("stale_at"))
            if stale is not None and now >= stale:
                if row.kind == Kind.PULSE.value:
                    return "superseded: a newer pulse is due"
                return f"stale: no longer relevant after {stale:%Y-%m-%d %H:%M} UTC"
            if self.composer.pulse_mood(row, session) == Mood.ON_TRACK.value:
                return "the hire has answered that pulse on track since"
            target_id = row.payload.get("for")
            if row.kind in _REMINDERS and isinstance(target_id, int):
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
            recipient = recipient_user_id(self.db, row.recipient_id)
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
                    self._landed(session, row.id, token, found)
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


def _immediate(row: Outbox) -> bool:
    """A nudge about a blocker or an at-risk answer: goes out at once, any hour."""
    return row.kind == Kind.MENTOR_NUDGE.value and row.payload.get("reason") != "silent"


#: Kinds whose "answered" means the reminder has nothing left to ask.
_REMINDERS = (Kind.REMINDER.value, Kind.GROWTH_REMINDER.value)
#: Rows that go out in the recipient's own send window from the start: the enrolled DM (due
#: the moment of enrolling), every growth check-in (due on the round's anniversary at the
#: hire's send time, which may be a weekend or holiday; the manager's and mentors' at someone
#: else's send time) and the side-by-side (due when the last rater submitted).
_OWN_WINDOW = (
    Kind.ENROLLED.value,
    Kind.GROWTH_SELF.value,
    Kind.GROWTH_MANAGER.value,
    Kind.GROWTH_MENTOR.value,
    Kind.GROWTH_REVEAL.value,
    # Due at the manager's send time the working day before the 1:1; the hire's waits for theirs.
    Kind.ONE_ON_ONE_PREP.value,
    # Due at the tick that found a focus item stalled: nothing urgent, so in the mentor's window.
    Kind.FOCUS_NUDGE.value,
)


#: Plan statuses on which a round's side-by-side still goes out (not withdrawn).
_STILL_REVEALED = ("active", "paused", "completed")


def _at_once(row: Outbox) -> bool:
    """Due when something happened, or at someone else's send time: wait for the recipient's
    own send window (see :data:`_OWN_WINDOW`)."""
    return row.kind in _OWN_WINDOW


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
