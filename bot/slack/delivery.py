"""The :class:`Messenger` over ``slack_sdk.WebClient``: DMs that name their outbox row.

- ``conversations.open`` finds the DM (cached per user); where it is unavailable (a proxy or
  stand-in without it, a token type that may not call it) the message is posted to the user id,
  which Slack accepts for the app's DM, and the DM id it answers with is cached from then on.
  ``chat.postMessage`` posts with message
  metadata ``{"event_type": "onramp_outbox", "event_payload": {"outbox_id", "key"}}`` so a row
  whose fate is unknown can be found again in ``conversations.history``.
- A post whose outcome is unknown (connection dropped, timeout, 5xx) is looked up in the DM's
  history before it is reported as failed, so a retry never doubles a message.
- Posts to one channel are paced (Slack allows about one message a second per channel); other
  channels are not held up. A 429 is reported with its ``Retry-After`` for the caller to defer
  that row only; the client must not sleep on 429 itself (build it without the SDK's
  ``RateLimitErrorRetryHandler``, see :func:`delivery_client`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.logcontext import log_context
from bot.services.checkins import DeliveryError, Message, Posted
from bot.services.onboarding import Profile
from bot.slack.checkin_blocks import render
from bot.slack.directory import profile_from_user

log = logging.getLogger("onramp.slack.delivery")

EVENT_TYPE = "onramp_outbox"
#: Minimum seconds between two posts to the same channel.
CHANNEL_INTERVAL = 1.0
#: Slack errors after which retrying cannot help; the row fails with the reason.
PERMANENT = {
    "channel_not_found": "the DM channel does not exist",
    "user_not_found": "Slack doesn't know this user; check the user id",
    "users_not_found": "Slack doesn't know this user; check the user id",
    "user_disabled": "the user's account is deactivated",
    "account_inactive": "the user's account is deactivated",
    "cannot_dm_bot": "that user is a bot",
    "is_archived": "the DM channel is archived",
    "not_in_channel": "the bot is not in the channel",
    "invalid_blocks": "Slack rejected the message layout (a bug: please report it)",
    "msg_too_long": "the message is too long (a bug: please report it)",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid; set a bot token (xoxb-…)",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; reinstall the app",
    "missing_scope": "the app lacks a scope (chat:write, im:write, im:history, users:read)",
}
#: ``conversations.open`` errors after which posting to the user id itself is the way to DM.
NO_OPEN = {"unknown_method", "method_not_supported_for_channel_type", "not_allowed_token_type"}


def delivery_client(*, token: str, base_url: str | None = None, timeout: int = 15) -> WebClient:
    """A WebClient for check-ins: no automatic retries (we decide, per row and per channel)."""
    options: dict[str, Any] = {"token": token, "timeout": timeout, "retry_handlers": []}
    if base_url:
        options["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    return WebClient(**options)


def outbox_metadata(message: Message) -> dict[str, Any]:
    """The message metadata that names the outbox row."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"outbox_id": message.outbox_id, "key": message.key},
    }


