"""response_url posts through slack_sdk's WebhookClient, the client Bolt's respond() uses."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.sandbox import SlackSandbox
from tests.sandbox.conftest import BOSS, HIRE


def test_replace_and_delete_original_act_on_the_clicked_message(
    sandbox: SlackSandbox, client: WebClient
):
    """replace_original rewrites the message the action came from; delete_original removes it."""
    first = client.chat_postMessage(channel=HIRE, text="Pulse 1")["ts"]
    second = client.chat_postMessage(channel=HIRE, text="Pulse 2")["ts"]
    dm = sandbox.dm_channel(HIRE)
    replace_url = sandbox.new_response_url(channel=dm, user=HIRE, original_ts=first)
    delete_url = sandbox.new_response_url(channel=dm, user=HIRE, original_ts=second)
    assert WebhookClient(replace_url).send(text="Thanks!", replace_original=True).status_code == 200
    WebhookClient(delete_url).send(delete_original=True)
    assert [(m.ts, m.text) for m in sandbox.bot_messages(HIRE)] == [(first, "Thanks!")]
    assert [r.kind for r in sandbox.responses] == ["replace", "delete"]


def test_replacing_an_ephemeral_records_a_new_version_of_it(sandbox: SlackSandbox):
    """For an ephemeral original, replace_original adds an ephemeral that names the one replaced."""
    dm = sandbox.dm_channel(BOSS)
    url = sandbox.new_response_url(
        channel=dm, user=BOSS, original_ts="1.000001", original_ephemeral=True
    )
    WebhookClient(url).send(text="Updated", replace_original=True)
    [shown] = sandbox.ephemerals(BOSS)
    assert (shown.text, shown.replaces, shown.source) == ("Updated", "1.000001", "response_url")


def test_a_response_url_works_five_times(sandbox: SlackSandbox):
    """The sixth post to one response_url is refused, as Slack limits them to five."""
    url = sandbox.new_response_url(channel=sandbox.dm_channel(BOSS), user=BOSS)
    statuses = [WebhookClient(url).send(text=str(i)).status_code for i in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 404]
    assert len(sandbox.ephemerals(BOSS)) == 5
    assert sandbox.calls("response_url")[-1].error == "used_url"


def test_an_unknown_response_url_is_404(sandbox: SlackSandbox):
    """A response_url the sandbox never issued answers 404."""
    response = WebhookClient(f"{sandbox.base_url}/response/nope").send(text="x")
    assert response.status_code == 404


def test_faults_apply_to_response_urls(sandbox: SlackSandbox):
    """fail("response_url", 500) makes the next post fail and records nothing."""
    sandbox.fail("response_url", 500)
    url = sandbox.new_response_url(channel=sandbox.dm_channel(BOSS), user=BOSS)
    assert WebhookClient(url).send(text="lost").status_code == 500
    assert sandbox.ephemerals(BOSS) == []
    assert WebhookClient(url).send(text="kept").status_code == 200
