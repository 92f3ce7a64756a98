"""Check-ins: derive what is owed, put it in the outbox once, send it once, record the answers.

One ``Checkins.tick(now)`` does everything, in three steps (design §5; ``docs/checkins.md``):
read stale Slack profiles, derive due work into the outbox, send what is due. The modules follow
that flow; read them in this order:

1. :mod:`.engine` — :class:`Checkins`, the facade: wires the parts and runs a tick.
2. :mod:`.profiles` — step 1: never-read and week-old Slack profiles (:class:`Profiles`).
3. :mod:`.derive` — what is due: local and plan calendars (:class:`Calendars`, cached) and the
   event-driven rows, reminders first (:class:`Derive`). The scheduled kinds are written
   set-based by :class:`bot.services.calendars.CalendarWork`.
4. :mod:`.nudges` — nudges and escalations: silence, blockers, at-risk pulses; and
   :class:`NudgeObserver`, which turns a milestone becoming blocked on any surface into an
   immediate mentor nudge.
5. :mod:`.queue` — the outbox: rows inserted once by key and named in the report (:class:`Queue`).
6. :mod:`.deliver` — step 3: claim, re-check, post through the :class:`Messenger` port, and
   reconcile rows a crashed sender left in ``sending`` (:class:`Sender`).
7. :mod:`.compose` — what a row says, from the data as it is now (:class:`Composer`).
8. :mod:`.answers` — recording a pulse's mood, a review's statuses, a note (:class:`Recorder`).

Data only: :mod:`.messages` (:class:`Message`, :class:`Mood`, the lines a message lists) and
:mod:`.report` (:class:`TickReport`, :class:`Planned`). Everything importable from the package
before the split still is, from here.
"""

from bot.services.checkins.answers import AnswerResult, Recorder
from bot.services.checkins.compose import Composer
from bot.services.checkins.deliver import (
    CLAIM_BATCH,
    MAX_ATTEMPTS,
    RETRY_WITHIN_TICK,
    SEND_BUDGET,
    SENDING_LEASE,
    DeliveryError,
    Messenger,
    Posted,
    Sender,
)
from bot.services.checkins.derive import EVENT_LOOKBACK, SLOT_CACHE, Calendars, Derive
from bot.services.checkins.engine import Checkins
from bot.services.checkins.messages import Answer, HireLine, Message, MilestoneLine, Mood
from bot.services.checkins.nudges import BLOCK_BACKSTOP, NudgeObserver
from bot.services.checkins.profiles import (
    NEW_PROFILE_LOOKUPS_PER_TICK,
    PROFILE_LOOKUPS_PER_TICK,
    PROFILE_MAX_AGE,
    PROFILE_RETRY_MAX,
    Profiles,
)
from bot.services.checkins.queue import Queue
from bot.services.checkins.report import Planned, TickReport

__all__ = [
    "BLOCK_BACKSTOP",
    "CLAIM_BATCH",
    "EVENT_LOOKBACK",
    "MAX_ATTEMPTS",
    "NEW_PROFILE_LOOKUPS_PER_TICK",
    "PROFILE_LOOKUPS_PER_TICK",
    "PROFILE_MAX_AGE",
    "PROFILE_RETRY_MAX",
    "RETRY_WITHIN_TICK",
    "SENDING_LEASE",
    "SEND_BUDGET",
    "SLOT_CACHE",
    "Answer",
    "AnswerResult",
    "Calendars",
    "Checkins",
    "Composer",
    "DeliveryError",
    "Derive",
    "HireLine",
    "Message",
    "Messenger",
    "MilestoneLine",
    "Mood",
    "NudgeObserver",
    "Planned",
    "Posted",
    "Profiles",
    "Queue",
    "Recorder",
    "Sender",
    "TickReport",
]
