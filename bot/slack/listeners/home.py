"""App Home: publish the person's view when they open the Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.slack import payloads
from bot.slack.context import SlackContext

log = logging.getLogger("onramp.slack.home")


def register(app: App, ctx: SlackContext) -> None:
    """Listen for ``app_home_opened``."""

    def on_home_opened(event: dict[str, Any]) -> None:
        try:
            opened = payloads.home_opened(event)
        except payloads.PayloadError as exc:
            log.warning("malformed app_home_opened: %s", exc)
            return
        if opened.is_home:
            ctx.home.publish(opened.user_id)

    app.event("app_home_opened")(on_home_opened)
