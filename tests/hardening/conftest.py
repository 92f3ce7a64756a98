"""Hardening fixtures: the whole Slack stack (real Bolt app, WebClient, SQLite file) against the
sandbox on the test's ManualClock, the check-in engine wired to it, and a database snapshot to
prove that a refused request wrote nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import Container
from bot.sandbox import Delivery, Message, SlackDriver, SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding, Profile
from bot.slack import checkin_blocks as cb
from storage.engine import Database
from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures
    HIRE,
    MANAGER,
    MENTOR,
    STRANGER,
    add_personas,
    container,
    credentials,
    enroll_hire,
    enrolled,
    events_url,
    runtime,
    settings,
    shown,
    slack,
)
from tests.support.checkins import checkin_engine, paced_messenger
from tests.support.people import PLAN

#: Tables a refused request must leave untouched (``person`` is refreshed on every request by
#: design, ``slack_event`` records deliveries, ``qa_log`` records questions).
GUARDED_TABLES = (
    "enrollment",
    "enrollment_mentor",
    "progress_event",
    "milestone_state",
    "outbox",
    "audit_log",
)


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SlackSandbox]:
    """The Slack stand-in on the test clock, with every persona of the Slack tests."""
    with SlackSandbox(clock=clock) as slack_stand_in:
        yield add_personas(slack_stand_in)


@pytest.fixture
def engine(container: Container, sandbox: SlackSandbox, clock: ManualClock) -> Checkins:  # noqa: F811
    """The container's check-in engine posting through the real messenger to the sandbox."""
    container.checkins.messenger = paced_messenger(sandbox, clock)
    container.checkins.sleep = lambda seconds: clock.advance(timedelta(seconds=seconds))
    return container.checkins


@dataclass(frozen=True)
class Ticking:
    """The test clock moving on, the check-in engine ticking after each step as the scheduler
    would."""

    engine: Checkins
    clock: ManualClock

    def run(self, steps: int, every: timedelta = timedelta(days=1)) -> None:
        """Move the clock ``every`` forward and tick, ``steps`` times."""
        for _ in range(steps):
            self.clock.advance(every)
            self.engine.tick()


@pytest.fixture
def ticking(engine: Checkins, clock: ManualClock) -> Ticking:
    """The wired check-in engine on the test clock, ready to let days go by."""
    return Ticking(engine, clock)


def wired_engine(
    db: Database, catalog: PlanCatalog, clock: ManualClock, sandbox: SlackSandbox
) -> tuple[Onboarding, Checkins]:
    """Onboarding (no admins) and the check-in engine on ``db``, posting to the sandbox."""
    onboarding = Onboarding(
        db=db, catalog=catalog, clock=clock, admins=frozenset(), default_tz="UTC"
    )
    return onboarding, checkin_engine(onboarding, paced_messenger(sandbox, clock))


def enroll_crowd(
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    *,
    prefix: str,
    count: int,
    start: date,
    zones: Sequence[str] = ("UTC",),
    spread_days: int = 1,
) -> None:
    """``count`` hires (``{prefix}00000``…) managed by MANAGER and mentored by MENTOR, all members
    of the sandbox; zones taken in turn, starts spread over ``spread_days`` days from ``start``."""
    for user_id in (MANAGER, MENTOR):
        sandbox.add_user(user_id, user_id.lower(), tz="UTC")
    for index in range(count):
        user_id = f"{prefix}{index:05d}"
        tz = zones[index % len(zones)]
        sandbox.add_user(user_id, f"hire{index}", tz=tz)
        onboarding.enroll(
            actor=Actor.cli(),
            hire=Profile(user_id=user_id, tz=tz),
            plan_id=PLAN,
            start=start + timedelta(days=index % spread_days),
            manager=MANAGER,
            mentors=[MENTOR],
        )


def snapshot(db: Database, tables: tuple[str, ...] = GUARDED_TABLES) -> dict[str, list[Any]]:
    """Every row of ``tables``, as sorted tuples of text (for before/after comparisons)."""
    found: dict[str, list[Any]] = {}
    with db.engine.connect() as conn:
        for table in tables:
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - fixed names
            found[table] = sorted(tuple(str(v) for v in row) for row in rows)
    return found


def checkin_messages(sandbox: SlackSandbox, kind: str = "") -> list[Message]:
    """The bot's messages that name an outbox row in their metadata (of ``kind``, e.g. ``pulse``,
    when given)."""
    messages = [m for m in sandbox.bot_messages() if m.event_type == "onramp_outbox"]
    if not kind:
        return messages
    return [m for m in messages if m.event_payload["key"].startswith(f"{kind}:")]


def note_values(note: str) -> dict[str, Any]:
    """The note modal's submitted values, holding ``note``."""
    return {cb.NOTE_BLOCK: {cb.NOTE_INPUT: {"type": "plain_text_input", "value": note}}}


def answer_pulse(
    driver: SlackDriver, user: str, pulse: Message, mood: str, note: str | None = None
) -> Delivery:
    """``user`` clicks ``mood`` on ``pulse`` and, with a ``note``, submits it in the note modal;
    the click's delivery."""
    outbox_id = pulse.event_payload["outbox_id"]
    clicked = driver.block_action(
        user, f"{cb.MOOD_ACTION}:{mood}", f"{outbox_id}:{mood}", message=pulse
    )
    if note is not None:
        metadata = f"{outbox_id}|{pulse.channel}|{pulse.ts}"
        driver.view_submission(user, cb.NOTE_CALLBACK, note_values(note), private_metadata=metadata)
    return clicked
