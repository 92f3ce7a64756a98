"""Growth check-ins: the "Rate now" button opens the rating modal; its submission is checked by
the service, per dimension, and the DM is updated to say the ratings are in.

Each listener acks, parses (pure, :mod:`bot.slack.growth_round_blocks`), makes one service call
and renders. A problem with a rating shows under that dimension (``response_action: errors``);
nothing is stored until every dimension is right.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Args
from slack_sdk import WebClient

from bot.services.checkins import Checkins
from bot.services.checkins.queue import outbox_row
from bot.services.growth_rounds import ALREADY, RatingsIncomplete
from bot.slack import checkin_blocks as cb
from bot.slack import growth_round_blocks as gb
from bot.slack.context import SlackContext
from bot.slack.delivery import outbox_metadata
from bot.slack.errors import error_text
from bot.slack.listeners.replies import parsed, tell_failure

log = logging.getLogger("onramp.slack.growth_rounds")


class _Rounds:
    def __init__(self, checkins: Checkins) -> None:
        self.checkins = checkins

    def on_rate(self, args: Args) -> None:
        """ "Rate now": open the modal for this rater (the trigger id expires in 3 s)."""
        args.ack()
        action = (args.body.get("actions") or [{}])[0]
        outbox_id = parsed(gb.parse_outbox_id, action.get("value"), what="rate button", log=log)
        if outbox_id is None:
            return
        user_id = (args.body.get("user") or {}).get("id", "")
        try:
            form = self.checkins.growth_rounds.form(user_id=user_id, outbox_id=outbox_id)
            if form.submitted_at is not None:
                # From a reminder (or a DM not yet redrawn): say so; no modal to fill again.
                args.respond(text=ALREADY, response_type="ephemeral", replace_original=False)
                return
            args.client.views_open(trigger_id=args.body["trigger_id"], view=gb.rating_modal(form))
        except Exception as exc:
            tell_failure(args.respond, args.context, exc, log=log)

    def on_submit(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        """The modal submitted: store the ratings (or show what to fix), then update the DM."""
        outbox_id = parsed(
            gb.parse_outbox_id, view.get("private_metadata"), what="rating modal", log=log
        )
        if outbox_id is None:
            ack()
            return
        user_id = (body.get("user") or {}).get("id", "")
        ratings = gb.parse_ratings((view.get("state") or {}).get("values") or {})
        try:
            self.checkins.growth_rounds.submit(
                user_id=user_id, outbox_id=outbox_id, ratings=ratings
            )
        except RatingsIncomplete as exc:
            ack(response_action="errors", errors=gb.errors_for(exc.problems))
            return
        except Exception as exc:
            ack(
                response_action="errors",
                errors=gb.error_on_first(view, error_text(exc, request_id="-")),
            )
            return
        ack()
        self._update(client, outbox_id)

    def _update(self, client: WebClient, outbox_id: int) -> None:
        row = outbox_row(self.checkins.db, outbox_id)
        if row is None or not row.channel or not row.ts:
            return
        message = self.checkins.compose(row)
        reply = cb.render(message)
        try:
            client.chat_update(
                channel=row.channel,
                ts=row.ts,
                text=reply.text,
                blocks=reply.blocks,
                metadata=outbox_metadata(message),
            )
        except Exception:  # the ratings are stored; a stale rendering is only cosmetic
            log.warning("could not update growth check-in %s", outbox_id, exc_info=True)


def register(app: App, ctx: SlackContext) -> None:
    """Listen for growth check-in ratings (only when the check-in engine is wired in)."""
    checkins: Checkins | None = getattr(ctx, "checkins", None)
    if checkins is None:
        return
    rounds = _Rounds(checkins)
    app.action(gb.RATE_ACTION)(rounds.on_rate)
    app.view(gb.MODAL_CALLBACK)(rounds.on_submit)
