"""A loopback stand-in for Slack, for the tests, the demo and by hand (``python -m bot.sandbox``).

:class:`SlackSandbox` is an HTTP server on 127.0.0.1 that implements the Web API methods Onramp
calls (``auth.test``, ``users.info``, ``conversations.*``, ``chat.*``, ``views.*``,
``files.getUploadURLExternal`` / ``files.completeUploadExternal`` (and the upload URL),
``assistant.threads.*``, ``apps.connections.open``), the response URLs it hands out, and a Socket
Mode websocket endpoint. It records every call and can inject 429s, 5xx, slow answers, connection
resets and rate limits. :class:`SlackDriver` plays Slack towards the app: signed slash commands,
block actions, view submissions and events, over HTTP or Socket Mode.

The real ``slack_sdk.WebClient`` and Bolt ``App`` talk to it unchanged; see ``docs/sandbox.md``.
"""

from bot.sandbox.driver import Delivery, SlackDriver
from bot.sandbox.records import (
    Call,
    Ephemeral,
    Message,
    ResponsePost,
    UploadedFile,
    User,
    View,
)
from bot.sandbox.server import SlackSandbox
from bot.sandbox.signing import signature, signed_headers
from bot.sandbox.socket_mode import DeliveryError

__all__ = [
    "Call",
    "Delivery",
    "DeliveryError",
    "Ephemeral",
    "Message",
    "ResponsePost",
    "SlackDriver",
    "SlackSandbox",
    "UploadedFile",
    "User",
    "View",
    "signature",
    "signed_headers",
]