class SlackMessenger:
    """Posts check-ins as DMs, finds them again, updates them in place. Thread-safe."""

    def __init__(
        self,
        client: WebClient,
        *,
        channel_interval: float = CHANNEL_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.channel_interval = channel_interval
        self.monotonic = monotonic
        self.sleep = sleep
        self._dms: dict[str, str] = {}
        self._next_post: dict[str, float] = {}
        self._lock = threading.Lock()

    def open_dm(self, *, user_id: str) -> str:
        """The DM channel id with ``user_id`` (``conversations.open``, cached)."""
        with self._lock:
            cached = self._dms.get(user_id)
        if cached is not None:
            return cached
        try:
            response = self._call(lambda: self.client.conversations_open(users=user_id))
        except DeliveryError as exc:
            if exc.retryable or exc.reason.removeprefix("Slack refused: ") not in NO_OPEN:
                raise
            # No conversations.open here: chat.postMessage takes the user id for the app's DM.
            log.info("conversations.open unavailable (%s); posting to the user id", exc.reason)
            return user_id
        channel = response.get("channel")
        if not isinstance(channel, Mapping) or not channel.get("id"):
            raise DeliveryError("conversations.open returned no channel", retryable=True)
        channel_id = str(channel["id"])
        with self._lock:
            self._dms[user_id] = channel_id
        return channel_id

    def post(self, *, channel: str, message: Message) -> Posted:
        """Post with metadata naming the row; if the outcome is unknown, look before failing."""
        with log_context(outbox_id=message.outbox_id):
            return self._post(channel, message)

    def _post(self, channel: str, message: Message) -> Posted:
        reply = render(message)
        self._pace(channel)
        # Compared with Slack's message timestamps (wall time) when the outcome is unknown.
        started = datetime.now().astimezone()  # noqa: TID251 - matched against Slack's clock
        try:
            response = self._call(
                lambda: self.client.chat_postMessage(
                    channel=channel,
                    text=reply.text,
                    blocks=reply.blocks,
                    metadata=outbox_metadata(message),
                    unfurl_links=False,
                    unfurl_media=False,
                )
            )
        except DeliveryError as exc:
            if exc.retryable and exc.retry_after is None:
                # Dropped connection or a 5xx: Slack may have posted it anyway.
                found = self._find_quietly(channel, message, started)
                if found is not None:
                    return found
            raise
        landed = str(response.get("channel") or channel)
        if landed != channel:
            with self._lock:  # posted to a user id: the DM id Slack answered with serves later
                self._dms[channel] = landed
        return Posted(channel=landed, ts=str(response["ts"]))

    def find(self, *, channel: str, outbox_id: int, key: str, since: datetime) -> Posted | None:
        """The bot's message in ``channel`` whose metadata names this row, if any.

        The newest messages are read first; the search stops a day before ``since`` (or after
        ten pages — a bot DM holds a few messages a week, so that is months of history).
        """
        horizon = since.timestamp() - 86_400
        cursor: str | None = None
        for _ in range(10):
            kwargs: dict[str, Any] = {
                "channel": channel,
                "include_all_metadata": True,
                "limit": 200,
            }
            if cursor:
                kwargs["cursor"] = cursor
            response = self._history(kwargs)
            messages = response.get("messages") or []
            for item in messages:
                metadata = item.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (
                    metadata.get("event_type") == EVENT_TYPE
                    and str(payload.get("outbox_id")) == str(outbox_id)
                    and payload.get("key") == key
                ):
                    return Posted(channel=channel, ts=str(item["ts"]))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or (messages and float(messages[-1].get("ts") or 0) < horizon):
                return None
        return None

    def _history(self, kwargs: dict[str, Any]) -> Any:
        return self._call(lambda: self.client.conversations_history(**kwargs))

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        """Re-render a posted message in place (keeping its metadata)."""
        reply = render(message)
        self._call(
            lambda: self.client.chat_update(
                channel=channel,
                ts=ts,
                text=reply.text,
                blocks=reply.blocks,
                metadata=outbox_metadata(message),
            )
        )

    def profile(self, *, user_id: str) -> Profile | None:
        """``users.info`` → name and time zone (None when Slack has no such user)."""
        try:
            response = self._call(lambda: self.client.users_info(user=user_id))
        except DeliveryError as exc:
            if not exc.retryable:
                return None
            raise
        user = response.get("user")
        if not isinstance(user, Mapping) or not user.get("id"):
            return None
        return profile_from_user(user)

    # --- helpers --------------------------------------------------------------------------

    def _pace(self, channel: str) -> None:
        with self._lock:
            now = self.monotonic()
            ready = self._next_post.get(channel, now)
            self._next_post[channel] = max(ready, now) + self.channel_interval
            if len(self._next_post) > 50_000:
                self._next_post = {c: t for c, t in self._next_post.items() if t > now}
        if ready > now:
            self.sleep(ready - now)

    def _find_quietly(self, channel: str, message: Message, since: datetime) -> Posted | None:
        try:
            return self.find(
                channel=channel, outbox_id=message.outbox_id, key=message.key, since=since
            )
        except DeliveryError:
            return None

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except SlackApiError as exc:
            raise _delivery_error(exc) from None
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(
                f"Slack unreachable ({type(exc).__name__})", retryable=True
            ) from None


def _delivery_error(exc: SlackApiError) -> DeliveryError:
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    error = str(response.get("error") or "unknown_error") if response is not None else "unknown"
    if status == 429 or error == "ratelimited":
        headers = getattr(response, "headers", {}) or {}
        raw = headers.get("Retry-After") or headers.get("retry-after") or "1"
        try:
            retry_after = max(float(raw), 0.0)
        except ValueError:
            retry_after = 1.0
        return DeliveryError("rate limited by Slack", retryable=True, retry_after=retry_after)
    if error in PERMANENT:
        return DeliveryError(f"{error}: {PERMANENT[error]}", retryable=False)
    if status >= 500 or error in (
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    ):
        return DeliveryError(f"Slack error {status} {error}", retryable=True)
    return DeliveryError(f"Slack refused: {error}", retryable=False)


def messenger_from_settings(settings: Settings) -> SlackMessenger | None:
    """The check-in messenger for the configured Slack (``SLACK_BOT_TOKEN``, ``SLACK_API_URL``)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if not token.strip():
        return None
    client = delivery_client(token=token.strip(), base_url=settings.web_api_url)
    return SlackMessenger(client)
