"""The sandbox's Web API, exercised through the real slack_sdk WebClient."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox import SlackSandbox
from bot.services.clock import ManualClock
from tests.sandbox.conftest import BOSS, HIRE


def _error(call: object) -> str:
    """Run a WebClient call expected to fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as caught:
        call()  # type: ignore[operator]
    return str(caught.value.response["error"])


def test_auth_test_names_the_team_and_the_bot_user(sandbox: SlackSandbox, client: WebClient):
    """auth.test answers with the sandbox's team id, bot user id and bot id."""
    reply = client.auth_test()
    assert (reply["team_id"], reply["user_id"], reply["bot_id"]) == (
        sandbox.team_id,
        sandbox.bot_user_id,
        sandbox.bot_id,
    )


def test_users_info_gives_time_zone_offset_and_profile(client: WebClient):
    """users.info returns tz, the offset at the workspace clock's now, and the profile names."""
    user = client.users_info(user=HIRE)["user"]
    assert user["tz"] == "Europe/Berlin"
    assert user["tz_offset"] == 3600  # the clock reads 2 November: Berlin is on CET (UTC+1)
    assert user["profile"]["display_name"] == "hira"
    assert user["profile"]["real_name"] == "Hira Newcomer"


def test_users_info_offset_follows_daylight_saving(sandbox: SlackSandbox, clock: ManualClock):
    """tz_offset is taken at the workspace clock, so summer time shows as UTC-4 in New York."""
    clock.set(clock.now() - timedelta(days=120))  # early July
    client = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token)
    assert client.users_info(user=BOSS)["user"]["tz_offset"] == -4 * 3600


def test_users_info_for_a_stranger_is_user_not_found(client: WebClient):
    """An unknown user id gets user_not_found."""
    assert _error(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_conversations_open_gives_one_stable_dm_per_person(client: WebClient):
    """conversations.open returns the same DM id for a person every time, different per person."""
    first = client.conversations_open(users=HIRE)["channel"]["id"]
    again = client.conversations_open(users=[HIRE])["channel"]["id"]
    other = client.conversations_open(users=BOSS)["channel"]["id"]
    assert first == again
    assert first.startswith("D")
    assert other != first


def test_post_message_stores_blocks_metadata_and_returns_slacks_shape(
    sandbox: SlackSandbox, client: WebClient
):
    """chat.postMessage returns ts, channel and message, and the sandbox keeps every field."""
    dm = client.conversations_open(users=HIRE)["channel"]["id"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Welcome*"}}]
    metadata = {"event_type": "onramp_checkin", "event_payload": {"outbox_id": 7}}
    reply = client.chat_postMessage(channel=dm, text="Welcome", blocks=blocks, metadata=metadata)
    assert reply["channel"] == dm
    assert reply["message"]["ts"] == reply["ts"]
    assert reply["message"]["bot_id"] == sandbox.bot_id
    [stored] = sandbox.messages(user=HIRE)
    assert (stored.ts, stored.text, stored.blocks) == (reply["ts"], "Welcome", blocks)
    assert stored.event_type == "onramp_checkin"
    assert stored.event_payload == {"outbox_id": 7}


def test_post_message_to_a_user_id_lands_in_their_dm(sandbox: SlackSandbox, client: WebClient):
    """Posting to a user id posts in the bot's DM with them, as Slack does for bot tokens."""
    reply = client.chat_postMessage(channel=HIRE, text="hi")
    assert reply["channel"] == sandbox.dm_channel(HIRE)
    assert [m.text for m in sandbox.bot_messages(HIRE)] == ["hi"]


def test_message_ts_follows_the_injected_clock(sandbox: SlackSandbox, clock: ManualClock):
    """Message timestamps come from the workspace clock and never repeat."""
    client = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token)
    first = client.chat_postMessage(channel=HIRE, text="a")["ts"]
    second = client.chat_postMessage(channel=HIRE, text="b")["ts"]
    assert int(float(first)) == int(clock.now().timestamp())
    assert float(second) > float(first)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel": "C0MISSING", "text": "x"}, "channel_not_found"),
        pytest.param(
            {"channel": HIRE},
            "no_text",
            # slack_sdk itself warns that text is missing; the point is what the API answers.
            marks=pytest.mark.filterwarnings("ignore:The top-level `text`:UserWarning"),
        ),
        ({"channel": HIRE, "text": "x", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"channel": HIRE, "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": HIRE, "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
        (
            {"channel": HIRE, "text": "x", "metadata": {"event_payload": {}}},
            "invalid_metadata_format",
        ),
    ],
)
def test_post_message_refuses_what_slack_refuses(client: WebClient, arguments: dict, error: str):
    """chat.postMessage answers bad input with Slack's error code."""
    assert _error(lambda: client.chat_postMessage(**arguments)) == error


def test_invalid_blocks_point_at_the_offending_field(client: WebClient):
    """A section text over 3000 characters is invalid_blocks with a json-pointer to it."""
    blocks = [
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "y" * 76}, "value": "v"}
            ],
        },
    ]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=HIRE, text="t", blocks=blocks)
    errors = caught.value.response["errors"]
    assert any("3001 characters" in e and "/blocks/1/text/text" in e for e in errors)
    assert any("76 characters" in e and "/blocks/2/elements/0/text/text" in e for e in errors)


