"""Socket Mode: Bolt's default SocketModeHandler (slack_sdk's built-in client) and the sandbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Say
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from bot.sandbox import DeliveryError, SlackDriver, SlackSandbox
from tests.sandbox.conftest import BOSS, HIRE
from tests.support.waiting import eventually


@pytest.fixture
def socket_handler(bolt_app: App, sandbox: SlackSandbox) -> Iterator[SocketModeHandler]:
    """Bolt's default SocketModeHandler for ``bolt_app``, connected to the sandbox."""
    handler = SocketModeHandler(bolt_app, app_token=sandbox.app_token)
    handler.connect()
    try:
        yield handler
    finally:
        # Closing from the server side first wakes the client's blocking read (it holds a lock
        # for up to 3 s otherwise), so the handler shuts down quickly.
        handler.client.auto_reconnect_enabled = False
        sandbox.close_sockets()
        handler.close()


@pytest.fixture
def socket_driver(socket_handler: SocketModeHandler, sandbox: SlackSandbox) -> SlackDriver:
    """A driver delivering over Socket Mode to the connected app."""
    assert sandbox.wait_for_socket(timeout=5)
    return SlackDriver(sandbox, timeout=5)


def test_bolts_default_handler_is_slack_sdks_builtin_client(socket_handler: SocketModeHandler):
    """The handler these tests connect is Bolt's default, built on slack_sdk's built-in client."""
    assert isinstance(socket_handler.client, SocketModeClient)
    assert socket_handler.client.is_connected()


def test_connecting_opens_a_url_with_the_app_token(socket_driver: SlackDriver):
    """The handler calls apps.connections.open with the xapp token and holds one connection."""
    sandbox = socket_driver.sandbox
    [opened] = sandbox.calls("apps.connections.open")
    assert opened.token_kind == "app"
    assert opened.response is not None
    assert opened.response["url"].startswith(f"ws://127.0.0.1:{sandbox.socket_port}/link/")
    assert sandbox.socket_connections == 1


def test_a_command_round_trip_returns_the_ack_payload(
    bolt_app: App, socket_driver: SlackDriver, sandbox: SlackSandbox
):
    """A slash_commands envelope reaches the listener; its ack text comes back and is shown."""
    seen: list[dict[str, Any]] = []

    @bolt_app.command("/onramp")
    def onramp(ack: Ack, command: dict[str, Any]) -> None:
        seen.append(command)
        ack(text=f"Hello {command['user_name']}")

    delivery = socket_driver.command("help", BOSS)
    assert delivery.transport == "socket"
    assert delivery.ack == {"text": "Hello bo"}
    assert seen[0]["text"] == "help"
    assert [e.text for e in sandbox.ephemerals(BOSS)] == ["Hello bo"]


def test_an_event_round_trip_lets_the_app_reply(
    bolt_app: App, socket_driver: SlackDriver, sandbox: SlackSandbox
):
    """An events_api envelope (a DM) is acked, and the app's reply lands in the DM history."""
    replied = threading.Event()

    @bolt_app.event("message")
    def on_message(event: dict[str, Any], say: Say) -> None:
        say(text="Got it")
        replied.set()

    delivery = socket_driver.dm(HIRE, "hello")
    assert delivery.ok
    assert delivery.ack is None
    assert replied.wait(timeout=5)
    assert [m.text for m in sandbox.messages(user=HIRE)] == ["hello", "Got it"]


def test_an_interactive_round_trip_delivers_the_action(
    bolt_app: App, socket_driver: SlackDriver, sandbox: SlackSandbox
):
    """An interactive envelope with a block action reaches the action listener."""
    client = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token)
    button = {
        "type": "button",
        "action_id": "pulse_blocked",
        "text": {"type": "plain_text", "text": "Blocked"},
        "value": "blocked",
    }
    client.chat_postMessage(
        channel=HIRE, text="Pulse", blocks=[{"type": "actions", "elements": [button]}]
    )
    [message] = sandbox.bot_messages(HIRE)
    values: list[str] = []

    @bolt_app.action("pulse_blocked")
    def blocked(ack: Ack, action: dict[str, Any]) -> None:
        values.append(action["value"])
        ack()

    assert socket_driver.block_action(HIRE, "pulse_blocked", message=message).ok
    assert values == ["blocked"]


def test_a_retried_event_carries_the_retry_attempt(bolt_app: App, socket_driver: SlackDriver):
    """Socket Mode retries set retry_attempt/retry_reason, which Bolt exposes as headers."""
    seen: list[tuple[str, str, str]] = []

    @bolt_app.event("app_home_opened")
    def home(body: dict[str, Any], request: BoltRequest) -> None:
        headers = request.headers
        seen.append(
            (
                body["event_id"],
                headers["x-slack-retry-num"][0],
                headers["x-slack-retry-reason"][0],
            )
        )

    event = {"type": "app_home_opened", "user": HIRE, "channel": "D0HIRE", "tab": "home"}
    socket_driver.event(event, event_id="Ev0002", retry_num=2, retry_reason="timeout")
    assert seen == [("Ev0002", "2", "timeout")]


def test_a_refresh_request_makes_the_client_reconnect(
    socket_handler: SocketModeHandler, socket_driver: SlackDriver
):
    """Slack's disconnect/refresh_requested makes the client open a fresh URL and reconnect."""
    sandbox = socket_driver.sandbox
    first = socket_handler.client.session_id()
    assert sandbox.request_socket_refresh() == 1
    # The client swaps sessions only after its old read times out; wait for the swap itself.
    assert eventually(lambda: socket_handler.client.session_id() != first)
    assert len(sandbox.calls("apps.connections.open")) == 2
    # The old socket closes after the new one is open: wait for that too, not just the swap.
    assert eventually(lambda: sandbox.socket_connections == 1), sandbox.socket_connections


def test_a_connection_needs_a_fresh_ticket(sandbox: SlackSandbox):
    """The websocket refuses unknown tickets and a ticket used twice with 401."""
    client = WebClient(base_url=sandbox.api_url, token=sandbox.app_token)
    url = client.apps_connections_open(app_token=sandbox.app_token)["url"]
    with connect(url, open_timeout=5) as websocket:
        assert '"type": "hello"' in str(websocket.recv(timeout=5))
    for bad in (url, url.replace("ticket=", "ticket=x")):
        with pytest.raises(InvalidStatus) as caught:
            connect(bad, open_timeout=5)
        assert caught.value.response.status_code == 401


def test_delivering_with_no_app_connected_says_so(sandbox: SlackSandbox):
    """Without a connected app the driver raises DeliveryError explaining what to start."""
    driver = SlackDriver(sandbox, timeout=0.1)
    with pytest.raises(DeliveryError, match="no app is connected"):
        driver.command("help", BOSS)


def test_an_app_that_never_acks_times_out_with_a_clear_error(sandbox: SlackSandbox):
    """An app that receives envelopes but never acks gets DeliveryError after the timeout."""
    client = WebClient(base_url=sandbox.api_url, token=sandbox.app_token)
    url = client.apps_connections_open(app_token=sandbox.app_token)["url"]
    silent = SlackDriver(sandbox, timeout=0.2)
    with connect(url, open_timeout=5), pytest.raises(DeliveryError, match="did not acknowledge"):
        silent.command("help", BOSS)
