"""SlackDriver over HTTP against a real Bolt app served on loopback."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient

from bot.sandbox import Delivery, DeliveryError, SlackDriver, SlackSandbox
from tests.sandbox.conftest import BOSS, HIRE
from tests.support.loopback import serve_wsgi

STATUS_MENU = {
    "type": "static_select",
    "action_id": "milestone_status",
    "options": [
        {"text": {"type": "plain_text", "text": "Done"}, "value": "done"},
        {"text": {"type": "plain_text", "text": "Blocked"}, "value": "blocked"},
    ],
}


def test_a_command_reaches_the_app_with_slacks_fields(bolt_app: App, driver: SlackDriver):
    """The command arrives signed and form-encoded with text, user, response_url and trigger_id."""
    seen: list[dict[str, Any]] = []

    @bolt_app.command("/onramp")
    def onramp(ack: Ack, command: dict[str, Any]) -> None:
        seen.append(command)
        ack()

    delivery = driver.command("progress <@U0HIRE|hira>", BOSS)
    assert delivery.status == 200
    [command] = seen
    assert command["text"] == "progress <@U0HIRE|hira>"
    assert (command["user_id"], command["user_name"], command["command"]) == (BOSS, "bo", "/onramp")
    assert command["response_url"] == delivery.response_url
    assert command["trigger_id"] == delivery.trigger_id
    assert command["team_id"] == driver.sandbox.team_id


def test_an_ack_with_text_is_shown_to_the_caller_only(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
):
    """A command acked with a message becomes an ephemeral for the caller, as in Slack."""

    @bolt_app.command("/onramp")
    def onramp(ack: Ack) -> None:
        ack("Usage: /onramp help")

    driver.command("helpp", BOSS)
    [reply] = sandbox.ephemerals(BOSS)
    assert (reply.text, reply.source) == ("Usage: /onramp help", "ack")
    assert sandbox.ephemerals(HIRE) == []


def test_respond_posts_land_as_ephemeral_or_in_channel(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
):
    """respond() to the response_url records an ephemeral; response_type=in_channel a message."""

    @bolt_app.command("/onramp")
    def onramp(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        ack()
        if command["text"] == "team":
            respond(text="Your team: 1 hire")
        else:
            respond(text="Shared with everyone", response_type="in_channel")

    driver.command("team", BOSS)
    driver.command("share", BOSS)
    assert [e.text for e in sandbox.ephemerals(BOSS)] == ["Your team: 1 hire"]
    assert [m.text for m in sandbox.messages(user=BOSS)] == ["Shared with everyone"]
    assert [r.kind for r in sandbox.responses] == ["ephemeral", "in_channel"]


def test_a_forged_or_stale_request_gets_401_from_bolt(bolt_app: App, driver: SlackDriver):
    """A request signed with the wrong secret or ten minutes ago is refused with 401."""
    calls: list[str] = []

    @bolt_app.command("/onramp")
    def onramp(ack: Ack) -> None:
        calls.append("ran")
        ack()

    forged = driver.signed_with(secret="not-the-signing-secret").command("help", BOSS)
    stale = driver.signed_with(timestamp=int(time.time()) - 600).command("help", BOSS)
    assert (forged.status, stale.status) == (401, 401)
    assert calls == []


def test_a_button_click_carries_the_message_and_replace_original_updates_it(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox, client: WebClient
):
    """block_action finds the button in a posted message; respond(replace_original) rewrites it."""
    blocks = [
        {
            "type": "actions",
            "block_id": "pulse",
            "elements": [
                {
                    "type": "button",
                    "action_id": "pulse_on_track",
                    "text": {"type": "plain_text", "text": "On track"},
                    "value": "on_track",
                }
            ],
        }
    ]
    client.chat_postMessage(channel=HIRE, text="How is it going?", blocks=blocks)
    [message] = sandbox.bot_messages(HIRE)
    actions: list[dict[str, Any]] = []

    @bolt_app.action("pulse_on_track")
    def on_track(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actions.append(body)
        respond(text="Recorded: on track", replace_original=True)

    delivery = driver.block_action(HIRE, "pulse_on_track", message=message)
    assert delivery.ok
    [body] = actions
    assert body["actions"][0]["value"] == "on_track"
    assert body["actions"][0]["block_id"] == "pulse"
    assert body["message"]["ts"] == message.ts
    assert body["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": message.channel,
        "is_ephemeral": False,
    }
    [updated] = sandbox.bot_messages(HIRE)
    assert (updated.ts, updated.text) == (message.ts, "Recorded: on track")


def test_a_menu_pick_in_the_home_view_sends_the_selected_option(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox, client: WebClient
):
    """A static_select in a Home view is delivered with selected_option and the view."""
    home = {
        "type": "home",
        "blocks": [
            {
                "type": "section",
                "block_id": "m:s6.30-day-1",
                "text": {"type": "mrkdwn", "text": "Set up your environment"},
                "accessory": STATUS_MENU,
            }
        ],
    }
    client.views_publish(user_id=HIRE, view=home)
    picked: list[dict[str, Any]] = []

    @bolt_app.action("milestone_status")
    def status(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        picked.append(body)

    view = sandbox.home_view(HIRE)
    assert view is not None
    driver.block_action(HIRE, "milestone_status", "blocked", view=view)
    [body] = picked
    assert body["actions"][0]["selected_option"]["value"] == "blocked"
    assert body["actions"][0]["block_id"] == "m:s6.30-day-1"
    assert body["container"] == {"type": "view", "view_id": view.id}
    assert body["view"]["id"] == view.id


def test_an_unknown_action_id_is_a_clear_test_error(driver: SlackDriver, client: WebClient):
    """Clicking an action_id that is not in the message raises, naming the ones that are."""
    blocks = [{"type": "actions", "elements": [{**STATUS_MENU}]}]
    client.chat_postMessage(channel=HIRE, text="x", blocks=blocks)
    [message] = driver.sandbox.bot_messages(HIRE)
    with pytest.raises(ValueError, match="milestone_status"):
        driver.block_action(HIRE, "nope", message=message)


def test_a_command_can_open_a_modal_and_its_submission_is_acked_with_errors(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
):
    """views.open works with the command's trigger_id; a submission's ack body comes back."""

    @bolt_app.command("/onramp")
    def onramp(ack: Ack, client: WebClient, command: dict[str, Any]) -> None:
        ack()
        client.views_open(
            trigger_id=command["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "note",
                "title": {"type": "plain_text", "text": "Add a note"},
                "blocks": [],
            },
        )

    @bolt_app.view("note")
    def note(ack: Ack, view: dict[str, Any]) -> None:
        text = view["state"]["values"]["note"]["text"]["value"]
        if not text.strip():
            ack(response_action="errors", errors={"note": "Write a few words first."})
        else:
            ack()

    driver.command("note", HIRE)
    [modal] = sandbox.views("modal")
    assert modal.user == HIRE
    values = {"note": {"text": {"type": "plain_text_input", "value": "  "}}}
    delivery = driver.view_submission(HIRE, "note", values, view=modal)
    assert delivery.json() == {
        "response_action": "errors",
        "errors": {"note": "Write a few words first."},
    }


def test_a_dm_is_recorded_in_history_and_delivered_as_an_im_message(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
):
    """dm() stores the person's message in their DM and the app gets a message event (im)."""
    events: list[dict[str, Any]] = []

    @bolt_app.event("message")
    def on_message(event: dict[str, Any], say: Say) -> None:
        events.append(event)
        say(text=f"You said: {event['text']}")

    driver.dm(HIRE, "what is due this week?")
    [event] = events
    assert (event["channel_type"], event["user"]) == ("im", HIRE)
    history = sandbox.messages(user=HIRE)
    assert [(m.user, m.text) for m in history] == [
        (HIRE, "what is due this week?"),
        (sandbox.bot_user_id, "You said: what is due this week?"),
    ]


