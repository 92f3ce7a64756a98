"""Check-in fixtures: the real engine over a real database, posting through the real
``slack_sdk.WebClient`` to the loopback Slack sandbox, all on the test's ManualClock.

``rig`` is what most tests take (see :class:`tests.support.checkins.Rig`); ``app`` and
``enrolled_app`` are the running Slack app for tests that answer what the engine posted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Onboarding
from bot.slack.delivery import SlackMessenger
from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures, for the app
    container,
    credentials,
    events_url,
    runtime,
    settings,
    slack,
)
from tests.support.checkins import Rig, RunningApp, checkin_engine, paced_messenger
from tests.support.enroll import enroll
from tests.support.people import add_people


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SlackSandbox]:
    """The Slack stand-in, on the test clock, with a hire, their manager and mentor."""
    with SlackSandbox(clock=clock) as stand_in:
        yield add_people(stand_in)


@pytest.fixture
def messenger(sandbox: SlackSandbox, clock: ManualClock) -> SlackMessenger:
    """The real messenger over a WebClient on the sandbox; pacing waits move the test clock."""
    return paced_messenger(sandbox, clock)


@pytest.fixture
def checkins(onboarding: Onboarding, messenger: SlackMessenger) -> Checkins:
    """The check-in engine, wired like bot.app.build does (the nudge observer included)."""
    return checkin_engine(onboarding, messenger)


@pytest.fixture
def rig(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> Rig:
    """The engine, onboarding, sandbox, database and clock of one test, with its verbs."""
    return Rig(
        checkins=checkins, onboarding=onboarding, sandbox=sandbox, db=onboarding.db, clock=clock
    )


@pytest.fixture
def app(
    container: Container,  # noqa: F811 - the fixture imported above
    slack: SlackDriver,  # noqa: F811
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,  # noqa: F811
) -> RunningApp:
    """The Slack app as ``onramp serve`` runs it, its check-in engine posting to the sandbox."""
    container.checkins.messenger = paced_messenger(sandbox, clock, channel_interval=0)
    return RunningApp(
        container=container, slack=slack, sandbox=sandbox, clock=clock, runtime=runtime
    )


@pytest.fixture
def enrolled_app(app: RunningApp) -> RunningApp:
    """The running app with a New York hire enrolled from 2 Nov with the manager and mentor."""
    enroll(app.container.onboarding, tz="America/New_York")
    return app
