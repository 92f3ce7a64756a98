"""Check-in fixtures: the real engine over a real database, posting through the real
``slack_sdk.WebClient`` to the loopback Slack sandbox, all on the test's ManualClock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.schedule import Rules
from bot.sandbox import SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.checkins import Checkins, NudgeObserver
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding, Profile
from bot.slack.delivery import SlackMessenger, delivery_client
from storage import outbox as repo
from storage.engine import Database
from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures, for test_answers
    container,
    credentials,
    events_url,
    runtime,
    settings,
    slack,
)

PLAN = "junior-llm-engineer"
HIRE, MANAGER, MENTOR = "U0HIRE", "U0MANAGER", "U0MENTOR"
ZONES = {HIRE: "America/New_York", MANAGER: "America/Los_Angeles", MENTOR: "Europe/Berlin"}


def default_rules() -> Rules:
    """The defaults from app.yaml."""
    return Rules.of(
        send_time=time(9, 30),
        weekly_pulse_until="90d",
        pulse_every_weeks_after=2,
        pulse_until="12mo",
        review_heads_up_working_days=3,
        reminder_after_working_days=2,
        mentor_nudge_after_silent_working_days=5,
        escalate_after_working_days=7,
    )


def paced_messenger(sandbox: SlackSandbox, clock: ManualClock, **options: float) -> SlackMessenger:
    """A messenger over a WebClient on the sandbox whose pacing waits move the test clock."""
    client = delivery_client(token=sandbox.bot_token, base_url=sandbox.api_url, timeout=5)
    return SlackMessenger(
        client,
        **options,  # type: ignore[arg-type]
        monotonic=lambda: clock.now().timestamp(),
        sleep=lambda seconds: clock.advance(timedelta(seconds=seconds)),
    )


def build_checkins(
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    onboarding: Onboarding,
    messenger: SlackMessenger,
) -> Checkins:
    """A check-in engine wired like bot.app.build does, its nudge observer on ``onboarding``."""
    service = Checkins(
        db=db,
        catalog=catalog,
        clock=clock,
        onboarding=onboarding,
        defaults=default_rules(),
        messenger=messenger,
        sleep=lambda seconds: clock.advance(timedelta(seconds=seconds)),
    )
    onboarding.observers.append(NudgeObserver(service))
    return service


def at(text: str) -> datetime:
    """An aware UTC instant from ``2026-12-02T16:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(checkins: Checkins, clock: ManualClock, when: str) -> None:
    """Move the clock and tick."""
    clock.set(at(when))
    checkins.tick(clock.now())


def rows(db: Database, **filters: object) -> list:  # type: ignore[type-arg]
    """Outbox rows, oldest first."""
    with db.read() as session:
        return repo.rows_where(session=session, **filters)  # type: ignore[arg-type]


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SlackSandbox]:
    """The Slack stand-in, on the test clock, with a hire, their manager and mentor."""
    with SlackSandbox(clock=clock) as stand_in:
        for user_id, tz in ZONES.items():
            stand_in.add_user(user_id, user_id.lower().removeprefix("u0"), tz=tz)
        yield stand_in


@pytest.fixture
def messenger(sandbox: SlackSandbox, clock: ManualClock) -> SlackMessenger:
    """The real messenger over a WebClient on the sandbox; pacing waits move the test clock."""
    return paced_messenger(sandbox, clock)


@pytest.fixture
def checkins(
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    onboarding: Onboarding,
    messenger: SlackMessenger,
) -> Checkins:
    """The check-in engine, wired like bot.app.build does (the nudge observer included)."""
    return build_checkins(db, catalog, clock, onboarding, messenger)


def enroll(
    onboarding: Onboarding,
    *,
    hire: str = HIRE,
    start: date = date(2026, 11, 2),
    tz: str | None = None,
    mentors: tuple[str, ...] = (MENTOR,),
    profile_in: SlackSandbox | None = None,
) -> EnrollmentReport:
    """Enroll ``hire`` (zone unknown unless given, as from the CLI) with the manager and mentor.

    With ``profile_in`` (the sandbox), the hire's Slack profile says ``tz`` too, so the weekly
    profile refresh (due once the test clock passes a week) keeps the zone instead of
    correcting it.
    """
    if profile_in is not None and tz:
        profile_in.add_user(hire, hire.lower().removeprefix("u0"), tz=tz)
    return onboarding.enroll(
        actor=Actor.cli(),
        hire=Profile(user_id=hire, tz=tz) if tz else hire,
        plan_id=PLAN,
        start=start,
        manager=MANAGER,
        mentors=list(mentors),
    )
