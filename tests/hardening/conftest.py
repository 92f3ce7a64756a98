"""Hardening fixtures: the whole Slack stack (real Bolt app, WebClient, SQLite file) against the
sandbox on the test's ManualClock, the check-in engine wired to it, and a database snapshot to
prove that a refused request wrote nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import Container
from bot.sandbox import Message, SlackDriver, SlackSandbox
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.slack.delivery import SlackMessenger, delivery_client
from storage.engine import Database
from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures
    ADMIN,
    HIRE,
    MANAGER,
    MENTOR,
    NEWCOMER,
    OTHER_MANAGER,
    STRANGER,
    container,
    credentials,
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
        slack_stand_in.add_user(MANAGER, "maria", tz="America/New_York", real_name="Maria")
        slack_stand_in.add_user(HIRE, "hana", tz="Europe/Berlin", real_name="Hana Hire")
        slack_stand_in.add_user(MENTOR, "milo", tz="Europe/Berlin")
        slack_stand_in.add_user(OTHER_MANAGER, "otto", tz="UTC")
        slack_stand_in.add_user(ADMIN, "ada", tz="UTC")
        slack_stand_in.add_user(STRANGER, "sam", tz="Asia/Tokyo")
        slack_stand_in.add_user(NEWCOMER, "nia", tz="America/Los_Angeles")
        yield slack_stand_in


@pytest.fixture
def engine(container: Container, sandbox: SlackSandbox, clock: ManualClock) -> Checkins:  # noqa: F811
    """The container's check-in engine posting through the real messenger to the sandbox."""
    client = delivery_client(token=sandbox.bot_token, base_url=sandbox.api_url, timeout=5)
    container.checkins.messenger = SlackMessenger(
        client,
        monotonic=lambda: clock.now().timestamp(),
        sleep=lambda seconds: clock.advance(timedelta(seconds=seconds)),
    )
    container.checkins.sleep = lambda seconds: clock.advance(timedelta(seconds=seconds))
    return container.checkins


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


def enroll_hire(driver: SlackDriver) -> None:
    """The manager enrolls the hire with the mentor through ``/onramp enroll``."""
    delivery = driver.command(f"enroll <@{HIRE}|hana> mentor=<@{MENTOR}|milo>", MANAGER)
    assert "Enrolled" in shown(delivery), shown(delivery)
