"""Message shortcuts and permalinks in the sandbox, as Slack sends and answers them."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox import SlackDriver, SlackSandbox
from tests.sandbox.conftest import BOSS, HIRE


def test_a_message_shortcut_carries_the_message_its_channel_and_a_trigger(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    """`message_action` reaches Bolt's shortcut listener with the message, channel, ts,
    trigger_id and response_url, as Slack's payload has them."""
    seen: list[dict[str, Any]] = []

    @bolt_app.shortcut("log_it")
    def log_it(ack: Ack, shortcut: dict[str, Any]) -> None:
        seen.append(shortcut)
        ack()

    message = sandbox.post_as_user(HIRE, "C0GENERAL", "Shipped the eval harness")
    delivery = driver.message_action(BOSS, "log_it", message)
    assert delivery.status == 200
    [payload] = seen
    assert payload["type"] == "message_action"
    assert payload["callback_id"] == "log_it"
    assert payload["user"]["id"] == BOSS
    assert payload["channel"]["id"] == "C0GENERAL"
    assert payload["message_ts"] == message.ts
    assert payload["message"]["text"] == "Shipped the eval harness"
    assert payload["message"]["user"] == HIRE
    assert payload["trigger_id"] == delivery.trigger_id
    assert payload["response_url"] == delivery.response_url


def test_get_permalink_links_a_message_and_names_a_replys_thread(
    client: WebClient, sandbox: SlackSandbox
) -> None:
    """chat.getPermalink answers Slack's archive link; a thread reply's carries thread_ts."""
    parent = sandbox.post_as_user(HIRE, "C0GENERAL", "parent")
    reply = sandbox.post_as_user(BOSS, "C0GENERAL", "reply", thread_ts=parent.ts)
    top = client.chat_getPermalink(channel="C0GENERAL", message_ts=parent.ts)
    assert top["permalink"] == (
        f"https://sandbox.slack.com/archives/C0GENERAL/p{parent.ts.replace('.', '')}"
    )
    threaded = client.chat_getPermalink(channel="C0GENERAL", message_ts=reply.ts)
    assert threaded["permalink"].endswith(f"?thread_ts={parent.ts}&cid=C0GENERAL")


def test_get_permalink_of_an_unknown_message_is_message_not_found(
    client: WebClient, sandbox: SlackSandbox
) -> None:
    """An unknown ts is `message_not_found`, an unknown channel `channel_not_found`."""
    sandbox.add_channel("C0GENERAL", "general")
    for channel, error in (("C0GENERAL", "message_not_found"), ("C0NOPE", "channel_not_found")):
        with pytest.raises(SlackApiError) as raised:
            client.chat_getPermalink(channel=channel, message_ts="1.000001")
        assert raised.value.response["error"] == error


def test_a_preselected_option_must_be_one_of_the_menus_options(
    client: WebClient, sandbox: SlackSandbox
) -> None:
    """Like Slack, a menu whose initial option is not among its options is `invalid_blocks`."""
    option = {"text": {"type": "plain_text", "text": "A"}, "value": "a"}
    other = {"text": {"type": "plain_text", "text": "B"}, "value": "b"}
    menu = {"type": "multi_static_select", "action_id": "m", "initial_options": [other]}
    grouped = {
        **menu,
        "option_groups": [{"label": {"type": "plain_text", "text": "G"}, "options": [option]}],
    }
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "accessory": grouped}]
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=HIRE, text="x", blocks=blocks)
    assert raised.value.response["error"] == "invalid_blocks"
    grouped["initial_options"] = [option]
    assert client.chat_postMessage(channel=HIRE, text="x", blocks=blocks)["ok"]
