"""The private reply below a clicked message, shared by the action listeners."""

from __future__ import annotations

import logging

from slack_bolt import Respond


def tell(respond: Respond, text: str, *, log: logging.Logger) -> None:
    """Tell only the clicker ``text`` below the message (the action's ``response_url``),
    leaving the message in place. A failure is logged on ``log``, never raised: the click has
    been acked and handled, the reply is a courtesy."""
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:
        log.warning("could not send a private reply: %s", exc)
