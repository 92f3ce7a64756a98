"""Listeners, registered per kind. Keep the list explicit: one line per module."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import SlackContext
from bot.slack.listeners import (
    actions,
    checkins,
    commands,
    confirm,
    events,
    fallback,
    focus,
    growth,
    growth_rounds,
    home,
    kpis,
    move,
    one_on_ones,
    packet,
    qa,
)


def register_all(app: App, ctx: SlackContext) -> None:
    """Register every listener on ``app``."""
    commands.register(app, ctx)
    home.register(app, ctx)
    actions.register(app, ctx)
    confirm.register(app, ctx)
    events.register(app, ctx)
    checkins.register(app, ctx)
    qa.register(app, ctx)
    growth.register(app, ctx)
    growth_rounds.register(app, ctx)
    focus.register(app, ctx)
    kpis.register(app, ctx)
    one_on_ones.register(app, ctx)
    packet.register(app, ctx)
    move.register(app, ctx)
    # Last: it answers every action no listener above took (Bolt runs the first match).
    fallback.register(app, ctx)
