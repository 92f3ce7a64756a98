"""The bot's own identity (``auth.test``), and the ``authorize`` function Bolt calls per request.

Bolt's default single-workspace authorization fails every request when ``auth.test`` fails.
Onramp is single-workspace with a static token, so it authorizes with that token regardless and
only *learns* its bot user id from ``auth.test`` (cached once it succeeds, retried at most once a
minute otherwise). Commands keep working against a Slack stand-in that lacks ``auth.test``; only
echo detection loses the bot user id, and the middleware also ignores every ``bot_id`` message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger("onramp.slack.identity")

RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class Me:
    """Who the bot is in the workspace."""

    bot_user_id: str | None
    bot_id: str | None
    team_id: str | None
    user: str | None


class BotIdentity:
    """Caches ``auth.test``; thread-safe."""

    def __init__(
        self,
        *,
        client: WebClient,
        token: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._token = token
        self._me: Me | None = None
        self._retry_at = 0.0
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self.monotonic = monotonic

    def resolve(self) -> Me | None:
        """The bot's identity, calling ``auth.test`` unless known (or failed less than 60 s ago)."""
        with self._lock:
            if self._me is not None or self.monotonic() < self._retry_at:
                return self._me
            try:
                response = self.client.auth_test()
            except SlackApiError as exc:
                self.last_error = str(exc.response.get("error"))
                log.warning("auth.test failed: %s", self.last_error)
            except (SlackClientError, OSError, ValueError) as exc:
                self.last_error = type(exc).__name__
                log.warning("auth.test unavailable: %s", self.last_error)
            else:
                self.last_error = None
                self._me = Me(
                    bot_user_id=response.get("user_id"),
                    bot_id=response.get("bot_id"),
                    team_id=response.get("team_id"),
                    user=response.get("user"),
                )
                return self._me
            self._retry_at = self.monotonic() + RETRY_SECONDS
            return None

    def authorize(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        """The static bot token, with the bot's ids when known."""
        me = self.resolve()
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or (me.team_id if me else None),
            bot_user_id=me.bot_user_id if me else None,
            bot_id=me.bot_id if me else None,
            bot_token=self._token,
            user_id=user_id,
        )

    def bolt_authorize(self) -> Callable[..., AuthorizeResult]:
        """:meth:`authorize` as Bolt wants it: a plain function (Bolt passes arguments by name
        and would trip over a bound method's ``self``)."""

        def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return self.authorize(enterprise_id, team_id, user_id)

        return authorize
