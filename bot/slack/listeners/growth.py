"""Growth in Slack: ``/onramp win``, ``/onramp growth`` and ``/onramp paths``, the "Log as
evidence" message shortcut and the pulse's "Add a win" button (both open the evidence modal),
the modal's submission and the corroborator's Confirm button.

Each subcommand acks once with its reply (the work is a few local reads or one write, well
inside Slack's 3 s); the shortcut and the buttons ack at once and then open the modal or update
the message. Permissions are left to :class:`~bot.services.growth.GrowthService`: a person who
may not see a hire's growth hears the same refusal whether or not that hire exists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import InvalidInput, NotFound, PermissionDenied
from bot.domain.people import parse_user_ref
from bot.services.growth import EvidenceForm, EvidenceInputError, EvidenceView, GrowthService
from bot.services.onboarding import Actor
from bot.slack import growth_blocks as gb
from bot.slack.blocks import Reply, text_reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.listeners.replies import ack_reply, open_modal, parsed, tell, tell_failure
from bot.slack.middleware import lookup_deadline, request_id

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
        ack_reply(call, make)

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
        text = gb.unescape(_WIN_OPTION.sub("", call.text)).strip()
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
            link=gb.unescape(options["link"][-1].strip("<>").split("|")[0])
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


def _dm(client: WebClient, user: str, reply: Reply) -> None:
    """Post ``reply`` in the bot's DM with ``user``: a courtesy once the work is stored, so a
    failure is logged, never raised."""
    try:
        client.chat_postMessage(channel=user, text=reply.text, blocks=reply.blocks)
    except Exception:
        log.warning("could not DM %s about evidence", user)


def _errors(block: str, text: str) -> dict[str, Any]:
    """A view submission's ack that keeps the modal open with ``text`` beside ``block``."""
    return {"response_action": "errors", "errors": {block: text}}


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


