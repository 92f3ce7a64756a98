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
from tests.slack.conftest import HIRE, HomeTab, shown

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


class ActionLog:
    """What the actions listener logged, captured from INFO up."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def has(self, text: str, level: int = logging.INFO) -> bool:
        """Whether a record at ``level`` from ``onramp.slack.actions`` contains ``text``."""
        return any(
            r.levelno == level and r.name == "onramp.slack.actions" and text in r.getMessage()
            for r in self.caplog.records
        )

    def onramp_lines(self) -> list[str]:
        """Every message Onramp's own loggers wrote."""
        return [r.getMessage() for r in self.caplog.records if r.name.startswith("onramp")]


@pytest.fixture
def action_log(caplog: pytest.LogCaptureFixture) -> ActionLog:
    """The actions listener's log for this test, from INFO up."""
    caplog.set_level(logging.INFO, logger="onramp.slack.actions")
    return ActionLog(caplog)


def test_an_old_button_in_a_dm_gets_a_private_notice(
    slack: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    action_log: ActionLog,
) -> None:
    """A click on a button no listener handles is acked (not Bolt's 404), logged at INFO with
    its action id, and answered below the message, privately, without replacing it."""
    dm = sandbox.dm_channel(HIRE)
    message = {"channel": dm, "ts": "1790000000.000100", "blocks": [OLD_BUTTON]}
    delivery = slack.block_action(HIRE, "open_plan_v0", message=message)
    assert delivery.status == 200
    assert runtime.settle()
    [reply] = sandbox.ephemerals(HIRE)
    assert (reply.text, reply.channel, reply.replaces) == (NOTICE, dm, None)
    assert [r.kind for r in sandbox.responses] == ["ephemeral"]
    assert action_log.has(repr("open_plan_v0"))


def test_a_tampered_action_id_is_answered_and_logged_safely(
    slack: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    action_log: ActionLog,
) -> None:
    """An action id no version ever sent, with a line break in it, is logged as one quoted line."""
    forged = "x\nINFO onramp: forged line"
    assert slack.block_action(HIRE, forged).status == 200
    assert runtime.settle()
    assert [e.text for e in sandbox.ephemerals(HIRE)] == [NOTICE]
    assert action_log.has(repr(forged))
    assert not any("\n" in line for line in action_log.onramp_lines())


def test_a_notice_that_cannot_be_sent_is_logged_not_raised(
    slack: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    action_log: ActionLog,
) -> None:
    """When the response_url post fails, the click is still acked and the failure is a warning."""
    sandbox.reset("response_url", times=None)  # past the SDK's retry on a reset connection
    assert slack.block_action(HIRE, "open_plan_v0").status == 200
    assert runtime.settle()
    assert sandbox.ephemerals(HIRE) == []
    assert action_log.has("could not send a private reply", logging.WARNING)


def test_an_old_button_on_home_republishes_home_with_the_notice(
    enrolled: SlackDriver, home: HomeTab, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """On the Home tab there is no message to answer below: Home is re-published with the
    notice on top."""
    old_home = {"id": "V0OLDHOME", "type": "home", "blocks": [OLD_BUTTON]}
    assert enrolled.block_action(HIRE, "open_plan_v0", view=old_home).status == 200
    assert runtime.settle()
    assert NOTICE in home.text(HIRE)
    assert sandbox.ephemerals(HIRE) == []


def test_handled_controls_never_reach_the_catch_all(
    enrolled: SlackDriver, home: HomeTab, runtime: SlackRuntime
) -> None:
    """The catch-all is registered last: a real Home control still records the status."""
    view = home.open(HIRE)
    enrolled.block_action(
        HIRE, MILESTONE_STATUS_ACTION, "done", block_id="milestone:d30-product-surface", view=view
    )
    assert runtime.settle()
    assert NOTICE not in home.text(HIRE)
    assert "●" in shown(enrolled.command("me", HIRE))
