"""Signed requests only, retried events once, echoes ignored, health, and Socket Mode."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from bot.app import SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack import messages as msg
from tests.slack.conftest import HIRE, MANAGER, shown


def test_forged_signature_is_refused(slack: SlackDriver, sandbox: SlackSandbox) -> None:
    """A request signed with the wrong secret gets 401 and does nothing."""
    forged = slack.signed_with(secret="0" * 32)
    delivery = forged.command(f"enroll <@{HIRE}>", MANAGER)
    assert delivery.status == 401
    assert "Enrolled" not in delivery.body
    assert "already enrolled" not in shown(slack.command(f"enroll <@{HIRE}>", MANAGER))


def test_stale_timestamp_is_refused(slack: SlackDriver) -> None:
    """A correctly signed request from 10 minutes ago gets 401 (Slack's 5-minute window)."""
    stale = slack.signed_with(timestamp=int(time.time()) - 600)
    assert stale.command("help", MANAGER).status == 401
    assert stale.app_home_opened(HIRE).status == 401


def test_retried_event_is_processed_once(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Slack's retry of an event (same event_id) is acked but not processed again."""
    event = {"type": "app_home_opened", "user": HIRE, "channel": "D0HIRE", "tab": "home"}
    first = slack.event(event, event_id="Ev0RETRIED")
    retry = slack.event(event, event_id="Ev0RETRIED", retry_num=1, retry_reason="http_timeout")
    assert (first.status, retry.status) == (200, 200)
    assert runtime.settle()
    assert len(sandbox.calls("views.publish")) == 1
    slack.event(event, event_id="Ev0ANOTHER")
    assert runtime.settle()
    assert len(sandbox.calls("views.publish")) == 2


def test_bot_messages_are_ignored(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A bot's own message event stops before any listener or people lookup (no users.info)."""
    event = {"type": "message", "channel_type": "im", "channel": "D0X", "user": "U0ONRAMPBOT"}
    delivery = slack.event({**event, "bot_id": "B0SANDBOX", "text": "hi", "ts": "1.000"})
    assert delivery.status == 200
    assert runtime.settle()
    assert [c.method for c in sandbox.calls() if c.method != "auth.test"] == []


def test_healthz_reports_the_database(events_url: str) -> None:
    """``/healthz`` answers JSON saying the process and its database are fine."""
    url = events_url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(url, timeout=5) as response:  # 127.0.0.1 only
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": True}


def test_url_verification(slack: SlackDriver) -> None:
    """Slack's Request URL check gets its challenge back."""
    delivery = slack.url_verification("abc123")
    assert delivery.status == 200
    assert "abc123" in delivery.body


def test_malformed_body_is_not_a_crash(slack: SlackDriver) -> None:
    """A signed but garbled body gets a 4xx, not a stack trace."""
    delivery = slack.post(b"\x00not json", "application/json")
    assert delivery.status in (400, 404)
    assert "Traceback" not in delivery.body


@pytest.fixture
def socket_app(sandbox: SlackSandbox, runtime: SlackRuntime) -> Iterator[SlackDriver]:
    """The app connected to the sandbox over Socket Mode, as ``onramp serve`` runs it."""
    from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

    handler = SocketModeHandler(
        runtime.app, app_token=sandbox.app_token, web_client=runtime.context.client
    )
    handler.connect()  # type: ignore[no-untyped-call]
    assert sandbox.wait_for_socket(timeout=10)
    yield SlackDriver(sandbox=sandbox)
    handler.close()  # type: ignore[no-untyped-call]


def test_socket_mode_round_trip(
    socket_app: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Over Socket Mode (connection URL from the sandbox's apps.connections.open), a command
    is answered in its ack and an event publishes Home."""
    assert [c.method for c in sandbox.calls("apps.connections.open")]
    ack = socket_app.command("help", MANAGER).ack
    assert ack is not None
    assert msg.HELP_TITLE in json.dumps(ack)
    socket_app.app_home_opened(MANAGER)
    assert runtime.settle()
    assert sandbox.home_view(MANAGER) is not None