class EvidenceListeners:
    """The evidence modal's ways in (shortcut, pulse button), its submission, and the
    corroborator's Confirm button."""

    def __init__(self, ctx: SlackContext, growth: GrowthService) -> None:
        self.ctx = ctx
        self.growth = growth

    def on_shortcut(self, args: Args) -> None:
        """The "Log as evidence" shortcut: quote the message, keep its permalink, open the
        modal about its author when the user may record evidence for them (their manager, an
        admin), else about the user themself."""
        args.ack()
        shortcut = parsed(gb.parse_shortcut, args.body, what="message shortcut", log=log)
        if shortcut is None:
            return
        text = gb.excerpt(shortcut.text, names=self._names(shortcut.text, args.context))
        if not text:
            tell(args.respond, gb.SHORTCUT_NO_TEXT.format(cmd=self.ctx.command), log=log)
            return
        try:
            form = self._form(shortcut.user, shortcut.author, text)
            link = self._permalink(args.client, shortcut.channel, shortcut.ts)
            view = gb.evidence_modal(
                form, me=shortcut.user, text=text, link=link, source="shortcut"
            )
            args.client.views_open(trigger_id=shortcut.trigger_id, view=view)
        except Exception as exc:
            tell_failure(args.respond, args.context, exc, log=log)

    def on_add_win(self, args: Args) -> None:
        """The pulse's "Add a win" button: the modal for the clicker's own growth."""
        args.ack()
        open_modal(
            args,
            lambda user: gb.evidence_modal(
                self.growth.evidence_form(actor=Actor.slack(user), hire=user),
                me=user,
                source="pulse",
            ),
            log=log,
        )

    def on_submit(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        """The modal saved: record the evidence (a refusal is shown beside its field and the
        modal stays open; a save without tags that never saw suggestions shows the modal again
        with them, to review); then DM the author, re-publish the hire's Home and ask the
        corroborator, after the ack."""
        where = parsed(
            gb.parse_modal_context, str(view.get("private_metadata")), what="modal", log=log
        )
        if where is None:
            ack()
            return
        values = (view.get("state") or {}).get("values") or {}
        entered = gb.parse_evidence_input(values)
        user = (body.get("user") or {}).get("id", "")
        answer = self._not_yet(user, where, entered, context)
        if answer is None:
            try:
                recorded = self.growth.add_evidence(
                    actor=Actor.slack(user),
                    hire=where.hire,
                    text=entered.text,
                    tags=entered.tags,
                    link=where.link or entered.link,
                    visibility=entered.visibility,
                    corroborator=entered.corroborator,
                    source=where.source,
                )
            except EvidenceInputError as exc:
                answer = _errors(gb.error_block(exc.field, values), str(exc))
            except Exception as exc:
                answer = _errors(gb.TEXT_BLOCK, error_text(exc, request_id=request_id(context)))
        if answer is not None:
            ack(**answer)
            return
        ack()
        self._after_recording(client, recorded, author=user, hire=where.hire)

    def _not_yet(
        self, user: str, where: gb.ModalContext, entered: gb.EvidenceInput, context: BoltContext
    ) -> dict[str, Any] | None:
        """Why the modal stays open before anything is recorded, as the ack's arguments: an app
        or a deactivated account named as corroborator, or tags to review; ``None`` to save."""
        if entered.corroborator and not self._is_person(entered.corroborator, context):
            return _errors(gb.WITNESS_BLOCK, gb.WITNESS_NOT_A_PERSON)
        if entered.tags or where.suggested:
            return None
        review = self._review(user, where, entered)
        return None if review is None else {"response_action": "update", "view": review}

    def on_confirm(self, args: Args) -> None:
        """The corroborator's Confirm: recorded once; the DM then says when, without the
        button, and whoever logged it hears it was confirmed. Anyone else is told privately
        that only the named person can confirm."""
        args.ack()
        user = (args.body.get("user") or {}).get("id", "")
        action = (args.body.get("actions") or [{}])[0]
        evidence_id = parsed(gb.parse_confirm, action, what="confirm button", log=log)
        if evidence_id is None:
            return
        try:
            confirmation = self.growth.confirm_evidence(
                actor=Actor.slack(user), evidence_id=evidence_id
            )
        except Exception as exc:
            tell_failure(args.respond, args.context, exc, log=log)
            return
        container = args.body.get("container") or {}
        reply = gb.confirmed_reply(confirmation)
        try:
            args.client.chat_update(
                channel=container.get("channel_id", ""),
                ts=container.get("message_ts", ""),
                text=reply.text,
                blocks=reply.blocks,
            )
        except Exception:  # recorded; a stale button is only cosmetic (a click says so)
            log.warning("could not update the confirmation of evidence %s", evidence_id)
        author = confirmation.evidence.created_by
        if not confirmation.already and author != user:
            _dm(args.client, author, gb.confirmed_for_author(confirmation, by=user))

    def _review(self, user: str, where: gb.ModalContext, entered: gb.EvidenceInput) -> Any:
        """The modal again with tags suggested for the text, when a save came without tags and
        without having seen suggestions (the empty modal from the pulse), and there are some;
        else ``None`` (save as it is)."""
        try:
            form = self.growth.evidence_form(
                actor=Actor.slack(user), hire=where.hire, text=entered.text
            )
        except Exception:  # the save that follows hears why
            return None
        if not form.suggested:
            return None
        return gb.evidence_modal(
            form, me=user, link=where.link, source=where.source, entered=entered
        )

    def _names(self, text: str, context: BoltContext) -> dict[str, str]:
        """The names of the people ``text`` mentions by id alone, as far as Slack says within
        the request's lookup budget (cached ``users.info``)."""
        people = [(user, None) for user in gb.mentioned(text)]
        if not people:
            return {}
        deadline = lookup_deadline(context, self.ctx.directory)
        found = self.ctx.directory.lookup_many(people, deadline=deadline)
        return {f.profile.user_id: f.profile.display_name for f in found if f.profile.display_name}

    def _is_person(self, user: str, context: BoltContext) -> bool:
        """Whether ``user`` is a person who can read a DM: not an app, not deactivated (when
        Slack can't say in time, they are taken as picked)."""
        lookup = self.ctx.directory.lookup(
            user, deadline=lookup_deadline(context, self.ctx.directory)
        )
        return not (lookup.is_bot or lookup.deleted)

    def _form(self, user: str, author: str | None, text: str) -> EvidenceForm:
        """The modal about the message's author when ``user`` may record their growth, else
        about ``user`` (whose refusal, e.g. not on a plan, is the one they hear)."""
        actor = Actor.slack(user)
        if author and author != user:
            try:
                return self.growth.evidence_form(actor=actor, hire=author, text=text)
            except (PermissionDenied, NotFound):
                pass
        return self.growth.evidence_form(actor=actor, hire=user, text=text)

    def _permalink(self, client: WebClient, channel: str, ts: str) -> str | None:
        """The message's permalink; without one (Slack failed) the evidence goes unlinked."""
        try:
            link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except Exception:
            log.warning("chat.getPermalink failed for a shortcut in %s", channel)
            return None
        return str(link) if link else None

    def _after_recording(
        self, client: WebClient, recorded: EvidenceView, *, author: str, hire: str
    ) -> None:
        """Tell the author, refresh the hire's Home, ask the corroborator: each a courtesy
        whose failure is logged (the evidence is stored)."""
        said = gb.recorded_dm(recorded, cmd=self.ctx.command, hire=None if hire == author else hire)
        _dm(client, author, said)
        if recorded.corroborator is not None:
            _dm(client, recorded.corroborator, gb.confirm_request(recorded, hire=hire))
        self.ctx.home.publish(hire)


def register(app: App, ctx: SlackContext) -> None:
    """Add the growth subcommands, the evidence shortcut, modal and buttons (when the growth
    service is wired in); the shortcut is recorded for the manifest."""
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
    evidence = EvidenceListeners(ctx, growth)
    app.shortcut(gb.SHORTCUT_CALLBACK)(evidence.on_shortcut)
    app.action(gb.ADD_WIN_ACTION)(evidence.on_add_win)
    app.view(gb.MODAL_CALLBACK)(evidence.on_submit)
    app.action(gb.CONFIRM_ACTION)(evidence.on_confirm)
    surface = getattr(app, "surface", None)  # OnrampApp's record, for the manifest
    if surface is not None and gb.SHORTCUT not in surface.shortcuts:
        surface.shortcuts.append(gb.SHORTCUT)
