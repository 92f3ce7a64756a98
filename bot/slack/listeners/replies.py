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


def settle(respond: Respond, text: str, *, log: logging.Logger) -> None:
    """Replace the clicked message with ``text`` (its buttons go with it), through the
    action's ``response_url``: how a confirmation says what became of it. A failure is logged,
    never raised, as for :func:`tell`."""
    try:
        respond(text=text, response_type="ephemeral", replace_original=True)
    except Exception as exc:
        log.warning("could not replace the clicked message: %s", exc)