def test_history_is_newest_first_with_metadata_only_on_request(client: WebClient):
    """conversations.history lists newest first; metadata appears with include_all_metadata."""
    meta = {"event_type": "onramp_checkin", "event_payload": {"outbox_id": 1}}
    client.chat_postMessage(channel=HIRE, text="first", metadata=meta)
    client.chat_postMessage(channel=HIRE, text="second")
    dm = client.conversations_open(users=HIRE)["channel"]["id"]
    plain = client.conversations_history(channel=dm)["messages"]
    full = client.conversations_history(channel=dm, include_all_metadata=True)["messages"]
    assert [m["text"] for m in plain] == ["second", "first"]
    assert "metadata" not in plain[1]
    assert full[1]["metadata"] == meta


def test_history_filters_by_oldest_latest_and_pages_with_a_cursor(client: WebClient):
    """oldest/latest bound the window, limit pages it and next_cursor walks the rest."""
    ts = [client.chat_postMessage(channel=HIRE, text=str(i))["ts"] for i in range(5)]
    dm = client.conversations_open(users=HIRE)["channel"]["id"]
    window = client.conversations_history(channel=dm, oldest=ts[0], latest=ts[4])["messages"]
    assert [m["text"] for m in window] == ["3", "2", "1"]
    first = client.conversations_history(channel=dm, limit=2)
    assert first["has_more"] is True
    rest = client.conversations_history(
        channel=dm, limit=10, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in first["messages"] + rest["messages"]] == ["4", "3", "2", "1", "0"]
    assert rest["has_more"] is False


def test_replies_are_kept_out_of_history_and_listed_by_replies(
    sandbox: SlackSandbox, client: WebClient
):
    """Thread replies appear in conversations.replies, not in the channel's history."""
    sandbox.add_channel("C0GENERAL", "general")
    parent = client.chat_postMessage(channel="C0GENERAL", text="question")["ts"]
    client.chat_postMessage(channel="C0GENERAL", text="answer", thread_ts=parent)
    history = client.conversations_history(channel="C0GENERAL")["messages"]
    thread = client.conversations_replies(channel="C0GENERAL", ts=parent)["messages"]
    assert [m["text"] for m in history] == ["question"]
    assert [m["text"] for m in thread] == ["question", "answer"]


def test_post_ephemeral_is_seen_only_by_its_user(sandbox: SlackSandbox, client: WebClient):
    """chat.postEphemeral is recorded for that user and refused for someone else's DM."""
    sandbox.add_channel("C0GENERAL", "general")
    reply = client.chat_postEphemeral(channel="C0GENERAL", user=BOSS, text="only you")
    assert [(e.user, e.text, e.ts) for e in sandbox.ephemerals()] == [
        (BOSS, "only you", reply["message_ts"])
    ]
    assert sandbox.ephemerals(HIRE) == []
    dm = sandbox.dm_channel(HIRE)
    assert (
        _error(lambda: client.chat_postEphemeral(channel=dm, user=BOSS, text="x"))
        == "user_not_in_channel"
    )


def test_update_rewrites_a_message_in_place(sandbox: SlackSandbox, client: WebClient):
    """chat.update keeps the ts, replaces text and blocks, and marks the message edited."""
    posted = client.chat_postMessage(channel=HIRE, text="How is it going?")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Recorded: on track"}}]
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Recorded", blocks=blocks)
    [message] = sandbox.messages(user=HIRE)
    assert (message.ts, message.text, message.blocks) == (posted["ts"], "Recorded", blocks)
    assert message.edited_ts is not None


def test_update_refuses_missing_and_foreign_messages(sandbox: SlackSandbox, client: WebClient):
    """chat.update on an unknown ts or a person's message fails like Slack."""
    dm = sandbox.dm_channel(HIRE)
    theirs = sandbox.post_as_user(HIRE, dm, "hello bot")
    assert _error(lambda: client.chat_update(channel=dm, ts="1.000001", text="x")) == (
        "message_not_found"
    )
    assert _error(lambda: client.chat_update(channel=dm, ts=theirs.ts, text="x")) == (
        "cant_update_message"
    )


def test_views_publish_keeps_the_latest_home_per_user(sandbox: SlackSandbox, client: WebClient):
    """views.publish records each Home view; home_view() is the latest, with one stable id."""
    for label in ("old", "new"):
        view = {
            "type": "home",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": label}}],
        }
        reply = client.views_publish(user_id=HIRE, view=view)
    home = sandbox.home_view(HIRE)
    assert home is not None
    assert home.blocks[0]["text"]["text"] == "new"
    assert reply["view"]["id"] == home.id
    assert [v.id for v in sandbox.home_views(HIRE)] == [home.id, home.id]
    assert sandbox.home_view(BOSS) is None


