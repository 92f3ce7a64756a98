"""The one place where failures become what a person sees in Slack (never a stack trace)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.errors import OnrampError, PlanError
from bot.slack import messages as msg

log = logging.getLogger("onramp.slack")


def error_text(exc: BaseException, *, request_id: str) -> str:
    """Text for the person whose request failed; unexpected errors are logged with a reference.

    Domain errors carry a message written for that person (with the fix, and revealing nothing
    about people they may not see); anything else is our fault and says so.
    """
    if isinstance(exc, PlanError):
        log.error("plan problems [%s]: %s", request_id, "; ".join(exc.problems))
        return msg.SOMETHING_WENT_WRONG.format(ref=request_id)
    if isinstance(exc, OnrampError):
        return str(exc)
    if isinstance(exc, SlackApiError | SlackClientError):
        log.warning("Slack call failed [%s]: %s", request_id, type(exc).__name__)
        return msg.SLACK_UNAVAILABLE
    log.error("unexpected error [%s]", request_id, exc_info=exc)
    return msg.SOMETHING_WENT_WRONG.format(ref=request_id)
