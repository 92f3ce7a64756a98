"""The last action listener: a click on a control this version of Onramp doesn't handle.

Messages outlive deploys, so a button from an older version of the app (or a tampered payload)
can still be clicked; without a listener Bolt answers 404 and Slack shows the person a failure.
This one acks, logs the action id at INFO, and tells the clicker privately what to do instead:
below the message (``response_url``), or as a notice on the Home tab. In a modal it only acks.

It matches every action id, and Bolt runs the first listener that matches, so
:func:`bot.slack.listeners.register_all` registers it after every other listener.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.slack import messages as msg
from bot.slack.context import SlackContext
from bot.slack.listeners.replies import tell
from bot.slack.payloads import request_kind

log = logging.getLogger("onramp.slack.actions")

#: Any action id at all: only reached when no other listener matched.
ANY_ACTION = re.compile(".*")


def register(app: App, ctx: SlackContext) -> None:
    """Answer clicks nothing else handles. Register it last."""

    def on_inactive(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        _, action_id = request_kind(body)
        user_id = context.user_id
        # %r: a tampered id can't forge log lines.
        log.info("inactive action %r from %s", action_id[:80], user_id or "-")
        notice = msg.INACTIVE_CONTROL.format(cmd=ctx.command)
        if context.response_url:
            tell(respond, notice, log=log)
        elif user_id and on_home(body):
            ctx.home.publish(user_id, notice=notice)

    app.action(ANY_ACTION)(on_inactive)


def on_home(body: Mapping[str, Any]) -> bool:
    """Whether the action came from a Home tab view."""
    view = body.get("view")
    return isinstance(view, Mapping) and view.get("type") == "home"