def test_a_mention_arrives_as_app_mention_and_a_thread_reply_lands_in_the_thread(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
):
    """mention() delivers app_mention with the bot tag; say(thread_ts=…) replies in the thread."""

    @bolt_app.event("app_mention")
    def mentioned(event: dict[str, Any], say: Say) -> None:
        say(text="Here is the answer", thread_ts=event["ts"])

    driver.mention(HIRE, "C0GENERAL", "what are the KPIs?")
    question, answer = sandbox.messages("C0GENERAL")
    assert question.text == f"<@{sandbox.bot_user_id}> what are the KPIs?"
    assert (answer.thread_ts, answer.text) == (question.ts, "Here is the answer")


def test_app_home_opened_leads_to_a_published_home(
    bolt_app: App, driver: SlackDriver, sandbox: SlackSandbox
):
    """app_home_opened reaches the app, whose views.publish becomes the user's Home view."""

    @bolt_app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Day 1"}}],
            },
        )

    driver.app_home_opened(HIRE)
    view = sandbox.home_view(HIRE)
    assert view is not None
    assert view.blocks[0]["text"]["text"] == "Day 1"


def test_a_retried_event_carries_slacks_retry_headers(bolt_app: App, driver: SlackDriver):
    """event(retry_num=…) re-sends the same event_id with X-Slack-Retry-Num and -Reason."""
    seen: list[tuple[str, str | None, str | None]] = []

    @bolt_app.event("app_home_opened")
    def home(body: dict[str, Any], request: BoltRequest) -> None:
        headers = request.headers
        seen.append(
            (
                body["event_id"],
                (headers.get("x-slack-retry-num") or [None])[0],
                (headers.get("x-slack-retry-reason") or [None])[0],
            )
        )

    event = {"type": "app_home_opened", "user": HIRE, "channel": "D0HIRE", "tab": "home"}
    driver.event(event, event_id="Ev0001")
    driver.event(event, event_id="Ev0001", retry_num=1, retry_reason="http_timeout")
    assert seen == [("Ev0001", None, None), ("Ev0001", "1", "http_timeout")]


def test_url_verification_gets_the_challenge_back(driver: SlackDriver):
    """Bolt answers Slack's url_verification with the challenge."""
    delivery = driver.url_verification("abc123")
    assert delivery.status == 200
    assert json.loads(delivery.body)["challenge"] == "abc123"


def test_raw_posts_are_signed(driver: SlackDriver):
    """post() signs arbitrary bytes: Bolt gets past verification (no 401) to "no listener"."""
    delivery: Delivery = driver.post(b'{"type": "block_suggestion"}', "application/json")
    forged = driver.signed_with(secret="wrong").post(b'{"type": "x"}', "application/json")
    assert (delivery.status, forged.status) == (404, 401)


def test_delivering_to_nothing_says_what_is_wrong(sandbox: SlackSandbox):
    """A driver pointed at a closed port raises DeliveryError naming the URL."""
    with serve_wsgi(lambda *_: []) as base:
        url = f"{base}/slack/events"
    with pytest.raises(DeliveryError, match="is the app's HTTP server running"):
        SlackDriver(sandbox, url, timeout=2).command("help", BOSS)
