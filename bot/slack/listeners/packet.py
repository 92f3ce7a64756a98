"""``/onramp packet [@user]``: a hire's review packet, uploaded as one HTML file to the DM of
whoever asked (the hire's manager of record, or an admin); ``/onramp packet`` alone is the
hire's preview of their own, with an "Add a comment" button whose modal stores the comment
the manager's packet then shows. Mentors are refused (the service says so).

The packet is built before the ack (local reads, like ``/onramp growth``), so a refusal is the
ack itself; the upload to Slack (``files_upload_v2``: files.getUploadURLExternal, the bytes,
files.completeUploadExternal) runs after the ack, and its failure is told through ``respond``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import InvalidInput
from bot.services.onboarding import Actor
from bot.services.packet import Packet, PacketService
from bot.services.packet_render import render_html
from bot.slack import packet_blocks as pb
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.listeners.growth import _person
from bot.slack.listeners.replies import growth_deps, open_modal, parsed
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.packet")


class PacketListeners:
    """The subcommand, the comment button and the comment modal."""

    def __init__(self, ctx: SlackContext, packets: PacketService) -> None:
        self.ctx = ctx
        self.packets = packets

    def on_packet(self, call: SubcommandCall) -> None:
        """``/onramp packet [@user]``: build, ack, then upload to the caller's DM."""
        try:
            built = self._build(call)
        except Exception as exc:
            call.ack(text=error_text(exc, request_id=call.request_id), response_type="ephemeral")
            return
        words = pb.PREVIEW_ON_ITS_WAY if built.preview else pb.ON_ITS_WAY
        call.ack(text=words.format(hire=built.hire), response_type="ephemeral")
        try:
            self._upload(self.ctx.client, call.user_id, built)
        except Exception as exc:
            self._respond(call, error_text(exc, request_id=call.request_id))

    def _build(self, call: SubcommandCall) -> Packet:
        words = call.text.split()
        if len(words) > 1:
            raise InvalidInput(pb.ONE_PERSON.format(cmd=self.ctx.command))
        hire = _person(words[0]) if words else call.user_id
        return self.packets.build(actor=Actor.slack(call.user_id), hire=hire or call.user_id)

    def _upload(self, client: WebClient, user: str, built: Packet) -> None:
        """The packet as a file in the bot's DM with ``user``; a preview adds the comment
        button below it."""
        opened = client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or user)
        client.files_upload_v2(
            channel=channel,
            content=render_html(built).encode("utf-8"),
            filename=pb.filename(built),
            title=f"Review packet: {built.hire_name}",
            initial_comment=pb.upload_comment(built),
        )
        if built.preview:
            dm = pb.preview_dm()
            client.chat_postMessage(channel=channel, text=dm.text, blocks=dm.blocks)

    def _respond(self, call: SubcommandCall, text: str) -> None:
        try:
            call.respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception:
            log.warning("could not tell %s the packet failed [%s]", call.user_id, call.request_id)

    def on_open_comment(self, args: Args) -> None:
        """The "Add a comment" button: the comment modal."""
        args.ack()
        open_modal(args, lambda _user: pb.comment_modal(), log=log)

    def on_comment(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        """The modal saved: store the comment (a refusal stays beside the field), then say so
        in the DM."""
        values = (view.get("state") or {}).get("values") or {}
        text = parsed(pb.parse_comment, values, what="packet comment modal", log=log)
        user = (body.get("user") or {}).get("id", "")
        if text is None:
            ack()
            return
        try:
            self.packets.add_comment(actor=Actor.slack(user), text=text)
        except Exception as exc:
            ack(
                response_action="errors",
                errors={pb.COMMENT_BLOCK: error_text(exc, request_id=request_id(context))},
            )
            return
        ack()
        try:
            saved = pb.COMMENT_SAVED.format(cmd=self.ctx.command)
            client.chat_postMessage(channel=user, text=saved)
        except Exception:
            log.warning("could not confirm a packet comment to %s", user)


def register(app: App, ctx: SlackContext) -> None:
    """Add ``/onramp packet``, the comment button and modal (when growth is wired in)."""
    deps = growth_deps(ctx, default_tz=ctx.onboarding.default_tz)
    if deps is None:
        log.warning("packets are off: SlackContext.growth is not set")
        return
    packets = PacketService(
        **deps,
        holiday_country=ctx.onboarding.holiday_country,
    )
    listeners = PacketListeners(ctx, packets)
    ctx.subcommands.register(
        Subcommand(
            name="packet",
            usage=pb.PACKET_USAGE,
            summary=pb.PACKET_SUMMARY,
            handler=listeners.on_packet,
        )
    )
    app.action(pb.OPEN_COMMENT_ACTION)(listeners.on_open_comment)
    app.view(pb.MODAL_CALLBACK)(listeners.on_comment)
