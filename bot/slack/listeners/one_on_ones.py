"""1:1s and private notes in Slack: ``/onramp one-on-one``, ``/onramp note`` and ``/onramp
notes``.

Each acks once with an ephemeral reply (a few local reads or one write). The 1:1 is set in the
caller's Slack time zone (the manager's); permissions are left to
:class:`~bot.services.one_on_ones.OneOnOnes`.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.domain.errors import InvalidInput
from bot.domain.people import parse_user_ref
from bot.services.onboarding import Actor
from bot.services.one_on_ones import OneOnOnes
from bot.slack import one_on_one_blocks as ob
from bot.slack.blocks import Reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.growth_blocks import excerpt
from bot.slack.listeners.replies import ack_reply, growth_deps

log = logging.getLogger("onramp.slack.one_on_ones")


class OneOnOneCommands:
    """The handlers, bound to the 1:1 service and the configured slash command."""

    def __init__(self, ctx: SlackContext, service: OneOnOnes) -> None:
        self.ctx = ctx
        self.service = service

    def on_one_on_one(self, call: SubcommandCall) -> None:
        """``/onramp one-on-one @ana [weekly thu 15:00 | off]``."""
        ack_reply(call, lambda: self._one_on_one(call))

    def on_note(self, call: SubcommandCall) -> None:
        """``/onramp note @ana <text>``: kept for the caller alone."""
        ack_reply(call, lambda: self._note(call))

    def on_notes(self, call: SubcommandCall) -> None:
        """``/onramp notes @ana``: the caller's own notes about ana."""
        ack_reply(call, lambda: self._notes(call))

    def _one_on_one(self, call: SubcommandCall) -> Reply:
        hire, rest = self._who(call, "one-on-one")
        actor = Actor.slack(call.user_id)
        if not rest:
            view = self.service.show(actor=actor, hire=hire)
            return ob.show_reply(view, who=_who(hire), cmd=self.ctx.command)
        if [w.lower() for w in rest] == ["off"]:
            return ob.off_reply(self.service.end(actor=actor, hire=hire), who=_who(hire))
        lookup = self.ctx.directory.lookup(call.user_id, deadline=self.ctx.directory.deadline())
        tz = lookup.profile.tz if lookup.found else None
        return ob.set_reply(self.service.set(actor=actor, hire=hire, words=rest, tz=tz))

    def _note(self, call: SubcommandCall) -> Reply:
        hire, _ = self._who(call, "note")
        typed = call.text.strip().split(maxsplit=1)
        # As a person reads it: mentions as @name, links as label and URL, escapes undone (the
        # service keeps the limit, so a long note is refused rather than cut).
        text = excerpt(typed[1], limit=1_000_000) if len(typed) > 1 else ""
        note = self.service.add_note(actor=Actor.slack(call.user_id), about=hire, text=text)
        return ob.note_saved(note, who=_who(hire), cmd=self.ctx.command)

    def _notes(self, call: SubcommandCall) -> Reply:
        hire, _ = self._who(call, "notes")
        notes = self.service.notes(actor=Actor.slack(call.user_id), about=hire)
        return ob.notes_reply(notes, who=_who(hire), cmd=self.ctx.command)

    def _who(self, call: SubcommandCall, sub: str) -> tuple[str, list[str]]:
        """The person named first, and the words after them."""
        words = call.text.split()
        usage = InvalidInput(ob.WHO_FIRST.format(cmd=self.ctx.command, sub=sub))
        if not words:
            raise usage
        try:
            ref = parse_user_ref(words[0])
        except InvalidInput:
            raise usage from None
        if ref.user_id is None and not words[0].startswith("@"):
            raise usage
        return words[0], words[1:]


def _who(typed: str) -> str:
    """How a reply names the person typed: a mention (``<@U1>``), else ``@ana``."""
    ref = parse_user_ref(typed)
    return f"<@{ref.user_id}>" if ref.user_id else f"@{ref.name}"


def register(app: App, ctx: SlackContext) -> None:
    """Add ``one-on-one``, ``note`` and ``notes`` (when the growth service is wired in: the 1:1
    service shares its database, plans, clock and admins)."""
    del app  # subcommands only
    # A manager with no stored zone sets the 1:1 in the workspace's, as the CLI does.
    deps = growth_deps(ctx, default_tz=ctx.onboarding.default_tz)
    if deps is None:
        log.warning("1:1s are off: SlackContext.growth is not set")
        return
    service = OneOnOnes(**deps)
    commands = OneOnOneCommands(ctx, service)
    for name, usage, summary, handler in (
        ("one-on-one", ob.ONE_ON_ONE_USAGE, ob.ONE_ON_ONE_SUMMARY, commands.on_one_on_one),
        ("note", ob.NOTE_USAGE, ob.NOTE_SUMMARY, commands.on_note),
        ("notes", ob.NOTES_USAGE, ob.NOTES_SUMMARY, commands.on_notes),
    ):
        ctx.subcommands.register(
            Subcommand(name=name, usage=usage, summary=summary, handler=handler)
        )
