"""Events API listeners that are neither Home nor Q&A.

Slack sends ``tokens_revoked`` / ``app_uninstalled`` only when subscribed; Bolt answers them.
Nothing else yet: message and mention events belong to the Q&A listeners (``qa.py``).
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import SlackContext


def register(app: App, ctx: SlackContext) -> None:
    """No general events yet; kept so each kind has one obvious home."""
