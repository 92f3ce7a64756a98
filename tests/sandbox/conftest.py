"""Fixtures for the sandbox tests: a running sandbox with people, a real WebClient, a real Bolt app
served on loopback (``tests.support.loopback``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.clock import ManualClock
from tests.support.loopback import serve_wsgi

HIRE = "U0HIRE"
BOSS = "U0BOSS"


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SlackSandbox]:
    """A running sandbox on the test clock with a hire in Berlin and a manager in New York."""
    with SlackSandbox(clock=clock) as slack:
        slack.add_user(HIRE, "hira", tz="Europe/Berlin", real_name="Hira Newcomer")
        slack.add_user(BOSS, "bo", tz="America/New_York", real_name="Bo Manager")
        yield slack


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    """The real slack_sdk WebClient pointed at the sandbox."""
    return WebClient(base_url=sandbox.api_url, token=sandbox.bot_token)


@pytest.fixture
def bolt_app(sandbox: SlackSandbox) -> App:
    """A real, empty Bolt app that talks to the sandbox; tests register their listeners."""
    return App(
        token=sandbox.bot_token,
        signing_secret=sandbox.signing_secret,
        client=WebClient(base_url=sandbox.api_url, token=sandbox.bot_token),
        # Listeners finish before the HTTP answer, so a test sees their effects without waiting.
        process_before_response=True,
        logger=logging.getLogger("tests.sandbox.bolt"),
    )


@pytest.fixture
def driver(sandbox: SlackSandbox, bolt_app: App) -> Iterator[SlackDriver]:
    """A driver that delivers over HTTP to ``bolt_app`` served on loopback."""
    with serve_wsgi(SlackRequestHandler(bolt_app)) as base:
        yield SlackDriver(sandbox, f"{base}/slack/events")
