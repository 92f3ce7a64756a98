"""The check-in engine as the tests build and drive it.

:func:`checkin_engine` wires the real engine like ``bot.app.build`` does; :func:`paced_messenger`
posts through the real ``slack_sdk.WebClient`` to the sandbox, its pacing waits moving the test
clock. :class:`Rig` holds one test's engine, onboarding, sandbox, database and clock, so a test
says "enroll, tick at 16:00, the mentor got one nudge" in as many lines; :class:`RunningApp` does
the same for the Slack app with its Bolt listeners, for tests that click what the engine posted.
A folder's conftest offers them as fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.app import Container, SlackRuntime
from bot.domain.schedule import Rules
from bot.sandbox import Message, SlackDriver, SlackSandbox
from bot.services.checkins import Checkins, Messenger, NudgeObserver, TickReport
from bot.services.clock import ManualClock
from bot.services.onboarding import EnrollmentReport, Onboarding
from bot.slack.delivery import SlackMessenger, delivery_client
from storage import outbox
from storage.engine import Database
from storage.models import Outbox
from tests.support.enroll import enroll
from tests.support.people import HIRE


def at(text: str) -> datetime:
    """An aware UTC instant from ``2026-12-02T16:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def app_rules(**changes: Any) -> Rules:
    """The check-in defaults app.yaml ships, written out (with ``changes``), so a default changed
    in the code fails the tests that rely on it."""
    values: dict[str, Any] = {
        "send_time": time(9, 30),
        "weekly_pulse_until": "90d",
        "pulse_every_weeks_after": 2,
        "pulse_until": "12mo",
        "review_heads_up_working_days": 3,
        "reminder_after_working_days": 2,
        "mentor_nudge_after_silent_working_days": 5,
        "escalate_after_working_days": 7,
        "after_plan_pulse_every": "1mo",
    }
    return Rules.of(**{**values, **changes})


def _advance(clock: ManualClock) -> Callable[[float], None]:
    """A ``sleep`` that moves the test clock instead of waiting."""
    return lambda seconds: clock.advance(timedelta(seconds=seconds))


def paced_messenger(sandbox: SlackSandbox, clock: ManualClock, **options: float) -> SlackMessenger:
    """A messenger over a WebClient on the sandbox whose pacing waits move the test clock."""
    client = delivery_client(token=sandbox.bot_token, base_url=sandbox.api_url, timeout=5)
    return SlackMessenger(
        client,
        **options,  # type: ignore[arg-type]
        monotonic=lambda: clock.now().timestamp(),
        sleep=_advance(clock),
    )


def checkin_engine(
    onboarding: Onboarding,
    messenger: Messenger | None = None,
    *,
    holiday_country: str | None = None,
) -> Checkins:
    """A check-in engine over ``onboarding``'s database, plans and (manual) clock, with the
    app.yaml defaults, wired like bot.app.build does: its nudge observer on ``onboarding``.

    Without a messenger it derives and previews but cannot send (a tick fails at the send).
    """
    clock = onboarding.clock
    assert isinstance(clock, ManualClock)
    service = Checkins(
        db=onboarding.db,
        catalog=onboarding.catalog,
        clock=clock,
        onboarding=onboarding,
        defaults=app_rules(),
        holiday_country=holiday_country,
        messenger=messenger,
        sleep=_advance(clock),
    )
    onboarding.observers.append(NudgeObserver(service))
    return service


def outbox_rows(db: Database, **filters: Any) -> list[Outbox]:
    """Outbox rows (``states``, ``kinds``, ``enrollment_id``), oldest first."""
    with db.read() as session:
        return outbox.rows_where(session=session, **filters)


def messages_to(
    sandbox: SlackSandbox, user: str | None = None, prefix: str = "", *, having: str = ""
) -> list[Message]:
    """What the bot posted (to ``user`` when given) for outbox keys that start with ``prefix``
    and contain ``having``, oldest first."""
    return [
        m
        for m in sandbox.bot_messages(user)
        if str(m.event_payload.get("key", "")).startswith(prefix)
        and having in str(m.event_payload.get("key", ""))
    ]


def keys_of(messages: list[Message]) -> list[str]:
    """The outbox keys named in the metadata of posted messages."""
    return [str(m.event_payload.get("key", "")) for m in messages]


@dataclass
class Rig:
    """One test's check-in world: the engine wired like the app and posting to the sandbox,
    onboarding, the database and the clock they share."""

    checkins: Checkins
    onboarding: Onboarding
    sandbox: SlackSandbox
    db: Database
    clock: ManualClock

    def enroll(self, **options: Any) -> EnrollmentReport:
        """Enroll a hire (see :func:`tests.support.enroll.enroll`)."""
        return enroll(self.onboarding, **options)

    def set_clock(self, when: str) -> datetime:
        """Move the clock to ``when`` (UTC); the instant."""
        self.clock.set(at(when))
        return self.clock.now()

    def run(self, when: str) -> TickReport:
        """Move the clock to ``when`` (UTC) and tick."""
        return self.checkins.tick(self.set_clock(when))

    def enqueue(self, when: str) -> None:
        """Move the clock to ``when`` (UTC) and store what is due, sending nothing."""
        self.checkins.enqueue(now=self.set_clock(when))

    def rows(self, **filters: Any) -> list[Outbox]:
        """Outbox rows (``states``, ``kinds``), oldest first."""
        return outbox_rows(self.db, **filters)

    def sent(self, user: str | None = None, prefix: str = "", *, having: str = "") -> list[Message]:
        """What the bot posted (to ``user``) for keys starting with ``prefix``, containing
        ``having``."""
        return messages_to(self.sandbox, user, prefix, having=having)

    def keys(self, user: str | None = None, prefix: str = "") -> list[str]:
        """The outbox keys of what the bot posted (to ``user``) starting with ``prefix``."""
        return keys_of(self.sent(user, prefix))


@dataclass
class RunningApp:
    """The Slack app as ``onramp serve`` runs it (Bolt listeners included), its check-in engine
    posting to the sandbox, a driver playing Slack towards it, all on the test clock."""

    container: Container
    slack: SlackDriver
    sandbox: SlackSandbox
    clock: ManualClock
    runtime: SlackRuntime

    def tick(self, when: str | None = None) -> TickReport:
        """Move the clock to ``when`` (UTC; default: leave it) and run one tick."""
        if when is not None:
            self.clock.set(at(when))
        return self.container.checkins.tick(self.clock.now())

    def posted(self, key: str) -> Message:
        """The current version of the one message posted to the hire for outbox ``key``."""
        [message] = [
            m for m in self.sandbox.bot_messages(HIRE) if m.event_payload.get("key") == key
        ]
        return message

    def tick_until_posted(self, when: str, key: str) -> tuple[Message, int]:
        """Tick at ``when``; the message posted to the hire for outbox ``key`` and its row id."""
        self.tick(when)
        message = self.posted(key)
        return message, message.event_payload["outbox_id"]

    def first_pulse(self) -> tuple[Message, int]:
        """Tick on Mon 9 Nov 10:00 in New York, when the week-1 pulse goes out; it and its id."""
        return self.tick_until_posted("2026-11-09T15:00:00", "pulse:1:w1")
