"""Hardening fixtures: the whole Slack stack (real Bolt app, WebClient, SQLite file) against the
sandbox on the test's ManualClock, the check-in engine wired to it, and a database snapshot to
prove that a refused request wrote nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import Container
from bot.sandbox import Message, SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding, Profile
from storage.engine import Database
from tests.checkins.conftest import PLAN, build_checkins, paced_messenger
from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures
    HIRE,
    MANAGER,
    MENTOR,
    STRANGER,
    add_personas,
    container,
    credentials,
    enroll_hire,
    events_url,
    runtime,
    settings,
    shown,
    slack,
)

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


def wired_engine(
    db: Database, catalog: PlanCatalog, clock: ManualClock, sandbox: SlackSandbox
) -> tuple[Onboarding, Checkins]:
    """Onboarding (no admins) and the check-in engine on ``db``, posting to the sandbox."""
    onboarding = Onboarding(
        db=db, catalog=catalog, clock=clock, admins=frozenset(), default_tz="UTC"
    )
    return onboarding, build_checkins(
        db, catalog, clock, onboarding, paced_messenger(sandbox, clock)
    )


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


def checkin_messages(sandbox: SlackSandbox) -> list[Message]:
    """The bot's messages that name an outbox row in their metadata."""
    return [m for m in sandbox.bot_messages() if m.event_type == "onramp_outbox"]
