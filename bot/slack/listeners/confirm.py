"""Confirmations: the [Withdraw] / [Cancel] buttons below ``/onramp withdraw @hire``'s question.

Withdrawing can't be undone (an ended plan stays ended; the hire is enrolled anew), so the
command only asks, and the click does it. The button carries the plan and the hire, and the
click is checked again by the service with the clicker's own rights: a tampered or forwarded
button gets the same refusal as the command, and a second click (or one on a plan that ended
meanwhile) is told it is already done. Either way the question is replaced by the outcome.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.domain.progress import Lifecycle
from bot.services.onboarding import Actor
from bot.slack import messages as msg
from bot.slack import payloads
from bot.slack.context import SlackContext
from bot.slack.errors import error_text
from bot.slack.listeners.replies import parsed, settle
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.actions")


def register(app: App, ctx: SlackContext) -> None:
    """Listen for the withdraw confirmation's two buttons."""

    def on_withdraw(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        choice = parsed(payloads.withdraw_choice, body, what="withdraw confirmation", log=log)
        if choice is None:
            return
        text = msg.WITHDRAW_CANCELLED
        if choice.confirmed:
            try:
                ctx.onboarding.change(
                    actor=Actor.slack(choice.user_id),
                    hire=choice.hire,
                    action=Lifecycle.WITHDRAW,
                    enrollment_id=choice.enrollment_id,
                )
                text = msg.LIFECYCLE_DONE["withdraw"].format(hire=choice.hire, cmd=ctx.command)
            except Exception as exc:
                text = error_text(exc, request_id=request_id(context))
        settle(respond, text, log=log)

    app.action(payloads.WITHDRAW_CONFIRM_ACTION)(on_withdraw)
    app.action(payloads.WITHDRAW_CANCEL_ACTION)(on_withdraw)
