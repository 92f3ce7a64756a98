"""What the action listeners share: reading a click, and the private reply below the clicked
message; and a subcommand's private reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Args, BoltContext, Respond

from bot.services.growth_base import GrowthDeps
from bot.slack.blocks import Reply, text_reply
from bot.slack.context import SlackContext, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.middleware import request_id
from bot.slack.payloads import PayloadError

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def parsed(
    parse: Callable[[_In], _Out], payload: _In, *, what: str, log: logging.Logger
) -> _Out | None:
    """``parse(payload)``, or ``None`` when it raises :class:`~bot.slack.payloads.PayloadError`:
    a malformed click is logged on ``log`` as "malformed ``what``" and dropped (it is acked, and
    there is nobody to tell)."""
    try:
        return parse(payload)
    except PayloadError as exc:
        log.warning("malformed %s: %s", what, exc)
        return None


def tell(respond: Respond, text: str, *, log: logging.Logger) -> None:
    """Tell only the clicker ``text`` below the message (the action's ``response_url``),
    leaving the message in place. A failure is logged on ``log``, never raised: the click has
    been acked and handled, the reply is a courtesy."""
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:
        log.warning("could not send a private reply: %s", exc)


def tell_failure(
    respond: Respond, context: BoltContext, exc: Exception, *, log: logging.Logger
) -> None:
    """Tell only the clicker why their click did nothing (:func:`~bot.slack.errors.error_text`,
    with the request id), as :func:`tell` does."""
    tell(respond, error_text(exc, request_id=request_id(context)), log=log)


def open_modal(args: Args, build: Callable[[str], dict[str, Any]], *, log: logging.Logger) -> None:
    """Open the modal ``build`` makes for the clicker (their user id); a refusal or a failure
    is told to them alone (:func:`tell_failure`)."""
    user = (args.body.get("user") or {}).get("id", "")
    try:
        view = build(user)
        args.client.views_open(trigger_id=args.body["trigger_id"], view=view)
    except Exception as exc:
        tell_failure(args.respond, args.context, exc, log=log)


def settle(respond: Respond, text: str, *, log: logging.Logger) -> None:
    """Replace the clicked message with ``text`` (its buttons go with it), through the
    action's ``response_url``: how a confirmation says what became of it. A failure is logged,
    never raised, as for :func:`tell`."""
    try:
        respond(text=text, response_type="ephemeral", replace_original=True)
    except Exception as exc:
        log.warning("could not replace the clicked message: %s", exc)


def ack_reply(call: SubcommandCall, make: Callable[[], Reply]) -> None:
    """Ack a subcommand with ``make()``'s reply, privately; an error becomes its friendly text
    (never a stack trace)."""
    try:
        reply = make()
    except Exception as exc:
        reply = text_reply(error_text(exc, request_id=call.request_id))
    call.ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


def growth_deps(ctx: SlackContext, *, default_tz: str) -> GrowthDeps | None:
    """What a growth part-2 service (KPIs, focus, 1:1s, packets) is built from: the growth
    service's database, plans, clock and admins, in ``default_tz``; ``None`` when growth is
    not wired in."""
    growth = ctx.growth
    if growth is None:
        return None
    return GrowthDeps(
        db=growth.db,
        catalog=growth.catalog,
        clock=growth.clock,
        admins=growth.admins,
        default_tz=default_tz,
    )
