"""``/onramp win``, ``/onramp growth`` and ``/onramp paths``: growth subcommands in Slack.

Each handler acks once with its reply (the work is a few local reads or one write, well inside
Slack's 3 s) and leaves permissions to :class:`~bot.services.growth.GrowthService`: a person who
may not see a hire's growth hears the same refusal whether or not that hire exists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_bolt import App

from bot.domain.errors import InvalidInput
from bot.domain.people import parse_user_ref
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor
from bot.slack import growth_blocks as gb
from bot.slack.blocks import Reply, text_reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.errors import error_text

log = logging.getLogger("onramp.slack.growth")

# ``key=value`` options of ``win``, anywhere in the text; a value may be a whole <…> mention/link.
_WIN_OPTION = re.compile(r"(?<!\S)(tag|link|visibility|for)=(<[^>]*>|\S*)", re.IGNORECASE)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>|^[UW][A-Z0-9]{2,30}$")


class GrowthCommands:
    """The handlers, bound to the growth service and the configured slash command."""

    def __init__(self, ctx: SlackContext, growth: GrowthService) -> None:
        self.ctx = ctx
        self.growth = growth

    def _reply(self, call: SubcommandCall, make: Callable[[], Reply]) -> None:
        try:
            reply = make()
        except Exception as exc:
            reply = text_reply(error_text(exc, request_id=call.request_id))
        call.ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    def on_win(self, call: SubcommandCall) -> None:
        """``/onramp win <text> [tag=ID]… [link=URL] [visibility=…] [for=@hire]``; once the
        reply is on its way, the hire's Home is published again so its Growth counts are
        current (a failure there is logged by the publisher and costs the reply nothing)."""
        recorded: list[str] = []

        def win() -> Reply:
            reply, hire = self._win(call)
            recorded.append(hire)
            return reply

        self._reply(call, win)
        for hire in recorded:
            self.ctx.home.publish(hire)

    def on_growth(self, call: SubcommandCall) -> None:
        """``/onramp growth [@user]``: the caller's own readiness view, or a hire's."""
        self._reply(call, lambda: self._readiness(call))

    def on_paths(self, call: SubcommandCall) -> None:
        """``/onramp paths``: the next and adjacent roles of the caller's plan."""
        self._reply(call, lambda: self._paths(call))

    def _win(self, call: SubcommandCall) -> tuple[Reply, str]:
        """The reply, and whose win was recorded."""
        options: dict[str, list[str]] = {}
        for match in _WIN_OPTION.finditer(call.text):
            options.setdefault(match.group(1).lower(), []).append(match.group(2))
        text = _unescape(_WIN_OPTION.sub("", call.text)).strip()
        if not text:
            raise InvalidInput(gb.WIN_EMPTY.format(cmd=self.ctx.command))
        named = options.get("for")
        hire = _person(named[-1] if named else None)
        view = self.growth.add_evidence(
            actor=Actor.slack(call.user_id),
            hire=hire or call.user_id,
            text=text,
            tags=[t for value in options.get("tag", []) for t in value.split(",") if t],
            # Slack wraps a pasted URL in <…> (and may add |label); the URL is the first part.
            link=_unescape(options["link"][-1].strip("<>").split("|")[0])
            if "link" in options
            else None,
            visibility=(options.get("visibility") or ["manager"])[-1],
            source="slack",
        )
        return gb.win_reply(view, cmd=self.ctx.command, hire=hire), hire or call.user_id

    def _readiness(self, call: SubcommandCall) -> Reply:
        words = call.text.split()
        if len(words) > 1:
            return text_reply(gb.GROWTH_ONE_PERSON.format(cmd=self.ctx.command))
        hire = _person(words[0]) if words else call.user_id
        view = self.growth.readiness(actor=Actor.slack(call.user_id), hire=hire or call.user_id)
        title = self.ctx.catalog.get(view.plan).plan.title
        return gb.growth_reply(view, plan_title=title)

    def _paths(self, call: SubcommandCall) -> Reply:
        loaded, paths = self.growth.paths(actor=Actor.slack(call.user_id))
        cite = self.growth.cite(loaded, paths[0].source.split(".")[0]) if paths else None
        return gb.paths_reply(loaded, paths, cite)


def _unescape(text: str) -> str:
    """Slack's three escapes undone (it sends ``&``, ``<`` and ``>`` as entities), so a link's
    query string and "R&D" are stored as typed; every reply escapes them again."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _person(token: str | None) -> str | None:
    """The user id of a person picked from the autocomplete (``<@U123|ana>``), or ``None``."""
    if token is None:
        return None
    if not _MENTION.search(token if token.startswith("<") else token.strip("@<>")):
        raise InvalidInput(gb.PICK_PERSON)
    ref = parse_user_ref(token if token.startswith("<") else token.strip("@"))
    if ref.user_id is None:
        raise InvalidInput(gb.PICK_PERSON)
    return ref.user_id


def register(app: App, ctx: SlackContext) -> None:
    """Add the growth subcommands (when the growth service is wired in)."""
    del app  # subcommands ride on the one slash-command listener
    growth = ctx.growth
    if growth is None:
        log.warning("growth is off: SlackContext.growth is not set")
        return
    commands = GrowthCommands(ctx, growth)
    for name, usage, summary, handler in (
        ("win", gb.WIN_USAGE, gb.WIN_SUMMARY, commands.on_win),
        ("growth", gb.GROWTH_USAGE, gb.GROWTH_SUMMARY, commands.on_growth),
        ("paths", gb.PATHS_USAGE, gb.PATHS_SUMMARY, commands.on_paths),
    ):
        ctx.subcommands.register(
            Subcommand(name=name, usage=usage, summary=summary, handler=handler)
        )
