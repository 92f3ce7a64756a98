"""Answers to check-ins: mood buttons, milestone status selects, and the "Add a note" modal.

Each listener acks at once, parses the action (pure, :mod:`bot.slack.checkin_blocks`), makes one
service call and re-renders the original message in place (``chat.update``) with what was
recorded and when. Late answers still count. Milestone statuses go through
``Onboarding.mark(source="checkin")``, whose observers refresh App Home and nudge mentors.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Args
from slack_sdk import WebClient

from bot.services.checkins import AnswerResult, Checkins
from bot.slack import checkin_blocks as cb
from bot.slack.context import SlackContext
from bot.slack.delivery import outbox_metadata
from bot.slack.errors import error_text
from bot.slack.listeners.replies import parsed, tell_failure

log = logging.getLogger("onramp.slack.checkins")

NOTE_EMPTY = "Write a sentence, or press Cancel."


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return channel, ts


def _clicked(body: dict[str, Any], what: str) -> tuple[cb.Choice, str | None, str | None] | None:
    """The choice a click on a check-in made and the message it was on (channel, ts); ``None``,
    logged, when the click's action is malformed."""
    choice = parsed(cb.parse_choice, (body.get("actions") or [{}])[0], what=what, log=log)
    return None if choice is None else (choice, *_where(body))


def _update(client: WebClient, result: AnswerResult, channel: str | None, ts: str | None) -> None:
    channel = channel or result.channel
    ts = ts or result.ts
    if not channel or not ts:
        return
    reply = cb.render(result.message)
    try:
        client.chat_update(
            channel=channel,
            ts=ts,
            text=reply.text,
            blocks=reply.blocks,
            metadata=outbox_metadata(result.message),
        )
    except Exception:  # the answer is recorded; a stale rendering is only cosmetic
        log.warning("could not update check-in message %s/%s", channel, ts, exc_info=True)


class _Answers:
    """The check-in listeners, sharing the service and the context.

    The click listeners take Bolt's :class:`~slack_bolt.Args` (ack, body, client, respond,
    context) as one argument rather than five."""

    def __init__(self, ctx: SlackContext, checkins: Checkins) -> None:
        self.ctx = ctx
        self.checkins = checkins

    def on_choice(self, args: Args) -> None:
        """A mood button or a milestone status select on a check-in."""
        args.ack()
        user_id = (args.body.get("user") or {}).get("id", "")
        clicked = _clicked(args.body, "check-in action")
        if clicked is None:
            return
        choice, channel, ts = clicked
        try:
            if choice.mood is not None:
                result = self.checkins.answer_mood(
                    user_id=user_id, outbox_id=choice.outbox_id, mood=choice.mood
                )
                self.ctx.home.publish(user_id)
            else:
                assert choice.milestone_id is not None  # noqa: S101 - parse_choice guarantees it
                assert choice.status is not None  # noqa: S101
                result = self.checkins.answer_milestone(
                    user_id=user_id,
                    outbox_id=choice.outbox_id,
                    milestone_id=choice.milestone_id,
                    status=choice.status,
                )
        except Exception as exc:
            tell_failure(args.respond, args.context, exc, log=log)
            return
        _update(args.client, result, channel, ts)

    def on_note(self, args: Args) -> None:
        """The "Add a note" button: open the modal (the trigger id expires in 3 s)."""
        args.ack()
        clicked = _clicked(args.body, "note button")
        if clicked is None:
            return
        choice, channel, ts = clicked
        try:
            args.client.views_open(
                trigger_id=args.body["trigger_id"],
                view=cb.note_modal(outbox_id=choice.outbox_id, channel=channel, ts=ts),
            )
        except Exception as exc:
            tell_failure(args.respond, args.context, exc, log=log)

    def on_note_submit(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        """The note modal submitted: record it, close the modal, update the message."""
        values = (view.get("state") or {}).get("values") or {}
        note = ((values.get(cb.NOTE_BLOCK) or {}).get(cb.NOTE_INPUT) or {}).get("value") or ""
        if not note.strip():
            ack(response_action="errors", errors={cb.NOTE_BLOCK: NOTE_EMPTY})
            return
        meta = parsed(
            cb.parse_note_metadata, str(view.get("private_metadata")), what="note modal", log=log
        )
        if meta is None:
            ack()
            return
        outbox_id, channel, ts = meta
        user_id = (body.get("user") or {}).get("id", "")
        try:
            result = self.checkins.add_note(user_id=user_id, outbox_id=outbox_id, note=note)
        except Exception as exc:
            ack(
                response_action="errors",
                errors={cb.NOTE_BLOCK: error_text(exc, request_id="-")[:150]},
            )
            return
        ack()
        _update(client, result, channel, ts)
        self.ctx.home.publish(user_id)


def register(app: App, ctx: SlackContext) -> None:
    """Listen for answers to check-ins (only when the check-in engine is wired in)."""
    checkins: Checkins | None = getattr(ctx, "checkins", None)
    if checkins is None:
        log.warning("check-in answers are off: SlackContext.checkins is not set")
        return
    answers = _Answers(ctx, checkins)
    app.action(re.compile(rf"^{cb.MOOD_ACTION}:"))(answers.on_choice)
    app.action(cb.MILESTONE_ACTION)(answers.on_choice)
    app.action(cb.NOTE_ACTION)(answers.on_note)
    app.view(cb.NOTE_CALLBACK)(answers.on_note_submit)
