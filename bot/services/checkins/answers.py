"""Recording answers: a pulse's mood, a review's milestone statuses, a note.

Only the person a check-in was sent to may answer it, and only while the plan is open; an
answer on a reminder is recorded on the check-in it reminds of too. Milestone statuses go
through :meth:`Onboarding.mark` (``source="checkin"``) so every surface shares one rule set; a
mood of at risk or blocked owes the mentors a nudge at once (:func:`.nudges.pulse_nudges`).
Each call returns the message re-composed, for the adapter to update in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import InvalidInput, NotFound, PermissionDenied
from bot.domain.progress import MilestoneStatus
from bot.domain.schedule import Kind
from bot.services.checkins import nudges
from bot.services.checkins.compose import Composer
from bot.services.checkins.messages import Message, Mood
from bot.services.checkins.queue import outbox_row, recipient_user_id
from bot.services.clock import Clock
from bot.services.onboarding import NOTE_LIMIT, Actor, Onboarding
from storage import outbox as repo
from storage.engine import Database
from storage.models import Outbox


@dataclass(frozen=True)
class AnswerResult:
    """The message to show after an answer (updated in place), and what changed."""

    message: Message
    channel: str | None
    ts: str | None
    hire_user_id: str


@dataclass(kw_only=True, eq=False)
class Recorder:
    """Records the hire's answers on their check-ins."""

    db: Database
    clock: Clock
    #: Milestone statuses are marked through it (``source="checkin"``).
    onboarding: Onboarding
    composer: Composer

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
                repo.insert_new(
                    session=session,
                    rows=nudges.pulse_nudges(
                        enrollment_id=target.enrollment_id,
                        pulse_id=target.id,
                        mood=mood.value,
                        recipients=nudges.nudge_recipients(session, target.enrollment_id),
                        now=now,
                    ),
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
        if len(text) > NOTE_LIMIT:
            raise InvalidInput(f"Notes are limited to {NOTE_LIMIT} characters; shorten it.")
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
        row = outbox_row(self.db, outbox_id)
        if row is None:
            raise NotFound("This check-in is no longer on record.")
        return self.composer.compose(row)

    def _answerable(self, outbox_id: int, user_id: str) -> tuple[Outbox, Outbox]:
        """(the row clicked, the check-in it answers), checking it is the hire's own."""
        clicked = outbox_row(self.db, outbox_id)
        if clicked is None:
            raise NotFound("This check-in is no longer on record; open the Onramp Home tab.")
        target = clicked
        if clicked.kind == Kind.REMINDER.value and isinstance(clicked.payload.get("for"), int):
            target = outbox_row(self.db, int(clicked.payload["for"])) or clicked
        if recipient_user_id(self.db, clicked.recipient_id) != user_id:
            raise PermissionDenied("Only the person this check-in was sent to can answer it.")
        return clicked, target

    def _result(self, clicked: Outbox) -> AnswerResult:
        assert clicked.id is not None  # noqa: S101
        row = outbox_row(self.db, clicked.id) or clicked
        message = self.composer.compose(row)
        return AnswerResult(
            message=message,
            channel=row.channel,
            ts=row.ts,
            hire_user_id=message.hire.user_id if message.hire else message.recipient,
        )
