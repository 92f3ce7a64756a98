"""The growth plan in Slack: ``/onramp focus [@hire]``, the reveal DM's "Choose focus items"
button and its modal, and the "Update" button per item and its modal.

Each listener acks, parses (pure, :mod:`bot.slack.focus_blocks`), makes one service call and
renders. Permissions are left to :class:`~bot.services.focus.FocusService`; a refused item in
the modal shows beside its field and nothing is stored until every item is right.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import InvalidInput
from bot.services.focus import STALLED_AFTER_WORKING_DAYS, FocusInputError, FocusService
from bot.services.onboarding import Actor
from bot.slack import focus_blocks as fb
from bot.slack.blocks import Reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.listeners.growth import _person
from bot.slack.listeners.replies import ack_reply, growth_deps, open_modal, parsed
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.focus")


def focus_service(ctx: SlackContext) -> FocusService | None:
    """The focus service over the growth service's database, plans, clock and admins, with
    the check-in engine's stall period and default zone when it is wired in."""
    calendars = getattr(ctx.checkins, "calendars", None)
    deps = growth_deps(ctx, default_tz=getattr(calendars, "default_tz", "UTC"))
    if deps is None:
        return None
    return FocusService(
        **deps,
        stalled_after_working_days=getattr(
            getattr(calendars, "defaults", None),
            "focus_stalled_after_working_days",
            STALLED_AFTER_WORKING_DAYS,
        ),
    )


class FocusListeners:
    """The handlers, bound to the focus service and the configured slash command."""

    def __init__(self, ctx: SlackContext, focus: FocusService) -> None:
        self.ctx = ctx
        self.focus = focus

    def on_focus(self, call: SubcommandCall) -> None:
        """``/onramp focus [@user]``: the caller's own growth plan, or a hire's."""
        ack_reply(call, lambda: self._list(call))

    def _list(self, call: SubcommandCall) -> Reply:
        words = call.text.split()
        if len(words) > 1:
            raise InvalidInput(fb.FOCUS_ONE_PERSON.format(cmd=self.ctx.command))
        hire = (_person(words[0]) if words else None) or call.user_id
        listed = self.focus.list(actor=Actor.slack(call.user_id), hire=hire)
        return fb.focus_reply(listed)

    def on_choose(self, args: Args) -> None:
        """ "Choose focus items": the modal, pre-filled from the latest round's gaps."""
        args.ack()
        action = (args.body.get("actions") or [{}])[0]
        hire = str(action.get("value") or "")
        open_modal(
            args,
            lambda user: fb.add_modal(self.focus.form(actor=Actor.slack(user), hire=hire)),
            log=log,
        )

    def on_add(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        """The add modal saved: every titled item stored together, or the modal stays open
        with the refusal beside its field."""
        hire = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        chosen = fb.parse_add(values)
        user = (body.get("user") or {}).get("id", "")
        if not chosen.items:
            ack(response_action="errors", errors={fb.add_error("title", 0): fb.NOTHING_CHOSEN})
            return
        try:
            added = self.focus.add_many(actor=Actor.slack(user), hire=hire, items=chosen.items)
        except FocusInputError as exc:
            block = fb.add_error(exc.field, chosen.positions[exc.index])
            ack(response_action="errors", errors={block: str(exc)})
            return
        except Exception as exc:
            block = fb.add_error("title", chosen.positions[0])
            ack(
                response_action="errors",
                errors={block: error_text(exc, request_id=request_id(context))},
            )
            return
        ack()
        _dm(client, user, fb.added_reply(added, hire=hire))
        self.ctx.home.publish(hire)

    def on_update_button(self, args: Args) -> None:
        """ "Update" on an item: the modal with a note and its status."""
        args.ack()
        action = (args.body.get("actions") or [{}])[0]
        focus_id = parsed(fb.parse_focus_id, action.get("value"), what="focus button", log=log)
        if focus_id is None:
            return
        open_modal(
            args,
            lambda user: fb.update_modal(
                self.focus.item(actor=Actor.slack(user), focus_id=focus_id)[1]
            ),
            log=log,
        )

    def on_update(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        """The update modal saved: progress appended, or the refusal beside the note."""
        focus_id = parsed(
            fb.parse_focus_id, view.get("private_metadata"), what="focus modal", log=log
        )
        if focus_id is None:
            ack()
            return
        note, status = fb.parse_update((view.get("state") or {}).get("values") or {})
        user = (body.get("user") or {}).get("id", "")
        try:
            item = self.focus.update(
                actor=Actor.slack(user), focus_id=focus_id, note=note, status=status
            )
        except Exception as exc:
            ack(
                response_action="errors",
                errors={fb.NOTE_BLOCK: error_text(exc, request_id=request_id(context))},
            )
            return
        ack()
        _dm(client, user, fb.updated_reply(item))


def _dm(client: WebClient, user: str, reply: Reply) -> None:
    """A courtesy once the work is stored: a failure is logged, never raised."""
    try:
        client.chat_postMessage(channel=user, text=reply.text, blocks=reply.blocks)
    except Exception:
        log.warning("could not DM %s about their focus items", user)


def register(app: App, ctx: SlackContext) -> None:
    """Add ``/onramp focus``, the "Choose focus items" and "Update" buttons and their modals
    (when the growth service is wired in)."""
    focus = focus_service(ctx)
    if focus is None:
        return
    listeners = FocusListeners(ctx, focus)
    ctx.subcommands.register(
        Subcommand(
            name="focus",
            usage=fb.FOCUS_USAGE,
            summary=fb.FOCUS_SUMMARY,
            handler=listeners.on_focus,
        )
    )
    app.action(fb.CHOOSE_ACTION)(listeners.on_choose)
    app.view(fb.ADD_CALLBACK)(listeners.on_add)
    app.action(fb.UPDATE_ACTION)(listeners.on_update_button)
    app.view(fb.UPDATE_CALLBACK)(listeners.on_update)
