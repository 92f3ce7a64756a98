"""Buttons this version doesn't handle (from an older version, or tampered with): acked, logged,
and the clicker is told what to do instead. Signed ``block_actions`` through the real Bolt app.
"""

from __future__ import annotations

import logging

import pytest

from bot.app import SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack import messages as msg
from bot.slack.payloads import MILESTONE_STATUS_ACTION
from tests.slack.conftest import HIRE, shown, view_text

NOTICE = msg.INACTIVE_CONTROL.format(cmd="/onramp")
OLD_BUTTON = {
    "type": "actions",
    "block_id": "legacy",
    "elements": [
        {
            "type": "button",
            "action_id": "open_plan_v0",
            "text": {"type": "plain_text", "text": "Open my plan"},
            "value": "plan",
        }
    ],
}


def _logged(caplog: pytest.LogCaptureFixture, text: str, level: int = logging.INFO) -> bool:
    return any(
        r.levelno == level and r.name == "onramp.slack.actions" and text in r.getMessage()
        for r in caplog.records
    )


def test_an_old_button_in_a_dm_gets_a_private_notice(
    slack: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A click on a button no listener handles is acked (not Bolt's 404), logged at INFO with
    its action id, and answered below the message, privately, without replacing it."""
    caplog.set_level(logging.INFO, logger="onramp.slack.actions")
    dm = sandbox.dm_channel(HIRE)
    message = {"channel": dm, "ts": "1790000000.000100", "blocks": [OLD_BUTTON]}
    delivery = slack.block_action(HIRE, "open_plan_v0", message=message)
    assert delivery.status == 200
    assert runtime.settle()
    [reply] = sandbox.ephemerals(HIRE)
    assert (reply.text, reply.channel, reply.replaces) == (NOTICE, dm, None)
    assert [r.kind for r in sandbox.responses] == ["ephemeral"]
    assert _logged(caplog, repr("open_plan_v0"))


def test_a_tampered_action_id_is_answered_and_logged_safely(
    slack: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An action id no version ever sent, with a line break in it, is logged as one quoted line."""
    caplog.set_level(logging.INFO, logger="onramp.slack.actions")
    forged = "x\nINFO onramp: forged line"
    assert slack.block_action(HIRE, forged).status == 200
    assert runtime.settle()
    assert [e.text for e in sandbox.ephemerals(HIRE)] == [NOTICE]
    assert _logged(caplog, repr(forged))
    assert not any("\n" in r.getMessage() for r in caplog.records if r.name.startswith("onramp"))


def test_a_notice_that_cannot_be_sent_is_logged_not_raised(
    slack: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the response_url post fails, the click is still acked and the failure is a warning."""
    caplog.set_level(logging.INFO, logger="onramp.slack.actions")
    sandbox.reset("response_url", times=None)  # past the SDK's retry on a reset connection
    assert slack.block_action(HIRE, "open_plan_v0").status == 200
    assert runtime.settle()
    assert sandbox.ephemerals(HIRE) == []
    assert _logged(caplog, "could not send a private reply", logging.WARNING)


def test_an_old_button_on_home_republishes_home_with_the_notice(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """On the Home tab there is no message to answer below: Home is re-published with the
    notice on top."""
    old_home = {"id": "V0OLDHOME", "type": "home", "blocks": [OLD_BUTTON]}
    assert enrolled.block_action(HIRE, "open_plan_v0", view=old_home).status == 200
    assert runtime.settle()
    view = sandbox.home_view(HIRE)
    assert view is not None
    assert NOTICE in view_text({"blocks": view.blocks})
    assert sandbox.ephemerals(HIRE) == []


def test_handled_controls_never_reach_the_catch_all(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """The catch-all is registered last: a real Home control still records the status."""
    enrolled.app_home_opened(HIRE)
    assert runtime.settle()
    view = sandbox.home_view(HIRE)
    assert view is not None
    enrolled.block_action(
        HIRE, MILESTONE_STATUS_ACTION, "done", block_id="milestone:d30-product-surface", view=view
    )
    assert runtime.settle()
    latest = sandbox.home_view(HIRE)
    assert latest is not None
    assert NOTICE not in view_text({"blocks": latest.blocks})
    assert "●" in shown(enrolled.command("me", HIRE))
