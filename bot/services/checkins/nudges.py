"""Nudges and escalations: who hears that a hire went quiet, is at risk, or is blocked.

Each builder returns outbox rows (``storage.outbox.NewRow``) whose keys say what they are about,
so a row derived again is the same row and goes out once:

- a **silence** (no answer after N working days): a nudge to each mentor (else the manager),
  then an escalation to the manager — once per silence, keyed by when it began;
- a **blocked** milestone: a nudge to each mentor (else the manager) straight away — from
  :class:`NudgeObserver` on any surface, and from the tick as a backstop — then an escalation
  to the manager after M working days if it is still blocked;
- a pulse answered **at risk** or **blocked**: a nudge now (:func:`pulse_nudges`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain.progress import MilestoneStatus
from bot.domain.schedule import Kind, LocalCalendar, Rules, after_working_days
from bot.services.onboarding import ProgressChange
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database

if TYPE_CHECKING:
    from bot.services.checkins.engine import Checkins

log = logging.getLogger("onramp.checkins")

#: Blocked milestones changed within this window get a nudge even if no observer saw the change.
BLOCK_BACKSTOP = timedelta(days=3)


def stamp(when: datetime) -> str:
    """``when`` as it stands in a key (UTC, to the microsecond)."""
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")


def _owed(
    kind: Kind,
    enrollment_id: int,
    about: str,
    *,
    recipient_id: int,
    due_at: datetime,
    payload: dict[str, Any],
) -> repo.NewRow:
    """A nudge or escalation owed about an enrollment, keyed ``{kind}:{enrollment}:{about}``:
    ``about`` names the episode (and the recipient, for nudges) so it is owed once."""
    return repo.NewRow(
        key=f"{kind.value}:{enrollment_id}:{about}",
        kind=kind.value,
        recipient_id=recipient_id,
        due_at=due_at,
        enrollment_id=enrollment_id,
        payload=payload,
    )


def nudge_recipients(session: Any, enrollment_id: int) -> list[int]:
    """The enrollment's mentors, else its manager: who is nudged."""
    mentors = people_repo.mentor_ids(session=session, enrollment_id=enrollment_id)
    if mentors:
        return mentors
    manager = repo.managers_of(session=session, enrollment_ids=[enrollment_id]).get(enrollment_id)
    return [manager] if manager is not None else []