@pytest.mark.parametrize(
    ("view", "error"),
    [
        ({"type": "home", "blocks": [{"type": "divider"}] * 101}, "invalid_blocks"),
        ({"type": "modal", "blocks": []}, "invalid_arguments"),
    ],
)
def test_views_publish_refuses_what_slack_refuses(client: WebClient, view: dict, error: str):
    """More than 100 blocks or a non-home view type fails views.publish."""
    assert _error(lambda: client.views_publish(user_id=HIRE, view=view)) == error


def test_views_publish_with_a_stale_hash_conflicts(client: WebClient):
    """A hash that is not the current view's gets hash_conflict."""
    client.views_publish(user_id=HIRE, view={"type": "home", "blocks": []})
    stale = {"type": "home", "blocks": []}
    assert _error(lambda: client.views_publish(user_id=HIRE, view=stale, hash="0.x")) == (
        "hash_conflict"
    )


def test_views_open_takes_a_trigger_once_and_update_replaces(
    sandbox: SlackSandbox, client: WebClient
):
    """views.open accepts an issued trigger_id once; views.update replaces the modal by id."""
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Note"}, "blocks": []}
    trigger = sandbox.new_trigger_id(HIRE)
    opened = client.views_open(trigger_id=trigger, view=modal)["view"]
    assert _error(lambda: client.views_open(trigger_id=trigger, view=modal)) == (
        "exchanged_trigger_id"
    )
    assert _error(lambda: client.views_open(trigger_id="1.2.3", view=modal)) == (
        "invalid_trigger_id"
    )
    changed = {**modal, "callback_id": "note_v2"}
    client.views_update(view_id=opened["id"], view=changed)
    [view] = sandbox.views("modal")
    assert (view.id, view.user, view.callback_id) == (opened["id"], HIRE, "note_v2")


def test_modal_titles_over_24_characters_are_refused(sandbox: SlackSandbox, client: WebClient):
    """views.open refuses a modal title longer than Slack's 24 characters."""
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": []}
    trigger = sandbox.new_trigger_id(HIRE)
    assert _error(lambda: client.views_open(trigger_id=trigger, view=modal)) == "invalid_blocks"


def test_assistant_thread_calls_are_accepted_and_recorded(sandbox: SlackSandbox, client: WebClient):
    """assistant.threads.setStatus/setSuggestedPrompts/setTitle succeed and are logged."""
    dm = sandbox.dm_channel(HIRE)
    client.assistant_threads_setStatus(channel_id=dm, thread_ts="1.000001", status="thinking…")
    client.assistant_threads_setSuggestedPrompts(
        channel_id=dm, thread_ts="1.000001", prompts=[{"title": "Plan", "message": "My plan?"}]
    )
    client.assistant_threads_setTitle(channel_id=dm, thread_ts="1.000001", title="Onboarding")
    [status] = sandbox.calls("assistant.threads.setStatus")
    assert status.params["status"] == "thinking…"
    assert [c.ok for c in sandbox.calls() if c.method.startswith("assistant.")] == [True] * 3


def test_unknown_methods_and_bad_tokens_get_slacks_errors(sandbox: SlackSandbox):
    """unknown_method, not_authed, invalid_auth and not_allowed_token_type as Slack answers."""
    bot = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token)
    assert _error(lambda: bot.api_call("chat.teleport")) == "unknown_method"
    assert _error(lambda: WebClient(base_url=sandbox.api_url).auth_test()) == "not_authed"
    wrong = WebClient(base_url=sandbox.api_url, token="xoxb-not-ours")
    assert _error(wrong.auth_test) == "invalid_auth"
    app = WebClient(base_url=sandbox.api_url, token=sandbox.app_token)
    assert _error(app.auth_test) == "not_allowed_token_type"
    assert _error(lambda: bot.apps_connections_open(app_token=sandbox.bot_token)) == (
        "not_allowed_token_type"
    )


def test_calls_are_recorded_without_the_token(sandbox: SlackSandbox, client: WebClient):
    """Every call is logged with its method and parameters, never with the token."""
    client.chat_postMessage(channel=HIRE, text="hello")
    [call] = sandbox.calls("chat.postMessage")
    assert call.params == {"channel": HIRE, "text": "hello"}
    assert "authorization" not in call.headers
    assert call.token_kind == "bot"
    assert sandbox.bot_token not in json.dumps([c.headers for c in sandbox.calls()])


def test_form_encoded_calls_with_the_token_in_the_body_work(sandbox: SlackSandbox):
    """A form body carrying ``token=`` (the legacy style) is accepted and the token not logged."""
    body = f"token={sandbox.bot_token}&channel={HIRE}&text=hi".encode()
    request = urllib.request.Request(f"{sandbox.api_url}chat.postMessage", data=body)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    [call] = sandbox.calls("chat.postMessage")
    assert "token" not in call.params


def test_clear_forgets_records_but_keeps_people(sandbox: SlackSandbox, client: WebClient):
    """clear() empties calls, messages and views; users and DMs stay."""
    client.chat_postMessage(channel=HIRE, text="hi")
    dm = sandbox.dm_channel(HIRE)
    sandbox.clear()
    assert (sandbox.calls(), sandbox.messages(), sandbox.views()) == ([], [], [])
    assert client.conversations_open(users=HIRE)["channel"]["id"] == dm
