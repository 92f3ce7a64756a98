"""``/onramp move @ana plan=ID [start=YYYY-MM-DD] [reason=…]``: move a hire to another plan.

Registered as an extension subcommand (like ``win``); it acks once with an ephemeral reply (one
write). Permissions and every refusal (same plan, unknown plan, not the manager) are
:meth:`~bot.services.onboarding.Onboarding.move`'s; the reply names what happened to the old plan.
"""

from __future__ import annotations

import re
from datetime import date

from slack_bolt import App

from bot.domain.errors import InvalidInput
from bot.domain.people import parse_user_ref
from bot.services.onboarding import Actor
from bot.slack.blocks import Reply, text_reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.growth_blocks import unescape
from bot.slack.listeners.replies import ack_reply

USAGE = "{cmd} move @user plan=ID [start=YYYY-MM-DD] [reason=…]"
SUMMARY = "Move a hire to another plan (manager or admin); their history stays."
MOVED = (
    "Moved <@{hire}> to *{plan}* from {start:%a %d %b %Y}, with the same manager and mentors. "
    "Their previous plan is completed and stays on record, evidence and ratings included."
)
# ``key=value`` options; ``reason=`` takes the rest of the text.
_OPTION = re.compile(r"(?<!\S)(plan|start)=(\S*)", re.IGNORECASE)
_REASON = re.compile(r"(?<!\S)reason=(.*)$", re.IGNORECASE | re.DOTALL)


def _move(ctx: SlackContext, call: SubcommandCall) -> Reply:
    use = USAGE.format(cmd=ctx.command)
    text = call.text
    reason_match = _REASON.search(text)
    reason = unescape(reason_match.group(1)).strip() if reason_match else None
    text = text[: reason_match.start()] if reason_match else text
    options = {m.group(1).lower(): m.group(2) for m in _OPTION.finditer(text)}
    people = _OPTION.sub("", text).split()
    if len(people) != 1 or "plan" not in options or not options["plan"]:
        plans = ", ".join(ctx.catalog.ids())
        raise InvalidInput(f"Name one hire and the plan to move them to: {use} (plans: {plans})")
    hire = people[0]
    parse_user_ref(hire)  # a clear refusal for something that is not a person
    start = None
    if options.get("start"):
        try:
            start = date.fromisoformat(options["start"])
        except ValueError:
            raise InvalidInput(
                f"start={options['start']} is not a date; write it as YYYY-MM-DD."
            ) from None
    report = ctx.onboarding.move(
        actor=Actor.slack(call.user_id),
        hire=hire,
        plan_id=options["plan"].lower(),
        start=start,
        reason=reason,
    )
    moved = MOVED.format(hire=report.hire.user_id, plan=report.plan.plan.title, start=report.start)
    carried = report.carried.sentences()
    return text_reply(f"{moved} {carried}" if carried else moved)


def register(app: App, ctx: SlackContext) -> None:
    """Add ``/onramp move``."""
    del app  # a subcommand only
    ctx.subcommands.register(
        Subcommand(
            name="move",
            usage=USAGE,
            summary=SUMMARY,
            handler=lambda call: ack_reply(call, lambda: _move(ctx, call)),
        )
    )
