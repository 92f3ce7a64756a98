"""``/onramp``: parse the text, call one service, reply in the ack (ephemeral).

Fast subcommands answer in the ack body itself (Slack shows it to the caller only), which works
within the 3 s budget and needs no extra round trip. Registered extension subcommands (``ask``)
get the ack and ``respond`` and decide for themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.domain.guardrails import strip_broadcasts
from bot.domain.people import UserRef
from bot.services.onboarding import Actor, Profile
from bot.slack import blocks, payloads
from bot.slack import commands_parser as parser
from bot.slack import messages as msg
from bot.slack.context import SlackContext, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.commands")


def register(app: App, ctx: SlackContext) -> None:
    """Listen for the configured slash command."""

    def on_command(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        rid = request_id(context)
        try:
            command = payloads.slash_command(body)
        except payloads.PayloadError:
            log.warning("malformed slash command [%s]", rid)
            ack()
            return
        extensions = ctx.subcommands.names()
        parsed = parser.parse_command(
            # Broadcast mentions mean nothing to any subcommand and must never be echoed back.
            strip_broadcasts(command.text),
            cmd=ctx.command,
            extensions=extensions,
            extension_usage={n: s.usage for n, s in ctx.subcommands.entries.items()},
        )
        if isinstance(parsed, parser.Extension):
            subcommand = ctx.subcommands.get(parsed.name)
            assert subcommand is not None  # noqa: S101 - the parser only returns registered names
            subcommand.handler(
                SubcommandCall(
                    user_id=command.user_id,
                    text=parsed.text,
                    channel_id=command.channel_id,
                    ack=ack,
                    respond=respond,
                    request_id=rid,
                )
            )
            return
        try:
            reply = dispatch(ctx, command.user_id, parsed)
        except Exception as exc:
            reply = blocks.text_reply(error_text(exc, request_id=rid))
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    app.command(ctx.command)(on_command)


def dispatch(
    ctx: SlackContext, user_id: str, parsed: parser.Command | parser.UsageError
) -> blocks.Reply:
    """Run one parsed command for ``user_id`` and render the reply."""
    if isinstance(parsed, parser.UsageError):
        return blocks.text_reply(parsed.render())
    handler = _HANDLERS[type(parsed)]  # an Extension is handed to its module before this
    return handler(ctx, Actor.slack(user_id), parsed)


def _profile(ctx: SlackContext, ref: UserRef) -> str | Profile:
    """A mentioned person as a :class:`Profile` from Slack (name, time zone) when we can."""
    if ref.user_id is None:
        return f"@{ref.name}"
    return ctx.directory.lookup(ref.user_id, name_hint=ref.name).profile


def _help(ctx: SlackContext, _actor: Actor, _cmd: Any) -> blocks.Reply:
    extras = [
        blocks.ExtensionHelp(name=s.name, usage=s.usage, summary=s.summary)
        for s in ctx.subcommands.entries.values()
    ]
    return blocks.help_reply(ctx.command, extras)


def _me(ctx: SlackContext, actor: Actor, _cmd: Any) -> blocks.Reply:
    report = ctx.onboarding.own(actor=actor)
    if report is None:
        return blocks.text_reply(msg.NOT_ON_A_PLAN.format(cmd=ctx.command))
    return blocks.progress_reply(report)


def _progress(ctx: SlackContext, actor: Actor, cmd: parser.Progress) -> blocks.Reply:
    report = ctx.onboarding.progress(actor=actor, hire=cmd.hire.user_id or f"@{cmd.hire.name}")
    return blocks.progress_reply(report)


def _team(ctx: SlackContext, actor: Actor, _cmd: Any) -> blocks.Reply:
    return blocks.team_reply(ctx.onboarding.team(actor=actor), ctx.command)


def _plans(ctx: SlackContext, _actor: Actor, _cmd: Any) -> blocks.Reply:
    return blocks.plans_reply(ctx.catalog.all(), ctx.command)


def _enroll(ctx: SlackContext, actor: Actor, cmd: parser.Enroll) -> blocks.Reply:
    report = ctx.onboarding.enroll(
        actor=actor,
        hire=_profile(ctx, cmd.hire),
        plan_id=cmd.plan_id,
        start=cmd.start,
        mentors=[_profile(ctx, m) for m in cmd.mentors],
    )
    return blocks.enrolled_reply(report)


def _change(ctx: SlackContext, actor: Actor, cmd: parser.Change) -> blocks.Reply:
    hire = cmd.hire.user_id or f"@{cmd.hire.name}"
    report = ctx.onboarding.change(actor=actor, hire=hire, action=cmd.action)
    return blocks.changed_reply(report, cmd.action.value, ctx.command)


def _mark(ctx: SlackContext, actor: Actor, cmd: parser.Mark) -> blocks.Reply:
    report = ctx.onboarding.mark(
        actor=actor, milestone_id=cmd.milestone_id, status=cmd.status, note=cmd.note, source="slack"
    )
    return blocks.marked_reply(report, cmd.milestone_id)


_HANDLERS: dict[type, Callable[[SlackContext, Actor, Any], blocks.Reply]] = {
    parser.Help: _help,
    parser.Me: _me,
    parser.Progress: _progress,
    parser.Team: _team,
    parser.Plans: _plans,
    parser.Enroll: _enroll,
    parser.Change: _change,
    parser.Mark: _mark,
}
