"""``/onramp``: parse the text, call one service, reply in the ack (ephemeral).

Built-in subcommands answer in the ack body itself (Slack shows it to the caller only): the
reply and the change it reports travel together, so nothing is committed that the caller isn't
told about, and there is no second round trip that could fail. That holds only if the ack is in
time, so every ``users.info`` asked before it shares one budget (about a second, opened by
:class:`bot.slack.middleware.KnowPeople`); people Slack can't describe in time are recorded by
their id and the name in the mention, and their profile is filled in by a later lookup (the next
request naming them, or the tick's profile refresh). Registered extension subcommands (``ask``)
get the ack and ``respond`` and decide for themselves.

People put on record from Slack (``enroll``'s hire and mentors) must be real people: a mention
or user id (the parser refuses bare names) that ``users.info`` doesn't describe as a bot (this app
included) or a deactivated account. When ``users.info`` can't answer (a stand-in without it, an
error, ``user_not_found`` for a mention picked from Slack's autocomplete, no answer within the
budget) the mention is trusted as Slack sent it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.domain.errors import InvalidInput
from bot.domain.guardrails import broadcasts_in
from bot.domain.people import UserRef
from bot.domain.progress import Lifecycle
from bot.services.onboarding import Actor, HolidayCountry, Profile
from bot.slack import blocks, payloads
from bot.slack import commands_parser as parser
from bot.slack import messages as msg
from bot.slack.context import SlackContext, SubcommandCall
from bot.slack.directory import Lookup, Status
from bot.slack.errors import error_text
from bot.slack.middleware import lookup_deadline, request_id

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
            # Verbatim: the parser refuses broadcasts (or, in a note, says they are left out).
            command.text,
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
                    trigger_id=command.trigger_id,
                )
            )
            return
        try:
            reply = dispatch(
                ctx,
                command.user_id,
                parsed,
                deadline=lookup_deadline(context, ctx.directory),
                bot_user_id=context.bot_user_id,
            )
        except Exception as exc:
            reply = blocks.text_reply(error_text(exc, request_id=rid))
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    app.command(ctx.command)(on_command)


@dataclass(frozen=True)
class Caller:
    """Who runs the command, and what the handlers need to know about the request."""

    actor: Actor
    deadline: float | None = None  # when users.info lookups stop waiting (monotonic clock)
    bot_user_id: str | None = None  # this app's own user id, when known


def dispatch(
    ctx: SlackContext,
    user_id: str,
    parsed: parser.Command | parser.UsageError,
    *,
    deadline: float | None = None,
    bot_user_id: str | None = None,
) -> blocks.Reply:
    """Run one parsed command for ``user_id`` and render the reply."""
    if isinstance(parsed, parser.UsageError):
        return blocks.text_reply(parsed.render())
    handler = _HANDLERS[type(parsed)]  # an Extension is handed to its module before this
    return handler(
        ctx, Caller(Actor.slack(user_id), deadline=deadline, bot_user_id=bot_user_id), parsed
    )


def _people(ctx: SlackContext, caller: Caller, refs: Sequence[UserRef]) -> list[Profile]:
    """Mentioned people as :class:`Profile` s from Slack, all looked up at once within the
    request's budget; refuses anyone who isn't a real, active person in the workspace."""
    wanted: list[tuple[str, str | None]] = []
    for ref in refs:
        if ref.user_id is None:  # the parser only lets mentions and ids through
            raise InvalidInput(msg.PICK_FROM_AUTOCOMPLETE.format(name=ref.text))
        wanted.append((ref.user_id, ref.name))
    found = ctx.directory.lookup_many(wanted, deadline=caller.deadline)
    for lookup in found:
        problem = _not_a_person(lookup, bot_user_id=caller.bot_user_id)
        if problem is not None:
            raise InvalidInput(problem)
    return [lookup.profile for lookup in found]


def _not_a_person(lookup: Lookup, *, bot_user_id: str | None) -> str | None:
    """Why this lookup can't be a hire or mentor (None: it can, or Slack couldn't say)."""
    user_id = lookup.profile.user_id
    if user_id == bot_user_id or (lookup.found and lookup.is_bot):
        return msg.NOT_A_PERSON.format(user=user_id)
    if lookup.status is Status.NOT_FOUND:
        # A mention comes from Slack's own autocomplete, so "user_not_found" says more about the
        # API in front of us (a proxy, a partial stand-in) than about the person: trust it.
        log.warning("users.info doesn't know %s; trusting the mention", user_id)
    if lookup.found and lookup.deleted:
        return msg.DEACTIVATED.format(user=user_id)
    return None


def _help(ctx: SlackContext, _caller: Caller, _cmd: Any) -> blocks.Reply:
    extras = [
        blocks.ExtensionHelp(name=s.name, usage=s.usage, summary=s.summary)
        for s in ctx.subcommands.entries.values()
    ]
    return blocks.help_reply(ctx.command, extras)


def _me(ctx: SlackContext, caller: Caller, _cmd: Any) -> blocks.Reply:
    report = ctx.onboarding.own(actor=caller.actor)
    if report is None:
        return blocks.text_reply(msg.NOT_ON_A_PLAN.format(cmd=ctx.command))
    return blocks.progress_reply(report)


def _progress(ctx: SlackContext, caller: Caller, cmd: parser.Progress) -> blocks.Reply:
    report = ctx.onboarding.progress(actor=caller.actor, hire=cmd.hire.user_id or cmd.hire.text)
    return blocks.progress_reply(report)


def _team(ctx: SlackContext, caller: Caller, _cmd: Any) -> blocks.Reply:
    return blocks.team_reply(ctx.onboarding.overview(actor=caller.actor), ctx.command)


def _mentees(ctx: SlackContext, caller: Caller, _cmd: Any) -> blocks.Reply:
    return blocks.mentees_reply(ctx.onboarding.overview(actor=caller.actor), ctx.command)


def _plans(ctx: SlackContext, _caller: Caller, _cmd: Any) -> blocks.Reply:
    return blocks.plans_reply(ctx.catalog.all(), ctx.command)


def _enroll(ctx: SlackContext, caller: Caller, cmd: parser.Enroll) -> blocks.Reply:
    hire, *mentors = _people(ctx, caller, [cmd.hire, *cmd.mentors])
    report = ctx.onboarding.enroll(
        actor=caller.actor, hire=hire, plan_id=cmd.plan_id, start=cmd.start, mentors=mentors
    )
    return blocks.enrolled_reply(report)


def _change(ctx: SlackContext, caller: Caller, cmd: parser.Change) -> blocks.Reply:
    hire = cmd.hire.user_id or cmd.hire.text
    if cmd.action is Lifecycle.WITHDRAW:
        # Can't be undone: ask first, with the same checks; the button does it (confirm.py).
        checked = ctx.onboarding.check_change(actor=caller.actor, hire=hire, action=cmd.action)
        return blocks.withdraw_confirm_reply(checked)
    report = ctx.onboarding.change(actor=caller.actor, hire=hire, action=cmd.action)
    return blocks.changed_reply(report, cmd.action.value, ctx.command)


def _mark(ctx: SlackContext, caller: Caller, cmd: parser.Mark) -> blocks.Reply:
    report = ctx.onboarding.mark(
        actor=caller.actor,
        hire=None if cmd.hire is None else cmd.hire.user_id or cmd.hire.text,
        milestone_id=cmd.milestone_id,
        status=cmd.status,
        note=cmd.note,
        source="slack",
    )
    removed = broadcasts_in(cmd.note or "")  # the service left them out of the saved note
    return blocks.marked_reply(report, cmd.milestone_id, by=caller.actor.user_id, removed=removed)


def _holidays(ctx: SlackContext, caller: Caller, cmd: parser.Holidays) -> blocks.Reply:
    person = None if cmd.person is None else cmd.person.user_id or cmd.person.text
    default = ctx.checkins.holiday_country if ctx.checkins is not None else None
    if cmd.country is None:  # no country: say what it is now, and how to change it
        current = ctx.onboarding.holiday_setting(actor=caller.actor, person=person)
        return blocks.text_reply(_holidays_text(current, caller, default, cmd=ctx.command))
    result = ctx.onboarding.set_holiday_country(
        actor=caller.actor, person=person, country=cmd.country
    )
    return blocks.text_reply(_holidays_text(result, caller, default))


def _holidays_text(
    result: HolidayCountry, caller: Caller, default: str | None, *, cmd: str | None = None
) -> str:
    """What ``result`` means for the check-ins; with ``cmd``, the setting as it is (nothing was
    asked to change) and how to change it."""
    if result.country is not None:
        calendar = msg.HOLIDAYS_COUNTRY.format(country=result.country)
    elif default is not None:
        calendar = msg.HOLIDAYS_WORKSPACE.format(country=default)
    else:
        calendar = msg.HOLIDAYS_WEEKENDS
    own = result.user_id == caller.actor.user_id
    whose = msg.HOLIDAYS_WHOSE_OWN if own else msg.HOLIDAYS_WHOSE.format(user=result.user_id)
    if cmd is not None:
        who = "" if own else f"<@{result.user_id}> "
        return "\n".join(
            [
                msg.HOLIDAYS_CURRENT.format(whose=whose, calendar=calendar),
                msg.HOLIDAYS_HOW_TO_CHANGE.format(cmd=cmd, who=who),
            ]
        )
    done = msg.HOLIDAYS_CHANGED if result.changed else msg.HOLIDAYS_UNCHANGED
    return done.format(whose=whose, calendar=calendar)


_HANDLERS: dict[type, Callable[[SlackContext, Caller, Any], blocks.Reply]] = {
    parser.Help: _help,
    parser.Me: _me,
    parser.Progress: _progress,
    parser.Team: _team,
    parser.Mentees: _mentees,
    parser.Plans: _plans,
    parser.Enroll: _enroll,
    parser.Change: _change,
    parser.Mark: _mark,
    parser.Holidays: _holidays,
}
