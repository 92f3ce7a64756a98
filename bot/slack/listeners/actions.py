"""Interactive controls: the milestone status select on the App Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services.onboarding import Actor
from bot.slack import payloads
from bot.slack.context import SlackContext
from bot.slack.errors import error_text
from bot.slack.listeners.replies import parsed
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.actions")


def register(app: App, ctx: SlackContext) -> None:
    """Listen for milestone status changes made on Home."""

    def on_status(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        selection = parsed(payloads.status_selection, body, what="status selection", log=log)
        if selection is None:
            return
        try:
            # The observer re-publishes Home for the hire, their manager and mentors.
            ctx.onboarding.mark(
                actor=Actor.slack(selection.user_id),
                milestone_id=selection.milestone_id,
                status=selection.status,
                source="home",
            )
        except Exception as exc:
            # Re-publish so the control shows the stored status again, with the reason.
            notice = error_text(exc, request_id=request_id(context))
            ctx.home.publish(selection.user_id, notice=notice)

    app.action(payloads.MILESTONE_STATUS_ACTION)(on_status)