def silence_rows(
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
        episode = stamp(active) if active is not None else "never"
        for recipient in mentors.get(enrollment_id) or [managers[enrollment_id]]:
            their_cal = cal(recipient)
            nudge_at = after_working_days(
                calendar=their_cal,
                since=row.sent_at,
                count=r.mentor_nudge_after_silent_working_days,
            )
            if nudge_at <= now:
                rows.append(
                    _owed(
                        Kind.MENTOR_NUDGE,
                        enrollment_id,
                        f"silent:{episode}:to{recipient}",
                        recipient_id=recipient,
                        due_at=nudge_at,
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
                _owed(
                    Kind.ESCALATION,
                    enrollment_id,
                    f"silent:{episode}",
                    recipient_id=managers[enrollment_id],
                    due_at=escalate_at,
                    payload={
                        "reason": "silent",
                        "since": manager_cal.today(row.sent_at).isoformat(),
                    },
                )
            )
    return rows


def blocked_nudges(
    *,
    enrollment_id: int,
    milestone_id: str,
    since: datetime,
    note: str | None,
    recipients: Sequence[int],
    due_at: datetime,
) -> list[repo.NewRow]:
    """A nudge to each of ``recipients`` that ``milestone_id`` is blocked since ``since``."""
    at = stamp(since)
    return [
        _owed(
            Kind.MENTOR_NUDGE,
            enrollment_id,
            f"blocked:{milestone_id}:{at}:to{pid}",
            recipient_id=pid,
            due_at=due_at,
            payload={
                "reason": "blocked",
                "milestone_id": milestone_id,
                "since": at,
                **({"note": note[:500]} if note else {}),
            },
        )
        for pid in recipients
    ]


def fresh_block_nudges(
    blocked: Iterable[Any],
    *,
    now: datetime,
    mentors: Mapping[int, list[int]],
    managers: Mapping[int, int],
) -> list[repo.NewRow]:
    """The tick's backstop for :class:`NudgeObserver`: a nudge for every block of the last
    :data:`BLOCK_BACKSTOP` (``blocked``: the milestone states that are blocked now)."""
    rows: list[repo.NewRow] = []
    for b in blocked:
        if b.updated_at < now - BLOCK_BACKSTOP:
            continue
        rows.extend(
            blocked_nudges(
                enrollment_id=b.enrollment_id,
                milestone_id=b.milestone_id,
                since=b.updated_at,
                note=b.note,
                recipients=mentors.get(b.enrollment_id) or [managers[b.enrollment_id]],
                due_at=min(b.updated_at, now),
            )
        )
    return rows


def blocked_escalations(
    sent_nudges: Iterable[Any],
    *,
    blocked: Iterable[Any],
    now: datetime,
    rules: Callable[[int], Rules],
    cal: Callable[[int], LocalCalendar],
    manager_of: Callable[[int], int | None],
) -> list[repo.NewRow]:
    """An escalation to the manager when a mentor has had M working days since their blocker
    nudge (``sent_nudges``) and the milestone is still blocked, since the same moment."""
    still_blocked = {(b.enrollment_id, b.milestone_id): b for b in blocked}
    rows: list[repo.NewRow] = []
    for nudge in sent_nudges:
        milestone_id = nudge.payload.get("milestone_id")
        state = still_blocked.get((nudge.enrollment_id, milestone_id))
        if state is None or nudge.payload.get("since") != stamp(state.updated_at):
            continue
        manager = manager_of(nudge.enrollment_id)
        if manager is None or manager == nudge.recipient_id:
            continue  # the manager was the one nudged: escalating to them adds nothing
        escalate_at = after_working_days(
            calendar=cal(manager),
            since=nudge.sent_at,
            count=rules(nudge.enrollment_id).escalate_after_working_days,
        )
        if escalate_at <= now:
            rows.append(
                _owed(
                    Kind.ESCALATION,
                    nudge.enrollment_id,
                    f"blocked:{milestone_id}:{nudge.payload.get('since')}",
                    recipient_id=manager,
                    due_at=escalate_at,
                    payload={
                        "reason": "blocked",
                        "milestone_id": milestone_id,
                        "since": cal(manager).today(state.updated_at).isoformat(),
                    },
                )
            )
    return rows


def pulse_nudges(
    *, enrollment_id: int, pulse_id: int, mood: str, recipients: Sequence[int], now: datetime
) -> list[repo.NewRow]:
    """A nudge now to each of ``recipients`` that the hire answered pulse ``pulse_id`` ``mood``.

    Keyed on the check-in, not the mood: "at risk" then "blocked" on the same pulse is one
    nudge, which says the mood as it is when it goes out.
    """
    return [
        _owed(
            Kind.MENTOR_NUDGE,
            enrollment_id,
            f"pulse:{pulse_id}:to{pid}",
            recipient_id=pid,
            due_at=now,
            payload={"reason": mood, "pulse": pulse_id},
        )
        for pid in recipients
    ]


def enqueue_block_nudge(*, db: Database, change: ProgressChange) -> None:
    """A milestone just became blocked: owe each mentor (else the manager) a nudge now."""
    with db.transaction() as session:
        recipients = nudge_recipients(session, change.enrollment_id)
        states = people_repo.milestone_states(session=session, enrollment_id=change.enrollment_id)
        state = states.get(change.milestone_id)
        since = state.updated_at if state is not None else change.at
        repo.insert_new(
            session=session,
            rows=blocked_nudges(
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
